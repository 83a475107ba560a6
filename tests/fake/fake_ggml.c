/* Fake llama.cpp libraries for fixture hosts (see fake_llama.c). Built several times:
 *   libggml.so        FAKE_GGML                (CPU only, or linked to libggml-cuda.so)
 *   libggml-cuda.so   FAKE_GGML_CUDA           (needs libcudart/libcublas, carries an
 *                                               .nv_fatbin section that stage-hosts.sh
 *                                               fills with the fixture's architectures)
 *   libcudart.so.N, libcublas.so.N  FAKE_CUDA_LIB  (stand-ins of the CUDA runtime; libcudart
 *                                               answers cudaRuntimeGetVersion with
 *                                               FAKE_CUDART_VERSION)
 *   libggml-base.so   FAKE_GGML_BASE
 *   libllama.so       FAKE_LLAMA_LIB           (needs libggml.so and libggml-base.so, as
 *                                               llama-cpp-python's llama_cpp/lib/libllama.so
 *                                               does), with a room for the architecture
 *                                               table (archtab_room.h)
 *   libllama.so       FAKE_LLAMA_LIB, FAKE_LLAMA_NO_BASE  (needs libggml.so only: the
 *                                               libllama.so of a fixture's CMake tree) */
#include <stddef.h>

#if defined(FAKE_LLAMA_LIB)
#    include "archtab_room.h"
ARCHTAB_ROOM_DEFINE();
int ggml_fake_version(void);
int llama_fake_version(void);
#    if defined(FAKE_LLAMA_NO_BASE)
int llama_fake_version(void)
{
    return ggml_fake_version();
}
#    else
int ggml_fake_base(void);
int llama_fake_version(void)
{
    return ggml_fake_version() + ggml_fake_base();
}
#    endif
#elif defined(FAKE_GGML_BASE)
int ggml_fake_base(void);
int ggml_fake_base(void)
{
    return 0;
}
#endif

#if defined(FAKE_GGML)
#    if defined(FAKE_GGML_LINKED)
int ggml_fake_cuda_marker(void);
#    endif
int ggml_fake_version(void);
int ggml_fake_version(void)
{
#    if defined(FAKE_GGML_LINKED)
    return 0 * ggml_fake_cuda_marker();
#    else
    return 0;
#    endif
}
#elif defined(FAKE_GGML_CUDA)
int cudart_fake_marker(void);
int cublas_fake_marker(void);
int ggml_fake_cuda_marker(void);
void *ggml_backend_init(void);
int ggml_backend_score(void);

/* Room for the fixture's fatbinary: FATBIN_ROOM bytes that start with a marker line the
 * patcher looks for (tests/fake/fatbin_patch.c). Section and alignment as nvcc emits. */
#    define FATBIN_ROOM 16384
__attribute__((section(".nv_fatbin"), used, aligned(8)))
const unsigned char fake_fatbin[FATBIN_ROOM] = "WLD-FAKE-FATBIN-ROOM-16384\n";

int ggml_fake_cuda_marker(void)
{
    return 0;
}
#    if defined(FAKE_NEEDS_DRIVER)
int cuda_fake_marker(void);
#        define DRIVER_MARKER() cuda_fake_marker()
#    else
#        define DRIVER_MARKER() 0
#    endif
void *ggml_backend_init(void)
{
    return (void *) (size_t) (cudart_fake_marker() + cublas_fake_marker() + DRIVER_MARKER());
}
int ggml_backend_score(void)
{
    return 1;
}
#elif defined(FAKE_CUDA_LIB)
int FAKE_CUDA_LIB(void);
int FAKE_CUDA_LIB(void)
{
    return 0;
}
#    if defined(FAKE_CUDART_VERSION)
/* The runtime's own answer, as libcudart gives it without a driver (12060 is 12.6). */
int cudaRuntimeGetVersion(int *version);
int cudaRuntimeGetVersion(int *version)
{
    *version = FAKE_CUDART_VERSION;
    return 0;
}
#    endif
#endif
