/* The line patterns of log signatures (rules' "signatures", docs/logs.md): literal text
 * with {name} captures, "^" and "$" at the ends to anchor to the line.
 *   "CUDA error {code:int} at {file}:{src_line:int}: {message}"
 * A capture takes the shortest text up to the literal after it (the last one, the rest
 * of the line, trimmed); {name:int} only digits. Text before the first literal is not
 * matched unless the pattern starts with "^" or a capture (then from the line's start).
 * The first literal is the anchor the reader looks for (at least 3 bytes). */
#ifndef WLD_LOGPATTERN_H
#define WLD_LOGPATTERN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define WLD_LOGPAT_MAX_SEGS 12
/* What a rules bundle may ask of the reader: a pattern's length, and the first literals of
 * all patterns together (the matcher's table grows with them). */
#define WLD_LOGPAT_MAX_LEN     512
#define WLD_LOGPAT_MAX_ANCHORS 16384

struct wld_logpat_seg {
    bool capture;
    bool digits;      /* a {name:int} capture */
    const char *text; /* literal bytes, or the capture's name (NUL-terminated) */
    size_t len;
};

struct wld_logpat {
    char *buf; /* owns the segments' text */
    struct wld_logpat_seg seg[WLD_LOGPAT_MAX_SEGS];
    int n;
    bool anchored_start, anchored_end;
    int anchor; /* index of the first literal */
};

/* Returns 0, or -EINVAL with *why (caller frees) saying what is wrong with the pattern. */
int wld_logpat_compile(const char *pattern, struct wld_logpat *ret, char **why);
void wld_logpat_release(struct wld_logpat *p);
/* Matches line[0..n) knowing the anchor literal ends at anchor_end (the reader's hit);
 * on a match adds each capture to caps (when not NULL) as a string and returns true. */
bool wld_logpat_match(
        const struct wld_logpat *p, const char *line, size_t n, size_t anchor_end, cJSON *caps);

/* The conditions a signature may name in "if" / "unless", and the observations it may
 * name in "observe" (computed from the whole log by src/log/logdiag.c). */
bool wld_log_condition_known(const char *name);
/* Whether name is a condition on what wrote the log: "container", "producer_NAME"
 * (src/log/logfacts_producer.c). */
bool wld_log_producer_known(const char *name);
bool wld_log_observation_known(const char *name);

/* A signature's "when" variant applied (caller deletes): a copy of sig whose check, summary,
 * fix, proves and sources are the variant's where it gives them. The keys a variant may give
 * are wld_log_variant_keys. */
cJSON *wld_log_sig_vary(const cJSON *sig, const cJSON *variant);
extern const char *const wld_log_variant_keys[];

#endif
