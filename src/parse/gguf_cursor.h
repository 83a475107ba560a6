/* Private to the GGUF reader: a buffered, bounded cursor over a reader. */
#ifndef WLD_GGUF_CURSOR_H
#define WLD_GGUF_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gguf_values.h"

#define GGUF_MAX_STRING    (1024ull * 1024 * 1024) /* GGUF_MAX_STRING_LENGTH */
#define GGUF_DEFAULT_ALIGN 32u
#define GGML_MAX_NAME      64u
#define GGML_MAX_DIMS      4u
#define WINDOW             (64u * 1024u)

struct cur {
    const struct wld_reader *r;
    uint64_t pos;
    bool be, v1;
    unsigned char win[WINDOW];
    uint64_t win_off;
    size_t win_len;
    struct wld_gguf *g;
};

/* Sets the reader's state and reason (wld_gguf_fail_) at the cursor; returns false. */
#define fail(c, ...) wld_gguf_fail_((c)->g, __VA_ARGS__)

uint64_t wld_gguf_remain_(const struct cur *c);
/* n <= WINDOW bytes at the cursor, or NULL (and a reason) at the end of the file. */
const unsigned char *wld_gguf_take_(struct cur *c, size_t n, const char *what);
uint64_t wld_gguf_decode_(const struct cur *c, const unsigned char *p, size_t n);
bool wld_gguf_rd_(struct cur *c, size_t n, uint64_t *ret, const char *what);
/* Counts and lengths: u32 in GGUFv1, u64 (read as int64 by llama.cpp) after. */
bool wld_gguf_rd_count_(struct cur *c, uint64_t *ret, const char *what);
bool wld_gguf_skip_(struct cur *c, uint64_t n, const char *what);
/* n strings (an array's) stepped over by their lengths: nothing read but the lengths,
 * nothing allocated, each length bounded as wld_gguf_rd_string_ bounds it. */
bool wld_gguf_skip_strings_(struct cur *c, uint64_t n, const char *what);
/* A string: copied (NUL-terminated) into *ret when keep and it is at most max bytes,
 * else skipped. *ret_len gets the length. */
bool wld_gguf_rd_string_(
        struct cur *c, const char *what, bool keep, uint64_t max, char **ret, uint64_t *ret_len);

/* An open-addressing set of strings, for llama.cpp's duplicate-key and duplicate-tensor
 * checks without its O(n^2) scan. Strings are borrowed. */
struct strset {
    const char **slot;
    size_t cap, n;
};
/* Adds s; false when it was there already. */
bool wld_gguf_strset_add_(struct strset *set, const char *s);

#endif
