/* What a file is when it is not the model its name promises, from its first bytes.
 *
 * A ".gguf" that is not GGUF is almost always one of a few things: an HTML page or a JSON
 * error a failed download saved, a git-lfs pointer from a clone without `git lfs pull`, the
 * safetensors or PyTorch original the user meant to convert, a pre-GGUF GGML file, an empty
 * file. Naming which turns "no GGUF magic" into a fix. */
#ifndef WLD_FILEKIND_H
#define WLD_FILEKIND_H

#include <stddef.h>
#include <stdint.h>

/* How many leading bytes wld_file_kind() looks at. */
#define WLD_FILEKIND_HEAD 512

/* The kind of a file of size bytes whose first n bytes (n <= size) are head: "empty",
 * "html", "json", "git_lfs_pointer", "safetensors", "ggml_legacy", "zip", "gzip", "elf",
 * "text" or "binary". A static string; the rules' models.fit file_kinds describe each. */
const char *wld_file_kind(const unsigned char *head, size_t n, uint64_t size);

/* A file's first four bytes as a log quotes them, and what they make it. */
struct wld_file_magic {
    unsigned char bytes[4]; /* in the file's order, as far as the quote tells it */
    const char *kind;       /* a wld_file_kind() name, "gguf" or "pickle"; NULL: not known */
    const char *format;     /* the format's own name: "GGJT", "GGUF", "git-lfs pointer"... */
};

/* The magic s[0..n) quotes, in any shape a loader prints it: a 32-bit number in hex
 * ("67676a74", "0x67676a74": llama.cpp's "%08x" of the bytes it read as a little-endian
 * uint32), the bytes in hex ("74 6a 67 67", "0x74,0x6a,0x67,0x67", "\x74\x6a\x67\x67") or
 * the four characters ("tjgg", "GGUF"). Either byte order is tried, the quoted one first,
 * against the magics of GGUF, pre-GGUF GGML (ggml, ggmf, ggjt, ggla), a git-lfs pointer,
 * HTML, JSON, zip (PyTorch), a pickle (older PyTorch), safetensors' header length, gzip and
 * ELF. Returns 0 and sets *m (kind NULL when the bytes are none of these), or -EINVAL when
 * s is no magic in these shapes. */
int wld_file_kind_magic(const char *s, size_t n, struct wld_file_magic *m);

#endif
