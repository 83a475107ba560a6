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
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(rules->doc, "signature_params");
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
            !found_already(r, cJSON_GetObjectItemCaseSensitive(sig, "unless_found"))) {
            struct wld_log_finding *x = &r->findings[r->n++];
            wld_log_make_finding(x, f, rules, h, NULL, NULL, &o, hv, base);
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
