/* Aho-Corasick over byte classes (see wld/acscan.h). The bytes that occur in no pattern
 * share one class, so the transition table is states x classes, not states x 256: a few
 * hundred markers of the log reader make a table of a few hundred KiB. */
#include "wld/acscan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "wld/hugemem.h"
#include "wld/util.h"

/* A row offset in delta with this bit set leads to a state where patterns end. */
#define AC_HIT ((int32_t) 1 << 30)

struct ac_out {
    int id;
    int next; /* index into outs, or -1 */
};

struct wld_ac {
    uint8_t cls[256];
    int n_cls;
    /* the trie while adding: children by byte in a flat list */
    struct {
        int child, sibling;
        unsigned char byte;
    } * trie;
    int n_states, alloc_states;
    int *out_head; /* per state: first own output, or -1 */
    int *out_link; /* per state: nearest suffix state with outputs, or -1 */
    struct ac_out *outs;
    int n_outs, alloc_outs;
    int32_t *delta; /* n_states x n_cls, after build (wld_huge_alloc: MiBs) */
    int *state_at;  /* the state whose row is at that rank */
    size_t delta_bytes;
};

static int new_state(struct wld_ac *a)
{
    if (a->n_states == a->alloc_states) {
        a->alloc_states = a->alloc_states ? a->alloc_states * 2 : 64;
        a->trie = wld_xrealloc(a->trie, (size_t) a->alloc_states * sizeof(*a->trie));
        a->out_head = wld_xrealloc(a->out_head, (size_t) a->alloc_states * sizeof(int));
    }
    int s = a->n_states++;
    a->trie[s].child = a->trie[s].sibling = -1;
    a->trie[s].byte = 0;
    a->out_head[s] = -1;
    return s;
}

struct wld_ac *wld_ac_new(void)
{
    struct wld_ac *a = wld_xcalloc(1, sizeof(*a));
    new_state(a);
    return a;
}

void wld_ac_free(struct wld_ac *a)
{
    if (!a)
        return;
    free(a->trie);
    free(a->out_head);
    free(a->out_link);
    free(a->state_at);
    free(a->outs);
    wld_huge_free(a->delta, a->delta_bytes);
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

void wld_ac_build(struct wld_ac *a)
{
    /* byte classes: class 0 for every byte no pattern holds */
    memset(a->cls, 0, sizeof(a->cls));
    a->n_cls = 1;
    for (int s = 1; s < a->n_states; s++)
        if (!a->cls[a->trie[s].byte])
            a->cls[a->trie[s].byte] = (uint8_t) a->n_cls++;
    size_t n = (size_t) a->n_states * (size_t) a->n_cls;
    a->delta_bytes = n * sizeof(int32_t);
    a->delta = wld_huge_alloc(a->delta_bytes);
    a->out_link = wld_xmalloc((size_t) a->n_states * sizeof(int));
    a->state_at = wld_xmalloc((size_t) a->n_states * sizeof(int));
    int *fail = wld_xmalloc((size_t) a->n_states * sizeof(int));
    int *rank = wld_xmalloc((size_t) a->n_states * sizeof(int));
    /* Rows are laid out breadth first (a state's row is its rank in that order): the
     * shallow states, where a scan spends nearly every byte, share a few hundred KiB at
     * the table's start instead of being spread over its MiBs as the patterns added them.
     * hit[s]: s or a suffix of it ends a pattern; known when s is ranked, for its failure
     * state is shorter and was ranked before it. Each entry is written as the target's row
     * offset, flagged when the target has outputs, as the scan reads it: rows copied from a
     * failure state's are so already, and no pass over the whole table follows. */
    bool *hit = wld_xcalloc((size_t) a->n_states, sizeof(bool));
    int n_ranked = 0;
    int32_t n_cls = a->n_cls;
#define ENC(t)  ((int32_t) (rank[t] * n_cls) | (hit[t] ? AC_HIT : 0))
#define RANK(t) (a->state_at[n_ranked] = (t), rank[t] = n_ranked++)
    for (int c = 0; c < a->n_cls; c++)
        a->delta[c] = 0;
    RANK(0);
    fail[0] = 0;
    a->out_link[0] = -1;
    for (int k = a->trie[0].child; k >= 0; k = a->trie[k].sibling) {
        fail[k] = 0;
        hit[k] = a->out_head[k] >= 0;
        RANK(k);
        a->delta[a->cls[a->trie[k].byte]] = ENC(k);
    }
    /* breadth first: a state's failure and transitions come from shorter states' */
    for (int q = 1; q < n_ranked; q++) {
        int s = a->state_at[q];
        int f = fail[s];
        a->out_link[s] = a->out_head[f] >= 0 ? f : a->out_link[f];
        int32_t *row = a->delta + (size_t) q * (size_t) n_cls;
        const int32_t *frow = a->delta + (size_t) rank[f] * (size_t) n_cls;
        memcpy(row, frow, (size_t) n_cls * sizeof(int32_t));
        for (int k = a->trie[s].child; k >= 0; k = a->trie[k].sibling) {
            int c = a->cls[a->trie[k].byte];
            fail[k] = a->state_at[(frow[c] & ~AC_HIT) / n_cls];
            hit[k] = a->out_head[k] >= 0 || hit[fail[k]];
            RANK(k);
            row[c] = ENC(k);
        }
    }
#undef RANK
#undef ENC
    free(hit);
    free(fail);
    free(rank);
}

/* The hot loop: from s[i], until a state where patterns end or the end of s; two loads a
 * byte (its class, the next row) and a test of the flag. Apart from the outputs' calls, so
 * that its state stays in registers: with a call in the same loop, the row went through
 * the stack each byte, on the loop's one dependency chain. */
static size_t run(const int32_t *delta,
                  const uint8_t *cls,
                  const unsigned char *s,
                  size_t i,
                  size_t n,
                  int32_t *row)
{
    int32_t r = *row;
    while (i < n) {
        r = delta[(r & ~AC_HIT) + cls[s[i++]]];
        if (r & AC_HIT)
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
    int32_t row = 0;
    size_t i = 0;
    while (i < n) {
        i = run(a->delta, a->cls, (const unsigned char *) s, i, n, &row);
        if (!(row & AC_HIT))
            return; /* the end of s, no pattern ending there */
        int st = a->state_at[(row & ~AC_HIT) / a->n_cls];
        for (int t = a->out_head[st] >= 0 ? st : a->out_link[st]; t >= 0; t = a->out_link[t])
            for (int o = a->out_head[t]; o >= 0; o = a->outs[o].next)
                hit(ctx, a->outs[o].id, i);
    }
}
