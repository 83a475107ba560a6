/* Mount tables: /proc/self/mountinfo, and /proc/mounts as a fallback format. Lines that
 * are neither (a pasted prompt, a cut-off line) are skipped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

#define MAX_MOUNTS 8192

/* Decodes the octal escapes the kernel writes for space, tab, newline and backslash. */
static char *unescape(const char *s)
{
    char *out = wld_xmalloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            *o++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
            s += 4;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

static size_t split_ws(char *line, char **f, size_t max)
{
    size_t n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
        f[n++] = t;
    return n;
}

int wld_mounts_parse(const char *text, struct wld_mount **ret, size_t *ret_n)
{
    struct wld_mount *m = NULL;
    size_t n = 0;
    char line[4096];
    for (const char *p = text; *p && n < MAX_MOUNTS;) {
        wld_str_line(p, line, sizeof(line));
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
        char *f[64];
        size_t nf = split_ws(line, f, WLD_ARRAY_SIZE(f));
        const char *point = NULL, *type = NULL, *src = NULL, *opts = NULL;
        size_t dash = 0;
        for (size_t i = 6; i < nf; i++)
            if (strcmp(f[i], "-") == 0) {
                dash = i;
                break;
            }
        if (dash && nf >= dash + 3 && f[4][0] == '/') {
            point = f[4];
            type = f[dash + 1];
            src = f[dash + 2];
            opts = nf > dash + 3 ? f[dash + 3] : "";
        } else if (nf == 6 && f[1][0] == '/') {
            src = f[0];
            point = f[1];
            type = f[2];
            opts = f[3];
        } else {
            continue;
        }
        m = wld_xrealloc(m, (n + 1) * sizeof(*m));
        m[n].mount_point = unescape(point);
        m[n].fstype = wld_xstrdup(type);
        m[n].source = unescape(src);
        m[n].options = wld_xstrdup(opts);
        n++;
    }
    if (n == 0) {
        free(m);
        return -EINVAL;
    }
    *ret = m;
    *ret_n = n;
    return 0;
}

void wld_mounts_free(struct wld_mount *m, size_t n)
{
    for (size_t i = 0; m && i < n; i++) {
        free(m[i].mount_point);
        free(m[i].fstype);
        free(m[i].source);
        free(m[i].options);
    }
    free(m);
}

const struct wld_mount *wld_mount_for_path(const struct wld_mount *m, size_t n, const char *path)
{
    const struct wld_mount *best = NULL;
    size_t best_len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *mp = m[i].mount_point;
        size_t l = strlen(mp);
        if (strcmp(mp, "/") == 0)
            l = 0;
        else if (strncmp(path, mp, l) != 0 || (path[l] != '/' && path[l] != '\0'))
            continue;
        if (!best || l >= best_len) {
            best = &m[i];
            best_len = l;
        }
    }
    return best;
}
