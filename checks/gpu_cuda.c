/* gpu.cuda: what the CUDA driver API itself reports, the ground truth behind "nvidia-smi
 * works but CUDA does not".
 *
 * Guards against CUDA error 100/35/999/304 on first use, a libcuda that is missing, of the
 * wrong ELF class or incomplete (a toolkit stub), and a driver that crashes or hangs in
 * cuInit. libcuda.so.1 is loaded only in the helper process (wld/cuda_probe.h) under the
 * probe deadline; the helper is killed with its process group if it hangs. With
 * --functional the helper also creates a context on every device and round-trips 64 MiB,
 * so "visible but not usable" is caught. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/cuda_probe.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/option.h"
#include "wld/platform.h"
#include "wld/proc.h"
#include "wld/settings.h"

#define WSL_LIB  "/usr/lib/wsl/lib"
#define LIBCUDA  "libcuda.so.1"
#define LIBNVML  "libnvidia-ml.so.1"
#define MAX_CAND 16

/* The ELF class and machine of a candidate, read through the host. */
static void add_elf(const struct wld_host *h, const char *path, cJSON *o)
{
    struct wld_buf b;
    if (wld_host_read(h, path, 64, &b) < 0)
        return;
    const unsigned char *d = (const unsigned char *) b.data;
    if (b.len >= 20 && memcmp(d, "\177ELF", 4) == 0) {
        cJSON_AddNumberToObject(o, "elf_class", d[4] == 1 ? 32 : d[4] == 2 ? 64 : 0);
        cJSON_AddNumberToObject(o, "elf_machine",
                                d[5] == 2 ? d[18] << 8 | d[19] : d[18] | d[19] << 8);
    } else {
        cJSON_AddBoolToObject(o, "elf", false);
    }
    wld_buf_release(&b);
}

/* Candidate files for a library name: /usr/lib/wsl/lib first (it is what WSL provides),
 * then the bare name, which the loader looks up in its search order as llama.cpp's would
 * (on a fixture host, in the fixture's directories: wld_proc_spec.fixture_ld_path). */
static size_t candidates(const struct wld_host *h, const char *name, char **host_paths, cJSON *list)
{
    size_t n = 0;
    char *wsl = wld_xasprintf("%s/%s", WSL_LIB, name);
    if (wld_host_exists(h, wsl))
        host_paths[n++] = wsl;
    else
        free(wsl);
    host_paths[n++] = wld_xstrdup(name);
    for (size_t i = 0; list && i < n; i++) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "path", host_paths[i]);
        if (host_paths[i][0] == '/')
            add_elf(h, host_paths[i], c);
        cJSON_AddItemToArray(list, c);
    }
    return n;
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    bool functional = ctx->opts && ctx->opts->functional;
    char *host_paths[MAX_CAND] = { 0 }, *nvml_host[MAX_CAND] = { 0 };
    const cJSON *dirs = wld_inventory_ldpath(ctx->inv, true);
    cJSON *cands = cJSON_AddArrayToObject(facts, "candidates");
    size_t n = candidates(h, LIBCUDA, host_paths, cands);
    size_t nn = candidates(h, LIBNVML, nvml_host, NULL);
    cJSON_AddBoolToObject(facts, "functional_requested", functional);
    /* the PCI adapters, from the run's inventory: whether there is an NVIDIA GPU at all */
    const cJSON *adapters =
            cJSON_GetObjectItemCaseSensitive(wld_inventory_get(ctx->inv, WLD_INV_PCI), "adapters");
    if (adapters)
        cJSON_AddItemToObject(facts, "pci_adapters", cJSON_Duplicate(adapters, true));
    const char *visible = wld_host_getenv(h, "CUDA_VISIBLE_DEVICES");
    if (visible)
        cJSON_AddStringToObject(facts, "cuda_visible_devices", visible);
    /* where the loader looked, for a "not found" */
    cJSON *searched = cJSON_AddArrayToObject(facts, "searched");
    const cJSON *d;
    if (!wld_ldpath_has(dirs, WSL_LIB))
        cJSON_AddItemToArray(searched, cJSON_CreateString(WSL_LIB));
    cJSON_ArrayForEach(d, dirs)
    {
        cJSON_AddItemToArray(searched, cJSON_CreateString(wld_fact_str(d, "dir")));
    }
    const char *argv[4 + 3 * MAX_CAND] = { "wsl-llm-doctor", WLD_CUDA_PROBE_ARG };
    unsigned long long paths = 0; /* host paths: real on a fixture, as spelt in a recording */
    size_t na = 2;
    if (functional)
        argv[na++] = "--functional";
    for (size_t i = 0; i < nn; i++) {
        argv[na++] = "--nvml";
        paths |= (unsigned long long) (nvml_host[i][0] == '/') << na;
        argv[na++] = nvml_host[i];
    }
    for (size_t i = 0; i < n; i++) {
        paths |= (unsigned long long) (host_paths[i][0] == '/') << na;
        argv[na++] = host_paths[i];
    }
    argv[na] = NULL;
    double deadline = ctx->timeout_ms * (functional ? 2 : 1);
    char *ld = wld_ldpath_real(h, dirs);
    struct wld_proc_spec spec = { .argv = argv,
                                  .host_paths = paths,
                                  .exec_path = "/proc/self/exe",
                                  .fixture_ld_path = ld,
                                  .timeout_ms = deadline,
                                  .out_cap = 256 * 1024 };
    struct wld_proc_result r;
    cJSON_AddNumberToObject(facts, "deadline_ms", deadline);
    wld_proc_run(h, &spec, &r);
    wld_cuda_probe_parse(r.out.data, r.out.len, facts);
    wld_fact_helper(h, facts, "helper", &r, wld_fact_bool(facts, "done", false));
    wld_proc_result_release(&r);
    wld_fact_unroot(h, cJSON_GetObjectItemCaseSensitive(facts, "load_errors"));
    wld_fact_unroot(h, cJSON_GetObjectItemCaseSensitive(facts, "loaded"));
    wld_fact_unroot(h, cJSON_GetObjectItemCaseSensitive(facts, "nvml"));
    cJSON_AddStringToObject(facts, "probe", "ran");
    free(ld);
    for (size_t i = 0; i < MAX_CAND; i++) {
        free(host_paths[i]);
        free(nvml_host[i]);
    }
    return 0;
}

/* ---- evaluate ---- */

/* The rules' entry for a CUresult: {"name", "meaning", "outcome"?}. */
static const cJSON *curesult(const struct wld_eval_ctx *ctx, int code)
{
    char key[16];
    snprintf(key, sizeof(key), "%d", code);
    return cJSON_GetObjectItemCaseSensitive(wld_param(ctx, "curesult"), key);
}

static void code_vars(const struct wld_eval_ctx *ctx, struct wld_finding *f, const cJSON *ret)
{
    int code = (int) wld_fact_int(ret, "code", INT_MIN, INT_MAX, -1);
    const cJSON *e = curesult(ctx, code);
    const char *name = wld_fact_str(e, "name");
    if (!name)
        name = wld_fact_str(ret, "name");
    wld_finding_var_num(f, "code", code);
    wld_finding_varf(f, "error", "%s (%d)", name ? name : "unknown CUresult", code);
    wld_finding_var(f, "meaning",
                    wld_fact_str(e, "meaning") ? wld_fact_str(e, "meaning")
                                               : "not a code the rules know");
    wld_finding_var(f, "fn", wld_fact_str(ret, "fn"));
}

static void device_list(const cJSON *devices, struct wld_buf *b)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, devices)
    {
        const char *name = wld_fact_str(d, "name");
        const char *cc = wld_fact_str(d, "cc");
        wld_buf_printf(b, "%s%d: %s (cc %s, ", b->len ? "; " : "",
                       (int) wld_fact_int(d, "index", 0, INT_MAX, 0), name ? name : "?",
                       cc ? cc : "?");
        double free_mib = wld_fact_num(d, "free_mib", -1);
        if (free_mib >= 0)
            wld_buf_printf(b, "%.0f of ", free_mib);
        wld_buf_printf(b, "%.0f MiB%s)", wld_fact_num(d, "total_mib", 0),
                       free_mib >= 0 ? " free" : "");
    }
}

static bool evaluate_load(const struct wld_eval_ctx *ctx, struct wld_finding *f, bool wsl)
{
    const cJSON *m = ctx->mine;
    const cJSON *errors = cJSON_GetObjectItemCaseSensitive(m, "load_errors");
    if (cJSON_GetObjectItemCaseSensitive(m, "loaded"))
        return false;
    const cJSON *c, *e;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(m, "candidates"))
    {
        if (wld_fact_num(c, "elf_class", 64) == 32) {
            wld_finding_var(f, "path", wld_fact_str(c, "path"));
            wld_finding_outcome(f, "wrong_elf_class");
            return true;
        }
    }
    e = cJSON_GetArrayItem(errors, 0);
    if (e) {
        wld_finding_var(f, "path", wld_fact_str(e, "path"));
        wld_finding_var(f, "error", wld_fact_str(e, "error"));
        wld_finding_outcome(f, wsl ? "load_failed_wsl" : "load_failed");
        return true;
    }
    return false;
}

/* The loader found no file for any candidate (as opposed to a file that would not load):
 * each error is the loader's "no such file" (the rules' loader_not_found). */
static bool nothing_found(const struct wld_eval_ctx *ctx)
{
    const cJSON *e;
    const char *none = wld_param_str(ctx, "loader_not_found");
    size_t n = 0;
    if (cJSON_GetObjectItemCaseSensitive(ctx->mine, "loaded") || !none)
        return false;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ctx->mine, "load_errors"))
    {
        const char *msg = wld_fact_str(e, "error");
        if (!msg || !strstr(msg, none))
            return false;
        n++;
    }
    return n > 0; /* a helper that ended before trying a file found nothing missing */
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    enum wld_platform p = ctx->platform;
    bool wsl = p == WLD_PLATFORM_WSL2;
    const char *probe = wld_fact_str(m, "probe");
    const cJSON *helper = cJSON_GetObjectItemCaseSensitive(m, "helper");
    const char *state = wld_fact_str(helper, "state");
    const cJSON *pending = cJSON_GetObjectItemCaseSensitive(m, "pending_call");
    const cJSON *init = cJSON_GetObjectItemCaseSensitive(m, "init");
    const cJSON *loaded = cJSON_GetObjectItemCaseSensitive(m, "loaded");

    if (loaded)
        wld_finding_var(f, "library",
                        wld_fact_str(loaded, "file") ? wld_fact_str(loaded, "file")
                                                     : wld_fact_str(loaded, "path"));
    wld_finding_var_num(f, "deadline_s", wld_fact_num(m, "deadline_ms", 0) / 1000.0);
    if (p == WLD_PLATFORM_WSL1) {
        wld_finding_outcome(f, "not_applicable_wsl1");
        return;
    }
    if (probe && (strcmp(probe, "not_found") == 0 || nothing_found(ctx))) {
        /* the adapters this check saw (a report before them: gpu.pci's) */
        const cJSON *adapters = cJSON_GetObjectItemCaseSensitive(m, "pci_adapters");
        if (!adapters)
            adapters = cJSON_GetObjectItemCaseSensitive(wld_facts_of(ctx, "gpu.pci"), "adapters");
        bool nvidia_pci = wld_pci_count(adapters, wld_param(ctx, "nvidia_adapter")) > 0;
        if (!wsl && cJSON_IsArray(adapters) && !nvidia_pci) {
            wld_finding_outcome(f, "no_nvidia_gpu");
            return;
        }
        wld_finding_outcome(f, wsl ? "not_found_wsl" : "not_found_native");
        return;
    }
    if (state && strcmp(state, "spawn_failed") == 0) {
        wld_finding_var(f, "errno", wld_fact_str(helper, "errno"));
        wld_finding_outcome(f, "helper_failed");
        return;
    }
    if (evaluate_load(ctx, f, wsl))
        return;
    if (cJSON_GetObjectItemCaseSensitive(m, "missing_symbols")) {
        struct wld_buf b;
        const cJSON *s;
        wld_buf_init(&b, 1024);
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(m, "missing_symbols"))
        {
            if (cJSON_IsString(s))
                wld_buf_printf(&b, "%s%s", b.len ? ", " : "", s->valuestring);
        }
        wld_finding_var(f, "symbols", b.data);
        wld_buf_release(&b);
        wld_finding_outcome(f, "missing_symbols");
        return;
    }
    const char *stuck = pending ? wld_fact_str(pending, "fn") : NULL;
    if (state && (strcmp(state, "timeout") == 0 || strcmp(state, "crashed") == 0))
        wld_finding_var(f, "call", stuck ? stuck : "the driver");
    if (state && strcmp(state, "timeout") == 0) {
        wld_finding_outcome(f, "hang");
        return;
    }
    if (state && strcmp(state, "crashed") == 0) {
        int sig = (int) wld_fact_int(helper, "signal", 0, 64, 0);
        wld_finding_varf(f, "signal", "%s (%d)", wld_signal_name(sig), sig);
        wld_finding_outcome(f, "crashed");
        return;
    }
    if (state && strcmp(state, "ok") != 0) {
        wld_finding_var_num(f, "exit_code", wld_fact_num(helper, "exit_code", -1));
        wld_finding_outcome(f, "helper_failed");
        return;
    }
    const char *visible = wld_fact_str(m, "cuda_visible_devices");
    bool none = init &&
                (wld_fact_num(init, "code", 0) == 100 || wld_fact_num(m, "device_count", 1) == 0);
    if (visible && none) {
        wld_finding_var(f, "visible", visible);
        wld_finding_outcome(f, "hidden_by_env");
        return;
    }
    if (init && wld_fact_num(init, "code", 0) != 0) {
        code_vars(ctx, f, init);
        const char *outcome = wld_fact_str(
                curesult(ctx, (int) wld_fact_int(init, "code", INT_MIN, INT_MAX, 0)), "outcome");
        char key[48];
        snprintf(key, sizeof(key), "%s", outcome ? outcome : "init_failed");
        if (strcmp(key, "init_no_device") == 0)
            snprintf(key, sizeof(key), "init_no_device_%s", wsl ? "wsl" : "native");
        wld_finding_outcome(f, key);
        return;
    }
    const cJSON *failed =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "failed_calls"), 0);
    const cJSON *devices = cJSON_GetObjectItemCaseSensitive(m, "devices");
    const char *cuda = wld_fact_str(m, "driver_cuda_version");
    double count = wld_fact_num(m, "device_count", 0);
    wld_finding_var(f, "cuda", cuda ? cuda : "unknown");
    wld_finding_var_num(f, "count", count);
    if (count <= 0) {
        wld_finding_outcome(f, wsl ? "no_devices_wsl" : "no_devices");
        return;
    }
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    device_list(devices, &b);
    wld_finding_var(f, "devices", b.data);
    wld_buf_release(&b);
    const cJSON *fn;
    wld_finding_var_num(f, "mib", WLD_CUDA_FUNCTIONAL_BYTES >> 20);
    cJSON_ArrayForEach(fn, cJSON_GetObjectItemCaseSensitive(m, "functional"))
    {
        if (wld_fact_bool(fn, "ok", false))
            continue;
        wld_finding_var_num(f, "device", wld_fact_num(fn, "index", 0));
        if (wld_fact_str(fn, "fn")) { /* the call that failed, with its code */
            code_vars(ctx, f, fn);
            wld_finding_outcome(f, "functional_failed");
        } else {
            wld_finding_outcome(f, "functional_mismatch");
        }
        return;
    }
    if (failed) {
        code_vars(ctx, f, failed);
        wld_finding_outcome(f, "call_failed");
        return;
    }
    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "functional")) > 0) {
        wld_finding_outcome(f, "ok_functional");
        return;
    }
    wld_finding_outcome(f, "ok");
}

static const char *const outcomes[] = {
    "ok",
    "ok_functional",
    "not_applicable_wsl1",
    "not_found_wsl",
    "not_found_native",
    "no_nvidia_gpu",
    "wrong_elf_class",
    "load_failed",
    "load_failed_wsl",
    "missing_symbols",
    "hang",
    "crashed",
    "helper_failed",
    "hidden_by_env",
    "init_no_device_wsl",
    "init_no_device_native",
    "init_insufficient_driver",
    "init_requires_newer_driver",
    "init_stub_library",
    "init_devices_unavailable",
    "init_os_call_failed",
    "init_not_supported",
    "init_system_not_ready",
    "init_driver_mismatch",
    "init_compat_not_supported",
    "init_unknown",
    "init_failed",
    "no_devices",
    "no_devices_wsl",
    "call_failed",
    "functional_failed",
    "functional_mismatch",
    NULL,
};
static const char *const params[] = { "curesult", "nvidia_adapter", "loader_not_found", NULL };
static const char *const needs[] = { "wsl.platform", NULL };

static const char *const fact_keys[] = { "candidates", "functional_requested", "probe", NULL };

/* the command line's options that only this check reads */
static const struct wld_cli_option options[] = {
    { "functional", 0, NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "also a CUDA context and a 64 MiB copy on each GPU", WLD_OPT_FLAG(functional) },
};

const struct wld_check wld_check_gpu_cuda = {
    .id = "gpu.cuda",
    .title = "CUDA driver API (libcuda)",
    .looks_at = "libcuda.so.1 (/usr/lib/wsl/lib first, then the loader's search order) and "
                "libnvidia-ml.so.1, loaded in a helper process with a deadline: cuInit, "
                "cuDriverGetVersion, devices, compute capability, memory; --functional adds "
                "a context and a 64 MiB round trip per device",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
    .options = options,
    .n_options = WLD_ARRAY_SIZE(options),
};
