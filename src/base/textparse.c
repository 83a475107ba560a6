/* Small line-oriented parsers: os-release, CUDA version strings, ldd output. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"
#include "wld/version.h"

int wld_osrelease_get(const char *text, const char *key, char *out, size_t n)
{
    char line[1024];
    size_t kl = strlen(key);
    if (n == 0)
        return -EINVAL;
    for (const char *p = text; *p;) {
        wld_str_line(p, line, sizeof(line));
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
        const char *s = wld_str_skip_space(line);
        if (strncmp(s, key, kl) != 0 || s[kl] != '=')
            continue;
        s += kl + 1;
        char quote = (*s == '"' || *s == '\'') ? *s++ : '\0';
        size_t i = 0;
        while (*s && i + 1 < n) {
            if (quote && *s == quote)
                break;
            if (quote == '"' && *s == '\\' && s[1])
                s++;
            out[i++] = *s++;
        }
        out[i] = '\0';
        if (!quote)
            wld_str_trim(out);
        return 0;
    }
    return -ENOENT;
}

static int copy_version(const char *s, char *out, size_t n)
{
    struct wld_version v;
    if (wld_version_parse(s, &v, NULL) < 0 || v.n < 2)
        return -EINVAL;
    wld_version_format(&v, out, n);
    return 0;
}

int wld_nvcc_version_parse(const char *text, char *out, size_t n)
{
    const char *p = strstr(text, "Cuda compilation tools, release ");
    if (!p)
        return -EINVAL;
    const char *v = strstr(p, ", V");
    if (v && copy_version(v + 3, out, n) == 0)
        return 0;
    return copy_version(p + strlen("Cuda compilation tools, release "), out, n);
}

int wld_cuda_version_file_parse(const char *text, char *out, size_t n)
{
    const char *p = strstr(text, "CUDA Version ");
    if (p)
        return copy_version(p + strlen("CUDA Version "), out, n);
    cJSON *doc = cJSON_Parse(text);
    if (!doc)
        return -EINVAL;
    const cJSON *cuda = cJSON_GetObjectItemCaseSensitive(doc, "cuda");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(cuda, "version");
    int r = cJSON_IsString(ver) ? copy_version(ver->valuestring, out, n) : -EINVAL;
    cJSON_Delete(doc);
    return r;
}

int wld_ldd_parse(const char *text, struct wld_ldd_lib **ret, size_t *ret_n)
{
    struct wld_ldd_lib *libs = NULL;
    size_t n = 0;
    char line[4096];
    if (strstr(text, "not a dynamic executable"))
        return -EINVAL;
    for (const char *p = text; *p && n < 1024;) {
        wld_str_line(p, line, sizeof(line));
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
        char *s = (char *) wld_str_skip_space(line);
        char *arrow = strstr(s, " => ");
        if (!arrow)
            continue; /* vdso and the dynamic loader carry no "=>" */
        *arrow = '\0';
        char *target = (char *) wld_str_skip_space(arrow + 4);
        wld_str_trim(s);
        if (!s[0] || strchr(s, ' '))
            continue;
        char *path = NULL;
        if (target[0] == '/') {
            char *paren = strstr(target, " (");
            if (paren)
                *paren = '\0';
            wld_str_trim(target);
            path = wld_xstrdup(target);
        } else if (!wld_str_starts(target, "not found")) {
            continue;
        }
        libs = wld_xrealloc(libs, (n + 1) * sizeof(*libs));
        libs[n].name = wld_xstrdup(s);
        libs[n].path = path;
        n++;
    }
    if (n == 0) {
        free(libs);
        return -EINVAL;
    }
    *ret = libs;
    *ret_n = n;
    return 0;
}

void wld_ldd_free(struct wld_ldd_lib *libs, size_t n)
{
    for (size_t i = 0; libs && i < n; i++) {
        free(libs[i].name);
        free(libs[i].path);
    }
    free(libs);
}

char **wld_dpkg_installed(const char *text, const char *const *prefixes)
{
    size_t n = 0, alloc = 8;
    char **out = wld_xcalloc(alloc, sizeof(char *));
    char pkg[256] = "", status[256] = "", line[512];
    for (const char *s = text;;) {
        bool end = *s == '\0';
        wld_str_line(s, line, sizeof(line));
        wld_str_trim(line);
        if (end || line[0] == '\0') { /* the end of a paragraph */
            bool wanted = false;
            for (const char *const *p = prefixes; *p && !wanted; p++)
                wanted = pkg[0] && wld_str_starts(pkg, *p);
            if (wanted && strcmp(status, "install ok installed") == 0) {
                if (n + 1 >= alloc)
                    out = wld_xrealloc(out, (alloc *= 2) * sizeof(char *));
                out[n++] = wld_xstrdup(pkg);
                out[n] = NULL;
            }
            pkg[0] = status[0] = '\0';
        } else if (wld_str_starts(line, "Package:")) {
            snprintf(pkg, sizeof(pkg), "%s", wld_str_skip_space(line + 8));
        } else if (wld_str_starts(line, "Status:")) {
            snprintf(status, sizeof(status), "%s", wld_str_skip_space(line + 7));
        }
        if (end)
            break;
        const char *nl = strchr(s, '\n');
        s = nl ? nl + 1 : s + strlen(s);
    }
    return out;
}

int wld_meminfo_kib(const char *text, const char *key, double *ret)
{
    size_t len = strlen(key);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, key, len) == 0 && line[len] == ':') {
            char *end = NULL;
            double v = strtod(line + len + 1, &end);
            if (end == line + len + 1 || !(v >= 0))
                return -ENOENT;
            if (v > WLD_MEMINFO_MAX_KIB)
                return -ERANGE;
            *ret = v;
            return 0;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return -ENOENT;
}

bool wld_cmake_bool(const char *v, bool fallback)
{
    static const char *const yes[] = { "1", "ON", "YES", "TRUE", "Y" };
    static const char *const no[] = { "0", "OFF", "NO", "FALSE", "N", "IGNORE", "NOTFOUND", "" };
    if (!v)
        return fallback;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(yes); i++)
        if (wld_str_eq_nocase(v, yes[i]))
            return true;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(no); i++)
        if (wld_str_eq_nocase(v, no[i]))
            return false;
    return wld_str_ends(v, "-NOTFOUND") ? false : fallback;
}

int wld_cmake_set_get(const char *text, const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t ll = end ? (size_t) (end - line) : strlen(line);
        const char *p = wld_str_skip_space(line);
        if (strncmp(p, "set(", 4) == 0 && strncmp(p + 4, name, len) == 0 &&
            (p[4 + len] == ' ' || p[4 + len] == '\t')) {
            const char *v = wld_str_skip_space(p + 4 + len);
            const char *stop = memchr(v, ')', ll - (size_t) (v - line));
            if (stop) {
                if (*v == '"' && stop > v && stop[-1] == '"') { /* "VALUE" */
                    v++;
                    stop--;
                }
                if (stop >= v) {
                    snprintf(out, n, "%.*s", (int) (stop - v), v);
                    return 0;
                }
            }
        }
        line = end ? end + 1 : NULL;
    }
    return -ENOENT;
}

int wld_cmake_cache_get(const char *text, const char *name, char *out, size_t n)
{
    size_t len = strlen(name);
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t ll = end ? (size_t) (end - line) : strlen(line);
        if (ll > len && strncmp(line, name, len) == 0 && line[len] == ':') {
            const char *eq = memchr(line + len, '=', ll - len);
            if (eq) {
                size_t vl = ll - (size_t) (eq + 1 - line);
                while (vl > 0 && (eq[vl] == '\r' || eq[vl] == ' '))
                    vl--;
                snprintf(out, n, "%.*s", (int) vl, eq + 1);
                return 0;
            }
        }
        line = end ? end + 1 : NULL;
    }
    return -ENOENT;
}
