/* One file's text judged as a .wslconfig or a wsl.conf (see wld/lint.h), by the reader and
 * rules of wsl.wslconfig and wsl.wsl-conf, with where in the text a finding points; a
 * systemd unit is judged in src/lint/lint_unit.c, the container files in
 * src/lint/lint_containers.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wld/util.h"
#include "wld/wslconfig_lint.h"
#include "wld/wslfile.h"

#include "lint_impl.h"

/* ---- where things are in the text ---- */

/* The column of word in line n (case aside), or of its first non-blank character. */
static unsigned word_col(const char *text, unsigned n, const char *word)
{
    size_t len = 0, wl = word ? strlen(word) : 0;
    const char *p = wld_lint_line_at(text, n, &len);
    if (p && wl)
        for (size_t i = 0; i + wl <= len; i++)
            if (strncasecmp(p + i, word, wl) == 0)
                return (unsigned) i + 1;
    return wld_lint_first_col(text, n);
}

/* The column of the value on a key=value line: past '=' and blanks. */
unsigned wld_lint_value_col(const char *text, unsigned n)
{
    size_t len = 0;
    const char *p = wld_lint_line_at(text, n, &len);
    const char *eq = p ? memchr(p, '=', len) : NULL;
    if (!eq)
        return wld_lint_first_col(text, n);
    size_t i = (size_t) (eq - p) + 1;
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return (unsigned) i + 1;
}

/* ---- .wslconfig and wsl.conf ---- */

/* Problems on a value point at the value; the rest at the key, or the line. */
static bool about_value(const char *key)
{
    return wld_str_starts(key, "bad_") || strcmp(key, "path_escape") == 0 ||
           strcmp(key, "localhost_off") == 0;
}

void wld_lint_wsl(const struct wld_rules *rules,
                  const char *check,
                  const char *text,
                  const char *data,
                  size_t n,
                  bool truncated,
                  struct wld_lint_file *f)
{
    bool conf = strcmp(check, "wsl.wsl-conf") == 0;
    cJSON *facts = cJSON_CreateObject();
    wld_wsl_file_parse(data, n, truncated, facts);
    const cJSON *chk = wld_rules_check(rules, check);
    struct wld_eval_ctx ctx = { .facts = NULL,
                                .mine = facts,
                                .params = cJSON_GetObjectItemCaseSensitive(chk, "params") };
    const cJSON *lint = wld_param(&ctx, "lint");
    f->not_judged = wld_fact_str(lint, "not_judged");
    cJSON *vars = cJSON_CreateObject();
    cJSON_AddStringToObject(vars, "path", f->path);
    cJSON_AddStringToObject(vars, "encoding", wld_fact_str(facts, "encoding"));
    const char *enc = wld_fact_str(facts, "encoding");
    /* WSL reads none of it: one finding for the file */
    if (!wld_fact_bool(facts, "wsl_readable", true) ||
        (conf && enc && wld_str_starts(enc, "utf-16"))) {
        wld_lint_outcome(f, rules, check, "encoding", 1, 1, vars);
        goto out;
    }
    if (conf && wld_str_is(enc, "utf-8-bom"))
        wld_lint_outcome(f, rules, check, "utf8_bom", 1, 1, vars);
    if (conf) {
        const cJSON *e = wld_wsl_gpu_disabled(facts);
        if (e) {
            unsigned line = (unsigned) wld_fact_num(e, "line", 1);
            cJSON_AddNumberToObject(vars, "line", line);
            cJSON_AddStringToObject(vars, "value", wld_fact_str(e, "value"));
            wld_lint_outcome(f, rules, check, "gpu_disabled", line, wld_lint_value_col(text, line),
                             vars);
        }
    }
    struct wld_lint l;
    struct wld_wslconfig_set cfg = { .memory = -1, .swap = -1, .processors = -1 };
    wld_lint_begin(&l, &ctx);
    l.items = cJSON_CreateArray();
    wld_wslconfig_lint_entries(&l, &cfg);
    wld_wslconfig_lint_cut(&l);
    if (!conf)
        wld_wslconfig_lint_localhost(&l, &cfg);
    const cJSON *lint_outcome = wld_rules_outcome(rules, check, "lint");
    const cJSON *messages = wld_param(&ctx, "messages");
    const cJSON *fixes = cJSON_GetObjectItemCaseSensitive(lint, "fixes");
    const cJSON *it;
    cJSON_ArrayForEach(it, l.items)
    {
        const char *key = wld_fact_str(it, "key");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, "vars");
        unsigned line = (unsigned) wld_fact_num(v, "line", 0);
        const char *tmpl = wld_fact_str(messages, key);
        /* the finding carries the line: the message goes without its "line N: " */
        if (tmpl && wld_str_starts(tmpl, "line {line}: "))
            tmpl += strlen("line {line}: ");
        char *msg = wld_template_render(tmpl ? tmpl : key, v);
        const char *fix = wld_fact_str(fixes, key);
        unsigned col = !line                    ? 0
                       : about_value(key)       ? wld_lint_value_col(text, line)
                       : wld_fact_str(v, "key") ? word_col(text, line, wld_fact_str(v, "key"))
                                                : wld_lint_first_col(text, line);
        /* the message and fix are the lint param's; status and sources the outcome's */
        struct wld_verdict said;
        wld_verdict_make(rules, chk, lint_outcome, vars, &said);
        free(said.summary);
        if (fix) {
            free(said.fix);
            said.fix = wld_template_render(fix, v);
        }
        wld_lint_add(f, line, col, check, key, said.status, msg, said.fix, said.sources);
    }
    cJSON_Delete(l.items);
    l.items = NULL;
    struct wld_finding scratch = { .vars = cJSON_CreateObject() };
    wld_lint_end(&l, &scratch);
    cJSON_Delete(scratch.vars);
out:
    cJSON_Delete(vars);
    cJSON_Delete(facts);
}
