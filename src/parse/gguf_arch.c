/* A model's architecture without reading its whole header (see wld/gguf.h): the keys before
 * general.architecture are skipped, and a header that hides it past a bounded number of
 * keys and strings is given up on. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#include "gguf_cursor.h"

#define PEEK_KEYS    1024u /* keys looked at before giving up */
#define PEEK_STRINGS 8192u /* array strings stepped over (a vocabulary is far more) */
#define KEY_MAX      256u

static const uint8_t scalar_size[T_COUNT] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

/* Steps over a value of type t; *strings counts the strings stepped over. */
static bool skip_value(struct cur *c, uint64_t t, unsigned *strings)
{
    if (t == T_STRING)
        return ++*strings <= PEEK_STRINGS &&
               wld_gguf_rd_string_(c, "a string value", false, 0, NULL, NULL);
    if (t != T_ARRAY)
        return t < T_COUNT && wld_gguf_skip_(c, scalar_size[t], "a value");
    uint64_t at, n;
    if (!wld_gguf_rd_(c, 4, &at, "an array type") || !wld_gguf_rd_count_(c, &n, "an array length"))
        return false;
    if (at >= T_COUNT || at == T_ARRAY)
        return false;
    if (at != T_STRING)
        return n <= UINT64_MAX / 8 && wld_gguf_skip_(c, n * scalar_size[at], "an array");
    for (uint64_t i = 0; i < n; i++)
        if (!skip_value(c, T_STRING, strings))
            return false;
    return true;
}

static int peek(struct cur *c, char *buf, size_t n)
{
    uint64_t v, n_tensors, n_kv, t;
    const unsigned char *p = wld_gguf_take_(c, 4, "the magic");
    if (!p || memcmp(p, "GGUF", 4) != 0 || !wld_gguf_rd_(c, 4, &v, "the version") || v == 0 ||
        v > 3)
        return -EINVAL; /* big-endian files included: llama.cpp on x86-64 refuses them */
    c->v1 = v == 1;
    if (!wld_gguf_rd_count_(c, &n_tensors, "the tensor count") ||
        !wld_gguf_rd_count_(c, &n_kv, "the key count"))
        return -EINVAL;
    unsigned strings = 0;
    for (uint64_t i = 0; i < n_kv && i < PEEK_KEYS; i++) {
        char *key = NULL;
        uint64_t len = 0;
        if (!wld_gguf_rd_string_(c, "a key", true, KEY_MAX, &key, &len) ||
            !wld_gguf_rd_(c, 4, &t, "a value type")) {
            free(key);
            return -EINVAL;
        }
        bool arch = key && strcmp(key, "general.architecture") == 0;
        free(key);
        if (arch) {
            char *s = NULL;
            if (t != T_STRING || !wld_gguf_rd_string_(c, "a string value", true, n - 1, &s, &len))
                return -EINVAL;
            if (!s)
                return -ENAMETOOLONG;
            /* llama.cpp compares the whole string: "qwen3\0moe" is no name it knows, and
             * must not read as "qwen3" */
            bool whole = strlen(s) == len;
            if (whole)
                memcpy(buf, s, (size_t) len + 1);
            free(s);
            return whole ? 0 : -EINVAL;
        }
        if (!skip_value(c, t, &strings))
            return strings > PEEK_STRINGS ? -E2BIG : -EINVAL;
    }
    return n_kv > PEEK_KEYS ? -E2BIG : -ENOENT;
}

int wld_gguf_peek_arch(const struct wld_reader *r, char *buf, size_t n)
{
    struct wld_gguf g = { 0 };
    struct cur *c = wld_xcalloc(1, sizeof(*c));
    c->r = r;
    c->g = &g;
    int rc = n ? peek(c, buf, n) : -EINVAL;
    free(c);
    return rc;
}
