/* Rules loading, merging and validation (see wld/rules.h). */
#include "wld/rules.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/logpattern.h"
#include "wld/sha256.h"
#include "wld/util.h"

#define RULES_CAP (4u * 1024u * 1024u)

/* Merges src's object members into dst's; a key defined twice is an error. */
static int
merge_object(cJSON *dst, const cJSON *src, const char *what, const char *name, char **err)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, src)
    {
        if (cJSON_GetObjectItemCaseSensitive(dst, item->string))
            return wld_errorf(err, -EINVAL, "%s: %s \"%s\" is defined twice", name, what,
                              item->string);
        cJSON_AddItemToObject(dst, item->string, cJSON_Duplicate(item, true));
    }
    return 0;
}

static int merge_into(cJSON *doc, const cJSON *part, const char *name, char **err)
{
    const cJSON *item;
    if (!cJSON_IsObject(part))
        return wld_errorf(err, -EINVAL, "%s: the top level must be a JSON object", name);
    cJSON_ArrayForEach(item, part)
    {
        cJSON *have = cJSON_GetObjectItemCaseSensitive(doc, item->string);
        if (cJSON_IsObject(item) &&
            (strcmp(item->string, "sources") == 0 || strcmp(item->string, "checks") == 0 ||
             strcmp(item->string, "common") == 0 || strcmp(item->string, "signatures") == 0 ||
             strcmp(item->string, "signature_params") == 0)) {
            if (!have)
                have = cJSON_AddObjectToObject(doc, item->string);
            int r = merge_object(have, item, item->string, name, err);
            if (r < 0)
                return r;
        } else if (have) {
            if (!cJSON_Compare(have, item, true))
                return wld_errorf(err, -EINVAL, "%s: \"%s\" disagrees with an earlier rules file",
                                  name, item->string);
        } else {
            cJSON_AddItemToObject(doc, item->string, cJSON_Duplicate(item, true));
        }
    }
    return 0;
}

static const char *str_member(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int validate_sources(const cJSON *sources, char **err)
{
    const cJSON *s;
    if (!cJSON_IsObject(sources))
        return wld_errorf(err, -EINVAL, "\"sources\" must be an object of source entries");
    cJSON_ArrayForEach(s, sources)
    {
        const char *url = str_member(s, "url");
        const char *auth = str_member(s, "authority");
        if (!url || !(wld_str_starts(url, "https://") || wld_str_starts(url, "http://")))
            return wld_errorf(err, -EINVAL, "source \"%s\" needs an http(s) \"url\"", s->string);
        if (!auth || (strcmp(auth, "documented") != 0 && strcmp(auth, "field") != 0))
            return wld_errorf(err, -EINVAL,
                              "source \"%s\": \"authority\" must be \"documented\" or \"field\"",
                              s->string);
    }
    return 0;
}

static int validate_source_list(const cJSON *sources,
                                const cJSON *list,
                                const char *where,
                                bool *all_documented,
                                char **err)
{
    const cJSON *k;
    *all_documented = true;
    if (!list)
        return 0;
    if (!cJSON_IsArray(list))
        return wld_errorf(err, -EINVAL, "%s: \"sources\" must be an array of source keys", where);
    cJSON_ArrayForEach(k, list)
    {
        const cJSON *src = cJSON_IsString(k)
                                   ? cJSON_GetObjectItemCaseSensitive(sources, k->valuestring)
                                   : NULL;
        if (!src)
            return wld_errorf(err, -EINVAL, "%s: unknown source %s", where,
                              cJSON_IsString(k) ? k->valuestring : "(not a string)");
        if (strcmp(str_member(src, "authority"), "documented") != 0)
            *all_documented = false;
    }
    return 0;
}

static int validate_outcome(const cJSON *sources, const cJSON *o, const char *where, char **err)
{
    enum wld_status st;
    if (!cJSON_IsObject(o))
        return wld_errorf(err, -EINVAL, "%s must be an object", where);
    if (wld_status_parse(str_member(o, "status"), &st) < 0)
        return wld_errorf(err, -EINVAL, "%s: \"status\" must be pass, warn, fail, skip or error",
                          where);
    if (!str_member(o, "summary"))
        return wld_errorf(err, -EINVAL, "%s: \"summary\" is missing", where);
    if (wld_status_is_problem(st) && !str_member(o, "fix"))
        return wld_errorf(err, -EINVAL, "%s: a %s outcome needs a \"fix\"", where,
                          wld_status_name(st));
    bool documented = true;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "sources");
    int r = validate_source_list(sources, list, where, &documented, err);
    if (r < 0)
        return r;
    /* Only what NVIDIA or Microsoft documents may fail a check; a field report may warn. */
    /* Only what NVIDIA or Microsoft documents may fail a check; a field report may warn.
     * A fail that rests on no claim at all (a file the user named does not exist) says so
     * with "basis": "observed". */
    const char *basis = str_member(o, "basis");
    bool observed = basis && strcmp(basis, "observed") == 0;
    if (st == WLD_FAIL && !documented)
        return wld_errorf(err, -EINVAL,
                          "%s: a fail outcome must cite only documented sources (field reports may "
                          "only warn)",
                          where);
    if (st == WLD_FAIL && cJSON_GetArraySize(list) == 0 && !observed)
        return wld_errorf(err, -EINVAL,
                          "%s: a fail outcome needs documented sources or \"basis\": \"observed\"",
                          where);
    return 0;
}

/* A check's "lint" param (what `lint` reports on a file of the check's kind): not_judged
 * (a string), fixes (strings by problem), findings (each an outcome with "message" for
 * "summary", held to the same rules as an outcome). */
static int validate_lint(const cJSON *sources, const cJSON *v, const char *id, char **err)
{
    const cJSON *fixes = cJSON_GetObjectItemCaseSensitive(v, "fixes");
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(v, "findings"), *x;
    char where[200];
    if (!cJSON_IsObject(v) || !str_member(v, "not_judged") || !cJSON_IsObject(fixes) ||
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
        if (!str_member(x, "message"))
            return wld_errorf(err, -EINVAL, "%s: \"message\" is missing", where);
        cJSON *o = cJSON_Duplicate(x, true);
        cJSON_AddStringToObject(o, "summary", str_member(x, "message"));
        int r = validate_outcome(sources, o, where, err);
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
    if (!str_member(c, "guards") || !str_member(c, "why"))
        return wld_errorf(err, -EINVAL, "check %s: \"guards\" and \"why\" are required", def->id);
    if (!cJSON_IsObject(outcomes))
        return wld_errorf(err, -EINVAL, "check %s: \"outcomes\" must be an object", def->id);
    if (params && !cJSON_IsObject(params))
        return wld_errorf(err, -EINVAL, "check %s: \"params\" must be an object", def->id);
    cJSON_ArrayForEach(p, params)
    {
        const char *src = str_member(p, "source");
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
        r = validate_outcome(sources, o, where, err);
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
    wld_status_parse(str_member(o, "status"), &st);
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
        const char *cid = str_member(l, "check");
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
            wld_status_parse(str_member(co, "status"), &cst);
            if (!wld_status_is_problem(cst) || (st != WLD_WARN && cst == WLD_WARN))
                return wld_errorf(err, -EINVAL,
                                  "check %s, outcome %s: a %s cannot follow %s outcome %s, a %s",
                                  id, o->string, wld_status_name(st), cid, k->valuestring,
                                  wld_status_name(cst));
        }
    }
    return 0;
}

static int validate_names(const cJSON *list,
                          bool (*known)(const char *),
                          const char *what,
                          const char *where,
                          char **err)
{
    const cJSON *c;
    if (list && !cJSON_IsArray(list))
        return wld_errorf(err, -EINVAL, "%s: \"%s\" must be an array", where, what);
    cJSON_ArrayForEach(c, list)
    {
        if (!cJSON_IsString(c) || !known(c->valuestring))
            return wld_errorf(err, -EINVAL, "%s: unknown %s %s", where, what,
                              cJSON_IsString(c) ? c->valuestring : "(not a string)");
    }
    return 0;
}

static bool evidence_known(const char *name)
{
    static const char *const names[] = { "device", "build",   "model", "offload",
                                         "alloc",  "command", "archs", "ctx" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (wld_str_is(names[i], name))
            return true;
    return false;
}

/* A log signature (docs/logs.md): an outcome with the check it belongs to, and either line
 * patterns ("match") or an observation on the whole log ("observe"). Its fail rests on what
 * the log itself shows, so it says "basis": "observed" (or cites only documentation). */
static int validate_signature(
        const cJSON *sources, const cJSON *sigs, const cJSON *sig, size_t *anchor_bytes, char **err)
{
    char where[160];
    snprintf(where, sizeof(where), "signature %s", sig->string);
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(sig, "match");
    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(sig, "observe");
    const char *check = str_member(sig, "check");
    if (!check || !wld_check_find(check))
        return wld_errorf(err, -EINVAL, "%s: \"check\" must be a check id", where);
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(sig, "check_by_origin"), *c;
    cJSON_ArrayForEach(c, by)
    {
        if (!cJSON_IsString(c) || !wld_check_find(c->valuestring))
            return wld_errorf(err, -EINVAL, "%s: check_by_origin.%s must be a check id", where,
                              c->string);
    }
    if (!str_member(sig, "proves"))
        return wld_errorf(err, -EINVAL, "%s: \"proves\" (what the match shows) is missing", where);
    if (!!match == !!obs)
        return wld_errorf(err, -EINVAL, "%s: needs either \"match\" or \"observe\"", where);
    if (obs && (!cJSON_IsString(obs) || !wld_log_observation_known(obs->valuestring)))
        return wld_errorf(err, -EINVAL, "%s: unknown observation", where);
    if (match && (!cJSON_IsArray(match) || cJSON_GetArraySize(match) == 0))
        return wld_errorf(err, -EINVAL, "%s: \"match\" must be a non-empty array", where);
    cJSON_ArrayForEach(c, match)
    {
        struct wld_logpat p;
        char *why = NULL;
        if (cJSON_IsString(c) && strlen(c->valuestring) > WLD_LOGPAT_MAX_LEN)
            return wld_errorf(err, -EINVAL, "%s: a pattern is longer than %d bytes", where,
                              WLD_LOGPAT_MAX_LEN);
        if (!cJSON_IsString(c) || wld_logpat_compile(c->valuestring, &p, &why) < 0) {
            int r = wld_errorf(err, -EINVAL, "%s: pattern %s: %s", where,
                               cJSON_IsString(c) ? c->valuestring : "(not a string)",
                               why ? why : "not a string");
            free(why);
            return r;
        }
        *anchor_bytes += p.seg[p.anchor].len;
        wld_logpat_release(&p);
    }
    if (*anchor_bytes > WLD_LOGPAT_MAX_ANCHORS)
        return wld_errorf(err, -EINVAL,
                          "the signatures' patterns begin with more than %d bytes of text in all: "
                          "the reader's table would grow too large",
                          WLD_LOGPAT_MAX_ANCHORS);
    int r;
    if ((r = validate_names(cJSON_GetObjectItemCaseSensitive(sig, "if"), wld_log_condition_known,
                            "condition", where, err)) < 0 ||
        (r = validate_names(cJSON_GetObjectItemCaseSensitive(sig, "unless"),
                            wld_log_condition_known, "condition", where, err)) < 0 ||
        (r = validate_names(cJSON_GetObjectItemCaseSensitive(sig, "evidence"), evidence_known,
                            "evidence", where, err)) < 0)
        return r;
    const cJSON *uf = cJSON_GetObjectItemCaseSensitive(sig, "unless_found");
    if (uf && !cJSON_IsArray(uf))
        return wld_errorf(err, -EINVAL, "%s: \"unless_found\" must be an array", where);
    cJSON_ArrayForEach(c, uf)
    {
        /* an earlier signature: findings are made in the rules' order */
        const cJSON *e =
                cJSON_IsString(c) ? cJSON_GetObjectItemCaseSensitive(sigs, c->valuestring) : NULL;
        bool earlier = false;
        for (const cJSON *k = sigs ? sigs->child : NULL; e && k && k != sig; k = k->next)
            earlier |= k == e;
        if (!earlier)
            return wld_errorf(err, -EINVAL,
                              "%s: unless_found names %s, which is not an earlier signature", where,
                              cJSON_IsString(c) ? c->valuestring : "(not a string)");
    }
    const cJSON *fb = cJSON_GetObjectItemCaseSensitive(sig, "fallback");
    if (fb && (!cJSON_IsBool(fb) || !match))
        return wld_errorf(err, -EINVAL, "%s: \"fallback\" must be true or false, with \"match\"",
                          where);
    const char *status = str_member(sig, "status");
    if (wld_str_is(status, "fail") && wld_str_is(str_member(sig, "basis"), "observed")) {
        /* the log shows the failure: any source may explain it */
        cJSON *copy = cJSON_Duplicate(sig, true);
        cJSON_ReplaceItemInObjectCaseSensitive(copy, "status", cJSON_CreateString("warn"));
        r = validate_outcome(sources, copy, where, err);
        cJSON_Delete(copy);
        return r;
    }
    return validate_outcome(sources, sig, where, err);
}

static int validate(const cJSON *doc, char **err)
{
    const char *schema = str_member(doc, "schema");
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
    r = validate_sources(sources, err);
    if (r < 0)
        return r;
    if (!cJSON_IsObject(checks))
        return wld_errorf(err, -EINVAL, "\"checks\" must be an object");
    cJSON_ArrayForEach(o, common)
    {
        char where[128];
        snprintf(where, sizeof(where), "common outcome %s", o->string);
        r = validate_outcome(sources, o, where, err);
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
        r = validate_signature(sources, sigs, o, &anchor_bytes, err);
        if (r < 0)
            return r;
    }
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(doc, "signature_params");
    cJSON_ArrayForEach(o, sp)
    {
        const char *src = str_member(o, "source");
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

int wld_rules_load_texts(const char *const *texts,
                         const size_t *lens,
                         const char *const *names,
                         size_t n,
                         const char *origin,
                         struct wld_rules **ret,
                         char **err)
{
    cJSON *doc = cJSON_CreateObject();
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        const char *end = NULL;
        cJSON *part = cJSON_ParseWithLengthOpts(texts[i], lens[i], &end, false);
        if (!part) {
            size_t off = end && end >= texts[i] ? (size_t) (end - texts[i]) : 0;
            size_t line = 1;
            for (size_t k = 0; k < off && k < lens[i]; k++)
                line += texts[i][k] == '\n';
            r = wld_errorf(err, -EINVAL, "%s: not valid JSON (near line %zu)", names[i], line);
            goto out;
        }
        r = merge_into(doc, part, names[i], err);
        cJSON_Delete(part);
        if (r < 0)
            goto out;
    }
    r = validate(doc, err);
    if (r < 0) {
        char *inner = *err;
        *err = wld_xasprintf("%s: %s", origin, inner);
        free(inner);
        goto out;
    }
    struct wld_rules *rules = wld_xcalloc(1, sizeof(*rules));
    char *canon = cJSON_PrintUnformatted(doc);
    if (!canon)
        abort();
    wld_sha256_hex(canon, strlen(canon), rules->sha256);
    free(canon);
    rules->doc = doc;
    rules->version = str_member(doc, "version");
    rules->origin = wld_xstrdup(origin);
    *ret = rules;
    return 0;
out:
    cJSON_Delete(doc);
    return r;
}

int wld_rules_load_embedded(struct wld_rules **ret, char **err)
{
    size_t n = wld_embedded_rules_count;
    const char **texts = wld_xcalloc(n, sizeof(char *));
    const char **names = wld_xcalloc(n, sizeof(char *));
    size_t *lens = wld_xcalloc(n, sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        texts[i] = (const char *) wld_embedded_rules[i].data;
        lens[i] = wld_embedded_rules[i].len;
        names[i] = wld_embedded_rules[i].name;
    }
    int r = wld_rules_load_texts(texts, lens, names, n, "embedded rules", ret, err);
    free(texts);
    free(names);
    free(lens);
    return r;
}

/* Reads the whole of fd into b: a regular file as it is, a pipe or FIFO (`--rules
 * <(...)`) until its writer closes it or the deadline passes, so a FIFO nobody writes to
 * cannot hang the doctor. Returns 0 or -errno (-ETIMEDOUT). */
int wld_rules_load_file(const char *path, double timeout_ms, struct wld_rules **ret, char **err)
{
    struct wld_buf b;
    unsigned mode = 0;
    int r = wld_read_named_file(path, RULES_CAP, timeout_ms, &b, &mode);
    if (r == -EISDIR || r == -EINVAL)
        return wld_errorf(err, r, "rules file %s is %s, not a JSON file", path,
                          wld_file_type_name(mode));
    if (r < 0)
        return wld_errorf(err, r, "cannot read rules file %s: %s", path,
                          r == -ETIMEDOUT ? "nothing finished writing it before the deadline"
                          : r == -EFBIG   ? "larger than 4 MiB"
                                          : strerror(-r));
    if (b.len == 0) {
        wld_buf_release(&b);
        return wld_errorf(err, -EINVAL, "rules file %s is empty%s", path,
                          S_ISFIFO(mode) ? " (no process is writing to the FIFO)" : "");
    }
    const char *texts[1] = { b.data };
    size_t lens[1] = { b.len };
    const char *names[1] = { path };
    r = wld_rules_load_texts(texts, lens, names, 1, path, ret, err);
    wld_buf_release(&b);
    return r;
}

void wld_rules_free(struct wld_rules *r)
{
    if (!r)
        return;
    cJSON_Delete(r->doc);
    free(r->origin);
    free(r);
}

const cJSON *wld_rules_check(const struct wld_rules *r, const char *id)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->doc, "checks"), id);
}

const cJSON *wld_rules_outcome(const struct wld_rules *r, const char *id, const char *outcome)
{
    const cJSON *c = wld_rules_check(r, id);
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "outcomes"),
                                            outcome);
}

const cJSON *wld_rules_common(const struct wld_rules *r, const char *outcome)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->doc, "common"),
                                            outcome);
}

const cJSON *wld_rules_source(const struct wld_rules *r, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->doc, "sources"),
                                            key);
}

cJSON *wld_rules_source_urls(const struct wld_rules *r, const cJSON *keys)
{
    cJSON *urls = cJSON_CreateArray();
    const cJSON *k;
    cJSON_ArrayForEach(k, keys)
    {
        const cJSON *src = cJSON_IsString(k) ? wld_rules_source(r, k->valuestring) : NULL;
        const cJSON *url = cJSON_GetObjectItemCaseSensitive(src, "url");
        if (cJSON_IsString(url))
            cJSON_AddItemToArray(urls, cJSON_CreateString(url->valuestring));
    }
    return urls;
}

char *wld_template_render(const char *tmpl, const cJSON *vars)
{
    struct wld_buf b;
    wld_buf_init(&b, 64 * 1024);
    const char *p = tmpl;
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open) {
            wld_buf_puts(&b, p);
            break;
        }
        wld_buf_append(&b, p, (size_t) (open - p));
        const char *close = strchr(open + 1, '}');
        size_t len = close ? (size_t) (close - open - 1) : 0;
        char name[64];
        const cJSON *v = NULL;
        if (close && len > 0 && len < sizeof(name)) {
            memcpy(name, open + 1, len);
            name[len] = '\0';
            v = cJSON_GetObjectItemCaseSensitive(vars, name);
        }
        if (cJSON_IsString(v)) {
            wld_buf_puts(&b, v->valuestring);
        } else if (cJSON_IsNumber(v)) {
            wld_buf_printf(&b, "%g", v->valuedouble);
        } else if (cJSON_IsBool(v)) {
            wld_buf_puts(&b, cJSON_IsTrue(v) ? "true" : "false");
        } else {
            wld_buf_append(&b, open, close ? len + 2 : 1);
            p = close ? close + 1 : open + 1;
            continue;
        }
        p = close + 1;
    }
    return wld_buf_detach(&b);
}
