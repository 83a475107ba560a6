/* mountinfo / mounts parser and the path-to-mount lookup on arbitrary text. */
#include <stddef.h>
#include <stdint.h>

#include "wld/parse.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wld_xstrndup((const char *) data, size);
    struct wld_mount *m = NULL;
    size_t n = 0;
    if (wld_mounts_parse(text, &m, &n) == 0) {
        (void) wld_mount_for_path(m, n, "/mnt/c/Users/a/model.gguf");
        wld_mounts_free(m, n);
    }
    free(text);
    return 0;
}
