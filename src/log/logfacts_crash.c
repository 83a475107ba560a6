/* Where a crash died (see logfacts_impl.h): the frames of the backtraces programs and
 * debuggers print, its first WLD_LOG_FRAMES kept, and the first frame that names a cause:
 * the driver (libcuda.so, nvcuda*.dll, libnvidia-*), ggml's CUDA backend (libggml-cuda,
 * ggml_cuda_*, ggml_backend_cuda_*) or the model loader (llama_model_load, gguf_*).
 * Shapes read:
 *   gdb:       "#3  0x00007f... in ggml_abort () from /usr/lib/libggml-base.so", after
 *              "Thread 1 "llama-server" received signal SIGSEGV" the faulting frame
 *              "0x00007f... in FUNC () from LIB" on the next line;
 *   coredump:  systemd-coredump's "#0  0x00007f... n/a (libc.so.6 + 0x152aab)";
 *   backtrace: glibc's backtrace_symbols, which ggml_print_backtrace falls back to:
 *              "/usr/lib/libggml-cuda.so(ggml_cuda_error+0x1b) [0x7f...]";
 *   go:        ollama's runner: "SIGSEGV: segmentation violation", "signal arrived during
 *              cgo execution" and the goroutine's "llama._Cfunc_llama_decode(...)";
 *   windows:   Event Viewer's "Faulting module name: ggml-cuda.dll, version: ...".
 * A thread that was waiting (poll, futex, a condition variable) when gdb printed every
 * thread ("thread apply all bt") did not crash: its frames name no cause. */
#include <stdio.h>
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"
#include "logscan_impl.h"

enum { TRACE_NONE, TRACE_FAULT_NEXT = WLD_LOG_TRACE_FAULT_NEXT, TRACE_IN, TRACE_WAITING };

/* what a frame names as the cause, or NULL */
/* func and mod NUL-terminated */
static const char *frame_class(const char *func, const char *mod)
{
    if (wld_str_starts(mod, "libcuda") || wld_str_starts(mod, "nvcuda") ||
        wld_str_starts(mod, "libnvidia-"))
        return "driver";
    if (strstr(mod, "ggml-cuda") || strstr(func, "ggml_cuda") || strstr(func, "ggml_backend_cuda"))
        return "ggml-cuda";
    if (strstr(func, "llama_model_load") || strstr(func, "llama_load_model") ||
        strstr(func, "llama_model_loader") || strstr(func, "llm_load_") ||
        wld_str_starts(func, "gguf_"))
        return "loader";
    return NULL;
}

/* a thread blocked in the kernel: waiting, not crashing */
static bool waiting(const char *func)
{
    static const char *const waits[] = { "poll",      "futex",    "pthread_cond_", "epoll_wait",
                                         "nanosleep", "sem_wait", "__GI___select" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(waits); i++)
        if (strstr(func, waits[i]))
            return true;
    return false;
}

/* A path's last name: "/lib/x86_64-linux-gnu/libcuda.so.1" -> "libcuda.so.1". */
static const char *base(const char *s, size_t *n)
{
    for (size_t i = *n; i > 0; i--)
        if (s[i - 1] == '/' || s[i - 1] == '\\') {
            *n -= i;
            return s + i;
        }
    return s;
}

static void frame(struct wld_log_facts *f,
                  const char *kind,
                  const char *func,
                  size_t fn,
                  const char *mod,
                  size_t mn,
                  long no)
{
    if ((fn == 2 && memcmp(func, "??", 2) == 0) || (fn == 3 && memcmp(func, "n/a", 3) == 0))
        fn = 0;
    const char *args = fn ? memchr(func + 1, '(', fn - 1) : NULL;
    size_t named = args ? (size_t) (args - func) : fn; /* C++'s "f(int, char*)": f */
    mod = base(mod, &mn);
    f->n_frames_total++;
    if (!f->crash[0]) {
        snprintf(f->crash, sizeof(f->crash), "%s", kind);
        f->crash_line = no;
    }
    if (f->n_frames < WLD_LOG_FRAMES) {
        struct wld_log_frame *fr = &f->frame[f->n_frames++];
        wld_log_copy(fr->func, sizeof(fr->func), func, named);
        wld_log_copy(fr->module, sizeof(fr->module), mod, mn);
        fr->line = no;
    }
    if (f->trace_state == TRACE_WAITING || f->died_in[0])
        return;
    char fb[256], mb[128];
    snprintf(fb, sizeof(fb), "%.*s", (int) (fn < 255 ? fn : 255), func);
    snprintf(mb, sizeof(mb), "%.*s", (int) (mn < 127 ? mn : 127), mod);
    if (waiting(fb)) {
        f->trace_state = TRACE_WAITING;
        return;
    }
    const char *c = frame_class(fb, mb);
    if (!c)
        return;
    snprintf(f->died_in, sizeof(f->died_in), "%s", c);
    snprintf(f->died_frame, sizeof(f->died_frame), "%.*s%s%.*s", (int) (named < 80 ? named : 80),
             named ? func : "", named && mn ? " in " : "", (int) (mn < 64 ? mn : 64), mod);
    f->died_line = no;
}

/* gdb's "0x00007f... in FUNC (ARGS) from LIB", "FUNC () at FILE:N", coredump's
 * "0x00007f... FUNC (LIB + 0x1b)" */
static void debugger_frame(struct wld_log_facts *f, const char *kind, const char *p, long no)
{
    p = wld_str_skip_space(p);
    bool addr = wld_str_starts(p, "0x");
    if (addr) {
        p += 2 + strspn(p + 2, "0123456789abcdefABCDEF");
        p = wld_str_skip_space(p);
        if (wld_str_starts(p, "in "))
            p += 3;
    }
    const char *open = strstr(p, " (");
    size_t fn = open ? (size_t) (open - p) : strcspn(p, " ");
    const char *mod = "";
    size_t mn = 0;
    const char *from = strstr(p + fn, " from ");
    const char *plus = open ? strstr(open, " + 0x") : NULL;
    const char *close = open ? strchr(open + 2, ')') : NULL;
    if (from) {
        mod = wld_str_skip_space(from + 6);
        mn = strcspn(mod, " ");
    } else if (plus && close && plus < close) {
        mod = open + 2;
        mn = (size_t) (plus - mod);
    }
    frame(f, kind, p, fn, mod, mn, no);
}

/* "#0 " .. "#9 " starting the line (after spaces): a debugger's frame */
WLD_LOG_EXTRACTOR(wld_logx_frame_gdb)
{
    for (const char *q = l->s; q < l->at - 3; q++)
        if (*q != ' ' && *q != '\t')
            return;
    if (l->at[-2] == '0' && f->trace_state != TRACE_FAULT_NEXT)
        f->trace_state = TRACE_IN; /* a new backtrace: the next thread's */
    debugger_frame(f,
                   wld_str_starts(wld_str_skip_space(l->at), "0x") && strstr(l->at, " + 0x")
                           ? "coredump"
                           : "gdb",
                   l->at, l->no);
}

/* "Thread 1 "llama-server" received signal SIGSEGV, Segmentation fault." */
WLD_LOG_EXTRACTOR(wld_logx_received_signal)
{
    f->trace_state = TRACE_FAULT_NEXT;
    if (!f->crash[0]) {
        snprintf(f->crash, sizeof(f->crash), "gdb");
        f->crash_line = l->no;
    }
}

void wld_log_crash_line(struct wld_log_facts *f, const char *line, size_t len, long no)
{
    /* the faulting frame gdb prints right after "received signal" */
    f->trace_state = TRACE_IN;
    if (len > 0 && line[0] != '#')
        debugger_frame(f, "gdb", line, no);
}

/* "/usr/lib/libggml-cuda.so(ggml_cuda_error+0x1b) [0x7f...]", "./llama-server(+0x11b1) [0x5]" */
WLD_LOG_EXTRACTOR(wld_logx_frame_glibc)
{
    const char *s = wld_str_skip_space(l->s), *open = strchr(s, '(');
    if (!open || open > l->at)
        return;
    const char *func = open + 1;
    frame(f, "backtrace", func, strcspn(func, "+)"), s, (size_t) (open - s), l->no);
}

/* "github.com/ollama/ollama/llama._Cfunc_llama_decode(0x7f87...)" */
WLD_LOG_EXTRACTOR(wld_logx_frame_cgo)
{
    frame(f, "go", l->at, strcspn(l->at, "( "), "", 0, l->no);
}

/* "SIGSEGV: segmentation violation", "signal arrived during cgo execution" */
WLD_LOG_EXTRACTOR(wld_logx_go_crash)
{
    if (!f->crash[0]) {
        snprintf(f->crash, sizeof(f->crash), "go");
        f->crash_line = l->no;
    }
}

/* "Faulting module name: ggml-cuda.dll, version: 0.0.0.0, time stamp: 0x6723..." and
 * "Faulting module path: C:\Windows\System32\DriverStore\...\nvcuda64.dll" */
WLD_LOG_EXTRACTOR(wld_logx_faulting_module)
{
    const char *m = wld_str_skip_space(l->at);
    size_t n = strcspn(m, ",");
    while (n > 0 && m[n - 1] == ' ')
        n--;
    if (n)
        frame(f, "windows", "", 0, m, n, l->no);
}
