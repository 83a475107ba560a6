/* Where the user's model files are: the paths given with --model, LLAMA_ARG_MODEL, and a
 * bounded scan of the places llama.cpp, Hugging Face, ollama and LM Studio keep them.
 * Shared by models.storage and models.fit so both judge the same files. */
#ifndef WLD_MODELS_H
#define WLD_MODELS_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "wld/host.h"
#include "wld/settings.h"

/* Model files checked in one run at most (each one's header is read). */
#define WLD_MODELS_MAX 4096

/* Adds to facts "models", {path, origin} objects (each file once, at most WLD_MODELS_MAX;
 * a split model by its first shard): --model, LLAMA_ARG_MODEL, the models running servers
 * load and the directories a router or ollama serves from (servers: wld_servers_find's
 * facts, or NULL; such a model has runs_with {ctx, by}, the -c its server was given), the
 * models systemd units load (services: wld_services_find's facts, or NULL), the models
 * directories of the ollama runtimes (runtimes: the runtimes inventory's list, or NULL;
 * OLLAMA_MODELS), then the usual directories and ollama's service's. An ollama blob
 * ("blob": true) that an ollama runtime serves has runs_with {by (the runtime's name),
 * ollama {runtime (its id), version?, env {OLLAMA_CONTEXT_LENGTH, OLLAMA_NUM_PARALLEL,
 * OLLAMA_KV_CACHE_TYPE, OLLAMA_FLASH_ATTENTION: {value, from}, those set}}}. And "scan":
 * the directories and entries the walk read and, when a budget stopped it, "cut" (why)
 * and "cut_at" (where). */
void wld_models_find(const struct wld_host *h,
                     const struct wld_options *opts,
                     const cJSON *servers,
                     const cJSON *services,
                     const cJSON *runtimes,
                     cJSON *facts);

struct wld_finding;
/* For evaluate(): whether the scan in a check's facts was cut short; when it was, sets the
 * variables scan_why and scan_at for the outcome "scan_cut". */
bool wld_models_scan_cut(const cJSON *facts, struct wld_finding *f);

#endif
