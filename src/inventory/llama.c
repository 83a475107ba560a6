/* The llama.cpp build behind a binary (see wld/llama.h): its build tree
 * (src/inventory/llama_tree.c), the libraries it loads, found by following DT_NEEDED as the
 * loader does, how CUDA reaches it (linked, built in, or a backend module beside it) and
 * the CUDA runtime it loads; what the checks read of that build, and its --list-devices
 * answer. Which binary it is, is src/inventory/llama_locate.c. */
#include "wld/llama.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/check.h"
#include "wld/elf.h"
#include "wld/ldpath.h"
#include "wld/parse.h"
#include "wld/proc.h"

#define MAX_OBJECTS 24
#define MAX_DIRS    64

/* ---- following DT_NEEDED as the loader does ---- */

static bool is_project_lib(const char *name)
{
    return wld_str_starts(name, "libggml") || wld_str_starts(name, "libllama") ||
           wld_str_starts(name, "libmtmd");
}

bool wld_llama_is_cuda_lib(const char *name)
{
    /* libnccl: ggml-cuda links NCCL for multi-GPU (GGML_CUDA_NCCL, on by default) */
    static const char *const prefixes[] = {
        "libcuda.",  "libcudart.", "libcublas.", "libcublasLt.",
        "libnvrtc.", "libnccl.",   "libnvidia-", "libggml-cuda."
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(prefixes); i++)
        if (wld_str_starts(name, prefixes[i]))
            return true;
    return false;
}

/* Appends the directories of a DT_RUNPATH/DT_RPATH string, $ORIGIN expanded. */
static size_t
add_search_path(const char *path, const char *origin, char **dirs, size_t n, size_t max)
{
    char *copy = wld_xstrdup(path), *save = NULL;
    for (char *t = strtok_r(copy, ":", &save); t && n < max; t = strtok_r(NULL, ":", &save)) {
        const char *rest = NULL;
        if (wld_str_starts(t, "$ORIGIN"))
            rest = t + strlen("$ORIGIN");
        else if (wld_str_starts(t, "${ORIGIN}"))
            rest = t + strlen("${ORIGIN}");
        if (rest)
            dirs[n++] = wld_xasprintf("%s%s", origin, rest);
        else if (t[0] == '/' && !strchr(t, '$'))
            dirs[n++] = wld_xstrdup(t); /* $LIB, $PLATFORM and relative entries: not followed */
    }
    free(copy);
    return n;
}

/* The loader's search for name needed by the object at path (its dynamic section dyn):
 * DT_RPATH (when there is no DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, then the ld.so.conf
 * and default directories. $ORIGIN is the directory of the executable with symlinks
 * resolved (the kernel's /proc/self/exe), but of a library as it was named, as glibc
 * does. Returns the host path found, or NULL. */
static char *resolve_needed(const struct wld_host *h,
                            const char *name,
                            const char *path,
                            bool executable,
                            const struct wld_elf_dynamic *dyn,
                            const cJSON *ldirs)
{
    char *dirs[MAX_DIRS];
    size_t n = 0;
    char *real = NULL;
    if (!executable || wld_host_resolve(h, path, &real) < 0)
        real = wld_xstrdup(path);
    char *origin = wld_path_dirname(real);
    free(real);
    if (dyn->runpath_is_rpath)
        n = add_search_path(dyn->runpath, origin, dirs, n, MAX_DIRS);
    const cJSON *d;
    cJSON_ArrayForEach(d, ldirs)
    {
        const char *from = wld_fact_str(d, "from");
        if (n < MAX_DIRS && from && strcmp(from, "LD_LIBRARY_PATH") == 0)
            dirs[n++] = wld_xstrdup(wld_fact_str(d, "dir"));
    }
    if (!dyn->runpath_is_rpath)
        n = add_search_path(dyn->runpath, origin, dirs, n, MAX_DIRS);
    cJSON_ArrayForEach(d, ldirs)
    {
        const char *from = wld_fact_str(d, "from");
        if (n < MAX_DIRS && from && strcmp(from, "LD_LIBRARY_PATH") != 0)
            dirs[n++] = wld_xstrdup(wld_fact_str(d, "dir"));
    }
    char *found = NULL;
    for (size_t i = 0; i < n; i++) {
        char *p = wld_xasprintf("%s/%s", dirs[i], name);
        struct stat st;
        if (!found && wld_host_stat(h, p, true, &st) == 0 && S_ISREG(st.st_mode))
            found = p;
        else
            free(p);
        free(dirs[i]);
    }
    free(origin);
    return found;
}

struct walk {
    const struct wld_host *h;
    const cJSON *ldirs;
    char *objects[MAX_OBJECTS];
    size_t n;
    cJSON *libs;
};

static bool seen(const struct walk *w, const char *path)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->objects[i], path) == 0)
            return true;
    return false;
}

static void add_lib(struct walk *w, const char *name, const char *needed_by, const char *path)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", name);
    cJSON_AddStringToObject(e, "needed_by", needed_by);
    if (path) {
        char *real = NULL;
        cJSON_AddStringToObject(e, "path", path);
        if (wld_host_resolve(w->h, path, &real) == 0 && strcmp(real, path) != 0)
            cJSON_AddStringToObject(e, "real", real);
        free(real);
    } else {
        cJSON_AddNullToObject(e, "path");
    }
    cJSON_AddItemToArray(w->libs, e);
}

/* Visits the objects breadth-first from the binary: its own libraries are followed, CUDA
 * libraries are recorded, system libraries are left to the loader. */
static void walk_needed(struct walk *w, const char *start, cJSON *facts)
{
    size_t first = w->n;
    if (w->n >= MAX_OBJECTS || seen(w, start))
        return;
    w->objects[w->n++] = wld_xstrdup(start);
    for (size_t i = first; i < w->n; i++) {
        struct wld_file_reader f;
        struct wld_elf_dynamic dyn;
        int r = wld_reader_open(w->h, w->objects[i], &f);
        if (r == 0) {
            r = wld_elf_dynamic(&f.r, &dyn);
            wld_reader_close(&f);
        }
        if (i == 0 && facts)
            cJSON_AddStringToObject(facts, "elf",
                                    r == 0 || r == -ENOENT ? "ok"
                                    : r == -EINVAL         ? "not_elf"
                                                           : wld_errno_name(-r));
        if (r < 0)
            continue;
        for (size_t k = 0; k < dyn.n_needed; k++) {
            const char *name = dyn.needed[k];
            if (!is_project_lib(name) && !wld_llama_is_cuda_lib(name))
                continue;
            char *path = resolve_needed(w->h, name, w->objects[i], i == 0, &dyn, w->ldirs);
            add_lib(w, name, w->objects[i], path);
            if (path && is_project_lib(name) && !seen(w, path) && w->n < MAX_OBJECTS)
                w->objects[w->n++] = path;
            else
                free(path);
        }
    }
}

/* ---- what the build contains ---- */

static const cJSON *lib_named(const cJSON *libs, const char *prefix, const char *needed_by)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, libs)
    {
        const char *name = wld_fact_str(l, "name");
        if (wld_str_starts(name, prefix) &&
            (!needed_by || wld_str_is(wld_fact_str(l, "needed_by"), needed_by)))
            return l;
    }
    return NULL;
}

/* Backend modules in the binary's directory, as ggml_backend_load_best() scans it:
 * libggml-<name>.so or libggml-<name>-<variant>.so. */
static void scan_modules(const struct wld_host *h, const char *bin, cJSON *facts, char **module)
{
    static const char *const others[] = {
        "vulkan", "hip", "sycl", "opencl", "musa", "cann", "rpc"
    };
    char *real = NULL, **entries = NULL;
    if (wld_host_resolve(h, bin, &real) < 0)
        real = wld_xstrdup(bin);
    char *dir = wld_path_dirname(real);
    cJSON *other = cJSON_AddArrayToObject(facts, "other_backends");
    if (wld_host_list(h, dir, 4096, &entries) == 0) {
        for (char **e = entries; *e; e++) {
            if (!wld_str_ends(*e, ".so") || !wld_str_starts(*e, "libggml-"))
                continue;
            const char *name = *e + strlen("libggml-");
            if (!*module && (strcmp(name, "cuda.so") == 0 || wld_str_starts(name, "cuda-")))
                *module = wld_xasprintf("%s/%s", dir, *e);
            for (size_t i = 0; i < WLD_ARRAY_SIZE(others); i++)
                if (wld_str_starts(name, others[i]) &&
                    (name[strlen(others[i])] == '.' || name[strlen(others[i])] == '-'))
                    cJSON_AddItemToArray(other, cJSON_CreateString(others[i]));
        }
        wld_strv_free(entries);
    }
    const char *extra = wld_host_getenv(h, "GGML_BACKEND_PATH");
    if (!*module && extra && strstr(extra, "cuda") && wld_host_exists(h, extra))
        *module = wld_xstrdup(extra);
    free(dir);
    free(real);
}

static void add_runtime(const cJSON *libs, const char *cuda_file, cJSON *facts)
{
    const cJSON *rt = lib_named(libs, "libcudart.so", cuda_file);
    if (!rt)
        return;
    const char *name = wld_fact_str(rt, "name");
    cJSON *o = cJSON_AddObjectToObject(facts, "runtime");
    cJSON_AddStringToObject(o, "needed", name);
    cJSON_AddNumberToObject(o, "major", atoi(name + strlen("libcudart.so.")));
    const char *path = wld_fact_str(rt, "path");
    const char *real = wld_fact_str(rt, "real") ? wld_fact_str(rt, "real") : path;
    if (path)
        cJSON_AddStringToObject(o, "path", path);
    const char *base = real ? strrchr(real, '/') : NULL;
    unsigned a, b, c = 0;
    int n = base ? sscanf(base, "/libcudart.so.%u.%u.%u", &a, &b, &c) : 0;
    char v[48];
    if (n == 3)
        snprintf(v, sizeof(v), "%u.%u.%u", a, b, c);
    else if (n == 2)
        snprintf(v, sizeof(v), "%u.%u", a, b);
    if (n >= 2)
        cJSON_AddStringToObject(o, "version", v);
}

static void classify(const struct wld_host *h, const char *bin, struct walk *w, cJSON *facts)
{
    const cJSON *libs = cJSON_GetObjectItemCaseSensitive(facts, "libs");
    cJSON *files = cJSON_AddArrayToObject(facts, "cuda_files");
    const char *mode = "none";
    char *module = NULL;
    const cJSON *l = lib_named(libs, "libggml-cuda", NULL);
    if (l && wld_fact_str(l, "path")) {
        mode = "linked";
        cJSON_AddItemToArray(files, cJSON_CreateString(wld_fact_str(l, "path")));
    } else if (!l && (l = lib_named(libs, "libcudart.so", NULL)) != NULL) {
        mode = "builtin"; /* CUDA compiled into the binary or libggml.so itself */
        cJSON_AddItemToArray(files, cJSON_CreateString(wld_fact_str(l, "needed_by")));
    } else if (l) {
        mode = "linked"; /* needed but not found: the loader will refuse to start */
    }
    scan_modules(h, bin, facts, &module);
    if (strcmp(mode, "none") == 0 && module) {
        mode = "module";
        cJSON_AddItemToArray(files, cJSON_CreateString(module));
        walk_needed(w, module, NULL); /* what the module needs, as dlopen() resolves it */
    }
    if (module)
        cJSON_AddStringToObject(facts, "module", module);
    cJSON_AddStringToObject(facts, "cuda", mode);
    const cJSON *first = cJSON_GetArrayItem(files, 0);
    if (first)
        add_runtime(libs, first->valuestring, facts);
    free(module);
}

int wld_llama_inspect(const struct wld_host *h,
                      const cJSON *located,
                      const cJSON *ldirs,
                      cJSON *facts)
{
    const char *found = wld_fact_str(located, "binary");
    if (!found)
        return -ENOENT;
    char *bin = wld_xstrdup(found);
    bool exists = wld_fact_bool(located, "binary_exists", false);
    cJSON_AddStringToObject(facts, "binary", bin);
    cJSON_AddStringToObject(facts, "found_by", wld_fact_str(located, "found_by"));
    cJSON_AddBoolToObject(facts, "binary_exists", exists);
    if (!exists) {
        free(bin);
        return 0;
    }
    /* ~/bin/llama-server -> ~/llama.cpp/build/bin/llama-server: the build is where the
     * file is, not where the link is */
    char *real = NULL;
    if (wld_host_resolve(h, bin, &real) == 0 && strcmp(real, bin) != 0)
        cJSON_AddStringToObject(facts, "binary_real", real);
    wld_llama_find_tree(h, real ? real : bin, facts);
    free(real);
    struct walk w = { .h = h, .libs = cJSON_AddArrayToObject(facts, "libs"), .ldirs = ldirs };
    walk_needed(&w, bin, facts);
    classify(h, bin, &w, facts);
    for (size_t i = 0; i < w.n; i++)
        free(w.objects[i]);
    free(bin);
    return 0;
}

const char *wld_llama_cuda_version(
        const cJSON *facts, bool compiler_first, const char **from, char *buf, size_t n)
{
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(facts, "runtime");
    const cJSON *cc_file = cJSON_GetObjectItemCaseSensitive(facts, "cuda_compiler");
    const char *lib = wld_fact_str(rt, "version");
    const char *probed =
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(facts, "load"), "cuda_runtime");
    const char *cc = wld_fact_str(cJSON_GetObjectItemCaseSensitive(facts, "cmake"),
                                  "CMAKE_CUDA_COMPILER_VERSION");
    const char *cc_where = "CMAKE_CUDA_COMPILER_VERSION in CMakeCache.txt";
    if (!cc && wld_fact_str(cc_file, "version")) {
        cc = wld_fact_str(cc_file, "version");
        cc_where = wld_fact_str(cc_file, "file");
    }
    /* what the build loads, most exact first; or what compiled it, for its PTX */
    const struct {
        const char *v, *where;
    } order[2][3] = {
        { { lib, wld_fact_str(rt, "path") },
          { probed, "cudaRuntimeGetVersion() of the runtime the CUDA backend loads" },
          { cc, cc_where } },
        { { cc, cc_where },
          { lib, wld_fact_str(rt, "path") },
          { probed, "cudaRuntimeGetVersion() of the runtime the CUDA backend loads" } },
    };
    const char *where = NULL, *v = NULL;
    for (size_t i = 0; i < 3 && !v; i++)
        if (order[compiler_first][i].v) {
            v = order[compiler_first][i].v;
            where = order[compiler_first][i].where;
        }
    if (!v && rt) {
        snprintf(buf, n, "%.0f", wld_fact_num(rt, "major", 0));
        v = buf;
        where = wld_fact_str(rt, "needed");
    }
    if (from)
        *from = where;
    return v;
}

void wld_llama_tree_vars(const cJSON *facts, struct wld_finding *f)
{
    const char *src = wld_fact_str(facts, "source_dir");
    const char *build = wld_fact_str(facts, "build_dir");
    char *src_owned = wld_xstrdup(src ? src : "~/llama.cpp");
    char *build_owned = build ? wld_xstrdup(build) : wld_xasprintf("%s/build", src_owned);
    wld_finding_var(f, "source_dir", src_owned);
    wld_finding_var(f, "build_dir", build_owned);
    char *qs = wld_shell_quote(src_owned), *qb = wld_shell_quote(build_owned);
    wld_finding_varf(f, "configure", "cmake -S %s -B %s", qs, qb);
    wld_finding_var(f, "build_q", qb);
    free(qs);
    free(qb);
    free(src_owned);
    free(build_owned);
}

void wld_llama_parse_run(const struct wld_host *h,
                         const struct wld_proc_result *r,
                         struct wld_llama_devices *d)
{
    struct wld_buf all;
    wld_buf_init(&all, r->out.len + r->err.len + 1);
    wld_buf_append(&all, r->out.data ? r->out.data : "", r->out.len);
    wld_buf_append(&all, "\n", 1);
    wld_buf_append(&all, r->err.data ? r->err.data : "", r->err.len);
    wld_host_unroot(h, all.data);
    wld_llama_devices_parse(all.data, d);
    wld_buf_release(&all);
}
