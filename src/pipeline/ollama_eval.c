/* ollama as the checks judge it: its CUDA backends loaded as ollama loads them, the
 * backend it will pick on this host's driver and GPU, and the settings it loads a model
 * with (wld/runtimes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/dlprobe.h"
#include "wld/gguf.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/proc.h"
#include "wld/runtimes.h"
#include "wld/util.h"
#include "wld/version.h"

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

/* "LD_LIBRARY_PATH=DIR:LIB_DIR:$LD_LIBRARY_PATH" as ollama sets it for a backend on the live
 * host, with no empty element (an empty one would make the loader search the current
 * directory). */
static char *ld_library_path(const char *dir, const char *lib_dir)
{
    const char *parts[] = { dir, lib_dir, getenv("LD_LIBRARY_PATH") };
    struct wld_buf b;
    wld_buf_init(&b, 256);
    wld_buf_puts(&b, "LD_LIBRARY_PATH=");
    bool first = true;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(parts); i++) {
        if (!parts[i] || !parts[i][0])
            continue;
        wld_buf_printf(&b, "%s%s", first ? "" : ":", parts[i]);
        first = false;
    }
    return wld_buf_detach(&b);
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
        env[n] = ld_library_path(wld_fact_str(b, "dir"), wld_fact_str(r, "lib_dir"));
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
void wld_ollama_lowest_cc(const cJSON *facts, unsigned *major, unsigned *minor)
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
    wld_ollama_lowest_cc(facts, &cc, &ccm);
    *driver = drv.cuda;
    return wld_ollama_pick_gpu(ollama, major, minor, cc, ccm, why);
}

const cJSON *wld_ollama_of(const cJSON *build_facts)
{
    return cJSON_GetObjectItemCaseSensitive(build_facts, "ollama");
}

/* ---- the settings ollama loads a model with ---- */

/* Go's strconv.ParseBool as envconfig reads OLLAMA_FLASH_ATTENTION: a value it cannot
 * parse counts as on. */
static bool go_bool(const char *v)
{
    static const char *const off[] = { "0", "f", "F", "FALSE", "false", "False" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(off); i++)
        if (strcmp(v, off[i]) == 0)
            return false;
    return true;
}

static bool listed(const cJSON *list, const char *word)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        if (cJSON_IsString(e) && word && strcmp(e->valuestring, word) == 0)
            return true;
    }
    return false;
}

/* The rules' row for version v: the last whose "from" is at or below it (the first when
 * v is older than all, the newest when v is unknown). */
static const cJSON *defaults_row(const cJSON *rows, const char *v)
{
    const cJSON *row, *best = NULL;
    struct wld_version x;
    if (v && wld_version_parse(v, &x, NULL) < 0)
        v = NULL;
    cJSON_ArrayForEach(row, rows)
    {
        if (!v || !best || wld_version_cmp_str(v, wld_fact_str(row, "from")) >= 0)
            best = row;
    }
    return best;
}

/* env[name] when set: its value, and where in *from. */
static const char *env_value(const cJSON *env, const char *name, const char **from)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(env, name);
    const char *v = wld_fact_str(e, "value");
    *from = wld_fact_str(e, "from") ? wld_fact_str(e, "from") : "the environment";
    return v && *v ? v : NULL;
}

/* A positive whole number, as envconfig.Uint reads one; 0 when it is not. */
static unsigned env_uint(const char *v)
{
    char *end = NULL;
    unsigned long n = v ? strtoul(v, &end, 10) : 0;
    return v && *end == '\0' && n < (1ul << 24) ? (unsigned) n : 0;
}

static uint32_t
num_ctx_default(const cJSON *rules, const cJSON *row, uint64_t vram, struct wld_buf *b)
{
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(row, "num_ctx"), *tier;
    if (cJSON_IsNumber(n))
        return (uint32_t) n->valuedouble;
    /* by the GPUs' total memory (server/routes.go) */
    cJSON_ArrayForEach(tier, cJSON_GetObjectItemCaseSensitive(rules, "vram_num_ctx"))
    {
        double below = wld_fact_num(tier, "below_gib", -1);
        if (below < 0 || (double) vram < below * 1024.0 * 1024.0 * 1024.0) {
            wld_buf_printf(b, " for %.1f GiB of VRAM", (double) vram / (1024.0 * 1024.0 * 1024.0));
            return (uint32_t) wld_fact_num(tier, "num_ctx", 4096);
        }
    }
    return 4096;
}

/* The context: OLLAMA_CONTEXT_LENGTH where this version reads it, else its default; each
 * sequence capped at the trained context where it does so. */
static void load_ctx(const cJSON *rules,
                     const cJSON *row,
                     const cJSON *env,
                     const char *name,
                     const struct wld_gguf *g,
                     uint64_t vram,
                     struct wld_ollama_load *ret,
                     struct wld_buf *b)
{
    const char *from, *v = env_value(env, "OLLAMA_CONTEXT_LENGTH", &from);
    bool reads = wld_fact_bool(row, "context_env", true);
    unsigned n = reads ? env_uint(v) : 0;
    struct wld_buf why;
    wld_buf_init(&why, 128);
    if (n) {
        wld_buf_printf(&why, "OLLAMA_CONTEXT_LENGTH=%s in %s", v, from);
    } else {
        wld_buf_printf(&why, "%s's default", name);
        n = num_ctx_default(rules, row, vram, &why);
        wld_buf_puts(&why, v && !reads ? "; it does not read OLLAMA_CONTEXT_LENGTH"
                                       : "; OLLAMA_CONTEXT_LENGTH unset");
    }
    if (wld_fact_bool(row, "caps_at_train", false) && g->n_ctx_train && n > g->n_ctx_train) {
        n = g->n_ctx_train;
        wld_buf_puts(&why, ", capped at the model's trained context");
    }
    ret->num_ctx = n;
    wld_buf_printf(b, "ollama's -c %u (%s)", n, why.data);
    wld_buf_release(&why);
}

/* The parallel sequences: OLLAMA_NUM_PARALLEL, else the default; "auto" tries more and
 * takes 1 when they do not fit, so whether it fits is judged at 1. */
static void load_parallel(const cJSON *row,
                          const cJSON *env,
                          const char *name,
                          struct wld_ollama_load *ret,
                          struct wld_buf *b)
{
    const char *from, *v = env_value(env, "OLLAMA_NUM_PARALLEL", &from);
    unsigned n = env_uint(v);
    ret->parallel = n ? n : (uint32_t) wld_fact_int(row, "num_parallel", 1, 1024, 1);
    if (n > 1)
        wld_buf_printf(b, " x %u parallel (OLLAMA_NUM_PARALLEL=%s in %s)", n, v, from);
    else if (!n && ret->parallel > 1)
        wld_buf_printf(b, " x %u parallel (%s's default)", ret->parallel, name);
}

/* Flash attention: OLLAMA_FLASH_ATTENTION, else the version's default (off, or on for the
 * architectures it lists); never for a model whose K and V heads differ or whose
 * architecture ollama keeps it off for. *why gets why it is off. */
static bool load_flash(const cJSON *rules,
                       const cJSON *row,
                       const cJSON *env,
                       const struct wld_gguf *g,
                       const char **why)
{
    const char *from, *v = env_value(env, "OLLAMA_FLASH_ATTENTION", &from);
    bool on =
            v ? go_bool(v)
              : wld_str_is(wld_fact_str(row, "flash_attention"), "model") &&
                            listed(cJSON_GetObjectItemCaseSensitive(rules, "flash_attention_archs"),
                                   g->arch);
    *why = "flash attention is off";
    if (on &&
        (g->head_k == 0 || g->head_k != g->head_v ||
         listed(cJSON_GetObjectItemCaseSensitive(rules, "no_flash_attention_archs"), g->arch))) {
        *why = "this model cannot use flash attention";
        on = false;
    }
    return on;
}

static int type_named(const char *name)
{
    for (int id = 0; id < 64; id++) {
        const struct wld_ggml_type *t = wld_ggml_type(id);
        if (t && t->name && strcmp(t->name, name) == 0)
            return id;
    }
    return -1;
}

/* The KV cache type: OLLAMA_KV_CACHE_TYPE when this version reads it, flash attention is
 * on and the model takes a quantized cache; else f16. */
static void load_kv(const cJSON *rules,
                    const cJSON *row,
                    const cJSON *env,
                    const struct wld_gguf *g,
                    struct wld_ollama_load *ret,
                    struct wld_buf *b)
{
    const char *from, *v = env_value(env, "OLLAMA_KV_CACHE_TYPE", &from), *off = NULL;
    ret->kv_type = WLD_GGML_F16;
    if (!v || !wld_fact_bool(row, "kv_cache_env", true))
        return;
    char lower[16];
    size_t i = 0;
    for (; v[i] && i + 1 < sizeof(lower); i++)
        lower[i] = (char) (v[i] >= 'A' && v[i] <= 'Z' ? v[i] - 'A' + 'a' : v[i]);
    lower[i] = '\0';
    if (strcmp(lower, "f16") == 0)
        return;
    bool flash = load_flash(rules, row, env, g, &off);
    int id = type_named(lower);
    if (!listed(cJSON_GetObjectItemCaseSensitive(rules, "kv_cache_types"), lower) || id < 0)
        off = "not a type ollama takes";
    else if (listed(cJSON_GetObjectItemCaseSensitive(rules, "kv_cache_f16_archs"), g->arch))
        off = "this model's architecture keeps f16";
    else if (flash)
        off = NULL;
    if (off) {
        wld_buf_printf(b, ", KV cache f16 (OLLAMA_KV_CACHE_TYPE=%s in %s is ignored: %s)", v, from,
                       off);
        return;
    }
    ret->kv_type = id;
    /* a file the words named already is not named twice */
    bool named = strstr(b->data, from) != NULL;
    wld_buf_printf(b, ", KV cache %s (OLLAMA_KV_CACHE_TYPE=%s%s%s, flash attention on)", lower, v,
                   named ? "" : " in ", named ? "" : from);
}

void wld_ollama_load_settings(const cJSON *with,
                              const cJSON *rules,
                              const struct wld_gguf *g,
                              uint64_t vram_total,
                              struct wld_ollama_load *ret)
{
    const char *v = wld_fact_str(with, "version");
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(with, "env");
    const cJSON *row = defaults_row(cJSON_GetObjectItemCaseSensitive(rules, "defaults"), v);
    char *name = v ? wld_xasprintf("ollama %s", v) : wld_xstrdup("this ollama");
    struct wld_buf b;
    wld_buf_init(&b, 256);
    load_ctx(rules, row, env, name, g, vram_total, ret, &b);
    load_parallel(row, env, name, ret, &b);
    load_kv(rules, row, env, g, ret, &b);
    snprintf(ret->said, sizeof(ret->said), "%s", b.data);
    wld_buf_release(&b);
    free(name);
}
