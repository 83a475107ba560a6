/* The CUDA probe helper's output, as the parent reads it: lines cut short by a crash or a
 * deadline, garbage from a libcuda that writes to stdout, hostile numbers. */
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "wld/cuda_probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *facts = cJSON_CreateObject();
    wld_cuda_probe_parse((const char *) data, size, facts);
    char *s = cJSON_PrintUnformatted(facts);
    cJSON_free(s);
    cJSON_Delete(facts);
    return 0;
}
