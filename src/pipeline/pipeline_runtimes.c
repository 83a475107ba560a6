/* A per-runtime check's gather (see pipeline_runtimes.h).
 *
 * Each runtime source of the inventory (the llama.cpp build, ollama, the Python
 * environments) is taken as soon as it is gathered, so a llama.cpp build's probe runs while
 * the home is still walked for venvs. The runtimes' gathers run on a few workers: those that
 * start a probe (a CUDA backend loaded for each) wait for it side by side, and ten venvs
 * whose gathers only read what the inventory found cost ten calls, not ten threads. */
#include "pipeline_runtimes.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "wld/inventory.h"
#include "wld/proc.h"
#include "wld/runtimes.h"
#include "wld/trace.h"
#include "wld/util.h"

/* workers beside the check's own thread */
#define MAX_WORKERS 3

/* One runtime's gather. */
struct one {
    struct wld_gather_ctx ctx;
    cJSON *facts;
    int rc;
};

struct pool {
    const struct wld_check *check;
    pthread_mutex_t mu;
    pthread_cond_t more;
    struct one **items; /* each its own allocation: a worker holds one while the list grows */
    size_t n, next;
    bool fetched; /* every source is in items */
    size_t waiting;
    pthread_t workers[MAX_WORKERS];
    size_t n_workers;
};

static void gather_one(const struct wld_check *c, struct one *o)
{
    double t0 = wld_now_ms();
    o->rc = c->gather ? c->gather(&o->ctx, o->facts) : 0;
    if (wld_trace_on()) {
        char name[256];
        const char *id = wld_fact_str(o->ctx.runtime, "id");
        snprintf(name, sizeof(name), "gather %s %s", c->id, id ? id : "");
        wld_trace_span(name, t0, wld_now_ms());
    }
}

/* Gathers the runtimes not yet taken until every source is in and none is left. */
static void *work(void *arg)
{
    struct pool *p = arg;
    wld_proc_set_owner(p->check->id);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->next < p->n) {
            struct one *o = p->items[p->next++];
            pthread_mutex_unlock(&p->mu);
            gather_one(p->check, o);
            pthread_mutex_lock(&p->mu);
        } else if (!p->fetched) {
            p->waiting++;
            pthread_cond_wait(&p->more, &p->mu);
            p->waiting--;
        } else {
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
    wld_proc_set_owner(NULL);
    return NULL;
}

/* Adds a source's runtimes; a worker more for each that no waiting one will take. */
static void add_source(struct pool *p, const struct wld_gather_ctx *ctx, const cJSON *list)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, list)
    {
        if (!wld_runtime_selected(r, ctx->opts ? ctx->opts->runtimes : NULL))
            continue;
        struct one *o = wld_xcalloc(1, sizeof(*o));
        o->ctx = *ctx;
        o->ctx.runtime = r;
        o->facts = cJSON_CreateObject();
        cJSON_AddItemToObject(o->facts, "for_runtime", wld_runtime_label(r));
        pthread_mutex_lock(&p->mu);
        p->items = wld_xrealloc(p->items, (p->n + 1) * sizeof(*p->items));
        p->items[p->n++] = o;
        if (p->waiting > 0)
            pthread_cond_signal(&p->more);
        else if (p->n_workers < MAX_WORKERS &&
                 pthread_create(&p->workers[p->n_workers], NULL, work, p) == 0)
            p->n_workers++;
        pthread_mutex_unlock(&p->mu);
    }
}

/* facts.runtime_not_found: --runtime named none of the runtimes found. */
static void not_found(struct wld_inventory *inv, const struct wld_options *o, cJSON *facts)
{
    cJSON *nf = cJSON_AddObjectToObject(facts, "runtime_not_found");
    cJSON *asked = cJSON_AddArrayToObject(nf, "asked"),
          *found = cJSON_AddArrayToObject(nf, "found");
    for (char *const *w = o->runtimes; *w; w++)
        cJSON_AddItemToArray(asked, cJSON_CreateString(*w));
    for (size_t s = 0; s < WLD_INV_RUNTIME_SOURCES; s++) {
        const cJSON *r;
        cJSON_ArrayForEach(r, wld_inventory_runtime_source(inv, s))
        {
            cJSON_AddItemToArray(found, cJSON_CreateString(wld_fact_str(r, "id")));
        }
    }
}

int wld_gather_runtimes(const struct wld_check *c, const struct wld_gather_ctx *ctx, cJSON *facts)
{
    struct pool p = { .check = c };
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.more, NULL);
    for (size_t s = 0; s < WLD_INV_RUNTIME_SOURCES; s++)
        add_source(&p, ctx, wld_inventory_runtime_source(ctx->inv, s));
    pthread_mutex_lock(&p.mu);
    p.fetched = true;
    pthread_cond_broadcast(&p.more);
    pthread_mutex_unlock(&p.mu);
    work(&p); /* what the workers have not taken (all of it when none could start) */
    wld_proc_set_owner(c->id);
    for (size_t i = 0; i < p.n_workers; i++)
        pthread_join(p.workers[i], NULL);
    int rc = 0;
    cJSON *list = p.n ? cJSON_AddArrayToObject(facts, "runtimes") : NULL;
    for (size_t i = 0; i < p.n; i++) {
        cJSON_AddItemToArray(list, p.items[i]->facts);
        rc = rc < 0 ? rc : p.items[i]->rc;
        free(p.items[i]);
    }
    free(p.items);
    pthread_cond_destroy(&p.more);
    pthread_mutex_destroy(&p.mu);
    if (!list && ctx->opts && ctx->opts->runtimes) {
        /* never judge another runtime in the place of the one asked about */
        not_found(ctx->inv, ctx->opts, facts);
        return 0;
    }
    if (!list && c->gather)
        rc = c->gather(ctx, facts);
    return rc;
}
