/* Shared by checks/container_gpu.c (the check: the engines, the toolkit, CDI, the running
 * containers) and checks/container_gpu_compose.c (the compose files). Not a public
 * interface. */
#ifndef WLD_CONTAINER_GPU_IMPL_H
#define WLD_CONTAINER_GPU_IMPL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "wld/check.h"

/* Whether an image (its environment env, its name image) needs a CUDA newer than the
 * driver's drv ("12.9"); the CUDA it needs, "12.8", into cuda (n bytes) when known. */
bool wld_container_gpu_needs_newer_cuda(
        const cJSON *env, const char *image, const char *drv, char *cuda, size_t n);

/* The compose files' worst problem as f's outcome and variables; false (f untouched) when
 * there is none. Sets *unreadable, when still NULL, to a file that could not be read. */
bool wld_container_gpu_compose_problem(const struct wld_eval_ctx *ctx,
                                       struct wld_finding *f,
                                       const cJSON **unreadable);

/* A compose file that could not be read (file, or NULL: false) as f's outcome. */
bool wld_container_gpu_compose_broken(const cJSON *file, struct wld_finding *f);

#endif
