/* The log reader (see wld/logscan.h): lines (cleaned by src/log/logclean.c), and the
 * dispatch of each marker found to its fact extractor (src/log/logfacts.c) or signature
 * pattern. */
#include "wld/logscan.h"

#include <string.h>

#include "wld/acscan.h"
#include "wld/logcodes.h"
#include "wld/logpattern.h"
#include "wld/rules.h"
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
    bool *unless_code;    /* takes no line stating an error code the table knows */
    const cJSON **except; /* the signature's "except": texts whose line it does not take */
    size_t n_sigs;
    struct wld_codetab *codes; /* the rules' error codes; NULL without rules */
};

struct wld_logscan {
    struct wld_log_facts f;
    const struct wld_logmatch *m;
    struct wld_logmatch *owned; /* when wld_logscan_new compiled it */
    struct wld_log_hit *hits;
    size_t n_hits;
    struct wld_loglines lines; /* the serial reader's first stage */
    bool input_apart;          /* the first stage ran apart and its counts are in f */
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
};

/* ---- dispatch ---- */

struct line_ctx {
    struct wld_logscan *s;
    struct wld_log_line l; /* its at set for each marker */
};

/* whether the line holds one of a signature's "except" texts: a line of that shape it does
 * not take (ollama trying a 32-bit libcuda in passing: "wrong ELF class: ELFCLASS32") */
static bool excepted(const cJSON *except, const char *line)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, except)
    {
        if (cJSON_IsString(e) && strstr(line, e->valuestring))
            return true;
    }
    return false;
}

static void on_hit(void *ctx, int id, size_t end)
{
    struct line_ctx *c = ctx;
    struct wld_logscan *s = c->s;
    if (s->stamp[id] == c->l.no)
        return;
    if (id < WLD_LOG_EXTRACTORS) {
        s->stamp[id] = c->l.no;
        c->l.at = c->l.s + end;
        wld_log_extract(&s->f, id, &c->l);
        return;
    }
    const struct sig_pat *p = &s->m->pats[id - WLD_LOG_EXTRACTORS];
    if (s->sig_stamp[p->sig] == c->l.no || s->n_matched == WLD_ARRAY_SIZE(s->matched))
        return; /* the signature has this line already */
    /* most anchors' lines are not the pattern's: tested first without the captures, so
     * only a match allocates them (and is matched again to fill them) */
    if (!wld_logpat_match(&p->pat, c->l.s, c->l.len, end, NULL) ||
        excepted(s->m->except[p->sig], c->l.s))
        return;
    cJSON *caps = cJSON_CreateObject();
    wld_logpat_match(&p->pat, c->l.s, c->l.len, end, caps);
    s->stamp[id] = c->l.no;
    s->sig_stamp[p->sig] = c->l.no;
    s->matched[s->n_matched].sig = p->sig;
    s->matched[s->n_matched++].caps = caps;
}

/* Every signature whose pattern matched the line records it; a fallback one only when
 * no other did (a catch-all for "CUDA error: ..." under the specific errors), and one with
 * "unless_code" only when the line states no error code the rules' table knows (the
 * signature error-code says that one). */
static void record_hits(struct wld_logscan *s, const char *line, long no, bool known_code)
{
    bool specific = false;
    for (size_t i = 0; i < s->n_matched; i++)
        specific |= !s->hits[s->matched[i].sig].fallback;
    for (size_t i = 0; i < s->n_matched; i++) {
        struct wld_log_hit *h = &s->hits[s->matched[i].sig];
        cJSON *caps = s->matched[i].caps;
        if ((!h->fallback || !specific) && !(known_code && s->m->unless_code[s->matched[i].sig])) {
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

/* The line's markers: searched here, or replayed as the first stage found them. */
static void line_marks(struct wld_logscan *s,
                       struct line_ctx *c,
                       const struct wld_log_mark *marks,
                       size_t n_marks)
{
    if (!marks) {
        wld_ac_scan(s->m->ac, c->l.s, c->l.len, on_hit, c);
        return;
    }
    for (size_t i = 0; i < n_marks; i++)
        on_hit(c, marks[i].id, marks[i].end);
}

void wld_logscan_apply(struct wld_logscan *s,
                       const struct wld_log_prepped *p,
                       const struct wld_log_mark *marks,
                       size_t n_marks)
{
    struct wld_log_facts *f = &s->f;
    long no = ++f->lines;
    if (p->cut)
        f->cut_lines++;
    f->line_pid = p->pid;
    if (p->flags & WLD_LOG_LINE_COMMAND) {
        f->command_lines++;
        wld_log_note_prompt(f, p->raw, p->raw_len, no);
    }
    if (p->flags & WLD_LOG_LINE_OLLAMA)
        f->ollama = true;
    wld_log_line_begin(f, p->clean, p->len, no);
    if (p->len > 0) {
        struct line_ctx c = { s, { p->clean, p->len, p->clean, no, p->flags } };
        line_marks(s, &c, marks, n_marks);
        bool known_code = f->code_line == no && s->m->codes &&
                          wld_log_codes_read(s->m->codes, f, p->clean, p->len, no);
        if (s->n_matched)
            record_hits(s, p->clean, no, known_code);
    }
}

void wld_log_prep(const char *raw, size_t n, bool cut, char *clean, struct wld_log_prepped *p)
{
    p->cut = cut;
    p->pid = wld_log_leading_pid(raw, n);
    p->len = wld_log_clean_line(raw, n, clean, &p->flags);
    p->clean = clean;
    p->raw = p->flags & WLD_LOG_LINE_COMMAND ? raw : NULL;
    p->raw_len = p->raw ? n : 0;
}

/* a line of the serial reader (wld_logscan_feed) */
static void on_line(void *ctx, const char *raw, size_t n, bool cut)
{
    struct wld_logscan *s = ctx;
    struct wld_log_prepped p;
    wld_log_prep(raw, n, cut, s->clean, &p);
    wld_logscan_apply(s, &p, NULL, 0);
}

void wld_logscan_feed(struct wld_logscan *s, const char *buf, size_t n)
{
    wld_loglines_feed(&s->lines, buf, n);
}

void wld_logscan_set_input(struct wld_logscan *s, const struct wld_loglines *ll)
{
    s->f.bytes = ll->bytes;
    s->f.nul_bytes = ll->nul_bytes;
    s->f.utf16 = ll->utf16;
    s->input_apart = true;
}

void wld_logscan_finish(struct wld_logscan *s)
{
    wld_loglines_finish(&s->lines);
    if (!s->input_apart)
        wld_logscan_set_input(s, &s->lines);
    wld_log_facts_finish(&s->f);
}

const struct wld_ac *wld_logmatch_ac(const struct wld_logmatch *m)
{
    return m->ac;
}

/* ---- setup ---- */

struct wld_logmatch *wld_logmatch_new(const struct wld_rules *rules)
{
    struct wld_logmatch *m = wld_xcalloc(1, sizeof(*m));
    m->ac = wld_ac_new();
    wld_log_add_markers(m->ac);
    /* without rules (a gather, which has none): the extractors' facts alone */
    const cJSON *sigs = rules ? wld_rules_section(rules, "signatures") : NULL;
    m->n_sigs = (size_t) cJSON_GetArraySize(sigs);
    m->sigs = wld_xcalloc(m->n_sigs ? m->n_sigs : 1, sizeof(*m->sigs));
    m->fallback = wld_xcalloc(m->n_sigs ? m->n_sigs : 1, sizeof(*m->fallback));
    m->unless_code = wld_xcalloc(m->n_sigs ? m->n_sigs : 1, sizeof(*m->unless_code));
    m->except = wld_xcalloc(m->n_sigs ? m->n_sigs : 1, sizeof(*m->except));
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
        m->unless_code[k] = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sig, "unless_code"));
        m->except[k] = cJSON_GetObjectItemCaseSensitive(sig, "except");
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
    /* after the signatures' automaton: the rules' thread parses the codes meanwhile */
    m->codes = rules ? wld_codetab_new(wld_rules_section(rules, "error_codes")) : NULL;
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
    free(m->unless_code);
    free(m->except);
    wld_codetab_free(m->codes);
    free(m);
}

struct wld_logscan *wld_logscan_with(const struct wld_logmatch *m)
{
    struct wld_logscan *s = wld_xcalloc(1, sizeof(*s));
    wld_log_facts_init(&s->f);
    wld_loglines_init(&s->lines, on_line, s);
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
