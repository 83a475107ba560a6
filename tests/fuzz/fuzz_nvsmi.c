/* nvidia-smi table, CSV and error classification on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "wld/parse.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wld_xstrndup((const char *) data, size);
    struct wld_nvsmi s;
    (void) wld_nvsmi_parse_table(text, &s);
    (void) wld_nvsmi_parse_csv(text, &s);
    (void) wld_nvsmi_classify_error(text);
    free(text);
    return 0;
}
