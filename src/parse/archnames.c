/* Architecture names in a runtime's file (see wld/archnames.h). One pass over the section:
 * at every NUL, the bytes before it are walked backwards through a trie of the reversed
 * names, so that all names cost one walk of a few bytes, whatever their number. */
#include "wld/archnames.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#define CHUNK (1u << 20)
/* bytes kept from the chunk before: the longest string looked at backwards */
#define KEEP 512u
/* the strings only llama.cpp's table code holds (llama-arch.cpp's LLM_KV_NAMES since GGUF) */
static const char *const sentinels[] = { "general.architecture", "%s.context_length" };
#define N_SENT (sizeof(sentinels) / sizeof(sentinels[0]))
/* ollama's Go engine registered each architecture in a package of its own */
static const char go_prefix[] = "github.com/ollama/ollama/model/models/";

const char *wld_arch_seen_name(enum wld_arch_seen s)
{
    return s == WLD_ARCH_WHOLE ? "whole" : s == WLD_ARCH_TAIL ? "tail" : "absent";
}

int wld_archnames_add(struct wld_archnames *a, const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > WLD_ARCHNAME_MAX)
        return -EINVAL;
    for (const char *p = name; *p; p++)
        if ((unsigned char) *p < 0x20)
            return -EINVAL;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->names[i], name) == 0)
            return 0;
    if (a->n >= WLD_ARCHNAMES_MAX)
        return -E2BIG;
    memcpy(a->names[a->n], name, len + 1);
    a->seen[a->n++] = WLD_ARCH_ABSENT;
    return 0;
}

/* A trie of the reversed names: first child, next sibling; term is the name that ends at
 * the node (an index into the names, then the sentinels), or -1. Node 0 is the root. */
struct node {
    int child, next, term;
    unsigned char c;
};

struct scan {
    struct node *nodes;
    size_t n_nodes;
    const char *names[WLD_ARCHNAMES_MAX + N_SENT];
    enum wld_arch_seen seen[WLD_ARCHNAMES_MAX + N_SENT];
    size_t n;
    bool go_pkgs;
    struct wld_archnames *a;
};

static int child_of(const struct scan *s, int node, unsigned char c)
{
    for (int k = s->nodes[node].child; k >= 0; k = s->nodes[k].next)
        if (s->nodes[k].c == c)
            return k;
    return -1;
}

static void trie_add(struct scan *s, const char *name, int term)
{
    int node = 0;
    for (size_t i = strlen(name); i-- > 0;) {
        unsigned char c = (unsigned char) name[i];
        int k = child_of(s, node, c);
        if (k < 0) {
            k = (int) s->n_nodes++;
            s->nodes[k] =
                    (struct node){ .child = -1, .next = s->nodes[node].child, .term = -1, .c = c };
            s->nodes[node].child = k;
        }
        node = k;
    }
    s->nodes[node].term = term;
}

static void scan_init(struct scan *s, struct wld_archnames *a, bool go_pkgs)
{
    memset(s, 0, sizeof(*s));
    s->a = a;
    s->go_pkgs = go_pkgs;
    for (size_t i = 0; i < a->n; i++)
        s->names[s->n++] = a->names[i];
    for (size_t i = 0; i < N_SENT; i++)
        s->names[s->n++] = sentinels[i];
    /* a node per byte of the names at most, and the root */
    size_t bytes = 1;
    for (size_t i = 0; i < s->n; i++)
        bytes += strlen(s->names[i]);
    s->nodes = wld_xmalloc(bytes * sizeof(*s->nodes));
    s->nodes[0] = (struct node){ .child = -1, .next = -1, .term = -1 };
    s->n_nodes = 1;
    for (size_t i = 0; i < s->n; i++)
        trie_add(s, s->names[i], (int) i);
}

/* The names that end at buf[end] (a NUL): walked backwards from end - 1. A name starting at
 * buf[0] is whole only when buf[0] starts the range (start). */
static void match_names(struct scan *s, const unsigned char *buf, size_t end, bool start)
{
    int node = 0;
    for (size_t i = end; i-- > 0;) {
        node = child_of(s, node, buf[i]);
        if (node < 0)
            return;
        int t = s->nodes[node].term;
        if (t < 0)
            continue;
        enum wld_arch_seen now =
                (i == 0 ? start : buf[i - 1] == 0) ? WLD_ARCH_WHOLE : WLD_ARCH_TAIL;
        if (now > s->seen[t])
            s->seen[t] = now;
    }
}

/* The package of a Go function name "github.com/ollama/ollama/model/models/PKG.Func". */
static void match_pkg(struct scan *s, const unsigned char *str, size_t len)
{
    struct wld_archnames *a = s->a;
    size_t plen = sizeof(go_prefix) - 1, k = 0;
    if (len <= plen || memcmp(str, go_prefix, plen) != 0)
        return;
    const unsigned char *p = str + plen;
    while (k < len - plen && k < WLD_ARCHNAMES_PKG_LEN - 1 &&
           ((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9') || p[k] == '_'))
        k++;
    if (k == 0 || k == len - plen || p[k] != '.')
        return;
    for (size_t i = 0; i < a->n_pkgs; i++)
        if (strlen(a->pkgs[i]) == k && memcmp(a->pkgs[i], p, k) == 0)
            return;
    if (a->n_pkgs < WLD_ARCHNAMES_PKG_MAX) {
        memcpy(a->pkgs[a->n_pkgs], p, k);
        a->pkgs[a->n_pkgs++][k] = '\0';
    }
}

/* Every string ending in buf[from, n): buf[0, from) are bytes kept from before; base is the
 * range offset of buf[0]; *last is the range offset of the last NUL seen (UINT64_MAX for
 * none yet). */
static void scan_buf(struct scan *s,
                     const unsigned char *buf,
                     size_t from,
                     size_t n,
                     uint64_t base,
                     uint64_t *last)
{
    const unsigned char *z = buf + from, *stop = buf + n;
    while ((z = memchr(z, 0, (size_t) (stop - z))) != NULL) {
        size_t end = (size_t) (z - buf);
        uint64_t str0 = *last == UINT64_MAX ? 0 : *last + 1; /* range offset of its start */
        *last = base + end;
        if (s->go_pkgs) {
            if (str0 >= base && str0 < base + end)
                match_pkg(s, buf + (str0 - base), end - (size_t) (str0 - base));
        } else if (end > 0 && buf[end - 1] != 0) {
            match_names(s, buf, end, base == 0);
        }
        if (++z == stop)
            break;
    }
}

int wld_archnames_scan(const struct wld_reader *r,
                       uint64_t off,
                       uint64_t len,
                       bool go_pkgs,
                       struct wld_archnames *a)
{
    struct scan s;
    int rc = 0;
    if (off > r->size || len > r->size - off)
        return -EINVAL;
    scan_init(&s, a, go_pkgs);
    /* a .rodata of a few kilobytes gets a buffer of its size, not a chunk's */
    unsigned char *buf = wld_xmalloc(KEEP + (len < CHUNK ? (size_t) len : CHUNK));
    size_t kept = 0;
    uint64_t done = 0, last = UINT64_MAX;
    while (done < len) {
        size_t k = len - done < CHUNK ? (size_t) (len - done) : CHUNK;
        if (!wld_reader_exact(r, off + done, buf + kept, k)) {
            rc = -EIO;
            goto out;
        }
        scan_buf(&s, buf, kept, kept + k, done - kept, &last);
        done += k;
        size_t keep = kept + k < KEEP ? kept + k : KEEP;
        memmove(buf, buf + kept + k - keep, keep);
        kept = keep;
    }
    a->scanned += len;
    if (go_pkgs)
        goto out; /* function names: no architecture table there */
    for (size_t i = 0; i < a->n; i++)
        if (s.seen[i] > a->seen[i])
            a->seen[i] = s.seen[i];
    a->has_table |= s.seen[a->n] != WLD_ARCH_ABSENT && s.seen[a->n + 1] != WLD_ARCH_ABSENT;
out:
    free(buf);
    free(s.nodes);
    return rc;
}

static int scan_file(const struct wld_reader *r, struct wld_archnames *a)
{
    uint64_t off = 0, n = 0;
    int rc = wld_elf_section(r, ".rodata", &off, &n);
    if (rc == 0) {
        a->where = ".rodata";
        rc = wld_archnames_scan(r, off, n, false, a);
    } else {
        /* not ELF, or no section table (stripped with sstrip): the whole file, bounded */
        if (r->size > WLD_ARCHNAMES_FILE_MAX)
            return -EFBIG;
        a->where = "file";
        return wld_archnames_scan(r, 0, r->size, false, a);
    }
    if (rc == 0 && wld_elf_section(r, ".gopclntab", &off, &n) == 0) {
        a->go_engine = true;
        rc = wld_archnames_scan(r, off, n, true, a);
    }
    return rc;
}

int wld_archnames_read(const struct wld_host *h, const char *path, struct wld_archnames *a)
{
    struct wld_file_reader f;
    int rc = wld_reader_open(h, path, &f);
    if (rc < 0)
        return rc;
    rc = scan_file(&f.r, a);
    wld_reader_close(&f);
    return rc;
}
