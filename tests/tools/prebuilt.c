/* The optional test on a real prebuilt llama.cpp CUDA backend: node-llama-cpp ships
 * libggml-cuda.so built by nvcc on npm (@node-llama-cpp/linux-x64-cuda; fetch it with
 * scripts/fetch-prebuilt.sh). It checks what the doctor reads from that file: the CUDA
 * runtime it needs (DT_NEEDED libcudart.so.N, RUNPATH) and the architectures of its
 * fatbinary, which for a default (non-native) llama.cpp release build include SASS for
 * sm_86 and sm_89 and PTX for compute_75 (llama.cpp's ggml-cuda/CMakeLists.txt). Exits
 * 77 (skipped) when the file is not there. usage: prebuilt LIBGGML_CUDA_SO */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wld/fatbin.h"

static int fail(const char *what)
{
    fprintf(stderr, "prebuilt: %s\n", what);
    return 1;
}

static bool has(const unsigned *v, size_t n, unsigned x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return true;
    return false;
}

int main(int argc, char **argv)
{
    struct wld_host *h = NULL;
    struct wld_file_reader f;
    struct wld_elf_dynamic dyn;
    struct wld_fatbin fb;
    uint64_t off = 0, size = 0;
    if (argc != 2)
        return fail("usage: prebuilt LIBGGML_CUDA_SO");
    if (wld_host_new_live(&h) < 0)
        return fail("no host");
    if (wld_reader_open(h, argv[1], &f) < 0) {
        printf("prebuilt: skipped: %s is not there (scripts/fetch-prebuilt.sh fetches it)\n",
               argv[1]);
        wld_host_free(h);
        return 77;
    }
    int rc = 0;
    const char *cudart = NULL;
    if (wld_elf_dynamic(&f.r, &dyn) < 0)
        rc = fail("no dynamic section");
    for (size_t i = 0; rc == 0 && i < dyn.n_needed; i++)
        if (strncmp(dyn.needed[i], "libcudart.so.", 13) == 0)
            cudart = dyn.needed[i];
    if (rc == 0 && !cudart)
        rc = fail("no libcudart.so.N among DT_NEEDED");
    if (rc == 0 && wld_elf_section(&f.r, ".nv_fatbin", &off, &size) < 0)
        rc = fail("no .nv_fatbin section");
    if (rc == 0 && wld_fatbin_scan(&f.r, off, size, &fb) < 0)
        rc = fail("the fatbinary does not parse");
    if (rc == 0 && fb.stopped_early)
        rc = fail("the fatbinary scan stopped early");
    if (rc == 0 &&
        !(has(fb.sass, fb.n_sass, 86) && has(fb.sass, fb.n_sass, 89) && has(fb.ptx, fb.n_ptx, 75)))
        rc = fail("expected sm_86, sm_89 and compute_75 (llama.cpp's default release list)");
    if (rc == 0) {
        printf("prebuilt: %s needs %s (RUNPATH '%s'); %zu containers, %zu entries; SASS:", argv[1],
               cudart, dyn.runpath, fb.containers, fb.entries);
        for (size_t i = 0; i < fb.n_sass; i++)
            printf(" sm_%u", fb.sass[i]);
        printf("; PTX:");
        for (size_t i = 0; i < fb.n_ptx; i++)
            printf(" compute_%u", fb.ptx[i]);
        printf(" (ISA %u.%u)\n", fb.ptx_isa_major, fb.ptx_isa_minor);
    }
    wld_reader_close(&f);
    wld_host_free(h);
    return rc;
}
