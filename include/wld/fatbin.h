/* The CUDA architectures a binary carries: the ELF section ".nv_fatbin" of llama.cpp's
 * libggml-cuda.so (or a statically linked executable) holds fatbinary containers, each a
 * list of entries: PTX for a virtual architecture, or a cubin (SASS) for one sm. Only the
 * entry headers are read, never the payloads (which may be compressed). The input is
 * treated as hostile: every size is bounded by the section, a bad magic ends the scan,
 * and every step makes progress. Layout: ../shared/reference/fatbin.md. */
#ifndef WLD_FATBIN_H
#define WLD_FATBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Random access to the bytes of a file of `size` bytes: read() returns the bytes copied
 * into buf (fewer at the end of the data), or -errno; callers ask for len <= INT_MAX. */
struct wld_reader {
    int (*read)(const struct wld_reader *r, uint64_t offset, void *buf, size_t len);
    const void *ctx;
    uint64_t size;
};

/* A reader over memory (data must outlive the reader). */
void wld_reader_mem(struct wld_reader *r, const void *data, size_t n);

/* Finds a section of a 64-bit little-endian ELF file by name. Returns 0 with its file
 * offset and size, -ENOENT when there is no such section, -EINVAL for a file that is not
 * such an ELF file or whose headers point outside it. */
int wld_elf_section(const struct wld_reader *r,
                    const char *name,
                    uint64_t *ret_offset,
                    uint64_t *ret_size);

#define WLD_FATBIN_MAX_ARCHS 64

struct wld_fatbin {
    unsigned sass[WLD_FATBIN_MAX_ARCHS]; /* sm numbers with a cubin (75, 86, 120), sorted */
    size_t n_sass;
    unsigned ptx[WLD_FATBIN_MAX_ARCHS]; /* virtual architectures with PTX, sorted */
    size_t n_ptx;
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

#endif
