/* Aho-Corasick over byte classes (see wld/acscan.h). The bytes that occur in no pattern
 * share one class, so a state's row of transitions has a slot per class, not per byte.
 *
 * Rows only for the shallow states: a scan spends nearly every byte within the first few
 * bytes of some pattern, and goes deeper only where the text follows one further. The
 * states are ranked breadth first; those of depth <= DENSE_DEPTH (the first n_dense ranks)
 * have a full row, the table's bulk (the log reader's 1077 such states of 6032 make 370
 * KiB of rows instead of 2 MiB). A deeper state keeps its children, ranked next to each
 * other, and its failure state: from it a byte goes to the child that has it, or is tried
 * again from the failure state, until a child takes it or a state with a row does.
 *
 * A transition is an int32: a row's offset (rank x classes) for a shallow state, or
 * AC_DEEP | rank for a deep one, flagged AC_HIT where the state or a suffix of it ends a
 * pattern. The scan's loop over rows stops at either flag. */
#include "wld/acscan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wld/hugemem.h"
#include "wld/util.h"

#define AC_HIT      ((int32_t) 1 << 30)
#define AC_DEEP     ((int32_t) 1 << 29)
#define AC_VALUE    (AC_DEEP - 1)
#define DENSE_DEPTH 6

struct ac_out {
    int id;
    int next; /* index into outs, or -1 */
};

struct wld_ac {
    uint8_t cls[256];
    int n_cls;
    /* the trie while adding: children by byte in a flat list */
    struct {
        int child, sibling, depth;
        unsigned char byte;
    } * trie;
    int n_states, alloc_states;
    int *out_head; /* per state: first own output, or -1 */
    int *out_link; /* per state: nearest suffix state with outputs, or -1 */
    struct ac_out *outs;
    int n_outs, alloc_outs;
    /* The trie and, after build, the arrays by rank are taken from one space, a huge page
     * where the kernel gives one: on a virtual machine that shadows page tables, a 4 KiB
     * page's first write costs more than ten microseconds, and these arrays span two
     * hundred of them. What does not fit in the space comes from malloc. */
    unsigned char *space;
    size_t space_used;
    void *block;
    size_t block_bytes;
    bool block_own; /* a wld_huge_alloc of its own */
    int n_dense;
    int32_t *delta;       /* n_dense x n_cls */
    int *state_at;        /* the state of that rank */
    int32_t *enc;         /* the transition into that rank */
    int32_t *fail_enc;    /* the transition into its failure state */
    int *first_child;     /* the rank of its first child; its children follow */
    uint16_t *n_children; /* as many as there are bytes */
    uint8_t *byte_at;     /* the byte that leads into it */
};

#define SPACE ((size_t) 2 << 20)

/* bytes from the space (zeroed: it is never written twice), or NULL when they do not fit */
static void *take(struct wld_ac *a, size_t bytes)
{
    bytes = (bytes + 15) & ~(size_t) 15;
    if (SPACE - a->space_used < bytes)
        return NULL;
    void *p = a->space + a->space_used;
    a->space_used += bytes;
    return p;
}

static void release(struct wld_ac *a, void *p)
{
    if (!p || ((unsigned char *) p >= a->space && (unsigned char *) p < a->space + SPACE))
        return;
    free(p);
}

/* old[0..n) into an array of cap elements of size bytes: the space's, or malloc's */
static void *grow(struct wld_ac *a, void *old, size_t n, size_t cap, size_t size)
{
    void *p = take(a, cap * size);
    if (!p)
        p = wld_xmalloc(cap * size);
    if (n)
        memcpy(p, old, n * size);
    release(a, old);
    return p;
}

static int new_state(struct wld_ac *a)
{
    if (a->n_states == a->alloc_states) {
        size_t n = (size_t) a->n_states;
        a->alloc_states = a->alloc_states ? a->alloc_states * 2 : 1024;
        a->trie = grow(a, a->trie, n, (size_t) a->alloc_states, sizeof(*a->trie));
        a->out_head = grow(a, a->out_head, n, (size_t) a->alloc_states, sizeof(int));
    }
    int s = a->n_states++;
    a->trie[s].child = a->trie[s].sibling = -1;
    a->trie[s].byte = 0;
    a->trie[s].depth = 0;
    a->out_head[s] = -1;
    return s;
}

struct wld_ac *wld_ac_new(void)
{
    struct wld_ac *a = wld_xcalloc(1, sizeof(*a));
    a->space = wld_huge_alloc(SPACE);
    new_state(a);
    return a;
}

void wld_ac_free(struct wld_ac *a)
{
    if (!a)
        return;
    release(a, a->trie);
    release(a, a->out_head);
    free(a->outs);
    if (a->block_own)
        wld_huge_free(a->block, a->block_bytes);
    wld_huge_free(a->space, SPACE);
    free(a);
}

static int trie_child(const struct wld_ac *a, int s, unsigned char c)
{
    for (int k = a->trie[s].child; k >= 0; k = a->trie[k].sibling)
        if (a->trie[k].byte == c)
            return k;
    return -1;
}

void wld_ac_add(struct wld_ac *a, const char *pat, size_t len, int id)
{
    int s = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) pat[i];
        int k = trie_child(a, s, c);
        if (k < 0) {
            k = new_state(a);
            a->trie[k].byte = c;
            a->trie[k].depth = (int) i + 1;
            a->trie[k].sibling = a->trie[s].child;
            a->trie[s].child = k;
        }
        s = k;
    }
    if (a->n_outs == a->alloc_outs) {
        a->alloc_outs = a->alloc_outs ? a->alloc_outs * 2 : 32;
        a->outs = wld_xrealloc(a->outs, (size_t) a->alloc_outs * sizeof(*a->outs));
    }
    a->outs[a->n_outs] = (struct ac_out){ .id = id, .next = a->out_head[s] };
    a->out_head[s] = a->n_outs++;
}

static int rank_of(const struct wld_ac *a, int32_t t)
{
    return t & AC_DEEP ? (int) (t & AC_VALUE) : (int) ((t & AC_VALUE) / a->n_cls);
}

/* The transition from t on byte c, when t leads to a deep state. */
static int32_t deep_step(const struct wld_ac *a, int32_t t, unsigned char c)
{
    while (t & AC_DEEP) {
        int q = (int) (t & AC_VALUE);
        for (int j = a->first_child[q], e = j + a->n_children[q]; j < e; j++)
            if (a->byte_at[j] == c)
                return a->enc[j];
        t = a->fail_enc[q];
    }
    return a->delta[(t & AC_VALUE) + a->cls[c]];
}

void wld_ac_build(struct wld_ac *a)
{
    /* byte classes: class 0 for every byte no pattern holds */
    memset(a->cls, 0, sizeof(a->cls));
    a->n_cls = 1;
    for (int s = 1; s < a->n_states; s++)
        if (!a->cls[a->trie[s].byte])
            a->cls[a->trie[s].byte] = (uint8_t) a->n_cls++;
    size_t n = (size_t) a->n_states;
    a->n_dense = 0;
    for (int s = 0; s < a->n_states; s++)
        a->n_dense += a->trie[s].depth <= DENSE_DEPTH;
    size_t dense = (size_t) a->n_dense * (size_t) a->n_cls;
    a->block_bytes = dense * sizeof(int32_t) + n * (5 * sizeof(int32_t) + sizeof(uint16_t) + 1);
    a->block = take(a, a->block_bytes); /* zeroed: the root's row too */
    if (!a->block) {
        a->block = wld_huge_alloc(a->block_bytes);
        a->block_own = true;
    }
    a->delta = a->block;
    a->enc = a->delta + dense;
    a->fail_enc = a->enc + n;
    a->state_at = (int *) (a->fail_enc + n);
    a->first_child = a->state_at + n;
    a->out_link = a->first_child + n;
    a->n_children = (uint16_t *) (a->out_link + n);
    a->byte_at = (uint8_t *) (a->n_children + n);
    /* rank, breadth first: the states of depth <= DENSE_DEPTH are the first n_dense */
    a->state_at[0] = 0;
    int n_ranked = 1;
    for (int q = 0; q < n_ranked; q++) {
        int s = a->state_at[q];
        a->first_child[q] = n_ranked;
        for (int k = a->trie[s].child; k >= 0; k = a->trie[k].sibling) {
            a->byte_at[n_ranked] = a->trie[k].byte;
            a->state_at[n_ranked++] = k;
            a->n_children[q]++;
        }
    }
    int32_t n_cls = a->n_cls;
    a->enc[0] = a->fail_enc[0] = 0;
    a->out_link[0] = -1;
    /* breadth first: a state's failure, outputs and row come from shallower states', all
     * done by then; a child's transition is known when its parent is reached (its hit
     * flag from its failure state, shallower than it, so already reached) */
    for (int q = 0; q < n_ranked; q++) {
        int s = a->state_at[q];
        int32_t fenc = a->fail_enc[q];
        if (q > 0) {
            int f = a->state_at[rank_of(a, fenc)];
            a->out_link[s] = a->out_head[f] >= 0 ? f : a->out_link[f];
        }
        int32_t *row = q < a->n_dense ? a->delta + (size_t) q * (size_t) n_cls : NULL;
        if (row && q > 0) /* the failure state is shallower: it has a row */
            memcpy(row, a->delta + (fenc & AC_VALUE), (size_t) n_cls * sizeof(int32_t));
        for (int j = a->first_child[q], e = j + a->n_children[q]; j < e; j++) {
            unsigned char b = a->byte_at[j];
            /* where the child's byte goes from this state's failure (the root's children
             * fail to the root) */
            a->fail_enc[j] = q == 0 ? 0 : deep_step(a, fenc, b);
            bool hit = a->out_head[a->state_at[j]] >= 0 || (a->fail_enc[j] & AC_HIT);
            a->enc[j] = (j < a->n_dense ? j * n_cls : AC_DEEP | j) | (hit ? AC_HIT : 0);
            if (row)
                row[a->cls[b]] = a->enc[j];
        }
    }
    release(a, a->trie); /* the trie is the ranks' now */
    a->trie = NULL;
}

/* The hot loop: from s[i], through shallow states, until one where patterns end, a deep
 * one, or the end of s; two loads a byte (its class, the next row) and a test of the
 * flags. Apart from the outputs' calls, so that its state stays in registers: with a call
 * in the same loop, the row went through the stack each byte, on the loop's one dependency
 * chain. */
static size_t run(const int32_t *delta,
                  const uint8_t *cls,
                  const unsigned char *s,
                  size_t i,
                  size_t n,
                  int32_t *row)
{
    int32_t r = *row;
    while (i < n) {
        r = delta[(r & AC_VALUE) + cls[s[i++]]];
        if (r & (AC_HIT | AC_DEEP))
            break;
    }
    *row = r;
    return i;
}

void wld_ac_scan(const struct wld_ac *a,
                 const char *s,
                 size_t n,
                 void (*hit)(void *ctx, int id, size_t end),
                 void *ctx)
{
    const unsigned char *u = (const unsigned char *) s;
    int32_t t = 0;
    size_t i = 0;
    while (i < n) {
        if (t & AC_DEEP)
            t = deep_step(a, t, u[i++]);
        else
            i = run(a->delta, a->cls, u, i, n, &t);
        if (!(t & AC_HIT))
            continue;
        int st = a->state_at[rank_of(a, t)];
        for (int k = a->out_head[st] >= 0 ? st : a->out_link[st]; k >= 0; k = a->out_link[k])
            for (int o = a->out_head[k]; o >= 0; o = a->outs[o].next)
                hit(ctx, a->outs[o].id, i);
    }
}
