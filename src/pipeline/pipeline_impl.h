/* Between the pipeline's scheduling (src/pipeline/pipeline.c: selecting, gathering, the
 * --facts entry), its judging (src/pipeline/pipeline_judge.c) and the links between its
 * results (src/pipeline/pipeline_causes.c). Not a public interface. */
#ifndef WLD_PIPELINE_IMPL_H
#define WLD_PIPELINE_IMPL_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "wld/check.h"
#include "wld/pipeline.h"

struct wld_progress;

/* One selected check: gathered on its own thread, then judged. */
struct wld_job {
    const struct wld_check *check;
    struct wld_progress *progress;
    bool done;
    struct wld_gather_ctx ctx;
    cJSON *facts; /* the check's own namespace; only this thread touches it */
    int rc;
    char *missing; /* --facts: what the saved report lacks for this check, or NULL */
    double ms;
    bool started;
    pthread_t thread;
};

/* Makes every string of item, its siblings after it and all they hold (names and values)
 * valid UTF-8, invalid bytes shown as U+FFFD. */
void wld_pipeline_fix_utf8(cJSON *item);

/* Judges the first `reported` jobs into rep (whose facts are complete), links the results
 * that follow another's finding, counts the statuses, frees jobs and hands rep to *ret;
 * t0 (wld_now_ms) is when the run began. */
void wld_pipeline_finish(struct wld_report *rep,
                         struct wld_job *jobs,
                         size_t reported,
                         double t0,
                         struct wld_report **ret);

/* Turns each result whose problem follows from another's finding in rep into a follower of
 * the root cause (status skip, own_status kept, fix dropped) and counts rep->followers. */
void wld_pipeline_link_causes(struct wld_report *rep);

#endif
