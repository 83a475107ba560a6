/* ollama as a runtime (see wld/runtimes.h): where each install is, its library directory
 * as ollama resolves it, its version, the CUDA backends it ships and the environment its
 * service runs with. Nothing here runs ollama but `ollama --version`, once per install and
 * only when the binary does not say its version itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/elf.h"
#include "wld/fatbin.h"
#include "wld/llama.h"
#include "wld/parse.h"
#include "wld/proc.h"
#include "wld/runtimes.h"

#include "ollama_impl.h"

#define BUILDINFO_CAP (64u * 1024u)

/* ---- where the installs are ---- */

struct install {
    char *binary;   /* host path as found */
    char *real;     /* its links followed */
    char *found_by; /* in words */
    const cJSON *server;
    const cJSON *unit;
};

static bool is_ollama(const char *path)
{
    const char *base = path ? strrchr(path, '/') : NULL;
    return base && strcmp(base + 1, "ollama") == 0;
}

static void add_install(
        const struct wld_host *h, struct install *in, size_t *n, const char *bin, char *found_by)
{
    char *real = NULL;
    if (*n >= WLD_RUNTIMES_MAX || !wld_host_is_executable(h, bin) ||
        wld_host_resolve(h, bin, &real) < 0) {
        free(found_by);
        return;
    }
    for (size_t i = 0; i < *n; i++)
        if (strcmp(in[i].real, real) == 0) { /* the same file, found again */
            free(real);
            free(found_by);
            return;
        }
    in[*n] = (struct install){ .binary = wld_xstrdup(bin), .real = real, .found_by = found_by };
    (*n)++;
}

static size_t find_installs(const struct wld_host *h,
                            const cJSON *servers,
                            const cJSON *services,
                            struct install *in)
{
    size_t n = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(servers, "servers"))
    {
        const char *exe = wld_fact_str(s, "exe");
        if (wld_str_is(wld_fact_str(s, "kind"), "ollama") && is_ollama(exe))
            add_install(h, in, &n, exe,
                        wld_xasprintf("running ollama serve (process %.0f)",
                                      wld_fact_num(s, "pid", 0)));
    }
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(services, "units"))
    {
        const char *exec = wld_fact_str(s, "exec");
        if (is_ollama(exec))
            add_install(h, in, &n, exec, wld_xasprintf("systemd unit %s", wld_fact_str(s, "name")));
    }
    char *path = NULL;
    if (wld_host_find_command(h, "ollama", &path) == 0)
        add_install(h, in, &n, path, wld_xstrdup("PATH"));
    free(path);
    add_install(h, in, &n, "/usr/local/bin/ollama", wld_xstrdup("/usr/local/bin"));
    add_install(h, in, &n, "/usr/bin/ollama", wld_xstrdup("/usr/bin"));
    /* each install's server and unit, whichever way it was found */
    for (size_t i = 0; i < n; i++) {
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(servers, "servers"))
        {
            char *r = NULL;
            const char *exe = wld_fact_str(s, "exe");
            if (!in[i].server && wld_str_is(wld_fact_str(s, "kind"), "ollama") && exe &&
                wld_host_resolve(h, exe, &r) == 0 && strcmp(r, in[i].real) == 0)
                in[i].server = s;
            free(r);
        }
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(services, "units"))
        {
            char *r = NULL;
            const char *exec = wld_fact_str(s, "exec");
            if (!in[i].unit && is_ollama(exec) && wld_host_resolve(h, exec, &r) == 0 &&
                strcmp(r, in[i].real) == 0)
                in[i].unit = s;
            free(r);
        }
    }
    return n;
}

/* ---- its library directory and backends ---- */

/* LibOllamaPath (discover/path.go, ml/path.go): ../lib/ollama from the binary's real
 * directory, else the development tree's build/lib/ollama beside it, else that directory. */
static char *lib_dir_of(const struct wld_host *h, const char *real)
{
    char *dir = wld_path_dirname(real), *up = wld_path_dirname(dir);
    char *c[2] = { wld_xasprintf("%s/lib/ollama", strcmp(up, "/") == 0 ? "" : up),
                   wld_xasprintf("%s/build/lib/ollama", dir) };
    char *found = NULL;
    for (size_t i = 0; i < 2; i++) {
        if (!found && wld_host_is_dir(h, c[i]))
            found = c[i];
        else
            free(c[i]);
    }
    free(up);
    if (!found)
        return dir;
    free(dir);
    return found;
}

/* The CUDA major in a backend's name: cuda_v12 and cuda_v12_avx -> 12; 0 for others. */
static unsigned name_major(const char *name)
{
    unsigned major = 0;
    return sscanf(name, "cuda_v%u", &major) == 1 ? major : 0;
}

/* A backend: its name, directory and the file that holds its CUDA code, inspected with
 * the loader's search that ollama gives its runner (the backend's directory, then
 * lib/ollama, before the host's own; llm/server.go sets LD_LIBRARY_PATH so). */
static void add_backend(const struct wld_host *h,
                        cJSON *backends,
                        const char *name,
                        const char *dir,
                        const char *lib_dir,
                        const char *file,
                        const cJSON *ldirs)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "name", name);
    cJSON_AddStringToObject(b, "dir", dir);
    cJSON *search = cJSON_CreateArray();
    const char *first[2] = { dir, lib_dir };
    for (size_t i = 0; i < (strcmp(dir, lib_dir) == 0 ? 1u : 2u); i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "dir", first[i]);
        cJSON_AddStringToObject(d, "from", "LD_LIBRARY_PATH");
        cJSON_AddItemToArray(search, d);
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, ldirs)
    {
        cJSON_AddItemToArray(search, cJSON_Duplicate(d, true));
    }
    cJSON *located = cJSON_CreateObject();
    cJSON_AddStringToObject(located, "binary", file);
    cJSON_AddStringToObject(located, "found_by", name);
    cJSON_AddBoolToObject(located, "binary_exists", wld_host_exists(h, file));
    cJSON *build = cJSON_AddObjectToObject(b, "build");
    wld_llama_inspect(h, located, search, build);
    unsigned major = name_major(name);
    if (!major) /* the flat layout: the runtime it needs says */
        major = (unsigned) wld_fact_num(cJSON_GetObjectItemCaseSensitive(build, "runtime"), "major",
                                        0);
    cJSON_AddNumberToObject(b, "cuda_major", major);
    /* its architectures, read once here: which backend 0.12.4 and later keep depends on
     * them (src/inventory/ollama_pick.c), and llama.arch judges them */
    cJSON *fatbin = cJSON_AddArrayToObject(b, "fatbin");
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(build, "cuda_files"))
    {
        if (cJSON_IsString(f))
            wld_fatbin_file_facts(h, f->valuestring, fatbin);
    }
    cJSON_AddItemToArray(backends, b);
    cJSON_Delete(located);
    cJSON_Delete(search);
}

/* 0.5.2 - 0.5.7: lib/ollama/runners/cuda_v11_avx/{ollama_llama_server, libggml_cuda_v11.so}. */
static void
runners_backends(const struct wld_host *h, const char *lib_dir, const cJSON *ldirs, cJSON *backends)
{
    char *runners = wld_xasprintf("%s/runners", lib_dir), **names = NULL;
    if (wld_host_list(h, runners, 64, &names) == 0) {
        for (char **e = names; *e; e++) {
            unsigned major = name_major(*e);
            if (!major)
                continue;
            char *dir = wld_xasprintf("%s/%s", runners, *e);
            char *file = wld_xasprintf("%s/libggml_cuda_v%u.so", dir, major);
            if (!wld_host_exists(h, file)) {
                free(file);
                file = wld_xasprintf("%s/ollama_llama_server", dir);
            }
            add_backend(h, backends, *e, dir, lib_dir, file, ldirs);
            free(file);
            free(dir);
        }
        wld_strv_free(names);
    }
    free(runners);
}

/* 0.3.x - 0.5.1 carry their runners inside the binary (extracted to a temporary directory
 * when serving): only the CUDA runtimes they load lie in lib/ollama, one per major. */
static void embedded_backends(const char *lib_dir, char **names, cJSON *backends)
{
    for (char **e = names; *e; e++) {
        unsigned major = 0;
        char rest;
        if (sscanf(*e, "libcudart.so.%u%c", &major, &rest) < 1 || major == 0)
            continue;
        char name[32];
        snprintf(name, sizeof(name), "cuda_v%u", major);
        if (cJSON_GetArraySize(backends) > 0 &&
            wld_str_is(wld_fact_str(cJSON_GetArrayItem(backends, cJSON_GetArraySize(backends) - 1),
                                    "name"),
                       name))
            continue; /* names are sorted: libcudart.so.12 and .12.4.99 follow each other */
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "name", name);
        cJSON_AddStringToObject(b, "dir", lib_dir);
        cJSON_AddNumberToObject(b, "cuda_major", major);
        cJSON_AddBoolToObject(b, "embedded", true);
        cJSON_AddItemToArray(backends, b);
    }
}

static bool listed(char **names, const char *name)
{
    for (char **e = names; e && *e; e++)
        if (strcmp(*e, name) == 0)
            return true;
    return false;
}

/* The layout of lib_dir and its backends (wld/runtimes.h). */
static const char *
read_layout(const struct wld_host *h, const char *lib_dir, const cJSON *ldirs, cJSON *backends)
{
    char **names = NULL;
    const char *layout = "none";
    if (wld_host_list(h, lib_dir, 1024, &names) < 0)
        return layout;
    char *flat = wld_xasprintf("%s/libggml-cuda.so", lib_dir);
    if (listed(names, "runners")) {
        layout = "runners";
        runners_backends(h, lib_dir, ldirs, backends);
    } else if (listed(names, "libggml-cuda.so")) {
        layout = "flat"; /* 0.9.3 - 0.11.10: CUDA 12 only, beside the CPU backends */
        add_backend(h, backends, "cuda", lib_dir, lib_dir, flat, ldirs);
    } else {
        for (char **e = names; *e; e++) {
            char *dir = wld_xasprintf("%s/%s", lib_dir, *e);
            char *file = wld_xasprintf("%s/libggml-cuda.so", dir);
            if (name_major(*e) && wld_host_exists(h, file)) {
                layout = "lib/ollama";
                add_backend(h, backends, *e, dir, lib_dir, file, ldirs);
            }
            free(file);
            free(dir);
        }
        if (strcmp(layout, "none") == 0) {
            embedded_backends(lib_dir, names, backends);
            if (cJSON_GetArraySize(backends) > 0)
                layout = "embedded";
            else if (listed(names, "libggml-base.so"))
                layout = "cpu";
        }
    }
    free(flat);
    wld_strv_free(names);
    return layout;
}

/* ---- its version ---- */

/* The module version in the binary's Go build info (a `go install` build's), read without
 * running it: the section's header and strings only. */
static bool version_from_buildinfo(const struct wld_host *h, const char *bin, char *v, size_t n)
{
    struct wld_file_reader f;
    uint64_t off, size;
    bool ok = false;
    if (wld_reader_open(h, bin, &f) < 0)
        return false;
    if (wld_elf_section(&f.r, ".go.buildinfo", &off, &size) == 0) {
        size_t len = size < BUILDINFO_CAP ? (size_t) size : BUILDINFO_CAP;
        unsigned char *data = wld_xmalloc(len ? len : 1);
        ok = wld_reader_exact(&f.r, off, data, len) &&
             wld_ollama_buildinfo_version(data, len, v, n) == 0;
        free(data);
    }
    wld_reader_close(&f);
    return ok;
}

/* The binary's own version in `ollama --version`'s output: "Warning: client version is X"
 * when a server of another version (or none: "Warning: could not connect to a running
 * Ollama instance") answered, else "ollama version is X". */
static bool parse_version_output(const char *text, char *v, size_t n)
{
    static const char *const marks[] = { "client version is ", "ollama version is ",
                                         "ollama version " };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(marks); i++) {
        const char *p = strstr(text, marks[i]);
        if (!p)
            continue;
        p += strlen(marks[i]);
        size_t l = strcspn(p, " \t\r\n");
        if (l == 0 || l >= n || *p < '0' || *p > '9')
            continue;
        memcpy(v, p, l);
        v[l] = '\0';
        return true;
    }
    return false;
}

static void read_version(const struct wld_host *h, const char *bin, double timeout_ms, cJSON *rt)
{
    char v[64];
    if (version_from_buildinfo(h, bin, v, sizeof(v))) {
        cJSON_AddStringToObject(rt, "version", v);
        cJSON_AddStringToObject(rt, "version_from", "Go build info");
        return;
    }
    const char *argv[] = { bin, "--version", NULL };
    struct wld_proc_spec spec = { .argv = argv, .timeout_ms = timeout_ms, .out_cap = 4096 };
    struct wld_proc_result r;
    wld_proc_run(h, &spec, &r);
    struct wld_buf all;
    wld_buf_init(&all, 8192);
    wld_buf_puts(&all, r.out.data ? r.out.data : "");
    wld_buf_puts(&all, "\n");
    wld_buf_puts(&all, r.err.data ? r.err.data : "");
    if (parse_version_output(all.data, v, sizeof(v))) {
        cJSON_AddStringToObject(rt, "version", v);
        cJSON_AddStringToObject(rt, "version_from", "ollama --version");
    } else {
        cJSON_AddStringToObject(rt, "version_error",
                                r.spawn_errno ? wld_errno_name(r.spawn_errno)
                                : r.timed_out ? "timed_out"
                                : r.exit_code ? "failed"
                                              : "unrecognised");
    }
    wld_buf_release(&all);
    wld_proc_result_release(&r);
}

/* ---- the runtime ---- */

static cJSON *runtime_of(const struct wld_host *h,
                         const struct install *in,
                         const cJSON *ldirs,
                         double timeout_ms)
{
    cJSON *rt = cJSON_CreateObject();
    cJSON_AddStringToObject(rt, "kind", "ollama");
    cJSON_AddStringToObject(rt, "found_by", in->found_by);
    cJSON_AddStringToObject(rt, "binary", in->binary);
    if (strcmp(in->real, in->binary) != 0)
        cJSON_AddStringToObject(rt, "binary_real", in->real);
    read_version(h, in->binary, timeout_ms, rt);
    const char *v = wld_fact_str(rt, "version");
    char *name = v ? wld_xasprintf("ollama %s", v) : wld_xstrdup("ollama");
    cJSON_AddStringToObject(rt, "name", name);
    free(name);
    char *lib_dir = lib_dir_of(h, in->real);
    cJSON_AddStringToObject(rt, "lib_dir", lib_dir);
    cJSON *backends = cJSON_CreateArray();
    cJSON_AddStringToObject(rt, "layout", read_layout(h, lib_dir, ldirs, backends));
    cJSON_AddItemToObject(rt, "backends", backends);
    free(lib_dir);
    wld_ollama_read_env(h, in->unit, in->server, cJSON_AddObjectToObject(rt, "env"), rt);
    return rt;
}

void wld_ollama_find(const struct wld_host *h,
                     const cJSON *servers,
                     const cJSON *services,
                     const cJSON *ldirs,
                     double timeout_ms,
                     cJSON *runtimes)
{
    struct install in[WLD_RUNTIMES_MAX];
    size_t n = find_installs(h, servers, services, in);
    for (size_t i = 0; i < n; i++) {
        cJSON *rt = runtime_of(h, &in[i], ldirs, timeout_ms);
        /* one install is "ollama"; several are told apart by where each lives */
        char *id = n == 1 ? wld_xstrdup("ollama") : wld_xasprintf("ollama:%s", in[i].binary);
        cJSON_AddStringToObject(rt, "id", id);
        free(id);
        cJSON_AddItemToArray(runtimes, rt);
        free(in[i].binary);
        free(in[i].real);
        free(in[i].found_by);
    }
}
