/* GGUF header reading (see wld/gguf.h). The checks and their messages follow ggml's
 * src/gguf.cpp (gguf_init_from_file_impl) and llama.cpp's model loader; gguf.md 1.4 lists
 * them. Values the doctor does not need (token lists, merges, chat templates) are skipped
 * with bounded seeks, never stored, so memory stays small whatever the vocabulary. */
#include "wld/gguf.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/filekind.h"
#include "wld/util.h"

#include "gguf_cursor.h"
#include "gguf_hparams.h"
#include "gguf_tensors.h"
#include "gguf_values.h"

#define GGUF_MAGIC      "GGUF"
#define GGUF_MAX_ARRAY  (1024ull * 1024 * 1024) /* GGUF_MAX_ARRAY_ELEMENTS */
#define KEY_MAX         (1024u * 1024u)         /* the doctor's own cap; spec: 65535 */
#define KEEP_STRING_MAX 512u                    /* longer string values are skipped */
#define KEEP_ARRAY_MAX  4096u                   /* longer arrays are skipped (vocabularies) */

static const uint8_t type_size[T_COUNT] = { 1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8 };

static bool is_signed_type(uint32_t t)
{
    return t == T_I8 || t == T_I16 || t == T_I32 || t == T_I64;
}

/* A scalar of type t, into kv (u/neg for integers, f for floats). */
static bool rd_scalar(struct cur *c, uint32_t t, struct kv *kv, const char *what)
{
    uint64_t raw;
    if (!wld_gguf_rd_(c, type_size[t], &raw, what))
        return false;
    if (t == T_F32) {
        float f;
        uint32_t w = (uint32_t) raw;
        memcpy(&f, &w, sizeof(f));
        kv->f = f;
    } else if (t == T_F64) {
        memcpy(&kv->f, &raw, sizeof(kv->f));
    } else if (t == T_BOOL) {
        kv->u = raw != 0; /* llama.cpp maps any non-zero byte to true */
    } else if (is_signed_type(t)) {
        unsigned bits = 8u * type_size[t];
        bool neg = bits < 64 ? (raw >> (bits - 1)) & 1 : (raw >> 63) & 1;
        uint64_t mask = bits < 64 ? (1ull << bits) - 1 : ~0ull;
        kv->neg = neg;
        kv->u = neg ? ((~raw & mask) + 1) & mask : raw;
        if (neg && kv->u == 0) /* the most negative value of 64 bits */
            kv->u = 1ull << 63;
    } else {
        kv->u = raw;
    }
    return true;
}

static bool rd_array(struct cur *c, struct kv *kv)
{
    uint64_t at, n;
    if (!wld_gguf_rd_(c, 4, &at, "an array type") || !wld_gguf_rd_count_(c, &n, "an array length"))
        return false;
    if (at >= T_COUNT || at == T_ARRAY)
        return fail(c, WLD_GGUF_INVALID, "key '%s' has invalid GGUF type %llu", kv->key,
                    (unsigned long long) at);
    if (n > GGUF_MAX_ARRAY)
        return fail(c, WLD_GGUF_INVALID, "array '%s' of %llu elements exceeds the maximum %llu",
                    kv->key, (unsigned long long) n, GGUF_MAX_ARRAY);
    kv->atype = (uint32_t) at;
    kv->n = n;
    /* llama.cpp: not enough bytes left for n elements (a string takes at least its u64
     * length) is an error before anything is allocated */
    uint64_t min = at == T_STRING ? (c->v1 ? 4 : 8) : type_size[at];
    if (n > wld_gguf_remain_(c) / min)
        return fail(c, WLD_GGUF_INVALID,
                    "array '%s' of %llu elements exceeds the remaining file size", kv->key,
                    (unsigned long long) n);
    if (at == T_STRING) /* tokens, merges: fit reads none of them */
        return wld_gguf_skip_strings_(c, n, "an array string");
    if (n > KEEP_ARRAY_MAX || !(wld_gguf_is_int_((uint32_t) at)))
        return wld_gguf_skip_(c, n * type_size[at], "an array");
    kv->arr = wld_xcalloc(n ? (size_t) n : 1, sizeof(*kv->arr));
    for (uint64_t i = 0; i < n; i++) {
        struct kv e = { 0 };
        if (!rd_scalar(c, (uint32_t) at, &e, "an array element"))
            return false;
        kv->arr[i] =
                e.neg ? -(int64_t) (e.u - 1) - 1 : (int64_t) (e.u > INT64_MAX ? INT64_MAX : e.u);
    }
    return true;
}

static bool rd_header(struct cur *c, uint64_t *n_tensors, uint64_t *n_kv)
{
    struct wld_gguf *g = c->g;
    if (c->r->size < 4)
        return fail(c, WLD_GGUF_NOT_GGUF, "%llu bytes: too short for a GGUF file",
                    (unsigned long long) c->r->size);
    const unsigned char *p = wld_gguf_take_(c, 4, "the magic");
    if (!p)
        return false;
    if (memcmp(p, GGUF_MAGIC, 4) != 0) {
        char text[8] = "";
        if (isprint(p[0]) && isprint(p[1]) && isprint(p[2]) && isprint(p[3]))
            snprintf(text, sizeof(text), " \"%c%c%c%c\"", p[0], p[1], p[2], p[3]);
        return fail(c, WLD_GGUF_NOT_GGUF, "no GGUF magic: it starts with %02x %02x %02x %02x%s",
                    p[0], p[1], p[2], p[3], text);
    }
    uint64_t v;
    if (!wld_gguf_rd_(c, 4, &v, "the version"))
        return false;
    if (v != 0 && (v & 0xFFFF) == 0) {
        /* a byte-swapped version: the file was written big-endian */
        c->be = true;
        g->big_endian = true;
        v = wld_gguf_decode_(c, c->win + (c->pos - 4 - c->win_off), 4);
    }
    g->version = (uint32_t) v;
    if (v == 0)
        return fail(c, WLD_GGUF_INVALID, "bad GGUF version 0");
    if (v > 3)
        return fail(c, WLD_GGUF_UNSUPPORTED, "GGUF version %u is newer than llama.cpp reads (1-3)",
                    g->version);
    c->v1 = v == 1;
    if (!wld_gguf_rd_count_(c, n_tensors, "the tensor count") ||
        !wld_gguf_rd_count_(c, n_kv, "the key count"))
        return false;
    if (*n_tensors > INT64_MAX || *n_kv > INT64_MAX)
        return fail(c, WLD_GGUF_INVALID, "number of %s is negative",
                    *n_tensors > INT64_MAX ? "tensors" : "key-value pairs");
    /* a key-value pair takes at least 8+1+4+1 bytes, a tensor info 8+1+4+4+8 (v1: 4+1+4+1,
     * 4+1+4+4+8): larger counts cannot be in the file */
    if (*n_kv > wld_gguf_remain_(c) / (c->v1 ? 10 : 14) ||
        *n_tensors > wld_gguf_remain_(c) / (c->v1 ? 21 : 25))
        return fail(c, WLD_GGUF_INVALID,
                    "%llu key-value pairs and %llu tensors cannot fit in %llu bytes",
                    (unsigned long long) *n_kv, (unsigned long long) *n_tensors,
                    (unsigned long long) c->r->size);
    return true;
}

/* The metadata section. keep: store the values (the first shard); later shards are only
 * checked. */
static bool rd_kvs(struct cur *c, uint64_t n_kv, bool keep)
{
    struct wld_gguf *g = c->g;
    struct strset keys = { 0 };
    struct kv *kvs = NULL;
    size_t n = 0;
    bool ok = true;

    for (uint64_t i = 0; ok && i < n_kv; i++) {
        struct kv kv = { 0 };
        uint64_t len, t;
        if (!(ok = wld_gguf_rd_string_(c, "a key", true, KEY_MAX, &kv.key, &len)))
            break;
        if (!kv.key) {
            ok = fail(c, WLD_GGUF_INVALID, "key %llu is %llu bytes long", (unsigned long long) i,
                      (unsigned long long) len);
            break;
        }
        kvs = wld_xrealloc(kvs, (n + 1) * sizeof(*kvs));
        kvs[n++] = kv;
        if (len == 0) {
            ok = fail(c, WLD_GGUF_INVALID, "key %llu is empty", (unsigned long long) i);
            break;
        }
        if (!wld_gguf_strset_add_(&keys, kvs[n - 1].key)) {
            ok = fail(c, WLD_GGUF_INVALID, "duplicate key '%s'", kv.key);
            break;
        }
        if (!(ok = wld_gguf_rd_(c, 4, &t, "a value type")))
            break;
        if (t >= T_COUNT) {
            ok = fail(c, WLD_GGUF_INVALID, "key '%s' has invalid GGUF type %llu", kv.key,
                      (unsigned long long) t);
            break;
        }
        struct kv *e = &kvs[n - 1];
        e->type = (uint32_t) t;
        if (t == T_ARRAY)
            ok = rd_array(c, e);
        else if (t == T_STRING)
            ok = wld_gguf_rd_string_(c, "a string value", true, KEEP_STRING_MAX, &e->s, NULL);
        else
            ok = rd_scalar(c, (uint32_t) t, e, "a value");
    }
    free(keys.slot);
    if (keep) {
        g->kvs = kvs;
        g->n_kvs = n;
    } else {
        for (size_t i = 0; i < n; i++)
            wld_gguf_kv_free_(&kvs[i]);
        free(kvs);
    }
    return ok;
}

static void parse_file(const struct wld_reader *r, struct wld_gguf *g, bool first)
{
    struct cur *c = wld_xcalloc(1, sizeof(*c));
    uint64_t n_tensors = 0, n_kv = 0;
    c->r = r;
    c->g = g;
    g->file_bytes += r->size;
    g->n_shards++;
    if (!rd_header(c, &n_tensors, &n_kv)) {
        if (g->state == WLD_GGUF_NOT_GGUF) {
            unsigned char head[WLD_FILEKIND_HEAD];
            size_t n = r->size < sizeof(head) ? (size_t) r->size : sizeof(head);
            if (n == 0 || wld_reader_exact(r, 0, head, n))
                wld_str_copy(g->kind, sizeof(g->kind), wld_file_kind(head, n, r->size));
        }
        goto out;
    }
    if (first) {
        g->n_kv = n_kv;
        if (c->v1)
            fail(c, WLD_GGUF_UNSUPPORTED,
                 "GGUFv1 is no longer supported by llama.cpp: convert the model again");
        else if (c->be)
            fail(c, WLD_GGUF_UNSUPPORTED,
                 "big-endian GGUF: llama.cpp on x86-64 cannot load it (mismatch between the host "
                 "and model endianness)");
    }
    /* v1 and big-endian files are still read, so the report can describe them; their
     * reason stays the one given, since it explains anything that follows */
    enum wld_gguf_state before = g->state;
    char reason[sizeof(g->reason)];
    memcpy(reason, g->reason, sizeof(reason));
    g->state = WLD_GGUF_OK;
    bool ok = rd_kvs(c, n_kv, first) && wld_gguf_check_alignment_(c);
    if (ok && first) {
        g->tied_output = true;
        ok = wld_gguf_resolve_(g);
    }
    if (ok)
        wld_gguf_rd_tensors_(c, n_tensors);
    if (before != WLD_GGUF_OK) {
        g->state = before;
        memcpy(g->reason, reason, sizeof(reason));
    }
out:
    free(c);
}

static void init(struct wld_gguf *g)
{
    memset(g, 0, sizeof(*g));
    g->file_type = -1;
}

void wld_gguf_parse(const struct wld_reader *r, struct wld_gguf *ret)
{
    init(ret);
    parse_file(r, ret, true);
}

bool wld_gguf_split_name(const char *path, unsigned *k, unsigned *n, size_t *prefix)
{
    size_t len = strlen(path);
    int used = 0;
    if (len < 20 || sscanf(path + len - 20, "-%5u-of-%5u.gguf%n", k, n, &used) != 2 || used != 20 ||
        *k < 1 || *n < 1 || *k > *n)
        return false;
    *prefix = len - 20;
    return true;
}

static void read_one(const struct wld_host *h, const char *path, struct wld_gguf *g, bool first)
{
    struct wld_file_reader fr;
    int r = wld_reader_open(h, path, &fr);
    struct stat st;
    if (r == -EINVAL && wld_host_stat(h, path, true, &st) == 0) {
        /* a FIFO would block a reader, a device is not a file: say which it is */
        g->state = WLD_GGUF_IO;
        snprintf(g->reason, sizeof(g->reason), "%s is %s, not a model file", path,
                 wld_file_type_name(st.st_mode));
        return;
    }
    if (r < 0) {
        g->state = WLD_GGUF_IO;
        snprintf(g->reason, sizeof(g->reason), "cannot read %s: %s", path, strerror(-r));
        return;
    }
    parse_file(&fr.r, g, first);
    wld_reader_close(&fr);
}

void wld_gguf_read(const struct wld_host *h, const char *path, struct wld_gguf *ret)
{
    unsigned k, n;
    size_t prefix;
    init(ret);
    if (!wld_gguf_split_name(path, &k, &n, &prefix) || n == 1) {
        read_one(h, path, ret, true);
        return;
    }
    /* a split model is read as one, whichever shard was named */
    for (unsigned i = 1; i <= n && ret->state == WLD_GGUF_OK; i++) {
        char *shard = wld_xasprintf("%.*s-%05u-of-%05u.gguf", (int) prefix, path, i, n);
        struct stat st;
        if (wld_host_stat(h, shard, true, &st) < 0) {
            ret->state = WLD_GGUF_SPLIT_MISSING;
            snprintf(ret->reason, sizeof(ret->reason), "shard %u of %u is missing: %s", i, n,
                     shard);
        } else {
            read_one(h, shard, ret, i == 1);
        }
        free(shard);
    }
    uint64_t count;
    if (ret->state == WLD_GGUF_OK && wld_gguf_get_uint(ret, "split.count", &count) && count != n) {
        ret->state = WLD_GGUF_INVALID;
        snprintf(ret->reason, sizeof(ret->reason),
                 "split.count is %llu but the file names say %u shards", (unsigned long long) count,
                 n);
    }
}

void wld_gguf_release(struct wld_gguf *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n_kvs; i++)
        wld_gguf_kv_free_((struct kv *) g->kvs + i);
    free(g->kvs);
    free(g->layer_bytes);
    free(g->n_head);
    free(g->n_head_kv);
    free(g->swa_layer);
    g->kvs = NULL;
    g->n_kvs = 0;
    g->layer_bytes = NULL;
    g->n_head = g->n_head_kv = NULL;
    g->swa_layer = NULL;
}
