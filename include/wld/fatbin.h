/* The CUDA architectures a binary carries: the ELF section ".nv_fatbin" of llama.cpp's
 * libggml-cuda.so (or a statically linked executable) holds fatbinary containers, each a
 * list of entries: PTX for a virtual architecture, or a cubin (SASS) for one sm. Only the
 * entry headers are read, never the payloads (which may be compressed). The input is
 * treated as hostile: every size is bounded by the section, a bad magic ends the scan,
 * and every step makes progress. Layout: ../shared/reference/fatbin.md. */
#ifndef WLD_FATBIN_H
#define WLD_FATBIN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wld/elf.h"

#define WLD_FATBIN_MAX_ARCHS 64

struct wld_fatbin {
    unsigned sass[WLD_FATBIN_MAX_ARCHS]; /* sm numbers with a cubin (75, 86, 120), sorted */
    size_t n_sass;
    unsigned ptx[WLD_FATBIN_MAX_ARCHS]; /* virtual architectures with PTX, sorted */
    size_t n_ptx;
    unsigned ptx_isa_major, ptx_isa_minor; /* the newest PTX ISA version seen (9.1), or 0.0 */
    size_t containers, entries;
    bool stopped_early; /* a malformed container ended the scan (what came before counts) */
};

/* Scans the fatbinary containers in [offset, offset + size) of r. Returns 0 (with
 * ret->stopped_early when the data went bad part-way), or -EINVAL when not even the
 * first container is valid. */
int wld_fatbin_scan(const struct wld_reader *r,
                    uint64_t offset,
                    uint64_t size,
                    struct wld_fatbin *ret);

/* The architectures in the .nv_fatbin of the file at path, as facts appended to list:
 * {file, sass [sm...], ptx [sm...], ptx_isa?, containers, entries, stopped_early?}, or
 * {file, error} when it has none or cannot be read. Reads the ELF and fatbin headers only.
 * The one reader of a library's architectures: llama.arch's facts and ollama's backends
 * (src/inventory/ollama.c) have this shape. */
void wld_fatbin_file_facts(const struct wld_host *h, const char *path, cJSON *list);

/* Whether a GPU of compute capability cc (52 for 5.2) has a kernel in the fatbinaries of
 * list (wld_fatbin_file_facts's): a cubin of its major at or below its minor, or PTX at or
 * below it (NVIDIA's compatibility rules; "a" targets are not told apart here). *known is
 * false when no file of list was read, and the answer then means nothing. */
bool wld_fatbin_facts_run_on(const cJSON *list, unsigned cc, bool *known);

#endif
