/* llama.runtime: the CUDA runtime the llama.cpp build needs against the highest CUDA the
 * driver supports.
 *
 * Guards against "CUDA driver version is insufficient for CUDA runtime version" (error
 * 35): a build made with a newer CUDA major than the Windows (or Linux) driver supports.
 * Within one major, NVIDIA's minor-version compatibility lets a newer runtime run on an
 * older driver of the same family, with limits: no PTX JIT, and newer APIs fail. The
 * runtime is the libcudart the CUDA backend loads (its file name carries the version),
 * else the compiler recorded in CMakeCache.txt; the driver's CUDA comes from gpu.cuda
 * (cuDriverGetVersion), else nvidia-smi. */
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gpu.h"
#include "wld/llama.h"
#include "wld/runtimes.h"

/* The other way out than a newer driver, in the runtime's own terms: a llama.cpp build
 * rebuilt, a llama-cpp-python reinstalled with its environment's pip, or an ollama built
 * with an older CUDA. */
static void rebuild_var(const cJSON *build, const char *driver_cuda, struct wld_finding *f)
{
    const cJSON *py = cJSON_GetObjectItemCaseSensitive(build, "python");
    if (wld_ollama_of(build)) {
        wld_finding_varf(
                f, "rebuild",
                "use an ollama release whose CUDA backends were built with CUDA %s or older",
                driver_cuda);
    } else if (py) {
        const char *pip = wld_fact_str(py, "pip");
        wld_finding_varf(f, "rebuild",
                         "reinstall llama-cpp-python built with a CUDA %s toolkit: "
                         "`CMAKE_ARGS=\"-DGGML_CUDA=on\" %s%s install --force-reinstall "
                         "--no-cache-dir llama-cpp-python`",
                         driver_cuda,
                         pip                          ? pip
                         : wld_fact_str(py, "python") ? wld_fact_str(py, "python")
                                                      : "python3",
                         pip ? "" : " -m pip");
    } else {
        wld_finding_varf(f, "rebuild", "rebuild llama.cpp with a CUDA %s toolkit", driver_cuda);
    }
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *b = wld_facts_of(ctx, "llama.build");
    const cJSON *ollama = wld_ollama_of(b);
    if (ollama) { /* the backend ollama will pick, with the runtime it bundles */
        const char *why = NULL, *driver = NULL;
        int i = wld_ollama_choose(ctx->facts, ollama, &why, &driver);
        const cJSON *backend =
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ollama, "backends"), i);
        b = i < 0 ? NULL : cJSON_GetObjectItemCaseSensitive(backend, "build");
    }
    const char *mode = wld_fact_str(b, "cuda");
    if (!mode || strcmp(mode, "none") == 0) {
        wld_finding_outcome(f, "no_cuda_build");
        return;
    }
    char buf[16];
    const char *from = NULL;
    const char *rt = wld_llama_cuda_version(b, false, &from, buf, sizeof(buf));
    if (!rt) {
        wld_finding_outcome(f, "no_runtime_info");
        return;
    }
    wld_finding_var(f, "runtime", rt);
    wld_finding_var(f, "runtime_source", from ? from : "the build");
    unsigned major = 0;
    sscanf(rt, "%u", &major);
    wld_finding_var_num(f, "runtime_major", major);
    char key[16];
    snprintf(key, sizeof(key), "%u", major);
    const char *min_driver = wld_fact_str(wld_param(ctx, "family_min_driver"), key);
    wld_finding_var(f, "min_driver", min_driver ? min_driver : "a driver of that CUDA family");
    struct wld_gpu_driver drv;
    wld_gpu_driver_of(ctx->facts, &drv);
    if (!drv.cuda) {
        wld_finding_outcome(f, "no_driver_info");
        return;
    }
    wld_finding_var(f, "driver_cuda", drv.cuda);
    wld_finding_var(f, "driver_cuda_source", drv.cuda_source);
    rebuild_var(wld_facts_of(ctx, "llama.build"), drv.cuda, f);
    unsigned dmajor = 0;
    sscanf(drv.cuda, "%u", &dmajor);
    if (major > dmajor) {
        wld_finding_outcome(f, "driver_too_old");
        return;
    }
    wld_finding_outcome(f, wld_cuda_newer(rt, drv.cuda) ? "minor_compat" : "ok");
}

static const char *const outcomes[] = {
    "ok", "minor_compat", "driver_too_old", "no_cuda_build", "no_runtime_info", "no_driver_info",
    NULL
};
static const char *const params[] = { "family_min_driver", NULL };
static const char *const needs[] = { "llama.build", "gpu.cuda", "gpu.driver", NULL };

const struct wld_check wld_check_llama_runtime = {
    .id = "llama.runtime",
    .title = "CUDA runtime of the llama.cpp build vs the driver",
    .looks_at = "the libcudart the CUDA backend loads (llama.build), CMAKE_CUDA_COMPILER_VERSION, "
                "the driver's CUDA version from gpu.cuda or nvidia-smi",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .per_runtime = true,
    .evaluate = evaluate,
};
