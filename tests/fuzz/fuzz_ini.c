/* .wslconfig / wsl.conf parser on arbitrary bytes (any encoding, any length). */
#include <stddef.h>
#include <stdint.h>

#include "wld/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wld_ini *ini = NULL;
    if (wld_ini_parse((const char *) data, size, &ini) == 0)
        wld_ini_free(ini);
    return 0;
}
