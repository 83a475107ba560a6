/* What `llama-server --list-devices` printed, a CMakeCache.txt and a build-info.cpp: all
 * come from the user's machine and may be anything. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char value[256];
    struct wld_llama_devices d;
    struct wld_llama_version v;
    memcpy(text, data, size);
    text[size] = '\0';
    wld_llama_devices_parse(text, &d);
    (void) wld_llama_build_info_parse(text, &v);
    (void) wld_cmake_cache_get(text, "CMAKE_CUDA_ARCHITECTURES", value, sizeof(value));
    free(text);
    return 0;
}
