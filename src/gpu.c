/* Merging the GPU facts (see wld/gpu.h). */
#include "wld/gpu.h"

#include <stdio.h>
#include <string.h>

#include "wld/check.h"

void wld_gpu_driver_of(const cJSON *facts, struct wld_gpu_driver *ret)
{
    const cJSON *smi = cJSON_GetObjectItemCaseSensitive(facts, "gpu.driver");
    const cJSON *cuda = cJSON_GetObjectItemCaseSensitive(facts, "gpu.cuda");
    const cJSON *nvml = cJSON_GetObjectItemCaseSensitive(cuda, "nvml");
    memset(ret, 0, sizeof(*ret));
    ret->driver = wld_fact_str(smi, "driver_version");
    ret->driver_source = wld_fact_str(smi, "source");
    if (!ret->driver && wld_fact_str(nvml, "driver_version")) {
        ret->driver = wld_fact_str(nvml, "driver_version");
        ret->driver_source = "libnvidia-ml (nvmlSystemGetDriverVersion)";
    }
    ret->cuda = wld_fact_str(cuda, "driver_cuda_version");
    ret->cuda_source = "libcuda (cuDriverGetVersion)";
    if (!ret->cuda) {
        ret->cuda = wld_fact_str(smi, "cuda_version");
        ret->cuda_source = ret->cuda ? "nvidia-smi" : NULL;
    }
}

bool wld_cuda_newer(const char *a, const char *b)
{
    unsigned am = 0, an = 0, bm = 0, bn = 0;
    int na = a ? sscanf(a, "%u.%u", &am, &an) : 0;
    if (na < 1 || !b || sscanf(b, "%u.%u", &bm, &bn) < 1)
        return false;
    return am > bm || (na == 2 && am == bm && an > bn);
}
