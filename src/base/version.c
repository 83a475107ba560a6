/* Dotted version parsing and comparison (see wld/version.h). */
#include "wld/version.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

int wld_version_parse(const char *s, struct wld_version *ret, const char **ret_end)
{
    struct wld_version v = { 0 };
    while (*s == ' ' || *s == '\t')
        s++;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    for (;;) {
        unsigned long x = 0;
        if (*s < '0' || *s > '9')
            break;
        while (*s >= '0' && *s <= '9') {
            if (x > (ULONG_MAX - 9) / 10)
                return -EINVAL;
            x = x * 10 + (unsigned long) (*s - '0');
            s++;
        }
        if (v.n < WLD_VERSION_MAX_PARTS)
            v.part[v.n++] = x;
        if (*s != '.' || s[1] < '0' || s[1] > '9')
            break;
        s++;
    }
    *ret = v;
    if (ret_end)
        *ret_end = s;
    return 0;
}

int wld_version_cmp(const struct wld_version *a, const struct wld_version *b)
{
    unsigned n = a->n > b->n ? a->n : b->n;
    for (unsigned i = 0; i < n; i++) {
        unsigned long x = i < a->n ? a->part[i] : 0;
        unsigned long y = i < b->n ? b->part[i] : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

int wld_version_cmp_str(const char *a, const char *b)
{
    struct wld_version va, vb;
    int ra = a ? wld_version_parse(a, &va, NULL) : -EINVAL;
    int rb = b ? wld_version_parse(b, &vb, NULL) : -EINVAL;
    if (ra < 0 || rb < 0) /* an unparsable version sorts first; two are equal */
        return ra < 0 && rb < 0 ? 0 : ra < 0 ? -1 : 1;
    return wld_version_cmp(&va, &vb);
}

void wld_version_format(const struct wld_version *v, char *out, size_t n)
{
    size_t off = 0;
    if (n == 0)
        return;
    out[0] = '\0';
    for (unsigned i = 0; i < v->n && off < n; i++) {
        int w = snprintf(out + off, n - off, i ? ".%lu" : "%lu", v->part[i]);
        if (w < 0)
            return;
        off += (size_t) w;
    }
}
