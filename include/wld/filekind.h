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

#endif
