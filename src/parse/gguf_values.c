/* The metadata a GGUF file stores, as the reader kept it (struct kv, gguf_values.h): looked
 * up by key, as integers or strings; and the reader's state and reason. */
#include "gguf_values.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

const char *wld_gguf_state_name(enum wld_gguf_state s)
{
    static const char *const names[] = { "ok",        "not_gguf",      "unsupported", "invalid",
                                         "truncated", "split_missing", "io" };
    return (unsigned) s < WLD_ARRAY_SIZE(names) ? names[s] : "?";
}

bool wld_gguf_fail_(struct wld_gguf *g, enum wld_gguf_state st, const char *fmt, ...)
{
    va_list ap;
    if (g->state != WLD_GGUF_OK)
        return false;
    g->state = st;
    va_start(ap, fmt);
    vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
    va_end(ap);
    return false;
}

void wld_gguf_kv_free_(struct kv *kv)
{
    free(kv->key);
    free(kv->s);
    free(kv->arr);
}

bool wld_gguf_is_int_(uint32_t t)
{
    return t <= T_I32 || t == T_U64 || t == T_I64 || t == T_BOOL;
}

static struct kv *kvs_of(const struct wld_gguf *g)
{
    return g->kvs;
}

const struct kv *wld_gguf_find_(const struct wld_gguf *g, const char *key)
{
    for (size_t i = 0; i < g->n_kvs; i++)
        if (strcmp(kvs_of(g)[i].key, key) == 0)
            return &kvs_of(g)[i];
    return NULL;
}

bool wld_gguf_uint_of_(const struct kv *kv, uint64_t *ret)
{
    if (!kv || kv->type == T_ARRAY || !wld_gguf_is_int_(kv->type) || kv->neg)
        return false;
    *ret = kv->u;
    return true;
}

bool wld_gguf_get_uint(const struct wld_gguf *g, const char *key, uint64_t *ret)
{
    return wld_gguf_uint_of_(wld_gguf_find_(g, key), ret);
}

const char *wld_gguf_get_str(const struct wld_gguf *g, const char *key)
{
    const struct kv *kv = wld_gguf_find_(g, key);
    return kv && kv->type == T_STRING ? kv->s : NULL;
}

bool wld_gguf_get_array_len(const struct wld_gguf *g, const char *key, uint64_t *ret)
{
    const struct kv *kv = wld_gguf_find_(g, key);
    if (!kv || kv->type != T_ARRAY)
        return false;
    *ret = kv->n;
    return true;
}

const char *wld_gguf_type_name_(uint32_t t)
{
    static const char *const names[T_COUNT] = { "u8",  "i8",  "u16",  "i16",    "u32",
                                                "i32", "f32", "bool", "string", "array",
                                                "u64", "i64", "f64" };
    return t < T_COUNT ? names[t] : "?";
}
