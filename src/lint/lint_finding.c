/* A lint finding made from the rules: a check's outcome or its "lint" param's finding,
 * rendered with the file's variables, at a line and column of its text (see
 * src/lint/lint_impl.h). Every kind's judging makes its findings here. */
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/util.h"

#include "lint_impl.h"

/* ---- findings ---- */

void wld_lint_add(struct wld_lint_file *f,
                  unsigned line,
                  unsigned col,
                  const char *check,
                  const char *id,
                  enum wld_status st,
                  char *message,
                  char *fix,
                  cJSON *sources)
{
    if (st < WLD_SKIP && st > f->status)
        f->status = st;
    if (st == WLD_ERROR)
        f->status = WLD_FAIL > f->status ? WLD_FAIL : f->status;
    f->counts[st]++;
    f->findings = wld_xrealloc(f->findings, (f->n + 1) * sizeof(*f->findings));
    struct wld_lint_finding *x = &f->findings[f->n++];
    *x = (struct wld_lint_finding){ .line = line,
                                    .col = line ? (col ? col : 1) : 0,
                                    .rule = wld_xasprintf("%s/%s", check, id),
                                    .check = check,
                                    .status = st,
                                    .message = message,
                                    .fix = fix,
                                    .sources = sources ? sources : cJSON_CreateArray() };
}

void wld_lint_say(struct wld_lint_file *f,
                  const struct wld_rules *rules,
                  const char *check,
                  const char *id,
                  const cJSON *entry,
                  unsigned line,
                  unsigned col,
                  const cJSON *vars)
{
    struct wld_verdict v;
    wld_verdict_make(rules, check ? wld_rules_check(rules, check) : NULL, entry, vars, &v);
    wld_lint_add(f, line, col, check ? check : "lint", id, v.status, v.summary, v.fix, v.sources);
}

/* A finding from a check's outcome (gpu_disabled, no_restart): its status, summary, fix. */
void wld_lint_outcome(struct wld_lint_file *f,
                      const struct wld_rules *rules,
                      const char *check,
                      const char *outcome,
                      unsigned line,
                      unsigned col,
                      const cJSON *vars)
{
    wld_lint_say(f, rules, check, outcome, wld_rules_outcome(rules, check, outcome), line, col,
                 vars);
}

void wld_lint_rule(struct wld_lint_file *f,
                   const struct wld_rules *rules,
                   const char *text,
                   const char *check,
                   const char *key,
                   unsigned line,
                   const cJSON *vars)
{
    const cJSON *o = wld_rules_outcome(rules, check, key);
    if (!o) /* not an outcome of the check: a finding of its "lint" param */
        o = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(wld_lint_param(rules, check), "findings"), key);
    wld_lint_say(f, rules, check, key, o, line, line ? wld_lint_first_col(text, line) : 0, vars);
}

const cJSON *wld_lint_param(const struct wld_rules *rules, const char *check)
{
    const cJSON *chk = wld_rules_check(rules, check);
    struct wld_eval_ctx ctx = { .params = cJSON_GetObjectItemCaseSensitive(chk, "params") };
    return wld_param(&ctx, "lint");
}

void wld_lint_common(struct wld_lint_file *f,
                     const struct wld_rules *rules,
                     const char *outcome,
                     const cJSON *vars)
{
    wld_lint_say(f, rules, NULL, outcome, wld_rules_common(rules, outcome), 0, 0, vars);
}

/* ---- where things are in the text ---- */

/* The start of line n (from 1) of text, and its length; NULL past the end. */
const char *wld_lint_line_at(const char *text, unsigned n, size_t *len)
{
    const char *p = text;
    for (unsigned i = 1; i < n && p; i++) {
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    if (!p || (!*p && n > 1))
        return NULL;
    *len = strcspn(p, "\r\n");
    return p;
}

/* The column (from 1) of the first non-blank character of line n. */
unsigned wld_lint_first_col(const char *text, unsigned n)
{
    size_t len = 0;
    const char *p = wld_lint_line_at(text, n, &len);
    if (!p)
        return 1;
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return (unsigned) i + 1;
}
