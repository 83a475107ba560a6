/* nvidia-smi table and CSV on arbitrary text (its failure messages are judged from rules
 * data by gpu.driver, fuzzed through fuzz_facts). */
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
    free(text);
    return 0;
}
