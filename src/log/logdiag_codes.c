/* Error codes as findings (see wld/logcodes.h). The signature that observes "error_codes"
 * (rules/log.json's error-code) makes one finding per code the rules' table knows, in the
 * signature's words with the code's own meaning, check, status, fix and the checks to run,
 * unless a finding made before it explains the code already: one that cites a line
 * stating it, or a specific (not fallback) signature's under the same check, which says
 * the cause more narrowly (one cause, one finding). A code only ever seen where a program
 * tried a library and went on to the next (ollama's GPU discovery) gives none when the
 * signature's "unless_tried" conditions hold and a GPU shows after it (the search found one
 * after all); after the last line showing a GPU, it is the GPU lost. A row's
 * "when" variants change its check, fix and checks to run where the log shows a condition
 * (the same code in a container has another cause).
 *
 * The other way round, a finding whose matched lines state a code says what the code
 * means (code_note, for its summary) and which checks to run (code_hint, for its fix): the
 * signature knows where it failed, the code why. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/logcodes.h"
#include "wld/logdiag.h"
#include "wld/rules.h"
#include "wld/util.h"

#include "logdiag_impl.h"

static const cJSON *api_entry(const struct wld_rules *rules, int api)
{
    const cJSON *apis =
            cJSON_GetObjectItemCaseSensitive(wld_rules_section(rules, "error_codes"), "apis");
    return cJSON_GetObjectItemCaseSensitive(apis, wld_code_api_name(api));
}

/* "CUDA error 35 (cudaErrorInsufficientDriver)" */
static void
code_said(const struct wld_rules *rules, const struct wld_log_code *c, char *out, size_t n)
{
    const char *label = wld_fact_str(api_entry(rules, c->api), "label");
    snprintf(out, n, "%s %d (%s)", label ? label : wld_code_api_name(c->api), c->code,
             wld_fact_str(c->row, "name"));
}

/* Whether one of the first n findings explains c already. */
static bool covered(const struct wld_log_report *r,
                    const struct wld_log_facts *f,
                    size_t n,
                    const struct wld_rules *rules,
                    const struct wld_log_code *c)
{
    const cJSON *sigs = wld_rules_section(rules, "signatures");
    const char *check = wld_log_code_str(f, c->row, "check");
    for (size_t i = 0; i < n; i++) {
        const struct wld_log_finding *x = &r->findings[i];
        /* a possibility explains nothing until it is confirmed, but a code that says only
         * "unknown" ("vague") adds nothing to any reading of its line */
        if (x->possible && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->row, "vague")))
            continue;
        for (int k = 0; k < c->n_lines; k++)
            if (wld_log_has_line(x->lines, x->n_lines, c->lines[k]))
                return true;
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(sigs, x->signature);
        if (!x->possible && wld_str_is(x->check, check) &&
            !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "fallback")))
            return true;
    }
    return false;
}

/* A code met trying a library gives none when the signature's "unless_tried" holds and a GPU
 * shows after the code's first line: the search went on and found it. A code after the last
 * line showing a GPU is the GPU lost later, not a detour. */
static bool
tried_gives_none(const struct wld_log_facts *f, const cJSON *sig, const struct wld_log_code *code)
{
    if (code->n_lines > 0 && code->lines[0] > wld_log_last_device_line(f))
        return false;
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(sig, "unless_tried"))
    {
        if (cJSON_IsString(c) && wld_log_condition(f, c->valuestring))
            return true;
    }
    return false;
}

/* The code's words: the signature's texts, the code's status, and as sources the API's
 * table (and where its texts come from, when the log gave the text). */
static cJSON *code_words(const struct wld_rules *rules,
                         const struct wld_log_facts *f,
                         const cJSON *sig,
                         const struct wld_log_code *c)
{
    cJSON *w = cJSON_CreateObject();
    const char *k[] = { "summary", "fix" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(k); i++)
        if (wld_fact_str(sig, k[i]))
            cJSON_AddStringToObject(w, k[i], wld_fact_str(sig, k[i]));
    cJSON_AddStringToObject(w, "status", wld_fact_str(c->row, "status"));
    cJSON *src = cJSON_AddArrayToObject(w, "sources");
    const cJSON *api = api_entry(rules, c->api);
    cJSON_AddItemToArray(src, cJSON_CreateString(wld_fact_str(api, "source")));
    if (c->how == WLD_CODE_TEXT) {
        if (wld_fact_str(api, "texts_source"))
            cJSON_AddItemToArray(src, cJSON_CreateString(wld_fact_str(api, "texts_source")));
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(c->row, "sources"))
        {
            cJSON_AddItemToArray(src, cJSON_Duplicate(s, false));
        }
    }
    /* a "when" variant's own sources: where the cause it names comes from */
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(wld_log_variant(f, c->row), "sources"))
    {
        cJSON_AddItemToArray(src, cJSON_Duplicate(s, false));
    }
    return w;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* The finding of code c, its lines those of c and of the codes merged into it. */
static void code_finding(struct wld_log_report *r,
                         const struct wld_log_facts *f,
                         const struct wld_rules *rules,
                         const cJSON *sig,
                         const cJSON *base,
                         const struct wld_log_hit *lines_of,
                         const struct wld_log_code *c)
{
    char said[160];
    code_said(rules, c, said, sizeof(said));
    struct wld_buf checks;
    wld_buf_init(&checks, 64);
    wld_log_code_checks(f, c->row, &checks);
    struct wld_log_hit h = *lines_of;
    h.sig = sig;
    h.caps = cJSON_CreateObject();
    cJSON_AddStringToObject(h.caps, "code_said", said);
    cJSON_AddStringToObject(h.caps, "code_meaning", wld_log_code_str(f, c->row, "meaning"));
    const char *fix = wld_log_code_str(f, c->row, "fix");
    char *fix_sp = wld_xasprintf("%s%s", fix ? fix : "", fix ? " " : "");
    cJSON_AddStringToObject(h.caps, "code_fix", fix_sp);
    free(fix_sp);
    cJSON_AddStringToObject(h.caps, "code_checks", checks.data ? checks.data : "");
    cJSON *words = code_words(rules, f, sig, c);
    struct wld_log_obs o = { .on = true };
    struct wld_log_finding *x = &r->findings[r->n++];
    wld_log_make_finding(x, f, rules, &h, words, wld_log_code_str(f, c->row, "check"), &o, NULL,
                         base);
    r->counts[x->status]++;
    cJSON_Delete(words);
    cJSON_Delete(h.caps);
    wld_buf_release(&checks);
}

void wld_log_code_findings(struct wld_log_report *r,
                           const struct wld_log_facts *f,
                           const struct wld_rules *rules,
                           const cJSON *sig,
                           const cJSON *base)
{
    /* the codes that make a finding; the runtime's and the driver API's share their numbers
     * (cudaErrorNoDevice and CUDA_ERROR_NO_DEVICE are both 100): one finding says both */
    int first[WLD_LOG_MAX];
    struct wld_log_hit lines[WLD_LOG_MAX] = { 0 };
    int n = 0;
    for (int i = 0; i < f->n_codes; i++) {
        const struct wld_log_code *c = &f->codes[i];
        if (!c->row || (c->tried && tried_gives_none(f, sig, c)) || covered(r, f, r->n, rules, c))
            continue;
        int k = 0;
        while (k < n && !(f->codes[first[k]].code == c->code &&
                          wld_str_is(wld_log_code_str(f, f->codes[first[k]].row, "check"),
                                     wld_log_code_str(f, c->row, "check"))))
            k++;
        if (k == n)
            first[n++] = i;
        struct wld_log_hit *h = &lines[k];
        h->count += c->count;
        for (int j = 0; j < c->n_lines && h->n_lines < WLD_LOG_MAX_LINES; j++)
            if (!wld_log_has_line(h->lines, h->n_lines, c->lines[j]))
                h->lines[h->n_lines++] = c->lines[j];
    }
    for (int k = 0; k < n; k++) {
        qsort(lines[k].lines, (size_t) lines[k].n_lines, sizeof(long), cmp_long);
        code_finding(r, f, rules, sig, base, &lines[k], &f->codes[first[k]]);
    }
}
