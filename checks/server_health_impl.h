/* Shared by checks/server_health.c (the check: its gather, evaluate and options) and
 * checks/server_health_ask.c (the servers to ask and their answers). Not a public
 * interface. */
#ifndef WLD_SERVER_HEALTH_IMPL_H
#define WLD_SERVER_HEALTH_IMPL_H

#include <cjson/cJSON.h>

#include "wld/check.h"

/* Appends to servers the llama-server and ollama processes running here (WLD_INV_SERVERS),
 * each with "from" (which process, what started it), and sets facts' "ignored" (the
 * processes left out, and why). */
void wld_server_health_add_running(const struct wld_gather_ctx *ctx, cJSON *servers, cJSON *facts);

/* Asks every server of servers that has a "url" (each one's own deadline: ctx->timeout_ms)
 * and adds each exchange to it as a fact: "health", "props", "models", "slots", "metrics"
 * (llama-server), "version", "ps" (ollama), "windows" (curl.exe through interop); sets
 * "kind" when the answers say it. Decides nothing. */
void wld_server_health_ask(const struct wld_gather_ctx *ctx, cJSON *servers);

#endif
