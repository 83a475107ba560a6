/* The reports for machines that watch other machines: JUnit XML for CI test reporters,
 * GitHub Actions workflow commands, and Prometheus metrics for node_exporter's textfile
 * collector. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wld/findings.h"
#include "wld/pipeline.h"
#include "wld/util.h"

/* The suite's name: "wsl-llm-doctor" for check, "wsl-llm-doctor.lint" for lint. */
static void suite_name(FILE *out, const struct wld_findings *f, char sep)
{
    fputs("wsl-llm-doctor", out);
    if (strcmp(f->command, "check") != 0)
        fprintf(out, "%c%s", sep, f->command);
}

static void junit_times(FILE *out, const struct wld_findings *f)
{
    if (f->seconds >= 0)
        fprintf(out, " time=\"%.3f\"", f->seconds);
    if (f->started > 0) {
        char when[32];
        time_t t = (time_t) f->started;
        struct tm tm;
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
        fprintf(out, " timestamp=\"%s\"", when);
    }
}

/* A case's findings, one after another: where, status, summary, rule, fix. */
static void junit_body(FILE *out, const struct wld_findings *f, const struct wld_case *c)
{
    for (size_t i = c->first; i < c->first + c->n; i++) {
        const struct wld_item *x = &f->items[i];
        if (i > c->first)
            fputc('\n', out);
        if (x->where) {
            wld_put_xml(out, x->where);
            fputc(' ', out);
        }
        fprintf(out, "%s: ", wld_status_upper(x->status));
        wld_put_xml(out, x->summary);
        fputs(" [", out);
        wld_put_xml(out, x->rule);
        fputc(']', out);
        if (x->fix && x->status != WLD_PASS) {
            fputs("\nfix: ", out);
            wld_put_xml(out, x->fix);
        }
    }
}

void wld_render_junit(const struct wld_findings *f, const struct wld_render_opts *o, FILE *out)
{
    unsigned failures = 0, skipped = 0;
    for (size_t i = 0; i < f->n_cases; i++) {
        const struct wld_case *c = &f->cases[i];
        skipped += c->skipped != NULL;
        failures += !c->skipped && wld_status_fails(wld_case_status(f, c), o->fail_on_warn);
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"", out);
    suite_name(out, f, ' ');
    fprintf(out, "\" tests=\"%zu\" failures=\"%u\" errors=\"0\" skipped=\"%u\"", f->n_cases,
            failures, skipped);
    junit_times(out, f);
    fputs(">\n  <testsuite name=\"", out);
    suite_name(out, f, '.');
    fprintf(out, "\" tests=\"%zu\" failures=\"%u\" errors=\"0\" skipped=\"%u\"", f->n_cases,
            failures, skipped);
    junit_times(out, f);
    fprintf(out,
            ">\n    <properties>\n      <property name=\"wsl-llm-doctor.version\" value=\"%s\"/>\n"
            "      <property name=\"rules.version\" value=\"",
            WLD_VERSION);
    wld_put_xml(out, f->rules_version);
    fputs("\"/>\n    </properties>\n", out);
    for (size_t i = 0; i < f->n_cases; i++) {
        const struct wld_case *c = &f->cases[i];
        fputs("    <testcase classname=\"", out);
        wld_put_xml(out, c->classname);
        fputs("\" name=\"", out);
        wld_put_xml(out, c->name);
        fputc('"', out);
        if (c->seconds >= 0)
            fprintf(out, " time=\"%.3f\"", c->seconds);
        fputs(">\n", out);
        enum wld_status worst = wld_case_status(f, c);
        if (c->skipped) {
            fputs("      <skipped message=\"", out);
            wld_put_xml(out, c->skipped);
            fputs("\"/>\n", out);
        } else if (wld_status_fails(worst, o->fail_on_warn)) {
            fprintf(out, "      <failure type=\"%s\" message=\"", wld_status_name(worst));
            if (c->n == 1)
                wld_put_xml(out, f->items[c->first].summary);
            else
                fprintf(out, "%zu findings", c->n);
            fputs("\">", out);
            junit_body(out, f, c);
            fputs("</failure>\n", out);
        } else if (c->n) {
            fputs("      <system-out>", out);
            junit_body(out, f, c);
            fputs("</system-out>\n", out);
        }
        fputs("    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
}

void wld_render_github(const struct wld_findings *f, FILE *out)
{
    for (size_t i = 0; i < f->n_items; i++) {
        const struct wld_item *x = &f->items[i];
        if (!wld_status_is_problem(x->status) && !x->note)
            continue;
        fprintf(out, "::%s ", x->note ? "notice" : x->status == WLD_WARN ? "warning" : "error");
        if (x->file) {
            fputs("file=", out);
            wld_put_gh(out, x->file, true);
            if (x->line)
                fprintf(out, ",line=%u", x->line);
            if (x->line && x->col)
                fprintf(out, ",col=%u", x->col);
            fputc(',', out);
        }
        fputs("title=", out);
        wld_put_gh(out, x->rule, true);
        fputs("::", out);
        wld_put_gh(out, x->summary, false);
        if (x->fix) {
            fputs("%0Afix: ", out); /* one command is one line */
            wld_put_gh(out, x->fix, false);
        }
        fputc('\n', out);
    }
    fprintf(out, "::notice title=wsl-llm-doctor %s", WLD_VERSION);
    if (strcmp(f->command, "check") != 0)
        fprintf(out, " %s", f->command);
    fputs("::", out);
    wld_put_gh(out, f->notice ? f->notice : "", false);
    fputc('\n', out);
}

void wld_render_findings(const struct wld_findings *f,
                         enum wld_format format,
                         const struct wld_render_opts *o,
                         FILE *out)
{
    if (format == WLD_FORMAT_JUNIT)
        wld_render_junit(f, o, out);
    else if (format == WLD_FORMAT_GITHUB)
        wld_render_github(f, out);
    else
        wld_render_sarif(f, out);
}

/* A label value: backslash, double quote and line feed escaped. */
static const char *const label_escapes[256] = { ['\\'] = "\\\\", ['"'] = "\\\"", ['\n'] = "\\n" };

static void put_label(FILE *out, const char *s)
{
    wld_put_escaped(out, s, label_escapes, false);
}

static void metric_head(FILE *out, const char *name, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

void wld_render_prometheus(const struct wld_report *r, FILE *out)
{
    metric_head(out, "wsl_llm_doctor_check_status",
                "Status of each check in the last run: 1 for the status it has, 0 for the others.");
    for (size_t i = 0; i < r->n; i++)
        for (unsigned s = 0; s < WLD_STATUS_COUNT; s++) {
            fputs("wsl_llm_doctor_check_status{check=\"", out);
            put_label(out, r->results[i].check->id);
            fprintf(out, "\",status=\"%s\"} %d\n", wld_status_name((enum wld_status) s),
                    r->results[i].status == s);
        }
    if (r->followers)
        metric_head(out, "wsl_llm_doctor_check_caused_by",
                    "1 for each check skipped because its problem follows from another check's "
                    "finding (cause, and the cause's outcome).");
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        if (!res->cause)
            continue;
        fputs("wsl_llm_doctor_check_caused_by{cause=\"", out);
        put_label(out, res->cause->id);
        fputs("\",check=\"", out);
        put_label(out, res->check->id);
        fputs("\",outcome=\"", out);
        put_label(out, res->cause_outcome);
        fputs("\"} 1\n", out);
    }
    metric_head(out, "wsl_llm_doctor_check_duration_seconds",
                "Time each check took in the last run.");
    for (size_t i = 0; i < r->n; i++) {
        fputs("wsl_llm_doctor_check_duration_seconds{check=\"", out);
        put_label(out, r->results[i].check->id);
        fprintf(out, "\"} %.4f\n", r->results[i].duration_ms / 1000.0);
    }
    metric_head(out, "wsl_llm_doctor_checks", "Number of checks with each status in the last run.");
    for (unsigned s = 0; s < WLD_STATUS_COUNT; s++)
        fprintf(out, "wsl_llm_doctor_checks{status=\"%s\"} %u\n",
                wld_status_name((enum wld_status) s), r->counts[s]);
    metric_head(out, "wsl_llm_doctor_exit_code",
                "Exit status of the last run: 0 nothing failed, 1 a check failed or could not "
                "run, 3 internal error.");
    fprintf(out, "wsl_llm_doctor_exit_code %d\n", r->exit_code);
    metric_head(out, "wsl_llm_doctor_last_run_timestamp_seconds",
                "When the last run began, in seconds since the Unix epoch.");
    fprintf(out, "wsl_llm_doctor_last_run_timestamp_seconds %.3f\n", floor(r->started * 1e3) / 1e3);
    metric_head(out, "wsl_llm_doctor_last_run_duration_seconds", "How long the last run took.");
    fprintf(out, "wsl_llm_doctor_last_run_duration_seconds %.4f\n", r->total_ms / 1000.0);
    metric_head(out, "wsl_llm_doctor_build_info",
                "The doctor's version and the rules' version; always 1.");
    fprintf(out, "wsl_llm_doctor_build_info{rules_version=\"");
    put_label(out, r->rules->version);
    fprintf(out, "\",version=\"%s\"} 1\n", WLD_VERSION);
}
