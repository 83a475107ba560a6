/* Parsers for what Windows programs print when WSL runs them through interop (see
 * wld/parse.h). Their labels are localized and their code page is the console's, so
 * values are found by position and shape: version numbers, registry value names (never
 * translated) and the columns nvidia-smi was asked for. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wld/parse.h"
#include "wld/util.h"

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static const char *next_line(const char *p, char *line, size_t n)
{
    wld_str_line(p, line, n);
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

int wld_reg_query_value(
        const char *text, const char *name, char *out, size_t n, char *type, size_t tn)
{
    char line[1024];
    size_t nl = strlen(name);
    if (n == 0 || nl == 0)
        return -EINVAL;
    for (const char *p = text; *p;) {
        p = next_line(p, line, sizeof(line));
        wld_str_trim(line);
        /* "    CurrentBuild    REG_SZ    22631": name, type and data set apart by spaces */
        if (strncasecmp(line, name, nl) != 0 || (line[nl] != ' ' && line[nl] != '\t'))
            continue;
        char *t = (char *) wld_str_skip_space(line + nl);
        if (strncmp(t, "REG_", 4) != 0)
            continue;
        size_t tl = strcspn(t, " \t");
        if (type && tn)
            wld_str_copy(type, tn, "");
        if (type && tn && tl < tn) {
            memcpy(type, t, tl);
            type[tl] = '\0';
        }
        const char *data = wld_str_skip_space(t + tl);
        if (wld_str_copy(out, n, data))
            return -E2BIG;
        return 0;
    }
    return -ENOENT;
}

/* The version number starting at s: up to four dot-separated numbers, at least min of
 * them. Returns its length, or 0. */
static size_t version_at(const char *s, unsigned parts[4], unsigned *count, unsigned min)
{
    const char *p = s;
    unsigned k = 0;
    while (k < 4 && is_digit(*p)) {
        unsigned long v = 0;
        const char *start = p;
        while (is_digit(*p) && p - start < 9)
            v = v * 10 + (unsigned) (*p++ - '0');
        if (is_digit(*p))
            return 0; /* a number too long for any version */
        parts[k++] = (unsigned) v;
        if (*p != '.' || !is_digit(p[1]))
            break;
        p++;
    }
    *count = k;
    return k >= min ? (size_t) (p - s) : 0;
}

int wld_winver_parse(const char *text, struct wld_winver *ret)
{
    /* "Microsoft Windows [Version 10.0.19045.3693]", "[versione 10.0...]", or in
     * cp866 / cp932 around the number: the first 10.0.BUILD[.UBR] not inside a longer word */
    for (const char *p = text; *p; p++) {
        if (!is_digit(*p) || (p > text && (is_digit(p[-1]) || p[-1] == '.')))
            continue;
        unsigned parts[4] = { 0 }, k = 0;
        size_t len = version_at(p, parts, &k, 3);
        /* Windows 10, 11 and their servers are all NT 10.0; a suffix ("-220531", DXCore's)
         * or a letter makes it another program's version */
        char after = p[len];
        if (len == 0 || parts[0] != 10 || parts[1] != 0 || parts[2] < 1000 || after == '-' ||
            after == '_' || (after >= 'a' && after <= 'z') || (after >= 'A' && after <= 'Z'))
            continue;
        memset(ret, 0, sizeof(*ret));
        ret->major = parts[0];
        ret->minor = parts[1];
        ret->build = parts[2];
        ret->has_ubr = k == 4;
        ret->ubr = k == 4 ? parts[3] : 0;
        return 0;
    }
    return -EINVAL;
}

/* The value of a "label: value" line: after its last ':' (or the full-width '：' of CJK
 * labels), trimmed; NULL when the line has none. */
static char *label_value(char *line)
{
    char *colon = strrchr(line, ':');
    char *wide = NULL;
    for (char *q = strstr(line, "\xEF\xBC\x9A"); q; q = strstr(q + 1, "\xEF\xBC\x9A"))
        wide = q;
    char *v = NULL;
    if (wide && (!colon || wide > colon))
        v = wide + 3;
    else if (colon)
        v = colon + 1;
    if (!v)
        return NULL;
    v = (char *) wld_str_skip_space(v);
    wld_str_trim(v);
    return v;
}

static bool only_version(const char *v, unsigned min, unsigned *k, unsigned parts[4])
{
    size_t len = version_at(v, parts, k, min);
    return len > 0 && v[len] == '\0';
}

int wld_wsl_version_parse(const char *text, struct wld_wsl_version *ret)
{
    /* WSL version, Kernel version, WSLg, MSRDC, Direct3D, DXCore, Windows version: the
     * order WSL prints them in every language (labels translated, values not) */
    char line[512];
    unsigned index = 0;
    memset(ret, 0, sizeof(*ret));
    for (const char *p = text; *p;) {
        p = next_line(p, line, sizeof(line));
        char *v = label_value(line);
        if (!v || !*v)
            continue;
        unsigned parts[4], k = 0;
        if (index == 0) {
            /* lines before the first version (a banner, a pasted prompt) are not values */
            if (!only_version(v, 3, &k, parts) || wld_str_copy(ret->wsl, sizeof(ret->wsl), v))
                continue;
        } else if (index == 1) {
            /* "5.15.90.1", "6.6.87.2-1" */
            size_t len = version_at(v, parts, &k, 3);
            if (len > 0 && (v[len] == '\0' || v[len] == '-'))
                wld_str_copy(ret->kernel, sizeof(ret->kernel), v);
        } else if (only_version(v, 4, &k, parts) && parts[0] >= 10) {
            /* the Windows version: the only four-part version after the kernel's (DXCore
             * has a suffix, the others three parts) */
            wld_str_copy(ret->windows, sizeof(ret->windows), v);
        }
        index++;
    }
    return index > 0 ? 0 : -EINVAL;
}

int wld_inf_driver_ver(const char *text, char *date, size_t dn, char *version, size_t vn)
{
    /* [Version] ... "DriverVer   = 11/18/2024,32.0.15.6636 ; comment" */
    char line[512];
    for (const char *p = text; *p;) {
        p = next_line(p, line, sizeof(line));
        char *s = (char *) wld_str_skip_space(line);
        if (strncasecmp(s, "DriverVer", 9) != 0)
            continue;
        s = (char *) wld_str_skip_space(s + 9);
        if (*s != '=')
            continue;
        s = (char *) wld_str_skip_space(s + 1);
        s[strcspn(s, ";")] = '\0';
        char *comma = strchr(s, ',');
        if (!comma)
            return -EINVAL;
        *comma = '\0';
        char *v = (char *) wld_str_skip_space(comma + 1);
        wld_str_trim(s);
        wld_str_trim(v);
        unsigned parts[4], k = 0;
        if (!only_version(v, 4, &k, parts) || wld_str_copy(date, dn, s) ||
            wld_str_copy(version, vn, v))
            return -EINVAL;
        return 0;
    }
    return -ENOENT;
}

int wld_nvidia_version_of_windows(const char *winver, char *out, size_t n)
{
    /* X.Y.C.D is NVIDIA's ((C - 10) * 10000 + D) / 100: 32.0.15.6636 is 566.36,
     * 9.18.13.4788 is 347.88 (facts.md 3, a convention NVIDIA does not document) */
    unsigned parts[4], k = 0;
    if (!winver || !only_version(winver, 4, &k, parts) || parts[2] < 10 || parts[3] > 9999 ||
        parts[2] > 100000)
        return -EINVAL;
    unsigned long v = (unsigned long) (parts[2] - 10) * 10000 + parts[3];
    int r = snprintf(out, n, "%lu.%02lu", v / 100, v % 100);
    return r > 0 && (size_t) r < n ? 0 : -E2BIG;
}
