/* The GGUF reader's cursor (see gguf_cursor.h): bytes through a window over a reader, every
 * length checked against what is left of the file, strings kept or skipped. */
#include "gguf_cursor.h"

#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

uint64_t wld_gguf_remain_(const struct cur *c)
{
    return c->pos < c->r->size ? c->r->size - c->pos : 0;
}

/* n <= WINDOW bytes at the cursor, or NULL (and a reason) at the end of the file. */
const unsigned char *wld_gguf_take_(struct cur *c, size_t n, const char *what)
{
    if (n > wld_gguf_remain_(c)) {
        fail(c, WLD_GGUF_INVALID, "the file ends inside %s (offset %llu)", what,
             (unsigned long long) c->pos);
        return NULL;
    }
    if (c->pos < c->win_off || c->pos + n > c->win_off + c->win_len) {
        int got = c->r->read(c->r, c->pos, c->win, WINDOW);
        if (got < 0 || (size_t) got < n) {
            fail(c, WLD_GGUF_IO, "read error at offset %llu: %s", (unsigned long long) c->pos,
                 got < 0 ? strerror(-got) : "short read");
            return NULL;
        }
        c->win_off = c->pos;
        c->win_len = (size_t) got;
    }
    const unsigned char *p = c->win + (c->pos - c->win_off);
    c->pos += n;
    return p;
}

uint64_t wld_gguf_decode_(const struct cur *c, const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t) p[c->be ? n - 1 - i : i] << (8 * i);
    return v;
}

bool wld_gguf_rd_(struct cur *c, size_t n, uint64_t *ret, const char *what)
{
    const unsigned char *p = wld_gguf_take_(c, n, what);
    if (!p)
        return false;
    *ret = wld_gguf_decode_(c, p, n);
    return true;
}

/* Counts and lengths: u32 in GGUFv1, u64 (read as int64 by llama.cpp) after. */
bool wld_gguf_rd_count_(struct cur *c, uint64_t *ret, const char *what)
{
    return wld_gguf_rd_(c, c->v1 ? 4 : 8, ret, what);
}

bool wld_gguf_skip_(struct cur *c, uint64_t n, const char *what)
{
    if (n > wld_gguf_remain_(c))
        return fail(c, WLD_GGUF_INVALID, "%s of %llu bytes exceeds the remaining file size", what,
                    (unsigned long long) n);
    c->pos += n;
    return true;
}

/* A count or length decoded from the window: u32 in GGUFv1, u64 after, in the file's byte
 * order. */
static inline uint64_t length_at(const struct cur *c, const unsigned char *p)
{
    uint32_t u32;
    uint64_t u64;
    if (!c->v1) {
        memcpy(&u64, p, 8);
        return c->be ? be64toh(u64) : le64toh(u64);
    }
    memcpy(&u32, p, 4);
    return c->be ? be32toh(u32) : le32toh(u32);
}

/* A string's length, checked against the maximum and what is left of the file. The length
 * is decoded in place when the window holds it (a vocabulary's 400,000 strings mostly do). */
static bool string_len(struct cur *c, const char *what, uint64_t *ret)
{
    size_t w = c->v1 ? 4 : 8;
    uint64_t len = 0;
    if (c->pos >= c->win_off && c->pos + w <= c->win_off + c->win_len) {
        len = length_at(c, c->win + (c->pos - c->win_off));
        c->pos += w;
    } else if (!wld_gguf_rd_count_(c, &len, what)) {
        return false;
    }
    if (len > GGUF_MAX_STRING)
        return fail(c, WLD_GGUF_INVALID, "%s length %llu exceeds the maximum %llu", what,
                    (unsigned long long) len, GGUF_MAX_STRING);
    if (len > wld_gguf_remain_(c))
        return fail(c, WLD_GGUF_INVALID, "%s length %llu exceeds the remaining file size", what,
                    (unsigned long long) len);
    *ret = len;
    return true;
}

/* The strings whose length and bytes the window holds are stepped over in place (a
 * vocabulary's 400,000 mostly are: about 10 instructions each); the one that crosses the
 * window's end goes through string_len, which reads on and checks it against the file. */
bool wld_gguf_skip_strings_(struct cur *c, uint64_t n, const char *what)
{
    size_t w = c->v1 ? 4 : 8;
    for (uint64_t i = 0; i < n;) {
        if (c->pos >= c->win_off && c->pos - c->win_off <= c->win_len) {
            size_t at = (size_t) (c->pos - c->win_off);
            const size_t win_len = c->win_len;
            const unsigned char *win = c->win;
            if (!c->v1 && !c->be) {
                /* the files of these years (GGUFv2+, little-endian): no test a string but
                 * the bounds, as most of a vocabulary's 400,000 strings take this path */
                while (i < n && win_len - at >= 8) {
                    uint64_t len;
                    memcpy(&len, win + at, 8);
                    len = le64toh(len);
                    if (len > GGUF_MAX_STRING || len > win_len - at - 8)
                        break;
                    at += 8 + (size_t) len;
                    i++;
                }
            } else {
                while (i < n && win_len - at >= w) {
                    uint64_t len = length_at(c, win + at);
                    if (len > GGUF_MAX_STRING || len > win_len - at - w)
                        break;
                    at += w + (size_t) len;
                    i++;
                }
            }
            c->pos = c->win_off + at;
            if (i == n)
                break;
        }
        uint64_t len = 0;
        if (!string_len(c, what, &len))
            return false;
        c->pos += len; /* string_len checked it against the file's size */
        i++;
    }
    return true;
}

/* A string: copied (NUL-terminated) into *ret when keep and it is at most max bytes,
 * else skipped. *ret_len gets the length. */
bool wld_gguf_rd_string_(
        struct cur *c, const char *what, bool keep, uint64_t max, char **ret, uint64_t *ret_len)
{
    uint64_t len = 0;
    if (!string_len(c, what, &len))
        return false;
    if (ret_len)
        *ret_len = len;
    if (!keep || len > max)
        return wld_gguf_skip_(c, len, what);
    char *s = wld_xmalloc((size_t) len + 1);
    for (uint64_t done = 0; done < len;) {
        size_t k = len - done > WINDOW ? WINDOW : (size_t) (len - done);
        const unsigned char *p = wld_gguf_take_(c, k, what);
        if (!p) {
            free(s);
            return false;
        }
        memcpy(s + done, p, k);
        done += k;
    }
    s[len] = '\0';
    *ret = s;
    return true;
}

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 1099511628211ull;
    return h;
}

/* Adds s; false when it was there already. */
bool wld_gguf_strset_add_(struct strset *set, const char *s)
{
    if (2 * (set->n + 1) > set->cap) {
        struct strset grown = { .cap = set->cap ? 2 * set->cap : 64 };
        grown.slot = wld_xcalloc(grown.cap, sizeof(*grown.slot));
        for (size_t i = 0; i < set->cap; i++)
            if (set->slot[i])
                wld_gguf_strset_add_(&grown, set->slot[i]);
        free(set->slot);
        *set = grown;
    }
    size_t i = hash(s) & (set->cap - 1);
    for (; set->slot[i]; i = (i + 1) & (set->cap - 1))
        if (strcmp(set->slot[i], s) == 0)
            return false;
    set->slot[i] = s;
    set->n++;
    return true;
}
