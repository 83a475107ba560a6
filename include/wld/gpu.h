/* What the GPU checks found, merged for the checks that judge against it (pure: reads
 * facts only). Each value says where it came from, because the sources disagree in
 * telling ways: nvidia-smi, libcuda/NVML in the probe helper, /proc/driver/nvidia. */
#ifndef WLD_GPU_H
#define WLD_GPU_H

#include <cjson/cJSON.h>

struct wld_gpu_driver {
    const char *driver;        /* "566.36", or NULL; borrowed from the facts */
    const char *driver_source; /* "nvidia-smi", "libnvidia-ml", "/proc/driver/nvidia/version" */
    const char *cuda;          /* highest CUDA the driver supports, "12.7", or NULL */
    const char *cuda_source;   /* "libcuda (cuDriverGetVersion)", "nvidia-smi" */
};

/* Fills ret from facts["gpu.cuda"] and facts["gpu.driver"] (either may be absent).
 * The CUDA version prefers libcuda's own answer; the driver version prefers nvidia-smi. */
void wld_gpu_driver_of(const cJSON *facts, struct wld_gpu_driver *ret);

#endif
