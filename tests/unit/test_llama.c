/* llama.cpp's own words: the --list-devices and startup-log formats of every version
 * since 2024 (../shared/reference/facts.md 9.5, 9.6), the users' logs in the corpus
 * sample, and CMakeCache.txt entries. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/llama.h"
#include "wld/parse.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void listing_2026(void **state)
{
    (void) state;
    struct wld_llama_devices d;
    wld_llama_devices_parse("ggml_cuda_init: found 2 CUDA devices (Total VRAM: 36852 MiB):\n"
                            "  Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: "
                            "yes, VRAM: 24564 MiB\n"
                            "  Device 1: NVIDIA GeForce RTX 3060, compute capability 8.6, VMM: no, "
                            "VRAM: 12288 MiB\n"
                            "Available devices:\n"
                            "  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 22852 MiB free)\n"
                            "  CUDA1: NVIDIA GeForce RTX 3060 (12288 MiB, 11801 MiB free)\n"
                            "  Vulkan0: NVIDIA GeForce RTX 4090 (24564 MiB, 23000 MiB free)\n",
                            &d);
    assert_true(d.listing);
    assert_int_equal(d.n_dev, 3);
    assert_string_equal(d.dev[1].name, "CUDA1");
    assert_string_equal(d.dev[1].desc, "NVIDIA GeForce RTX 3060");
    assert_true(d.dev[1].total_mib == 12288 && d.dev[1].free_mib == 11801);
    assert_int_equal(d.cuda_found, 2);
    assert_int_equal(d.n_cuda, 2);
    assert_string_equal(d.cuda[0].name, "NVIDIA GeForce RTX 4090");
    assert_int_equal(d.cuda[1].cc_major, 8);
    assert_int_equal(d.cuda[1].cc_minor, 6);
    assert_int_equal(d.cuda[1].vmm, 0);
    assert_true(d.cuda[0].vram_mib == 24564);
    assert_string_equal(d.cuda_failure, "");
}

static void failures(void **state)
{
    (void) state;
    struct wld_llama_devices d;
    wld_llama_devices_parse("ggml_cuda_init: failed to initialize CUDA: no CUDA-capable device "
                            "is detected\nAvailable devices:\n  (none)\n",
                            &d);
    assert_string_equal(d.cuda_failure,
                        "failed to initialize CUDA: no CUDA-capable device is detected");
    assert_true(d.listed_none);
    assert_int_equal(d.n_dev, 0);
    /* early 2024 */
    wld_llama_devices_parse("ggml_init_cublas: no CUDA devices found, CUDA will be disabled\n", &d);
    assert_string_equal(d.cuda_failure, "no CUDA devices found, CUDA will be disabled");
    wld_llama_devices_parse(
            "ggml_init_cublas: found 8 CUDA devices:\n"
            "  Device 0: NVIDIA GeForce RTX 3090, compute capability 8.6, VMM: yes\n",
            &d);
    assert_int_equal(d.cuda_found, 8);
    assert_int_equal(d.n_cuda, 1);
    assert_true(d.cuda[0].vram_mib < 0);
    /* a build from before --list-devices, and a binary the loader refuses */
    wld_llama_devices_parse("error: invalid argument: --list-devices\n", &d);
    assert_true(d.unknown_option);
    wld_llama_devices_parse("./llama-server: error while loading shared libraries: "
                            "libcudart.so.12: cannot open shared object file: No such file or "
                            "directory\n",
                            &d);
    assert_non_null(strstr(d.loader_error, "libcudart.so.12: cannot open shared object file"));
}

/* --version, virtual devices (GGML_CUDA_DEVICES), ggml_backend_load_best's failure. */
static void version_virtual_devices_load_best(void **state)
{
    (void) state;
    struct wld_llama_devices d;
    wld_llama_devices_parse(
            "version: 10431 (1692f9e50)\n"
            "built with cc (Debian 12.2.0-14+deb12u1) 12.2.0 for x86_64-linux-gnu\n",
            &d);
    assert_int_equal(d.build, 10431);
    assert_string_equal(d.commit, "1692f9e50");
    assert_string_equal(d.built_with, "cc (Debian 12.2.0-14+deb12u1) 12.2.0 for x86_64-linux-gnu");
    /* a CUDA version is not llama.cpp's build */
    wld_llama_devices_parse("ggml_cuda_init: CUDA driver version: 12.6\n", &d);
    assert_int_equal(d.build, -1);
    wld_llama_devices_parse(
            "ggml_cuda_init: found 1 CUDA devices (Total VRAM: 24563 MiB):\n"
            "ggml_cuda_init: emulating 2 virtual device(s) on 1 physical device(s) "
            "(GGML_CUDA_DEVICES)\n"
            "  Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes\n"
            "  Device 1: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes\n",
            &d);
    assert_int_equal(d.cuda_virtual, 2);
    assert_int_equal(d.cuda_physical, 1);
    assert_int_equal(d.n_cuda, 2);
    wld_llama_devices_parse("ggml_backend_load_best: failed to load /opt/llama/libggml-cuda.so: "
                            "libcuda.so.1: cannot open shared object file\n",
                            &d);
    assert_non_null(strstr(d.backend_failure, "libcuda.so.1: cannot open shared object file"));
}

/* The names cuda.libs and llama.build count as CUDA's: NCCL too, which ggml-cuda links. */
static void cuda_library_names(void **state)
{
    (void) state;
    assert_true(wld_llama_is_cuda_lib("libnccl.so.2"));
    assert_true(wld_llama_is_cuda_lib("libcuda.so.1"));
    assert_true(wld_llama_is_cuda_lib("libcublasLt.so.12"));
    assert_true(wld_llama_is_cuda_lib("libggml-cuda.so"));
    assert_false(wld_llama_is_cuda_lib("libcudnn_not_a_prefix_match.so")); /* "libcuda." */
    assert_false(wld_llama_is_cuda_lib("libstdc++.so.6"));
}

/* Users' logs: timestamps and level prefixes before llama.cpp's text. */
static void corpus_logs(void **state)
{
    (void) state;
    struct wld_llama_devices d;
    char *t = slurp(CORPUS "/llama-log/docker-llama-box-rpc-error803-unsupported-display-driver-"
                           "gpustack2704.txt");
    if (!t)
        skip();
    wld_llama_devices_parse(t, &d);
    assert_string_equal(d.cuda_failure, "failed to initialize CUDA: system has unsupported "
                                        "display driver / cuda driver combination");
    free(t);
    t = slurp(CORPUS
              "/llama-log/native-load_backend-failed-to-find-ggml_backend_init-johannesg3.txt");
    assert_non_null(t);
    wld_llama_devices_parse(t, &d);
    assert_int_equal(d.n_cuda, 1);
    assert_int_equal(d.cuda[0].cc_minor, 9);
    assert_non_null(strstr(d.backend_failure, "failed to find ggml_backend_init"));
    free(t);
    t = slurp(CORPUS "/llama-log/windows-ollama-device-with-ID-suffix-ollama12027.txt");
    assert_non_null(t);
    wld_llama_devices_parse(t, &d);
    assert_int_equal(d.n_cuda, 1);
    assert_string_equal(d.cuda[0].name, "NVIDIA GeForce RTX 2080 Ti");
    assert_int_equal(d.cuda[0].cc_major, 7);
    assert_int_equal(d.cuda[0].cc_minor, 5);
    free(t);
    t = slurp(CORPUS "/llama-log/wsl2-ollama-no-cuda-capable-device-current-device-garbage-"
                     "ollama1167.txt");
    assert_non_null(t);
    wld_llama_devices_parse(t, &d);
    assert_non_null(strstr(d.cuda_failure, "CUDA error 100"));
    free(t);
}

/* Junk never crashes and never invents a device. */
static void garbage(void **state)
{
    (void) state;
    struct wld_llama_devices d;
    wld_llama_devices_parse("Available devices:\n  nonsense line with: colon\n  : empty\n"
                            "  Device x: y, compute capability z\n\xff\xfe\n",
                            &d);
    assert_int_equal(d.n_dev, 0);
    assert_int_equal(d.n_cuda, 0);
    wld_llama_devices_parse("", &d);
    assert_int_equal(d.cuda_found, -1);
}

static void cmake_cache(void **state)
{
    (void) state;
    const char *text = "# This is the CMakeCache file.\n//Enable CUDA\nGGML_CUDA:BOOL=ON\n"
                       "CMAKE_CUDA_ARCHITECTURES:STRING=86;89-real\r\n"
                       "GGML_CUDA-ADVANCED:INTERNAL=1\nEMPTY:STRING=\n";
    char v[64];
    assert_int_equal(wld_cmake_cache_get(text, "GGML_CUDA", v, sizeof(v)), 0);
    assert_string_equal(v, "ON");
    assert_int_equal(wld_cmake_cache_get(text, "CMAKE_CUDA_ARCHITECTURES", v, sizeof(v)), 0);
    assert_string_equal(v, "86;89-real");
    assert_int_equal(wld_cmake_cache_get(text, "EMPTY", v, sizeof(v)), 0);
    assert_string_equal(v, "");
    assert_int_equal(wld_cmake_cache_get(text, "GGML_NATIVE", v, sizeof(v)), -ENOENT);
    assert_int_equal(wld_cmake_cache_get(text, "GGML", v, sizeof(v)), -ENOENT);
}

/* common/build-info.cpp.in as CMake fills it, older spacing and newer; anything else is
 * refused rather than half-read. */
static void build_info(void **state)
{
    (void) state;
    struct wld_llama_version v;
    assert_int_equal(
            wld_llama_build_info_parse("int LLAMA_BUILD_NUMBER = 7104;\n"
                                       "char const *LLAMA_COMMIT = \"1692f9e50\";\n"
                                       "char const *LLAMA_COMPILER = \"cc (GCC) 13.3.0\";\n"
                                       "char const *LLAMA_BUILD_TARGET = \"x86_64-linux-gnu\";\n",
                                       &v),
            0);
    assert_int_equal(v.build, 7104);
    assert_string_equal(v.commit, "1692f9e50");
    assert_string_equal(v.built_with, "cc (GCC) 13.3.0 for x86_64-linux-gnu");
    assert_int_equal(wld_llama_build_info_parse("int LLAMA_BUILD_NUMBER = 0;\n"
                                                "char const * LLAMA_COMMIT = \"unknown\";\n",
                                                &v),
                     0);
    assert_string_equal(v.built_with, "");
    assert_int_equal(wld_llama_build_info_parse("int LLAMA_BUILD_NUMBER = master-6a257d4;\n"
                                                "char const *LLAMA_COMMIT = \"6a257d4\";\n",
                                                &v),
                     -EINVAL);
    assert_int_equal(wld_llama_build_info_parse("int LLAMA_BUILD_NUMBER = 12;\n", &v), -EINVAL);
    assert_int_equal(wld_llama_build_info_parse("", &v), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(listing_2026),
        cmocka_unit_test(failures),
        cmocka_unit_test(version_virtual_devices_load_best),
        cmocka_unit_test(cuda_library_names),
        cmocka_unit_test(corpus_logs),
        cmocka_unit_test(garbage),
        cmocka_unit_test(cmake_cache),
        cmocka_unit_test(build_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
