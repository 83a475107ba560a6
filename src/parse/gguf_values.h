/* Private to the GGUF reader: the metadata values it kept (src/parse/gguf_values.c), and its
 * state. src/parse/gguf.c reads a file with src/parse/gguf_cursor.c and src/parse/gguf_tensors.c;
 * src/parse/gguf_hparams.c turns the values into hyperparameters; src/parse/gguf_types.c has ggml's
 * type tables. */
#ifndef WLD_GGUF_VALUES_H
#define WLD_GGUF_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wld/gguf.h"

/* GGUF value types (gguf_metadata_value_type). */
enum gguf_type {
    T_U8,
    T_I8,
    T_U16,
    T_I16,
    T_U32,
    T_I32,
    T_F32,
    T_BOOL,
    T_STRING,
    T_ARRAY,
    T_U64,
    T_I64,
    T_F64,
    T_COUNT
};
/* A stored metadata value: scalars always; strings up to KEEP_STRING_MAX; integer, float
 * and bool arrays up to KEEP_ARRAY_MAX elements. */
struct kv {
    char *key;
    uint32_t type, atype; /* atype: element type of an array */
    uint64_t n;           /* array length */
    bool neg;             /* an integer below zero */
    uint64_t u;           /* integers and bools (magnitude when neg) */
    double f;
    char *s;
    int64_t *arr; /* n values when kept, else NULL */
};

const struct kv *wld_gguf_find_(const struct wld_gguf *g, const char *key);
bool wld_gguf_is_int_(uint32_t t);
/* A non-negative integer value (any integer type), into *ret; false otherwise. */
bool wld_gguf_uint_of_(const struct kv *kv, uint64_t *ret);
void wld_gguf_kv_free_(struct kv *kv);
/* Sets the state and reason unless a reason is already there; returns false. */
bool wld_gguf_fail_(struct wld_gguf *g, enum wld_gguf_state st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The name of a GGUF value type ("u32"), "?" for another number. */
const char *wld_gguf_type_name_(uint32_t t);

#endif
