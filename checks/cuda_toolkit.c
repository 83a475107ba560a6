/* cuda.toolkit: which CUDA toolkit builds llama.cpp here, and whether the driver can run
 * what it builds.
 *
 * Guards against the build-time traps of the guide: CUDA_HOME pointing at one toolkit
 * while nvcc on PATH is another (often a conda/pyenv one), /usr/local/cuda pointing
 * elsewhere, and a toolkit newer than the driver supports ("CUDA driver version is
 * insufficient for CUDA runtime version" at the first context creation). */
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/parse.h"
#include "wld/proc.h"
#include "wld/version.h"

/* The toolkits as the run's inventory found them, kept as this check's evidence. */
static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, wld_inventory_get(ctx->inv, WLD_INV_TOOLKIT))
    {
        cJSON_AddItemToObject(facts, e->string, cJSON_Duplicate(e, true));
    }
    return 0;
}

static bool same_major_minor(const char *a, const char *b)
{
    struct wld_version x, y;
    if (wld_version_parse(a, &x, NULL) < 0 || wld_version_parse(b, &y, NULL) < 0)
        return false;
    return x.part[0] == y.part[0] && (x.n < 2 || y.n < 2 || x.part[1] == y.part[1]);
}

/* Whether an nvcc's path lies in a Python environment (the rules' python_env_dirs). */
static bool in_python_env(const struct wld_eval_ctx *ctx, const char *path)
{
    const cJSON *w;
    cJSON_ArrayForEach(w, wld_param(ctx, "python_env_dirs"))
    {
        if (path && cJSON_IsString(w) && strstr(path, w->valuestring))
            return true;
    }
    return false;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    const char *version = wld_fact_str(m, "version");
    const char *home = wld_fact_str(m, "cuda_home");
    const char *home_res = wld_fact_str(m, "cuda_home_resolved");
    const char *usr_local = wld_fact_str(m, "usr_local_cuda");
    const char *nvcc_v = wld_fact_str(m, "nvcc_version");
    const char *home_v = wld_fact_str(m, "cuda_home_version");
    struct wld_gpu_driver gpu;
    wld_gpu_driver_of(ctx->facts, &gpu);
    const char *drv_cuda = gpu.cuda;
    const cJSON *first_nvcc =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "path_nvcc"), 0);
    int n_tk = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "toolkits"));

    const char *nvcc = wld_fact_str(m, "nvcc");
    const char *from = wld_fact_str(m, "version_from");
    wld_finding_var(f, "version", version ? version : "unknown");
    wld_finding_var(f, "cuda_home", home ? home : "unset");
    wld_finding_var(f, "nvcc", nvcc ? nvcc : "none on PATH");
    /* where the version in use was read */
    if (from && strcmp(from, "nvcc") == 0)
        wld_finding_var(f, "source", nvcc);
    else if (from && strcmp(from, "cuda_home") == 0)
        wld_finding_varf(f, "source", "CUDA_HOME %s; no nvcc on PATH", home);
    else
        wld_finding_var(f, "source", "/usr/local/cuda; no nvcc on PATH");
    wld_finding_var(f, "driver_cuda", drv_cuda ? drv_cuda : "unknown");
    wld_finding_var(f, "driver_cuda_source", gpu.cuda_source ? gpu.cuda_source : "none");
    wld_finding_var_num(f, "toolkits", n_tk);
    if (!version && !home && !nvcc && n_tk == 0 && !usr_local) {
        wld_finding_outcome(f, "none");
        return;
    }
    /* nvcc on PATH is what builds llama.cpp: when it does not answer, no other file says
     * which toolkit that is */
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(m, "nvcc_run");
    const char *state = wld_fact_str(run, "state");
    if (nvcc && state && strcmp(state, "ok") != 0) {
        double deadline = wld_fact_num(m, "deadline_ms", 0) / 1000.0;
        const char *line = wld_fact_str(run, "first_line");
        if (strcmp(state, "timeout") == 0)
            wld_finding_varf(f, "how", "did not finish within its %g s deadline", deadline);
        else if (strcmp(state, "crashed") == 0)
            wld_finding_varf(f, "how", "was killed by %s",
                             wld_signal_name((int) wld_fact_int(run, "signal", 0, 64, 0)));
        else if (strcmp(state, "spawn_failed") == 0)
            wld_finding_varf(f, "how", "cannot be run (%s)", wld_fact_str(run, "errno"));
        else if (strcmp(state, "no_output") == 0)
            wld_finding_var(f, "how", "printed nothing");
        else
            wld_finding_varf(f, "how", "printed no version (exit %.0f%s%s)",
                             wld_fact_num(run, "exit_code", 0), line && line[0] ? ": " : "",
                             line ? line : "");
        wld_finding_outcome(f, "nvcc_no_answer");
        return;
    }
    if (drv_cuda && version && strcmp(drv_cuda, "ERR!") != 0) {
        struct wld_version t, d;
        if (wld_version_parse(version, &t, NULL) == 0 &&
            wld_version_parse(drv_cuda, &d, NULL) == 0) {
            if (t.part[0] > d.part[0]) {
                wld_finding_outcome(f, "too_new_major");
                return;
            }
            struct wld_version t2 = t, d2 = d;
            t2.n = t2.n > 2 ? 2 : t2.n;
            d2.n = d2.n > 2 ? 2 : d2.n;
            if (wld_version_cmp(&t2, &d2) > 0) {
                wld_finding_outcome(f, "too_new_minor");
                return;
            }
        }
    }
    if (home && !wld_fact_bool(m, "cuda_home_exists", true)) {
        wld_finding_outcome(f, "cuda_home_missing");
        return;
    }
    if (in_python_env(ctx, wld_fact_str(first_nvcc, "path"))) {
        wld_finding_var(f, "first_nvcc", wld_fact_str(first_nvcc, "path"));
        wld_finding_outcome(f, "python_env_first");
        return;
    }
    if (nvcc_v && home_v && !same_major_minor(nvcc_v, home_v)) {
        wld_finding_var(f, "nvcc_version", nvcc_v);
        wld_finding_var(f, "home_version", home_v);
        wld_finding_outcome(f, "nvcc_not_cuda_home");
        return;
    }
    if (home_res && usr_local && strcmp(home_res, usr_local) != 0) {
        wld_finding_var(f, "usr_local_cuda", usr_local);
        wld_finding_var(f, "cuda_home_resolved", home_res);
        wld_finding_outcome(f, "usr_local_cuda_elsewhere");
        return;
    }
    if (!version) {
        wld_finding_outcome(f, "version_unknown");
        return;
    }
    if (!drv_cuda)
        wld_finding_outcome(f, "ok_driver_unknown");
    else
        wld_finding_outcome(f, n_tk > 1 ? "ok_several" : "ok");
}

static const char *const outcomes[] = { "ok",
                                        "ok_driver_unknown",
                                        "ok_several",
                                        "none",
                                        "too_new_major",
                                        "too_new_minor",
                                        "cuda_home_missing",
                                        "python_env_first",
                                        "nvcc_not_cuda_home",
                                        "usr_local_cuda_elsewhere",
                                        "version_unknown",
                                        "nvcc_no_answer",
                                        NULL };
static const char *const needs[] = { "gpu.driver", "gpu.cuda", NULL };

static const char *const params[] = { "python_env_dirs", NULL };
static const char *const fact_keys[] = { "path_nvcc", "toolkits", NULL };

const struct wld_check wld_check_cuda_toolkit = {
    .id = "cuda.toolkit",
    .title = "CUDA toolkit",
    .looks_at = "CUDA_HOME/CUDA_PATH, nvcc on PATH (nvcc --version), version.json, "
                "/usr/local/cuda and /usr/local/cuda-*, the driver's highest CUDA version "
                "(libcuda via gpu.cuda, else nvidia-smi)",
    .outcomes = outcomes,
    .needs = needs,
    .params = params,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
