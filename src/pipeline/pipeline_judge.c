/* The pipeline's judging, once every gather is done (live or from saved facts): each
 * check's evaluate() over its facts and rule parameters, its outcome turned into words
 * by the rules (wld_verdict_make); a per-runtime check judged once per runtime, the
 * result its worst runtime's verdict with every runtime's listed; then the links between
 * results (src/pipeline/pipeline_causes.c) and the counts the exit code comes from. */
#include <stdlib.h>
#include <string.h>

#include "wld/pipeline.h"
#include "wld/platform.h"
#include "wld/util.h"

#include "pipeline_impl.h"

/* s, which is not valid UTF-8, made valid (in cJSON's allocator, which frees it). */
static char *json_utf8(char *s)
{
    char *fixed = wld_utf8_fix(s, false);
    char *copy = cJSON_malloc(strlen(fixed) + 1);
    if (!copy)
        abort();
    strcpy(copy, fixed);
    free(fixed);
    cJSON_free(s);
    return copy;
}

/* Host data (file names, a GPU's name, ELF strings) can be any bytes; every string that
 * leaves the doctor, in any format, is valid UTF-8, invalid bytes shown as U+FFFD. */
void wld_pipeline_fix_utf8(cJSON *item)
{
    for (cJSON *it = item; it; it = it->next) {
        if (it->string && !(it->type & cJSON_StringIsConst) && !wld_utf8_valid(it->string))
            it->string = json_utf8(it->string);
        if (cJSON_IsString(it) && it->valuestring && !wld_utf8_valid(it->valuestring))
            it->valuestring = json_utf8(it->valuestring);
        if (it->child)
            wld_pipeline_fix_utf8(it->child);
    }
}

/* finding var name = the strings of list joined with ", ", "none" when there are none. */
static void var_list(struct wld_finding *f, const char *name, const cJSON *list)
{
    struct wld_buf b;
    const cJSON *e;
    wld_buf_init(&b, 256);
    cJSON_ArrayForEach(e, list)
    {
        if (cJSON_IsString(e))
            wld_buf_printf(&b, "%s%s", b.len ? ", " : "", e->valuestring);
    }
    wld_finding_var(f, name, b.len ? b.data : "none");
    wld_buf_release(&b);
}

/* One evaluation of a check: its finding turned into words by the rules. */
struct verdict {
    struct wld_finding f;
    const cJSON *outcome; /* the rules' entry */
    struct wld_verdict said;
};

static void evaluate_one(struct wld_report *rep,
                         const struct wld_job *j,
                         const cJSON *mine,
                         const char *runtime_id,
                         struct verdict *v)
{
    const struct wld_rules *rules = rep->rules;
    const struct wld_check *c = j->check;
    const cJSON *crules = wld_rules_check(rules, c->id);
    v->f = (struct wld_finding){ .outcome = "", .vars = cJSON_CreateObject() };
    v->outcome = NULL;
    if (j->missing) {
        /* a saved report without what this check judges by: say so, judge nothing */
        wld_finding_var(&v->f, "missing", j->missing);
        v->outcome = wld_rules_common(rules, "facts_missing");
        wld_finding_outcome(&v->f, "facts_missing");
    } else if (j->check->per_runtime &&
               cJSON_GetObjectItemCaseSensitive(mine, "runtime_not_found")) {
        const cJSON *nf = cJSON_GetObjectItemCaseSensitive(mine, "runtime_not_found");
        var_list(&v->f, "asked", cJSON_GetObjectItemCaseSensitive(nf, "asked"));
        var_list(&v->f, "found", cJSON_GetObjectItemCaseSensitive(nf, "found"));
        v->outcome = wld_rules_common(rules, "runtime_not_found");
        wld_finding_outcome(&v->f, "runtime_not_found");
    } else if (j->rc < 0) {
        wld_finding_varf(&v->f, "error", "gathering facts failed (%s)", wld_errno_name(j->rc));
    } else {
        struct wld_eval_ctx ctx = {
            .facts = rep->facts,
            .mine = mine,
            .params = cJSON_GetObjectItemCaseSensitive(crules, "params"),
            .platform = rep->platform,
            .runtime_id = runtime_id,
        };
        c->evaluate(&ctx, &v->f);
        v->outcome = wld_rules_outcome(rules, c->id, v->f.outcome);
        if (!v->outcome)
            wld_finding_varf(&v->f, "error", "outcome '%s' has no rules entry", v->f.outcome);
    }
    if (!v->outcome) {
        /* The doctor broke its own contract: report it on this check, exit 3. */
        v->outcome = wld_rules_common(rules, "internal_error");
        wld_finding_outcome(&v->f, "internal_error");
        rep->internal_error = true;
    }
    /* the facts were made valid UTF-8 once gathered; what evaluate() added is made so here */
    wld_pipeline_fix_utf8(v->f.vars);
    wld_verdict_make(rules, crules, v->outcome, v->f.vars, &v->said);
}

/* v's summary, prefixed with the runtime's name when name is not NULL. */
static char *summary_of(const struct verdict *v, const char *name)
{
    return name ? wld_xasprintf("%s: %s", name, v->said.summary) : wld_xstrdup(v->said.summary);
}

/* How much a status asks for attention, to pick a check's worst runtime. */
static int weight(enum wld_status s)
{
    static const int w[WLD_STATUS_COUNT] = {
        [WLD_SKIP] = 0, [WLD_PASS] = 1, [WLD_WARN] = 2, [WLD_ERROR] = 3, [WLD_FAIL] = 4
    };
    return w[s];
}

static void judge(struct wld_report *rep, struct wld_result *res, const struct wld_job *j)
{
    const struct wld_check *c = j->check;
    double t0 = wld_now_ms();
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(j->facts, "runtimes"), *e;
    size_t n = c->per_runtime && !j->missing && cJSON_IsArray(list)
                       ? (size_t) cJSON_GetArraySize(list)
                       : 0;
    struct verdict *v = wld_xcalloc(n ? n : 1, sizeof(*v));
    size_t worst = 0, i = 0;
    if (!n) {
        evaluate_one(rep, j, j->facts, NULL, &v[0]);
    } else {
        /* each runtime judged alone; the report shows the worst, naming it when the
         * check judged several or one that is not a llama.cpp build */
        res->runtimes = cJSON_CreateArray();
        cJSON_ArrayForEach(e, list)
        {
            const cJSON *rt = cJSON_GetObjectItemCaseSensitive(e, "for_runtime");
            evaluate_one(rep, j, e, wld_fact_str(rt, "id"), &v[i]);
            if (weight(v[i].said.status) > weight(v[worst].said.status))
                worst = i;
            i++;
        }
        i = 0;
        cJSON_ArrayForEach(e, list)
        {
            const cJSON *rt = cJSON_GetObjectItemCaseSensitive(e, "for_runtime");
            const char *kind = wld_fact_str(rt, "kind");
            bool named = n > 1 || !kind || strcmp(kind, "llama.cpp") != 0;
            const char *name = named ? wld_fact_str(rt, "name") : NULL;
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "runtime", wld_fact_str(rt, "id"));
            cJSON_AddStringToObject(o, "status", wld_status_name(v[i].said.status));
            cJSON_AddStringToObject(o, "outcome", v[i].f.outcome);
            char *summary = summary_of(&v[i], name);
            char *fix = v[i].said.fix ? wld_xstrdup(v[i].said.fix) : NULL;
            cJSON_AddStringToObject(o, "summary", summary);
            if (fix)
                cJSON_AddStringToObject(o, "fix", fix);
            else
                cJSON_AddNullToObject(o, "fix");
            cJSON_AddItemToArray(res->runtimes, o);
            if (i == worst) {
                res->summary = summary;
                res->fix = fix;
            } else {
                free(summary);
                free(fix);
            }
            i++;
        }
    }
    struct verdict *w = &v[worst];
    res->check = c;
    res->status = w->said.status;
    res->outcome = wld_xstrdup(w->f.outcome);
    if (!n) {
        res->summary = summary_of(w, NULL);
        res->fix = w->said.fix ? wld_xstrdup(w->said.fix) : NULL;
    }
    res->evidence = cJSON_Duplicate(j->facts, true);
    res->derived = cJSON_CreateArray();
    const cJSON *var;
    cJSON_ArrayForEach(var, w->f.vars)
    {
        if (cJSON_GetObjectItemCaseSensitive(res->evidence, var->string))
            continue;
        cJSON_AddItemToObject(res->evidence, var->string, cJSON_Duplicate(var, true));
        cJSON_AddItemToArray(res->derived, cJSON_CreateString(var->string));
    }
    res->sources = w->said.sources;
    w->said.sources = NULL;
    res->duration_ms = j->ms + (wld_now_ms() - t0);
    for (size_t k = 0; k < (n ? n : 1); k++) {
        cJSON_Delete(v[k].f.vars);
        wld_verdict_clear(&v[k].said);
    }
    free(v);
}

/* Evaluates the first `reported` jobs into the report, links the results that follow
 * another's finding to it, counts the statuses, and hands the report over (the jobs are
 * freed). */
void wld_pipeline_finish(struct wld_report *rep,
                         struct wld_job *jobs,
                         size_t reported,
                         double t0,
                         struct wld_report **ret)
{
    char decided[256];
    rep->platform = wld_platform_of(cJSON_GetObjectItemCaseSensitive(rep->facts, "wsl.platform"),
                                    decided, sizeof(decided));
    rep->results = wld_xcalloc(reported ? reported : 1, sizeof(*rep->results));
    rep->n = reported;
    for (size_t i = 0; i < reported; i++)
        judge(rep, &rep->results[i], &jobs[i]);
    wld_pipeline_link_causes(rep);
    for (size_t i = 0; i < reported; i++)
        rep->counts[rep->results[i].status]++;
    for (size_t i = 0; i < reported; i++)
        free(jobs[i].missing);
    free(jobs);
    rep->total_ms = wld_now_ms() - t0;
    *ret = rep;
}
