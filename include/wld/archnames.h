/* Which model architectures a runtime's llama.cpp code knows, read from the file itself: a
 * libllama.so, a llama-server linked statically, or an ollama binary with llama.cpp inside.
 * llama.cpp names every architecture it loads in one table (LLM_ARCH_NAMES, src/llama-arch.cpp
 * today), whose strings the compiler puts in .rodata, each ending in a NUL. A model whose
 * general.architecture is not among them fails to load with "unknown model architecture".
 *
 * The linker merges a string into the tail of a longer one ("qwen2" is the end of
 * "rwkv6qwen2" in a real libllama.so), so a name found only as such a tail still counts as
 * known, and the facts say so. The file is read once, in chunks, never past the sections
 * scanned; every name is looked for in the same pass. */
#ifndef WLD_ARCHNAMES_H
#define WLD_ARCHNAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wld/elf.h"
#include "wld/host.h"

#define WLD_ARCHNAMES_MAX     64 /* names looked for in one scan */
#define WLD_ARCHNAME_MAX      63 /* the longest name, bytes (llama.cpp's longest is 16) */
#define WLD_ARCHNAMES_PKG_MAX 64 /* ollama engine packages kept */
#define WLD_ARCHNAMES_PKG_LEN 32

enum wld_arch_seen {
    WLD_ARCH_ABSENT,
    WLD_ARCH_TAIL,  /* only as the end of a longer string (merged by the linker) */
    WLD_ARCH_WHOLE, /* as a string of its own */
};
const char *wld_arch_seen_name(enum wld_arch_seen s);

struct wld_archnames {
    /* what to look for (wld_archnames_add) */
    char names[WLD_ARCHNAMES_MAX][WLD_ARCHNAME_MAX + 1];
    size_t n;
    /* what a scan found: seen[i] for names[i] */
    enum wld_arch_seen seen[WLD_ARCHNAMES_MAX];
    /* the strings of llama.cpp's table are there ("general.architecture" and the key format
     * "%s.context_length" beside the names): only then does a missing name mean unknown */
    bool has_table;
    /* ollama's own Go engine (ollama before 0.30): the packages under
     * github.com/ollama/ollama/model/models/ the binary's function names hold, read from its
     * .gopclntab; go_engine is false when the file has no such section */
    bool go_engine;
    char pkgs[WLD_ARCHNAMES_PKG_MAX][WLD_ARCHNAMES_PKG_LEN];
    size_t n_pkgs;
    /* where the names were looked for: ".rodata", or "file" for a file without a section
     * table; and the bytes read */
    const char *where;
    uint64_t scanned;
};

/* Adds a name to look for (once). Returns 0; -EINVAL for an empty name, one longer than
 * WLD_ARCHNAME_MAX or holding a byte below 0x20; -E2BIG past WLD_ARCHNAMES_MAX. */
int wld_archnames_add(struct wld_archnames *a, const char *name);

/* Looks for a's names in bytes [off, off + len) of r (seen, has_table); with go_pkgs, only
 * collects ollama's engine packages there. Returns 0, or -EIO/-errno when a read fails. */
int wld_archnames_scan(const struct wld_reader *r,
                       uint64_t off,
                       uint64_t len,
                       bool go_pkgs,
                       struct wld_archnames *a);

/* The same for a file on h: its .rodata (the whole file, up to WLD_ARCHNAMES_FILE_MAX bytes,
 * when it is not an ELF file with a section table), then its .gopclntab if it has one.
 * Returns 0, or -errno when the file cannot be opened or read, -EFBIG for a file past the
 * cap without a .rodata. */
#define WLD_ARCHNAMES_FILE_MAX (512ull * 1024 * 1024)
int wld_archnames_read(const struct wld_host *h, const char *path, struct wld_archnames *a);

#endif
