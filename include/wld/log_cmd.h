/* `wsl-llm-doctor log [FILE|-]` and `check --log FILE` (docs/logs.md). */
#ifndef WLD_LOG_CMD_H
#define WLD_LOG_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "wld/cli.h"
#include "wld/logdiag.h"
#include "wld/pipeline.h"
#include "wld/rules.h"

/* Reads the log at path ("-" or NULL: stdin) in pieces and judges it. Returns 0 and the
 * report, or -errno with *err (caller frees) saying why the named file is not a log we
 * can read: a directory, a GGUF model, an ELF binary. */
int wld_log_load(const char *path,
                 const struct wld_rules *rules,
                 const cJSON *host_facts,
                 struct wld_log_report **ret,
                 char **err);

/* Renderers of a log report. */
void wld_render_log(const struct wld_log_report *r,
                    enum wld_format format,
                    const struct wld_render_opts *o,
                    FILE *out);

/* Redacts what the report holds (values learnt from its own text: /home/NAME, \Users\NAME,
 * UUIDs) and records what went. */
void wld_log_report_redact(struct wld_log_report *r);

/* check --log: each finding becomes a result right after its check's own (from "log"),
 * and the counts include them. */
void wld_log_fold(const struct wld_log_report *log, struct wld_report *rep);

#endif
