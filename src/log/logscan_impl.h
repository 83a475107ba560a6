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

#endif
