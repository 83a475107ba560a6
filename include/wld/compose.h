/* A compose file (compose.yaml, docker-compose.yml) read from its text: each service's
 * image, the GPU it asks for and how, the CUDA variables it sets, its bind mounts, and the
 * problems with these that Compose or the NVIDIA Container Toolkit documents. Pure: no
 * host, no rules; container.gpu and `lint` both judge a compose file by it, so a problem
 * is found in one place (here) and worded by the outcome its key names in
 * rules/container.json. */
#ifndef WLD_COMPOSE_H
#define WLD_COMPOSE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* Services read, at most; a file with more is read up to there. */
#define WLD_COMPOSE_SERVICES_MAX 256

/* text (len bytes, need not be NUL-terminated) as
 *   {"services": [{
 *     "name", "line" (of its key, from 1),
 *     "image" (absent when it is built only), "build" (the build context, or "." when
 *         build: is a mapping without one; absent without build:),
 *     "gpu": {"by": "deploy" | "gpus" | "runtime" | "cdi" | "env", "line",
 *             "count": "all" or a number as written (deploy and gpus: "all" when neither
 *                 count nor device_ids is set, as Compose reads it),
 *             "device_ids": [...], "capabilities": [...], "driver"}
 *         (absent when the service asks for no GPU; the first way found, in that order),
 *     "runtime" (when set),
 *     "env": {NVIDIA_VISIBLE_DEVICES, CUDA_VISIBLE_DEVICES, CUDA_VERSION,
 *             NVIDIA_REQUIRE_CUDA, NVIDIA_DRIVER_CAPABILITIES: values as written, only
 *             those set; `- K=V` list and K: V map alike},
 *     "binds": [{"source", "target", "line"}] (short src:dst[:mode] and long type: bind;
 *         named volumes are not binds),
 *     "problems": [{"outcome" (a container.gpu key in rules/container.json), "line",
 *         "container" (the service), "image" (or "build: CONTEXT"), and the outcome's
 *         own variables}]}]}
 * The problems: compose_no_capabilities (a device reservation without capabilities),
 * compose_count_and_device_ids (both set), and in a service that asks for the GPU:
 * gpu_hidden (NVIDIA_VISIBLE_DEVICES void or none; visible), compose_cuda_hidden
 * (CUDA_VISIBLE_DEVICES empty or -1; visible), models_on_9p (a bind from a Windows drive;
 * source, destination), compose_env_only (NVIDIA_VISIBLE_DEVICES alone asks for it;
 * visible).
 * Returns 0 and *ret (caller deletes), or -EINVAL with *err (caller frees): the YAML's
 * error ("line N: ..."), or "no services: mapping" for YAML that is no compose file;
 * -E2BIG past wld/yaml.h's bounds. */
int wld_compose_read(const char *text, size_t len, cJSON **ret, char **err);

/* Whether NVIDIA_VISIBLE_DEVICES=value gives a container no GPU although it asks for one
 * ("void", "none"): the toolkit then mounts none. */
bool wld_compose_visible_hides(const char *value);

/* Whether CUDA_VISIBLE_DEVICES=value leaves CUDA no device: an empty list, or -1 (an
 * invalid index ends the list before any GPU). */
bool wld_compose_cuda_hides(const char *value);

/* Whether a bind's source is on a Windows drive: /mnt/c, /mnt/d/... (WSL's drvfs, read
 * over 9p) or a Windows path (C:\..., c:/...). */
bool wld_compose_on_windows(const char *source);

#endif
