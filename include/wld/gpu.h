/* What the GPU checks found, merged for the checks that judge against it (pure: reads
 * facts only). Each value says where it came from, because the sources disagree in
 * telling ways: nvidia-smi, libcuda/NVML in the probe helper, /proc/driver/nvidia. */
#ifndef WLD_GPU_H
#define WLD_GPU_H

#include <cjson/cJSON.h>
#include <stdbool.h>

struct wld_gpu_driver {
    const char *driver;        /* "566.36", or NULL; borrowed from the facts */
    const char *driver_source; /* "nvidia-smi", "libnvidia-ml", "/proc/driver/nvidia/version" */
    const char *cuda;          /* highest CUDA the driver supports, "12.7", or NULL */
    const char *cuda_source;   /* "libcuda (cuDriverGetVersion)", "nvidia-smi" */
};

/* Fills ret from facts["gpu.cuda"] and facts["gpu.driver"] (either may be absent).
 * The CUDA version prefers libcuda's own answer; the driver version prefers nvidia-smi. */
void wld_gpu_driver_of(const cJSON *facts, struct wld_gpu_driver *ret);

/* true when CUDA version a ("12.8", "12.8.93", or a bare major "13") is newer than b
 * ("12.6"): by major, then minor when a gives one. false when either is unparsable. */
bool wld_cuda_newer(const char *a, const char *b);

/* How many of the PCI adapters (gpu.pci's facts.adapters) match id, a rules value
 * {"vendor_id": "10de", "device_id"?: "008e"}; 0 when id is not such an object. */
int wld_pci_count(const cJSON *adapters, const cJSON *id);
/* Whether adapter a matches id (as wld_pci_count). */
bool wld_pci_is(const cJSON *a, const cJSON *id);

#endif
