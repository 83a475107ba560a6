/* A log read by two threads: one reads it and cleans its lines (and, once the matcher is
 * built, searches some of them) while the main thread builds the matcher, then applies
 * the lines in order (src/log/logpipe.c says how the work is shared). What `log` and
 * `check --log` read a file or a pipe with; the facts and findings are those of feeding
 * the same bytes to wld_logscan_feed. */
#ifndef WLD_LOGPIPE_H
#define WLD_LOGPIPE_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/logscan.h"

struct wld_logpipe;

/* A pipe not yet started: its memory (the ring of blocks and the read buffer) in one
 * block, a huge page where the kernel gives one. */
struct wld_logpipe *wld_logpipe_new(void);
/* The buffer to read the input's first bytes into (whose kind the caller checks before
 * the log is read), of wld_logpipe_read_size() bytes. */
char *wld_logpipe_buffer(struct wld_logpipe *p);
size_t wld_logpipe_read_size(void);
/* Starts reading fd, whose first n bytes are in the pipe's buffer, up to cap bytes in
 * all. */
void wld_logpipe_start(struct wld_logpipe *p, int fd, size_t n, unsigned long long cap);
/* Frees a pipe never started. */
void wld_logpipe_free(struct wld_logpipe *p);
/* Feeds every line to s (made with m), in order; frees p. *total is the bytes read and
 * *cut whether the cap stopped the reading. 0, or -errno of a read that failed (the lines
 * read before it were fed). */
int wld_logpipe_drain(struct wld_logpipe *p,
                      struct wld_logscan *s,
                      const struct wld_logmatch *m,
                      unsigned long long *total,
                      bool *cut);

#endif
