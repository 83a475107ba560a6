/* One cause, one failure (docs/architecture.md): after judging, each result's outcome's
 * "follows" links (rules data, validated by the loader) are resolved against the other
 * results of the same report; a result whose problem follows from another's finding
 * becomes a follower of the root of its chain, so the counts and the exit code count
 * causes, not their consequences. */
#include <stdlib.h>
#include <string.h>

#include "wld/pipeline.h"
#include "wld/util.h"

#include "pipeline_impl.h"

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
void wld_pipeline_link_causes(struct wld_report *rep)
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
