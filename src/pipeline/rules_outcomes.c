/* What every rules entry in words rests on, for the rules' validation
 * (src/pipeline/rules_validate.c, src/pipeline/rules_signatures.c, rules_codes.c): the
 * document's sources, each an http(s) URL with its authority (documented or field), an
 * outcome (a check's, a common one, a lint finding, a log signature): a status, a summary, a
 * fix for a problem, and sources that exist and may back it, since only what NVIDIA or
 * Microsoft documents may fail a check; and the "when" variants of a signature or an error
 * code. */
#include <errno.h>
#include <string.h>

#include "wld/check.h"
#include "wld/logpattern.h"
#include "wld/rules.h"
#include "wld/util.h"

#include "rules_impl.h"

int wld_rules_validate_sources(const cJSON *sources, char **err)
{
    const cJSON *s;
    if (!cJSON_IsObject(sources))
        return wld_errorf(err, -EINVAL, "\"sources\" must be an object of source entries");
    cJSON_ArrayForEach(s, sources)
    {
        const char *url = wld_fact_str(s, "url");
        const char *auth = wld_fact_str(s, "authority");
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
        if (strcmp(wld_fact_str(src, "authority"), "documented") != 0)
            *all_documented = false;
    }
    return 0;
}

int wld_rules_validate_outcome(const cJSON *sources, const cJSON *o, const char *where, char **err)
{
    enum wld_status st;
    if (!cJSON_IsObject(o))
        return wld_errorf(err, -EINVAL, "%s must be an object", where);
    if (wld_status_parse(wld_fact_str(o, "status"), &st) < 0)
        return wld_errorf(err, -EINVAL, "%s: \"status\" must be pass, warn, fail, skip or error",
                          where);
    if (!wld_fact_str(o, "summary"))
        return wld_errorf(err, -EINVAL, "%s: \"summary\" is missing", where);
    if (wld_status_is_problem(st) && !wld_fact_str(o, "fix"))
        return wld_errorf(err, -EINVAL, "%s: a %s outcome needs a \"fix\"", where,
                          wld_status_name(st));
    bool documented = true;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(o, "sources");
    int r = validate_source_list(sources, list, where, &documented, err);
    if (r < 0)
        return r;
    /* Only what NVIDIA or Microsoft documents may fail a check; a field report may warn.
     * A fail that rests on no claim at all (a file the user named does not exist) says so
     * with "basis": "observed". */
    const char *basis = wld_fact_str(o, "basis");
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

int wld_rules_validate_when(const cJSON *entry,
                            const char *const *keys,
                            const char *where,
                            int (*each)(const cJSON *variant, const char *cond, void *ctx),
                            void *ctx,
                            char **err)
{
    const cJSON *when = cJSON_GetObjectItemCaseSensitive(entry, "when"), *v, *k;
    if (when && !cJSON_IsArray(when))
        return wld_errorf(err, -EINVAL, "%s: \"when\" must be a list of variants", where);
    cJSON_ArrayForEach(v, when)
    {
        const char *cond = wld_fact_str(v, "if"), *check = wld_fact_str(v, "check");
        if (!cJSON_IsObject(v) || !cond || !wld_log_condition_known(cond))
            return wld_errorf(err, -EINVAL, "%s: a \"when\" variant needs a known condition \"if\"",
                              where);
        cJSON_ArrayForEach(k, v)
        {
            size_t i = 0;
            while (keys[i] && !wld_str_is(keys[i], k->string))
                i++;
            if (!keys[i])
                return wld_errorf(err, -EINVAL, "%s: the \"when\" variant for %s cannot set %s",
                                  where, cond, k->string);
        }
        if (cJSON_GetObjectItemCaseSensitive(v, "check") && (!check || !wld_check_find(check)))
            return wld_errorf(err, -EINVAL, "%s: the \"when\" variant for %s: unknown check", where,
                              cond);
        int r = each ? each(v, cond, ctx) : 0;
        if (r < 0)
            return r;
    }
    return 0;
}
