/* One llama-cpp-python install (src/inventory/pyenvs_impl.h): its version from the dist-info, the
 * directory its libllama.so is loaded from, and that library judged as a llama.cpp build.
 *
 * llama_cpp/llama_cpp.py loads lib/libllama.so with ctypes.CDLL and nothing else on
 * Linux: no preloading of CUDA libraries, no change of LD_LIBRARY_PATH
 * (llama_cpp/_ctypes_extensions.py, load_shared_library). What libllama.so needs is found
 * by the loader alone: RUNPATH $ORIGIN (llama-cpp-python's CMakeLists.txt) for the
 * package's own libraries, then the usual search for libcudart. So the CUDA runtime of pip's
 * nvidia-* wheels (site-packages/nvidia/cuda_runtime/lib), installed beside it by PyTorch,
 * is not what it loads unless LD_LIBRARY_PATH names it; the facts say which it is. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/check.h"
#include "wld/llama.h"
#include "wld/util.h"

#include "pyenvs_impl.h"

#define SITE_ENTRIES 8192 /* a site-packages listing: a large environment has ~2000 */
#define LIB_ENTRIES  256  /* llama_cpp/lib holds about ten files */

static const char dist_prefix[] = "llama_cpp_python-";

static bool is_file(const struct wld_host *h, const char *path)
{
    struct stat st;
    return wld_host_stat(h, path, true, &st) == 0 && S_ISREG(st.st_mode);
}

/* The value of the first "Key: value" line of a METADATA or PKG-INFO header, which ends
 * at its first empty line; caller frees. */
static char *header_value(const char *text, const char *key)
{
    size_t kl = strlen(key);
    const char *l = text;
    while (l && *l && *l != '\n' && *l != '\r') {
        if (strncmp(l, key, kl) == 0 && l[kl] == ':') {
            char line[128];
            wld_str_line(wld_str_skip_space(l + kl + 1), line, sizeof(line));
            return wld_xstrdup(wld_str_trim(line));
        }
        l = strchr(l, '\n');
        l = l ? l + 1 : NULL;
    }
    return NULL;
}

/* site's llama_cpp_python-X.dist-info (or .egg-info of an old setup.py install), by
 * name; NULL when there is none. Caller frees. */
static char *find_dist_info(const struct wld_host *h, const char *site, size_t *listed)
{
    struct wld_dirent *e = NULL;
    size_t n = 0;
    char *found = NULL;
    if (wld_host_list_entries(h, site, SITE_ENTRIES, &e, &n, NULL) < 0)
        return NULL;
    (*listed)++;
    for (size_t i = 0; i < n && !found; i++)
        if (wld_str_starts(e[i].name, dist_prefix) &&
            (wld_str_ends(e[i].name, ".dist-info") || wld_str_ends(e[i].name, ".egg-info")))
            found = wld_xasprintf("%s/%s", site, e[i].name);
    wld_dirents_free(e, n);
    return found;
}

/* "0.3.8" from METADATA's Version:, else from the directory's name, else from
 * llama_cpp/__init__.py's __version__; *from says which. Caller frees. */
static char *
read_version(const struct wld_host *h, const char *dist, const char *package, const char **from)
{
    struct wld_buf b;
    char *v = NULL;
    if (dist) {
        char *meta = wld_xasprintf("%s/%s", dist,
                                   wld_str_ends(dist, ".egg-info") ? "PKG-INFO" : "METADATA");
        if (wld_host_read(h, meta, WLD_CAP_SMALL, &b) == 0) {
            v = header_value(b.data, "Version");
            wld_buf_release(&b);
        }
        free(meta);
        *from = "METADATA";
        const char *base = strrchr(dist, '/') + 1 + strlen(dist_prefix);
        const char *end = strrchr(base, '.');
        if (!v && end > base) {
            v = wld_xstrndup(base, (size_t) (end - base));
            *from = "dist-info name";
        }
    }
    char *init = wld_xasprintf("%s/__init__.py", package);
    if (!v && wld_host_read(h, init, WLD_CAP_SMALL, &b) == 0) {
        const char *p = strstr(b.data, "__version__");
        char q = 0;
        p = p ? strpbrk(p, "\"'\n") : NULL;
        if (p && *p != '\n' && (q = *p) && strchr(p + 1, q)) {
            v = wld_xstrndup(p + 1, (size_t) (strchr(p + 1, q) - p - 1));
            *from = "llama_cpp/__init__.py";
        }
        wld_buf_release(&b);
    }
    free(init);
    /* a version is a short word; anything else is not one */
    if (v && (!*v || strlen(v) > 40 || strpbrk(v, " \t\"'"))) {
        free(v);
        v = NULL;
    }
    return v;
}

/* The installer (INSTALLER: "pip", "uv") and where the wheel came from when it was
 * installed from a URL (direct_url.json, PEP 610: a release asset such as
 * .../v0.3.16-cu124/llama_cpp_python-0.3.16-...whl), its user:password@ taken out. */
static void dist_facts(const struct wld_host *h, const char *dist, cJSON *r)
{
    struct wld_buf b;
    char *p = wld_xasprintf("%s/INSTALLER", dist);
    if (wld_host_read(h, p, 256, &b) == 0) {
        char line[64];
        wld_str_line(b.data, line, sizeof(line));
        if (*wld_str_trim(line))
            cJSON_AddStringToObject(r, "installer", line);
        wld_buf_release(&b);
    }
    free(p);
    p = wld_xasprintf("%s/direct_url.json", dist);
    if (wld_host_read(h, p, WLD_CAP_SMALL, &b) == 0) {
        cJSON *j = cJSON_Parse(b.data);
        const char *url = wld_fact_str(j, "url");
        if (url && strlen(url) < 1024) {
            char *clean = wld_xstrdup(url);
            char *auth = strstr(clean, "://");
            char *at = auth ? strchr(auth + 3, '@') : NULL;
            char *slash = auth ? strchr(auth + 3, '/') : NULL;
            if (at && (!slash || at < slash))
                memmove(auth + 3, at + 1, strlen(at + 1) + 1);
            cJSON_AddStringToObject(r, "direct_url", clean);
            free(clean);
        }
        if (wld_fact_bool(cJSON_GetObjectItemCaseSensitive(j, "dir_info"), "editable", false))
            cJSON_AddBoolToObject(r, "editable", true);
        cJSON_Delete(j);
        wld_buf_release(&b);
    }
    free(p);
}

/* Where libllama.so is: llama_cpp/lib since 0.2.80, llama_cpp/ itself before. */
static char *find_lib_dir(const struct wld_host *h, const char *package)
{
    char *lib = wld_xasprintf("%s/lib", package);
    char *p = wld_xasprintf("%s/libllama.so", lib);
    char *old = wld_xasprintf("%s/libllama.so", package);
    if (!is_file(h, p) && is_file(h, old)) {
        free(lib);
        lib = wld_xstrdup(package);
    }
    free(p);
    free(old);
    return lib;
}

/* libx.so, libx.so.0, libx.so.0.0.1: a shared object by its name. */
static bool is_shared_object(const char *name)
{
    const char *so = strstr(name, ".so");
    if (!so)
        return false;
    for (const char *p = so + 3; *p; p++)
        if (!(*p == '.' && p[1] >= '0' && p[1] <= '9') && !(*p >= '0' && *p <= '9'))
            return false;
    return true;
}

/* The shared libraries in lib_dir, by name: what the wheel installed. */
static void add_files(const struct wld_host *h, const char *lib_dir, cJSON *r, size_t *listed)
{
    struct wld_dirent *e = NULL;
    size_t n = 0;
    bool cut = false;
    cJSON *files = cJSON_AddArrayToObject(r, "files");
    if (wld_host_list_entries(h, lib_dir, LIB_ENTRIES, &e, &n, &cut) < 0)
        return;
    (*listed)++;
    for (size_t i = 0; i < n; i++)
        if (is_shared_object(e[i].name))
            cJSON_AddItemToArray(files, cJSON_CreateString(e[i].name));
    if (cut)
        cJSON_AddBoolToObject(r, "files_cut", true);
    wld_dirents_free(e, n);
}

/* The CUDA libraries of pip's nvidia-* wheels in this site-packages, and whether the
 * build loads them (the path wld_llama_inspect() resolved is theirs). */
static void add_pip_cuda(const struct wld_host *h, const char *site, cJSON *r)
{
    static const struct {
        const char *dir, *lib, *package;
    } wheels[] = {
        { "nvidia/cuda_runtime/lib", "libcudart.so.", "nvidia-cuda-runtime-cu" },
        { "nvidia/cublas/lib", "libcublas.so.", "nvidia-cublas-cu" },
    };
    const cJSON *build = cJSON_GetObjectItemCaseSensitive(r, "build");
    cJSON *out = NULL;
    for (size_t w = 0; w < WLD_ARRAY_SIZE(wheels); w++) {
        char *dir = wld_xasprintf("%s/%s", site, wheels[w].dir);
        char **names = NULL;
        if (wld_host_list(h, dir, 64, &names) == 0) {
            for (char **n = names; *n; n++) {
                const char *major = *n + strlen(wheels[w].lib);
                if (!wld_str_starts(*n, wheels[w].lib) || strchr(major, '.'))
                    continue; /* the SONAME: libcudart.so.12, not libcudart.so.12.4.127 */
                char *path = wld_xasprintf("%s/%s", dir, *n);
                bool used = false;
                const cJSON *l;
                cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(build, "libs"))
                {
                    used = used || wld_str_is(wld_fact_str(l, "path"), path);
                }
                if (!out)
                    out = cJSON_AddArrayToObject(r, "pip_cuda");
                cJSON *e = cJSON_CreateObject();
                char *pkg = wld_xasprintf("%s%s", wheels[w].package, major);
                cJSON_AddStringToObject(e, "package", pkg);
                cJSON_AddStringToObject(e, "lib", *n);
                cJSON_AddStringToObject(e, "path", path);
                cJSON_AddBoolToObject(e, "used", used);
                cJSON_AddItemToArray(out, e);
                free(pkg);
                free(path);
            }
            wld_strv_free(names);
        }
        free(dir);
    }
}

/* The environment's interpreter and pip, as the user would run them: bin/python3.12,
 * else bin/python3; the user site's is the system's. */
static void add_python(const struct wld_host *h, const struct wld_pyenv_site *s, cJSON *r)
{
    const char *bin_prefix = strcmp(s->env_kind, "user") == 0 ? "/usr" : s->prefix;
    char *cands[] = { wld_xasprintf("%s/bin/python%s", bin_prefix, s->pyver),
                      wld_xasprintf("%s/bin/python3", bin_prefix) };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(cands); i++) {
        if (!cJSON_GetObjectItemCaseSensitive(r, "python") && *s->pyver &&
            wld_host_exists(h, cands[i]))
            cJSON_AddStringToObject(r, "python", cands[i]);
        free(cands[i]);
    }
    char *pip = wld_xasprintf("%s/bin/pip", s->prefix);
    if (strcmp(s->env_kind, "user") != 0 && strcmp(s->env_kind, "system") != 0 &&
        wld_host_exists(h, pip))
        cJSON_AddStringToObject(r, "pip", pip);
    free(pip);
}

/* "~/.venv" for a path under the home, else the path. Caller frees. */
static char *short_path(const struct wld_host *h, const char *path)
{
    const char *home = wld_host_home(h);
    size_t hl = home ? strlen(home) : 0;
    if (hl > 1 && strncmp(path, home, hl) == 0 && (path[hl] == '/' || !path[hl]))
        return wld_xasprintf("~%s", path + hl);
    return wld_xstrdup(path);
}

cJSON *wld_pyenv_package(const struct wld_host *h,
                         const cJSON *ldirs,
                         const struct wld_pyenv_site *s,
                         size_t *listed)
{
    cJSON *r = cJSON_CreateObject();
    char *dist = find_dist_info(h, s->site, listed);
    const char *from = NULL;
    char *version = read_version(h, dist, s->package, &from);
    char *where = short_path(h, s->prefix);
    char *id = wld_xasprintf("python:%s", s->prefix);
    char *name = version ? wld_xasprintf("llama-cpp-python %s in %s", version, where)
                         : wld_xasprintf("llama-cpp-python in %s", where);
    cJSON_AddStringToObject(r, "kind", "python");
    cJSON_AddStringToObject(r, "id", id);
    cJSON_AddStringToObject(r, "name", name);
    cJSON_AddStringToObject(r, "found_by", s->found_by);
    if (version) {
        cJSON_AddStringToObject(r, "version", version);
        cJSON_AddStringToObject(r, "version_from", from);
    }
    cJSON_AddStringToObject(r, "prefix", s->prefix);
    cJSON_AddStringToObject(r, "env_kind", s->env_kind);
    add_python(h, s, r);
    if (*s->pyver)
        cJSON_AddStringToObject(r, "python_version", s->pyver);
    cJSON_AddStringToObject(r, "site_packages", s->site);
    cJSON_AddStringToObject(r, "package_dir", s->package);
    char *lib_dir = find_lib_dir(h, s->package);
    cJSON_AddStringToObject(r, "lib_dir", lib_dir);
    if (dist) {
        cJSON_AddStringToObject(r, "dist_info", dist);
        dist_facts(h, dist, r);
    }
    add_files(h, lib_dir, r, listed);
    /* libllama.so as llama.build judges a binary: a library need not be executable (pip
     * installs what the wheel's zip says), so a regular file is what "exists" means */
    cJSON *located = cJSON_CreateObject();
    char *lib = wld_xasprintf("%s/libllama.so", lib_dir);
    cJSON_AddStringToObject(located, "binary", lib);
    cJSON_AddStringToObject(located, "found_by", s->found_by);
    cJSON_AddBoolToObject(located, "binary_exists", is_file(h, lib));
    wld_llama_inspect(h, located, ldirs, cJSON_AddObjectToObject(r, "build"));
    add_pip_cuda(h, s->site, r);
    cJSON_Delete(located);
    free(lib);
    free(lib_dir);
    free(name);
    free(id);
    free(where);
    free(version);
    free(dist);
    return r;
}
