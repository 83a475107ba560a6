/* A build tree's CMakeCache.txt and CMakeFiles/<v>/CMakeCUDACompiler.cmake: any bytes. */
#include <stddef.h>
#include <stdint.h>

#include "wld/parse.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "CMAKE_CUDA_COMPILER_VERSION",
                                         "CMAKE_CUDA_ARCHITECTURES_NATIVE", "GGML_CUDA", "X" };
    char *text = wld_xstrndup((const char *) data, size);
    char out[64];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        wld_cmake_cache_get(text, names[i], out, sizeof(out));
        wld_cmake_set_get(text, names[i], out, sizeof(out));
    }
    free(text);
    return 0;
}
