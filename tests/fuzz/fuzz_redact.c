/* The redactor on arbitrary bytes: learning from them (paths, UUIDs, serials in any
 * shape), then redacting them, never changes their length and leaves no learned value. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wld/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wld_redactor *r = wld_redactor_new();
    wld_redactor_learn_text(r, (const char *) data, size);
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    wld_redact_bytes(r, copy, size);
    if (copy[size] != '\0')
        abort();
    char *sum = wld_redactor_summary(r);
    free(sum);
    free(copy);
    wld_redactor_free(r);
    return 0;
}
