/* A read log judged (see wld/logdiag.h): each signature the reader matched becomes a
 * finding when its observation, conditions and "unless_found" allow, downgraded when
 * another line of the log contradicts it ("contradicted_by"). The signatures are
 * rules data; what they name is computed in logdiag_observe.c, the values their texts use
 * in logdiag_vars.c. */
#include "wld/logdiag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fixcmd.h"
#include "wld/logpattern.h"
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

/* Whether one of the signatures named came out as a finding already: a more specific
 * reading ("unless_found"). With h ("unless_read"), one that is only a possibility counts
 * too where it reads one of h's lines: it is still the better reading of that line
 * ("Failed to initialize NVML: Unknown Error" has no established cause outside a
 * container). */
static bool
found_already(const struct wld_log_report *r, const cJSON *names, const struct wld_log_hit *h)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, names)
    {
        for (size_t i = 0; i < r->n; i++) {
            const struct wld_log_finding *x = &r->findings[i];
            if (!cJSON_IsString(c) || strcmp(x->signature, c->valuestring) != 0)
                continue;
            if (!x->possible)
                return true;
            for (int k = 0; h && k < h->n_lines; k++)
                if (wld_log_has_line(x->lines, x->n_lines, h->lines[k]))
                    return true;
        }
    }
    return false;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* The lines that contradict x join its own, in order. */
static void add_lines(struct wld_log_finding *x, const long *lines, int n)
{
    for (int k = 0; k < n; k++)
        if (lines[k] > 0 && x->n_lines < WLD_LOG_MAX_LINES &&
            !wld_log_has_line(x->lines, x->n_lines, lines[k]))
            x->lines[x->n_lines++] = lines[k];
    qsort(x->lines, (size_t) x->n_lines, sizeof(long), cmp_long);
}

/* The first of sig's "contradicted_by" whose condition the log holds, or NULL: another line
 * of the same log says the finding's cause is not so. */
static const cJSON *contradiction(const struct wld_log_facts *f, const cJSON *sig)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(sig, "contradicted_by"))
    {
        const char *cond = wld_fact_str(c, "if");
        if (cond && wld_log_condition(f, cond))
            return c;
    }
    return NULL;
}

/* sig's words as contradiction c leaves them (caller deletes): c's status, the summary
 * followed by what contradicts it ("says", its evidence's lines as {contra_lines}, those
 * lines into ev, how many into *n_ev), c's fix when it gives one. */
static cJSON *contradicted_words(const struct wld_log_facts *f,
                                 const cJSON *sig,
                                 const cJSON *c,
                                 long ev[4],
                                 int *n_ev,
                                 cJSON *vars)
{
    const char *name = wld_fact_str(c, "evidence");
    *n_ev = name ? wld_log_evidence(f, name, ev) : 0;
    struct wld_buf b;
    wld_buf_init(&b, 64);
    for (int k = 0; k < *n_ev; k++)
        if (ev[k] > 0)
            wld_buf_printf(&b, "%s%ld", b.len ? ", " : "", ev[k]);
    wld_log_var(vars, "contra_lines", b.len ? b.data : "?");
    wld_buf_release(&b);
    cJSON *w = cJSON_Duplicate(sig, true);
    const char *status = wld_fact_str(c, "status");
    cJSON_ReplaceItemInObjectCaseSensitive(w, "status",
                                           cJSON_CreateString(status ? status : "skip"));
    struct wld_buf s;
    wld_buf_init(&s, 256);
    wld_buf_printf(&s, "%s; yet %s", wld_fact_str(sig, "summary"), wld_fact_str(c, "says"));
    cJSON_ReplaceItemInObjectCaseSensitive(w, "summary", cJSON_CreateString(s.data));
    wld_buf_release(&s);
    const cJSON *fix = cJSON_GetObjectItemCaseSensitive(c, "fix");
    if (cJSON_IsString(fix))
        cJSON_ReplaceItemInObjectCaseSensitive(w, "fix", cJSON_CreateString(fix->valuestring));
    return w;
}

/* The first of sig's "needs" that the log does not show, or NULL. */
static const char *needs_missing(const struct wld_log_facts *f, const cJSON *sig)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(sig, "needs"))
    {
        if (cJSON_IsString(c) && !wld_log_condition(f, c->valuestring))
            return c->valuestring;
    }
    return NULL;
}

/* sig's words when the log does not show the condition it needs (caller deletes): a fail
 * made a warn, its summary saying it is a possibility, what the log does not show and what
 * would confirm it ("confirm"). */
static cJSON *possible_words(const cJSON *sig, const char *missing)
{
    cJSON *w = cJSON_Duplicate(sig, true);
    if (wld_str_is(wld_fact_str(sig, "status"), "fail"))
        cJSON_ReplaceItemInObjectCaseSensitive(w, "status", cJSON_CreateString("warn"));
    const char *shown_by = wld_log_condition_shown_by(missing);
    struct wld_buf s;
    wld_buf_init(&s, 256);
    /* first, for a summary may be cut */
    wld_buf_puts(&s, "a possibility, for the log does not show ");
    if (shown_by)
        wld_buf_puts(&s, shown_by);
    else
        wld_buf_printf(&s, "that %s holds", missing);
    wld_buf_printf(&s, " (it is the cause if %s): %s", wld_fact_str(sig, "confirm"),
                   wld_fact_str(sig, "summary"));
    cJSON_ReplaceItemInObjectCaseSensitive(w, "summary", cJSON_CreateString(s.data));
    wld_buf_release(&s);
    return w;
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
    /* a finding per signature, and per error code for the one observing them */
    r->findings = wld_xcalloc(n_hits + WLD_LOG_MAX, sizeof(*r->findings));
    cJSON *base = cJSON_CreateObject();
    wld_log_common_vars(f, base);
    const cJSON *params = wld_rules_section(rules, "signature_params");
    for (size_t i = 0; i < n_hits; i++) {
        const struct wld_log_hit *h = &hits[i];
        const cJSON *sig = h->sig;
        const cJSON *obs_name = cJSON_GetObjectItemCaseSensitive(sig, "observe");
        struct wld_log_obs o = { 0 };
        if (cJSON_IsString(obs_name) && wld_str_is(obs_name->valuestring, "error_codes")) {
            wld_log_code_findings(r, f, rules, sig, base);
            continue;
        }
        cJSON *hv = cJSON_CreateObject();
        if (cJSON_IsString(obs_name)) {
            const struct wld_log_obs_in in = { f, params, host_facts, hv };
            wld_log_observe(obs_name->valuestring, &in, &o);
        } else {
            o.on = h->count > 0;
        }
        if (o.on && list_holds(f, cJSON_GetObjectItemCaseSensitive(sig, "if"), true) &&
            list_holds(f, cJSON_GetObjectItemCaseSensitive(sig, "unless"), false) &&
            !found_already(r, cJSON_GetObjectItemCaseSensitive(sig, "unless_found"), NULL) &&
            !found_already(r, cJSON_GetObjectItemCaseSensitive(sig, "unless_read"), h)) {
            struct wld_log_finding *x = &r->findings[r->n++];
            /* sig as its variant for this log has it; the check is the rules' own string */
            const cJSON *v = wld_log_variant(f, sig);
            cJSON *varied = v ? wld_log_sig_vary(sig, v) : NULL;
            const cJSON *said = varied ? varied : sig;
            const cJSON *c = contradiction(f, said);
            long ev[4];
            int n_ev = 0;
            cJSON *words = c ? contradicted_words(f, said, c, ev, &n_ev, hv) : NULL;
            const char *missing = c ? NULL : needs_missing(f, said);
            if (missing)
                words = possible_words(said, missing);
            wld_log_make_finding(x, f, rules, h, words ? words : varied, wld_fact_str(v, "check"),
                                 &o, hv, base);
            x->possible = missing != NULL;
            cJSON_Delete(words);
            cJSON_Delete(varied);
            add_lines(x, ev, n_ev);
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
    cJSON_AddStringToObject(doc, "rules", wld_rules_version(r->rules));
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
        cJSON_AddItemToObject(j, "fix_commands", wld_fix_commands(x->fix));
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
