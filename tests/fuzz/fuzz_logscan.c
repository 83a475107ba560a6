/* The log reader on arbitrary bytes: fed in pieces whose sizes the input chooses, then
 * judged and rendered in every format; and one signature pattern (the bytes before the
 * first NUL) compiled and matched against the rest. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/log_cmd.h"
#include "wld/logpattern.h"
#include "wld/logscan.h"
#include "wld/rules.h"
#include "wld/util.h"

static struct wld_rules *rules;
static struct wld_logmatch *match; /* compiled once: the fuzzer's time goes to the input */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    if (!rules && wld_rules_load_embedded(&rules, &err) < 0)
        abort();
    if (!match)
        match = wld_logmatch_new(rules);
    struct wld_logscan *s = wld_logscan_with(match);
    size_t piece = size ? (size_t) data[0] % 97 + 1 : 1;
    for (size_t at = 0; at < size; at += piece)
        wld_logscan_feed(s, (const char *) data + at, size - at < piece ? size - at : piece);
    wld_logscan_finish(s);
    struct wld_log_report *r = wld_log_diagnose(s, rules, "fuzz.log", NULL);
    FILE *out = fopen("/dev/null", "w");
    struct wld_render_opts ro = { 0 };
    for (int f = WLD_FORMAT_TEXT; f <= WLD_FORMAT_GITHUB; f++)
        wld_render_log(r, (enum wld_format) f, &ro, out);
    wld_log_report_redact(r);
    wld_render_log(r, WLD_FORMAT_JSON, &ro, out);
    fclose(out);
    wld_log_report_free(r);
    wld_logscan_free(s);

    const uint8_t *nul = memchr(data, 0, size);
    if (nul) {
        char *pat = wld_xstrndup((const char *) data, (size_t) (nul - data));
        struct wld_logpat p;
        char *why = NULL;
        if (wld_logpat_compile(pat, &p, &why) == 0) {
            const char *line = (const char *) nul + 1;
            size_t n = size - (size_t) (nul - data) - 1;
            const struct wld_logpat_seg *a = &p.seg[p.anchor];
            for (const char *h = line; n >= a->len && h <= line + n - a->len; h++)
                if (memcmp(h, a->text, a->len) == 0) {
                    cJSON *caps = cJSON_CreateObject();
                    wld_logpat_match(&p, line, n, (size_t) (h - line) + a->len, caps);
                    cJSON_Delete(caps);
                }
            wld_logpat_release(&p);
        }
        free(why);
        free(pat);
    }
    return 0;
}
