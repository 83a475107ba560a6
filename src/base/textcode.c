/* Text in the encodings Windows writes: UTF-8 (with or without a BOM) and UTF-16 (with
 * or without a BOM), as .wslconfig files and wsl.exe's output come (see wld/parse.h). */
#include <stdbool.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

/* Appends code point cp as UTF-8. */
static void put_utf8(struct wld_buf *b, unsigned cp)
{
    char s[4];
    size_t n;
    if (cp < 0x80) {
        s[0] = (char) cp;
        n = 1;
    } else if (cp < 0x800) {
        s[0] = (char) (0xC0 | (cp >> 6));
        s[1] = (char) (0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        s[0] = (char) (0xE0 | (cp >> 12));
        s[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
        s[2] = (char) (0x80 | (cp & 0x3F));
        n = 3;
    } else {
        s[0] = (char) (0xF0 | (cp >> 18));
        s[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
        s[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
        s[3] = (char) (0x80 | (cp & 0x3F));
        n = 4;
    }
    wld_buf_append(b, s, n);
}

static char *utf16_to_utf8(const unsigned char *p, size_t n, bool le)
{
    struct wld_buf b;
    wld_buf_init(&b, n * 2 + 16);
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned u = le ? (unsigned) (p[i] | p[i + 1] << 8) : (unsigned) (p[i] << 8 | p[i + 1]);
        if (u >= 0xD800 && u < 0xDC00 && i + 3 < n) {
            unsigned lo = le ? (unsigned) (p[i + 2] | p[i + 3] << 8)
                             : (unsigned) (p[i + 2] << 8 | p[i + 3]);
            if (lo >= 0xDC00 && lo < 0xE000) {
                put_utf8(&b, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
                i += 2;
                continue;
            }
        }
        if (u == 0 || (u >= 0xD800 && u < 0xE000))
            u = 0xFFFD;
        put_utf8(&b, u);
    }
    return wld_buf_detach(&b);
}

static bool looks_utf16(const unsigned char *p, size_t n, bool *le)
{
    size_t even = 0, odd = 0, pairs = n / 2;
    if (pairs < 2)
        return false;
    for (size_t i = 0; i + 1 < n; i += 2) {
        even += p[i] == 0;
        odd += p[i + 1] == 0;
    }
    if (odd * 10 >= pairs * 6 && even * 10 < pairs) {
        *le = true;
        return true;
    }
    if (even * 10 >= pairs * 6 && odd * 10 < pairs) {
        *le = false;
        return true;
    }
    return false;
}

char *wld_text_decode(const char *data, size_t n, const char **encoding)
{
    const unsigned char *u = (const unsigned char *) data;
    bool le = true;
    const char *enc = "utf-8";
    char *text;
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        enc = "utf-8-bom";
        text = wld_xstrndup(data + 3, n - 3);
    } else if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
        enc = "utf-16le-bom";
        text = utf16_to_utf8(u + 2, n - 2, true);
    } else if (n >= 2 && u[0] == 0xFE && u[1] == 0xFF) {
        enc = "utf-16be-bom";
        text = utf16_to_utf8(u + 2, n - 2, false);
    } else if (looks_utf16(u, n, &le)) {
        enc = le ? "utf-16le" : "utf-16be";
        text = utf16_to_utf8(u, n, le);
    } else {
        /* NUL bytes end the text, as they would for a C reader. */
        text = wld_xstrndup(data, n);
    }
    if (encoding)
        *encoding = enc;
    return text;
}
