/* Between the log reader (src/log/logscan.c) and its fact extractors (src/log/logfacts.c). */
#ifndef WLD_LOGSCAN_IMPL_H
#define WLD_LOGSCAN_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/acscan.h"
#include "wld/logscan.h"

/* Marker ids below this are extractors; the rules' patterns come after. */
#define WLD_LOG_EXTRACTORS 96

void wld_log_facts_init(struct wld_log_facts *f);
/* Adds every extractor's markers to the matcher. */
void wld_log_add_markers(struct wld_ac *ac);
/* Before the line's markers: what depends on the line before (an error's failing call). */
void wld_log_line_begin(struct wld_log_facts *f, const char *line, size_t len, long no);
/* The extractor of marker id, on a cleaned, NUL-terminated line whose marker ends at end. */
void wld_log_extract(struct wld_log_facts *f,
                     int id,
                     const char *line,
                     size_t len,
                     size_t end,
                     long no,
                     unsigned flags);
void wld_log_facts_finish(struct wld_log_facts *f);

#endif
