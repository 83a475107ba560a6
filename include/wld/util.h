/* Small helpers used everywhere: allocation that aborts on OOM, a growable byte
 * buffer with a size cap, and string utilities. */
#ifndef WLD_UTIL_H
#define WLD_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define WLD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A macro's value as a string literal: WLD_STR(4096) is "4096". */
#define WLD_STR_(x) #x
#define WLD_STR(x)  WLD_STR_(x)

/* Allocation: these abort the process on out-of-memory; callers never check. */
void *wld_xmalloc(size_t n);
void *wld_xcalloc(size_t n, size_t size);
void *wld_xrealloc(void *p, size_t n);
char *wld_xstrdup(const char *s);
char *wld_xstrndup(const char *s, size_t n);
/* n bytes, NUL bytes and all, and a NUL after them. */
char *wld_xmemdup(const void *s, size_t n);
/* printf into a new string; caller frees. */
char *wld_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *wld_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For functions that return -errno and say why: sets *err to a new message (freeing one
 * already there; the caller frees the last) and returns code. */
int wld_errorf(char **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A growable byte buffer. `data` is always NUL-terminated (len excludes it).
 * `cap` is a hard limit on len: appends past it are cut and `truncated` is set. */
struct wld_buf {
    char *data;
    size_t len;
    size_t alloc;
    size_t cap;
    bool truncated;
};

void wld_buf_init(struct wld_buf *b, size_t cap);
void wld_buf_release(struct wld_buf *b);
void wld_buf_append(struct wld_buf *b, const void *data, size_t n);
void wld_buf_puts(struct wld_buf *b, const char *s);
void wld_buf_printf(struct wld_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the string over to the caller (free with free()); the buffer is reset. */
char *wld_buf_detach(struct wld_buf *b);

/* Strings. */
/* a and b both strings and equal: for facts that may be absent or of another type. The
 * other comparisons are false for a NULL string too. */
bool wld_str_is(const char *a, const char *b);
bool wld_str_starts(const char *s, const char *prefix);
bool wld_str_ends(const char *s, const char *suffix);
bool wld_str_eq_nocase(const char *a, const char *b);
/* Returns a pointer into s past leading spaces/tabs. */
const char *wld_str_skip_space(const char *s);
/* Trims ASCII whitespace (including \r) at both ends, in place; returns s. */
char *wld_str_trim(char *s);
/* Levenshtein distance, case-insensitive, capped at 64 characters per side. */
unsigned wld_str_distance(const char *a, const char *b);
/* Copies src into dst (n bytes, n > 0), always NUL-terminated. Returns true when src did
 * not fit: the copy is then cut on a UTF-8 character boundary and, when n > 3, ends in
 * "..." so whoever reads it sees that it was shortened. */
bool wld_str_copy(char *dst, size_t n, const char *src);
/* Copies at most n-1 characters of the line starting at s (up to \n) into out. */
void wld_str_line(const char *s, char *out, size_t n);
/* Whether s is valid UTF-8 (RFC 3629: no overlong forms, surrogates, or code points past
 * U+10FFFF). */
bool wld_utf8_valid(const char *s);
/* A copy of s in which each byte that is not part of a valid UTF-8 sequence becomes
 * U+FFFD, and with controls, each control character but tab and line feed too (for text a
 * person reads on a terminal); caller frees. */
char *wld_utf8_fix(const char *s, bool controls);
/* Replaces control characters and invalid UTF-8 by '?' so hostile command
 * output can be shown to a person; returns a new string. */
char *wld_str_printable(const char *s, size_t n);

/* s as one shell word for a command a user copies: unchanged when it holds only
 * characters no shell treats specially (letters, digits, and _ . / ~ + - = : , @ %),
 * else in single quotes (a ' inside as '\''). Caller frees. */
char *wld_shell_quote(const char *s);
/* *path made absolute from the current directory when it is relative (a path the user
 * typed on the live host); left as it is when absolute, NULL or the cwd is unknown. */
void wld_path_from_cwd(char **path);

/* The directory part of a path ("/a/b/c" -> "/a/b", "/a" -> "/", "c" -> "."); caller
 * frees. */
char *wld_path_dirname(const char *path);

/* Reads fd until its end into b, or until b is full (b->truncated), waiting at most
 * timeout_ms in all when it would block (a pipe). Returns 0 or -errno (-ETIMEDOUT). */
int wld_read_fd(int fd, double timeout_ms, struct wld_buf *b);

/* A file the user named (--rules, --facts): a regular file, or a FIFO or pipe read until
 * its writer closes it, for at most timeout_ms (O_NONBLOCK: a FIFO with no writer never
 * blocks the open). Returns 0 with out filled (caller releases), or -errno: -EISDIR or
 * -EINVAL for what is neither (a directory, a device; *mode says what it is), -ETIMEDOUT,
 * -EFBIG past cap bytes. */
int wld_read_named_file(
        const char *path, size_t cap, double timeout_ms, struct wld_buf *out, unsigned *mode);

/* What a file is, for a sentence: "a FIFO", "a directory", "a character device"... */
const char *wld_file_type_name(unsigned mode);

/* Monotonic clock in milliseconds. */
double wld_now_ms(void);

/* A NULL-terminated array of strings freed, each string and the array (NULL is fine). */
void wld_strv_free(char **v);
/* v (NULL-terminated, or NULL) with a copy of s appended; the new array. */
char **wld_strv_push(char **v, const char *s);

/* What the parsers' byte-by-byte loops test, one load a byte (a table, where isalnum() is a
 * call and a locale's): WLD_ALNUM for an ASCII letter or digit, WLD_UNDERSCORE for '_',
 * WLD_NAME_PUNCT for '-' and '.', the other bytes of a host's or a program's name. */
enum { WLD_ALNUM = 1, WLD_UNDERSCORE = 2, WLD_NAME_PUNCT = 4 };
extern const unsigned char wld_bytes[256];

#endif
