/* The pipeline: select checks, gather facts concurrently (one thread per check, each
 * probe with its own deadline), evaluate against the rules, and build the report. */
#ifndef WLD_PIPELINE_H
#define WLD_PIPELINE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "wld/check.h"
#include "wld/host.h"
#include "wld/render.h"
#include "wld/rules.h"
#include "wld/settings.h"

struct wld_result {
    const struct wld_check *check;
    enum wld_status status;
    char *outcome;   /* the rules' outcome key; owned */
    char *summary;   /* owned */
    char *fix;       /* owned; NULL when the outcome has none */
    cJSON *evidence; /* the facts gathered, and evaluate()'s variables; owned */
    cJSON *derived;  /* names of the evidence that evaluate() added; owned */
    cJSON *sources;  /* array of URLs; owned */
    double duration_ms;
    /* NULL: the host; "log": a finding of `check --log`; "journal": one of ollama's journal */
    const char *from;
    /* A check judged per runtime: [{runtime (id), status, outcome, summary, fix}], one per
     * runtime, the worst of which the result is; NULL for the other checks. Owned. */
    cJSON *runtimes;
    /* A result whose outcome follows from another check's finding in this report (the
     * rules' "follows" links, resolved to the root of a chain): that check and its outcome
     * key (owned); status is then skip, own_status what it would have been, and fix NULL,
     * since the cause's fix applies. cause is NULL otherwise, and own_status == status. */
    const struct wld_check *cause;
    char *cause_outcome;
    enum wld_status own_status;
};

struct wld_report {
    struct wld_result *results;
    size_t n;
    unsigned counts[WLD_STATUS_COUNT];
    unsigned followers;            /* results skipped as following another's finding */
    int exit_code;                 /* 0, 1 or 3, as main chose it (see ARCHITECTURE.md) */
    bool internal_error;           /* a check broke the doctor's own contract */
    const struct wld_rules *rules; /* borrowed */
    const char *root;              /* fixture root or NULL; borrowed */
    cJSON *facts;                  /* every gathered fact, by check id; owned */
    double total_ms;
    double started;             /* when the run began, seconds since the epoch */
    bool live;                  /* the live host, not a fixture tree */
    enum wld_platform platform; /* from wsl.platform's facts, once, for every evaluate() */
    cJSON *redacted;            /* kinds of values redacted ({"user": 1, ...}) or NULL; owned */
    char *redacted_text;        /* the same in words, or NULL; owned */
};

/* Runs the selected checks. Returns 0 and a report (free with wld_report_free). */
int wld_pipeline_run(const struct wld_host *h,
                     const struct wld_rules *rules,
                     const struct wld_options *opts,
                     struct wld_report **ret);
/* Judges saved facts (by check id, wld/facts.h) as a run that gathered them would: the
 * checks of reported (ids), or those --only names, each with what it lacks said instead
 * of a verdict (the common outcome facts_missing). Gathers nothing. */
int wld_pipeline_judge(const cJSON *facts,
                       const cJSON *reported,
                       const struct wld_rules *rules,
                       const struct wld_options *opts,
                       struct wld_report **ret);
void wld_report_free(struct wld_report *r);

struct wld_redactor;
/* Learns the personal values in the report (and the host's when h is not NULL, see
 * wld/redact.h) and
 * replaces them in every summary, fix, evidence and fact; records what kinds went. */
void wld_report_redact(struct wld_report *r, struct wld_redactor *red, const struct wld_host *h);

/* A check judged per runtime: the verdicts on the runtimes other than the one res shows,
 * for every renderer alike. Start with *i = 0; each call fills v (borrowed strings; fix
 * NULL unless the runtime has a problem) and returns true, false after the last. */
struct wld_runtime_verdict {
    enum wld_status status;
    const char *summary;
    const char *fix;
};
bool wld_result_other_runtime(const struct wld_result *res, int *i, struct wld_runtime_verdict *v);

/* The result of res's cause (res->cause), or NULL when res follows nothing. Borrowed. */
const struct wld_result *wld_report_cause(const struct wld_report *r, const struct wld_result *res);

/* The count line's skips: "15 skipped", and " (4 follow from another finding)" when some
 * results follow another's finding; every format's count line says it so. */
void wld_put_skipped(FILE *out, const struct wld_report *r);

/* The host in a few facts from the report: platform, distro, kernel, GPUs, driver, CUDA,
 * toolkit, llama.cpp binary, memory. Only what was gathered; caller deletes. */
cJSON *wld_report_host(const struct wld_report *r);

/* Renderers: the only code that prints a report. */
void wld_render_text(const struct wld_report *r, const struct wld_render_opts *o, FILE *out);
/* Returns the report document in the wsl-llm-doctor/report@1 shape; caller deletes. */
cJSON *wld_report_json(const struct wld_report *r);
void wld_render_json(const struct wld_report *r, FILE *out);
/* For a GitHub issue: verdicts table, fixes, evidence folded in <details>. */
void wld_render_markdown(const struct wld_report *r, FILE *out);
/* The report as cases of findings, for JUnit, GitHub, SARIF and Prometheus
 * (wld/findings.h): a case per check, a follower skipped with its cause. Free with
 * wld_findings_free. */
struct wld_findings;
void wld_report_findings(const struct wld_report *r, struct wld_findings *f);

/* `list`: every check, its title and what it looks at (text, or JSON with --format json). */
void wld_render_list(enum wld_format format, FILE *out);
/* `explain ID`: a check's rules (guards, why, rule data, outcomes, sources); JSON: the
 * rules entry with id and title. */
void wld_render_explain(const struct wld_rules *rules,
                        const struct wld_check *c,
                        enum wld_format format,
                        FILE *out);
/* `rules`: the rules in effect, as JSON. */
void wld_render_rules(const struct wld_rules *rules, FILE *out);

#define WLD_REPORT_SCHEMA "wsl-llm-doctor/report@1"
#define WLD_TOOL_NAME     "wsl-llm-doctor"

#endif
