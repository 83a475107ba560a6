/* The kernel log's OOM kill lines, on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/parse.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wld_xstrndup((const char *) data, size);
    struct wld_oom_kill *kills = NULL;
    size_t n = 0;
    (void) wld_oom_kills_parse(text, &kills, &n);
    free(kills);
    free(text);
    return 0;
}
