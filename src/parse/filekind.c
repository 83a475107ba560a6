/* File kinds from leading bytes (see wld/filekind.h). Sources: the git-lfs pointer spec,
 * the safetensors format, llama.cpp's convert_llama_ggml_to_gguf.py for the GGML magics
 * (rules/00-meta.json: git-lfs-spec, safetensors-format, llama-cpp-ggml-legacy). */
#include "wld/filekind.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "wld/elf.h"

static bool starts(const unsigned char *p, size_t n, const char *magic)
{
    size_t m = strlen(magic);
    return n >= m && memcmp(p, magic, m) == 0;
}

/* Text: no NUL and no control characters but whitespace in what was read. */
static bool is_text(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t' && p[i] != '\f') ||
            p[i] == 0x7f)
            return false;
    return true;
}

/* "<!doctype html" or "<html" near the start, in any case: what a web server sends for a
 * login page, a 404 or a "file too large" notice. */
static bool is_html(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 5 <= n; i++)
        if (p[i] == '<' &&
            (strncasecmp((const char *) p + i, "<html", 5) == 0 ||
             (i + 14 <= n && strncasecmp((const char *) p + i, "<!doctype html", 14) == 0)))
            return true;
    return false;
}

const char *wld_file_kind(const unsigned char *head, size_t n, uint64_t size)
{
    if (size == 0)
        return "empty";
    size_t skip = starts(head, n, "\xEF\xBB\xBF") ? 3 : 0; /* a UTF-8 BOM */
    while (skip < n &&
           (head[skip] == ' ' || head[skip] == '\n' || head[skip] == '\r' || head[skip] == '\t'))
        skip++;
    const unsigned char *t = head + skip;
    size_t tn = n - skip;
    if (starts(head, n, "version https://git-lfs.github.com/spec/"))
        return "git_lfs_pointer";
    /* a u64 header length that fits the file, then a JSON object */
    if (n >= 10 && head[8] == '{' && wld_le64(head) > 1 && wld_le64(head) <= size - 8)
        return "safetensors";
    /* GGML, GGMF, GGJT: llama.cpp's formats before GGUF, magic stored little-endian */
    if (starts(head, n, "lmgg") || starts(head, n, "fmgg") || starts(head, n, "tjgg"))
        return "ggml_legacy";
    if (starts(head, n, "PK\x03\x04"))
        return "zip"; /* PyTorch's .pt/.bin checkpoints are zip archives */
    if (starts(head, n, "\x1f\x8b"))
        return "gzip";
    if (starts(head, n,
               "\x7f"
               "ELF"))
        return "elf";
    if (is_text(head, n)) {
        if (is_html(t, tn))
            return "html";
        if (tn > 0 && (t[0] == '{' || t[0] == '['))
            return "json";
        return "text";
    }
    return "binary";
}
