/* Prometheus metrics for node_exporter's textfile collector, from any command's findings
 * (see wld/findings.h). One renderer; what differs between the commands is a row of
 * data: what a case is called (a check, a file, a finding of the log) and the metrics'
 * names, which differ per command so that check's and lint's files can sit in one
 * collector directory without two series of the same name and labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/util.h"

struct prom_shape {
    const char *command;
    const char *prefix; /* of the run's own metrics: exit code, times */
    const char *case_metric, *case_help, *case_label;
    bool skipped_cases;          /* a case that was not judged is listed too, as skip */
    const char *duration_metric; /* each case's time, when the cases are timed */
    const char *counts_metric, *counts_help;
    const char *cases_metric, *cases_help, *judged_word; /* cases judged and skipped */
    const char *exit_help;
    bool build_info;
};

static const struct prom_shape shapes[] = {
    { "check", "wsl_llm_doctor_", "wsl_llm_doctor_check_status",
      "Status of each check in the last run: 1 for the status it has, 0 for the others.", "check",
      true, "wsl_llm_doctor_check_duration_seconds", "wsl_llm_doctor_checks",
      "Number of checks with each status in the last run.", NULL, NULL, NULL,
      "Exit status of the last run: 0 nothing failed, 1 a check failed or could not run, 3 "
      "internal error.",
      true },
    { "lint", "wsl_llm_doctor_lint_", "wsl_llm_doctor_lint_file_status",
      "Each linted file's worst status: 1 for the status it has, 0 for the others.", "path", false,
      NULL, "wsl_llm_doctor_lint_findings", "Findings of the last lint, by status.",
      "wsl_llm_doctor_lint_files", "Files of the last lint, linted or skipped.", "linted",
      "Exit status of the last lint: 0 nothing failed, 1 a finding failed, 2 usage.", false },
    { "log", "wsl_llm_doctor_log_", "wsl_llm_doctor_log_finding_status",
      "Each finding of the last log read: 1 for the status it has, 0 for the others.", "rule",
      false, NULL, "wsl_llm_doctor_log_findings", "Findings of the last log read, by status.", NULL,
      NULL, NULL,
      "Exit status of the last log read: 0 nothing failed, 1 a finding failed, 2 usage.", false },
};

/* A label value: backslash, double quote and line feed escaped. */
static const char *const label_escapes[256] = { ['\\'] = "\\\\", ['"'] = "\\\"", ['\n'] = "\\n" };

static void put_label(FILE *out, const char *s)
{
    wld_put_escaped(out, s ? s : "", label_escapes, false);
}

static void metric_head(FILE *out, const char *name, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void metric_head2(FILE *out, const char *prefix, const char *name, const char *help)
{
    fprintf(out, "# HELP %s%s %s\n# TYPE %s%s gauge\n", prefix, name, help, prefix, name);
}

static const struct prom_shape *shape_of(const char *command)
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(shapes); i++)
        if (strcmp(shapes[i].command, command) == 0)
            return &shapes[i];
    return &shapes[0];
}

static void put_cases(FILE *out, const struct wld_findings *f, const struct prom_shape *sh)
{
    metric_head(out, sh->case_metric, sh->case_help);
    for (size_t i = 0; i < f->n_cases; i++) {
        const struct wld_case *c = &f->cases[i];
        if (c->skipped && !sh->skipped_cases)
            continue;
        enum wld_status st = c->skipped ? WLD_SKIP : c->status;
        for (int s = 0; s < WLD_STATUS_COUNT; s++) {
            fprintf(out, "%s{%s=\"", sh->case_metric, sh->case_label);
            put_label(out, c->label ? c->label : c->name);
            if (c->kind)
                fprintf(out, "\",kind=\"%s", c->kind);
            fprintf(out, "\",status=\"%s\"} %d\n", wld_status_name((enum wld_status) s),
                    st == (enum wld_status) s);
        }
    }
}

void wld_render_prometheus(const struct wld_findings *f, FILE *out)
{
    const struct prom_shape *sh = shape_of(f->command);
    put_cases(out, f, sh);

    bool caused = false, timed = false;
    for (size_t i = 0; i < f->n_cases; i++) {
        caused |= f->cases[i].cause != NULL;
        timed |= f->cases[i].seconds >= 0;
    }
    if (caused)
        metric_head(out, "wsl_llm_doctor_check_caused_by",
                    "1 for each check skipped because its problem follows from another check's "
                    "finding (cause, and the cause's outcome).");
    for (size_t i = 0; caused && i < f->n_cases; i++) {
        const struct wld_case *c = &f->cases[i];
        if (!c->cause)
            continue;
        fputs("wsl_llm_doctor_check_caused_by{cause=\"", out);
        put_label(out, c->cause);
        fputs("\",check=\"", out);
        put_label(out, c->label);
        fputs("\",outcome=\"", out);
        put_label(out, c->cause_outcome);
        fputs("\"} 1\n", out);
    }
    timed &= sh->duration_metric != NULL;
    if (timed)
        metric_head(out, sh->duration_metric, "Time each check took in the last run.");
    for (size_t i = 0; timed && i < f->n_cases; i++) {
        fprintf(out, "%s{%s=\"", sh->duration_metric, sh->case_label);
        put_label(out, f->cases[i].label ? f->cases[i].label : f->cases[i].name);
        fprintf(out, "\"} %.4f\n", f->cases[i].seconds < 0 ? 0 : f->cases[i].seconds);
    }

    metric_head(out, sh->counts_metric, sh->counts_help);
    for (int s = 0; s < WLD_STATUS_COUNT; s++)
        fprintf(out, "%s{status=\"%s\"} %u\n", sh->counts_metric,
                wld_status_name((enum wld_status) s), f->counts[s]);
    if (sh->cases_metric) {
        size_t skipped = 0;
        for (size_t i = 0; i < f->n_cases; i++)
            skipped += f->cases[i].skipped != NULL;
        metric_head(out, sh->cases_metric, sh->cases_help);
        fprintf(out, "%s{state=\"%s\"} %zu\n", sh->cases_metric, sh->judged_word,
                f->n_cases - skipped);
        fprintf(out, "%s{state=\"skipped\"} %zu\n", sh->cases_metric, skipped);
    }

    metric_head2(out, sh->prefix, "exit_code", sh->exit_help);
    fprintf(out, "%sexit_code %d\n", sh->prefix, f->exit_code);
    if (f->started > 0) {
        metric_head2(out, sh->prefix, "last_run_timestamp_seconds",
                     "When the last run began, in seconds since the Unix epoch.");
        fprintf(out, "%slast_run_timestamp_seconds %.3f\n", sh->prefix,
                floor(f->started * 1e3) / 1e3);
    }
    if (f->seconds >= 0) {
        metric_head2(out, sh->prefix, "last_run_duration_seconds", "How long the last run took.");
        fprintf(out, "%slast_run_duration_seconds %.4f\n", sh->prefix, f->seconds);
    }
    if (sh->build_info) {
        metric_head(out, "wsl_llm_doctor_build_info",
                    "The doctor's version and the rules' version; always 1.");
        fputs("wsl_llm_doctor_build_info{rules_version=\"", out);
        put_label(out, f->rules_version);
        fprintf(out, "\",version=\"%s\"} 1\n", WLD_VERSION);
    }
}
