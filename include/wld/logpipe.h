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

/* The size of the buffer to read the input's first bytes into (whose kind the caller
 * checks before the log is read). */
size_t wld_logpipe_read_size(void);
/* Starts reading fd, whose first n bytes are in first (a wld_logpipe_read_size() buffer
 * from malloc, which the pipe takes), up to cap bytes in all. */
struct wld_logpipe *wld_logpipe_start(int fd, char *first, size_t n, unsigned long long cap);
/* Feeds every line to s (made with m), in order; frees p. *total is the bytes read and
 * *cut whether the cap stopped the reading. 0, or -errno of a read that failed (the lines
 * read before it were fed). */
int wld_logpipe_drain(struct wld_logpipe *p,
                      struct wld_logscan *s,
                      const struct wld_logmatch *m,
                      unsigned long long *total,
                      bool *cut);

#endif
