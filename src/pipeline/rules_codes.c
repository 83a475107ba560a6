/* Validation of the rules' error-code table ("error_codes", rules/codes.json; see
 * wld/logcodes.h): what the reader and the findings rely on, refused with the row that
 * breaks it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/logcodes.h"
#include "wld/logpattern.h"
#include "wld/util.h"

#include "rules_impl.h"

/* The form an API's enum names take. */
static const char *const name_prefix[WLD_API_COUNT] = { "cudaError", "CUDA_ERROR_", "NVML_ERROR_",
                                                        "CUBLAS_STATUS_" };

static const char *str_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static bool known_source(const cJSON *doc, const char *key)
{
    return key &&
           cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "sources"), key);
}

static int check_apis(const cJSON *doc, const cJSON *apis, char **why)
{
    const cJSON *a;
    if (!cJSON_IsObject(apis) || !apis->child)
        return wld_errorf(why, -EINVAL, "error_codes: \"apis\" must name the APIs");
    cJSON_ArrayForEach(a, apis)
    {
        const char *ts = str_of(a, "texts_source");
        if (wld_code_api_of(a->string) < 0)
            return wld_errorf(why, -EINVAL, "error_codes.apis: unknown API %s", a->string);
        if (!str_of(a, "label") || !known_source(doc, str_of(a, "source")) ||
            (cJSON_GetObjectItemCaseSensitive(a, "texts_source") && !known_source(doc, ts)))
            return wld_errorf(why, -EINVAL,
                              "error_codes.apis.%s needs a \"label\" and a known \"source\"",
                              a->string);
    }
    return 0;
}

static bool is_check(const cJSON *doc, const char *id)
{
    (void) doc;
    return wld_check_find(id) != NULL;
}

static bool is_text(const cJSON *doc, const char *s)
{
    (void) doc;
    return strlen(s) >= 4; /* shorter would match anywhere */
}

/* "when": variants of the row, each a condition of the log ("if") and the check, the checks
 * to run and the fix that hold under it, and optionally its meaning there and the sources
 * that say so (cudaErrorInsufficientDriver in a container: the image's CUDA is newer than
 * the host's driver, a container.gpu matter). */
/* What an error code's variant needs beside wld_rules_validate_when's: a check, the checks
 * to run and a fix, its meaning a text, its checks and sources known. */
struct when_ctx {
    const cJSON *doc;
    const char *where;
    char **why;
};

static int code_variant(const cJSON *v, const char *cond, void *arg)
{
    const struct when_ctx *w = arg;
    if (!str_of(v, "check") || !str_of(v, "fix") ||
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v, "checks")) == 0)
        return wld_errorf(w->why, -EINVAL,
                          "%s: the \"when\" variant for %s needs a \"check\", the \"checks\" to "
                          "run and a \"fix\"",
                          w->where, cond);
    if (cJSON_GetObjectItemCaseSensitive(v, "meaning") && !str_of(v, "meaning"))
        return wld_errorf(w->why, -EINVAL, "%s: \"meaning\" must be a text", w->where);
    int e;
    if ((e = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(v, "checks"), is_check,
                                      w->doc, "checks", w->where, w->why)) < 0 ||
        (e = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(v, "sources"), known_source,
                                      w->doc, "sources", w->where, w->why)) < 0)
        return e;
    return 0;
}

static int check_when(const cJSON *doc, const cJSON *r, const char *where, char **why)
{
    static const char *const keys[] = {
        "if", "check", "checks", "fix", "meaning", "sources", NULL
    };
    struct when_ctx w = { doc, where, why };
    return wld_rules_validate_when(r, keys, where, code_variant, &w, why);
}

static int check_row(const cJSON *doc, const cJSON *apis, const cJSON *r, int i, char **why)
{
    char where[48];
    snprintf(where, sizeof(where), "error_codes.codes[%d]", i);
    const char *api = str_of(r, "api"), *name = str_of(r, "name"), *st = str_of(r, "status");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");
    int a = api ? wld_code_api_of(api) : -1;
    if (a < 0 || !cJSON_GetObjectItemCaseSensitive(apis, api))
        return wld_errorf(why, -EINVAL, "%s: \"api\" must be one of error_codes.apis", where);
    if (!cJSON_IsNumber(code) || code->valuedouble != (int) code->valuedouble ||
        code->valuedouble < 1 || code->valuedouble > 9999)
        return wld_errorf(why, -EINVAL, "%s: \"code\" must be a number in 1..9999", where);
    if (!name || !wld_str_starts(name, name_prefix[a]))
        return wld_errorf(why, -EINVAL, "%s: \"name\" must be %s's enum name (%s...)", where, api,
                          name_prefix[a]);
    if (!str_of(r, "nvidia") || !str_of(r, "meaning"))
        return wld_errorf(why, -EINVAL, "%s: NVIDIA's description (\"nvidia\") and a \"meaning\"",
                          where);
    if (!str_of(r, "check") || !wld_check_find(str_of(r, "check")) ||
        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "checks")) == 0)
        return wld_errorf(why, -EINVAL,
                          "%s: \"check\" must be a check id, \"checks\" the checks to run", where);
    if (!wld_str_is(st, "warn") && !wld_str_is(st, "fail"))
        return wld_errorf(why, -EINVAL, "%s: \"status\" must be warn or fail", where);
    const cJSON *vague = cJSON_GetObjectItemCaseSensitive(r, "vague");
    if (vague && !cJSON_IsBool(vague))
        return wld_errorf(why, -EINVAL, "%s: \"vague\" must be true or false", where);
    if (cJSON_GetObjectItemCaseSensitive(r, "fix") && !str_of(r, "fix"))
        return wld_errorf(why, -EINVAL, "%s: \"fix\" must be a text", where);
    int e;
    if ((e = check_when(doc, r, where, why)) < 0)
        return e;
    if ((e = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(r, "checks"), is_check, doc,
                                      "checks", where, why)) < 0 ||
        (e = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(r, "texts"), is_text, doc,
                                      "texts (4 bytes or more)", where, why)) < 0 ||
        (e = wld_rules_validate_names(cJSON_GetObjectItemCaseSensitive(r, "sources"), known_source,
                                      doc, "sources", where, why)) < 0)
        return e;
    return 0;
}

/* A row's keys, for finding one twice. */
struct row {
    const char *api;
    double code;
    const char *name;
    int index;
};

static int by_code(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->api, y->api);
    if (c)
        return c;
    return (x->code > y->code) - (x->code < y->code);
}

static int by_name(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->index - y->index;
}

int wld_codetab_validate(const cJSON *doc, char **why)
{
    const cJSON *ec = cJSON_GetObjectItemCaseSensitive(doc, "error_codes");
    if (!ec)
        return 0;
    const cJSON *apis = cJSON_GetObjectItemCaseSensitive(ec, "apis");
    const cJSON *codes = cJSON_GetObjectItemCaseSensitive(ec, "codes");
    int e = check_apis(doc, apis, why);
    if (e < 0)
        return e;
    if (!cJSON_IsArray(codes))
        return wld_errorf(why, -EINVAL, "error_codes: \"codes\" must be an array of rows");
    int i = 0, n = cJSON_GetArraySize(codes);
    struct row *rows = wld_xcalloc((size_t) n + 1, sizeof(*rows));
    for (const cJSON *r = codes->child; r; r = r->next, i++) {
        if ((e = check_row(doc, apis, r, i, why)) < 0)
            break;
        /* check_row made these a string and an integer */
        rows[i] = (struct row){ str_of(r, "api"),
                                cJSON_GetObjectItemCaseSensitive(r, "code")->valuedouble,
                                str_of(r, "name"), i };
    }
    /* a code or a name twice: sorted, the two are neighbours (the later row is named) */
    for (int pass = 0; e >= 0 && pass < 2; pass++) {
        qsort(rows, (size_t) n, sizeof(*rows), pass ? by_name : by_code);
        for (int k = 1; k < n && e >= 0; k++)
            if (pass ? strcmp(rows[k].name, rows[k - 1].name) == 0
                     : by_code(&rows[k], &rows[k - 1]) == 0) {
                const struct row *twice =
                        rows[k].index > rows[k - 1].index ? &rows[k] : &rows[k - 1];
                e = wld_errorf(why, -EINVAL, "error_codes.codes[%d]: %s is in the table twice",
                               twice->index, twice->name);
            }
    }
    free(rows);
    return e < 0 ? e : 0;
}
