/* A CDI spec or compose file as found on a host: any bytes; the converter stays in its
 * depth and node bounds and frees what it built on every error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = NULL;
    char *err = NULL;
    (void) wld_yaml_parse((const char *) data, size, &j, &err);
    cJSON_Delete(j);
    free(err);
    return 0;
}
