/* `wsl-llm-doctor log [FILE|-]` and `check --log FILE` (docs/logs.md). */
#ifndef WLD_LOG_CMD_H
#define WLD_LOG_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "wld/logdiag.h"
#include "wld/render.h"
#include "wld/rules.h"
#include "wld/settings.h"

struct wld_report;

/* Reads the log at path ("-" or NULL: stdin) in pieces and judges it, at most
 * WLD_LOG_CAP bytes (the report's cut_at says where it stopped, and stderr says so).
 * Returns 0 and the report, or -errno with *err (caller frees) saying why the named file is
 * not a log we can read: a directory, a device that is not a terminal (/dev/zero), a GGUF
 * model, an ELF binary. A FIFO, a pipe and a terminal are read. */
#define WLD_LOG_CAP (4ull << 30)
int wld_log_load(const char *path,
                 const struct wld_rules *rules,
                 const cJSON *host_facts,
                 struct wld_log_report **ret,
                 char **err);

/* wld_log_load with a cap of cap bytes, and nothing said on stderr. */
int wld_log_read(const char *path,
                 const struct wld_rules *rules,
                 const cJSON *host_facts,
                 unsigned long long cap,
                 struct wld_log_report **ret,
                 char **err);

/* The report as cases of findings (wld/findings.h): a case per finding, at its first
 * line of the log. Free with wld_findings_free. */
struct wld_findings;
void wld_log_findings(const struct wld_log_report *r, struct wld_findings *out);

/* Renderers of a log report. */
void wld_render_log(const struct wld_log_report *r,
                    enum wld_format format,
                    const struct wld_render_opts *o,
                    FILE *out);

/* Redacts what the report holds (values learnt from its own text: /home/NAME, \Users\NAME,
 * UUIDs) and records what went. */
void wld_log_report_redact(struct wld_log_report *r);

/* check --log: each finding becomes a result right after its check's own (from "log", or
 * "journal" for ollama's journal: log->what), and the counts include them; a finding that
 * follows another check's (finding.follows) is skipped as following from it. */
void wld_log_fold(const struct wld_log_report *log, struct wld_report *rep);

/* ollama's own journal, read by llama.devices (facts.runtimes[].journal): its findings
 * folded into rep as check --log folds a log's (from "journal", "ollama's journal, line N:"),
 * held to what the checks saw of this host. A finding that only restates the verdict
 * llama.devices took from that journal follows from llama.devices: one cause, one
 * failure. Called by check and by --facts before the exit code is decided. */
void wld_log_fold_journals(struct wld_report *rep, const struct wld_rules *rules);

#endif
