/* A log file or pipe read by two threads (see wld/logpipe.h).
 *
 * The reader's work is three parts of about equal cost: lines cleaned (the first stage:
 * prefixes, controls, secrets), the markers' automaton run over each cleaned line, and
 * what the markers found applied to the facts and signatures in the input's order. The
 * last one is sequential; the first two are not. A thread reads the input and cleans its
 * lines into a ring of blocks from the moment the input is open, while the main thread
 * builds the matcher (the rules' signatures compiled into the automaton: 2 to 3 ms on the
 * 2-core machine). The main thread then takes the blocks in order. Once the automaton is
 * built, the thread, when the ring is full or the input ended, runs it over the newest
 * block it filled that the main thread has not taken (the one taken last), and the main
 * thread replays what it found instead of searching that block again. Memory stays the
 * ring's, whatever the input's size. */
#include "wld/logpipe.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "wld/hugemem.h"
#include "wld/util.h"

#include "logscan_impl.h"

#define RING       6
#define BLOCK_TEXT (32u << 10) /* a block is full past this much text */
#define BLOCK_ROOM (BLOCK_TEXT + 2 * (WLD_LOG_LINE_KEEP + 1))
#define MAX_LINES  1024
#define READ_SIZE  (64u << 10) /* a read's buffer: reused, so its pages fault once */
#define MARKS      2048        /* a block's markers before malloc: a log has about one a line */

enum block_state { FREE, FILLED, SCANNING, SCANNED, TAKEN };

struct pline {
    uint32_t clean, len, raw, raw_len; /* offsets into the block's text */
    uint32_t mark0, n_marks;
    unsigned flags;
    bool cut;
    long pid;
};

struct block {
    enum block_state state;
    long seq;
    bool last; /* the input ended with this block */
    char text[BLOCK_ROOM];
    size_t used;
    struct pline lines[MAX_LINES];
    size_t n_lines;
    struct wld_log_mark *marks; /* own_marks, or from malloc past them */
    size_t n_marks, cap_marks;
    struct wld_log_mark own_marks[MARKS]; /* in the pipe's huge page with the rest */
};

struct wld_logpipe {
    pthread_t thread;
    bool threaded;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct block *ring;
    size_t mem_bytes;        /* the ring and the read buffer: one wld_huge_alloc */
    const struct wld_ac *ac; /* set once the main thread built it */
    /* the thread's */
    int fd;
    char *buf; /* the first read's bytes, then each read's (after the ring) */
    size_t first_n;
    unsigned long long cap, total;
    bool cut_at_cap;
    int read_errno;
    struct wld_loglines ll;
    struct block *fill; /* the block being filled */
    long next_seq;
};

/* ---- the thread ---- */

/* The newest block filled and not taken, marked as the thread's to search; under the
 * lock. */
static struct block *newest_filled(struct wld_logpipe *p)
{
    struct block *best = NULL;
    for (int i = 0; p->ac && i < RING; i++)
        if (p->ring[i].state == FILLED && (!best || p->ring[i].seq > best->seq))
            best = &p->ring[i];
    if (best)
        best->state = SCANNING;
    return best;
}

static void on_mark(void *ctx, int id, size_t end)
{
    struct wld_logpipe *p = ctx;
    struct block *b = p->fill;
    if (b->n_marks == b->cap_marks) {
        struct wld_log_mark *m = wld_xmalloc(2 * b->cap_marks * sizeof(*m));
        memcpy(m, b->marks, b->n_marks * sizeof(*m));
        if (b->marks != b->own_marks)
            free(b->marks);
        b->marks = m;
        b->cap_marks *= 2;
    }
    b->marks[b->n_marks++] = (struct wld_log_mark){ id, (unsigned) end };
}

/* Runs the automaton over block b's lines; outside the lock. */
static void search(struct wld_logpipe *p, struct block *b)
{
    struct block *filling = p->fill;
    p->fill = b; /* on_mark's block */
    b->n_marks = 0;
    for (size_t i = 0; i < b->n_lines; i++) {
        struct pline *l = &b->lines[i];
        l->mark0 = (uint32_t) b->n_marks;
        wld_ac_scan(p->ac, b->text + l->clean, l->len, on_mark, p);
        l->n_marks = (uint32_t) (b->n_marks - l->mark0);
    }
    p->fill = filling;
}

/* Searches the newest filled block, when the automaton is there; under the lock, which it
 * leaves for the search. Whether it did. */
static bool help(struct wld_logpipe *p)
{
    struct block *b = newest_filled(p);
    if (!b)
        return false;
    pthread_mutex_unlock(&p->mu);
    search(p, b);
    pthread_mutex_lock(&p->mu);
    b->state = SCANNED;
    pthread_cond_broadcast(&p->cv);
    return true;
}

/* The block being filled goes to the main thread; the next in the ring is taken to fill,
 * once the main thread freed it (searching blocks meanwhile). */
static void hand_over(struct wld_logpipe *p, bool last)
{
    pthread_mutex_lock(&p->mu);
    p->fill->state = FILLED;
    p->fill->last = last;
    pthread_cond_broadcast(&p->cv);
    if (last) {
        while (help(p))
            ;
        pthread_mutex_unlock(&p->mu);
        return;
    }
    struct block *next = &p->ring[(p->next_seq) % RING];
    while (next->state != FREE)
        if (!help(p))
            pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    next->seq = p->next_seq++;
    next->used = next->n_lines = next->n_marks = 0;
    p->fill = next;
}

static void on_line(void *ctx, const char *raw, size_t n, bool cut)
{
    struct wld_logpipe *p = ctx;
    struct block *b = p->fill;
    if (b->used >= BLOCK_TEXT || b->n_lines == MAX_LINES) {
        hand_over(p, false);
        b = p->fill;
    }
    struct wld_log_prepped pr;
    wld_log_prep(raw, n, cut, b->text + b->used, &pr);
    struct pline *l = &b->lines[b->n_lines++];
    *l = (struct pline){ .clean = (uint32_t) b->used,
                         .len = (uint32_t) pr.len,
                         .flags = pr.flags,
                         .cut = cut,
                         .pid = pr.pid };
    b->used += pr.len + 1;
    if (pr.raw) { /* a shell prompt's line: the raw line too (room for both is kept) */
        memcpy(b->text + b->used, pr.raw, pr.raw_len);
        l->raw = (uint32_t) b->used;
        l->raw_len = (uint32_t) pr.raw_len;
        b->used += pr.raw_len;
    }
}

/* The input after its first read, to its end or the cap, into feed. */
static void read_rest(struct wld_logpipe *p, void (*feed)(void *, const char *, size_t), void *ctx)
{
    feed(ctx, p->buf, p->first_n);
    for (;;) {
        size_t want = p->cap - p->total < READ_SIZE ? (size_t) (p->cap - p->total) : READ_SIZE;
        if (want == 0) {
            p->cut_at_cap = true; /* the rest is never read: a log that large is not one run's */
            return;
        }
        ssize_t n = read(p->fd, p->buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            p->read_errno = n < 0 ? errno : 0;
            return;
        }
        p->total += (unsigned long long) n;
        feed(ctx, p->buf, (size_t) n);
    }
}

static void feed_lines(void *ctx, const char *buf, size_t n)
{
    wld_loglines_feed(ctx, buf, n);
}

static void *reader_main(void *arg)
{
    struct wld_logpipe *p = arg;
    read_rest(p, feed_lines, &p->ll);
    wld_loglines_finish(&p->ll);
    hand_over(p, true);
    return NULL;
}

/* ---- the main thread ---- */

size_t wld_logpipe_read_size(void)
{
    return READ_SIZE;
}

struct wld_logpipe *wld_logpipe_new(void)
{
    struct wld_logpipe *p = wld_xcalloc(1, sizeof(*p));
    /* the pipe's memory is written at once, most of it in the first milliseconds: a huge
     * page is one fault where 4 KiB pages are a hundred and thirty (and on a virtual
     * machine that shadows page tables, each of those costs over ten microseconds) */
    p->mem_bytes = RING * sizeof(*p->ring) + READ_SIZE;
    p->ring = wld_huge_alloc(p->mem_bytes);
    p->buf = (char *) (p->ring + RING);
    for (int i = 0; i < RING; i++) {
        p->ring[i].marks = p->ring[i].own_marks;
        p->ring[i].cap_marks = MARKS;
    }
    return p;
}

char *wld_logpipe_buffer(struct wld_logpipe *p)
{
    return p->buf;
}

void wld_logpipe_free(struct wld_logpipe *p)
{
    if (!p)
        return;
    for (int i = 0; i < RING; i++)
        if (p->ring[i].marks != p->ring[i].own_marks)
            free(p->ring[i].marks);
    wld_huge_free(p->ring, p->mem_bytes);
    free(p);
}

void wld_logpipe_start(struct wld_logpipe *p, int fd, size_t n, unsigned long long cap)
{
    p->fd = fd;
    p->first_n = n;
    p->cap = cap;
    p->total = n;
    wld_loglines_init(&p->ll, on_line, p);
    p->fill = &p->ring[0];
    p->next_seq = 1;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threaded = pthread_create(&p->thread, NULL, reader_main, p) == 0;
}

static void apply_block(struct wld_logscan *s, struct block *b, bool searched)
{
    for (size_t i = 0; i < b->n_lines; i++) {
        const struct pline *l = &b->lines[i];
        struct wld_log_prepped pr = { b->text + l->clean,
                                      l->len,
                                      l->flags,
                                      l->cut,
                                      l->pid,
                                      l->raw_len ? b->text + l->raw : NULL,
                                      l->raw_len };
        wld_logscan_apply(s, &pr, searched ? b->marks + l->mark0 : NULL, l->n_marks);
    }
}

static void feed_scan(void *ctx, const char *buf, size_t n)
{
    wld_logscan_feed(ctx, buf, n);
}

int wld_logpipe_drain(struct wld_logpipe *p,
                      struct wld_logscan *s,
                      const struct wld_logmatch *m,
                      unsigned long long *total,
                      bool *cut)
{
    if (!p->threaded) /* no thread to be had: one stage after the other, here */
        read_rest(p, feed_scan, s);
    pthread_mutex_lock(&p->mu);
    p->ac = wld_logmatch_ac(m);
    pthread_cond_broadcast(&p->cv);
    for (long seq = 0; p->threaded; seq++) {
        struct block *b = &p->ring[seq % RING];
        while (b->state == FREE || b->state == SCANNING || b->seq != seq)
            pthread_cond_wait(&p->cv, &p->mu);
        bool searched = b->state == SCANNED;
        b->state = TAKEN;
        pthread_mutex_unlock(&p->mu);
        apply_block(s, b, searched);
        bool last = b->last;
        pthread_mutex_lock(&p->mu);
        b->state = FREE;
        pthread_cond_broadcast(&p->cv);
        if (last)
            break;
    }
    pthread_mutex_unlock(&p->mu);
    if (p->threaded) {
        pthread_join(p->thread, NULL);
        wld_logscan_set_input(s, &p->ll);
    }
    *total = p->total;
    *cut = p->cut_at_cap;
    int r = -p->read_errno;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    wld_logpipe_free(p);
    return r;
}
