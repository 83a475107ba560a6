/* A compose file as found in a repository: any bytes; the reader takes only the types it
 * expects from each key, stays in the YAML reader's bounds, and frees what it built. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/compose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *j = NULL;
    char *err = NULL;
    (void) wld_compose_read((const char *) data, size, &j, &err);
    cJSON_Delete(j);
    free(err);
    return 0;
}
