/* The reports for CI: JUnit XML for test reporters and GitHub Actions workflow commands,
 * from any command's findings. */
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
        failures += !c->skipped && wld_status_fails(c->status, o->fail_on_warn);
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
        enum wld_status worst = c->status;
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
    switch (format) {
    case WLD_FORMAT_JUNIT:
        wld_render_junit(f, o, out);
        break;
    case WLD_FORMAT_GITHUB:
        wld_render_github(f, out);
        break;
    case WLD_FORMAT_SARIF:
        wld_render_sarif(f, out);
        break;
    case WLD_FORMAT_PROMETHEUS:
        wld_render_prometheus(f, out);
        break;
    case WLD_FORMAT_MARKDOWN:
        wld_render_findings_md(f, out);
        break;
    case WLD_FORMAT_TEXT: /* each command's own (wld/render.h) */
    case WLD_FORMAT_JSON:
        break;
    }
}
