/* Validation of the rules' log signatures (docs/logs.md), for src/pipeline/rules_validate.c:
 * each names its check, and either line patterns that compile within the log reader's
 * limits or an observation it knows, conditions and evidence by known names, and
 * "unless_found" only earlier signatures; its words are held to an outcome's rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/logpattern.h"
#include "wld/rules.h"
#include "wld/util.h"

#include "rules_impl.h"

int wld_rules_validate_names(const cJSON *list,
                             bool (*known)(const cJSON *ctx, const char *name),
                             const cJSON *ctx,
                             const char *what,
                             const char *where,
                             char **err)
{
    const cJSON *c;
    if (list && !cJSON_IsArray(list))
        return wld_errorf(err, -EINVAL, "%s: \"%s\" must be an array", where, what);
    cJSON_ArrayForEach(c, list)
    {
        if (!cJSON_IsString(c) || !known(ctx, c->valuestring))
            return wld_errorf(err, -EINVAL, "%s: unknown %s %s", where, what,
                              cJSON_IsString(c) ? c->valuestring : "(not a string)");
    }
    return 0;
}

static bool condition_known(const cJSON *ctx, const char *name)
{
    (void) ctx;
    return wld_log_condition_known(name);
}

static bool evidence_known(const cJSON *ctx, const char *name)
{
    (void) ctx;
    static const char *const names[] = { "device",  "build",   "model",    "offload",
                                         "alloc",   "command", "archs",    "ctx",
                                         "backend", "driver",  "gpu_asked" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (wld_str_is(names[i], name))
            return true;
    return false;
}

/* "contradicted_by": objects, each a condition ("if") that, holding, says the finding's cause
 * is not so: what it says ("says"), the evidence whose lines show it, the status it leaves
 * (not a fail) and a fix of its own. */
static int validate_contradictions(const cJSON *list, const char *where, char **err)
{
    const cJSON *c;
    if (list && !cJSON_IsArray(list))
        return wld_errorf(err, -EINVAL, "%s: \"contradicted_by\" must be an array", where);
    cJSON_ArrayForEach(c, list)
    {
        const char *cond = wld_fact_str(c, "if"), *ev = wld_fact_str(c, "evidence");
        const char *status = wld_fact_str(c, "status");
        const cJSON *fix = cJSON_GetObjectItemCaseSensitive(c, "fix");
        if (!cJSON_IsObject(c) || !cond || !wld_log_condition_known(cond))
            return wld_errorf(err, -EINVAL, "%s: contradicted_by needs a known condition \"if\"",
                              where);
        if (!wld_fact_str(c, "says"))
            return wld_errorf(err, -EINVAL, "%s: contradicted_by %s says nothing", where, cond);
        if ((ev && !evidence_known(NULL, ev)) ||
            (cJSON_GetObjectItemCaseSensitive(c, "evidence") && !ev))
            return wld_errorf(err, -EINVAL, "%s: contradicted_by %s: unknown evidence", where,
                              cond);
        if ((status && !wld_str_is(status, "pass") && !wld_str_is(status, "warn") &&
             !wld_str_is(status, "skip")) ||
            (cJSON_GetObjectItemCaseSensitive(c, "status") && !status))
            return wld_errorf(err, -EINVAL,
                              "%s: contradicted_by %s: status must be pass, warn or skip", where,
                              cond);
        if (fix && !cJSON_IsString(fix))
            return wld_errorf(err, -EINVAL, "%s: contradicted_by %s: fix must be a string", where,
                              cond);
    }
    return 0;
}

/* A log signature (docs/logs.md): an outcome with the check it belongs to, and either line
 * patterns ("match") or an observation on the whole log ("observe"). Its fail rests on what
 * the log itself shows, so it says "basis": "observed" (or cites only documentation). */
/* "unless_found" / "unless_read": earlier signatures, for findings are made in the rules'
 * order. */
static int validate_earlier(
        const cJSON *sigs, const cJSON *sig, const char *key, const char *where, char **err)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(sig, key), *c;
    if (list && !cJSON_IsArray(list))
        return wld_errorf(err, -EINVAL, "%s: \"%s\" must be an array", where, key);
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *e =
                cJSON_IsString(c) ? cJSON_GetObjectItemCaseSensitive(sigs, c->valuestring) : NULL;
        bool earlier = false;
        for (const cJSON *k = sigs ? sigs->child : NULL; e && k && k != sig; k = k->next)
            earlier |= k == e;
        if (!earlier)
            return wld_errorf(err, -EINVAL, "%s: %s names %s, which is not an earlier signature",
                              where, key, cJSON_IsString(c) ? c->valuestring : "(not a string)");
    }
    return 0;
}

/* The signature's words (status, summary, fix, sources) as an outcome's are validated. */
static int validate_words(const cJSON *sources, const cJSON *sig, const char *where, char **err)
{
    const char *status = wld_fact_str(sig, "status");
    if (wld_str_is(status, "fail") && wld_str_is(wld_fact_str(sig, "basis"), "observed")) {
        /* the log shows the failure: any source may explain it */
        cJSON *copy = cJSON_Duplicate(sig, true);
        cJSON_ReplaceItemInObjectCaseSensitive(copy, "status", cJSON_CreateString("warn"));
        int r = wld_rules_validate_outcome(sources, copy, where, err);
        cJSON_Delete(copy);
        return r;
    }
    return wld_rules_validate_outcome(sources, sig, where, err);
}

/* "when": variants, each a known condition ("if") and the check and words that hold under it
 * (the same message inside a container has another cause), valid as the signature is. */
struct when_ctx {
    const cJSON *sources, *sig;
    const char *where;
    char **err;
};

static int signature_variant(const cJSON *v, const char *cond, void *arg)
{
    (void) cond;
    const struct when_ctx *w = arg;
    cJSON *varied = wld_log_sig_vary(w->sig, v);
    int r = validate_words(w->sources, varied, w->where, w->err);
    cJSON_Delete(varied);
    return r;
}

static int validate_variants(const cJSON *sources, const cJSON *sig, const char *where, char **err)
{
    struct when_ctx w = { sources, sig, where, err };
    return wld_rules_validate_when(sig, wld_log_variant_keys, where, signature_variant, &w, err);
}

int wld_rules_validate_signature(
        const cJSON *sources, const cJSON *sigs, const cJSON *sig, size_t *anchor_bytes, char **err)
{
    char where[160];
    snprintf(where, sizeof(where), "signature %s", sig->string);
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(sig, "match");
    const cJSON *obs = cJSON_GetObjectItemCaseSensitive(sig, "observe");
    const char *check = wld_fact_str(sig, "check");
    if (!check || !wld_check_find(check))
        return wld_errorf(err, -EINVAL, "%s: \"check\" must be a check id", where);
    const cJSON *c;
    /* an older bundle's way to name another check where the log shows WSL: a "when" variant
     * says it now, and a rule left unread would give the wrong check */
    if (cJSON_GetObjectItemCaseSensitive(sig, "check_by_origin"))
        return wld_errorf(
                err, -EINVAL,
                "%s: check_by_origin is gone: a \"when\" variant (\"if\": \"origin_wsl\") "
                "names the check",
                where);
    if (!wld_fact_str(sig, "proves"))
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
    if ((r = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(sig, "if"), condition_known,
                                      NULL, "condition", where, err)) < 0 ||
        (r = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(sig, "unless"),
                                      condition_known, NULL, "condition", where, err)) < 0 ||
        (r = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(sig, "needs"),
                                      condition_known, NULL, "condition", where, err)) < 0 ||
        (r = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(sig, "evidence"),
                                      evidence_known, NULL, "evidence", where, err)) < 0 ||
        (r = validate_contradictions(cJSON_GetObjectItemCaseSensitive(sig, "contradicted_by"),
                                     where, err)) < 0)
        return r;
    /* "needs": conditions the log may not show; then the finding is a possibility, and
     * "confirm" says what would make it the cause */
    if (!!cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sig, "needs")) !=
        !!wld_fact_str(sig, "confirm"))
        return wld_errorf(err, -EINVAL, "%s: \"needs\" and \"confirm\" go together", where);
    if ((r = validate_earlier(sigs, sig, "unless_found", where, err)) < 0 ||
        (r = validate_earlier(sigs, sig, "unless_read", where, err)) < 0)
        return r;
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(sig, "except");
    if (ex && (!cJSON_IsArray(ex) || !match))
        return wld_errorf(err, -EINVAL, "%s: \"except\" must be a list of texts, with \"match\"",
                          where);
    cJSON_ArrayForEach(c, ex)
    {
        if (!cJSON_IsString(c) || strlen(c->valuestring) < 4)
            return wld_errorf(err, -EINVAL, "%s: an \"except\" text must be 4 bytes or more",
                              where);
    }
    const cJSON *fb = cJSON_GetObjectItemCaseSensitive(sig, "fallback");
    if (fb && (!cJSON_IsBool(fb) || !match))
        return wld_errorf(err, -EINVAL, "%s: \"fallback\" must be true or false, with \"match\"",
                          where);
    if ((r = validate_words(sources, sig, where, err)) < 0)
        return r;
    return validate_variants(sources, sig, where, err);
}
