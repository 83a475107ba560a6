/* A log's finding made (see logdiag_impl.h): the signature's check, the lines of its match,
 * observation and evidence, and its words through wld_verdict_make with the log's values,
 * the match's captures and, where a line states an error code, the code's meaning. Every
 * log finding is made here, by logdiag.c for the signatures and by logdiag_codes.c for
 * the codes no signature explains. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/logcodes.h"
#include "wld/logdiag.h"
#include "wld/rules.h"
#include "wld/util.h"

#include "logdiag_impl.h"

const cJSON *wld_log_variant(const struct wld_log_facts *f, const cJSON *rule)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(rule, "when"))
    {
        const char *cond = wld_fact_str(v, "if");
        if (cond && wld_log_condition(f, cond))
            return v;
    }
    return NULL;
}

/* An error code's key as this log has it: its variant's (wld_log_variant) where that gives
 * the key, else the row's own. */
const cJSON *wld_log_code_item(const struct wld_log_facts *f, const cJSON *row, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(wld_log_variant(f, row), key);
    return item ? item : cJSON_GetObjectItemCaseSensitive(row, key);
}

const char *wld_log_code_str(const struct wld_log_facts *f, const cJSON *row, const char *key)
{
    const cJSON *item = wld_log_code_item(f, row, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* "llama.runtime,gpu.driver" */
void wld_log_code_checks(const struct wld_log_facts *f, const cJSON *row, struct wld_buf *b)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, wld_log_code_item(f, row, "checks"))
    {
        if (cJSON_IsString(k))
            wld_buf_printf(b, "%s%s", b->len ? "," : "", k->valuestring);
    }
    if (!b->len)
        wld_buf_puts(b, wld_log_code_str(f, row, "check"));
}

bool wld_log_has_line(const long *lines, int n, long line)
{
    for (int i = 0; i < n; i++)
        if (lines[i] == line)
            return true;
    return false;
}

static void add_line(struct wld_log_finding *x, long line)
{
    if (line <= 0)
        return;
    for (int i = 0; i < x->n_lines; i++)
        if (x->lines[i] == line)
            return;
    if (x->n_lines < WLD_LOG_MAX_LINES)
        x->lines[x->n_lines++] = line;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* The finding signature h->sig makes: its check, status, the lines of the match, of the
 * observation o and of the evidence it names, and its summary and fix rendered with base
 * (the log's values), the match's captures and obs_vars (the observation's), and its
 * sources. words and check, when set, stand for the signature's own (an error code's,
 * logdiag_codes.c). Every log finding is made here. */
void wld_log_make_finding(struct wld_log_finding *x,
                          const struct wld_log_facts *f,
                          const struct wld_rules *rules,
                          const struct wld_log_hit *h,
                          const cJSON *words,
                          const char *check,
                          const struct wld_log_obs *o,
                          const cJSON *obs_vars,
                          const cJSON *base)
{
    const cJSON *sig = h->sig;
    x->signature = sig->string;
    x->check = check ? check : wld_fact_str(sig, "check");
    for (int k = 0; k < h->n_lines; k++)
        add_line(x, h->lines[k]);
    for (int k = 0; k < o->n_lines; k++)
        add_line(x, o->lines[k]);
    const cJSON *n;
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(sig, "evidence"))
    {
        long ev[4];
        int n_ev = wld_log_evidence(f, cJSON_IsString(n) ? n->valuestring : "", ev);
        for (int k = 0; k < n_ev; k++)
            add_line(x, ev[k]);
    }
    qsort(x->lines, (size_t) x->n_lines, sizeof(long), cmp_long);
    cJSON *v = cJSON_Duplicate(base, true);
    const cJSON *c;
    cJSON_ArrayForEach(c, h->caps)
    {
        wld_log_var(v, c->string, c->valuestring);
    }
    cJSON_ArrayForEach(c, obs_vars)
    {
        wld_log_var(v, c->string, c->valuestring);
    }
    wld_log_var(v, "quote", h->quote[0] ? h->quote : "");
    wld_log_magic_vars(f, rules, v);
    wld_log_code_note_vars(f, h, v);
    struct wld_buf lines;
    wld_buf_init(&lines, 256);
    for (int k = 0; k < x->n_lines; k++)
        wld_buf_printf(&lines, "%s%ld", k ? ", " : "", x->lines[k]);
    wld_log_var(v, "lines", lines.len ? lines.data : "?");
    wld_buf_release(&lines);
    wld_log_varf(v, "count", "%ld", h->count);
    struct wld_verdict said; /* the signature's words, as a check's outcome gives its own */
    wld_verdict_make(rules, NULL, words ? words : sig, v, &said);
    x->status = said.status;
    x->summary = said.summary;
    x->fix = said.fix;
    x->sources = said.sources;
    cJSON_Delete(v);
}

void wld_log_code_note_vars(const struct wld_log_facts *f, const struct wld_log_hit *h, cJSON *v)
{
    wld_log_var(v, "code_note", "");
    wld_log_var(v, "code_hint", "");
    for (int i = 0; i < f->n_codes; i++) {
        const struct wld_log_code *c = &f->codes[i];
        bool on_line = false;
        for (int k = 0; k < c->n_lines && !on_line; k++)
            on_line = wld_log_has_line(h->lines, h->n_lines, c->lines[k]);
        if (!c->row || !on_line)
            continue;
        struct wld_buf checks;
        wld_buf_init(&checks, 64);
        wld_log_code_checks(f, c->row, &checks);
        wld_log_varf(v, "code_note", "; %s %d is %s: %s", wld_code_api_name(c->api), c->code,
                     wld_fact_str(c->row, "name"), wld_log_code_str(f, c->row, "meaning"));
        wld_log_varf(v, "code_hint", " For %s, `wsl-llm-doctor check --only %s` on that machine.",
                     wld_fact_str(c->row, "name"), checks.data ? checks.data : "");
        wld_buf_release(&checks);
        return;
    }
}
