/* Version strings (kernel releases, driver and CUDA versions) and kernel markers. */
#include <stddef.h>
#include <stdint.h>

#include "wld/platform.h"
#include "wld/util.h"
#include "wld/version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wld_xstrndup((const char *) data, size);
    struct wld_version v;
    char out[64];
    if (wld_version_parse(text, &v, NULL) == 0)
        wld_version_format(&v, out, sizeof(out));
    (void) wld_version_cmp_str(text, "5.10.16.3");
    (void) wld_kernel_marker_of(text);
    free(text);
    return 0;
}
