/* A libggml-cuda.so or llama-server as found on a host: the ELF section table, the
 * dynamic section and the fatbinary inside are all attacker-shaped. */
#include <stddef.h>
#include <stdint.h>

#include "wld/fatbin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wld_reader r;
    struct wld_fatbin fb;
    struct wld_elf_dynamic dyn;
    uint64_t off = 0, n = 0;
    wld_reader_mem(&r, data, size);
    if (wld_elf_section(&r, ".nv_fatbin", &off, &n) == 0)
        (void) wld_fatbin_scan(&r, off, n, &fb);
    (void) wld_fatbin_scan(&r, 0, size, &fb);
    (void) wld_elf_dynamic(&r, &dyn);
    return 0;
}
