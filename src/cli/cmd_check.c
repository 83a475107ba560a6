/* check, record and --facts: the host (or a recording of it, or a report's facts) judged
 * under the rules, in any format; record also writes the recording. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/facts.h"
#include "wld/findings.h"
#include "wld/fit_cmd.h"
#include "wld/issue.h"
#include "wld/log_cmd.h"
#include "wld/logdiag.h"
#include "wld/pipeline.h"
#include "wld/record.h"
#include "wld/redact.h"

#include "cmd_impl.h"

static void
render(const struct wld_report *rep, const struct wld_options *o, const char *log_tail, FILE *out)
{
    struct wld_render_opts ro = wld_cmd_render_opts(o);
    if (o->command == WLD_CMD_FIT) {
        wld_fit_cmd(rep, o, out);
        return;
    }
    switch (o->format) {
    case WLD_FORMAT_JSON:
        wld_render_json(rep, out);
        break;
    case WLD_FORMAT_MARKDOWN:
        if (o->issue_for)
            wld_render_issue(rep, o->issue_for, log_tail, WLD_ISSUE_MAX_CHARS, out);
        else
            wld_render_markdown(rep, out);
        break;
    case WLD_FORMAT_JUNIT:
    case WLD_FORMAT_GITHUB:
    case WLD_FORMAT_SARIF:
    case WLD_FORMAT_PROMETHEUS: {
        struct wld_findings f;
        wld_report_findings(rep, &f);
        wld_render_findings(&f, o->format, &ro, out);
        wld_findings_free(&f);
        break;
    }
    case WLD_FORMAT_TEXT:
        wld_render_text(rep, &ro, out);
        break;
    }
}

/* The report rendered to stdout or --output, and to GitHub's step summary; -1 when
 * --output failed (said). log_tail: for --for, the end of check --log's file, or NULL. */
static int
emit(const struct wld_report *rep, const struct wld_options *o, const char *log_tail, FILE *out)
{
    if (o->format == WLD_FORMAT_GITHUB && o->command != WLD_CMD_FIT) {
        FILE *f = wld_cmd_summary_open();
        if (f)
            wld_render_markdown(rep, f);
        wld_cmd_summary_close(f);
    }
    struct wld_cmd_text t;
    render(rep, o, log_tail, wld_cmd_text_open(&t));
    return wld_cmd_text_deliver(&t, o, out);
}

/* The exit code of a report: 3 when the doctor broke its own contract, 1 when a check
 * failed or errored (or warned, with --fail-on warn), else 0. */
static int report_exit_code(const struct wld_report *r, const struct wld_options *o)
{
    if (r->internal_error)
        return EXIT_INTERNAL;
    if (wld_counts_fail(r->counts, o->fail_on == WLD_WARN))
        return EXIT_FAIL;
    return EXIT_OK;
}

/* --facts REPORT.json: its facts judged under the rules in force, in any format. */
static int cmd_facts(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    cJSON *facts = NULL;
    char *err = NULL;
    if (wld_facts_load(o->facts_path, o->timeout_s * 1000.0, &facts, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    struct wld_report *rep = NULL;
    int r = wld_pipeline_judge(cJSON_GetObjectItemCaseSensitive(facts, "facts"),
                               cJSON_GetObjectItemCaseSensitive(facts, "reported"), rules, o, &rep);
    cJSON_Delete(facts);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: internal error: %s\n", strerror(-r));
        return EXIT_INTERNAL;
    }
    wld_log_fold_journals(rep, rules); /* ollama's own words, as a live run folds them */
    rep->exit_code = report_exit_code(rep, o);
    int code = rep->exit_code;
    struct wld_redactor *red = wld_options_redact(o) ? wld_redactor_new() : NULL;
    if (red)
        wld_report_redact(rep, red, NULL); /* what the report holds; no host to learn from */
    if (emit(rep, o, NULL, out) < 0)
        code = EXIT_USAGE;
    wld_redactor_free(red);
    wld_report_free(rep);
    return code;
}

/* check --log: the log's findings folded into rep, under their checks. Returns 0, or
 * EXIT_USAGE when the log cannot be read (said). */
static int
fold_log(const struct wld_options *o, const struct wld_rules *rules, struct wld_report *rep)
{
    struct wld_log_report *log = NULL;
    char *err = NULL;
    /* what the checks saw of this host, derived values included (llama.arch's "built") */
    cJSON *seen = cJSON_CreateObject();
    for (size_t i = 0; i < rep->n; i++)
        cJSON_AddItemReferenceToObject(seen, rep->results[i].check->id, rep->results[i].evidence);
    /* the claims a log is held to need these checks' facts: a run without them
     * (--only, --skip) says which claims it could not make, never silently */
    char missing[64] = "";
    for (const char *const *c = wld_log_host_checks; *c; c++)
        if (!cJSON_GetObjectItemCaseSensitive(seen, *c))
            snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
                     missing[0] ? ", " : "", *c);
    if (missing[0])
        fprintf(stderr,
                "wsl-llm-doctor: --log: %s did not run, so the log is not held against "
                "what %s would say of this host\n",
                missing, strchr(missing, ',') ? "they" : "it");
    int r = wld_log_load(o->log_path, rules, seen, &log, &err);
    cJSON_Delete(seen);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: --log %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    wld_log_fold(log, rep);
    wld_log_report_free(log);
    return 0;
}

/* --for with check --log: the log's last lines (at most 100, or 8 KiB), redacted as the
 * report is, for the template's log field; NULL without a readable log file. */
static char *log_tail(const struct wld_options *o, struct wld_redactor *red)
{
    enum { MAX_BYTES = 8192, MAX_LINES = 100 };
    if (!o->log_path || strcmp(o->log_path, "-") == 0)
        return NULL;
    FILE *f = fopen(o->log_path, "rbe");
    if (!f)
        return NULL;
    char *buf = wld_xcalloc(MAX_BYTES + 1, 1);
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    size_t n = 0;
    if (size >= 0 && fseek(f, size > MAX_BYTES ? size - MAX_BYTES : 0, SEEK_SET) == 0)
        n = fread(buf, 1, MAX_BYTES, f);
    fclose(f);
    buf[n] = '\0';
    n = strlen(buf); /* a NUL byte ends what is shown */
    char *start = buf;
    if (size > MAX_BYTES && strchr(start, '\n')) /* from a whole line */
        start = strchr(start, '\n') + 1;
    size_t lines = 0;
    for (char *p = buf + n; p > start; p--)
        if (p[-1] == '\n' && p != buf + n && ++lines == MAX_LINES) {
            start = p;
            break;
        }
    char *tail = wld_xstrdup(start);
    free(buf);
    if (red) {
        wld_redactor_learn_text(red, tail, strlen(tail));
        wld_redact_str(red, tail);
    }
    return tail;
}

/* The host, live or under --root; NULL when --root cannot be read (said). */
static struct wld_host *open_host(const struct wld_options *o)
{
    struct wld_host *host = NULL;
    int r = o->root ? wld_host_new_fixture(o->root, &host) : wld_host_new_live(&host);
    if (r == -EFBIG)
        fprintf(stderr,
                "wsl-llm-doctor: --root %s: .doctor/env is over 16 MiB or 65536 variables, more "
                "than a recorded environment holds; it is not read in part\n",
                o->root);
    else if (r < 0)
        fprintf(stderr, "wsl-llm-doctor: --root %s: not a directory we can read (%s)\n", o->root,
                strerror(-r));
    return r < 0 ? NULL : host;
}

int wld_cmd_check(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    if (o->facts_path)
        return cmd_facts(o, rules, out);
    struct wld_host *host = open_host(o);
    if (!host)
        return EXIT_USAGE;
    struct wld_recorder *rec = o->command == WLD_CMD_RECORD ? wld_recorder_new() : NULL;
    if (rec)
        host->layer = wld_recorder_layer(rec);
    struct wld_report *rep = NULL;
    struct wld_redactor *red = NULL;
    int code = EXIT_OK;
    int r = wld_pipeline_run(host, rules, o, &rep);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: internal error: %s\n", strerror(-r));
        code = EXIT_INTERNAL;
        goto out;
    }
    if (o->log_path && (code = fold_log(o, rules, rep)) != 0)
        goto out;
    wld_log_fold_journals(rep, rules); /* ollama's journal, as check --log folds a log */
    red = wld_options_redact(o) ? wld_redactor_new() : NULL;
    rep->exit_code = report_exit_code(rep, o);
    code = rep->exit_code;
    if (rec) {
        if (wld_record_finish(o, host, rec, rep, red) < 0)
            code = EXIT_USAGE;
    } else if (red) {
        wld_report_redact(rep, red, host);
    }
    if (code != EXIT_USAGE) {
        char *tail = o->issue_for ? log_tail(o, red) : NULL;
        if (emit(rep, o, tail, out) < 0)
            code = EXIT_USAGE;
        free(tail);
    }
out:
    wld_redactor_free(red);
    wld_recorder_free(rec);
    wld_report_free(rep);
    wld_host_free(host);
    return code;
}
