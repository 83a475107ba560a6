/* The run's shared host facts (see wld/inventory.h). */
#include "wld/inventory.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "wld/archnames.h"
#include "wld/check.h"
#include "wld/gguf.h"
#include "wld/ldpath.h"
#include "wld/llama.h"
#include "wld/models.h"
#include "wld/parse.h"
#include "wld/pci.h"
#include "wld/runtimes.h"
#include "wld/servers.h"
#include "wld/services.h"
#include "wld/toolkit.h"
#include "wld/trace.h"
#include "wld/util.h"
#include "wld/windows.h"
#include "wld/wslfile.h"

enum state { NOT_GATHERED, GATHERING, GATHERED };

/* the items' names in WLD_TRACE's spans */
static const char *const item_names[WLD_INV_COUNT] = {
    [WLD_INV_LDPATH] = "inventory ldpath",
    [WLD_INV_LLAMA_BINARY] = "inventory llama_binary",
    [WLD_INV_LLAMA] = "inventory llama",
    [WLD_INV_MODELS] = "inventory models",
    [WLD_INV_PCI] = "inventory pci",
    [WLD_INV_TOOLKIT] = "inventory toolkit",
    [WLD_INV_WSL_CONF] = "inventory wsl_conf",
    [WLD_INV_MEMINFO] = "inventory meminfo",
    [WLD_INV_SERVICES] = "inventory services",
    [WLD_INV_INTEROP] = "inventory interop",
    [WLD_INV_SERVERS] = "inventory servers",
    [WLD_INV_LLAMA_RUNTIME] = "inventory llama_runtime",
    [WLD_INV_OLLAMA] = "inventory ollama",
    [WLD_INV_PYENVS] = "inventory pyenvs",
    [WLD_INV_MODEL_ARCHS] = "inventory model_archs",
};

struct item {
    enum state state;
    cJSON *value;
    pthread_t prefetch; /* the thread gathering it ahead of any ask (wld_inventory_prefetch) */
    bool prefetching;
};

struct wld_inventory {
    const struct wld_host *h;
    const struct wld_options *o;
    pthread_mutex_t mu;
    pthread_cond_t gathered;
    struct item items[WLD_INV_COUNT];
};

struct wld_inventory *wld_inventory_new(const struct wld_host *h, const struct wld_options *o)
{
    struct wld_inventory *inv = wld_xcalloc(1, sizeof(*inv));
    inv->h = h;
    inv->o = o;
    pthread_mutex_init(&inv->mu, NULL);
    pthread_cond_init(&inv->gathered, NULL);
    return inv;
}

void wld_inventory_free(struct wld_inventory *inv)
{
    if (!inv)
        return;
    for (size_t i = 0; i < WLD_INV_COUNT; i++)
        if (inv->items[i].prefetching)
            pthread_join(inv->items[i].prefetch, NULL);
    for (size_t i = 0; i < WLD_INV_COUNT; i++)
        cJSON_Delete(inv->items[i].value);
    pthread_cond_destroy(&inv->gathered);
    pthread_mutex_destroy(&inv->mu);
    free(inv);
}

static void gather_meminfo(const struct wld_host *h, cJSON *v)
{
    static const char *const keys[] = { "MemTotal", "MemAvailable", "SwapTotal", "SwapFree" };
    struct wld_buf b;
    int r = wld_host_read(h, "/proc/meminfo", WLD_CAP_SMALL, &b);
    if (r < 0) {
        cJSON_AddStringToObject(v, "read_error", wld_errno_name(-r));
        return;
    }
    cJSON *impossible = cJSON_CreateArray();
    for (size_t i = 0; i < WLD_ARRAY_SIZE(keys); i++) {
        double kib;
        int k = wld_meminfo_kib(b.data, keys[i], &kib);
        if (k == 0)
            cJSON_AddNumberToObject(v, keys[i], kib);
        else if (k == -ERANGE)
            cJSON_AddItemToArray(impossible, cJSON_CreateString(keys[i]));
    }
    if (cJSON_GetArraySize(impossible) > 0)
        cJSON_AddItemToObject(v, "impossible", impossible);
    else
        cJSON_Delete(impossible);
    wld_buf_release(&b);
}

/* A model's general.architecture as a fact: {arch}, or {arch_error} (an errno name). */
static void model_arch(const struct wld_host *h, const char *path, cJSON *v)
{
    struct wld_file_reader f;
    char arch[WLD_ARCHNAME_MAX + 1];
    int rc = wld_reader_open(h, path, &f);
    if (rc == 0) {
        rc = wld_gguf_peek_arch(&f.r, arch, sizeof(arch));
        wld_reader_close(&f);
    }
    if (rc == 0)
        cJSON_AddStringToObject(v, "arch", arch);
    else
        wld_fact_errno(v, "arch_error", rc);
}

static cJSON *gather(struct wld_inventory *inv, enum wld_inv_item item)
{
    cJSON *v = cJSON_CreateObject();
    switch (item) {
    case WLD_INV_LDPATH: {
        cJSON *cache = cJSON_AddArrayToObject(v, "cache");
        wld_ldpath_dirs(inv->h, false, cache);
        wld_ldpath_with_env(inv->h, cache, cJSON_AddArrayToObject(v, "search"));
        break;
    }
    case WLD_INV_LLAMA_BINARY: {
        /* a binary the user names is the one: no process or unit is looked for it */
        bool named = inv->o && (inv->o->llama_server || inv->o->llama_build);
        wld_llama_locate(inv->h, inv->o, named ? NULL : wld_inventory_get(inv, WLD_INV_SERVERS),
                         named ? NULL : wld_inventory_get(inv, WLD_INV_SERVICES), v);
        break;
    }
    case WLD_INV_LLAMA:
        wld_llama_inspect(inv->h, wld_inventory_get(inv, WLD_INV_LLAMA_BINARY),
                          wld_inventory_ldpath(inv, true), v);
        break;
    case WLD_INV_MODELS: {
        /* `fit MODEL` judges the files it is given, nothing running */
        bool given_only = inv->o && inv->o->models_only;
        /* ollama's installs, not every runtime: the models need not wait for the Python
         * environments' walk (and the runtimes never ask for the models: no circle) */
        wld_models_find(inv->h, inv->o, given_only ? NULL : wld_inventory_get(inv, WLD_INV_SERVERS),
                        given_only ? NULL : wld_inventory_get(inv, WLD_INV_SERVICES),
                        given_only ? NULL
                                   : cJSON_GetObjectItemCaseSensitive(
                                             wld_inventory_get(inv, WLD_INV_OLLAMA), "runtimes"),
                        v);
        break;
    }
    case WLD_INV_PCI:
        wld_pci_gather(inv->h, v);
        break;
    case WLD_INV_TOOLKIT:
        wld_toolkit_gather(inv->h, inv->o->timeout_s * 1000.0, v);
        break;
    case WLD_INV_WSL_CONF: {
        bool exists = wld_host_exists(inv->h, "/etc/wsl.conf");
        cJSON_AddBoolToObject(v, "exists", exists);
        if (exists)
            wld_wsl_file_read(inv->h, "/etc/wsl.conf", v);
        break;
    }
    case WLD_INV_MEMINFO:
        gather_meminfo(inv->h, v);
        break;
    case WLD_INV_SERVICES:
        wld_services_find(inv->h, v);
        break;
    case WLD_INV_INTEROP:
        wld_windows_interop(inv->h, wld_inventory_get(inv, WLD_INV_WSL_CONF), v);
        break;
    case WLD_INV_SERVERS:
        wld_servers_find(inv->h, v);
        break;
    case WLD_INV_LLAMA_RUNTIME:
        wld_runtime_llama(wld_inventory_get(inv, WLD_INV_LLAMA),
                          cJSON_AddArrayToObject(v, "runtimes"));
        break;
    case WLD_INV_PYENVS:
        wld_pyenvs_find(inv->h, wld_inventory_ldpath(inv, true),
                        cJSON_AddArrayToObject(v, "runtimes"),
                        cJSON_AddObjectToObject(v, "python_walk"));
        break;
    case WLD_INV_OLLAMA:
        wld_ollama_find(inv->h, wld_inventory_get(inv, WLD_INV_SERVERS),
                        wld_inventory_get(inv, WLD_INV_SERVICES), wld_inventory_ldpath(inv, true),
                        inv->o ? inv->o->timeout_s * 1000.0 : 5000.0,
                        cJSON_AddArrayToObject(v, "runtimes"));
        break;
    case WLD_INV_MODEL_ARCHS: {
        cJSON *archs = cJSON_AddObjectToObject(v, "archs");
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(
                                      wld_inventory_get(inv, WLD_INV_MODELS), "models"))
        {
            const char *path = wld_fact_str(m, "path");
            if (path && !cJSON_GetObjectItemCaseSensitive(archs, path))
                model_arch(inv->h, path, cJSON_AddObjectToObject(archs, path));
        }
        break;
    }
    case WLD_INV_COUNT:
        break;
    }
    return v;
}

const cJSON *wld_inventory_get(struct wld_inventory *inv, enum wld_inv_item item)
{
    struct item *it = &inv->items[item];
    pthread_mutex_lock(&inv->mu);
    while (it->state == GATHERING)
        pthread_cond_wait(&inv->gathered, &inv->mu);
    if (it->state == GATHERED) {
        pthread_mutex_unlock(&inv->mu);
        return it->value;
    }
    it->state = GATHERING;
    pthread_mutex_unlock(&inv->mu);
    /* gathered outside the lock: another item may be gathered meanwhile (the llama.cpp
     * build asks for the loader's path); items never ask for each other in a circle */
    double start = wld_now_ms();
    cJSON *v = gather(inv, item);
    if (wld_trace_on())
        wld_trace_span(item_names[item], start, wld_now_ms());
    pthread_mutex_lock(&inv->mu);
    it->value = v;
    it->state = GATHERED;
    pthread_cond_broadcast(&inv->gathered);
    pthread_mutex_unlock(&inv->mu);
    return v;
}

struct prefetch {
    struct wld_inventory *inv;
    enum wld_inv_item item;
};

static void *prefetch_main(void *arg)
{
    struct prefetch p = *(struct prefetch *) arg;
    free(arg);
    wld_inventory_get(p.inv, p.item);
    return NULL;
}

void wld_inventory_prefetch(struct wld_inventory *inv, enum wld_inv_item item)
{
    struct item *it = &inv->items[item];
    pthread_mutex_lock(&inv->mu);
    bool start = it->state == NOT_GATHERED && !it->prefetching;
    if (start) {
        struct prefetch *p = wld_xcalloc(1, sizeof(*p));
        *p = (struct prefetch){ .inv = inv, .item = item };
        it->prefetching = pthread_create(&it->prefetch, NULL, prefetch_main, p) == 0;
        if (!it->prefetching)
            free(p); /* no thread to be had: gathered when first asked */
    }
    pthread_mutex_unlock(&inv->mu);
}

const cJSON *wld_inventory_runtime_source(struct wld_inventory *inv, size_t i)
{
    static const enum wld_inv_item sources[WLD_INV_RUNTIME_SOURCES] = {
        WLD_INV_LLAMA_RUNTIME,
        WLD_INV_OLLAMA,
        WLD_INV_PYENVS,
    };
    static const cJSON none = { .type = cJSON_Array };
    /* `fit` judges files, not runtimes */
    if (i >= WLD_INV_RUNTIME_SOURCES || (i > 0 && inv->o && inv->o->models_only))
        return &none;
    return cJSON_GetObjectItemCaseSensitive(wld_inventory_get(inv, sources[i]), "runtimes");
}

const cJSON *wld_inventory_ldpath(struct wld_inventory *inv, bool with_env)
{
    return cJSON_GetObjectItemCaseSensitive(wld_inventory_get(inv, WLD_INV_LDPATH),
                                            with_env ? "search" : "cache");
}
