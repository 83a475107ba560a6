/* Where the user's model files are: the paths given with --model, LLAMA_ARG_MODEL, and a
 * bounded scan of the places llama.cpp, Hugging Face, ollama and LM Studio keep them.
 * Shared by models.storage and models.fit so both judge the same files. */
#ifndef WLD_MODELS_H
#define WLD_MODELS_H

#include <cjson/cJSON.h>

#include "wld/cli.h"
#include "wld/host.h"

#define WLD_MODELS_MAX 256

/* Appends {path, origin} objects to models (an array), each path once, at most
 * WLD_MODELS_MAX. Split models are listed by their first shard only. */
void wld_models_find(const struct wld_host *h, const struct wld_options *opts, cJSON *models);

#endif
