/* The CUDA toolkits on the host (see wld/toolkit.h): CUDA_HOME, /usr/local/cuda and the
 * versioned toolkits beside it, every nvcc on PATH, and what the first one says. */
#include "wld/toolkit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/parse.h"
#include "wld/proc.h"

/* Version of the toolkit installed at dir (version.json, else version.txt), or false. */
static bool toolkit_version(const struct wld_host *h, const char *dir, char *out, size_t n)
{
    static const char *const files[] = { "version.json", "version.txt" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(files); i++) {
        struct wld_buf b;
        char *path = wld_xasprintf("%s/%s", dir, files[i]);
        int r = wld_host_read(h, path, WLD_CAP_SMALL, &b);
        free(path);
        if (r < 0)
            continue;
        r = wld_cuda_version_file_parse(b.data, out, n);
        wld_buf_release(&b);
        if (r == 0)
            return true;
    }
    return false;
}

/* Every nvcc on PATH, in PATH order. */
static void gather_path_nvccs(const struct wld_host *h, cJSON *facts)
{
    const char *path = wld_host_getenv(h, "PATH");
    cJSON *list = cJSON_AddArrayToObject(facts, "path_nvcc");
    if (!path)
        return;
    char *copy = wld_xstrdup(path), *save = NULL;
    for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        if (d[0] != '/' || cJSON_GetArraySize(list) >= 16)
            continue;
        char *cand = wld_xasprintf("%s/nvcc", d);
        if (wld_host_is_executable(h, cand)) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "path", cand);
            cJSON_AddItemToArray(list, e);
        }
        free(cand);
    }
    free(copy);
}

/* `nvcc --version`: its version, or how it failed to give one (nvcc_run.state, and the
 * last line it printed). */
static void run_nvcc(const struct wld_host *h, double timeout_ms, const char *nvcc, cJSON *facts)
{
    const char *argv[] = { nvcc, "--version", NULL };
    struct wld_proc_spec spec = { .argv = argv, .timeout_ms = timeout_ms };
    struct wld_proc_result res;
    char ver[32];
    wld_proc_run(h, &spec, &res);
    const char *ended = wld_proc_ending(&res);
    bool parsed = !ended && wld_nvcc_version_parse(res.out.data, ver, sizeof(ver)) == 0;
    cJSON *run = wld_fact_proc(facts, "nvcc_run",
                               ended         ? ended
                               : parsed      ? "ok"
                               : res.out.len ? "no_version"
                                             : "no_output",
                               &res);
    if (parsed) {
        cJSON_AddStringToObject(facts, "nvcc_version", ver);
    } else {
        char line[160];
        const struct wld_buf *b = res.err.len ? &res.err : &res.out;
        wld_str_line(b->data ? b->data : "", line, sizeof(line));
        char *shown = wld_str_printable(line, strlen(line));
        wld_host_unroot(h, shown);
        cJSON_AddStringToObject(run, "first_line", shown);
        free(shown);
    }
    cJSON_AddNumberToObject(facts, "deadline_ms", timeout_ms);
    wld_proc_result_release(&res);
}

void wld_toolkit_gather(const struct wld_host *h, double timeout_ms, cJSON *facts)
{
    char ver[32], *resolved = NULL, *nvcc = NULL;
    const char *home = wld_host_getenv(h, "CUDA_HOME");
    if (!home || !home[0])
        home = wld_host_getenv(h, "CUDA_PATH");
    if (home && home[0]) {
        cJSON_AddStringToObject(facts, "cuda_home", home);
        cJSON_AddBoolToObject(facts, "cuda_home_exists", wld_host_is_dir(h, home));
        if (wld_host_resolve(h, home, &resolved) == 0) {
            cJSON_AddStringToObject(facts, "cuda_home_resolved", resolved);
            free(resolved);
        }
        if (toolkit_version(h, home, ver, sizeof(ver)))
            cJSON_AddStringToObject(facts, "cuda_home_version", ver);
    }
    if (wld_host_is_dir(h, "/usr/local/cuda") &&
        wld_host_resolve(h, "/usr/local/cuda", &resolved) == 0) {
        cJSON_AddStringToObject(facts, "usr_local_cuda", resolved);
        free(resolved);
    }
    char **entries = NULL;
    cJSON *tks = cJSON_AddArrayToObject(facts, "toolkits");
    if (wld_host_list(h, "/usr/local", 256, &entries) == 0) {
        for (char **e = entries; *e; e++) {
            if (!wld_str_starts(*e, "cuda-"))
                continue;
            char *dir = wld_xasprintf("/usr/local/%s", *e);
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "path", dir);
            if (toolkit_version(h, dir, ver, sizeof(ver)))
                cJSON_AddStringToObject(t, "version", ver);
            cJSON_AddItemToArray(tks, t);
            free(dir);
        }
        wld_strv_free(entries);
    }
    gather_path_nvccs(h, facts);
    if (wld_host_find_command(h, "nvcc", &nvcc) == 0) {
        cJSON_AddStringToObject(facts, "nvcc", nvcc);
        run_nvcc(h, timeout_ms, nvcc, facts);
        free(nvcc);
    }
    /* The toolkit in use: what nvcc on PATH says, else CUDA_HOME's, else /usr/local/cuda's */
    const char *use = wld_fact_str(facts, "nvcc_version"), *from = "nvcc";
    if (!use) {
        use = wld_fact_str(facts, "cuda_home_version");
        from = "cuda_home";
    }
    if (!use && wld_fact_str(facts, "usr_local_cuda") &&
        toolkit_version(h, "/usr/local/cuda", ver, sizeof(ver))) {
        use = ver;
        from = "usr_local_cuda";
    }
    if (use) {
        cJSON_AddStringToObject(facts, "version", use);
        cJSON_AddStringToObject(facts, "version_from", from);
    }
}
