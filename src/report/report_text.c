/* The report for a person: one line per check with a mark, the fix indented under
 * anything not passing (or, for a check that follows another's finding, that finding), a
 * summary line. Colour only when the caller says so. The mark, the finding's line and its
 * fix are written here for log's text report too (wld/findings.h). */
#include <stdio.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/pipeline.h"
#include "wld/util.h"

#define RESET "\033[0m"
#define BOLD  "\033[1m"
#define DIM   "\033[2m"

static const char *const colors[WLD_STATUS_COUNT] = { "\033[32m", "\033[33m", "\033[31m", DIM,
                                                      "\033[35m" };

/* Writes text with every line after the first indented by `indent` spaces. */
static void put_indented(FILE *out, const char *text, int indent)
{
    for (const char *p = text; *p; p++) {
        fputc(*p, out);
        if (*p == '\n' && p[1])
            fprintf(out, "%*s", indent, "");
    }
}

const char *wld_text_color(const struct wld_render_opts *o, enum wld_status s)
{
    return o->color ? colors[s] : "";
}

const char *wld_text_sgr(const struct wld_render_opts *o, const char *sgr)
{
    return o->color ? sgr : "";
}

void wld_put_text_mark(FILE *out,
                       const struct wld_render_opts *o,
                       enum wld_status s,
                       const char *label,
                       int width,
                       const char *summary)
{
    fprintf(out, "%s%-5s%s  %-*s  ", wld_text_color(o, s), wld_status_upper(s),
            wld_text_sgr(o, RESET), width, label);
    put_indented(out, summary ? summary : "", width + 9);
}

void wld_put_text_fix(FILE *out, const struct wld_render_opts *o, const char *fix)
{
    fprintf(out, "       %sfix:%s ", wld_text_sgr(o, BOLD), wld_text_sgr(o, RESET));
    put_indented(out, fix, 12);
    fputc('\n', out);
}

/* A value past this many bytes is shown clipped: a server's whole /props on one line is
 * not read by anyone at a terminal (--format json keeps it whole). */
#define EVIDENCE_VALUE_MAX 160

static void put_evidence(FILE *out, const cJSON *obj, const char *prefix, int depth)
{
    const cJSON *it;
    int i = 0;
    cJSON_ArrayForEach(it, obj)
    {
        /* the whole dotted key: evidence keys can be host data of any length; an array's
         * items by their index */
        char idx[24];
        snprintf(idx, sizeof(idx), "%d", i++);
        const char *name = cJSON_IsArray(obj) ? idx : it->string ? it->string : "";
        char *key = wld_xasprintf("%s%s%s", prefix, prefix[0] ? "." : "", name);
        bool objects = cJSON_IsArray(it) && cJSON_IsObject(cJSON_GetArrayItem(it, 0));
        if ((cJSON_IsObject(it) || objects) && depth < 3) {
            put_evidence(out, it, key, depth + 1);
            free(key);
            continue;
        }
        char *v = cJSON_IsString(it) ? NULL : cJSON_PrintUnformatted(it);
        /* host data on a terminal: no escape sequences get through */
        char *shown = wld_utf8_fix(v ? v : it->valuestring, true);
        size_t n = strlen(shown);
        if (n > EVIDENCE_VALUE_MAX) {
            size_t cut = EVIDENCE_VALUE_MAX;
            while (cut > 0 && ((unsigned char) shown[cut] & 0xC0) == 0x80)
                cut--; /* not inside a UTF-8 sequence */
            fprintf(out, "        %s: %.*s... (%zu bytes: --format json has it whole)\n", key,
                    (int) cut, shown, n);
        } else {
            fprintf(out, "        %s: %s\n", key, shown);
        }
        free(shown);
        cJSON_free(v);
        free(key);
    }
}

/* A check judged per runtime: the verdicts on the runtimes other than the one shown, each
 * on its line, with its fix when it has a problem. */
static void
put_other_runtimes(FILE *out, const struct wld_result *res, const struct wld_render_opts *o)
{
    struct wld_runtime_verdict v;
    for (int i = 0; wld_result_other_runtime(res, &i, &v);) {
        fprintf(out, "       %salso%s %s%-5s%s ", o->color ? BOLD : "", o->color ? RESET : "",
                o->color ? colors[v.status] : "", wld_status_upper(v.status),
                o->color ? RESET : "");
        put_indented(out, v.summary, 18);
        fputc('\n', out);
        if (v.fix) {
            fprintf(out, "                  %sfix:%s ", o->color ? BOLD : "",
                    o->color ? RESET : "");
            put_indented(out, v.fix, 23);
            fputc('\n', out);
        }
    }
}

void wld_render_text(const struct wld_report *r, const struct wld_render_opts *o, FILE *out)
{
    size_t width = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->results[i].check->id) > width)
            width = strlen(r->results[i].check->id);

    fprintf(out, "%swsl-llm-doctor %s%s  (rules %s", o->color ? BOLD : "", WLD_VERSION,
            o->color ? RESET : "", wld_rules_version(r->rules));
    if (r->root)
        fprintf(out, ", host %s", r->root);
    fputs(")\n\n", out);

    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        wld_put_text_mark(out, o, res->status, res->check->id, (int) width, res->summary);
        if (o->verbose)
            fprintf(out, "  %s(%.1f ms)%s", o->color ? DIM : "", res->duration_ms,
                    o->color ? RESET : "");
        fputc('\n', out);
        if (res->fix && res->status != WLD_PASS && res->status != WLD_SKIP)
            wld_put_text_fix(out, o, res->fix);
        put_other_runtimes(out, res, o);
        const struct wld_result *cause = wld_report_cause(r, res);
        if (cause) { /* in place of its fix: the finding it follows from, whose fix applies */
            fprintf(out, "       %sfollows from %s:%s ", o->color ? BOLD : "", cause->check->id,
                    o->color ? RESET : "");
            put_indented(out, cause->summary, 12);
            fputc('\n', out);
        }
        if (o->verbose && cJSON_GetArraySize(res->evidence) > 0) {
            fputs("       evidence:\n", out);
            put_evidence(out, res->evidence, "", 0);
        }
    }

    /* check --log and ollama's journal: their findings are results too */
    size_t from_log = 0, from_journal = 0;
    for (size_t i = 0; i < r->n; i++) {
        from_log += wld_str_is(r->results[i].from, "log");
        from_journal += wld_str_is(r->results[i].from, "journal");
    }
    size_t checks = r->n - from_log - from_journal;
    fprintf(out, "\n%zu check%s", checks, checks == 1 ? "" : "s");
    if (from_log)
        fprintf(out, " and %zu finding%s of the log", from_log, from_log == 1 ? "" : "s");
    if (from_journal)
        fprintf(out, " and %zu finding%s of ollama's journal", from_journal,
                from_journal == 1 ? "" : "s");
    fprintf(out, ": %u passed, %u warned, %u failed, ", r->counts[WLD_PASS], r->counts[WLD_WARN],
            r->counts[WLD_FAIL]);
    wld_put_skipped(out, r);
    fprintf(out, ", %u error%s", r->counts[WLD_ERROR], r->counts[WLD_ERROR] == 1 ? "" : "s");
    if (o->verbose)
        fprintf(out, " in %.1f ms", r->total_ms);
    fprintf(out, " (exit %d)\n", r->exit_code);
}
