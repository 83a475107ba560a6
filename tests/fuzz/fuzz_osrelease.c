/* os-release lookup and the other line parsers (nvcc, version.json, ldd). */
#include <stddef.h>
#include <stdint.h>

#include "wld/parse.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wld_xstrndup((const char *) data, size);
    char out[128];
    struct wld_ldd_lib *libs = NULL;
    size_t n = 0;
    (void) wld_osrelease_get(text, "PRETTY_NAME", out, sizeof(out));
    (void) wld_nvcc_version_parse(text, out, sizeof(out));
    (void) wld_cuda_version_file_parse(text, out, sizeof(out));
    if (wld_ldd_parse(text, &libs, &n) == 0)
        wld_ldd_free(libs, n);
    free(text);
    return 0;
}
