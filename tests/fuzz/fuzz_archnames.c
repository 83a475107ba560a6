/* A libllama.so, llama-server or ollama binary as found on a host: its section table and the
 * bytes of its .rodata and .gopclntab are attacker-shaped; the scan must stay in bounds
 * whatever they hold, and whatever names it is asked for. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wld/archnames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = { "llama",   "qwen2", "rwkv6qwen2", "qwen3moe",
                                         "gpt-oss", "a",     "gemma3n" };
    struct wld_archnames a;
    struct wld_reader r;
    uint64_t off = 0, n = 0;
    memset(&a, 0, sizeof(a));
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        (void) wld_archnames_add(&a, names[i]);
    wld_reader_mem(&r, data, size);
    if (wld_elf_section(&r, ".rodata", &off, &n) == 0)
        (void) wld_archnames_scan(&r, off, n, false, &a);
    if (wld_elf_section(&r, ".gopclntab", &off, &n) == 0)
        (void) wld_archnames_scan(&r, off, n, true, &a);
    (void) wld_archnames_scan(&r, 0, size, false, &a);
    (void) wld_archnames_scan(&r, size / 2, size - size / 2, true, &a);
    return 0;
}
