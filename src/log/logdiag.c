/* A read log judged (see wld/logdiag.h): each signature the reader matched becomes a
 * finding when its observation, conditions and "unless_found" allow. The signatures are
 * rules data; what they name is computed in logdiag_observe.c, the values their texts use
 * in logdiag_vars.c. */
#include "wld/logdiag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/rules.h"
#include "wld/util.h"

#include "logdiag_impl.h"

/* ---- whether a signature applies ---- */

static bool list_holds(const struct wld_log_facts *f, const cJSON *list, bool want)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        if (cJSON_IsString(c) && wld_log_condition(f, c->valuestring) != want)
            return false;
    }
    return true;
}

/* whether one of the signatures named came out as a finding already */
static bool found_already(const struct wld_log_report *r, const cJSON *names)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, names)
    {
        for (size_t i = 0; i < r->n; i++)
            if (cJSON_IsString(c) && strcmp(r->findings[i].signature, c->valuestring) == 0)
                return true;
    }
    return false;
}

/* ---- the finding ---- */

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

static const char *sig_check(const struct wld_log_facts *f, const cJSON *sig)
{
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(sig, "check_by_origin");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(by, wld_log_origin(f));
    if (cJSON_IsString(c))
        return c->valuestring;
    c = cJSON_GetObjectItemCaseSensitive(sig, "check");
    return cJSON_IsString(c) ? c->valuestring : "?";
}

/* The finding signature h->sig makes: its check, status, the lines of the match, of the
 * observation o and of the evidence it names, and its summary and fix rendered with base
 * (the log's values), the match's captures and obs_vars (the observation's), and its
 * sources. Every log finding is made here. */
static void make_finding(struct wld_log_finding *x,
                         const struct wld_log_facts *f,
                         const struct wld_rules *rules,
                         const struct wld_log_hit *h,
                         const struct wld_log_obs *o,
                         const cJSON *obs_vars,
                         const cJSON *base)
{
    const cJSON *sig = h->sig;
    x->signature = sig->string;
    x->check = sig_check(f, sig);
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
    wld_log_magic_vars(v);
    struct wld_buf lines;
    wld_buf_init(&lines, 256);
    for (int k = 0; k < x->n_lines; k++)
        wld_buf_printf(&lines, "%s%ld", k ? ", " : "", x->lines[k]);
    wld_log_var(v, "lines", lines.len ? lines.data : "?");
    wld_buf_release(&lines);
    wld_log_varf(v, "count", "%ld", h->count);
    struct wld_verdict said; /* the signature's words, as a check's outcome gives its own */
    wld_verdict_make(rules, NULL, sig, v, &said);
    x->status = said.status;
    x->summary = said.summary;
    x->fix = said.fix;
    x->sources = said.sources;
    cJSON_Delete(v);
}

struct wld_log_report *wld_log_diagnose(const struct wld_logscan *s,
                                        const struct wld_rules *rules,
                                        const char *input,
                                        const cJSON *host_facts)
{
    const struct wld_log_facts *f = wld_logscan_facts(s);
    struct wld_log_report *r = wld_xcalloc(1, sizeof(*r));
    r->input = input;
    r->rules = rules;
    r->facts = wld_log_facts_json(f);
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    wld_log_shows(f, &b);
    r->shows = wld_buf_detach(&b);
    size_t n_hits;
    const struct wld_log_hit *hits = wld_logscan_hits(s, &n_hits);
    r->findings = wld_xcalloc(n_hits ? n_hits : 1, sizeof(*r->findings));
    cJSON *base = cJSON_CreateObject();
    wld_log_common_vars(f, base);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(rules->doc, "signature_params");
    for (size_t i = 0; i < n_hits; i++) {
        const struct wld_log_hit *h = &hits[i];
        const cJSON *sig = h->sig;
        const cJSON *obs_name = cJSON_GetObjectItemCaseSensitive(sig, "observe");
        struct wld_log_obs o = { 0 };
        cJSON *hv = cJSON_CreateObject();
        if (cJSON_IsString(obs_name)) {
            const struct wld_log_obs_in in = { f, params, host_facts, hv };
            wld_log_observe(obs_name->valuestring, &in, &o);
        } else {
            o.on = h->count > 0;
        }
        if (o.on && list_holds(f, cJSON_GetObjectItemCaseSensitive(sig, "if"), true) &&
            list_holds(f, cJSON_GetObjectItemCaseSensitive(sig, "unless"), false) &&
            !found_already(r, cJSON_GetObjectItemCaseSensitive(sig, "unless_found"))) {
            struct wld_log_finding *x = &r->findings[r->n++];
            make_finding(x, f, rules, h, &o, hv, base);
            r->counts[x->status]++;
        }
        cJSON_Delete(hv);
    }
    cJSON_Delete(base);
    r->exit_code = wld_counts_fail(r->counts, false);
    return r;
}

void wld_log_report_free(struct wld_log_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->findings[i].summary);
        free(r->findings[i].fix);
        cJSON_Delete(r->findings[i].sources);
    }
    free(r->findings);
    free(r->shows);
    free(r->redacted_text);
    cJSON_Delete(r->facts);
    free(r);
}

cJSON *wld_log_report_json(const struct wld_log_report *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "schema", WLD_LOG_SCHEMA);
    cJSON_AddStringToObject(doc, "tool", "wsl-llm-doctor " WLD_VERSION);
    cJSON_AddStringToObject(doc, "rules", r->rules->version);
    cJSON_AddStringToObject(doc, "input", r->input);
    cJSON_AddStringToObject(doc, "shows", r->shows);
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    for (int s = 0; s < WLD_STATUS_COUNT; s++)
        cJSON_AddNumberToObject(sum, wld_status_name((enum wld_status) s), r->counts[s]);
    cJSON_AddNumberToObject(doc, "exit_code", r->exit_code);
    cJSON_AddItemToObject(doc, "facts", cJSON_Duplicate(r->facts, true));
    cJSON *a = cJSON_AddArrayToObject(doc, "findings");
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_log_finding *x = &r->findings[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "check", x->check);
        cJSON_AddStringToObject(j, "status", wld_status_name(x->status));
        cJSON_AddStringToObject(j, "summary", x->summary);
        if (x->fix)
            cJSON_AddStringToObject(j, "fix", x->fix);
        else
            cJSON_AddNullToObject(j, "fix");
        cJSON *l = cJSON_AddArrayToObject(j, "lines");
        for (int k = 0; k < x->n_lines; k++)
            cJSON_AddItemToArray(l, cJSON_CreateNumber((double) x->lines[k]));
        cJSON_AddStringToObject(j, "signature", x->signature);
        cJSON_AddItemToObject(j, "sources", cJSON_Duplicate(x->sources, true));
        cJSON_AddItemToArray(a, j);
    }
    if (r->redacted_text)
        cJSON_AddStringToObject(doc, "redacted", r->redacted_text);
    return doc;
}
