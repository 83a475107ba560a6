/* What a log shows, in a sentence (the report's "shows"): the program and build, the
 * devices, the model, the offload and context, errors, and where it was made (see
 * logdiag_impl.h). */
#include <string.h>

#include "wld/util.h"

#include "logdiag_impl.h"

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

void wld_log_shows(const struct wld_log_facts *f, struct wld_buf *b)
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
        wld_buf_printf(b, "%smodel %s", b->len ? "; " : "", wld_log_base_name(f->model_path));
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
    if (f->container)
        wld_buf_printf(b, "; in a container (%s, line %ld)", f->container_what, f->container_line);
    if (f->nul_bytes > 0)
        wld_buf_printf(b, " (%ld NUL byte%s: binary data, not text)", f->nul_bytes,
                       f->nul_bytes == 1 ? "" : "s");
}
