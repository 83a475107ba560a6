/* Shared by src/inventory/ollama.c (where ollama is and what it ships) and
 * src/inventory/ollama_env.c (the environment its service runs with). Not a public interface. */
#ifndef WLD_OLLAMA_IMPL_H
#define WLD_OLLAMA_IMPL_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* Fills env ({NAME: {value, from}}) with the variables ollama reads that decide where and
 * how a model runs (never another: the rest may hold keys), in the order systemd applies
 * them: unit's (wld/services.h) Environment= in the unit file and its drop-ins, then its
 * EnvironmentFile= files (each file's path, optional and error go to rt.env_files), then
 * the running server's /proc/PID/environ, which is what it really runs with when it can
 * be read. unit and server may be NULL. */
void wld_ollama_read_env(
        const struct wld_host *h, const cJSON *unit, const cJSON *server, cJSON *env, cJSON *rt);

#endif
