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

/* Renders f in format: junit, github or sarif (the formats every command writes from its
 * findings alone). */
void wld_render_findings(const struct wld_findings *f,
                         enum wld_format format,
                         const struct wld_render_opts *o,
                         FILE *out);

/* The worst status of a case's findings (pass without any). */
enum wld_status wld_case_status(const struct wld_findings *f, const struct wld_case *c);

/* JUnit XML: a test case per case; one whose findings fail the run (wld_status_fails) is a
 * failure, a case not judged is skipped, the others carry their findings as output. */
void wld_render_junit(const struct wld_findings *f, const struct wld_render_opts *o, FILE *out);
/* GitHub Actions workflow commands: ::error / ::warning per problem (::notice for a note),
 * at its file and line when it has one, with its fix; then the run's notice. */
void wld_render_github(const struct wld_findings *f, FILE *out);
/* SARIF 2.1.0 (GitHub code scanning's input): the rules the problems came from, and the
 * problems (warn, fail, error, notes) with their fix, sources and place. */
void wld_render_sarif(const struct wld_findings *f, FILE *out);

#endif
