/* /var/lib/dpkg/status as found on a host: any bytes. */
#include <stddef.h>
#include <stdint.h>

#include "wld/host.h"
#include "wld/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const prefixes[] = { "nvidia", "libnvidia", "cuda-drivers", NULL };
    char *text = wld_xstrndup((const char *) data, size);
    wld_strv_free(wld_dpkg_installed(text, prefixes));
    free(text);
    return 0;
}
