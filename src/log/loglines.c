/* The log's bytes as lines (see logscan_impl.h): the first WLD_LOG_LINE_KEEP bytes of each
 * line kept and the rest counted, a UTF-8 byte-order mark dropped, UTF-16LE (what a
 * PowerShell redirect writes) made UTF-8, NUL bytes counted. The first stage of the reader,
 * alone (wld_logscan_feed) or in the thread of src/log/logpipe.c. */
#include <string.h>

#include "logscan_impl.h"

void wld_loglines_init(struct wld_loglines *ll,
                       void (*line)(void *ctx, const char *raw, size_t n, bool cut),
                       void *ctx)
{
    memset(ll, 0, sizeof(*ll));
    ll->line = line;
    ll->ctx = ctx;
}

static void put_byte_run(struct wld_loglines *ll, const char *p, size_t n)
{
    /* a log has none, which memchr says at 32 bytes an instruction; from the first, each
     * byte is counted (a loop the compiler vectorizes) */
    const char *z = memchr(p, '\0', n);
    for (size_t i = z ? (size_t) (z - p) : n; i < n; i++)
        ll->nul_bytes += p[i] == '\0';
    while (n > 0) {
        const char *nl = memchr(p, '\n', n);
        size_t take = nl ? (size_t) (nl - p) : n;
        size_t room = WLD_LOG_LINE_KEEP - ll->raw_len;
        if (take > room) {
            ll->raw_cut = true;
            memcpy(ll->raw + ll->raw_len, p, room);
            ll->raw_len += room;
        } else {
            memcpy(ll->raw + ll->raw_len, p, take);
            ll->raw_len += take;
        }
        if (!nl)
            return;
        ll->raw[ll->raw_len] = '\0';
        ll->line(ll->ctx, ll->raw, ll->raw_len, ll->raw_cut);
        ll->raw_len = 0;
        ll->raw_cut = false;
        p = nl + 1;
        n -= take + 1;
    }
}

/* UTF-16LE to UTF-8, a few bytes at a time */
static void put_utf16(struct wld_loglines *ll, const unsigned char *p, size_t n)
{
    char out[1024];
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        ll->u16_carry[ll->u16_n++] = p[i];
        if (ll->u16_n < 2)
            continue;
        unsigned u = (unsigned) ll->u16_carry[0] | (unsigned) ll->u16_carry[1] << 8;
        ll->u16_n = 0;
        if (u >= 0xd800 && u < 0xdc00) {
            ll->u16_high = u;
            continue;
        }
        unsigned cp = u;
        if (u >= 0xdc00 && u < 0xe000)
            cp = ll->u16_high ? 0x10000 + ((ll->u16_high - 0xd800) << 10) + (u - 0xdc00) : 0xfffd;
        ll->u16_high = 0;
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
            put_byte_run(ll, out, w);
            w = 0;
        }
    }
    put_byte_run(ll, out, w);
}

void wld_loglines_feed(struct wld_loglines *ll, const char *buf, size_t n)
{
    ll->bytes += (long) n;
    if (!ll->bom_decided && n > 0) {
        /* the first bytes decide; a BOM split over two feeds is not worth the state */
        ll->bom_decided = true;
        if (n >= 2 && (unsigned char) buf[0] == 0xff && (unsigned char) buf[1] == 0xfe) {
            ll->utf16 = true;
            buf += 2;
            n -= 2;
        } else if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
            buf += 3;
            n -= 3;
        }
    }
    if (ll->utf16)
        put_utf16(ll, (const unsigned char *) buf, n);
    else
        put_byte_run(ll, buf, n);
}

void wld_loglines_finish(struct wld_loglines *ll)
{
    if (ll->raw_len > 0 || ll->raw_cut) {
        ll->raw[ll->raw_len] = '\0';
        ll->line(ll->ctx, ll->raw, ll->raw_len, ll->raw_cut);
        ll->raw_len = 0;
        ll->raw_cut = false;
    }
}
