/* llama.arch: the CUDA architectures compiled into llama.cpp against each GPU's compute
 * capability.
 *
 * Guards against "no kernel image is available for execution on the device" (a build
 * for another GPU generation, a GGML_NATIVE build copied between machines) and against
 * builds that only carry PTX for the GPU, which the driver JIT-compiles at every cold
 * start and cannot compile at all when the driver is older than the toolkit. The
 * architectures are read from the binary itself (the .nv_fatbin of libggml-cuda.so,
 * wld/fatbin.h), else from CMakeCache.txt; the GPUs from gpu.cuda or --gpu-cc. NVIDIA's
 * rules: a cubin for sm_XY runs on X.Z with Z >= Y; "a" targets (sm_120a) only on exactly
 * X.Y; PTX for compute_XY JIT-compiles for any X.Y or newer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fatbin.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/llama.h"
#include "wld/option.h"
#include "wld/parse.h"
#include "wld/runtimes.h"
#include "wld/settings.h"
#include "wld/version.h"

/* ollama: each CUDA backend's fatbinary, as the build facts of a llama.cpp binary hold it;
 * evaluate() judges the one ollama will pick. */
static void gather_ollama(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const cJSON *b;
    cJSON *list = cJSON_AddArrayToObject(facts, "ollama_backends");
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(ctx->runtime, "backends"))
    {
        const cJSON *build = cJSON_GetObjectItemCaseSensitive(b, "build");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(list, o);
        cJSON_AddStringToObject(o, "name", wld_fact_str(b, "name"));
        static const char *const keep[] = { "binary", "cuda", "runtime" };
        for (size_t i = 0; i < WLD_ARRAY_SIZE(keep); i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(build, keep[i]);
            if (v)
                cJSON_AddItemToObject(o, keep[i], cJSON_Duplicate(v, true));
        }
        /* read once by the inventory, which the pick needs too */
        const cJSON *fb = cJSON_GetObjectItemCaseSensitive(b, "fatbin");
        cJSON_AddItemToObject(o, "fatbin", fb ? cJSON_Duplicate(fb, true) : cJSON_CreateArray());
    }
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_options *o = ctx->opts;
    if (wld_str_is(wld_fact_str(ctx->runtime, "kind"), "ollama"))
        gather_ollama(ctx, facts);
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(ctx->runtime, "build");
    if (wld_fact_str(all, "binary")) {
        static const char *const keep[] = { "binary",     "cuda",      "cmake",        "runtime",
                                            "source_dir", "build_dir", "cuda_compiler" };
        for (size_t i = 0; i < WLD_ARRAY_SIZE(keep); i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(all, keep[i]);
            if (v)
                cJSON_AddItemToObject(facts, keep[i], cJSON_Duplicate(v, true));
        }
        cJSON *list = cJSON_AddArrayToObject(facts, "fatbin");
        const cJSON *file;
        cJSON_ArrayForEach(file, cJSON_GetObjectItemCaseSensitive(all, "cuda_files"))
        {
            wld_fatbin_file_facts(ctx->host, file->valuestring, list);
        }
    }
    if (o && o->gpu_cc) {
        cJSON *cc = cJSON_AddArrayToObject(facts, "gpu_cc_option");
        for (char **c = o->gpu_cc; *c; c++)
            cJSON_AddItemToArray(cc, cJSON_CreateString(*c));
    }
    return 0;
}

/* ---- evaluate ---- */

#define MAX_ARCH 64

struct arch {
    unsigned sm;   /* 86, 120 */
    bool sass;     /* a cubin */
    bool ptx;      /* PTX for the virtual architecture */
    bool specific; /* "a": runs only on exactly this compute capability */
};

struct archs {
    struct arch a[MAX_ARCH];
    size_t n;
    const char *source; /* where the list came from, in words */
    char derived[512];  /* the words, when derive() made the list */
};

static struct arch *arch_of(struct archs *s, unsigned sm)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->a[i].sm == sm)
            return &s->a[i];
    if (s->n >= MAX_ARCH)
        return NULL;
    s->a[s->n] = (struct arch){ .sm = sm };
    return &s->a[s->n++];
}

/* CMAKE_CUDA_ARCHITECTURES: "86;89-real;75-virtual;120a-real". Returns false for values
 * that name no list ("native", "all", "all-major", empty). */
static bool parse_cmake_archs(const char *value, struct archs *s)
{
    char *copy = wld_xstrdup(value ? value : ""), *save = NULL;
    bool any = false;
    for (char *t = strtok_r(copy, "; ", &save); t; t = strtok_r(NULL, "; ", &save)) {
        char *end = NULL;
        unsigned long sm = strtoul(t, &end, 10);
        if (end == t || sm == 0 || sm > 999)
            continue;
        bool specific = *end == 'a';
        if (*end == 'a' || *end == 'f')
            end++;
        struct arch *a = arch_of(s, (unsigned) sm);
        if (!a)
            break;
        a->specific = a->specific || specific;
        a->sass = a->sass || strcmp(end, "-virtual") != 0;
        a->ptx = a->ptx || strcmp(end, "-real") != 0;
        any = true;
    }
    free(copy);
    return any;
}

/* Whether version a ("12.6.85") is at least b ("11.8"); false when either is missing. */
static bool at_least(const char *a, const char *b)
{
    struct wld_version x, y;
    return a && b && wld_version_parse(a, &x, NULL) == 0 && wld_version_parse(b, &y, NULL) == 0 &&
           wld_version_cmp(&x, &y) >= 0;
}

/* When the build recorded no list (no fatbinary read, no CMAKE_CUDA_ARCHITECTURES in the
 * cache), the list llama.cpp chose for it: the GPUs CMake saw, for a GGML_NATIVE build
 * (GGML_NATIVE defaults to ON) with the CUDA and CMake versions of the rules'
 * native_requires (CMakeCUDACompiler.cmake keeps the GPUs), else its documented default
 * for the CUDA version (the rules' default_archs). */
static void derive(const struct wld_eval_ctx *ctx, const cJSON *m, struct archs *s)
{
    const cJSON *cm = cJSON_GetObjectItemCaseSensitive(m, "cmake");
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(m, "cuda_compiler");
    const cJSON *req = wld_param(ctx, "native_requires");
    const char *cuda = wld_fact_str(cm, "CMAKE_CUDA_COMPILER_VERSION");
    if (!cuda)
        cuda = wld_fact_str(cc, "version");
    if (!cuda || !cm)
        return;
    const char *seen = wld_fact_str(cc, "native_archs");
    if (wld_cmake_bool(wld_fact_str(cm, "GGML_NATIVE"), true) &&
        at_least(cuda, wld_fact_str(req, "cuda")) &&
        at_least(wld_fact_str(cc, "cmake_version"), wld_fact_str(req, "cmake")) && seen &&
        parse_cmake_archs(seen, s)) {
        snprintf(s->derived, sizeof(s->derived),
                 "a GGML_NATIVE build: the GPUs CMake saw when it was built, "
                 "CMAKE_CUDA_ARCHITECTURES_NATIVE in %s",
                 wld_fact_str(cc, "file"));
        s->source = s->derived;
        return;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, wld_param(ctx, "default_archs"))
    {
        const char *min = wld_fact_str(e, "min_cuda"), *below = wld_fact_str(e, "below_cuda");
        if ((!min || at_least(cuda, min)) && (!below || !at_least(cuda, below)))
            parse_cmake_archs(wld_fact_str(e, "archs"), s);
    }
    if (s->n > 0) {
        snprintf(s->derived, sizeof(s->derived),
                 "not recorded by the build: llama.cpp's default list for CUDA %s", cuda);
        s->source = s->derived;
    }
}

static void collect(const struct wld_eval_ctx *ctx, const cJSON *m, struct archs *s)
{
    const cJSON *fb, *v;
    struct archs cm = { 0 };
    const char *cmake =
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(m, "cmake"), "CMAKE_CUDA_ARCHITECTURES");
    parse_cmake_archs(cmake, &cm);
    cJSON_ArrayForEach(fb, cJSON_GetObjectItemCaseSensitive(m, "fatbin"))
    {
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fb, "sass"))
        {
            struct arch *a = arch_of(s, (unsigned) v->valuedouble);
            if (a)
                a->sass = true;
        }
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fb, "ptx"))
        {
            struct arch *a = arch_of(s, (unsigned) v->valuedouble);
            if (a)
                a->ptx = true;
        }
    }
    if (s->n > 0) {
        s->source = "read from the binary";
        /* The fatbinary does not say which cubins are "a" targets; the build's list does. */
        for (size_t i = 0; i < s->n; i++)
            for (size_t k = 0; k < cm.n; k++)
                if (cm.a[k].sm == s->a[i].sm && cm.a[k].specific)
                    s->a[i].specific = true;
    } else if (cm.n > 0) {
        *s = cm;
        s->source = "read from CMakeCache.txt";
    } else if (!cmake) {
        derive(ctx, m, s);
    }
}

static void describe(const struct archs *s, struct wld_buf *b)
{
    for (size_t i = 0; i < s->n; i++) {
        const struct arch *a = &s->a[i];
        if (a->sass)
            wld_buf_printf(b, "%ssm_%u%s", b->len ? ", " : "", a->sm, a->specific ? "a" : "");
        if (a->ptx)
            wld_buf_printf(b, "%scompute_%u (PTX)", b->len ? ", " : "", a->sm);
    }
}

enum verdict { RUNS_SASS, RUNS_PTX, NO_IMAGE };

/* How a GPU of compute capability cc (86 for 8.6) runs this build; *via is the arch. */
static enum verdict judge(const struct archs *s, unsigned cc, unsigned *via)
{
    unsigned best_ptx = 0;
    bool have_ptx = false;
    for (size_t i = 0; i < s->n; i++) {
        const struct arch *a = &s->a[i];
        bool same_major = a->sm / 10 == cc / 10 && a->sm % 10 <= cc % 10;
        if (a->sass && (a->specific ? a->sm == cc : same_major)) {
            *via = a->sm;
            return RUNS_SASS;
        }
        if (a->ptx && !a->specific && a->sm <= cc && (!have_ptx || a->sm > best_ptx)) {
            best_ptx = a->sm;
            have_ptx = true;
        }
    }
    *via = best_ptx;
    return have_ptx ? RUNS_PTX : NO_IMAGE;
}

struct gpu {
    char name[128];
    unsigned cc;
};

/* The GPUs to judge: --gpu-cc, else the devices gpu.cuda saw. */
static size_t gpus_of(const struct wld_eval_ctx *ctx, struct gpu *g, size_t max, const char **from)
{
    size_t n = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(ctx->mine, "gpu_cc_option"))
    {
        unsigned major, minor;
        if (n < max && cJSON_IsString(v) && sscanf(v->valuestring, "%u.%u", &major, &minor) == 2) {
            snprintf(g[n].name, sizeof(g[n].name), "the GPU given with --gpu-cc");
            g[n++].cc = major * 10 + minor;
        }
    }
    if (n > 0) {
        *from = "--gpu-cc";
        return n;
    }
    cJSON_ArrayForEach(v,
                       cJSON_GetObjectItemCaseSensitive(wld_facts_of(ctx, "gpu.cuda"), "devices"))
    {
        unsigned major, minor;
        const char *cc = wld_fact_str(v, "cc");
        const char *name = wld_fact_str(v, "name");
        if (n < max && cc && sscanf(cc, "%u.%u", &major, &minor) == 2) {
            snprintf(g[n].name, sizeof(g[n].name), "%s", name ? name : "GPU");
            g[n++].cc = major * 10 + minor;
        }
    }
    *from = "gpu.cuda";
    return n;
}

/* The -DCMAKE_CUDA_ARCHITECTURES value for these GPUs: each compute capability once, as
 * the rules spell it (llama.cpp builds 12.x as the "a" target). */
static void
rebuild_value(const struct wld_eval_ctx *ctx, const struct gpu *g, size_t n, struct wld_buf *b)
{
    const cJSON *spell = wld_param(ctx, "arch_spelling");
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < i; k++)
            dup = dup || g[k].cc == g[i].cc;
        if (dup)
            continue;
        char key[16];
        snprintf(key, sizeof(key), "%u", g[i].cc);
        const char *s = wld_fact_str(spell, key);
        wld_buf_printf(b, "%s%s", b->len ? ";" : "", s ? s : key);
    }
}

static const char *arch_name(const struct wld_eval_ctx *ctx, unsigned cc)
{
    char key[16];
    snprintf(key, sizeof(key), "%u.%u", cc / 10, cc % 10);
    const char *name = wld_fact_str(wld_param(ctx, "architectures"), key);
    return name ? name : "an architecture the rules do not name";
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f);

/* ollama: the backend it will pick, judged as a build (llama.build says when there is
 * none: it then runs on the CPU). */
static void
evaluate_ollama(const struct wld_eval_ctx *ctx, const cJSON *ollama, struct wld_finding *f)
{
    const char *why = NULL, *driver = NULL;
    int i = wld_ollama_choose(ctx->facts, ollama, &why, &driver);
    const cJSON *b =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ctx->mine, "ollama_backends"), i);
    if (i < 0 || !b) {
        wld_finding_outcome(f, "no_cuda_build");
        return;
    }
    cJSON *view = cJSON_Duplicate(b, true);
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(ctx->mine, "gpu_cc_option");
    if (cc)
        cJSON_AddItemToObject(view, "gpu_cc_option", cJSON_Duplicate(cc, true));
    struct wld_eval_ctx sub = *ctx;
    sub.mine = view;
    evaluate(&sub, f);
    wld_finding_var(f, "backend", wld_fact_str(b, "name"));
    cJSON_Delete(view);
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    const cJSON *ollama = wld_ollama_of(wld_facts_of(ctx, "llama.build"));
    if (ollama && cJSON_GetObjectItemCaseSensitive(m, "ollama_backends")) {
        evaluate_ollama(ctx, ollama, f);
        return;
    }
    const char *mode = wld_fact_str(m, "cuda");
    if (!wld_fact_str(m, "binary") || !mode || strcmp(mode, "none") == 0) {
        wld_finding_outcome(f, "no_cuda_build");
        return;
    }
    wld_llama_tree_vars(m, f);
    struct archs s = { 0 };
    collect(ctx, m, &s);
    struct wld_buf built;
    wld_buf_init(&built, 1024);
    describe(&s, &built);
    wld_finding_var(f, "built", built.len ? built.data : "nothing");
    wld_finding_var(f, "arch_source", s.source ? s.source : "read from nothing");
    wld_buf_release(&built);
    const char *cmake =
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(m, "cmake"), "CMAKE_CUDA_ARCHITECTURES");
    wld_finding_var(f, "cmake_archs", cmake ? cmake : "not set");
    struct gpu g[16];
    const char *from = NULL;
    size_t ng = gpus_of(ctx, g, WLD_ARRAY_SIZE(g), &from);
    if (s.n == 0) {
        wld_finding_outcome(f, "archs_unknown");
        return;
    }
    if (ng == 0) {
        wld_finding_outcome(f, "no_gpu");
        return;
    }
    struct wld_buf fix;
    wld_buf_init(&fix, 256);
    rebuild_value(ctx, g, ng, &fix);
    wld_finding_var(f, "rebuild_archs", fix.data);
    wld_buf_release(&fix);
    wld_finding_var(f, "gpu_source", from);
    /* the worst GPU decides: no image, then PTX only, then SASS */
    enum verdict worst = RUNS_SASS;
    size_t wi = 0;
    unsigned wvia = 0;
    for (size_t i = 0; i < ng; i++) {
        unsigned via = 0;
        enum verdict v = judge(&s, g[i].cc, &via);
        if (i == 0 || v > worst) {
            worst = v;
            wi = i;
            wvia = via;
        }
    }
    wld_finding_var(f, "gpu", g[wi].name);
    wld_finding_varf(f, "cc", "%u.%u", g[wi].cc / 10, g[wi].cc % 10);
    wld_finding_var(f, "arch", arch_name(ctx, g[wi].cc));
    wld_finding_var_num(f, "gpus", (double) ng);
    if (worst == NO_IMAGE) {
        wld_finding_outcome(f, "no_kernel_image");
        return;
    }
    if (worst == RUNS_SASS) {
        wld_finding_varf(f, "via", "sm_%u", wvia);
        wld_finding_outcome(f, wvia == g[wi].cc ? "ok" : "ok_compatible");
        return;
    }
    wld_finding_varf(f, "via", "compute_%u", wvia);
    struct wld_gpu_driver drv;
    char buf[16];
    wld_gpu_driver_of(ctx->facts, &drv);
    const char *built_with = wld_llama_cuda_version(m, true, NULL, buf, sizeof(buf));
    wld_finding_var(f, "build_cuda", built_with ? built_with : "unknown");
    wld_finding_var(f, "driver_cuda", drv.cuda ? drv.cuda : "unknown");
    /* PTX from a newer toolkit than the driver supports cannot be compiled by it */
    if (wld_cuda_newer(built_with, drv.cuda)) {
        wld_finding_outcome(f, "ptx_too_new");
        return;
    }
    wld_finding_outcome(f, "ptx_jit");
}

static const char *const outcomes[] = { "ok",          "ok_compatible",   "ptx_jit",
                                        "ptx_too_new", "no_kernel_image", "no_cuda_build",
                                        "no_gpu",      "archs_unknown",   NULL };
static const char *const params[] = { "architectures", "arch_spelling", "default_archs",
                                      "native_requires", NULL };
static const char *const needs[] = { "gpu.cuda", "gpu.driver", NULL };

/* --gpu-cc 8.6 or 8.6,8.9: compute capabilities as "major.minor", major 1-99, minor 0-9. */
static int set_gpu_cc(struct wld_options *o, const char *value, char **err)
{
    char *copy = wld_xstrdup(value), *save = NULL;
    int r = 0;
    wld_strv_free(o->gpu_cc);
    o->gpu_cc = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned major, minor;
        char tail;
        if (sscanf(t, "%u.%u%c", &major, &minor, &tail) != 2 || major < 1 || major > 99 ||
            minor > 9) {
            r = wld_errorf(err, -EINVAL, "--gpu-cc: '%s' is not a compute capability like 8.6", t);
            break;
        }
        o->gpu_cc = wld_strv_push(o->gpu_cc, t);
    }
    if (r == 0 && !o->gpu_cc)
        r = wld_errorf(err, -EINVAL, "--gpu-cc: give a compute capability like 8.6");
    free(copy);
    return r;
}

/* the command line's options that only this check reads */
static const struct wld_cli_option options[] = {
    { "gpu-cc", 0, "X.Y,...", WLD_VAL_NUMBER, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_KEEP,
      "judge llama.arch for these compute capabilities", WLD_OPT_CALL(set_gpu_cc) },
};

const struct wld_check wld_check_llama_arch = {
    .id = "llama.arch",
    .title = "CUDA architectures of the llama.cpp build",
    .looks_at = "the .nv_fatbin section of libggml-cuda.so (or the binary), "
                "CMAKE_CUDA_ARCHITECTURES in CMakeCache.txt, each GPU's compute capability "
                "from gpu.cuda or --gpu-cc",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .gather = gather,
    .per_runtime = true,
    .evaluate = evaluate,
    .options = options,
    .n_options = WLD_ARRAY_SIZE(options),
};
