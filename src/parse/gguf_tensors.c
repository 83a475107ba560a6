/* The tensor infos of a GGUF file (see gguf_tensors.h), checked as ggml's gguf.cpp checks
 * them: unique names, at most 4 dimensions, known types with whole blocks, offsets in
 * order, data within the file; the bytes of each layer counted for the fit. */
#include "gguf_tensors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#include "gguf_values.h"

bool wld_gguf_check_alignment_(struct cur *c)
{
    struct wld_gguf *g = c->g;
    const struct kv *a = wld_gguf_find_(g, "general.alignment");
    g->alignment = GGUF_DEFAULT_ALIGN;
    if (!a)
        return true;
    if (a->type != T_U32)
        return fail(c, WLD_GGUF_INVALID, "general.alignment has type %s, must be u32",
                    wld_gguf_type_name_(a->type));
    if (a->u == 0 || (a->u & (a->u - 1)) != 0)
        return fail(c, WLD_GGUF_INVALID, "alignment %llu is not a power of 2",
                    (unsigned long long) a->u);
    g->alignment = (uint32_t) a->u;
    return true;
}

/* Tensor accounting for one shard. */
struct tensors {
    struct strset *names;
    char (*store)[GGML_MAX_NAME];
    uint64_t running; /* Σ padded sizes: the offset the next tensor must have */
    uint64_t max_end; /* the furthest byte any tensor reaches, relative to data start */
    char max_name[GGML_MAX_NAME];
};

static void account(struct wld_gguf *g, const char *name, uint64_t nbytes)
{
    unsigned long il;
    char *end;
    g->tensor_bytes += nbytes;
    if (strncmp(name, "blk.", 4) == 0 && (il = strtoul(name + 4, &end, 10), *end == '.') &&
        il < g->n_layer)
        g->layer_bytes[il] += nbytes;
    else if (strncmp(name, "token_embd", 10) == 0 || strncmp(name, "position_embd", 13) == 0)
        g->embd_bytes += nbytes;
    else if (strncmp(name, "output", 6) == 0)
        g->output_bytes += nbytes;
    else
        g->other_bytes += nbytes;
    if (strcmp(name, "output.weight") == 0)
        g->tied_output = false;
}

static bool rd_tensor(struct cur *c, uint64_t i, struct tensors *ts)
{
    struct wld_gguf *g = c->g;
    char *name = NULL;
    uint64_t len, n_dims, ne[GGML_MAX_DIMS] = { 1, 1, 1, 1 }, t, off;
    if (!wld_gguf_rd_string_(c, "a tensor name", true, GGML_MAX_NAME - 1, &name, &len))
        return false;
    if (!name)
        return fail(c, WLD_GGUF_INVALID, "tensor %llu name is too long: %llu >= %u",
                    (unsigned long long) i, (unsigned long long) len, GGML_MAX_NAME);
    memcpy(ts->store[i], name, len + 1);
    free(name);
    name = ts->store[i];
    if (!wld_gguf_strset_add_(ts->names, name))
        return fail(c, WLD_GGUF_INVALID, "duplicate tensor name '%s'", name);
    if (!wld_gguf_rd_(c, 4, &n_dims, "a tensor's dimensions"))
        return false;
    if (n_dims > GGML_MAX_DIMS)
        return fail(c, WLD_GGUF_INVALID, "tensor '%s' has %llu dimensions, more than %u", name,
                    (unsigned long long) n_dims, GGML_MAX_DIMS);
    for (uint64_t j = 0; j < n_dims; j++) {
        if (!wld_gguf_rd_count_(c, &ne[j], "a tensor shape"))
            return false;
        if (ne[j] > INT64_MAX)
            return fail(c, WLD_GGUF_INVALID, "tensor '%s' has a negative dimension", name);
    }
    /* INT64_MAX / ne1 <= ne0 ... as gguf.cpp, so that nelements fits in int64 */
    uint64_t nel = ne[0];
    for (int j = 1; j < 4; j++) {
        if (ne[j] && nel && (uint64_t) INT64_MAX / ne[j] <= nel)
            return fail(c, WLD_GGUF_INVALID, "tensor '%s' has too many elements", name);
        nel *= ne[j];
    }
    if (!wld_gguf_rd_(c, 4, &t, "a tensor type"))
        return false;
    const struct wld_ggml_type *ty = wld_ggml_type((int) (t > INT32_MAX ? -1 : (int64_t) t));
    if (!ty)
        return fail(c, WLD_GGUF_INVALID,
                    "tensor '%s' has ggml type %llu, which this llama.cpp does not know (a newer "
                    "llama.cpp or a fork wrote it)",
                    name, (unsigned long long) t);
    if (!ty->blck)
        return fail(c, WLD_GGUF_INVALID, "tensor '%s' has ggml type %llu, removed from llama.cpp",
                    name, (unsigned long long) t);
    if (ne[0] % ty->blck)
        return fail(c, WLD_GGUF_INVALID,
                    "tensor '%s' of type %s: row of %llu elements is not a multiple of the "
                    "block size %u",
                    name, ty->name, (unsigned long long) ne[0], ty->blck);
    uint64_t nbytes;
    if (__builtin_mul_overflow(nel / ty->blck, (uint64_t) ty->size, &nbytes))
        return fail(c, WLD_GGUF_INVALID, "tensor '%s' is too large", name);
    if (!wld_gguf_rd_(c, 8, &off, "a tensor offset"))
        return false;
    if (off != ts->running)
        return fail(c, WLD_GGUF_INVALID, "tensor '%s' has offset %llu, expected %llu", name,
                    (unsigned long long) off, (unsigned long long) ts->running);
    uint64_t a = g->alignment, padded, end;
    if (__builtin_add_overflow(nbytes, a - 1, &padded) ||
        __builtin_add_overflow(ts->running, padded & ~(a - 1), &ts->running) ||
        __builtin_add_overflow(off, nbytes, &end))
        return fail(c, WLD_GGUF_INVALID, "tensor data size overflows at '%s'", name);
    if (end > ts->max_end) {
        ts->max_end = end;
        snprintf(ts->max_name, sizeof(ts->max_name), "%s", name);
    }
    g->n_params += nel;
    account(g, name, nbytes);
    return true;
}

bool wld_gguf_rd_tensors_(struct cur *c, uint64_t n_tensors)
{
    struct wld_gguf *g = c->g;
    struct strset names = { 0 };
    struct tensors ts = { .names = &names };
    ts.store = wld_xcalloc(n_tensors ? (size_t) n_tensors : 1, sizeof(*ts.store));
    bool ok = true;
    for (uint64_t i = 0; ok && i < n_tensors; i++)
        ok = rd_tensor(c, i, &ts);
    if (ok) {
        /* llama.cpp pads the end of the infos to the alignment, except with no tensors */
        uint64_t a = g->alignment, data = c->pos;
        if (n_tensors)
            data = (data + a - 1) & ~(a - 1);
        if (g->n_shards == 1)
            g->header_bytes = data;
        uint64_t end;
        if (__builtin_add_overflow(data, ts.max_end, &end) || end > c->r->size)
            ok = fail(c, WLD_GGUF_TRUNCATED,
                      "tensor '%s' data is not within the file bounds (needs %llu bytes, the "
                      "file has %llu): the model is corrupted or incomplete",
                      ts.max_name, (unsigned long long) end, (unsigned long long) c->r->size);
    }
    g->n_tensors += n_tensors;
    free(names.slot);
    free(ts.store);
    return ok;
}
