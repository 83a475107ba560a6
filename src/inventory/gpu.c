/* Merging the GPU facts (see wld/gpu.h). */
#include "wld/gpu.h"

#include <string.h>

#include "wld/check.h"
#include "wld/version.h"

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
    struct wld_version va, vb;
    if (!a || !b || wld_version_parse(a, &va, NULL) < 0 || wld_version_parse(b, &vb, NULL) < 0)
        return false;
    /* by major.minor only: a patch release (12.6.77) is not newer than its minor (12.6), and
     * a bare major (13, from a SONAME) says nothing about minors */
    va.n = va.n < 2 ? va.n : 2;
    vb.n = va.n < 2 ? 1 : vb.n < 2 ? vb.n : 2;
    return wld_version_cmp(&va, &vb) > 0;
}

bool wld_pci_is(const cJSON *a, const cJSON *id)
{
    const char *vendor = wld_fact_str(id, "vendor_id"), *device = wld_fact_str(id, "device_id");
    const char *v = wld_fact_str(a, "vendor_id"), *d = wld_fact_str(a, "device_id");
    return vendor && v && strcmp(v, vendor) == 0 && (!device || (d && strcmp(d, device) == 0));
}

int wld_pci_count(const cJSON *adapters, const cJSON *id)
{
    int n = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, adapters)
    {
        n += wld_pci_is(a, id);
    }
    return n;
}
