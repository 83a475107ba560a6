/* ollama's own verdict on this host: what its discovery said in the journal of the current
 * boot. ollama logs which GPU it found and the library it will use ("inference compute
 * ... library=CUDA compute=8.9 ... total=... available=...", or library=cpu after "no
 * compatible GPUs were discovered"); what it said about itself beats what the doctor
 * infers from its files. The lines are read by the log reader (wld/logscan.h), as
 * `check --log` reads a pasted log. */
#ifndef WLD_OLLAMA_JOURNAL_H
#define WLD_OLLAMA_JOURNAL_H

#include <cjson/cJSON.h>

#include "wld/host.h"
#include "wld/logdiag.h"

/* journalctl's -n: the newest lines of this boot that are read, at most */
#define WLD_OLLAMA_JOURNAL_LINES 400

/* Runs `journalctl -u UNIT -b --no-pager -o short-iso --no-hostname -n 400` once, under
 * timeout_ms, and fills out (an object):
 *   cmd       {state, exit_code, ms, ...} (wld_fact_proc), state "ok" | "no_entries" |
 *             "no_journal" | "no_permission" | "missing" | "timeout" | "spawn_failed" |
 *             "crashed" | "exit_nonzero"
 *   argv      the command as run
 *   access    "all" | "own_only" (the permission hint: the user is in neither
 *             systemd-journal nor adm) | "none" (no journal file could be opened)
 *   lines     [the lines, secrets scrubbed (wld/secrets.h)], at most 400, each cut at
 *             WLD_LOG_LINE_KEEP bytes
 *   run_from  index in lines of this run's start (the last "Listening on"), or -1 when
 *             the lines do not reach back to it
 *   observations  what the log reader made of the lines from run_from on (all when -1):
 *             the log@1 facts (ollama {version, runners, inference_compute [...]}, ...)
 *   verdict   "gpu" | "cpu" | "none" (no "inference compute" line), with said_at (the
 *             journal's time of that line, "2025-10-06T10:42:01+0200") and said (the line);
 *             for "cpu", why: [what ollama logged at INFO or above between the start of its
 *             GPU discovery and that line, at most 4: "no compatible GPUs were discovered"].
 * unit is a system unit ("ollama.service"). */
void wld_ollama_journal(const struct wld_host *h, const char *unit, double timeout_ms, cJSON *out);

/* The log reader's findings on out's lines from run_from on, judged with rules (and held
 * against host_facts as check --log holds a log, or NULL), as a log report whose input is
 * "journalctl -u UNIT": fold it into a report with wld_log_fold (wld/log_cmd.h). NULL when
 * out has no lines. Free with wld_log_report_free. */
struct wld_log_report *
wld_ollama_journal_judge(const cJSON *out, const struct wld_rules *rules, const cJSON *host_facts);

#endif
