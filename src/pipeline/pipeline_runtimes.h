/* A per-runtime check's gather (src/pipeline/pipeline_runtimes.c), for src/pipeline/pipeline.c. Not
 * a public interface. */
#ifndef WLD_PIPELINE_RUNTIMES_H
#define WLD_PIPELINE_RUNTIMES_H

#include <cjson/cJSON.h>

#include "wld/check.h"

/* Gathers check c once for each runtime the user asked about (ctx->opts->runtimes, default
 * every runtime found) into facts.runtimes, [{for_runtime, ...the check's facts}] in the
 * inventory's order; facts.runtime_not_found when --runtime named none of those found; or
 * once with no runtime, the facts flat, when none was found. Returns the worst gather's rc
 * (a negative errno), else 0. */
int wld_gather_runtimes(const struct wld_check *c, const struct wld_gather_ctx *ctx, cJSON *facts);

#endif
