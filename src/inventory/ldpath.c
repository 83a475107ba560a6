/* The dynamic loader's search directories on a host (see wld/ldpath.h). */
#include "wld/ldpath.h"

#include <string.h>

#define MAX_CONF_FILES 256
#define MAX_DEPTH      4

static void add_dir(cJSON *dirs, const char *dir, const char *from)
{
    size_t n = strlen(dir);
    char *d = wld_xstrndup(dir, n);
    while (n > 1 && d[n - 1] == '/')
        d[--n] = '\0';
    if (!wld_ldpath_has(dirs, d)) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "dir", d);
        cJSON_AddStringToObject(o, "from", from);
        cJSON_AddItemToArray(dirs, o);
    }
    free(d);
}

static void read_conf(const struct wld_host *h, const char *path, cJSON *dirs, int depth);

/* "include /etc/ld.so.conf.d/ *.conf": ldconfig expands the pattern with glob(), which
 * sorts; only a '*' in the last component is supported here, as every distribution uses. */
static void read_include(const struct wld_host *h, const char *pattern, cJSON *dirs, int depth)
{
    const char *slash = strrchr(pattern, '/');
    const char *star = strchr(pattern, '*');
    if (!slash || !star || star < slash) {
        read_conf(h, pattern, dirs, depth + 1);
        return;
    }
    char *dir = wld_xstrndup(pattern, (size_t) (slash - pattern));
    char *prefix = wld_xstrndup(slash + 1, (size_t) (star - slash - 1));
    const char *suffix = star + 1;
    char **names = NULL;
    if (wld_host_list(h, dir[0] ? dir : "/", MAX_CONF_FILES, &names) == 0) {
        for (char **n = names; *n; n++) {
            if (!wld_str_starts(*n, prefix) || !wld_str_ends(*n, suffix) ||
                strlen(*n) < strlen(prefix) + strlen(suffix))
                continue;
            char *p = wld_xasprintf("%s/%s", dir, *n);
            read_conf(h, p, dirs, depth + 1);
            free(p);
        }
        wld_strv_free(names);
    }
    free(dir);
    free(prefix);
}

static void read_conf(const struct wld_host *h, const char *path, cJSON *dirs, int depth)
{
    struct wld_buf b;
    if (depth > MAX_DEPTH || wld_host_read(h, path, WLD_CAP_SMALL, &b) < 0)
        return;
    char line[1024];
    for (const char *s = b.data; *s;) {
        wld_str_line(s, line, sizeof(line));
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        wld_str_trim(line);
        if (wld_str_starts(line, "include") && (line[7] == ' ' || line[7] == '\t'))
            read_include(h, wld_str_skip_space(line + 7), dirs, depth);
        else if (line[0] == '/')
            add_dir(dirs, line, path);
        const char *nl = strchr(s, '\n');
        s = nl ? nl + 1 : s + strlen(s);
    }
    wld_buf_release(&b);
}

void wld_ldpath_with_env(const struct wld_host *h, const cJSON *cache, cJSON *dirs)
{
    const char *env = wld_host_getenv(h, "LD_LIBRARY_PATH");
    for (const char *s = env; s && *s;) {
        const char *colon = strchr(s, ':');
        size_t n = colon ? (size_t) (colon - s) : strlen(s);
        char *d = wld_xstrndup(s, n);
        if (d[0] == '/')
            add_dir(dirs, d, "LD_LIBRARY_PATH");
        free(d);
        s = colon ? colon + 1 : s + n;
    }
    const cJSON *d;
    cJSON_ArrayForEach(d, cache)
    {
        add_dir(dirs, cJSON_GetObjectItemCaseSensitive(d, "dir")->valuestring,
                cJSON_GetObjectItemCaseSensitive(d, "from")->valuestring);
    }
}

void wld_ldpath_dirs(const struct wld_host *h, bool with_env, cJSON *dirs)
{
    cJSON *cache = with_env ? cJSON_CreateArray() : dirs;
    if (wld_host_exists(h, "/etc/ld.so.conf"))
        read_conf(h, "/etc/ld.so.conf", cache, 0);
    else
        read_include(h, "/etc/ld.so.conf.d/*.conf", cache, 0);
    static const char *const defaults[] = { "/lib/x86_64-linux-gnu",
                                            "/usr/lib/x86_64-linux-gnu",
                                            "/lib64",
                                            "/usr/lib64",
                                            "/lib",
                                            "/usr/lib" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(defaults); i++)
        add_dir(cache, defaults[i], "default");
    if (with_env) {
        wld_ldpath_with_env(h, cache, dirs);
        cJSON_Delete(cache);
    }
}

bool wld_ldpath_has(const cJSON *dirs, const char *dir)
{
    const cJSON *d;
    cJSON_ArrayForEach(d, dirs)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "dir");
        if (cJSON_IsString(v) && strcmp(v->valuestring, dir) == 0)
            return true;
    }
    return false;
}

char *wld_ldpath_real(const struct wld_host *h, const cJSON *dirs)
{
    struct wld_buf b;
    const cJSON *d;
    if (!h->fixture)
        return NULL;
    wld_buf_init(&b, 64 * 1024);
    cJSON_ArrayForEach(d, dirs)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, "dir");
        char *real = NULL;
        if (cJSON_IsString(v) && wld_host_is_dir(h, v->valuestring) &&
            wld_host_real_path(h, v->valuestring, &real) == 0)
            wld_buf_printf(&b, "%s%s", b.len ? ":" : "", real);
        free(real);
    }
    if (b.len == 0) {
        wld_buf_release(&b);
        return NULL;
    }
    return wld_buf_detach(&b);
}
