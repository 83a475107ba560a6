/* A read log judged (see wld/logdiag.h). The signatures are rules data; what is computed
 * here: the conditions and observations they name, the values their texts use, and the
 * fit arithmetic behind an out-of-memory fix (wld_fit_advise_measured). */
#include "wld/logdiag.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/fit.h"
#include "wld/gguf.h"
#include "wld/logpattern.h"
#include "wld/rules.h"
#include "wld/util.h"

#define MIB (1024.0 * 1024.0)

static void var(cJSON *v, const char *k, const char *s)
{
    if (cJSON_GetObjectItemCaseSensitive(v, k))
        cJSON_DeleteItemFromObjectCaseSensitive(v, k);
    char *fixed = wld_utf8_fix(s, true);
    cJSON_AddStringToObject(v, k, fixed);
    free(fixed);
}

static void varf(cJSON *v, const char *k, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void varf(cJSON *v, const char *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = wld_xvasprintf(fmt, ap);
    va_end(ap);
    var(v, k, s);
    free(s);
}

/* ---- conditions and observations ---- */

static bool cuda_device(const struct wld_log_facts *f)
{
    for (int i = 0; i < f->n_dev; i++)
        if (wld_str_starts(f->dev[i].name, "CUDA") || f->dev[i].cc_major >= 0)
            return true;
    for (int i = 0; i < f->n_compute; i++)
        if (wld_str_eq_nocase(f->compute[i].library, "cuda"))
            return true;
    return f->cuda_found > 0;
}

static bool legacy_log(const struct wld_log_facts *f)
{
    if (f->legacy_cublas)
        return true;
    for (int i = 0; i < f->n_err; i++)
        if (f->err[i].where[0] && !f->err[i].function[0] && strstr(f->err[i].where, "ggml-cuda.cu"))
            return true; /* "CUDA error N at ggml-cuda.cu:L": the 2023 form */
    return false;
}

/* Whether ollama's "inference compute" lines name anything but the CPU. */
static bool ollama_gpu_found(const struct wld_log_facts *f)
{
    for (int i = 0; i < f->n_compute; i++)
        if (!wld_str_eq_nocase(f->compute[i].library, "cpu"))
            return true;
    return false;
}

/* Whether a "Dynamic LLM libraries" list ("cpu cpu_avx2 cuda_v12", "cpu, cuda_v11") holds a
 * runner for a GPU: every runner but the cpu ones is one (cuda_v12, rocm_v6, ...). */
static bool ollama_gpu_runner(const char *runners)
{
    for (const char *p = runners; *p;) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, " ,");
        if (n && strncmp(p, "cpu", 3) != 0)
            return true;
        p += n;
    }
    return false;
}

static bool condition(const struct wld_log_facts *f, const char *name)
{
    if (wld_str_is(name, "origin_windows"))
        return f->origin_windows > 0 && f->origin_wsl == 0;
    if (wld_str_is(name, "origin_wsl"))
        return f->origin_wsl > 0;
    if (wld_str_is(name, "origin_native"))
        return f->origin_linux > 0 && f->origin_wsl == 0 && f->origin_windows == 0;
    if (wld_str_is(name, "cuda_device"))
        return cuda_device(f);
    if (wld_str_is(name, "cuda_backend_loaded")) {
        for (int i = 0; i < f->n_backend; i++)
            if (f->backend[i].loaded && strcmp(f->backend[i].name, "CUDA") == 0)
                return true;
        return cuda_device(f);
    }
    if (wld_str_is(name, "legacy_cuda_log"))
        return legacy_log(f);
    if (wld_str_is(name, "ollama"))
        return f->ollama;
    return false;
}

static int min_arch(const struct wld_log_facts *f)
{
    int m = 0;
    for (int i = 0; i < f->n_archs; i++)
        if (!m || f->archs[i] < m)
            m = f->archs[i];
    return m;
}

/* A device's compute capability on the scale of floor: ggml's __CUDA_ARCH_LIST__ (and so
 * system_info's ARCHS) counts 7.5 as 750, CMake's architectures count it as 75. */
static int cc_scaled(const struct wld_log_device *d, int floor)
{
    return floor >= 300 ? d->cc_major * 100 + d->cc_minor * 10 : d->cc_major * 10 + d->cc_minor;
}

/* The first device below what was compiled, or NULL. */
static const struct wld_log_device *device_below(const struct wld_log_facts *f, int floor)
{
    for (int i = 0; i < f->n_dev; i++) {
        const struct wld_log_device *d = &f->dev[i];
        if (d->cc_major >= 0 && floor > 0 && cc_scaled(d, floor) < floor)
            return d;
    }
    return NULL;
}

struct obs {
    bool on;
    long lines[4];
    int n_lines;
};

static void obs_line(struct obs *o, long line)
{
    if (line > 0 && o->n_lines < 4)
        o->lines[o->n_lines++] = line;
}

/* Whether a build's code list ("compute_50 (PTX), sm_86, sm_89") runs on compute
 * capability maj.min: a cubin of the same major and a minor not above it, or PTX of an
 * architecture not above it (NVIDIA's binary compatibility rules). */
static bool built_covers(const char *built, int maj, int min)
{
    int cc = maj * 10 + min;
    for (const char *p = built; (p = strpbrk(p, "sc")) != NULL; p++) {
        int a;
        if (wld_str_starts(p, "sm_") && sscanf(p + 3, "%d", &a) == 1 && a / 10 == maj &&
            a % 10 <= min)
            return true;
        if (wld_str_starts(p, "compute_") && sscanf(p + 8, "%d", &a) == 1 && a <= cc &&
            strstr(p, "PTX") && (!strchr(p, ',') || strstr(p, "PTX") < strchr(p, ',')))
            return true;
    }
    return false;
}

/* dotted versions: <0, 0, >0 */
static int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        char *ea, *eb;
        long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (ea == a || eb == b)
            return 0;
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
        if (!*ea || !*eb)
            return (*ea != 0) - (*eb != 0);
    }
    return 0;
}

const char *const wld_log_host_checks[] = { "llama.arch", "llama.build", "gpu.driver", NULL };

/* A claim of the log held to what wld_log_host_checks saw of this host. */
static struct obs
observe_host(const struct wld_log_facts *f, const char *name, const cJSON *host, cJSON *vars)
{
    struct obs o = { 0 };
    if (!host)
        return o;
    if (wld_str_is(name, "host_arch_missing")) {
        const cJSON *arch = cJSON_GetObjectItemCaseSensitive(host, "llama.arch");
        const char *built = wld_fact_str(arch, "built");
        for (int i = 0; built && i < f->n_dev && !o.on; i++) {
            const struct wld_log_device *d = &f->dev[i];
            if (d->cc_major < 0 || built_covers(built, d->cc_major, d->cc_minor))
                continue;
            o.on = true;
            obs_line(&o, d->line);
            var(vars, "device", d->desc[0] ? d->desc : d->name);
            varf(vars, "cc", "%d.%d", d->cc_major, d->cc_minor);
            varf(vars, "cc_archs", "%d%d", d->cc_major, d->cc_minor);
            var(vars, "host_built", built);
            /* judged per runtime: the llama.cpp build's binary */
            const cJSON *rt = wld_runtime_facts(arch, "llama.cpp", NULL);
            const char *bin = wld_fact_str(rt ? rt : arch, "binary");
            var(vars, "host_binary", bin ? bin : "this host's llama.cpp");
        }
    } else if (wld_str_is(name, "host_build_differs")) {
        const cJSON *build = wld_runtime_facts(
                cJSON_GetObjectItemCaseSensitive(host, "llama.build"), "llama.cpp", NULL);
        const cJSON *ver = cJSON_GetObjectItemCaseSensitive(build, "version");
        long long hb = wld_fact_int(ver, "build", 0, 100000000, -1);
        if (f->build >= 0 && hb >= 0 && hb != f->build) {
            o.on = true;
            obs_line(&o, f->build_line);
            varf(vars, "host_build", "%lld (%s)", hb,
                 wld_fact_str(ver, "commit") ? wld_fact_str(ver, "commit") : "?");
            const char *bin = wld_fact_str(build, "binary");
            var(vars, "host_binary", bin ? bin : "this host's llama.cpp");
        }
    } else if (wld_str_is(name, "host_driver_newer")) {
        const char *hd =
                wld_fact_str(cJSON_GetObjectItemCaseSensitive(host, "gpu.driver"), "driver");
        if (f->driver[0] && hd && version_cmp(f->driver, hd) < 0) {
            o.on = true;
            obs_line(&o, f->driver_line);
            var(vars, "log_driver", f->driver);
            var(vars, "host_driver", hd);
        }
    }
    return o;
}

static struct obs observe(const struct wld_log_facts *f, const char *name, const cJSON *params)
{
    struct obs o = { 0 };
    if (wld_str_is(name, "offload_zero")) {
        if (f->offload_of > 0 && f->offloaded == 0) {
            o.on = true;
            obs_line(&o, f->offload_line);
        } else if (f->o_layers_model > 0 && f->o_layers_offload == 0) {
            o.on = true;
            obs_line(&o, f->o_offload_line);
        }
    } else if (wld_str_is(name, "offload_partial")) {
        if (f->offload_of > 0 && f->offloaded > 0 && f->offloaded < f->offload_of) {
            o.on = true;
            obs_line(&o, f->offload_line);
        }
    } else if (wld_str_is(name, "ollama_offload_partial")) {
        if (f->o_layers_model > 0 && f->o_layers_offload > 0 &&
            f->o_layers_offload < f->o_layers_model) {
            o.on = true;
            obs_line(&o, f->o_offload_line);
        }
    } else if (wld_str_is(name, "ollama_cpu")) {
        if (f->n_compute > 0 && !ollama_gpu_found(f)) {
            o.on = true;
            obs_line(&o, f->compute[0].line);
        }
    } else if (wld_str_is(name, "ollama_cpu_runner")) {
        if (wld_str_starts(f->ollama_runner, "cpu") && f->cmd_ngl > 0) {
            o.on = true;
            obs_line(&o, f->ollama_runner_line);
        }
    } else if (wld_str_is(name, "ollama_no_gpu_runner")) {
        if (ollama_gpu_found(f) && f->ollama_runners[0] && !ollama_gpu_runner(f->ollama_runners)) {
            o.on = true;
            obs_line(&o, f->ollama_runners_line);
        }
    } else if (wld_str_is(name, "bench_cpu_offload")) {
        /* llama-bench asked for GPU layers and ran on the CPU backend alone */
        const char *b = f->bench_backend;
        if (f->bench_line && f->bench_ngl > 0 &&
            (strcmp(b, "CPU") == 0 || strcmp(b, "BLAS") == 0 || strcmp(b, "CPU,BLAS") == 0)) {
            o.on = true;
            obs_line(&o, f->bench_line);
        }
    } else if (wld_str_is(name, "model_on_windows_drive")) {
        const char *p = f->model_path;
        if (wld_str_starts(p, "/mnt/") && p[5] >= 'a' && p[5] <= 'z' && p[6] == '/') {
            o.on = true;
            obs_line(&o, f->model_line);
        }
    } else if (wld_str_is(name, "startup_not_logged")) {
        const char *names[4];
        if (wld_log_not_shown(f, names) > 0) {
            o.on = true;
            obs_line(&o, f->verbosity_line);
        }
    } else if (wld_str_is(name, "cc_below_archs")) {
        const struct wld_log_device *d = device_below(f, min_arch(f));
        if (d) {
            o.on = true;
            obs_line(&o, d->line);
            obs_line(&o, f->archs_line);
        }
    } else if (wld_str_is(name, "cc_below_legacy_default")) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(params, "legacy_min_arch"), "value");
        const struct wld_log_device *d = f->n_archs == 0 && legacy_log(f) && cJSON_IsNumber(v)
                                                 ? device_below(f, v->valueint)
                                                 : NULL;
        if (d) {
            o.on = true;
            obs_line(&o, d->line);
        }
    }
    return o;
}

/* ---- the values a signature's texts use ---- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/'), *b = strrchr(path, '\\');
    if (b && (!s || b > s))
        s = b;
    return s ? s + 1 : path;
}

/* The devices named with their compute capability; the archs to build for ("61;89"). */
static void device_vars(const struct wld_log_facts *f, cJSON *v)
{
    struct wld_buf names, archs;
    wld_buf_init(&names, 1024);
    wld_buf_init(&archs, 256);
    const struct wld_log_device *first = NULL;
    for (int i = 0; i < f->n_dev; i++) {
        const struct wld_log_device *d = &f->dev[i];
        if (!first && !d->cpu && (d->cc_major >= 0 || d->desc[0]))
            first = d;
        if (d->cc_major < 0)
            continue;
        char a[16];
        snprintf(a, sizeof(a), "%d%d", d->cc_major, d->cc_minor);
        if (!strstr(archs.data ? archs.data : "", a)) {
            if (archs.len)
                wld_buf_puts(&archs, ";");
            wld_buf_puts(&archs, a);
        }
        wld_buf_printf(&names, "%s%s (compute capability %d.%d)", names.len ? ", " : "",
                       d->desc[0] ? d->desc : d->name, d->cc_major, d->cc_minor);
    }
    if (!first && f->n_compute > 0 && f->compute[0].name[0]) {
        var(v, "device", f->compute[0].name);
        if (f->compute[0].compute[0]) {
            var(v, "cc", f->compute[0].compute);
            int ma, mi;
            if (sscanf(f->compute[0].compute, "%d.%d", &ma, &mi) == 2)
                varf(v, "cc_archs", "%d%d", ma, mi);
        }
    }
    if (first) {
        var(v, "device", first->desc[0] ? first->desc : first->name);
        var(v, "device_name", first->name[0] ? first->name : "CUDA0");
        if (first->cc_major >= 0)
            varf(v, "cc", "%d.%d", first->cc_major, first->cc_minor);
        if (first->free_mib >= 0)
            varf(v, "free_mib", "%.0f MiB", first->free_mib);
        if (first->total_mib >= 0)
            varf(v, "vram", "%.0f MiB", first->total_mib);
    }
    if (archs.len) {
        var(v, "cc_archs", archs.data);
        /* "86;89" -> "86-real;89-real": SASS for each, no PTX to JIT */
        struct wld_buf real;
        wld_buf_init(&real, 512);
        for (const char *p = archs.data; *p;) {
            size_t n = strcspn(p, ";");
            wld_buf_printf(&real, "%s%.*s-real", real.len ? ";" : "", (int) n, p);
            p += n + (p[n] == ';');
        }
        var(v, "cc_archs_real", real.data);
        wld_buf_release(&real);
    }
    if (names.len)
        var(v, "devices", names.data);
    wld_buf_release(&names);
    wld_buf_release(&archs);
}

static double sum_buffers(const struct wld_log_facts *f, const char *kind, bool gpu)
{
    double s = 0;
    for (int i = 0; i < f->n_buf; i++) {
        const struct wld_log_buffer *b = &f->buf[i];
        bool on_gpu = wld_str_starts(b->device, "CUDA") && !strstr(b->device, "Host");
        if (strcmp(b->kind, kind) == 0 && on_gpu == gpu)
            s += b->mib;
    }
    return s;
}

static double free_vram_mib(const struct wld_log_facts *f)
{
    double s = 0;
    bool any = false;
    for (int i = 0; i < f->n_dev; i++) {
        const struct wld_log_device *d = &f->dev[i];
        if (d->cpu)
            continue;
        if (d->free_mib >= 0) {
            s += d->free_mib;
            any = true;
        } else if (d->total_mib >= 0) {
            s += d->total_mib;
            any = true;
        }
    }
    return any ? s : -1;
}

/* The fix an out-of-memory log's own figures give: which -ngl, -c or cache type fits. */
static void fit_vars(const struct wld_log_facts *f, cJSON *v)
{
    struct wld_fit_measured m = { 0 };
    double free_mib = free_vram_mib(f);
    double weights = sum_buffers(f, "model", true);
    if (weights <= 0 && f->alloc_fail_mib > 0 && !wld_str_is(f->alloc_fail_kind, "compute") &&
        !wld_str_is(f->alloc_fail_kind, "kv"))
        weights = f->alloc_fail_mib;
    double kv = sum_buffers(f, "kv", true);
    if (kv <= 0 && f->kv_mib > 0)
        kv = f->kv_mib;
    /* before the context was made (a failed model load): the context asked for (-c) */
    int n_ctx = f->n_ctx > 0 ? f->n_ctx : f->cmd_ctx;
    if (kv <= 0 && n_ctx > 0 && f->n_layer > 0 && f->n_embd_k_gqa > 0 && f->n_embd_v_gqa > 0)
        kv = (double) n_ctx * f->n_layer * (f->n_embd_k_gqa + f->n_embd_v_gqa) * 2.0 / MIB;
    m.vram_free = free_mib > 0 ? (uint64_t) (free_mib * MIB) : 0;
    m.gpu_weights = weights > 0 ? (uint64_t) (weights * MIB) : 0;
    m.layers_gpu = f->offloaded > 0 ? (uint32_t) f->offloaded : 0;
    m.layers_total = f->offload_of > 0 ? (uint32_t) f->offload_of : 0;
    m.kv = kv > 0 ? (uint64_t) (kv * MIB) : 0;
    m.n_ctx = n_ctx > 0 ? (uint32_t) n_ctx : 0;
    m.type_k = f->type_k[0] ? wld_ggml_cache_type(f->type_k) : WLD_GGML_F16;
    m.compute = (uint64_t) (sum_buffers(f, "compute", true) * MIB);
    struct wld_fit_advice a;
    wld_fit_advise_measured(&m, &a);
    struct wld_buf b;
    wld_buf_init(&b, 1024);
    if (m.vram_free && m.gpu_weights && m.layers_gpu) {
        wld_buf_printf(
                &b, "From the log's own figures (%.0f MiB free, %.0f MiB of weights for %u layers",
                free_mib, weights, m.layers_gpu);
        if (m.kv)
            wld_buf_printf(&b, ", %.0f MiB of KV cache at %u context", kv, m.n_ctx);
        wld_buf_puts(&b, "): ");
        if (a.max_ngl >= (int) m.layers_total)
            wld_buf_printf(&b,
                           "all %u layers should fit; something else held the GPU's memory "
                           "(another process: `nvidia-smi`)",
                           m.layers_total);
        else if (a.max_ngl > 0)
            wld_buf_printf(&b, "`-ngl %d` (of %u) fits", a.max_ngl, m.layers_total);
        else
            wld_buf_puts(&b, "not even one layer fits beside the compute buffer");
        if (a.max_ctx > 0 && a.max_ngl < (int) m.layers_total)
            wld_buf_printf(&b, "; or keep every layer with `-c %u`", a.max_ctx);
        if (a.kv_type >= 0 && a.max_ngl < (int) m.layers_total)
            wld_buf_printf(&b, "; or `-ctk %s -ctv %s` (needs `-fa on` for V)",
                           wld_ggml_type(a.kv_type)->name, wld_ggml_type(a.kv_type)->name);
        wld_buf_puts(&b, ".");
    } else {
        wld_buf_puts(&b, "Lower `-ngl` until it loads (llama.cpp prints each device's free memory "
                         "and buffer sizes with `-v`), or lower `-c`, or use a smaller quant.");
    }
    var(v, "fit_advice", b.data);
    wld_buf_release(&b);
}

/* ollama's own offload figures: what the partial offload costs, what would fit. */
static void ollama_vars(const struct wld_log_facts *f, cJSON *v)
{
    if (f->o_layers_model <= 0)
        return;
    varf(v, "ollama_layers", "%d/%d", f->o_layers_offload, f->o_layers_model);
    struct wld_buf b;
    wld_buf_init(&b, 1024);
    if (f->o_available_gib > 0 && f->o_weights_gib > 0) {
        double graph = f->o_graph_gib > 0 ? f->o_graph_gib : 0;
        double need = f->o_weights_gib + graph;
        wld_buf_printf(
                &b, "%.1f GiB of weights and %.1f GiB of compute graph against %.1f GiB available",
                f->o_weights_gib, graph, f->o_available_gib);
        if (need > f->o_available_gib)
            wld_buf_puts(&b, ": even with no context the whole model does not fit; use a smaller "
                             "quantization or accept the split");
        else if (f->o_kv_gib > 0) {
            double room = f->o_available_gib - need;
            double share = room / f->o_kv_gib;
            wld_buf_printf(&b, "; the KV cache takes %.1f GiB", f->o_kv_gib);
            if (share < 1 && f->o_num_ctx > 0)
                wld_buf_printf(&b, ": num_ctx %d would fit (now %d)",
                               (int) (f->o_num_ctx * share) / 256 * 256, f->o_num_ctx);
            else if (share < 1)
                wld_buf_printf(&b, ": about %.0f%% of this context would fit", share * 100);
        }
    } else {
        wld_buf_puts(&b, "ollama's figures are incomplete in this paste");
    }
    var(v, "ollama_fit", b.data);
    wld_buf_release(&b);
}

static void common_vars(const struct wld_log_facts *f, cJSON *v)
{
    var(v, "origin", wld_log_origin(f));
    var(v, "program", f->program[0] ? f->program : f->ollama ? "ollama" : "llama.cpp");
    var(v, "device", "the GPU");
    var(v, "device_name", "CUDA0");
    var(v, "cc", "?");
    var(v, "cc_archs", "native");
    var(v, "cc_archs_real", "native");
    var(v, "devices", "(no device listed)");
    device_vars(f, v);
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(v, "cc");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(v, "device");
    if (wld_str_is(cc->valuestring, "?"))
        var(v, "device_cc", "the GPU (its compute capability is not in the log)");
    else
        varf(v, "device_cc", "%s (compute capability %s)", dev->valuestring, cc->valuestring);
    if (f->build >= 0)
        varf(v, "build", "%d (%s)", f->build, f->commit);
    else
        var(v, "build", "unknown");
    const char *model = f->model_path[0] ? f->model_path : "";
    var(v, "model_path", model[0] ? model : "the model");
    var(v, "model", model[0] ? base_name(model) : "the model");
    var(v, "arch", f->arch[0] ? f->arch : "?");
    var(v, "quant", f->ftype[0] ? f->ftype : "?");
    var(v, "layers", "?");
    var(v, "layers_total", "?");
    if (f->offload_of > 0) {
        varf(v, "layers", "%d", f->offloaded);
        varf(v, "layers_total", "%d", f->offload_of);
    } else if (f->o_layers_model > 0) {
        varf(v, "layers", "%d", f->o_layers_offload);
        varf(v, "layers_total", "%d", f->o_layers_model);
    }
    if (f->cmd_ngl != -1)
        varf(v, "ngl", "%d", f->cmd_ngl);
    else
        var(v, "ngl", "(not shown)");
    if (f->verbosity >= 0)
        varf(v, "verbosity", "%d", f->verbosity);
    if (f->n_ctx > 0)
        varf(v, "n_ctx", "%d", f->n_ctx);
    else
        var(v, "n_ctx", "?");
    if (f->n_archs > 0) {
        struct wld_buf b;
        wld_buf_init(&b, 256);
        for (int i = 0; i < f->n_archs; i++)
            wld_buf_printf(&b, "%s%d", i ? "," : "", f->archs[i]);
        var(v, "archs", b.data);
        wld_buf_release(&b);
    }
    if (f->alloc_fail_line) {
        varf(v, "alloc_what", "%.0f MiB for the %s buffer on %s", f->alloc_fail_mib,
             f->alloc_fail_kind[0] ? f->alloc_fail_kind : "model", f->alloc_fail_device);
    } else {
        var(v, "alloc_what", "the size is not in the log");
    }
    const struct wld_log_error *e = f->n_err ? &f->err[0] : NULL;
    var(v, "error_code", e && e->code >= 0 ? "" : "?");
    if (e && e->code >= 0)
        varf(v, "error_code", "%d", e->code);
    var(v, "error_call", e && e->call[0] ? e->call : e && e->function[0] ? e->function : "?");
    var(v, "error_at", e && e->where[0] ? e->where : "?");
    for (int i = 0; i < f->n_backend; i++)
        if (!f->backend[i].loaded) {
            var(v, "backend_path", f->backend[i].path);
            var(v, "backend_error", f->backend[i].why);
            break;
        }
    var(v, "ollama_runner", f->ollama_runner[0] ? f->ollama_runner : "?");
    var(v, "ollama_runners", f->ollama_runners[0] ? f->ollama_runners : "?");
    if (f->bench_line) {
        var(v, "bench_backend", f->bench_backend);
        varf(v, "bench_ngl", "%d", f->bench_ngl);
    }
    if (f->n_compute > 0) {
        var(v, "ollama_library", f->compute[0].library);
        var(v, "ollama_driver", f->compute[0].driver[0] ? f->compute[0].driver : "?");
    }
    fit_vars(f, v);
    ollama_vars(f, v);
}

/* What a file's first four bytes say it is, for a "invalid magic" line: the number as
 * llama.cpp prints it (a little-endian uint32 in hex) or the characters. */
static void magic_vars(cJSON *v)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "magic");
    if (!cJSON_IsString(m))
        return;
    const char *s = m->valuestring;
    char bytes[5] = "";
    unsigned long x;
    char *e;
    if (strlen(s) == 8 && (x = strtoul(s, &e, 16), *e == '\0'))
        for (int i = 0; i < 4; i++)
            bytes[i] = (char) ((x >> (8 * i)) & 0xff);
    else
        snprintf(bytes, sizeof(bytes), "%.4s", s);
    char shown[16];
    size_t w = 0;
    for (int i = 0; i < 4 && bytes[i]; i++)
        shown[w++] = bytes[i] >= 0x20 && bytes[i] < 0x7f ? bytes[i] : '.';
    shown[w] = '\0';
    const char *means, *fix;
    if (strcmp(bytes, "vers") == 0) {
        means = "a Git LFS pointer (\"version https://git-lfs...\"), not the model";
        fix = "Fetch the real file: `git lfs install && git lfs pull` in the clone, or download it "
              "with `huggingface-cli download REPO FILE`.";
    } else if (strcmp(bytes, "tjgg") == 0 || strcmp(bytes, "lmgg") == 0 ||
               strcmp(bytes, "fmgg") == 0 || strcmp(bytes, "algg") == 0) {
        means = "an old GGML/GGJT file from before GGUF (August 2023)";
        fix = "Download the model's GGUF version, or convert it with llama.cpp's "
              "convert_llama_ggml_to_gguf.py.";
    } else if (bytes[0] == '<') {
        means = "an HTML page: the download saved a web page";
        fix = "Download it again from the file's direct link (Hugging Face: "
              ".../resolve/main/FILE.gguf, not .../blob/...).";
    } else {
        means = "not a model file's";
        fix = "Point -m at a .gguf file, or download the model again.";
    }
    char *text = wld_xasprintf("\"%s\", %s", shown, means);
    var(v, "magic_means", text);
    free(text);
    var(v, "magic_fix", fix);
}

/* ---- findings ---- */

static bool list_holds(const struct wld_log_facts *f, const cJSON *list, bool want)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        if (cJSON_IsString(c) && condition(f, c->valuestring) != want)
            return false;
    }
    return true;
}

static void add_line(struct wld_log_finding *x, long line)
{
    if (line <= 0)
        return;
    for (int i = 0; i < x->n_lines; i++)
        if (x->lines[i] == line)
            return;
    if (x->n_lines < WLD_LOG_MAX_LINES)
        x->lines[x->n_lines++] = line;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* the facts a signature names in "evidence" add their lines */
static void
evidence_lines(const struct wld_log_facts *f, const cJSON *names, struct wld_log_finding *x)
{
    const cJSON *n;
    cJSON_ArrayForEach(n, names)
    {
        const char *k = cJSON_IsString(n) ? n->valuestring : "";
        if (strcmp(k, "device") == 0)
            for (int i = 0; i < f->n_dev && i < 4; i++)
                add_line(x, f->dev[i].line);
        else if (strcmp(k, "build") == 0)
            add_line(x, f->build_line);
        else if (strcmp(k, "model") == 0)
            add_line(x, f->model_line);
        else if (strcmp(k, "offload") == 0)
            add_line(x, f->offload_line ? f->offload_line : f->o_offload_line);
        else if (strcmp(k, "alloc") == 0)
            add_line(x, f->alloc_fail_line);
        else if (strcmp(k, "command") == 0)
            add_line(x, f->command_line);
        else if (strcmp(k, "archs") == 0)
            add_line(x, f->archs_line);
        else if (strcmp(k, "ctx") == 0)
            add_line(x, f->ctx_line);
    }
}

/* whether one of the signatures named came out as a finding already */
static bool found_already(const struct wld_log_report *r, const cJSON *names)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, names)
    {
        for (size_t i = 0; i < r->n; i++)
            if (cJSON_IsString(c) && strcmp(r->findings[i].signature, c->valuestring) == 0)
                return true;
    }
    return false;
}

static const char *sig_check(const struct wld_log_facts *f, const cJSON *sig)
{
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(sig, "check_by_origin");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(by, wld_log_origin(f));
    if (cJSON_IsString(c))
        return c->valuestring;
    c = cJSON_GetObjectItemCaseSensitive(sig, "check");
    return cJSON_IsString(c) ? c->valuestring : "?";
}

/* Where the log was made, as far as it shows: a Linux path or target is no proof of WSL or
 * of a native Linux, and the text says so. */
static void origin_text(const struct wld_log_facts *f, struct wld_buf *b)
{
    const char *o = wld_log_origin(f);
    if (strcmp(o, "wsl") == 0)
        wld_buf_puts(b, "; under WSL");
    else if (strcmp(o, "windows") == 0)
        wld_buf_puts(b, "; on Windows");
    else if (strcmp(o, "linux") == 0)
        wld_buf_puts(b, "; on Linux (WSL or native: the log does not say)");
}

static void shows_text(const struct wld_log_facts *f, struct wld_buf *b)
{
    const char *prog = f->program[0] ? f->program : f->ollama ? "ollama" : NULL;
    if (prog)
        wld_buf_printf(b, "%s", prog);
    if (f->build >= 0)
        wld_buf_printf(b, "%sbuild %d (%s)", b->len ? " " : "", f->build, f->commit);
    if (f->build >= 0 && f->compiler[0] && f->target[0])
        wld_buf_printf(b, ", %s for %s", f->compiler, f->target);
    if (f->ollama_version[0])
        wld_buf_printf(b, "%sversion %s", b->len ? " " : "", f->ollama_version);
    int shown = 0;
    for (int i = 0; i < f->n_dev && shown < 4; i++) {
        const struct wld_log_device *d = &f->dev[i];
        wld_buf_printf(b, "%s%s%s%s", b->len ? (shown ? ", " : "; ") : "", d->name,
                       d->name[0] && d->desc[0] ? " " : "", d->desc);
        if (d->cc_major >= 0)
            wld_buf_printf(b, " (compute capability %d.%d)", d->cc_major, d->cc_minor);
        shown++;
    }
    bool cpu_only = shown > 0;
    for (int i = 0; i < f->n_dev; i++)
        cpu_only &= f->dev[i].cpu;
    if (cpu_only)
        wld_buf_puts(b, " only");
    for (int i = 0; i < f->n_compute && shown < 4; i++, shown++)
        wld_buf_printf(b, "%sinference on %s%s%s", b->len ? "; " : "", f->compute[i].library,
                       f->compute[i].name[0] ? " " : "", f->compute[i].name);
    if (f->model_path[0])
        wld_buf_printf(b, "%smodel %s", b->len ? "; " : "", base_name(f->model_path));
    if (f->bench_line)
        wld_buf_printf(b, "%sllama-bench: %ld row%s, %s on %s", b->len ? "; " : "", f->bench_rows,
                       f->bench_rows == 1 ? "" : "s", f->bench_model, f->bench_backend);
    if (f->offload_of > 0)
        wld_buf_printf(b, "%s%d/%d layers offloaded", b->len ? "; " : "", f->offloaded,
                       f->offload_of);
    else if (f->o_layers_model > 0)
        wld_buf_printf(b, "%s%d/%d layers offloaded", b->len ? "; " : "", f->o_layers_offload,
                       f->o_layers_model);
    if (f->n_ctx > 0)
        wld_buf_printf(b, "%s%d context", b->len ? ", " : "", f->n_ctx);
    if (f->n_ctx > 0 && f->fit_ctx_to > 0)
        wld_buf_printf(b, " (-fit cut it from %d)", f->fit_ctx_from);
    else if (f->n_ctx_slot > 0)
        wld_buf_printf(b, "%s%d context per slot (%d slot%s)", b->len ? ", " : "", f->n_ctx_slot,
                       f->n_slots, f->n_slots == 1 ? "" : "s");
    if (f->router_line || f->n_child > 0)
        wld_buf_printf(b, "%srouter mode", b->len ? "; " : "");
    for (int i = 0; i < f->n_child; i++)
        wld_buf_printf(b, "%s instance %s on port %d%s%s", i ? "," : ":",
                       f->child[i].name[0] ? f->child[i].name : "?", f->child[i].port,
                       f->child[i].state[0] ? " " : "", f->child[i].state);
    if (f->n_err_total > 0)
        wld_buf_printf(b, "%s%d CUDA error%s", b->len ? "; " : "", f->n_err_total,
                       f->n_err_total == 1 ? "" : "s");
    if (f->alloc_fail_line)
        wld_buf_printf(b, "%sa failed allocation of %.0f MiB on %s", b->len ? "; " : "",
                       f->alloc_fail_mib, f->alloc_fail_device);
    if (!b->len)
        wld_buf_printf(b, "none of llama.cpp's or ollama's start-up output (%ld line%s)", f->lines,
                       f->lines == 1 ? "" : "s");
    else
        origin_text(f, b);
    if (f->nul_bytes > 0)
        wld_buf_printf(b, " (%ld NUL byte%s: binary data, not text)", f->nul_bytes,
                       f->nul_bytes == 1 ? "" : "s");
}

struct wld_log_report *wld_log_diagnose(const struct wld_logscan *s,
                                        const struct wld_rules *rules,
                                        const char *input,
                                        const cJSON *host_facts)
{
    const struct wld_log_facts *f = wld_logscan_facts(s);
    struct wld_log_report *r = wld_xcalloc(1, sizeof(*r));
    r->input = input;
    r->rules = rules;
    r->facts = wld_log_facts_json(f);
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    shows_text(f, &b);
    r->shows = wld_buf_detach(&b);
    size_t n_hits;
    const struct wld_log_hit *hits = wld_logscan_hits(s, &n_hits);
    r->findings = wld_xcalloc(n_hits ? n_hits : 1, sizeof(*r->findings));
    cJSON *base = cJSON_CreateObject();
    common_vars(f, base);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(rules->doc, "signature_params");
    for (size_t i = 0; i < n_hits; i++) {
        const struct wld_log_hit *h = &hits[i];
        const cJSON *sig = h->sig;
        const cJSON *obs_name = cJSON_GetObjectItemCaseSensitive(sig, "observe");
        struct obs o = { 0 };
        cJSON *hv = cJSON_CreateObject();
        if (cJSON_IsString(obs_name) && wld_str_starts(obs_name->valuestring, "host_"))
            o = observe_host(f, obs_name->valuestring, host_facts, hv);
        else if (cJSON_IsString(obs_name))
            o = observe(f, obs_name->valuestring, params);
        else
            o.on = h->count > 0;
        if (!o.on || !list_holds(f, cJSON_GetObjectItemCaseSensitive(sig, "if"), true) ||
            !list_holds(f, cJSON_GetObjectItemCaseSensitive(sig, "unless"), false) ||
            found_already(r, cJSON_GetObjectItemCaseSensitive(sig, "unless_found"))) {
            cJSON_Delete(hv);
            continue;
        }
        struct wld_log_finding *x = &r->findings[r->n++];
        x->signature = sig->string;
        x->check = sig_check(f, sig);
        wld_status_parse(wld_fact_str(sig, "status"), &x->status);
        for (int k = 0; k < h->n_lines; k++)
            add_line(x, h->lines[k]);
        for (int k = 0; k < o.n_lines; k++)
            add_line(x, o.lines[k]);
        evidence_lines(f, cJSON_GetObjectItemCaseSensitive(sig, "evidence"), x);
        qsort(x->lines, (size_t) x->n_lines, sizeof(long), cmp_long);
        cJSON *v = cJSON_Duplicate(base, true);
        const cJSON *c;
        cJSON_ArrayForEach(c, h->caps)
        {
            var(v, c->string, c->valuestring);
        }
        cJSON_ArrayForEach(c, hv)
        {
            var(v, c->string, c->valuestring);
        }
        cJSON_Delete(hv);
        var(v, "quote", h->quote[0] ? h->quote : "");
        magic_vars(v);
        struct wld_buf lines;
        wld_buf_init(&lines, 256);
        for (int k = 0; k < x->n_lines; k++)
            wld_buf_printf(&lines, "%s%ld", k ? ", " : "", x->lines[k]);
        var(v, "lines", lines.len ? lines.data : "?");
        wld_buf_release(&lines);
        varf(v, "count", "%ld", h->count);
        x->summary = wld_template_render(wld_fact_str(sig, "summary"), v);
        const char *fix = wld_fact_str(sig, "fix");
        x->fix = fix ? wld_template_render(fix, v) : NULL;
        x->sources = wld_rules_source_urls(rules, cJSON_GetObjectItemCaseSensitive(sig, "sources"));
        cJSON_Delete(v);
        r->counts[x->status]++;
    }
    cJSON_Delete(base);
    r->exit_code = wld_counts_fail(r->counts, false);
    return r;
}

void wld_log_report_free(struct wld_log_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->findings[i].summary);
        free(r->findings[i].fix);
        cJSON_Delete(r->findings[i].sources);
    }
    free(r->findings);
    free(r->shows);
    free(r->redacted_text);
    cJSON_Delete(r->facts);
    free(r);
}

cJSON *wld_log_report_json(const struct wld_log_report *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "schema", WLD_LOG_SCHEMA);
    cJSON_AddStringToObject(doc, "tool", "wsl-llm-doctor " WLD_VERSION);
    cJSON_AddStringToObject(doc, "rules", r->rules->version);
    cJSON_AddStringToObject(doc, "input", r->input);
    cJSON_AddStringToObject(doc, "shows", r->shows);
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    for (int s = 0; s < WLD_STATUS_COUNT; s++)
        cJSON_AddNumberToObject(sum, wld_status_name((enum wld_status) s), r->counts[s]);
    cJSON_AddNumberToObject(doc, "exit_code", r->exit_code);
    cJSON_AddItemToObject(doc, "facts", cJSON_Duplicate(r->facts, true));
    cJSON *a = cJSON_AddArrayToObject(doc, "findings");
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_log_finding *x = &r->findings[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "check", x->check);
        cJSON_AddStringToObject(j, "status", wld_status_name(x->status));
        cJSON_AddStringToObject(j, "summary", x->summary);
        if (x->fix)
            cJSON_AddStringToObject(j, "fix", x->fix);
        else
            cJSON_AddNullToObject(j, "fix");
        cJSON *l = cJSON_AddArrayToObject(j, "lines");
        for (int k = 0; k < x->n_lines; k++)
            cJSON_AddItemToArray(l, cJSON_CreateNumber((double) x->lines[k]));
        cJSON_AddStringToObject(j, "signature", x->signature);
        cJSON_AddItemToObject(j, "sources", cJSON_Duplicate(x->sources, true));
        cJSON_AddItemToArray(a, j);
    }
    if (r->redacted_text)
        cJSON_AddStringToObject(doc, "redacted", r->redacted_text);
    return doc;
}
