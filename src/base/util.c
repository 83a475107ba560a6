/* Allocation, buffers and string helpers (see wld/util.h). */
#include "wld/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    fputs("wsl-llm-doctor: out of memory\n", stderr);
    abort();
}

void *wld_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *wld_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

void *wld_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *wld_xstrdup(const char *s)
{
    return wld_xstrndup(s, strlen(s));
}

char *wld_xmemdup(const void *s, size_t n)
{
    char *p = wld_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *wld_xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = wld_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *wld_xvasprintf(const char *fmt, va_list ap)
{
    char *out = NULL;
    if (vasprintf(&out, fmt, ap) < 0)
        oom();
    return out;
}

char *wld_xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *out = wld_xvasprintf(fmt, ap);
    va_end(ap);
    return out;
}

int wld_errorf(char **err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    free(*err);
    *err = wld_xvasprintf(fmt, ap);
    va_end(ap);
    return code;
}

void wld_buf_init(struct wld_buf *b, size_t cap)
{
    b->alloc = 64;
    b->data = wld_xmalloc(b->alloc);
    b->data[0] = '\0';
    b->len = 0;
    b->cap = cap;
    b->truncated = false;
}

void wld_buf_release(struct wld_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void wld_buf_append(struct wld_buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        n = b->cap - b->len;
        b->truncated = true;
    }
    if (b->len + n + 1 > b->alloc) {
        size_t want = b->alloc;
        while (want < b->len + n + 1)
            want *= 2;
        b->data = wld_xrealloc(b->data, want);
        b->alloc = want;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void wld_buf_puts(struct wld_buf *b, const char *s)
{
    wld_buf_append(b, s, strlen(s));
}

void wld_buf_printf(struct wld_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = wld_xvasprintf(fmt, ap);
    va_end(ap);
    wld_buf_puts(b, s);
    free(s);
}

char *wld_buf_detach(struct wld_buf *b)
{
    char *s = b->data;
    b->data = NULL;
    b->len = b->alloc = 0;
    return s;
}

bool wld_str_is(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

bool wld_str_starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool wld_str_ends(const char *s, const char *suffix)
{
    if (!s)
        return false;
    size_t ls = strlen(s), lx = strlen(suffix);
    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

bool wld_str_eq_nocase(const char *a, const char *b)
{
    return a && b && strcasecmp(a, b) == 0;
}

const char *wld_str_skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

char *wld_str_trim(char *s)
{
    char *start = s;
    while (*start && isspace((unsigned char) *start))
        start++;
    size_t n = strlen(start);
    while (n > 0 && isspace((unsigned char) start[n - 1]))
        n--;
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

unsigned wld_str_distance(const char *a, const char *b)
{
    enum { MAXL = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la > MAXL)
        la = MAXL;
    if (lb > MAXL)
        lb = MAXL;
    unsigned row[MAXL + 1];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (unsigned) j;
    for (size_t i = 1; i <= la; i++) {
        unsigned diag = row[0];
        row[0] = (unsigned) i;
        for (size_t j = 1; j <= lb; j++) {
            unsigned up = row[j];
            unsigned cost = tolower((unsigned char) a[i - 1]) != tolower((unsigned char) b[j - 1]);
            unsigned best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

bool wld_str_copy(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len < n) {
        memcpy(dst, src, len + 1);
        return false;
    }
    size_t keep = n > 3 ? n - 4 : n - 1;
    /* never split a multi-byte character: back up over continuation bytes */
    while (keep > 0 && ((unsigned char) src[keep] & 0xC0) == 0x80)
        keep--;
    memcpy(dst, src, keep);
    if (n > 3) {
        memcpy(dst + keep, "...", 3);
        keep += 3;
    }
    dst[keep] = '\0';
    return true;
}

void wld_str_line(const char *s, char *out, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return;
    while (s[i] && s[i] != '\n' && s[i] != '\r' && i + 1 < n) {
        out[i] = s[i];
        i++;
    }
    out[i] = '\0';
}

/* Length of a valid UTF-8 sequence at s (max n bytes), or 0 if invalid. RFC 3629's
 * table: no overlong forms, no UTF-16 surrogates, nothing past U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (len > n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

bool wld_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t n = strlen(s);
    for (size_t i = 0, l; i < n; i += l)
        if ((l = utf8_len(p + i, n - i)) == 0)
            return false;
    return true;
}

/* A copy of the n bytes at p with each byte outside a valid UTF-8 sequence, and with
 * controls each control character but tab and line feed, replaced by replacement. */
static char *repair(const unsigned char *p, size_t n, bool controls, const char *replacement)
{
    struct wld_buf b;
    wld_buf_init(&b, SIZE_MAX / 2);
    for (size_t i = 0; i < n;) {
        size_t l = utf8_len(p + i, n - i);
        bool control = l == 1 && (p[i] < 0x20 || p[i] == 0x7f) && p[i] != '\t' && p[i] != '\n';
        if (l == 0 || (controls && control)) {
            wld_buf_puts(&b, replacement);
            i++;
            continue;
        }
        wld_buf_append(&b, p + i, l);
        i += l;
    }
    return wld_buf_detach(&b);
}

char *wld_utf8_fix(const char *s, bool controls)
{
    return repair((const unsigned char *) s, strlen(s), controls,
                  "\xEF\xBF\xBD"); /* U+FFFD REPLACEMENT CHARACTER */
}

char *wld_str_printable(const char *s, size_t n)
{
    return repair((const unsigned char *) s, strnlen(s, n), true, "?");
}

const char *wld_file_type_name(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFREG:
        return "a regular file";
    case S_IFDIR:
        return "a directory";
    case S_IFIFO:
        return "a FIFO (named pipe)";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFLNK:
        return "a symbolic link";
    default:
        return "an unknown kind of file";
    }
}

double wld_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

char *wld_shell_quote(const char *s)
{
    bool plain = s[0] != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = isalnum((unsigned char) *p) || strchr("_./~+-=:,@%", *p);
    if (plain)
        return wld_xstrdup(s);
    struct wld_buf b;
    wld_buf_init(&b, SIZE_MAX / 2);
    wld_buf_puts(&b, "'");
    for (const char *p = s; *p; p++)
        wld_buf_puts(&b, *p == '\'' ? "'\\''" : (char[]){ *p, '\0' });
    wld_buf_puts(&b, "'");
    return wld_buf_detach(&b);
}

char *wld_path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return wld_xstrdup(".");
    if (slash == path)
        return wld_xstrdup("/");
    return wld_xstrndup(path, (size_t) (slash - path));
}

int wld_read_fd(int fd, double timeout_ms, struct wld_buf *b)
{
    double deadline = wld_now_ms() + timeout_ms;
    char chunk[8192];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof(chunk));
        if (got > 0) {
            wld_buf_append(b, chunk, (size_t) got);
            if (b->truncated)
                return 0;
            continue;
        }
        if (got == 0)
            return 0;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN)
            return -errno;
        double left = deadline - wld_now_ms();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        poll(&p, 1, (int) left + 1);
    }
}

int wld_read_named_file(
        const char *path, size_t cap, double timeout_ms, struct wld_buf *out, unsigned *mode)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    *mode = 0;
    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
        *mode = st.st_mode;
        close(fd);
        return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
    }
    *mode = st.st_mode;
    wld_buf_init(out, cap);
    int r = wld_read_fd(fd, timeout_ms, out);
    close(fd);
    if (r == 0 && out->truncated)
        r = -EFBIG;
    if (r < 0)
        wld_buf_release(out);
    return r;
}

void wld_path_from_cwd(char **path)
{
    char cwd[4096];
    if (!*path || (*path)[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return;
    char *abs = wld_xasprintf("%s/%s", cwd, *path);
    free(*path);
    *path = abs;
}

void wld_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

char **wld_strv_push(char **v, const char *s)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    v = wld_xrealloc(v, (n + 2) * sizeof(char *));
    v[n] = wld_xstrdup(s);
    v[n + 1] = NULL;
    return v;
}

const unsigned char wld_bytes[256] = {
    ['a'] = WLD_ALNUM,     ['b'] = WLD_ALNUM, ['c'] = WLD_ALNUM,      ['d'] = WLD_ALNUM,
    ['e'] = WLD_ALNUM,     ['f'] = WLD_ALNUM, ['g'] = WLD_ALNUM,      ['h'] = WLD_ALNUM,
    ['i'] = WLD_ALNUM,     ['j'] = WLD_ALNUM, ['k'] = WLD_ALNUM,      ['l'] = WLD_ALNUM,
    ['m'] = WLD_ALNUM,     ['n'] = WLD_ALNUM, ['o'] = WLD_ALNUM,      ['p'] = WLD_ALNUM,
    ['q'] = WLD_ALNUM,     ['r'] = WLD_ALNUM, ['s'] = WLD_ALNUM,      ['t'] = WLD_ALNUM,
    ['u'] = WLD_ALNUM,     ['v'] = WLD_ALNUM, ['w'] = WLD_ALNUM,      ['x'] = WLD_ALNUM,
    ['y'] = WLD_ALNUM,     ['z'] = WLD_ALNUM, ['A'] = WLD_ALNUM,      ['B'] = WLD_ALNUM,
    ['C'] = WLD_ALNUM,     ['D'] = WLD_ALNUM, ['E'] = WLD_ALNUM,      ['F'] = WLD_ALNUM,
    ['G'] = WLD_ALNUM,     ['H'] = WLD_ALNUM, ['I'] = WLD_ALNUM,      ['J'] = WLD_ALNUM,
    ['K'] = WLD_ALNUM,     ['L'] = WLD_ALNUM, ['M'] = WLD_ALNUM,      ['N'] = WLD_ALNUM,
    ['O'] = WLD_ALNUM,     ['P'] = WLD_ALNUM, ['Q'] = WLD_ALNUM,      ['R'] = WLD_ALNUM,
    ['S'] = WLD_ALNUM,     ['T'] = WLD_ALNUM, ['U'] = WLD_ALNUM,      ['V'] = WLD_ALNUM,
    ['W'] = WLD_ALNUM,     ['X'] = WLD_ALNUM, ['Y'] = WLD_ALNUM,      ['Z'] = WLD_ALNUM,
    ['0'] = WLD_ALNUM,     ['1'] = WLD_ALNUM, ['2'] = WLD_ALNUM,      ['3'] = WLD_ALNUM,
    ['4'] = WLD_ALNUM,     ['5'] = WLD_ALNUM, ['6'] = WLD_ALNUM,      ['7'] = WLD_ALNUM,
    ['8'] = WLD_ALNUM,     ['9'] = WLD_ALNUM, ['_'] = WLD_UNDERSCORE, ['-'] = WLD_NAME_PUNCT,
    ['.'] = WLD_NAME_PUNCT
};
