/* WLD_TRACE=FILE: one line per external command a run started, "START END NAME" in ms
 * since main() began, and a last line "0 END exit" when the report is written. For
 * bench/fixture-run.sh, which measures how close a run comes to its slowest probe;
 * nothing is written without the variable. */
#ifndef WLD_TRACE_H
#define WLD_TRACE_H

#include <stdbool.h>

/* Opens the trace when WLD_TRACE names a file; the clock starts now. */
void wld_trace_begin(void);
/* Whether a trace is being written (so that callers skip building its lines). */
bool wld_trace_on(void);
/* A command that ran from start_ms to end_ms (wld_now_ms() values). Thread-safe. */
void wld_trace_span(const char *name, double start_ms, double end_ms);
/* The "exit" line, and closes the trace. */
void wld_trace_end(void);

#endif
