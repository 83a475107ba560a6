/* llama.build: the llama.cpp build really has CUDA, and its CUDA backend loads.
 *
 * Guards against the builds that "work" but never touch the GPU: a CPU-only cmake build
 * (no -DGGML_CUDA=ON), a binary left by the old root Makefile, and a libggml-cuda.so that
 * fails to load, which release builds with GGML_BACKEND_DL skip without a word. The build
 * is read from the binary's ELF dynamic section and its CMakeCache.txt (wld/llama.h); the
 * CUDA backend is dlopen()ed as llama.cpp does, in a helper process with the probe
 * deadline (wld/dlprobe.h), so the loader's own error is quoted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/dlprobe.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/llama.h"
#include "wld/parse.h"
#include "wld/proc.h"
#include "wld/runtimes.h"
#include "wld/util.h"

#define VERSION_CAP (64 * 1024) /* of `--version`, which prints two lines */

/* `llama-server --version`: the build number and commit llama.cpp prints on stderr. */
static void add_version(const struct wld_host *h, const struct wld_proc_result *r, cJSON *facts)
{
    struct wld_llama_devices d;
    wld_llama_parse_run(h, r, &d);
    cJSON *v = cJSON_AddObjectToObject(facts, "version");
    if (d.build >= 0) {
        cJSON_AddNumberToObject(v, "build", d.build);
        cJSON_AddStringToObject(v, "commit", d.commit);
    }
    if (d.built_with[0]) {
        char *s = wld_str_printable(d.built_with, strlen(d.built_with));
        cJSON_AddStringToObject(v, "built_with", s);
        free(s);
    }
    const char *ended = wld_proc_ending(r);
    wld_fact_proc(v, "run", ended ? ended : d.build < 0 ? "no_version" : "ok", r);
}

/* The build's identity as its tree's build-info.cpp states it: what `--version` would
 * print, read without running the binary. */
static bool version_from_tree(cJSON *facts)
{
    const cJSON *bi = cJSON_GetObjectItemCaseSensitive(facts, "build_info");
    if (wld_fact_num(bi, "build", -1) < 0 || !wld_fact_str(bi, "commit"))
        return false;
    cJSON *v = cJSON_AddObjectToObject(facts, "version");
    cJSON_AddNumberToObject(v, "build", wld_fact_num(bi, "build", 0));
    cJSON_AddStringToObject(v, "commit", wld_fact_str(bi, "commit"));
    if (wld_fact_str(bi, "built_with"))
        cJSON_AddStringToObject(v, "built_with", wld_fact_str(bi, "built_with"));
    cJSON_AddStringToObject(v, "from", wld_fact_str(bi, "file"));
    return true;
}

/* The CUDA backend loaded in the helper, as llama.cpp would, and, when its tree did not
 * say, the binary asked for its version: both at once under the deadline. (llama.devices
 * runs the binary too, with --list-devices; without a build tree the binary runs twice,
 * since llama.cpp answers each of the two options alone and exits.) */
static void probe(const struct wld_gather_ctx *ctx, const char *bin, const char *file, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    /* llama-cpp-python's libllama.so is no program to ask: its version is the dist-info's */
    bool ask_version =
            !version_from_tree(facts) && !cJSON_GetObjectItemCaseSensitive(facts, "python");
    if (!ask_version && !file)
        return;
    char *ld = wld_ldpath_real(h, wld_inventory_ldpath(ctx->inv, true));
    const char *version_argv[] = { bin, "--version", NULL };
    const char *load_argv[] = { "wsl-llm-doctor", WLD_DLOPEN_PROBE_ARG, file, NULL };
    struct wld_proc_spec specs[2] = {
        { .argv = version_argv,
          .fixture_ld_path = ld,
          .timeout_ms = ctx->timeout_ms,
          .out_cap = VERSION_CAP },
        { .argv = load_argv,
          .host_paths = 1u << 2,
          .exec_path = "/proc/self/exe",
          .fixture_ld_path = ld,
          .timeout_ms = ctx->timeout_ms,
          .out_cap = 64 * 1024 },
    };
    struct wld_proc_result r[2];
    struct wld_proc_spec *first = ask_version ? &specs[0] : &specs[1];
    size_t n = (size_t) ask_version + (file != NULL);
    wld_proc_run_many(h, first, ask_version ? r : r + 1, n);
    if (ask_version)
        add_version(h, &r[0], facts);
    if (file) {
        cJSON *load = cJSON_AddObjectToObject(facts, "load");
        cJSON_AddStringToObject(load, "file", file);
        cJSON_AddNumberToObject(load, "deadline_ms", ctx->timeout_ms);
        wld_dlopen_probe_parse(r[1].out.data, load);
        wld_fact_helper(h, load, "helper", &r[1], wld_fact_bool(load, "done", false));
        wld_fact_unroot(h, load);
    }
    if (ask_version)
        wld_proc_result_release(&r[0]);
    if (file)
        wld_proc_result_release(&r[1]);
    free(ld);
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    if (wld_str_is(wld_fact_str(ctx->runtime, "kind"), "ollama")) {
        wld_ollama_gather_build(ctx, facts);
        return 0;
    }
    /* the runtime's build as the run's inventory inspected it, kept as this check's
     * evidence */
    const cJSON *build = cJSON_GetObjectItemCaseSensitive(ctx->runtime, "build"), *e;
    cJSON_ArrayForEach(e, build)
    {
        cJSON_AddItemToObject(facts, e->string, cJSON_Duplicate(e, true));
    }
    if (wld_str_is(wld_fact_str(ctx->runtime, "kind"), "python")) {
        /* what a fix needs to reinstall into that environment */
        static const char *const keep[] = { "prefix", "env_kind", "python", "pip", "version" };
        cJSON *py = cJSON_AddObjectToObject(facts, "python");
        for (size_t i = 0; i < WLD_ARRAY_SIZE(keep); i++)
            if (wld_fact_str(ctx->runtime, keep[i]))
                cJSON_AddStringToObject(py, keep[i], wld_fact_str(ctx->runtime, keep[i]));
    }
    if (!wld_fact_str(facts, "binary"))
        return 0;
    if (!wld_fact_bool(facts, "binary_exists", false))
        return 0;
    const char *mode = wld_fact_str(facts, "cuda");
    const cJSON *file =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(facts, "cuda_files"), 0);
    bool load = mode && (strcmp(mode, "linked") == 0 || strcmp(mode, "module") == 0) && file;
    probe(ctx, wld_fact_str(facts, "binary"), load ? file->valuestring : NULL, facts);
    return 0;
}

/* ---- evaluate ---- */

static void tree_vars(const cJSON *m, struct wld_finding *f)
{
    wld_llama_tree_vars(m, f);
    const char *cache = wld_fact_str(m, "cmake_cache");
    wld_finding_var(f, "cmake_cache", cache ? cache : "");
}

static bool evaluate_cpu_only(const cJSON *m, struct wld_finding *f)
{
    const cJSON *cm = cJSON_GetObjectItemCaseSensitive(m, "cmake");
    const cJSON *other = cJSON_GetObjectItemCaseSensitive(m, "other_backends");
    struct wld_buf b;
    const cJSON *o;
    wld_buf_init(&b, 256);
    cJSON_ArrayForEach(o, other) wld_buf_printf(&b, "%s%s", b.len ? ", " : "", o->valuestring);
    wld_finding_var(f, "other_backends", b.len ? b.data : "none");
    wld_buf_release(&b);
    const char *ggml = wld_fact_str(cm, "GGML_CUDA");
    const char *old = wld_fact_str(cm, "LLAMA_CUBLAS") ? "LLAMA_CUBLAS"
                      : wld_fact_str(cm, "LLAMA_CUDA") ? "LLAMA_CUDA"
                                                       : NULL;
    if (wld_cmake_bool(ggml, false)) {
        wld_finding_outcome(f, "cuda_configured_not_built");
        return true;
    }
    if (!ggml && old && wld_cmake_bool(wld_fact_str(cm, old), false)) {
        wld_finding_var(f, "option", old);
        wld_finding_outcome(f, "old_cuda_option");
        return true;
    }
    wld_finding_var(f, "ggml_cuda", ggml ? ggml : "not set");
    wld_finding_outcome(f, cm ? "cpu_only" : "cpu_only_no_cache");
    return true;
}

static bool evaluate_load(const cJSON *m, struct wld_finding *f, bool module)
{
    const cJSON *load = cJSON_GetObjectItemCaseSensitive(m, "load");
    if (!load)
        return false;
    const cJSON *helper = cJSON_GetObjectItemCaseSensitive(load, "helper");
    const char *state = wld_fact_str(helper, "state");
    const cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(load, "results"), 0);
    wld_finding_var(f, "file", wld_fact_str(load, "file"));
    wld_finding_var_num(f, "deadline_s", wld_fact_num(load, "deadline_ms", 0) / 1000.0);
    if (res && !wld_fact_bool(res, "loaded", false)) {
        const char *error = wld_fact_str(res, "error");
        wld_finding_var(f, "error", error);
        /* the driver's library: no rebuild of llama.cpp brings it */
        if (error && strstr(error, "libcuda.so.1: cannot open shared object file"))
            wld_finding_outcome(f, "driver_lib_missing");
        else
            wld_finding_outcome(f, module ? "module_load_failed" : "cuda_load_failed");
        return true;
    }
    if (state && strcmp(state, "timeout") == 0) {
        wld_finding_outcome(f, "load_hang");
        return true;
    }
    if (!res || (state && strcmp(state, "ok") != 0)) {
        wld_finding_var(f, "state", state ? state : "no answer");
        wld_finding_outcome(f, "load_crashed");
        return true;
    }
    if (module && !wld_fact_bool(res, "ggml_backend_init", false)) {
        wld_finding_outcome(f, "module_not_backend");
        return true;
    }
    return false;
}

/* A CPU-only llama-cpp-python: its own environment's pip reinstalls it, from source with
 * CUDA, or from the prebuilt wheels of the newest CUDA the driver runs (cu121-cu125). */
static void
evaluate_python_cpu(const struct wld_eval_ctx *ctx, const cJSON *py, struct wld_finding *f)
{
    const char *pip = wld_fact_str(py, "pip"), *python = wld_fact_str(py, "python");
    if (pip)
        wld_finding_var(f, "pip", pip);
    else
        wld_finding_varf(f, "pip", "%s -m pip", python ? python : "python3");
    struct wld_gpu_driver drv;
    wld_gpu_driver_of(ctx->facts, &drv);
    unsigned major = 12, minor = 5;
    if (drv.cuda && sscanf(drv.cuda, "%u.%u", &major, &minor) == 2 && major == 12)
        minor = minor < 1 ? 1 : minor > 5 ? 5 : minor;
    else
        minor = 5;
    wld_finding_varf(f, "cu_tag", "cu12%u", minor);
    wld_finding_outcome(f, "python_cpu_only");
}

/* ollama: the backend it will pick on this driver and GPU, and whether that one loads. */
static void evaluate_ollama(const struct wld_eval_ctx *ctx, const cJSON *o, struct wld_finding *f)
{
    const cJSON *backends = cJSON_GetObjectItemCaseSensitive(o, "backends"), *b;
    const char *lib_dir = wld_fact_str(o, "lib_dir");
    wld_finding_var(f, "binary", wld_fact_str(o, "binary"));
    wld_finding_var(f, "lib_dir", lib_dir ? lib_dir : "(none)");
    wld_finding_var(f, "layout", wld_fact_str(o, "layout") ? wld_fact_str(o, "layout") : "none");
    struct wld_buf list;
    wld_buf_init(&list, 256);
    cJSON_ArrayForEach(b, backends)
    {
        wld_buf_printf(&list, "%s%s (CUDA %.0f)", list.len ? ", " : "", wld_fact_str(b, "name"),
                       wld_fact_num(b, "cuda_major", 0));
    }
    wld_finding_var(f, "backends", list.len ? list.data : "none");
    wld_buf_release(&list);
    if (cJSON_GetArraySize(backends) == 0) {
        wld_finding_outcome(f, "ollama_no_cuda");
        return;
    }
    const char *why = NULL, *driver = NULL;
    int i = wld_ollama_choose(ctx->facts, o, &why, &driver);
    wld_finding_var(f, "why", why ? why : "");
    wld_finding_var(f, "driver_cuda", driver ? driver : "unknown");
    /* OLLAMA_LLM_LIBRARY: {value, from}, where the unit or the process set it */
    const cJSON *forced = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(o, "env"), "OLLAMA_LLM_LIBRARY");
    const char *library = wld_fact_str(forced, "value");
    if (i < 0 && library && library[0]) {
        wld_finding_var(f, "library", library);
        wld_finding_var(f, "set_in", wld_fact_str(forced, "from"));
        wld_finding_outcome(f, "ollama_cpu_forced");
        return;
    }
    if (i < 0) {
        /* a backend the driver could run, passed over: the GPU is older than its kernels */
        unsigned dmajor = 0, cc = 0, ccm = 0;
        if (driver)
            sscanf(driver, "%u", &dmajor);
        bool driver_fits = false;
        cJSON_ArrayForEach(b, backends)
        {
            driver_fits |= dmajor > 0 && wld_fact_num(b, "cuda_major", 99) <= dmajor;
        }
        wld_ollama_lowest_cc(ctx->facts, &cc, &ccm);
        if (driver_fits && cc > 0) {
            wld_finding_varf(f, "cc", "%u.%u", cc, ccm);
            wld_finding_varf(f, "sm", "%u%u", cc, ccm);
            wld_finding_outcome(f, "ollama_no_kernel");
        } else {
            wld_finding_outcome(f, "ollama_cpu_fallback");
        }
        return;
    }
    b = cJSON_GetArrayItem(backends, i);
    wld_finding_var(f, "backend", wld_fact_str(b, "name"));
    wld_finding_var_num(f, "backend_cuda", wld_fact_num(b, "cuda_major", 0));
    /* the picked backend judged as a build: its library loads, its runtime */
    cJSON *view = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(b, "build"), true);
    if (!view)
        view = cJSON_CreateObject();
    const cJSON *load = cJSON_GetObjectItemCaseSensitive(b, "load");
    if (load)
        cJSON_AddItemToObject(view, "load", cJSON_Duplicate(load, true));
    const cJSON *file = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(view, "cuda_files"), 0);
    wld_finding_var(f, "cuda_file", cJSON_IsString(file) ? file->valuestring : "");
    if (!cJSON_IsString(file))
        wld_finding_outcome(f, "cuda_lib_unresolved");
    else if (!evaluate_load(view, f, false))
        wld_finding_outcome(f, "ok_ollama");
    cJSON_Delete(view);
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    if (wld_ollama_of(m)) {
        evaluate_ollama(ctx, wld_ollama_of(m), f);
        return;
    }
    const char *bin = wld_fact_str(m, "binary");
    wld_finding_var(f, "binary", bin ? bin : "");
    if (!bin) {
        wld_finding_outcome(f, "no_binary");
        return;
    }
    if (!wld_fact_bool(m, "binary_exists", false)) {
        wld_finding_var(f, "found_by", wld_fact_str(m, "found_by"));
        wld_finding_outcome(f, "binary_missing");
        return;
    }
    tree_vars(m, f);
    const char *elf = wld_fact_str(m, "elf");
    if (elf && strcmp(elf, "ok") != 0) {
        wld_finding_var(f, "elf", elf);
        wld_finding_outcome(f, "not_elf");
        return;
    }
    const char *tree = wld_fact_str(m, "tree");
    if (tree && strcmp(tree, "makefile") == 0) {
        wld_finding_outcome(f, "makefile_build");
        return;
    }
    const char *mode = wld_fact_str(m, "cuda");
    if ((!mode || strcmp(mode, "none") == 0) && cJSON_GetObjectItemCaseSensitive(m, "python")) {
        evaluate_python_cpu(ctx, cJSON_GetObjectItemCaseSensitive(m, "python"), f);
        return;
    }
    if (!mode || strcmp(mode, "none") == 0) {
        evaluate_cpu_only(m, f);
        return;
    }
    const cJSON *file = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "cuda_files"), 0);
    if (!file) {
        wld_finding_outcome(f, "cuda_lib_unresolved");
        return;
    }
    wld_finding_var(f, "cuda_file", file->valuestring);
    if (evaluate_load(m, f, strcmp(mode, "module") == 0))
        return;
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(m, "runtime");
    const char *rt_version = wld_fact_str(rt, "version");
    wld_finding_varf(f, "runtime", "%s%s%s%s", rt ? wld_fact_str(rt, "needed") : "no libcudart",
                     rt_version ? " (" : "", rt_version ? rt_version : "", rt_version ? ")" : "");
    wld_finding_outcome(f, strcmp(mode, "module") == 0   ? "ok_module"
                           : strcmp(mode, "linked") == 0 ? "ok_linked"
                                                         : "ok_builtin");
}

static const char *const outcomes[] = { "ok_linked",
                                        "ok_module",
                                        "ok_builtin",
                                        "no_binary",
                                        "binary_missing",
                                        "not_elf",
                                        "makefile_build",
                                        "cpu_only",
                                        "cpu_only_no_cache",
                                        "old_cuda_option",
                                        "cuda_configured_not_built",
                                        "cuda_lib_unresolved",
                                        "module_load_failed",
                                        "cuda_load_failed",
                                        "driver_lib_missing",
                                        "module_not_backend",
                                        "load_hang",
                                        "load_crashed",
                                        "ok_ollama",
                                        "ollama_no_cuda",
                                        "ollama_cpu_fallback",
                                        "ollama_no_kernel",
                                        "ollama_cpu_forced",
                                        "python_cpu_only",
                                        NULL };

const struct wld_check wld_check_llama_build = {
    .id = "llama.build",
    .title = "llama.cpp build has CUDA",
    .looks_at = "the llama-server binary's ELF dynamic section and the libraries it loads, "
                "CMakeCache.txt, libggml-cuda.so beside the binary (dlopen()ed in a helper "
                "with the probe deadline)",
    .outcomes = outcomes,
    .per_runtime = true,
    .gather = gather,
    .evaluate = evaluate,
};
