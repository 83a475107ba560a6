/* The pipeline's scheduling (see wld/pipeline.h): selects the checks (--only, --skip, and
 * the checks whose facts a selected check's evaluate() reads), starts every gather on its
 * own thread and waits for them all (naming the slowest command on a terminal after half
 * a second), makes the facts safe to show, and hands the jobs to the judging
 * (src/pipeline/pipeline_judge.c); wld_pipeline_judge is the same judging over a saved
 * report's facts, no host touched. */
#include "wld/pipeline.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wld/inventory.h"
#include "wld/proc.h"
#include "wld/secrets.h"
#include "wld/trace.h"
#include "wld/util.h"

#include "pipeline_impl.h"
#include "pipeline_runtimes.h"

static bool in_list(char *const *list, const char *id)
{
    for (; list && *list; list++)
        if (strcmp(*list, id) == 0)
            return true;
    return false;
}

/* Finished gathers, for the live note. */
struct wld_progress {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    size_t done;
};

static void *gather_main(void *arg)
{
    struct wld_job *j = arg;
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
static void wait_gathers(struct wld_progress *p, struct wld_job *jobs, size_t n, bool note)
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

/* A report begun now, and room for a job per check. */
static struct wld_report *report_new(const struct wld_rules *rules, struct wld_job **jobs)
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
static size_t select_jobs(const struct wld_options *opts, struct wld_job *jobs, size_t *reported)
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

int wld_pipeline_run(const struct wld_host *h,
                     const struct wld_rules *rules,
                     const struct wld_options *opts,
                     struct wld_report **ret)
{
    double t0 = wld_now_ms();
    struct wld_job *jobs;
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
    struct wld_progress prog = { .done = 0 };
    pthread_mutex_init(&prog.mu, NULL);
    pthread_cond_init(&prog.cond, NULL);
    for (size_t i = 0; i < n; i++) {
        struct wld_job *j = &jobs[i];
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
    wld_pipeline_fix_utf8(rep->facts);
    wld_pipeline_finish(rep, jobs, reported, t0, ret);
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
    struct wld_job *jobs;
    struct wld_report *rep = report_new(rules, &jobs);
    cJSON_Delete(rep->facts);
    rep->facts = cJSON_Duplicate(facts, true);
    wld_secrets_scrub_json(rep->facts);
    wld_pipeline_fix_utf8(rep->facts);
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
        struct wld_job *j = &jobs[n++];
        j->check = c;
        j->facts = cJSON_GetObjectItemCaseSensitive(rep->facts, c->id);
        if (!j->facts)
            j->facts = cJSON_AddObjectToObject(rep->facts, c->id);
        j->missing = missing_facts(c, facts, opts);
    }
    wld_pipeline_finish(rep, jobs, n, t0, ret);
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
