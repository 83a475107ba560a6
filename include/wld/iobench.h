/* Measured read speed of a model file (models.storage --bench-io): a bounded sample read
 * with read() and through mmap(), the page cache bypassed (O_DIRECT) where the file
 * system allows, else its pages dropped first (POSIX_FADV_DONTNEED), so that a 9p
 * verdict comes with the user's own number rather than the guide's. */
#ifndef WLD_IOBENCH_H
#define WLD_IOBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "wld/host.h"

#define WLD_IOBENCH_SAMPLE (64ull * 1024 * 1024) /* bytes per method and file */

struct wld_iobench {
    uint64_t read_bytes, mmap_bytes;
    double read_ms, mmap_ms;
    const char *cache; /* "direct" (O_DIRECT), "dropped" (fadvise) */
    bool cut_short;    /* the deadline stopped it: the figures cover what was read */
};

/* Measures path on h within deadline_ms. Returns 0, or -errno when the file cannot be
 * opened or read (-EINVAL for something not a regular file). */
int wld_iobench_file(const struct wld_host *h,
                     const char *path,
                     uint64_t sample,
                     double deadline_ms,
                     struct wld_iobench *ret);

#endif
