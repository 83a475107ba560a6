/* Validation of the merged rules document against the check registry (wld_rules_validate,
 * for src/pipeline/rules.c's loaders): the schema and version, the sources, each check's
 * params (its "lint" param included) and outcomes, the common outcomes, the signature
 * params, and the "follows" links between outcomes. What an outcome and its sources must
 * be is src/pipeline/rules_outcomes.c; the log signatures, src/pipeline/rules_signatures.c.
 * A rules file that breaks any of it is refused whole, with one line saying where. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wld/logcodes.h"
#include "wld/rules.h"
#include "wld/util.h"

#include "rules_impl.h"

/* A check's "lint" param (what `lint` reports on a file of the check's kind): not_judged
 * (a string), fixes (strings by problem), findings (each an outcome with "message" for
 * "summary", held to the same rules as an outcome). */
static int validate_lint(const cJSON *sources, const cJSON *v, const char *id, char **err)
{
    const cJSON *fixes = cJSON_GetObjectItemCaseSensitive(v, "fixes");
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(v, "findings"), *x;
    char where[200];
    if (!cJSON_IsObject(v) || !wld_fact_str(v, "not_judged") || !cJSON_IsObject(fixes) ||
        (findings && !cJSON_IsObject(findings)))
        return wld_errorf(err, -EINVAL,
                          "check %s: param lint needs \"not_judged\", \"fixes\" and (optionally) "
                          "\"findings\" objects",
                          id);
    cJSON_ArrayForEach(x, fixes)
    {
        if (!cJSON_IsString(x))
            return wld_errorf(err, -EINVAL, "check %s: lint fix %s must be a string", id,
                              x->string);
    }
    cJSON_ArrayForEach(x, findings)
    {
        snprintf(where, sizeof(where), "check %s, lint finding %s", id, x->string);
        if (!wld_fact_str(x, "message"))
            return wld_errorf(err, -EINVAL, "%s: \"message\" is missing", where);
        cJSON *o = cJSON_Duplicate(x, true);
        cJSON_AddStringToObject(o, "summary", wld_fact_str(x, "message"));
        int r = wld_rules_validate_outcome(sources, o, where, err);
        cJSON_Delete(o);
        if (r < 0)
            return r;
    }
    return 0;
}

static int
validate_check(const cJSON *sources, const cJSON *c, const struct wld_check *def, char **err)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(c, "params");
    const cJSON *outcomes = cJSON_GetObjectItemCaseSensitive(c, "outcomes");
    const cJSON *p, *o;
    char where[160];
    int r;
    if (!wld_fact_str(c, "guards") || !wld_fact_str(c, "why"))
        return wld_errorf(err, -EINVAL, "check %s: \"guards\" and \"why\" are required", def->id);
    if (!cJSON_IsObject(outcomes))
        return wld_errorf(err, -EINVAL, "check %s: \"outcomes\" must be an object", def->id);
    if (params && !cJSON_IsObject(params))
        return wld_errorf(err, -EINVAL, "check %s: \"params\" must be an object", def->id);
    cJSON_ArrayForEach(p, params)
    {
        const char *src = wld_fact_str(p, "source");
        if (!cJSON_GetObjectItemCaseSensitive(p, "value"))
            return wld_errorf(err, -EINVAL, "check %s: param %s has no \"value\"", def->id,
                              p->string);
        if (!src || !cJSON_GetObjectItemCaseSensitive(sources, src))
            return wld_errorf(err, -EINVAL, "check %s: param %s needs a known \"source\"", def->id,
                              p->string);
        if (strcmp(p->string, "lint") == 0) {
            r = validate_lint(sources, cJSON_GetObjectItemCaseSensitive(p, "value"), def->id, err);
            if (r < 0)
                return r;
        }
    }
    cJSON_ArrayForEach(o, outcomes)
    {
        snprintf(where, sizeof(where), "check %s, outcome %s", def->id, o->string);
        r = wld_rules_validate_outcome(sources, o, where, err);
        if (r < 0)
            return r;
    }
    for (const char *const *k = def->outcomes; k && *k; k++)
        if (!cJSON_GetObjectItemCaseSensitive(outcomes, *k))
            return wld_errorf(err, -EINVAL, "check %s: outcome \"%s\" is missing", def->id, *k);
    for (const char *const *k = def->params; k && *k; k++)
        if (!cJSON_GetObjectItemCaseSensitive(params, *k))
            return wld_errorf(err, -EINVAL, "check %s: param \"%s\" is missing", def->id, *k);
    /* an outcome the check never picks is a typo, or a rule for another version */
    cJSON_ArrayForEach(o, outcomes)
    {
        bool declared = false;
        for (const char *const *k = def->outcomes; k && *k && !declared; k++)
            declared = strcmp(*k, o->string) == 0;
        if (!declared)
            return wld_errorf(err, -EINVAL, "check %s: outcome \"%s\" is not one the check has",
                              def->id, o->string);
    }
    return 0;
}

/* An outcome's "follows" (docs/checks.md): the findings of other checks it follows from,
 * as [{"check": ID, "outcomes": [KEY...]}]. Both ends are problems, and a fail or an error
 * follows only a fail or an error: a warning as the cause would turn a failed run into a
 * passed one. Runs after every check's outcomes were validated. */
static int validate_follows(const cJSON *checks, const char *id, const cJSON *o, char **err)
{
    const cJSON *links = cJSON_GetObjectItemCaseSensitive(o, "follows"), *l, *k;
    enum wld_status st = WLD_PASS, cst = WLD_PASS;
    if (!links)
        return 0;
    wld_status_parse(wld_fact_str(o, "status"), &st);
    if (!cJSON_IsArray(links) || cJSON_GetArraySize(links) == 0)
        return wld_errorf(err, -EINVAL,
                          "check %s, outcome %s: \"follows\" must be a non-empty array of "
                          "{\"check\", \"outcomes\"}",
                          id, o->string);
    if (!wld_status_is_problem(st))
        return wld_errorf(err, -EINVAL,
                          "check %s, outcome %s: a %s outcome follows nothing (only warn, fail "
                          "and error do)",
                          id, o->string, wld_status_name(st));
    cJSON_ArrayForEach(l, links)
    {
        const char *cid = wld_fact_str(l, "check");
        const cJSON *outs = cJSON_GetObjectItemCaseSensitive(l, "outcomes");
        const cJSON *theirs = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(checks, cid ? cid : ""), "outcomes");
        if (!cid || !wld_check_find(cid))
            return wld_errorf(err, -EINVAL,
                              "check %s, outcome %s: follows %s, which is not a check id", id,
                              o->string, cid ? cid : "(no \"check\" string)");
        if (strcmp(cid, id) == 0)
            return wld_errorf(err, -EINVAL, "check %s, outcome %s: a check cannot follow itself",
                              id, o->string);
        if (!cJSON_IsArray(outs) || cJSON_GetArraySize(outs) == 0)
            return wld_errorf(err, -EINVAL,
                              "check %s, outcome %s: follows %s without a non-empty "
                              "\"outcomes\" array",
                              id, o->string, cid);
        cJSON_ArrayForEach(k, outs)
        {
            const cJSON *co = cJSON_IsString(k)
                                      ? cJSON_GetObjectItemCaseSensitive(theirs, k->valuestring)
                                      : NULL;
            if (!co)
                return wld_errorf(err, -EINVAL,
                                  "check %s, outcome %s: follows %s outcome %s, which %s does not "
                                  "have",
                                  id, o->string, cid,
                                  cJSON_IsString(k) ? k->valuestring : "(not a string)", cid);
            wld_status_parse(wld_fact_str(co, "status"), &cst);
            if (!wld_status_is_problem(cst) || (st != WLD_WARN && cst == WLD_WARN))
                return wld_errorf(err, -EINVAL,
                                  "check %s, outcome %s: a %s cannot follow %s outcome %s, a %s",
                                  id, o->string, wld_status_name(st), cid, k->valuestring,
                                  wld_status_name(cst));
        }
    }
    return 0;
}

int wld_rules_validate(const cJSON *doc, char **err)
{
    const char *schema = wld_fact_str(doc, "schema");
    const cJSON *sources = cJSON_GetObjectItemCaseSensitive(doc, "sources");
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(doc, "checks");
    const cJSON *common = cJSON_GetObjectItemCaseSensitive(doc, "common");
    const cJSON *o;
    int r;
    if (!schema || strcmp(schema, WLD_RULES_SCHEMA) != 0)
        return wld_errorf(err, -EINVAL, "\"schema\" must be \"%s\"", WLD_RULES_SCHEMA);
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(doc, "version");
    if (!version)
        return wld_errorf(err, -EINVAL, "\"version\" is missing");
    if (!cJSON_IsString(version))
        return wld_errorf(err, -EINVAL, "\"version\" must be a string like \"2026.11.0\"");
    r = wld_rules_validate_sources(sources, err);
    if (r < 0)
        return r;
    if (!cJSON_IsObject(checks))
        return wld_errorf(err, -EINVAL, "\"checks\" must be an object");
    cJSON_ArrayForEach(o, common)
    {
        char where[128];
        snprintf(where, sizeof(where), "common outcome %s", o->string);
        r = wld_rules_validate_outcome(sources, o, where, err);
        if (r < 0)
            return r;
        if (cJSON_GetObjectItemCaseSensitive(o, "follows"))
            return wld_errorf(err, -EINVAL, "%s: only a check's outcomes can follow another's",
                              where);
    }
    static const char *const required[] = { "internal_error", "facts_missing" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(required); i++)
        if (!cJSON_GetObjectItemCaseSensitive(common, required[i]))
            return wld_errorf(err, -EINVAL, "common outcome \"%s\" is missing", required[i]);
    const cJSON *sigs = cJSON_GetObjectItemCaseSensitive(doc, "signatures");
    if (sigs && !cJSON_IsObject(sigs))
        return wld_errorf(err, -EINVAL, "\"signatures\" must be an object");
    size_t anchor_bytes = 0;
    cJSON_ArrayForEach(o, sigs)
    {
        r = wld_rules_validate_signature(sources, sigs, o, &anchor_bytes, err);
        if (r < 0)
            return r;
    }
    r = wld_codetab_validate(doc, err); /* the error codes the signatures' findings name */
    if (r < 0)
        return r;
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(doc, "signature_params");
    cJSON_ArrayForEach(o, sp)
    {
        const char *src = wld_fact_str(o, "source");
        if (!cJSON_GetObjectItemCaseSensitive(o, "value") || !src ||
            !cJSON_GetObjectItemCaseSensitive(sources, src))
            return wld_errorf(err, -EINVAL,
                              "signature_params.%s needs a \"value\" and a known \"source\"",
                              o->string);
    }
    for (size_t i = 0; i < wld_checks_count; i++) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(checks, wld_checks[i]->id);
        if (!cJSON_IsObject(c))
            return wld_errorf(err, -EINVAL, "no rules for check %s", wld_checks[i]->id);
        r = validate_check(sources, c, wld_checks[i], err);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < wld_checks_count; i++) {
        const char *id = wld_checks[i]->id;
        cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(
                                      cJSON_GetObjectItemCaseSensitive(checks, id), "outcomes"))
        {
            r = validate_follows(checks, id, o, err);
            if (r < 0)
                return r;
        }
    }
    return 0;
}
