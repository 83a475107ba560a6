/* Where a crash died, as signatures observe it (see logdiag_impl.h): the first frame of its
 * backtrace that names a cause (src/log/logfacts_crash.c), and what would show a condition
 * a signature needs ("needs") when the log does not. */
#include <string.h>

#include "wld/util.h"

#include "logdiag_impl.h"

static bool died_in(const struct wld_log_obs_in *in, struct wld_log_obs *o, const char *where)
{
    const struct wld_log_facts *f = in->f;
    if (!wld_str_is(f->died_in, where))
        return false;
    if (f->crash_line > 0 && f->crash_line != f->died_line)
        o->lines[o->n_lines++] = f->crash_line;
    o->lines[o->n_lines++] = f->died_line;
    wld_log_var(in->vars, "crash_frame", f->died_frame);
    wld_log_var(in->vars, "crash", f->crash);
    return true;
}

bool wld_log_crash_in_driver(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    return died_in(in, o, "driver");
}

bool wld_log_crash_in_ggml_cuda(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    return died_in(in, o, "ggml-cuda");
}

bool wld_log_crash_in_loader(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    return died_in(in, o, "loader");
}

const char *wld_log_condition_shown_by(const char *name)
{
    static const struct {
        const char *name, *shown_by;
    } rows[] = {
        { "container", "a container (docker, podman, Kubernetes, a root@<id> prompt)" },
        { "origin_wsl", "WSL (a /mnt/c path, /usr/lib/wsl, a microsoft-standard kernel)" },
        { "origin_windows", "that it was made on Windows (a C:\\ path, a .dll or .exe)" },
        { "origin_native", "that it was made on a native Linux" },
        { "ollama", "that ollama wrote it" },
        { "ollama_gpu_seen", "a GPU ollama found or planned layers on" },
        { "gpu_asked", "that the GPU was asked for (-ngl N, n_gpu_layers, a pasted nvidia-smi, a "
                       "build option naming CUDA)" },
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(rows); i++)
        if (wld_str_is(name, rows[i].name))
            return rows[i].shown_by;
    return NULL;
}
