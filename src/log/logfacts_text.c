/* The small parsers every extractor shares (see logfacts_impl.h): a value copied without
 * its quotes, a number, key=value, a size in GiB. Below the extractors and their table, so
 * none of them takes a name from a file that takes one back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"

void wld_log_copy(char *dst, size_t n, const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\'' ||
                       s[len - 1] == '"' || s[len - 1] == ','))
        len--;
    if (len >= n)
        len = n - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

void wld_log_set_first(char *dst, size_t n, const char *s, size_t len)
{
    if (!dst[0])
        wld_log_copy(dst, n, s, len);
}

bool wld_log_int(const char *s, int *out)
{
    char *e;
    long v = strtol(s, &e, 10);
    if (e == s || v < -1000000000L || v > 1000000000L)
        return false;
    *out = (int) v;
    return true;
}

bool wld_log_num(const char *s, double *out)
{
    char *e;
    double v = strtod(s, &e);
    if (e == s || !(v >= 0 && v < 1e15))
        return false;
    *out = v;
    return true;
}

const char *wld_log_after_eq(const char *p)
{
    p = wld_str_skip_space(p);
    if (*p != '=')
        return NULL;
    return wld_str_skip_space(p + 1);
}

bool wld_log_kv(const char *line, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = strstr(line, key); p; p = strstr(p + 1, key)) {
        if ((p != line && p[-1] != ' ') || p[kl] != '=')
            continue;
        const char *v = p + kl + 1;
        size_t len;
        if (*v == '"') {
            v++;
            const char *q = strchr(v, '"');
            len = q ? (size_t) (q - v) : strlen(v);
        } else {
            len = strcspn(v, " \t");
        }
        wld_log_copy(out, n, v, len);
        return true;
    }
    return false;
}

double wld_log_size_gib(const char *s)
{
    double total = 0;
    bool any = false;
    for (const char *p = s; *p;) {
        char *e;
        double v = strtod(p, &e);
        if (e == p) {
            p++;
            continue;
        }
        const char *u = wld_str_skip_space(e);
        double scale = wld_str_starts(u, "GiB")   ? 1
                       : wld_str_starts(u, "MiB") ? 1.0 / 1024
                       : wld_str_starts(u, "KiB") ? 1.0 / 1048576
                       : wld_str_starts(u, "TiB") ? 1024
                       : wld_str_starts(u, "B")   ? 1.0 / 1073741824
                                                  : 0;
        if (scale > 0 && v >= 0 && v < 1e9) {
            total += v * scale;
            any = true;
        }
        p = e;
    }
    return any ? total : -1;
}
