/* The CUDA toolkit as a host fact, shared by cuda.toolkit and gpu.driver (WLD_INV_TOOLKIT). */
#ifndef WLD_TOOLKIT_H
#define WLD_TOOLKIT_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* Into facts: cuda_home (CUDA_HOME, else CUDA_PATH) with cuda_home_exists,
 * cuda_home_resolved and cuda_home_version; usr_local_cuda (where /usr/local/cuda leads);
 * toolkits [{path, version?}] under /usr/local; path_nvcc [{path}] in PATH order; nvcc,
 * nvcc_run and nvcc_version from `nvcc --version` under timeout_ms; version and
 * version_from: the toolkit in use (nvcc on PATH, else CUDA_HOME's, else
 * /usr/local/cuda's). */
void wld_toolkit_gather(const struct wld_host *h, double timeout_ms, cJSON *facts);

#endif
