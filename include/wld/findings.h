/* What every command's report is to the renderers of the formats other programs read
 * (JUnit XML, GitHub workflow commands, SARIF): cases of findings, each finding with its
 * rule, status, words, sources and place. check, lint and log each turn their report into
 * this once (wld_report_findings, wld_lint_findings, wld_log_findings), and one renderer
 * per format writes any of them (src/report/report_ci.c, src/report/report_sarif.c). */
#ifndef WLD_FINDINGS_H
#define WLD_FINDINGS_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "wld/check.h"
#include "wld/render.h"

/* A finding as a renderer sees it. Strings are borrowed from the report it came from,
 * except rule and where (owned by the list). */
struct wld_item {
    char *rule;        /* "check/key": SARIF's ruleId, an annotation's title */
    const char *check; /* the check whose rules judged it ("lint" for lint's own) */
    const char *title; /* that check's title, or NULL */
    enum wld_status status;
    bool note;            /* a skip worth telling (what a log could not show) */
    const char *summary;  /* one line */
    const char *fix;      /* NULL: none */
    const cJSON *sources; /* URLs, or NULL */
    const char *file;     /* the file it is about (lint's file, the log); NULL: the host */
    unsigned line, col;   /* from 1; 0: the file as a whole */
    char *where;          /* the place in words for a test report ("4:1", "lines 3, 9"), or NULL */
};

/* What JUnit calls a test case: a check of the host, a linted file, a log's finding. */
struct wld_case {
    char *classname, *name; /* owned */
    char *skipped;          /* why it was not judged, or NULL; owned */
    double seconds;         /* < 0: not timed */
    size_t first, n;        /* its findings: items[first .. first + n) */
    /* the worst of its findings (pass without any; skip says nothing), or a worse one among
     * those a long list left out (lint lists 100 a file) */
    enum wld_status status;
    const char *label; /* what the metrics call it (the check id, the file); borrowed */
    const char *kind;  /* lint: the file's kind ("wslconfig"); NULL otherwise */
    const char *about; /* a case without findings passed: in what words ("WSL config") */
    /* check: the check whose finding this case's follows from, and that finding's key */
    const char *cause, *cause_outcome;
};

struct wld_findings {
    const char *command; /* "check", "lint" or "log" */
    const char *rules_version;
    struct wld_item *items;
    size_t n_items;
    struct wld_case *cases;
    size_t n_cases;
    int exit_code;
    double started; /* seconds since the epoch; 0: not known */
    double seconds; /* the run's length; < 0: not timed */
    char *notice;   /* what the run found, in words (GitHub's closing notice); owned */
    /* findings by status, those a list left out too: the report's own, copied */
    unsigned counts[WLD_STATUS_COUNT];
    /* markdown, the words around the findings (owned, each NULL for none): the heading's
     * title ("lint"), what was judged ("3 files linted"), a paragraph before the table
     * (lead_label: lead, "The log shows: ..."), the line when nothing is wrong, what
     * follows the table (Markdown: the log's facts, set for markdown alone), and what
     * was redacted */
    char *title, *context, *lead, *none, *appendix, *redacted;
    const char *lead_label;
};

/* Appends a case named classname/name (copied) and returns it; its findings are those
 * added after it until the next case. */
struct wld_case *wld_findings_case(struct wld_findings *f, const char *classname, const char *name);
/* Appends a finding to the last case, rule "check/key"; returns it for the optional
 * fields. */
struct wld_item *wld_findings_add(struct wld_findings *f,
                                  const char *check,
                                  const char *key,
                                  enum wld_status status,
                                  const char *summary,
                                  const char *fix,
                                  const cJSON *sources);
void wld_findings_free(struct wld_findings *f);

/* Renders f in format: junit, github, sarif, prometheus, or markdown (the formats every
 * command writes from its findings alone; check writes its own markdown, with the
 * evidence). */
void wld_render_findings(const struct wld_findings *f,
                         enum wld_format format,
                         const struct wld_render_opts *o,
                         FILE *out);

/* JUnit XML: a test case per case; one whose findings fail the run (wld_status_fails) is a
 * failure, a case not judged is skipped, the others carry their findings as output. */
void wld_render_junit(const struct wld_findings *f, const struct wld_render_opts *o, FILE *out);
/* GitHub Actions workflow commands: ::error / ::warning per problem (::notice for a note),
 * at its file and line when it has one, with its fix; then the run's notice. */
void wld_render_github(const struct wld_findings *f, FILE *out);
/* SARIF 2.1.0 (GitHub code scanning's input): the rules the problems came from, and the
 * problems (warn, fail, error, notes) with their fix, sources and place. */
void wld_render_sarif(const struct wld_findings *f, FILE *out);
/* Prometheus metrics for node_exporter's textfile collector: each case's status, what
 * follows from what, durations, findings by status, the exit code and the run's times;
 * named per command so check's and lint's files can sit in one directory. */
void wld_render_prometheus(const struct wld_findings *f, FILE *out);
/* GitHub-flavoured Markdown for an issue or a step summary: the title and context, the
 * tally, a table of the problems with their fixes, the cases that passed, the appendix. */
void wld_render_findings_md(const struct wld_findings *f, FILE *out);
/* Text reports (check's, log's): a status's colour ("" without --color), an SGR sequence
 * or "" without colour; a finding's line without its newline (the mark, the label padded
 * to width, the summary with its later lines indented under it), and the "fix:" line
 * indented under it. */
const char *wld_text_color(const struct wld_render_opts *o, enum wld_status s);
const char *wld_text_sgr(const struct wld_render_opts *o, const char *sgr);
void wld_put_text_mark(FILE *out,
                       const struct wld_render_opts *o,
                       enum wld_status s,
                       const char *label,
                       int width,
                       const char *summary);
void wld_put_text_fix(FILE *out, const struct wld_render_opts *o, const char *fix);
/* Text for a Markdown table cell: code spans kept as written, the rest escaped. */
void wld_put_md_cell(FILE *out, const char *s);

#endif
