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

/* The numbers a log states are short and plain ("9120.00", "33/33", "8.6"): read here
 * digit by digit, as strtol and strtod would read them (leading blanks, a sign); what is not
 * plain (more digits than a double holds exactly, an exponent, hex, inf) is left to strtod.
 * A plain number with at most 15 digits is m / 10^k with both exact, so the one division
 * rounds as strtod does. strtod's generality costs a thousand instructions a number, on
 * lines that a long server log repeats at each load. */
static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    return s;
}

const char *wld_log_int_end(const char *s, int *out)
{
    const char *p = skip_blanks(s);
    bool neg = *p == '-';
    p += *p == '-' || *p == '+';
    if (*p < '0' || *p > '9')
        return NULL;
    long long v = 0;
    for (int d = 0; *p >= '0' && *p <= '9'; p++, d++)
        if (d < 11)
            v = v * 10 + (*p - '0');
        else
            v = 1LL << 40; /* out of range, whatever follows */
    if (neg)
        v = -v;
    if (v < -1000000000LL || v > 1000000000LL)
        return NULL;
    *out = (int) v;
    return p;
}

bool wld_log_int(const char *s, int *out)
{
    return wld_log_int_end(s, out) != NULL;
}

const char *wld_log_num_end(const char *s, double *out)
{
    static const double pow10[] = { 1,   1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
    const char *p = skip_blanks(s);
    unsigned long long m = 0;
    int digits = 0, frac = 0;
    const char *q = p;
    for (; *q >= '0' && *q <= '9'; q++, digits++)
        m = m * 10 + (unsigned) (*q - '0');
    if (*q == '.')
        for (q++; *q >= '0' && *q <= '9'; q++, digits++, frac++)
            m = m * 10 + (unsigned) (*q - '0');
    bool plain = digits > 0 && digits <= 15 && q[-1] != '.' && *q != 'e' && *q != 'E' &&
                 *q != 'x' && *q != 'X' && *q != 'p' && *q != 'P';
    if (plain) {
        *out = (double) m / pow10[frac];
        return q;
    }
    char *e;
    double v = strtod(s, &e); /* a sign, an exponent, hex, inf, many digits, "1." */
    if (e == s)
        return NULL;
    *out = v;
    return e;
}

bool wld_log_num(const char *s, double *out)
{
    double v;
    if (!wld_log_num_end(s, &v) || !(v >= 0 && v < 1e15))
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
