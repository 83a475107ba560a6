/* Reading ELF files the doctor did not make: a llama.cpp executable, libggml-cuda.so.
 * Everything is read through a bounded reader, never mapped, and treated as hostile:
 * every offset and count is checked against the file before it is used. Only what
 * x86_64 Linux ships is understood: ELFCLASS64, little-endian. */
#ifndef WLD_ELF_H
#define WLD_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wld/host.h"

/* Random access to the bytes of a file of `size` bytes: read() returns the bytes copied
 * into buf (fewer at the end of the data), or -errno; callers ask for len <= INT_MAX. */
struct wld_reader {
    int (*read)(const struct wld_reader *r, uint64_t offset, void *buf, size_t len);
    const void *ctx;
    uint64_t size;
};

/* Reads exactly len bytes at offset; false when the file is shorter or the read fails. */
bool wld_reader_exact(const struct wld_reader *r, uint64_t offset, void *buf, size_t len);

/* Little-endian fields. */
static inline uint16_t wld_le16(const unsigned char *p)
{
    return (uint16_t) (p[0] | p[1] << 8);
}
static inline uint32_t wld_le32(const unsigned char *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}
static inline uint64_t wld_le64(const unsigned char *p)
{
    return (uint64_t) wld_le32(p) | (uint64_t) wld_le32(p + 4) << 32;
}

/* A reader over memory (data must outlive the reader). */
void wld_reader_mem(struct wld_reader *r, const void *data, size_t n);

/* A reader over a host file (a regular file only), read with pread: one open, no map. */
struct wld_file_reader {
    struct wld_reader r;
    int fd;
    const struct wld_host *h; /* for the recorder (wld/record.h); borrowed */
    char *path;               /* the host path, when recording; owned */
};
/* Returns 0, or -errno (-EISDIR, -EINVAL for something not a regular file). Close with
 * wld_reader_close. */
int wld_reader_open(const struct wld_host *h, const char *path, struct wld_file_reader *ret);
void wld_reader_close(struct wld_file_reader *f);

/* Finds a section of a 64-bit little-endian ELF file by name. Returns 0 with its file
 * offset and size, -ENOENT when there is no such section, -EINVAL for a file that is not
 * such an ELF file or whose headers point outside it. */
int wld_elf_section(const struct wld_reader *r,
                    const char *name,
                    uint64_t *ret_offset,
                    uint64_t *ret_size);

#define WLD_ELF_MAX_NEEDED 64
#define WLD_ELF_NAME_MAX   256

/* The dynamic section: what the loader will look for and where. */
struct wld_elf_dynamic {
    char needed[WLD_ELF_MAX_NEEDED][WLD_ELF_NAME_MAX]; /* DT_NEEDED, in order */
    size_t n_needed;
    char soname[WLD_ELF_NAME_MAX];      /* DT_SONAME, or "" */
    char runpath[4 * WLD_ELF_NAME_MAX]; /* DT_RUNPATH, else DT_RPATH, or "" */
    bool runpath_is_rpath;              /* the path came from DT_RPATH */
};

/* Reads the dynamic section. Returns 0; -ENOENT for a file with none (a static
 * executable); -EINVAL as wld_elf_section. Names that do not fit are left out. */
int wld_elf_dynamic(const struct wld_reader *r, struct wld_elf_dynamic *ret);

#endif
