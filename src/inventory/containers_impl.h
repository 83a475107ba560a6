/* Shared by src/inventory/containers.c (the engines, the toolkit, the CDI specs),
 * src/inventory/containers_api.c (the engine's API on its socket). Not a public interface. */
#ifndef WLD_CONTAINERS_IMPL_H
#define WLD_CONTAINERS_IMPL_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* out.api (wld/containers.h) from the first docker socket of out.sockets: GET /info, the
 * running containers and each one's inspect (16 at most), within timeout_ms in all;
 * nothing when no docker socket was found. */
void wld_containers_api(const struct wld_host *h, double timeout_ms, cJSON *out);

#endif
