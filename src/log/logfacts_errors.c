/* The CUDA errors and failed allocations a log shows (see logfacts_impl.h):
 *   CUDA error 2 at ggml-cuda.cu:359: out of memory                         (2023)
 *   CUDA error: an illegal memory access was encountered
 *     current device: 0, in function ggml_backend_cuda_buffer_init_tensor at FILE:768
 *     cudaMemset(...)
 *   ggml_cuda_init: failed to initialize CUDA: no CUDA-capable device is detected
 *   ggml_backend_cuda_buffer_type_alloc_buffer: allocating 4403.49 MiB on device 0:
 *     cudaMalloc failed: out of memory
 *   alloc_tensor_range: failed to allocate CUDA0 buffer of size 4617387008
 * and every error code of the CUDA runtime, the driver API, NVML and cuBLAS a line states,
 * by number, name or text (src/parse/errcodes.c's shapes, the rules' table).
 */
#include <stdio.h>
#include <string.h>

#include "wld/logcodes.h"
#include "wld/util.h"

#include "logfacts_impl.h"
#include "logscan_impl.h"

static struct wld_log_error *add_error(struct wld_log_facts *f, long no)
{
    f->n_err_total++;
    if (f->n_err == WLD_LOG_MAX)
        return NULL;
    struct wld_log_error *e = &f->err[f->n_err++];
    memset(e, 0, sizeof(*e));
    e->code = e->device = -1;
    e->line = no;
    return e;
}

/* An error whose message is the rest of the line; its code, when the message is a
 * cudaGetErrorString text, comes from the rules' table (wld_log_codes_read). */
static struct wld_log_error *error_said(struct wld_log_facts *f, const char *message, long no)
{
    struct wld_log_error *e = add_error(f, no);
    if (e)
        wld_log_copy(e->message, sizeof(e->message), message, strlen(message));
    return e;
}

/* "CUDA error 2 at FILE:LINE: MESSAGE", "CUDA error: MESSAGE", "CUDA error (N): ..." */
WLD_LOG_EXTRACTOR(wld_logx_cuda_error)
{
    const char *p = l->at;
    int code;
    struct wld_log_error *e;
    if (*p == ' ' && wld_log_int(p + 1, &code)) {
        const char *at = strstr(p, " at ");
        const char *msg = at ? strstr(at, ": ") : strstr(p, ": ");
        if (!(e = add_error(f, l->no)))
            return;
        e->code = code;
        if (at)
            wld_log_copy(e->where, sizeof(e->where), at + 4,
                         msg ? (size_t) (msg - at - 4) : strlen(at + 4));
        if (msg) {
            wld_log_copy(e->message, sizeof(e->message), msg + 2, strlen(msg + 2));
            /* "...: no CUDA-capable device is detected current device: 32544" */
            char *cd = strstr(e->message, " current device:");
            if (cd)
                *cd = '\0';
        }
    } else if (*p == ':') {
        error_said(f, p + 1, l->no);
    }
}

WLD_LOG_EXTRACTOR(wld_logx_init_failed)
{
    struct wld_log_error *e = error_said(f, l->at, l->no);
    if (e)
        snprintf(e->function, sizeof(e->function), "ggml_cuda_init");
}

/* "current device: 0, in function ggml_cuda_compute_forward at FILE:2568" */
WLD_LOG_EXTRACTOR(wld_logx_current_device)
{
    if (f->n_err == 0 || l->no - f->err[f->n_err - 1].line > 2)
        return;
    struct wld_log_error *e = &f->err[f->n_err - 1];
    wld_log_int(l->at, &e->device);
    const char *fn = strstr(l->s, "in function ");
    if (fn) {
        const char *at = strstr(fn, " at ");
        wld_log_copy(e->function, sizeof(e->function), fn + 12,
                     at ? (size_t) (at - fn - 12) : strlen(fn + 12));
        if (at)
            wld_log_copy(e->where, sizeof(e->where), at + 4, strlen(at + 4));
        f->pending_call = f->n_err - 1;
    }
}

void wld_log_line_begin(struct wld_log_facts *f, const char *line, size_t len, long no)
{
    if (f->trace_state ==
        WLD_LOG_TRACE_FAULT_NEXT) /* gdb's "received signal": this line is where it died */
        wld_log_crash_line(f, line, len, no);
    if (f->pending_call < 0 || len == 0)
        return;
    /* the line after "current device: ..." names the CUDA call that failed */
    struct wld_log_error *e = &f->err[f->pending_call];
    f->pending_call = -1;
    if (len < 200 && !strstr(line, ": error") && !strstr(line, "CUDA error"))
        wld_log_copy(e->call, sizeof(e->call), line, len);
}

/* "allocating 4403.49 MiB on device 0: cudaMalloc failed: out of memory" */
WLD_LOG_EXTRACTOR(wld_logx_allocating)
{
    double mib;
    int dev;
    const char *on = strstr(l->at, " on device ");
    if (!strstr(l->s, "failed") || !wld_log_num(l->at, &mib) || !on || !wld_log_int(on + 11, &dev))
        return;
    if (!f->alloc_gpu_line)
        f->alloc_gpu_line = l->no;
    if (f->alloc_fail_line)
        return;
    f->alloc_fail_mib = mib;
    snprintf(f->alloc_fail_device, sizeof(f->alloc_fail_device), "CUDA%d", dev);
    f->alloc_fail_line = l->no;
    f->alloc_pending = true; /* the next "failed to allocate" line says which buffer */
}

/* "failed to allocate CUDA0 buffer of size 4617387008", "unable to allocate CUDA0 buffer";
 * ggml's CPU buffer type's own
 * "ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size 9925767168"
 * (malloc failed: host memory) */
WLD_LOG_EXTRACTOR(wld_logx_failed_alloc)
{
    const char *p = l->at, *of;
    char device[24];
    double bytes;
    if (wld_str_starts(p, "buffer of size ")) {
        of = p - 1; /* no device word: the CPU buffer type's message */
        snprintf(device, sizeof(device), "CPU");
    } else {
        size_t word = strcspn(p, " ");
        of = p + word;
        if (word == 0 || word >= sizeof(device) || !wld_str_starts(of, " buffer"))
            return;
        wld_log_copy(device, sizeof(device), p, word);
    }
    long *first = wld_log_host_buffer(device) ? &f->alloc_host_line : &f->alloc_gpu_line;
    if (!*first)
        *first = l->no;
    /* llama_model_load's "unable to allocate CPU buffer" names no size */
    if (!wld_str_starts(of, " buffer of size ") || !wld_log_num(of + 16, &bytes))
        return;
    /* ggml-alloc's graph allocator makes the compute buffer; the KV cache says so */
    const char *kind = strstr(l->s, "gallocr") ? "compute" : strstr(l->s, "kv") ? "kv" : "model";
    if (f->alloc_pending) { /* the cudaMalloc line before it had the size */
        f->alloc_pending = false;
        snprintf(f->alloc_fail_kind, sizeof(f->alloc_fail_kind), "%s", kind);
        return;
    }
    if (f->alloc_fail_line)
        return;
    snprintf(f->alloc_fail_device, sizeof(f->alloc_fail_device), "%s", device);
    f->alloc_fail_mib = bytes / 1048576.0;
    snprintf(f->alloc_fail_kind, sizeof(f->alloc_fail_kind), "%s", kind);
    f->alloc_fail_line = l->no;
}

bool wld_log_host_buffer(const char *device)
{
    return strncmp(device, "CPU", 3) == 0 || strstr(device, "_Host") != NULL;
}

/* llama_kv_cache_init's "failed to allocate buffer for kv cache": the buffer that failed was
 * the KV cache's, wherever it lives */
WLD_LOG_EXTRACTOR(wld_logx_kv_alloc)
{
    if (!f->alloc_kv_line)
        f->alloc_kv_line = l->no;
    if (f->alloc_fail_line && !f->alloc_pending)
        snprintf(f->alloc_fail_kind, sizeof(f->alloc_fail_kind), "kv");
}

/* "ggml_aligned_malloc: insufficient memory (attempted to allocate 9466.00 MB)": host memory */
WLD_LOG_EXTRACTOR(wld_logx_aligned_malloc)
{
    if (!f->alloc_host_line)
        f->alloc_host_line = l->no;
}

/* A word of the CUDA runtime, the driver API, NVML or cuBLAS: the line is read for error
 * codes once its markers are done (wld_log_codes_read). Not for a device's name alone:
 * "CUDA0 model buffer size", "using device CUDA0" (a third of a llama.cpp load's lines, and
 * never with a code unless another word of the APIs stands beside it). A marker runs once
 * a line, at its first place: the rest of the line is looked at for another "CUDA". */
WLD_LOG_EXTRACTOR(wld_logx_code_word)
{
    const char *end = l->s + l->len;
    if (l->at < end && *l->at >= '0' && *l->at <= '9' && l->at - l->s >= 4 &&
        memcmp(l->at - 4, "CUDA", 4) == 0) {
        const char *p = l->at;
        while ((p = memmem(p, (size_t) (end - p), "CUDA", 4)) && p + 4 < end && p[4] >= '0' &&
               p[4] <= '9')
            p += 4;
        if (!p)
            return;
    }
    f->code_line = l->no;
}

static void note_code(struct wld_log_facts *f, const struct wld_code_seen *c, long no)
{
    struct wld_log_code *k = NULL;
    for (int i = 0; i < f->n_codes && !k; i++)
        if (f->codes[i].api == c->api && f->codes[i].code == c->code)
            k = &f->codes[i];
    if (!k) {
        f->n_codes_total++;
        if (f->n_codes == WLD_LOG_MAX)
            return;
        k = &f->codes[f->n_codes++];
        *k = (struct wld_log_code){ c->row, c->api, c->code, c->how, true, 0, { 0 }, 0 };
    }
    k->count++;
    k->tried &= c->tried;
    if (k->n_lines < WLD_LOG_MAX_LINES && (k->n_lines == 0 || k->lines[k->n_lines - 1] != no))
        k->lines[k->n_lines++] = no;
}

bool wld_log_codes_read(
        const struct wld_codetab *t, struct wld_log_facts *f, const char *line, size_t len, long no)
{
    struct wld_code_seen seen[8];
    int n = wld_codetab_match(t, line, len, seen, (int) WLD_ARRAY_SIZE(seen));
    bool known = false;
    for (int i = 0; i < n; i++) {
        note_code(f, &seen[i], no);
        known |= seen[i].row != NULL;
    }
    /* a CUDA error on this line whose message is a runtime error's text: its code */
    for (int i = f->n_err - 1; i >= 0 && f->err[i].line == no; i--)
        for (int k = 0; k < n && f->err[i].code < 0; k++)
            if (seen[k].api == WLD_API_CUDART)
                f->err[i].code = seen[k].code;
    return known;
}
