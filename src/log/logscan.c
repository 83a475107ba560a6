/* The log reader (see wld/logscan.h): lines, their cleaning, and the dispatch of each
 * marker found to its fact extractor (src/log/logfacts.c) or signature pattern. */
#include "wld/logscan.h"

#include <string.h>

#include "wld/acscan.h"
#include "wld/logpattern.h"
#include "wld/rules.h"
#include "wld/secrets.h"
#include "wld/util.h"

#include "logscan_impl.h"

struct sig_pat {
    struct wld_logpat pat;
    size_t sig; /* index into hits */
};

/* What the rules ask the reader to look for, compiled once (read-only afterwards). */
struct wld_logmatch {
    struct wld_ac *ac;
    struct sig_pat *pats;
    size_t n_pats;
    const cJSON **sigs; /* the rules' signatures, in order */
    bool *fallback;
    size_t n_sigs;
};

struct wld_logscan {
    struct wld_log_facts f;
    const struct wld_logmatch *m;
    struct wld_logmatch *owned; /* when wld_logscan_new compiled it */
    struct wld_log_hit *hits;
    size_t n_hits;
    /* the line being read */
    char raw[WLD_LOG_LINE_KEEP + 1];
    size_t raw_len;
    bool raw_cut;
    char clean[WLD_LOG_LINE_KEEP + 1];
    /* per line: which extractor and pattern ran (stamps of the line number) */
    long *stamp;
    int n_ids;
    long *sig_stamp; /* per signature: the last line it matched */
    struct {
        size_t sig;
        cJSON *caps;
    } matched[16]; /* the signatures the line matched */
    size_t n_matched;
    /* the input's encoding */
    int bom_state; /* 0: start of input, 1: decided */
    bool utf16;
    unsigned char u16_carry[4];
    int u16_n;
    unsigned u16_high; /* a high surrogate waiting for its low half */
};

/* ---- cleaning ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
           c == '-' || c == '.';
}

/* ESC sequences out, controls to spaces, a carriage return's overwritten text out. */
static size_t strip_controls(const char *in, size_t n, char *out)
{
    size_t w = 0, line_start = 0, i = 0;
    /* most lines hold no control at all: copy up to the first one in one go */
    while (i < n && (unsigned char) in[i] >= 0x20 && in[i] != 0x7f)
        i++;
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
    size_t i = 0;
    while (i < n && i < 64 && is_word(s[i]))
        i++;
    if (i == 0)
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

/* ---- dispatch ---- */

struct line_ctx {
    struct wld_logscan *s;
    const char *line;
    size_t len;
    long no;
    unsigned flags;
};

static void on_hit(void *ctx, int id, size_t end)
{
    struct line_ctx *c = ctx;
    struct wld_logscan *s = c->s;
    if (s->stamp[id] == c->no)
        return;
    if (id < WLD_LOG_EXTRACTORS) {
        s->stamp[id] = c->no;
        wld_log_extract(&s->f, id, c->line, c->len, end, c->no, c->flags);
        return;
    }
    const struct sig_pat *p = &s->m->pats[id - WLD_LOG_EXTRACTORS];
    if (s->sig_stamp[p->sig] == c->no || s->n_matched == WLD_ARRAY_SIZE(s->matched))
        return; /* the signature has this line already */
    cJSON *caps = cJSON_CreateObject();
    if (!wld_logpat_match(&p->pat, c->line, c->len, end, caps)) {
        cJSON_Delete(caps);
        return;
    }
    s->stamp[id] = c->no;
    s->sig_stamp[p->sig] = c->no;
    s->matched[s->n_matched].sig = p->sig;
    s->matched[s->n_matched++].caps = caps;
}

/* Every signature whose pattern matched the line records it; a fallback one only when
 * no other did (a catch-all for "CUDA error: ..." under the specific errors). */
static void record_hits(struct wld_logscan *s, const char *line, long no)
{
    bool specific = false;
    for (size_t i = 0; i < s->n_matched; i++)
        specific |= !s->hits[s->matched[i].sig].fallback;
    for (size_t i = 0; i < s->n_matched; i++) {
        struct wld_log_hit *h = &s->hits[s->matched[i].sig];
        cJSON *caps = s->matched[i].caps;
        if (!h->fallback || !specific) {
            h->count++;
            if (h->n_lines < WLD_LOG_MAX_LINES)
                h->lines[h->n_lines++] = no;
            if (!h->caps) {
                h->caps = caps;
                caps = NULL;
                wld_str_copy(h->quote, sizeof(h->quote), line);
            }
        }
        cJSON_Delete(caps);
    }
    s->n_matched = 0;
}

/* The "[53609] " llama-server's router puts before each line of the child on that port. */
static long leading_pid(const char *s, size_t n)
{
    long v = 0;
    size_t i = 1;
    if (n < 4 || s[0] != '[')
        return 0;
    while (i < n && i < 9 && is_digit(s[i]))
        v = v * 10 + (s[i++] - '0');
    return i > 1 && i + 1 < n && s[i] == ']' && s[i + 1] == ' ' ? v : 0;
}

static void end_line(struct wld_logscan *s)
{
    struct wld_log_facts *f = &s->f;
    long no = ++f->lines;
    if (s->raw_cut)
        f->cut_lines++;
    unsigned flags = 0;
    f->line_pid = leading_pid(s->raw, s->raw_len);
    size_t len = wld_log_clean_line(s->raw, s->raw_len, s->clean, &flags);
    s->raw_len = 0;
    s->raw_cut = false;
    if (flags & WLD_LOG_LINE_COMMAND)
        f->command_lines++;
    if (flags & WLD_LOG_LINE_OLLAMA)
        f->ollama = true;
    wld_log_line_begin(f, s->clean, len, no);
    if (len > 0) {
        struct line_ctx c = { s, s->clean, len, no, flags };
        wld_ac_scan(s->m->ac, s->clean, len, on_hit, &c);
        if (s->n_matched)
            record_hits(s, s->clean, no);
    }
}

static void put_byte_run(struct wld_logscan *s, const char *p, size_t n)
{
    long nul = 0;
    for (size_t i = 0; i < n; i++) /* a loop the compiler vectorizes */
        nul += p[i] == '\0';
    s->f.nul_bytes += nul;
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t) (nl - p) : n;
        size_t room = WLD_LOG_LINE_KEEP - s->raw_len;
        if (take > room) {
            s->raw_cut = true;
            memcpy(s->raw + s->raw_len, p, room);
            s->raw_len += room;
        } else {
            memcpy(s->raw + s->raw_len, p, take);
            s->raw_len += take;
        }
        if (!nl)
            return;
        end_line(s);
        p = nl + 1;
        n -= take + 1;
    }
}

/* UTF-16LE to UTF-8, a few bytes at a time */
static void put_utf16(struct wld_logscan *s, const unsigned char *p, size_t n)
{
    char out[1024];
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        s->u16_carry[s->u16_n++] = p[i];
        if (s->u16_n < 2)
            continue;
        unsigned u = (unsigned) s->u16_carry[0] | (unsigned) s->u16_carry[1] << 8;
        s->u16_n = 0;
        if (u >= 0xd800 && u < 0xdc00) {
            s->u16_high = u;
            continue;
        }
        unsigned cp = u;
        if (u >= 0xdc00 && u < 0xe000)
            cp = s->u16_high ? 0x10000 + ((s->u16_high - 0xd800) << 10) + (u - 0xdc00) : 0xfffd;
        s->u16_high = 0;
        if (cp < 0x80) {
            out[w++] = (char) cp;
        } else if (cp < 0x800) {
            out[w++] = (char) (0xc0 | cp >> 6);
            out[w++] = (char) (0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out[w++] = (char) (0xe0 | cp >> 12);
            out[w++] = (char) (0x80 | ((cp >> 6) & 0x3f));
            out[w++] = (char) (0x80 | (cp & 0x3f));
        } else {
            out[w++] = (char) (0xf0 | cp >> 18);
            out[w++] = (char) (0x80 | ((cp >> 12) & 0x3f));
            out[w++] = (char) (0x80 | ((cp >> 6) & 0x3f));
            out[w++] = (char) (0x80 | (cp & 0x3f));
        }
        if (w > sizeof(out) - 8) {
            put_byte_run(s, out, w);
            w = 0;
        }
    }
    put_byte_run(s, out, w);
}

void wld_logscan_feed(struct wld_logscan *s, const char *buf, size_t n)
{
    s->f.bytes += (long) n;
    if (s->bom_state == 0 && n > 0) {
        /* the first bytes decide; a BOM split over two feeds is not worth the state */
        s->bom_state = 1;
        if (n >= 2 && (unsigned char) buf[0] == 0xff && (unsigned char) buf[1] == 0xfe) {
            s->utf16 = s->f.utf16 = true;
            buf += 2;
            n -= 2;
        } else if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
            buf += 3;
            n -= 3;
        }
    }
    if (s->utf16)
        put_utf16(s, (const unsigned char *) buf, n);
    else
        put_byte_run(s, buf, n);
}

void wld_logscan_finish(struct wld_logscan *s)
{
    if (s->raw_len > 0 || s->raw_cut)
        end_line(s);
    wld_log_facts_finish(&s->f);
}

/* ---- setup ---- */

struct wld_logmatch *wld_logmatch_new(const struct wld_rules *rules)
{
    struct wld_logmatch *m = wld_xcalloc(1, sizeof(*m));
    m->ac = wld_ac_new();
    wld_log_add_markers(m->ac);
    /* without rules (a gather, which has none): the extractors' facts alone */
    const cJSON *sigs = rules ? cJSON_GetObjectItemCaseSensitive(rules->doc, "signatures") : NULL;
    m->n_sigs = (size_t) cJSON_GetArraySize(sigs);
    m->sigs = wld_xcalloc(m->n_sigs ? m->n_sigs : 1, sizeof(*m->sigs));
    m->fallback = wld_xcalloc(m->n_sigs ? m->n_sigs : 1, sizeof(*m->fallback));
    size_t k = 0, n_pats = 0;
    const cJSON *sig;
    cJSON_ArrayForEach(sig, sigs)
    {
        n_pats += (size_t) cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(sig, "match"));
    }
    m->pats = wld_xcalloc(n_pats ? n_pats : 1, sizeof(*m->pats));
    cJSON_ArrayForEach(sig, sigs)
    {
        m->sigs[k] = sig;
        m->fallback[k] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sig, "fallback"));
        const cJSON *pm;
        cJSON_ArrayForEach(pm, cJSON_GetObjectItemCaseSensitive(sig, "match"))
        {
            struct sig_pat *p = &m->pats[m->n_pats];
            char *why = NULL;
            if (!cJSON_IsString(pm) || wld_logpat_compile(pm->valuestring, &p->pat, &why) < 0) {
                free(why); /* the rules loader refused such a pattern already */
                continue;
            }
            p->sig = k;
            const struct wld_logpat_seg *a = &p->pat.seg[p->pat.anchor];
            wld_ac_add(m->ac, a->text, a->len, WLD_LOG_EXTRACTORS + (int) m->n_pats);
            m->n_pats++;
        }
        k++;
    }
    wld_ac_build(m->ac);
    return m;
}

void wld_logmatch_free(struct wld_logmatch *m)
{
    if (!m)
        return;
    wld_ac_free(m->ac);
    for (size_t i = 0; i < m->n_pats; i++)
        wld_logpat_release(&m->pats[i].pat);
    free(m->pats);
    free(m->sigs);
    free(m->fallback);
    free(m);
}

struct wld_logscan *wld_logscan_with(const struct wld_logmatch *m)
{
    struct wld_logscan *s = wld_xcalloc(1, sizeof(*s));
    wld_log_facts_init(&s->f);
    s->m = m;
    s->n_hits = m->n_sigs;
    s->hits = wld_xcalloc(s->n_hits ? s->n_hits : 1, sizeof(*s->hits));
    for (size_t k = 0; k < m->n_sigs; k++) {
        s->hits[k].sig = m->sigs[k];
        s->hits[k].fallback = m->fallback[k];
    }
    s->n_ids = WLD_LOG_EXTRACTORS + (int) m->n_pats;
    s->stamp = wld_xcalloc((size_t) s->n_ids, sizeof(long));
    s->sig_stamp = wld_xcalloc(s->n_hits ? s->n_hits : 1, sizeof(long));
    return s;
}

struct wld_logscan *wld_logscan_new(const struct wld_rules *rules)
{
    struct wld_logmatch *m = wld_logmatch_new(rules);
    struct wld_logscan *s = wld_logscan_with(m);
    s->owned = m;
    return s;
}

void wld_logscan_free(struct wld_logscan *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_hits; i++)
        cJSON_Delete(s->hits[i].caps);
    for (size_t i = 0; i < s->n_matched; i++)
        cJSON_Delete(s->matched[i].caps);
    wld_logmatch_free(s->owned);
    free(s->hits);
    free(s->stamp);
    free(s->sig_stamp);
    free(s);
}

const struct wld_log_facts *wld_logscan_facts(const struct wld_logscan *s)
{
    return &s->f;
}

const struct wld_log_hit *wld_logscan_hits(const struct wld_logscan *s, size_t *n)
{
    *n = s->n_hits;
    return s->hits;
}
