/* Between the log reader (src/log/logscan.c), its line cleaning (src/log/logclean.c) and its
 * fact extractors (src/log/logfacts.c, whose table names them). */
#ifndef WLD_LOGSCAN_IMPL_H
#define WLD_LOGSCAN_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/acscan.h"
#include "wld/logscan.h"

/* Marker ids below this are extractors; the rules' patterns come after. */
#define WLD_LOG_EXTRACTORS 256

/* The line an extractor reads: cleaned and NUL-terminated, its marker ending at at. */
struct wld_log_line {
    const char *s;
    size_t len;
    const char *at; /* the text right after the marker */
    long no;        /* its line number in the input, from 1 */
    unsigned flags; /* WLD_LOG_LINE_* */
};

void wld_log_facts_init(struct wld_log_facts *f);
/* Adds every extractor's marker to the matcher, its row's index as its id. */
void wld_log_add_markers(struct wld_ac *ac);
/* Before the line's markers: what depends on the line before (an error's failing call). */
void wld_log_line_begin(struct wld_log_facts *f, const char *line, size_t len, long no);
/* The extractor of marker id on line l. */
void wld_log_extract(struct wld_log_facts *f, int id, const struct wld_log_line *l);
void wld_log_facts_finish(struct wld_log_facts *f);
/* A shell prompt's raw line (number no): a container's id as its host name
 * (src/log/logfacts_producer.c). */
void wld_log_note_prompt(struct wld_log_facts *f, const char *raw, size_t n, long no);
struct wld_codetab;
/* The error codes of line (number no, its markers read, wld_logx_code_word saw an API's
 * word) into f, and the code of a CUDA error on it that its message gives; whether the
 * table knows one of them (src/log/logfacts_errors.c). */
bool wld_log_codes_read(const struct wld_codetab *t,
                        struct wld_log_facts *f,
                        const char *line,
                        size_t len,
                        long no);

/* The "[53609] " llama-server's router puts before each line of the child on that port,
 * or 0. */
long wld_log_leading_pid(const char *s, size_t n);

/* ---- the reader's two stages ---- */

/* The first: bytes to lines (src/log/loglines.c). Each line is handed to line() with its
 * first WLD_LOG_LINE_KEEP bytes, NUL-terminated, and whether the rest was cut. */
struct wld_loglines {
    void (*line)(void *ctx, const char *raw, size_t n, bool cut);
    void *ctx;
    char raw[WLD_LOG_LINE_KEEP + 1];
    size_t raw_len;
    bool raw_cut;
    bool bom_decided, utf16;
    unsigned char u16_carry[4];
    int u16_n;
    unsigned u16_high; /* a high surrogate waiting for its low half */
    long bytes, nul_bytes;
};
void wld_loglines_init(struct wld_loglines *ll,
                       void (*line)(void *ctx, const char *raw, size_t n, bool cut),
                       void *ctx);
void wld_loglines_feed(struct wld_loglines *ll, const char *buf, size_t n);
/* The last line, when the input does not end with a newline. */
void wld_loglines_finish(struct wld_loglines *ll);

/* A line as the first stage leaves it: cleaned (wld_log_clean_line), its "[PID] " read
 * from the raw line, which is kept for a shell prompt's (WLD_LOG_LINE_COMMAND) only. */
struct wld_log_prepped {
    const char *clean; /* NUL-terminated */
    size_t len;
    unsigned flags;
    bool cut;
    long pid;
    const char *raw; /* NULL unless flags has WLD_LOG_LINE_COMMAND */
    size_t raw_len;
};
/* Cleans raw into clean (WLD_LOG_LINE_KEEP + 1 bytes) and fills *p. */
void wld_log_prep(const char *raw, size_t n, bool cut, char *clean, struct wld_log_prepped *p);

/* A marker found in a line by the matcher's automaton ahead of the second stage: its id
 * and where it ends, every place it was found, in order (the second stage runs an
 * extractor at its first place and tries a pattern at each). */
struct wld_log_mark {
    int id;
    unsigned end;
};
const struct wld_ac *wld_logmatch_ac(const struct wld_logmatch *m);
/* The second: the line's facts and signatures, in the input's order. marks is what the
 * automaton found in it, or NULL: it is searched here. */
void wld_logscan_apply(struct wld_logscan *s,
                       const struct wld_log_prepped *p,
                       const struct wld_log_mark *marks,
                       size_t n_marks);
/* What the first stage counted of the input, when it ran apart (src/log/logpipe.c). */
void wld_logscan_set_input(struct wld_logscan *s, const struct wld_loglines *ll);

#endif
