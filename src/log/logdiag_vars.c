/* The values a signature's texts use (see logdiag_impl.h): the log's devices, build, model
 * and errors in words, with a default where the log does not say, and the fit arithmetic
 * behind an out-of-memory fix (wld_fit_advise_measured). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/filekind.h"
#include "wld/fit.h"
#include "wld/gguf.h"
#include "wld/rules.h"
#include "wld/util.h"

#include "logdiag_impl.h"

#define MIB (1024.0 * 1024.0)

void wld_log_var(cJSON *v, const char *k, const char *s)
{
    if (cJSON_GetObjectItemCaseSensitive(v, k))
        cJSON_DeleteItemFromObjectCaseSensitive(v, k);
    char *fixed = wld_utf8_fix(s, true);
    cJSON_AddStringToObject(v, k, fixed);
    free(fixed);
}

void wld_log_varf(cJSON *v, const char *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = wld_xvasprintf(fmt, ap);
    va_end(ap);
    wld_log_var(v, k, s);
    free(s);
}

const char *wld_log_base_name(const char *path)
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
        wld_log_var(v, "device", f->compute[0].name);
        if (f->compute[0].compute[0]) {
            wld_log_var(v, "cc", f->compute[0].compute);
            int ma, mi;
            if (sscanf(f->compute[0].compute, "%d.%d", &ma, &mi) == 2)
                wld_log_varf(v, "cc_archs", "%d%d", ma, mi);
        }
    }
    if (first) {
        wld_log_var(v, "device", first->desc[0] ? first->desc : first->name);
        wld_log_var(v, "device_name", first->name[0] ? first->name : "CUDA0");
        if (first->cc_major >= 0)
            wld_log_varf(v, "cc", "%d.%d", first->cc_major, first->cc_minor);
        if (first->free_mib >= 0)
            wld_log_varf(v, "free_mib", "%.0f MiB", first->free_mib);
        if (first->total_mib >= 0)
            wld_log_varf(v, "vram", "%.0f MiB", first->total_mib);
    }
    if (archs.len) {
        wld_log_var(v, "cc_archs", archs.data);
        /* "86;89" -> "86-real;89-real": SASS for each, no PTX to JIT */
        struct wld_buf real;
        wld_buf_init(&real, 512);
        for (const char *p = archs.data; *p;) {
            size_t n = strcspn(p, ";");
            wld_buf_printf(&real, "%s%.*s-real", real.len ? ";" : "", (int) n, p);
            p += n + (p[n] == ';');
        }
        wld_log_var(v, "cc_archs_real", real.data);
        wld_buf_release(&real);
    }
    if (names.len)
        wld_log_var(v, "devices", names.data);
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
    wld_log_var(v, "fit_advice", b.data);
    wld_buf_release(&b);
}

/* ollama's own offload figures: what the partial offload costs, what would fit. */
static void ollama_vars(const struct wld_log_facts *f, cJSON *v)
{
    if (f->o_layers_model <= 0)
        return;
    wld_log_varf(v, "ollama_layers", "%d/%d", f->o_layers_offload, f->o_layers_model);
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
    wld_log_var(v, "ollama_fit", b.data);
    wld_buf_release(&b);
}

void wld_log_common_vars(const struct wld_log_facts *f, cJSON *v)
{
    wld_log_var(v, "origin", wld_log_origin(f));
    /* the program the log names, else what wrote it (logfacts_producer.c), else llama.cpp */
    const char *program = f->program[0]    ? f->program
                          : f->producer[0] ? f->producer
                          : f->ollama      ? "ollama"
                                           : "llama.cpp";
    wld_log_var(v, "program", wld_str_is(program, "llama_cpp") ? "llama-cpp-python" : program);
    wld_log_var(v, "device", "the GPU");
    wld_log_var(v, "device_name", "CUDA0");
    wld_log_var(v, "cc", "?");
    wld_log_var(v, "cc_archs", "native");
    wld_log_var(v, "cc_archs_real", "native");
    wld_log_var(v, "devices", "(no device listed)");
    device_vars(f, v);
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(v, "cc");
    const cJSON *dev = cJSON_GetObjectItemCaseSensitive(v, "device");
    if (wld_str_is(cc->valuestring, "?"))
        wld_log_var(v, "device_cc", "the GPU (its compute capability is not in the log)");
    else
        wld_log_varf(v, "device_cc", "%s (compute capability %s)", dev->valuestring,
                     cc->valuestring);
    if (f->build >= 0)
        wld_log_varf(v, "build", "%d (%s)", f->build, f->commit);
    else
        wld_log_var(v, "build", "unknown");
    const char *model = f->model_path[0] ? f->model_path : "";
    wld_log_var(v, "model_path", model[0] ? model : "the model");
    wld_log_var(v, "model", model[0] ? wld_log_base_name(model) : "the model");
    wld_log_var(v, "arch", f->arch[0] ? f->arch : "?");
    wld_log_var(v, "quant", f->ftype[0] ? f->ftype : "?");
    wld_log_var(v, "layers", "?");
    wld_log_var(v, "layers_total", "?");
    if (f->offload_of > 0) {
        wld_log_varf(v, "layers", "%d", f->offloaded);
        wld_log_varf(v, "layers_total", "%d", f->offload_of);
    } else if (f->o_layers_model > 0) {
        wld_log_varf(v, "layers", "%d", f->o_layers_offload);
        wld_log_varf(v, "layers_total", "%d", f->o_layers_model);
    }
    if (f->cmd_ngl != -1)
        wld_log_varf(v, "ngl", "%d", f->cmd_ngl);
    else
        wld_log_var(v, "ngl", "not shown");
    if (f->verbosity >= 0)
        wld_log_varf(v, "verbosity", "%d", f->verbosity);
    if (f->n_ctx > 0)
        wld_log_varf(v, "n_ctx", "%d", f->n_ctx);
    else
        wld_log_var(v, "n_ctx", "?");
    if (f->n_archs > 0) {
        struct wld_buf b;
        wld_buf_init(&b, 256);
        for (int i = 0; i < f->n_archs; i++)
            wld_buf_printf(&b, "%s%d", i ? "," : "", f->archs[i]);
        wld_log_var(v, "archs", b.data);
        wld_buf_release(&b);
    }
    if (f->alloc_fail_line) {
        wld_log_varf(v, "alloc_what", "%.0f MiB for the %s buffer on %s", f->alloc_fail_mib,
                     f->alloc_fail_kind[0] ? f->alloc_fail_kind : "model", f->alloc_fail_device);
    } else {
        wld_log_var(v, "alloc_what", "the size is not in the log");
    }
    const struct wld_log_error *e = f->n_err ? &f->err[0] : NULL;
    wld_log_var(v, "error_code", e && e->code >= 0 ? "" : "?");
    if (e && e->code >= 0)
        wld_log_varf(v, "error_code", "%d", e->code);
    wld_log_var(v, "error_call",
                e && e->call[0]       ? e->call
                : e && e->function[0] ? e->function
                                      : "?");
    wld_log_var(v, "error_at", e && e->where[0] ? e->where : "?");
    for (int i = 0; i < f->n_backend; i++)
        if (!f->backend[i].loaded) {
            wld_log_var(v, "backend_path", f->backend[i].path);
            wld_log_var(v, "backend_error", f->backend[i].why);
            break;
        }
    wld_log_var(v, "ollama_runner", f->ollama_runner[0] ? f->ollama_runner : "?");
    wld_log_var(v, "ollama_runners", f->ollama_runners[0] ? f->ollama_runners : "?");
    if (f->bench_line) {
        wld_log_var(v, "bench_backend", f->bench_backend);
        wld_log_varf(v, "bench_ngl", "%d", f->bench_ngl);
    }
    if (f->n_compute > 0) {
        wld_log_var(v, "ollama_library", f->compute[0].library);
        wld_log_var(v, "ollama_driver", f->compute[0].driver[0] ? f->compute[0].driver : "?");
    }
    fit_vars(f, v);
    ollama_vars(f, v);
}

/* What models.fit's rules say a file of kind is and its fix, for a kind NULL or unknown
 * there: "binary". */
static const cJSON *file_kind_words(const struct wld_rules *rules, const char *kind)
{
    const cJSON *params =
            cJSON_GetObjectItemCaseSensitive(wld_rules_check(rules, "models.fit"), "params");
    const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(params, "file_kinds"), "value");
    const cJSON *k = kind ? cJSON_GetObjectItemCaseSensitive(kinds, kind) : NULL;
    return k ? k : cJSON_GetObjectItemCaseSensitive(kinds, "binary");
}

/* What the file a magic line names is (magic_means, magic_fix, file_format): the line's own
 * "magic" capture when it is one wld_file_kind_magic() reads, else what the log said of the
 * file elsewhere (logfacts_magic.c). The words are models.fit's file_kinds. */
void wld_log_magic_vars(const struct wld_log_facts *f, const struct wld_rules *rules, cJSON *v)
{
    const cJSON *cap = cJSON_GetObjectItemCaseSensitive(v, "magic");
    struct wld_file_magic m = { .kind = NULL };
    char shown[sizeof(f->file_magic)] = "";
    if (cJSON_IsString(cap) &&
        wld_file_kind_magic(cap->valuestring, strlen(cap->valuestring), &m) == 0) {
        for (int i = 0; i < 4; i++)
            shown[i] = isprint(m.bytes[i]) ? (char) m.bytes[i] : '.';
        shown[4] = '\0';
    }
    if (!m.kind && f->file_kind) {
        m.kind = f->file_kind;
        m.format = f->file_format;
        snprintf(shown, sizeof(shown), "%s", f->file_magic);
    }
    const cJSON *k = file_kind_words(rules, m.kind);
    const char *is = wld_fact_str(k, "is");
    char *text = !shown[0] ? wld_xasprintf("not GGUF's (the log does not quote them)")
                 : m.kind  ? wld_xasprintf("\"%s\" (%s), which makes it %s", shown, m.format,
                                          is ? is : "?")
                           : wld_xasprintf("\"%s\", which makes it %s", shown, is ? is : "?");
    wld_log_var(v, "magic_means", text);
    free(text);
    const char *fix = wld_fact_str(k, "fix");
    wld_log_var(v, "magic_fix", fix ? fix : "Download the GGUF model again.");
    wld_log_var(v, "file_format", m.format ? m.format : "a format the doctor does not know");
}
