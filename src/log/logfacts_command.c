/* What a paste shows around the log (see logfacts_impl.h): the command line it was started
 * with ("$ ./llama-server -m MODEL -ngl 99 -c 8192"), llama-bench's table, the program, and
 * where its paths say it was made (C:\, .dll: Windows; /mnt/c, /usr/lib/wsl: WSL; /home,
 * .so: Linux). */
#include <stdio.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

#include "logfacts_impl.h"
#include "logscan_impl.h"

void wld_log_note_program(struct wld_log_facts *f, const char *line)
{
    static const char *const programs[] = { "llama-server", "llama-cli", "llama-bench",
                                            "llama-box",    "llama_cpp", "ollama" };
    if (f->program[0])
        return;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(programs); i++)
        if (strstr(line, programs[i])) {
            snprintf(f->program, sizeof(f->program), "%s", programs[i]);
            return;
        }
}

/* ---- the command line ---- */

/* Whether an option's line is a command line (after a prompt, or naming a program); its
 * text is then kept, and the program it names noted either way. */
static bool command_line(struct wld_log_facts *f, const struct wld_log_line *l)
{
    const char *line = l->s;
    wld_log_note_program(f, line);
    if (!(l->flags & WLD_LOG_LINE_COMMAND) && !strstr(line, "llama-") && !strstr(line, "main ") &&
        !strstr(line, "ollama ") && !strstr(line, "server ") && !strstr(line, ".exe ") &&
        !strstr(line, "runner "))
        return false;
    if (!f->command[0] || f->command_line == l->no) {
        wld_log_copy(f->command, sizeof(f->command), line, strlen(line));
        f->command_line = l->no;
    }
    return true;
}

/* " -ngl N", " --n-gpu-layers N", " --gpu-layers N" */
WLD_LOG_EXTRACTOR(wld_logx_ngl)
{
    int n;
    if (command_line(f, l) && wld_log_int(l->at, &n))
        f->cmd_ngl = n;
}

/* " -c N", " --ctx-size N" */
WLD_LOG_EXTRACTOR(wld_logx_ctx)
{
    int n;
    if (command_line(f, l) && wld_log_int(l->at, &n) && n >= 0)
        f->cmd_ctx = n;
}

/* " -m PATH", " --model 'PATH'" */
WLD_LOG_EXTRACTOR(wld_logx_model)
{
    const char *v = l->at;
    if (command_line(f, l) && !f->cmd_model[0]) {
        size_t len = *v == '"' || *v == '\'' ? strcspn(v + 1, "\"'") + 2 : strcspn(v, " \t");
        wld_log_copy(f->cmd_model, sizeof(f->cmd_model), v, len);
    }
}

WLD_LOG_EXTRACTOR(wld_logx_no_mmap)
{
    if (command_line(f, l))
        f->cmd_no_mmap = true;
}

/* ---- llama-bench's markdown table ---- */

/* which column is which, from its header row */
static int bench_column(const char *header, const char *name)
{
    int col = 0;
    for (const char *p = header; (p = strchr(p, '|')) != NULL; p++, col++) {
        const char *c = wld_str_skip_space(p + 1);
        size_t n = strlen(name);
        if (strncmp(c, name, n) == 0 && (c[n] == ' ' || c[n] == '|'))
            return col;
    }
    return -1;
}

/* cell col (0: the first after the leading "|") of a table row, trimmed */
static void bench_cell(const char *row, int col, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = row;
    for (int c = 0; c <= col && p; c++)
        p = strchr(p + (c > 0), '|');
    if (!p || col < 0)
        return;
    wld_log_copy(out, n, p + 1, strcspn(p + 1, "|"));
}

/* "| model | size | params | backend | ngl | test | t/s |" */
WLD_LOG_EXTRACTOR(wld_logx_bench_head)
{
    const char *line = l->s;
    if (line[0] == '|' && f->bench_backend_col < 0) {
        f->bench_backend_col = bench_column(line, "backend");
        f->bench_ngl_col = bench_column(line, "ngl");
        f->bench_model_col = bench_column(line, "model");
        if (!f->program[0])
            snprintf(f->program, sizeof(f->program), "llama-bench");
    }
}

/* a row: its "t/s" cell "61.03 ± 0.07"; the first row's backend, model and ngl kept */
WLD_LOG_EXTRACTOR(wld_logx_bench_row)
{
    const char *line = l->s;
    if (f->bench_backend_col < 0 || line[0] != '|')
        return;
    f->bench_rows++;
    if (f->bench_line)
        return;
    bench_cell(line, f->bench_backend_col, f->bench_backend, sizeof(f->bench_backend));
    bench_cell(line, f->bench_model_col, f->bench_model, sizeof(f->bench_model));
    char ngl[16];
    bench_cell(line, f->bench_ngl_col, ngl, sizeof(ngl));
    if (!wld_log_int(ngl, &f->bench_ngl))
        f->bench_ngl = -1;
    f->bench_line = l->no;
}

/* ---- where the log was made ---- */

void wld_log_note_origin(struct wld_log_facts *f, int *count, long no)
{
    (*count)++;
    if (!f->origin_line)
        f->origin_line = no;
    if (count == &f->origin_wsl && !f->wsl_line)
        f->wsl_line = no;
}

/* "C:\": a drive letter before it */
WLD_LOG_EXTRACTOR(wld_logx_win_drive)
{
    char d = l->at - l->s >= 3 ? l->at[-3] : '\0';
    if ((d >= 'A' && d <= 'Z') || (d >= 'a' && d <= 'z'))
        wld_log_note_origin(f, &f->origin_windows, l->no);
}

/* "\Users\", ".dll", ".exe" */
WLD_LOG_EXTRACTOR(wld_logx_windows)
{
    wld_log_note_origin(f, &f->origin_windows, l->no);
}

/* "/mnt/c/...", "/mnt/wsl...": Windows' drives and WSL's own mounts */
WLD_LOG_EXTRACTOR(wld_logx_wsl_mnt)
{
    const char *p = l->at;
    if (((p[0] >= 'a' && p[0] <= 'z') && (p[1] == '/' || p[1] == '\0')) || wld_str_starts(p, "wsl"))
        wld_log_note_origin(f, &f->origin_wsl, l->no);
}

/* "/usr/lib/wsl/", a "microsoft-standard" kernel */
WLD_LOG_EXTRACTOR(wld_logx_wsl)
{
    wld_log_note_origin(f, &f->origin_wsl, l->no);
}

WLD_LOG_EXTRACTOR(wld_logx_linux_home)
{
    wld_log_note_origin(f, &f->origin_linux, l->no);
}

/* ".so" ending a name: "libggml-cuda.so", "libcuda.so.1", "libcudart.so: ..." */
WLD_LOG_EXTRACTOR(wld_logx_linux_so)
{
    const char *p = l->at;
    if (p[0] == '\0' || p[0] == '.' || p[0] == ' ' || p[0] == ':')
        wld_log_note_origin(f, &f->origin_linux, l->no);
}

/* "WSL", "wsl": the log names WSL (a wsl --version, a title, a prompt) */
WLD_LOG_EXTRACTOR(wld_logx_wsl_named)
{
    if (!f->wsl_named_line)
        f->wsl_named_line = l->no;
}

/* A Windows version the paste shows: ver's "Microsoft Windows [Version 10.0.19043.1288]" in
 * any language, wsl --version's "Windows version: 10.0.22631.2861" (its label localized:
 * "Windowsバージョン:", "Windows:"); its build, read as the wsl.interop check reads them
 * (wld_winver_parse: DXCore's "10.0.25131.1002-220531-..." is another program's) */
WLD_LOG_EXTRACTOR(wld_logx_windows_build)
{
    struct wld_winver v;
    if (f->windows_build_line || wld_winver_parse(l->s, &v) < 0 || v.build > 99999)
        return;
    f->windows_build = (int) v.build;
    f->windows_build_line = l->no;
}

/* A Windows nvidia-smi's GPU row with its driver model: "|   0  NVIDIA L40S    TCC   |": a
 * GPU WSL cannot see (it sees WDDM GPUs only) */
WLD_LOG_EXTRACTOR(wld_logx_tcc)
{
    const char *after = l->at + strspn(l->at, " ");
    const char *bar = strchr(l->s, '|');
    const char *name = strstr(l->s, "NVIDIA");
    if (f->tcc_line || *after != '|' || !bar || !name || bar > name)
        return;
    const char *end = l->at - strlen(" TCC ");
    while (end > name && end[-1] == ' ')
        end--;
    wld_log_copy(f->tcc_gpu, sizeof(f->tcc_gpu), name, (size_t) (end - name));
    f->tcc_line = l->no;
}

/* llama-cpp-python's "Llama(model_path=..., n_gpu_layers=-1)" (LangChain's too): GPU
 * layers asked for from Python (-1: all) */
WLD_LOG_EXTRACTOR(wld_logx_py_gpu_layers)
{
    int n;
    if (!f->py_gpu_layers_line && wld_log_int(l->at, &n) && n != 0)
        f->py_gpu_layers_line = l->no;
}
