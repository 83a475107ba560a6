/* ollama as the llama.* checks judge it: its CUDA backends loaded as ollama loads them,
 * and the backend it will pick on this host's driver and GPU (wld/runtimes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/dlprobe.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/proc.h"
#include "wld/runtimes.h"
#include "wld/util.h"

#define MAX_BACKENDS 8

/* The loader's search as ollama sets it for a backend: its directory, then lib_dir (on
 * LD_LIBRARY_PATH), then the host's own. */
static cJSON *backend_dirs(const struct wld_gather_ctx *ctx, const cJSON *r, const cJSON *b)
{
    cJSON *dirs = cJSON_CreateArray();
    const char *first[] = { wld_fact_str(b, "dir"), wld_fact_str(r, "lib_dir") };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(first); i++) {
        if (!first[i])
            continue;
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "dir", first[i]);
        cJSON_AddStringToObject(d, "from", "LD_LIBRARY_PATH");
        cJSON_AddItemToArray(dirs, d);
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, wld_inventory_ldpath(ctx->inv, true))
    {
        cJSON_AddItemToArray(dirs, cJSON_Duplicate(d, false));
    }
    return dirs;
}

void wld_ollama_gather_build(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    const cJSON *r = ctx->runtime, *e;
    cJSON *o = cJSON_AddObjectToObject(facts, "ollama");
    /* what the inventory found, less what other checks keep (the journal) */
    cJSON_ArrayForEach(e, r)
    {
        if (!wld_str_is(e->string, "build") && !wld_str_is(e->string, "journal"))
            cJSON_AddItemToObject(o, e->string, cJSON_Duplicate(e, true));
    }
    cJSON *backends = cJSON_GetObjectItemCaseSensitive(o, "backends"), *b;
    struct wld_proc_spec specs[MAX_BACKENDS];
    struct wld_proc_result res[MAX_BACKENDS];
    const char *argv[MAX_BACKENDS][4];
    char *ld[MAX_BACKENDS], *env[MAX_BACKENDS];
    const char *envp[MAX_BACKENDS][2];
    cJSON *loads[MAX_BACKENDS];
    size_t n = 0;
    cJSON_ArrayForEach(b, backends)
    {
        const cJSON *build = cJSON_GetObjectItemCaseSensitive(b, "build");
        const cJSON *file =
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(build, "cuda_files"), 0);
        if (n == MAX_BACKENDS || !cJSON_IsString(file))
            continue;
        cJSON *dirs = backend_dirs(ctx, r, b);
        ld[n] = wld_ldpath_real(h, dirs);
        cJSON_Delete(dirs);
        env[n] = wld_xasprintf("LD_LIBRARY_PATH=%s:%s", wld_fact_str(b, "dir"),
                               wld_fact_str(r, "lib_dir") ? wld_fact_str(r, "lib_dir") : "");
        envp[n][0] = env[n];
        envp[n][1] = NULL;
        argv[n][0] = "wsl-llm-doctor";
        argv[n][1] = WLD_DLOPEN_PROBE_ARG;
        argv[n][2] = file->valuestring;
        argv[n][3] = NULL;
        specs[n] = (struct wld_proc_spec){ .argv = argv[n],
                                           .host_paths = 1u << 2,
                                           .exec_path = "/proc/self/exe",
                                           .fixture_ld_path = ld[n],
                                           .env = h->fixture ? NULL : envp[n],
                                           .timeout_ms = ctx->timeout_ms,
                                           .out_cap = 64 * 1024 };
        loads[n] = cJSON_AddObjectToObject(b, "load");
        cJSON_AddStringToObject(loads[n], "file", file->valuestring);
        cJSON_AddNumberToObject(loads[n], "deadline_ms", ctx->timeout_ms);
        n++;
    }
    wld_proc_run_many(h, specs, res, n);
    for (size_t i = 0; i < n; i++) {
        wld_dlopen_probe_parse(res[i].out.data, loads[i]);
        wld_fact_helper(h, loads[i], "helper", &res[i], wld_fact_bool(loads[i], "done", false));
        wld_fact_unroot(h, loads[i]);
        wld_proc_result_release(&res[i]);
        free(ld[i]);
        free(env[i]);
    }
}

/* The lowest compute capability among the GPUs gpu.cuda saw: ollama's choice is bounded
 * by its weakest GPU. */
static void lowest_cc(const cJSON *facts, unsigned *major, unsigned *minor)
{
    const cJSON *d;
    *major = *minor = 0;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetObjectItemCaseSensitive(facts, "gpu.cuda"), "devices"))
    {
        unsigned a = 0, b = 0;
        if (!wld_fact_str(d, "cc") || sscanf(wld_fact_str(d, "cc"), "%u.%u", &a, &b) != 2)
            continue;
        if (*major == 0 || a * 10 + b < *major * 10 + *minor) {
            *major = a;
            *minor = b;
        }
    }
}

int wld_ollama_choose(const cJSON *facts,
                      const cJSON *ollama,
                      const char **why,
                      const char **driver)
{
    struct wld_gpu_driver drv;
    wld_gpu_driver_of(facts, &drv);
    unsigned major = 0, minor = 0, cc, ccm;
    if (drv.cuda)
        sscanf(drv.cuda, "%u.%u", &major, &minor);
    lowest_cc(facts, &cc, &ccm);
    *driver = drv.cuda;
    return wld_ollama_pick_gpu(ollama, major, minor, cc, ccm, why);
}

const cJSON *wld_ollama_of(const cJSON *build_facts)
{
    return cJSON_GetObjectItemCaseSensitive(build_facts, "ollama");
}
