/* A read log judged (wsl-llm-doctor log): the rules' signatures that matched and the
 * observations on the whole log become findings, each under the check that covers its
 * cause, with a summary quoting the log, the fix in the user's own values, the input's
 * line numbers and the sources. See docs/logs.md. */
#ifndef WLD_LOGDIAG_H
#define WLD_LOGDIAG_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "wld/check.h"
#include "wld/logscan.h"

#define WLD_LOG_SCHEMA "wsl-llm-doctor/log@1"

struct wld_log_finding {
    const char *check;     /* a check id (borrowed from the rules) */
    const char *signature; /* the signature's id (borrowed) */
    enum wld_status status;
    char *summary, *fix; /* owned; fix NULL for a pass */
    long lines[WLD_LOG_MAX_LINES];
    int n_lines;
    cJSON *sources; /* array of URLs; owned */
    bool possible;  /* made as a possibility: the log does not show a condition it needs */
    /* folded into a check report (wld_log_fold): the check whose finding already says the
     * same (the journal line llama.devices took ollama's verdict from), and its outcome
     * (both borrowed); the fold then makes this one follow from it. NULL otherwise. */
    const struct wld_check *follows;
    const char *follows_outcome;
};

struct wld_log_report {
    const char *input; /* the file's name, or "-" */
    /* what a folded finding's result says it came from: NULL for a pasted log ("log, line
     * N:", from "log"); "ollama's journal" (from "journal") for ollama's own */
    const char *what;
    const struct wld_rules *rules;
    cJSON *facts; /* the log@1 facts; owned */
    char *shows;  /* what the log shows, in a sentence; owned */
    struct wld_log_finding *findings;
    size_t n;
    unsigned counts[WLD_STATUS_COUNT];
    int exit_code;
    char *redacted_text;       /* what redaction replaced, or NULL; owned */
    unsigned long long cut_at; /* bytes read when the reading stopped at its cap; 0: all */
    bool redacted;
};

struct wld_rules;
/* The checks whose facts a log's claims about the host are held to (host_arch_missing,
 * host_build_differs, host_driver_newer), NULL-terminated. */
extern const char *const wld_log_host_checks[];

/* Judges what s read; with host_facts (a report's facts by check id, check --log) the
 * log's claims are also held against that host. Returns the report (free with
 * wld_log_report_free). */
struct wld_log_report *wld_log_diagnose(const struct wld_logscan *s,
                                        const struct wld_rules *rules,
                                        const char *input,
                                        const cJSON *host_facts);
void wld_log_report_free(struct wld_log_report *r);

/* The log@1 document; caller deletes. */
cJSON *wld_log_report_json(const struct wld_log_report *r);

#endif
