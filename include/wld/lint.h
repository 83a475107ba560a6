/* `wsl-llm-doctor lint PATH...`: a repository's .wslconfig, wsl.conf, systemd unit files,
 * Docker daemon.json, CDI specs and compose files judged on their own, away from any host
 * (docs/ci.md). The same readers and rules as the checks wsl.wslconfig, wsl.wsl-conf,
 * service.systemd and container.gpu; what needs a host (the settings in effect, a binary,
 * model or driver-store path that exists, systemd or an engine running) is left out, and
 * each file says what. Every finding has the file, line and column, a rule id
 * ("wsl.wslconfig/bad_size"), a status and the fix. */
#ifndef WLD_LINT_H
#define WLD_LINT_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "wld/check.h"
#include "wld/render.h"
#include "wld/rules.h"
#include "wld/settings.h"

enum wld_lint_kind {
    WLD_LINT_NONE, /* no kind lint knows: the file is listed as skipped */
    WLD_LINT_WSLCONFIG,
    WLD_LINT_WSL_CONF,
    WLD_LINT_UNIT,
    WLD_LINT_DAEMON_JSON,
    WLD_LINT_CDI,
    WLD_LINT_COMPOSE,
};

/* "wslconfig", "wsl-conf", "unit", "daemon-json", "cdi", "compose" (the --kind words);
 * "none". */
const char *wld_lint_kind_name(enum wld_lint_kind k);
/* ".wslconfig", "wsl.conf", "systemd unit", "daemon.json", "CDI spec", "compose file": the
 * kind in a sentence. */
const char *wld_lint_kind_words(enum wld_lint_kind k);
/* The --kind word's kind; -EINVAL for another word. */
int wld_lint_kind_parse(const char *s, enum wld_lint_kind *ret);
/* The kind a file's name says (.wslconfig, wslconfig, *.wslconfig, wsl.conf, *.service,
 * NAME.service.d/ *.conf, daemon.json, *.daemon.json, cdi/ *.yaml|yml|json, compose.yaml,
 * docker-compose.yml, compose.*.yaml, docker-compose.*.yml; copies such as
 * daemon.json.example), or WLD_LINT_NONE. */
enum wld_lint_kind wld_lint_kind_of_name(const char *path);
/* Whether a file's name says it may be a CDI spec, its text to tell (nvidia*.yaml). */
bool wld_lint_name_may_be_cdi(const char *path);
/* The kind a file's text says, from its sections and keys as the rules know them ([wsl2]
 * memory=, [boot] systemd=, [Service] ExecStart=), a CDI spec's top-level cdiVersion and
 * kind, a compose file's services: whose entries have image: or build:, or WLD_LINT_NONE
 * when it says none. */
enum wld_lint_kind wld_lint_kind_of_text(const struct wld_rules *rules, const char *text);

struct wld_lint_finding {
    unsigned line, col; /* from 1; line 0: the file as a whole */
    char *rule;         /* "service.systemd/no_restart" */
    const char *check;  /* the check whose rules judged it (borrowed) */
    enum wld_status status;
    char *message;
    char *fix; /* or NULL */
    cJSON *sources;
};

struct wld_lint_file {
    char *path;
    enum wld_lint_kind kind;
    const char *kind_from; /* "name", "content" or "--kind" */
    char *skipped;         /* why it was not linted, or NULL */
    const char *not_judged;
    enum wld_status status; /* the worst finding's; pass with none */
    struct wld_lint_finding *findings;
    size_t n;
    unsigned more;                     /* findings past WLD_LINT_SHOWN: counted, not kept */
    unsigned counts[WLD_STATUS_COUNT]; /* every finding's, kept or not */
};

/* Findings kept per file: a generated file with 100,000 bad lines is reported, not
 * printed whole. */
#define WLD_LINT_SHOWN 100

struct wld_lint_report {
    const struct wld_rules *rules;
    struct wld_lint_file *files; /* in path order; skipped ones too */
    size_t n;
    unsigned linted, skipped, truncated_walk; /* files linted, skipped; walks cut short */
    unsigned counts[WLD_STATUS_COUNT];        /* findings by status */
    int exit_code;                            /* 1 on a fail (or warn, fail_on_warn) */
};

/* Lints each path (a file, or a directory walked in name order, skipping .git and links to
 * directories, at most 10,000 files and 32 levels deep); kind forces every file's kind
 * (WLD_LINT_NONE: from the name, and for a file named on the command line from its
 * text). Returns 0, or -errno with *err (caller frees) when a path does not exist. */
int wld_lint_run(char *const *paths,
                 enum wld_lint_kind kind,
                 const struct wld_rules *rules,
                 bool fail_on_warn,
                 struct wld_lint_report **ret,
                 char **err);
void wld_lint_report_free(struct wld_lint_report *r);

/* Lints one file's bytes (n of them; truncated: there was more) as kind, into f. */
void wld_lint_text(const struct wld_rules *rules,
                   enum wld_lint_kind kind,
                   const char *data,
                   size_t n,
                   bool truncated,
                   struct wld_lint_file *f);

/* The report as JSON (docs/lint.schema.json), and in every format. */
cJSON *wld_lint_report_json(const struct wld_lint_report *r);
/* The report as cases of findings (wld/findings.h): a case per file, a skipped file
 * skipped. Free with wld_findings_free. */
struct wld_findings;
void wld_lint_findings(const struct wld_lint_report *r, struct wld_findings *out);
void wld_render_lint(const struct wld_lint_report *r,
                     enum wld_format format,
                     const struct wld_render_opts *o,
                     FILE *out);

#endif
