/* Gather concurrently, evaluate in registry order (see wld/pipeline.h). */
#include "wld/pipeline.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wld/inventory.h"
#include "wld/proc.h"
#include "wld/runtimes.h"
#include "wld/secrets.h"
#include "wld/trace.h"
#include "wld/util.h"

#include "pipeline_runtimes.h"

struct job {
    const struct wld_check *check;
    struct progress *progress;
    bool done;
    struct wld_gather_ctx ctx;
    cJSON *facts; /* the check's own namespace; only this thread touches it */
    int rc;
    char *missing; /* --facts: what the saved report lacks for this check, or NULL */
    double ms;
    bool started;
    pthread_t thread;
};

static bool in_list(char *const *list, const char *id)
{
    for (; list && *list; list++)
        if (strcmp(*list, id) == 0)
            return true;
    return false;
}

/* Finished gathers, for the live note. */
struct progress {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    size_t done;
};

static void *gather_main(void *arg)
{
    struct job *j = arg;
    double t0 = wld_now_ms();
    wld_proc_set_owner(j->check->id);
    j->rc = j->check->per_runtime ? wld_gather_runtimes(j->check, &j->ctx, j->facts)
            : j->check->gather    ? j->check->gather(&j->ctx, j->facts)
                                  : 0;
    j->ms = wld_now_ms() - t0;
    wld_proc_set_owner(NULL);
    if (wld_trace_on()) {
        char name[128];
        snprintf(name, sizeof(name), "gather %s", j->check->id);
        wld_trace_span(name, t0, t0 + j->ms);
    }
    pthread_mutex_lock(&j->progress->mu);
    j->done = true;
    j->progress->done++;
    pthread_cond_signal(&j->progress->cond);
    pthread_mutex_unlock(&j->progress->mu);
    return NULL;
}

/* Until every gather is done: after half a second, one line on stderr naming what the
 * doctor waits on (the longest-running command, else a check still gathering), rewritten
 * in place and erased at the end. */
static void wait_gathers(struct progress *p, struct job *jobs, size_t n, bool note)
{
    double t0 = wld_now_ms();
    bool shown = false;
    pthread_mutex_lock(&p->mu);
    while (p->done < n) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cond, &p->mu, &ts);
        double waited = wld_now_ms() - t0;
        if (!note || waited < 500 || p->done >= n)
            continue;
        char what[128] = "";
        double ms = 0;
        if (!wld_proc_longest(what, sizeof(what), &ms) || ms < 500) {
            for (size_t i = 0; i < n && !what[0]; i++)
                if (!jobs[i].done)
                    snprintf(what, sizeof(what), "%s", jobs[i].check->id);
            ms = waited;
        }
        fprintf(stderr, "\r\033[Kwsl-llm-doctor: still running: %s, %.1f s", what, ms / 1000.0);
        fflush(stderr);
        shown = true;
    }
    pthread_mutex_unlock(&p->mu);
    if (shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
}

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
static void fix_utf8(cJSON *item)
{
    for (cJSON *it = item; it; it = it->next) {
        if (it->string && !(it->type & cJSON_StringIsConst) && !wld_utf8_valid(it->string))
            it->string = json_utf8(it->string);
        if (cJSON_IsString(it) && it->valuestring && !wld_utf8_valid(it->valuestring))
            it->valuestring = json_utf8(it->valuestring);
        if (it->child)
            fix_utf8(it->child);
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
                         const struct job *j,
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
    fix_utf8(v->f.vars);
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

static void judge(struct wld_report *rep, struct wld_result *res, const struct job *j)
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

/* A report begun now, and room for a job per check. */
static struct wld_report *report_new(const struct wld_rules *rules, struct job **jobs)
{
    struct wld_report *rep = wld_xcalloc(1, sizeof(*rep));
    *jobs = wld_xcalloc(wld_checks_count, sizeof(**jobs));
    rep->rules = rules;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    rep->started = (double) now.tv_sec + (double) now.tv_nsec / 1e9;
    rep->facts = cJSON_CreateObject();
    return rep;
}

/* The checks to run, as jobs: the reported ones first (registry order), then the ones
 * only gathered for them (what their evaluate() reads with these options). Returns the
 * number of jobs; *reported gets how many come first. */
static size_t select_jobs(const struct wld_options *opts, struct job *jobs, size_t *reported)
{
    size_t n = 0;
    bool *want = wld_xcalloc(wld_checks_count, sizeof(bool));
    bool *gather = wld_xcalloc(wld_checks_count, sizeof(bool));
    for (size_t i = 0; i < wld_checks_count; i++) {
        const struct wld_check *c = wld_checks[i];
        want[i] = (!opts->only || in_list(opts->only, c->id)) && !in_list(opts->skip, c->id);
        gather[i] = want[i];
    }
    for (size_t i = 0; i < wld_checks_count; i++)
        for (const char *const *d = wld_checks[i]->needs; want[i] && d && *d; d++)
            for (size_t k = 0; k < wld_checks_count; k++)
                if (strcmp(wld_checks[k]->id, *d) == 0 &&
                    (!wld_checks[i]->reads || wld_checks[i]->reads(opts, *d)))
                    gather[k] = true;
    *reported = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < wld_checks_count; i++) {
            if (pass == 0 ? !want[i] : (want[i] || !gather[i]))
                continue;
            jobs[n++].check = wld_checks[i];
            *reported += pass == 0;
        }
    free(want);
    free(gather);
    return n;
}

/* The index of result i's direct cause: the first link of its outcome's "follows" (rules)
 * naming another result of this report that ended in one of the link's outcomes with a
 * problem of its own; -1 when there is none. */
static long direct_cause(const struct wld_report *rep, size_t i)
{
    const struct wld_result *res = &rep->results[i];
    const cJSON *o = wld_rules_outcome(rep->rules, res->check->id, res->outcome), *link, *k;
    if (!wld_status_is_problem(res->status))
        return -1;
    cJSON_ArrayForEach(link, cJSON_GetObjectItemCaseSensitive(o, "follows"))
    {
        const char *id = wld_fact_str(link, "check");
        for (size_t c = 0; id && c < rep->n; c++) {
            const struct wld_result *cause = &rep->results[c];
            if (c == i || strcmp(cause->check->id, id) != 0 ||
                !wld_status_is_problem(cause->status))
                continue;
            cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(link, "outcomes"))
            {
                if (cJSON_IsString(k) && strcmp(k->valuestring, cause->outcome) == 0)
                    return (long) c;
            }
        }
    }
    return -1;
}

/* One cause, one failure: a result whose problem follows from another's finding is
 * skipped, naming the root of its chain (A follows B follows C: A's cause is C) and
 * keeping what it would have been; its fix gives way to the cause's. In a cycle the
 * check earliest in report order stays a cause, whichever result the walk starts from. */
static void link_causes(struct wld_report *rep)
{
    size_t n = rep->n;
    long *cause = wld_xcalloc(n ? n : 1, sizeof(*cause));
    size_t *walk = wld_xcalloc(n ? n : 1, sizeof(*walk));
    unsigned char *state = wld_xcalloc(n ? n : 1, 1); /* 0 new, 1 on this walk, 2 done */
    for (size_t i = 0; i < n; i++)
        cause[i] = direct_cause(rep, i);
    for (size_t i = 0; i < n; i++) {
        size_t k = i, len = 0;
        while (state[k] == 0 && cause[k] >= 0) {
            state[k] = 1;
            walk[len++] = k;
            k = (size_t) cause[k];
        }
        if (state[k] == 1) { /* back on this walk: k is on a cycle */
            size_t first = k;
            for (size_t m = (size_t) cause[k]; m != k; m = (size_t) cause[m])
                first = m < first ? m : first;
            cause[first] = -1;
        }
        while (len > 0)
            state[walk[--len]] = 2;
    }
    for (size_t i = 0; i < n; i++) {
        struct wld_result *res = &rep->results[i];
        res->own_status = res->status;
    }
    for (size_t i = 0; i < n; i++) {
        struct wld_result *res = &rep->results[i];
        if (cause[i] < 0)
            continue;
        size_t root = (size_t) cause[i];
        while (cause[root] >= 0)
            root = (size_t) cause[root];
        res->cause = rep->results[root].check;
        res->cause_outcome = wld_xstrdup(rep->results[root].outcome);
        res->status = WLD_SKIP;
        free(res->fix);
        res->fix = NULL;
        rep->followers++;
    }
    free(state);
    free(walk);
    free(cause);
}

/* Evaluates the first `reported` jobs into the report, links the results that follow
 * another's finding to it, counts the statuses, and hands the report over (the jobs are
 * freed). */
static void finish(struct wld_report *rep,
                   struct job *jobs,
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
    link_causes(rep);
    for (size_t i = 0; i < reported; i++)
        rep->counts[rep->results[i].status]++;
    for (size_t i = 0; i < reported; i++)
        free(jobs[i].missing);
    free(jobs);
    rep->total_ms = wld_now_ms() - t0;
    *ret = rep;
}

int wld_pipeline_run(const struct wld_host *h,
                     const struct wld_rules *rules,
                     const struct wld_options *opts,
                     struct wld_report **ret)
{
    double t0 = wld_now_ms();
    struct job *jobs;
    struct wld_report *rep = report_new(rules, &jobs);
    size_t reported, n = select_jobs(opts, jobs, &reported);
    rep->root = h->fixture ? h->root : NULL;
    rep->live = !h->fixture;
    struct wld_inventory *inv = wld_inventory_new(h, opts);
    /* the walk of the home for Python environments waits on nothing: it starts now, beside
     * the llama.cpp build's inventory that the per-runtime checks ask for first */
    for (size_t i = 0; i < n && !opts->models_only; i++)
        if (jobs[i].check->per_runtime) {
            wld_inventory_prefetch(inv, WLD_INV_PYENVS);
            break;
        }
    struct progress prog = { .done = 0 };
    pthread_mutex_init(&prog.mu, NULL);
    pthread_cond_init(&prog.cond, NULL);
    for (size_t i = 0; i < n; i++) {
        struct job *j = &jobs[i];
        j->ctx = (struct wld_gather_ctx){
            .host = h, .opts = opts, .timeout_ms = opts->timeout_s * 1000.0, .inv = inv
        };
        j->facts = cJSON_AddObjectToObject(rep->facts, j->check->id);
        j->progress = &prog;
        j->started = pthread_create(&j->thread, NULL, gather_main, j) == 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!jobs[i].started)
            gather_main(&jobs[i]); /* no thread to be had: gather inline */
    wait_gathers(&prog, jobs, n, opts->progress);
    for (size_t i = 0; i < n; i++)
        if (jobs[i].started)
            pthread_join(jobs[i].thread, NULL);
    pthread_cond_destroy(&prog.cond);
    pthread_mutex_destroy(&prog.mu);
    wld_inventory_free(inv);
    wld_proc_sweep();                   /* nothing a probe started outlives the gathering */
    wld_secrets_scrub_json(rep->facts); /* in every format, asked to redact or not */
    fix_utf8(rep->facts);
    finish(rep, jobs, reported, t0, ret);
    return 0;
}

/* What evaluate() of c cannot do without and facts lack: a check it reads (with these
 * options) that the saved report does not hold, or a fact of its own that the gather of
 * this version always writes (an older report's). NULL when nothing is missing; caller
 * frees. */
static char *
missing_facts(const struct wld_check *c, const cJSON *facts, const struct wld_options *o)
{
    struct wld_buf b;
    const cJSON *mine = cJSON_GetObjectItemCaseSensitive(facts, c->id);
    wld_buf_init(&b, 4096);
    if (c->gather && !cJSON_IsObject(mine))
        wld_buf_printf(&b, "the facts of %s", c->id);
    for (const char *const *k = c->facts; cJSON_IsObject(mine) && k && *k; k++)
        if (!cJSON_GetObjectItemCaseSensitive(mine, *k))
            wld_buf_printf(&b, "%s%s.%s", b.len ? ", " : "", c->id, *k);
    for (const char *const *d = c->needs; d && *d; d++)
        if ((!c->reads || c->reads(o, *d)) &&
            !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(facts, *d)))
            wld_buf_printf(&b, "%sthe facts of %s", b.len ? ", " : "", *d);
    if (!b.len) {
        wld_buf_release(&b);
        return NULL;
    }
    return wld_buf_detach(&b);
}

int wld_pipeline_judge(const cJSON *facts,
                       const cJSON *reported,
                       const struct wld_rules *rules,
                       const struct wld_options *opts,
                       struct wld_report **ret)
{
    size_t n = 0;
    double t0 = wld_now_ms();
    struct job *jobs;
    struct wld_report *rep = report_new(rules, &jobs);
    cJSON_Delete(rep->facts);
    rep->facts = cJSON_Duplicate(facts, true);
    wld_secrets_scrub_json(rep->facts);
    fix_utf8(rep->facts);
    /* the checks the saved report judged (or --only names), in registry order */
    for (size_t i = 0; i < wld_checks_count; i++) {
        const struct wld_check *c = wld_checks[i];
        bool judged = false;
        const cJSON *id;
        cJSON_ArrayForEach(id, reported)
        {
            judged |= cJSON_IsString(id) && strcmp(id->valuestring, c->id) == 0;
        }
        if ((opts->only ? !in_list(opts->only, c->id) : !judged) || in_list(opts->skip, c->id))
            continue;
        struct job *j = &jobs[n++];
        j->check = c;
        j->facts = cJSON_GetObjectItemCaseSensitive(rep->facts, c->id);
        if (!j->facts)
            j->facts = cJSON_AddObjectToObject(rep->facts, c->id);
        j->missing = missing_facts(c, facts, opts);
    }
    finish(rep, jobs, n, t0, ret);
    return 0;
}

void wld_report_free(struct wld_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->results[i].outcome);
        free(r->results[i].summary);
        free(r->results[i].fix);
        free(r->results[i].cause_outcome);
        cJSON_Delete(r->results[i].evidence);
        cJSON_Delete(r->results[i].derived);
        cJSON_Delete(r->results[i].sources);
        cJSON_Delete(r->results[i].runtimes);
    }
    free(r->results);
    cJSON_Delete(r->facts);
    cJSON_Delete(r->redacted);
    free(r->redacted_text);
    free(r);
}
