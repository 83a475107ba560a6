/* The reports for machines that watch other machines: JUnit XML for CI test reporters,
 * GitHub Actions workflow commands, and Prometheus metrics for node_exporter's textfile
 * collector. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "wld/pipeline.h"
#include "wld/util.h"

static bool junit_failed(const struct wld_result *res, const struct wld_render_opts *o)
{
    return wld_status_fails(res->status, o->fail_on_warn);
}

void wld_render_junit(const struct wld_report *r, const struct wld_render_opts *o, FILE *out)
{
    unsigned failures = 0, skipped = r->counts[WLD_SKIP];
    for (size_t i = 0; i < r->n; i++)
        failures += junit_failed(&r->results[i], o);
    char when[32];
    time_t t = (time_t) r->started;
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<testsuites name=\"wsl-llm-doctor\" tests=\"%zu\" failures=\"%u\" errors=\"0\" "
            "skipped=\"%u\" time=\"%.3f\" timestamp=\"%s\">\n",
            r->n, failures, skipped, r->total_ms / 1000.0, when);
    fprintf(out,
            "  <testsuite name=\"wsl-llm-doctor\" tests=\"%zu\" failures=\"%u\" errors=\"0\" "
            "skipped=\"%u\" time=\"%.3f\" timestamp=\"%s\">\n",
            r->n, failures, skipped, r->total_ms / 1000.0, when);
    fprintf(out,
            "    <properties>\n      <property name=\"wsl-llm-doctor.version\" value=\"%s\"/>\n"
            "      <property name=\"rules.version\" value=\"",
            WLD_VERSION);
    wld_put_xml(out, r->rules->version);
    fputs("\"/>\n    </properties>\n", out);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        const char *id = res->check->id;
        /* check --log: the log's finding is a test case of its own, named apart */
        fprintf(out,
                "    <testcase classname=\"wsl-llm-doctor.%.*s\" name=\"%s%s%s\" time=\"%.3f\">\n",
                (int) strcspn(id, "."), id, id, res->from ? " " : "", res->from ? res->outcome : "",
                res->duration_ms / 1000.0);
        if (junit_failed(res, o)) {
            fprintf(out, "      <failure type=\"%s\" message=\"", wld_status_name(res->status));
            wld_put_xml(out, res->summary);
            fputs("\">", out);
            wld_put_xml(out, res->summary);
            if (res->fix) {
                fputs("\nfix: ", out);
                wld_put_xml(out, res->fix);
            }
            fputs("</failure>\n", out);
        } else if (res->status == WLD_SKIP) {
            fputs("      <skipped message=\"", out);
            wld_put_xml(out, res->summary);
            const struct wld_result *cause = wld_report_cause(r, res);
            if (cause) { /* not a failure of its own: the cause's test case fails */
                fprintf(out, "; follows from %s: ", cause->check->id);
                wld_put_xml(out, cause->summary);
            }
            fputs("\"/>\n", out);
        } else {
            fprintf(out, "      <system-out>%s: ", res->status == WLD_WARN ? "WARN" : "PASS");
            wld_put_xml(out, res->summary);
            if (res->fix && res->status == WLD_WARN) {
                fputs("\nfix: ", out);
                wld_put_xml(out, res->fix);
            }
            fputs("</system-out>\n", out);
        }
        fputs("    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
}

void wld_render_github(const struct wld_report *r, FILE *out)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        if (!wld_status_is_problem(res->status))
            continue;
        fprintf(out, "::%s title=", res->status == WLD_WARN ? "warning" : "error");
        char title[128];
        snprintf(title, sizeof(title), "%s (%s%s%s)", res->check->id, res->from ? res->from : "",
                 res->from ? ", " : "", wld_status_name(res->status));
        wld_put_gh(out, title, true);
        fputs("::", out);
        wld_put_gh(out, res->summary, false);
        if (res->fix) {
            fputs("%0Afix: ", out); /* one command is one line */
            wld_put_gh(out, res->fix, false);
        }
        fputc('\n', out);
    }
    fprintf(out, "::notice title=wsl-llm-doctor %s::%zu checks: %u passed, %u warned, %u failed, ",
            WLD_VERSION, r->n, r->counts[WLD_PASS], r->counts[WLD_WARN], r->counts[WLD_FAIL]);
    wld_put_skipped(out, r);
    fprintf(out, ", %u error%s (exit %d)\n", r->counts[WLD_ERROR],
            r->counts[WLD_ERROR] == 1 ? "" : "s", r->exit_code);
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
