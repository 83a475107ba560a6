/* A pasted log's line cleaned as the reader reads it (see wld/logscan.h): what pasting,
 * terminals, journals and llama.cpp's own prefixes add is taken off, so that the markers
 * and the rules' patterns see the message alone. */
#include <stdint.h>
#include <string.h>

#include "wld/logscan.h"
#include "wld/secrets.h"
#include "wld/util.h"

#include "logscan_impl.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* the bytes of a host's, a program's or a user's name */
static bool is_word(char c)
{
    return wld_bytes[(unsigned char) c] != 0;
}

static size_t word_len(const char *s, size_t n)
{
    size_t w = 0;
    while (w < n && is_word(s[w]))
        w++;
    return w;
}

/* The length of the run of bytes from in that holds no control (below 0x20, or 0x7f): eight
 * bytes a step, with the tests of "Bit Twiddling Hacks" (hasless(v, 0x20), haszero(v ^ 0x7f),
 * exact as a test of whether such a byte is there), then byte by byte in the step that has one. */
static size_t plain_run(const char *in, size_t n)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v, x;
        memcpy(&v, in + i, 8);
        x = v ^ (0x7f * ones);
        if (((v - 0x20 * ones) & ~v & highs) | ((x - ones) & ~x & highs))
            break;
    }
    while (i < n && (unsigned char) in[i] >= 0x20 && in[i] != 0x7f)
        i++;
    return i;
}

/* ESC sequences out, controls to spaces, a carriage return's overwritten text out. */
static size_t strip_controls(const char *in, size_t n, char *out)
{
    size_t w = 0, line_start = 0;
    /* most lines hold no control at all: copy up to the first one in one go */
    size_t i = plain_run(in, n);
    memcpy(out, in, i);
    w = i;
    for (; i < n; i++) {
        unsigned char c = (unsigned char) in[i];
        if (c == 0x1b) { /* CSI: ESC [ params final; OSC: ESC ] ... BEL or ESC \ */
            if (i + 1 < n && in[i + 1] == '[') {
                i += 2;
                while (i < n && !((unsigned char) in[i] >= 0x40 && (unsigned char) in[i] <= 0x7e))
                    i++;
            } else if (i + 1 < n && in[i + 1] == ']') {
                i += 2;
                while (i < n && in[i] != '\a' && !(in[i] == 0x1b && i + 1 < n && in[i + 1] == '\\'))
                    i++;
                if (i < n && in[i] == 0x1b)
                    i++;
            } else {
                i++;
            }
            continue;
        }
        if (c == '\r') {
            /* "\r\n" ends the line; a lone CR starts it over (a progress line) */
            bool rest = false;
            for (size_t k = i + 1; k < n && !rest; k++)
                rest = in[k] != ' ' && in[k] != '\r' && in[k] != '\t';
            if (rest)
                w = line_start;
            continue;
        }
        out[w++] = (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : (char) c;
    }
    out[w] = '\0';
    return w;
}

static size_t skip_spaces(const char *s, size_t i, size_t n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* "[...]" holding only a timestamp or a pid: "[2025-08-12 10:49:52.992240]", "[56285]",
 * "[  196.319131]" */
static size_t bracket_stamp(const char *s, size_t n)
{
    if (n < 3 || s[0] != '[')
        return 0;
    size_t i = 1, digits = 0;
    while (i < n && i < 48 && s[i] != ']') {
        if (is_digit(s[i]))
            digits++;
        else if (!strchr(" -:.T+Z/,", s[i]))
            return 0;
        i++;
    }
    return i < n && s[i] == ']' && digits > 0 ? i + 1 : 0;
}

/* llama.cpp's own "0.04.635.193 " (minutes.seconds.ms.us since start) */
static size_t llama_stamp(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_digit(s[i]))
        i++;
    if (i == 0 || i + 12 > n || s[i] != '.' || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) ||
        s[i + 3] != '.' || !is_digit(s[i + 4]) || !is_digit(s[i + 5]) || !is_digit(s[i + 6]) ||
        s[i + 7] != '.' || !is_digit(s[i + 8]) || !is_digit(s[i + 9]) || !is_digit(s[i + 10]) ||
        s[i + 11] != ' ')
        return 0;
    return i + 12;
}

/* "2024-01-09T14:37:45.123Z ", "2024/01/09 14:37:45 ", "2024-01-09 14:37:45,123 " */
static size_t date_stamp(const char *s, size_t n)
{
    if (n < 11 || !is_digit(s[0]) || !is_digit(s[1]) || !is_digit(s[2]) || !is_digit(s[3]) ||
        (s[4] != '-' && s[4] != '/') || !is_digit(s[5]) || !is_digit(s[6]) || s[7] != s[4] ||
        !is_digit(s[8]) || !is_digit(s[9]))
        return 0;
    size_t i = 10;
    if (i + 9 <= n && (s[i] == 'T' || s[i] == ' ') && is_digit(s[i + 1]) && is_digit(s[i + 2]) &&
        s[i + 3] == ':') {
        i += 1;
        while (i < n && (is_digit(s[i]) || strchr(":.,+-Z", s[i])))
            i++;
    }
    return i < n && (s[i] == ' ' || s[i] == '\t') ? i : 0;
}

/* syslog and journalctl: "Nov 28 12:00:00 " */
static size_t syslog_stamp(const char *s, size_t n)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    if (n < 16 || s[3] != ' ')
        return 0;
    bool month = false;
    for (int m = 0; m < 12 && !month; m++)
        month = memcmp(s, months + 3 * m, 3) == 0;
    size_t i = skip_spaces(s, 4, n);
    if (!month || !is_digit(s[i]))
        return 0;
    while (i < n && is_digit(s[i]))
        i++;
    if (i + 9 > n || s[i] != ' ' || !is_digit(s[i + 1]) || s[i + 3] != ':' || s[i + 6] != ':')
        return 0;
    return i + 9;
}

/* "HOST PROG[PID]: " after a journal or dmesg stamp; *host_len tells the host's length */
static size_t journal_prefix(const char *s, size_t n, size_t *host_len)
{
    size_t i = 0;
    while (i < n && is_word(s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ' ')
        return 0;
    *host_len = i;
    size_t j = i + 1;
    while (j < n && (is_word(s[j]) || s[j] == '@'))
        j++;
    if (j == i + 1)
        return 0;
    if (j >= n || s[j] != '[') /* "ollama[2303]:": a bare "word word:" is log text */
        return 0;
    while (j < n && s[j] != ']')
        j++;
    j++;
    return j + 1 < n && s[j] == ':' && s[j + 1] == ' ' ? j + 2 : 0;
}

/* "user@host:~/path$ ", "(venv) user@host:/x# ", "PS C:\path> ", "$ " */
static size_t shell_prompt(const char *s, size_t n)
{
    size_t i = 0;
    if (n > 2 && s[0] == '(') { /* a conda or venv name */
        const char *close = memchr(s, ')', n < 64 ? n : 64);
        if (!close)
            return 0;
        i = skip_spaces(s, (size_t) (close - s) + 1, n);
    }
    if (n - i >= 2 && (s[i] == '$' || s[i] == '#') && s[i + 1] == ' ' && i == 0)
        return 2;
    if (n - i > 4 && s[i] == 'P' && s[i + 1] == 'S' && s[i + 2] == ' ') {
        const char *gt = memchr(s + i, '>', n - i);
        return gt && (size_t) (gt - s) + 1 < n && gt[1] == ' ' ? (size_t) (gt - s) + 2 : 0;
    }
    size_t u = i;
    while (i < n && is_word(s[i]))
        i++;
    if (i == u || i >= n || s[i] != '@')
        return 0;
    i++;
    size_t h = i;
    while (i < n && is_word(s[i]))
        i++;
    if (i == h || i >= n || (s[i] != ':' && s[i] != ' '))
        return 0;
    /* the path, up to "$ " or "# " */
    for (; i + 1 < n && i < 512; i++)
        if ((s[i] == '$' || s[i] == '#') && s[i + 1] == ' ')
            return i + 2;
    return 0;
}

/* docker compose: "llama-1  | " */
static size_t compose_prefix(const char *s, size_t n)
{
    size_t i = word_len(s, n < 65 ? n : 65);
    if (i == 0 || i > 64)
        return 0;
    size_t j = skip_spaces(s, i, n);
    return j > i && j + 1 < n && s[j] == '|' && s[j + 1] == ' ' ? j + 2 : 0;
}

/* llama.cpp's tag and function since 2025 (common.h, server-common.h: "cmn  %12.*s: "):
 * "srv    load_model: ", "cmn  common_param: ", "slot get_availabl: "; the function's name
 * is cut to 12 characters, so the message after it is what older builds printed alone.
 * Sets *server for the server's own tags. */
static size_t llama_tag(const char *s, size_t n, bool *server)
{
    static const char tags[][5] = { "cmn ", "srv ", "slot", "spec", "que ", "res " };
    if (n < 19 || s[4] != ' ' || s[17] != ':' || s[18] != ' ')
        return 0;
    size_t t = 0;
    while (t < WLD_ARRAY_SIZE(tags) && memcmp(s, tags[t], 4) != 0)
        t++;
    if (t == WLD_ARRAY_SIZE(tags))
        return 0;
    size_t i = 5;
    while (i < 17 && s[i] == ' ')
        i++;
    for (size_t k = i; k < 17; k++)
        if (!is_word(s[k]) && s[k] != '(' && s[k] != ')')
            return 0;
    if (i == 17)
        return 0;
    *server = t == 1 || t == 2 || t == 4 || t == 5;
    return 19;
}

size_t wld_log_clean_line(const char *in, size_t n, char *out, unsigned *flags)
{
    if (n > WLD_LOG_LINE_KEEP)
        n = WLD_LOG_LINE_KEEP;
    *flags = 0;
    size_t len = strip_controls(in, n, out);
    size_t at = 0;
    for (int round = 0; round < 8; round++) {
        size_t before = at;
        at = skip_spaces(out, at, len);
        while (at < len && out[at] == '>') /* markdown quotes, nested */
            at = skip_spaces(out, at + 1, len);
        if (len - at >= 3 && (memcmp(out + at, "```", 3) == 0 || memcmp(out + at, "~~~", 3) == 0)) {
            out[0] = '\0'; /* a fence line is the paste's, not the log's */
            return 0;
        }
        /* a braille spinner (U+2800..U+28FF), as ollama draws it */
        if (len - at >= 3 && (unsigned char) out[at] == 0xe2 &&
            (unsigned char) out[at + 1] >= 0xa0 && (unsigned char) out[at + 1] <= 0xa3)
            at += 3;
        size_t k, host_len = 0;
        bool server = false;
        if ((k = bracket_stamp(out + at, len - at)) || (k = llama_stamp(out + at, len - at)) ||
            (k = date_stamp(out + at, len - at))) {
            at += k;
            size_t s = skip_spaces(out, at, len);
            /* a level letter after the stamp: "I ", "W ", "E " */
            if (s + 1 < len && strchr("IWEDT", out[s]) && out[s + 1] == ' ')
                at = s + 2;
        } else if ((k = llama_tag(out + at, len - at, &server))) {
            at += k; /* after the stamp's level letter, or alone (--no-log-prefix) */
            *flags |= server ? WLD_LOG_LINE_SERVER : 0;
        } else if ((k = syslog_stamp(out + at, len - at))) {
            at += k;
        } else if ((k = compose_prefix(out + at, len - at))) {
            at += k;
        } else if (at < len && out[at] == '`' && len > at + 1 && out[len - 1] == '`') {
            at++; /* `inline code` around the whole line */
            len--;
        } else if ((k = shell_prompt(out + at, len - at))) {
            at += k;
            *flags |= WLD_LOG_LINE_COMMAND;
        }
        /* after a stamp, a journal's "HOST PROG[PID]: " */
        size_t j = skip_spaces(out, at, len);
        if (at != before && (k = journal_prefix(out + j, len - j, &host_len))) {
            if (memmem(out + j + host_len, k - host_len, "ollama", 6))
                *flags |= WLD_LOG_LINE_OLLAMA;
            at = j + k;
        }
        if (at == before)
            break;
    }
    while (len > at && (out[len - 1] == ' ' || out[len - 1] == '\t'))
        len--;
    memmove(out, out + at, len - at);
    out[len - at] = '\0';
    /* a pasted command line's --api-key, a URL's password: never quoted back */
    wld_secrets_scrub(out, len - at);
    return len - at;
}

/* The "[53609] " llama-server's router puts before each line of the child on that port. */
long wld_log_leading_pid(const char *s, size_t n)
{
    long v = 0;
    size_t i = 1;
    if (n < 4 || s[0] != '[')
        return 0;
    while (i < n && i < 9 && is_digit(s[i]))
        v = v * 10 + (s[i++] - '0');
    return i > 1 && i + 1 < n && s[i] == ']' && s[i + 1] == ' ' ? v : 0;
}
