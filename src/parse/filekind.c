/* File kinds from leading bytes (see wld/filekind.h). Sources: the git-lfs pointer spec,
 * the safetensors format, llama.cpp's convert_llama_ggml_to_gguf.py for the GGML magics
 * (rules/00-meta.json: git-lfs-spec, safetensors-format, llama-cpp-ggml-legacy). */
#include "wld/filekind.h"

#include <ctype.h>
#include <errno.h>
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

/* Magics in file order. The pre-GGUF ones are stored as a little-endian uint32 ('ggjt' is
 * 0x67676a74, the bytes "tjgg"); a big-endian writer's are the reverse, which
 * wld_file_kind_magic() tries too. The "whole" ones are how wld_file_kind() knows a binary
 * file; the others it knows by more than four bytes (a git-lfs pointer, HTML, JSON). */
static const struct {
    const char *bytes;
    size_t len;
    const char *kind, *format;
    bool whole; /* these bytes alone make the file's kind (wld_file_kind) */
} magics[] = {
    { "GGUF", 4, "gguf", "GGUF", false },
    { "lmgg", 4, "ggml_legacy", "GGML", true },
    { "fmgg", 4, "ggml_legacy", "GGMF", true },
    { "tjgg", 4, "ggml_legacy", "GGJT", true },
    { "algg", 4, "ggml_legacy", "GGLA (a LoRA adapter)", true },
    { "vers", 4, "git_lfs_pointer", "git-lfs pointer", false },
    { "<!DO", 4, "html", "HTML", false },
    { "<!do", 4, "html", "HTML", false },
    { "<htm", 4, "html", "HTML", false },
    { "<HTM", 4, "html", "HTML", false },
    { "PK\x03\x04", 4, "zip", "zip (PyTorch)", true },
    { "{\"", 2, "json", "JSON", false },
    { "\x1f\x8b", 2, "gzip", "gzip", true },
    { "\x7f"
      "ELF",
      4, "elf", "ELF", true },
};

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
    /* GGML/GGMF/GGJT/GGLA (llama.cpp before GGUF), zip (PyTorch's .pt/.bin), gzip, ELF */
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if (magics[i].whole && n >= magics[i].len &&
            memcmp(head, magics[i].bytes, magics[i].len) == 0)
            return magics[i].kind;
    if (is_text(head, n)) {
        if (is_html(t, tn))
            return "html";
        if (tn > 0 && (t[0] == '{' || t[0] == '['))
            return "json";
        return "text";
    }
    return "binary";
}

/* ---- a magic as a log quotes it ---- */

/* Whether b is a magic the doctor knows; a safetensors length only when as_read (the
 * quoted order: a length read in the other order means nothing). */
static bool magic_known(const unsigned char b[4], bool as_read, struct wld_file_magic *m)
{
    for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
        if (memcmp(b, magics[i].bytes, magics[i].len) == 0) {
            m->kind = magics[i].kind;
            m->format = magics[i].format;
            return true;
        }
    if (b[0] == 0x80 && b[1] >= 2 && b[1] <= 5) { /* pickle's PROTO opcode */
        m->kind = "pickle";
        m->format = "pickle (PyTorch)";
        return true;
    }
    /* safetensors: a little-endian u64 header length, then '{'; a length under 16 MiB */
    unsigned long len = b[0] | (unsigned long) b[1] << 8 | (unsigned long) b[2] << 16;
    if (as_read && b[3] == 0 && len >= 2) {
        m->kind = "safetensors";
        m->format = "safetensors";
        return true;
    }
    return false;
}

static int hexval(char c)
{
    return isxdigit((unsigned char) c)
                   ? (isdigit((unsigned char) c) ? c - '0' : (c | 0x20) - 'a' + 10)
                   : -1;
}

/* "74 6a 67 67", "0x74,0x6a,0x67,0x67", "\\x74\\x6a\\x67\\x67": four bytes in hex, two digits
 * each. */
static bool hex_bytes(const char *s, size_t n, unsigned char b[4])
{
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        while (i < n && memchr(" ,:-", s[i], 4))
            i++;
        if (i + 1 < n && (s[i] == '0' || s[i] == '\\') && (s[i + 1] | 0x20) == 'x')
            i += 2;
        if (i + 1 >= n || hexval(s[i]) < 0 || hexval(s[i + 1]) < 0)
            return false;
        b[k] = (unsigned char) (hexval(s[i]) * 16 + hexval(s[i + 1]));
        i += 2;
    }
    return i == n;
}

int wld_file_kind_magic(const char *s, size_t n, struct wld_file_magic *m)
{
    unsigned char b[4];
    size_t h = n >= 2 && s[0] == '0' && (s[1] | 0x20) == 'x' ? 2 : 0;
    bool number = n - h == 8;
    for (size_t i = h; i < n && number; i++)
        number = hexval(s[i]) >= 0;
    if (number) {
        unsigned long v = 0;
        for (size_t i = h; i < n; i++)
            v = v << 4 | (unsigned long) hexval(s[i]);
        for (int i = 0; i < 4; i++)
            b[i] = (unsigned char) (v >> (8 * i));
    } else if (!hex_bytes(s, n, b)) {
        if (n != 4)
            return -EINVAL;
        memcpy(b, s, 4);
    }
    struct wld_file_magic r = { .kind = NULL, .format = NULL };
    memcpy(r.bytes, b, 4);
    unsigned char rev[4] = { b[3], b[2], b[1], b[0] };
    if (!magic_known(b, true, &r) && magic_known(rev, false, &r))
        memcpy(r.bytes, rev, 4);
    *m = r;
    return 0;
}
