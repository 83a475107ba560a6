/* Markdown for a GitHub issue, discussion or step summary. check's report: a line about the
 * host, a table of verdicts with their fixes, every check's evidence folded in <details>,
 * and what was redacted. Any command's findings (lint's, log's): the same heading, tally
 * and table of problems, from wld/findings.h. GitHub-flavoured Markdown; nothing in it
 * runs or loads anything. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/pipeline.h"
#include "wld/util.h"

#include "report_md_impl.h"

static const char *const marks[WLD_STATUS_COUNT] = { "✅ pass", "⚠️ warn", "❌ fail",
                                                     "⏭️ skip", "💥 error" };

/* Text outside code spans, in a table cell: no line breaks, no '|' that would end the
 * cell, no HTML, and no character that would turn into emphasis, a strikethrough or a
 * link (a path with two '~' would be struck through). */
static const char *const text_escapes[256] = {
    ['|'] = "\\|",  ['\n'] = "<br>", ['\r'] = "",     ['<'] = "&lt;",
    ['>'] = "&gt;", ['&'] = "&amp;", ['\\'] = "\\\\", ['*'] = "\\*",
    ['_'] = "\\_",  ['~'] = "\\~",   ['['] = "\\[",   [']'] = "\\]",
};
/* Inside a code span everything shows as written: only the '|' a table would take for the
 * end of the cell is escaped (GFM removes the backslash), and a line break is a space. */
static const char *const code_escapes[256] = { ['|'] = "\\|", ['\n'] = " ", ['\r'] = "" };

/* The length of the run of backticks at s. */
static size_t ticks(const char *s)
{
    size_t n = 0;
    while (s[n] == '`')
        n++;
    return n;
}

/* A fix like "Run `mkdir -p ~/models && mv x ~/models/`": its code spans are copied as
 * they are (so the command a user copies from GitHub is the real one, not "&amp;&amp;"),
 * the text around them is escaped. A backtick run without its closing run is text. */
void wld_put_md_cell(FILE *out, const char *s)
{
    const char *p = s;
    while (*p) {
        const char *tick = strchr(p, '`');
        const char *close = NULL;
        size_t n = 0;
        if (tick) {
            n = ticks(tick);
            for (const char *q = strchr(tick + n, '`'); q; q = strchr(q + ticks(q), '`'))
                if (ticks(q) == n) {
                    close = q;
                    break;
                }
        }
        size_t plain = tick ? (size_t) (tick - p) : strlen(p);
        char *text = wld_xstrndup(p, close ? plain : plain + n);
        wld_put_escaped(out, text, text_escapes, false);
        if (!close && tick) /* an unmatched run: literal backticks */
            for (size_t i = 0; i < n; i++)
                fputs("\\`", out);
        free(text);
        if (!close) {
            p = tick ? tick + n : p + plain;
            continue;
        }
        char *code = wld_xstrndup(tick + n, (size_t) (close - tick - n));
        fwrite(tick, 1, n, out);
        wld_put_escaped(out, code, code_escapes, false);
        fwrite(close, 1, n, out);
        free(code);
        p = close + n;
    }
}

/* A code fence longer than any run of backticks in text, so the text cannot close it. */
static void put_fence(FILE *out, const char *text)
{
    size_t run = 0, longest = 0;
    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
        fputc('`', out);
}

static void put_host_line(FILE *out, const cJSON *host)
{
    const char *platform = wld_fact_str(host, "platform");
    const char *distro = wld_fact_str(host, "distro");
    const char *kernel = wld_fact_str(host, "kernel");
    const char *driver = wld_fact_str(host, "driver");
    const char *cuda = wld_fact_str(host, "driver_cuda");
    if (platform)
        fprintf(out, " · %s",
                strcmp(platform, "wsl2") == 0   ? "WSL2"
                : strcmp(platform, "wsl1") == 0 ? "WSL1"
                                                : "native Linux");
    if (distro)
        fprintf(out, " · %s", distro);
    if (kernel)
        fprintf(out, " · kernel `%s`", kernel);
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(host, "gpus"))
    {
        fputs(" · ", out);
        wld_put_md_cell(out, wld_fact_str(g, "name") ? wld_fact_str(g, "name") : "?");
    }
    const char *llama = wld_fact_str(host, "llama_version");
    if (llama) {
        fputs(" · llama.cpp ", out);
        wld_put_md_cell(out, llama);
    }
    if (driver) {
        fputs(" · driver ", out);
        wld_put_md_cell(out, driver);
    }
    if (cuda) {
        fputs(" (CUDA ", out);
        wld_put_md_cell(out, cuda);
        fputs(")", out);
    }
}

/* A check judged per runtime: a row for each runtime other than the one shown. */
static void put_other_runtimes(FILE *out, const struct wld_result *res)
{
    struct wld_runtime_verdict v;
    for (int i = 0; wld_result_other_runtime(res, &i, &v);) {
        fprintf(out, "| %s | ↳ `%s` | ", marks[v.status], res->check->id);
        wld_put_md_cell(out, v.summary);
        fputs(" | ", out);
        if (v.fix)
            wld_put_md_cell(out, v.fix);
        fputs(" |\n", out);
    }
}

void wld_put_md_findings(const struct wld_report *r, FILE *out)
{
    cJSON *host = wld_report_host(r);
    fprintf(out, "### wsl-llm-doctor report\n\n`wsl-llm-doctor %s` · rules %s", WLD_VERSION,
            wld_rules_version(r->rules));
    put_host_line(out, host);
    cJSON_Delete(host);
    fprintf(out, "\n\n**%u failed, %u warned**, %u passed, ", r->counts[WLD_FAIL],
            r->counts[WLD_WARN], r->counts[WLD_PASS]);
    wld_put_skipped(out, r);
    fprintf(out, ", %u error%s · exit %d\n\n", r->counts[WLD_ERROR],
            r->counts[WLD_ERROR] == 1 ? "" : "s", r->exit_code);

    fputs("| status | check | finding | fix |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        fprintf(out, "| %s | `%s` | ", marks[res->status], res->check->id);
        wld_put_md_cell(out, res->summary);
        fputs(" | ", out);
        if (res->status != WLD_PASS && res->status != WLD_SKIP)
            wld_put_md_cell(out, res->fix);
        else if (res->cause) /* the cause's fix applies */
            fprintf(out, "follows from `%s`", res->cause->id);
        fputs(" |\n", out);
        put_other_runtimes(out, res);
    }
}

void wld_put_md_evidence(FILE *out, const struct wld_result *res, bool timed)
{
    char *json = cJSON_Print(res->evidence);
    fprintf(out, "\n#### `%s` (%s", res->check->id, wld_status_name(res->status));
    if (res->cause)
        fprintf(out, ": follows from `%s` %s, would be %s", res->cause->id, res->cause_outcome,
                wld_status_name(res->own_status));
    if (timed)
        fprintf(out, ", %.1f ms", res->duration_ms);
    fputs(")\n\n", out);
    put_fence(out, json);
    fputs("json\n", out);
    fputs(json, out);
    fputc('\n', out);
    put_fence(out, json);
    fputc('\n', out);
    cJSON_free(json);
}

void wld_put_md_redacted(const struct wld_report *r, FILE *out)
{
    if (r->redacted_text)
        fprintf(out,
                "\n<sub>Redacted: %s; each is replaced everywhere by the same token "
                "(`user1`, `host0001`, ...).</sub>\n",
                r->redacted_text);
    else if (r->redacted)
        fputs("\n<sub>Redacted: no personal values were found.</sub>\n", out);
}

void wld_render_markdown(const struct wld_report *r, FILE *out)
{
    wld_put_md_findings(r, out);
    fprintf(out, "\n<details><summary>Evidence (%zu check%s, %.0f ms)</summary>\n", r->n,
            r->n == 1 ? "" : "s", r->total_ms);
    for (size_t i = 0; i < r->n; i++)
        wld_put_md_evidence(out, &r->results[i], true);
    fputs("\n</details>\n", out);
    wld_put_md_redacted(r, out);
}

/* A finding's place: `file:line:col` in a file, else the words of where it is ("lines 3,
 * 9"), else the file. */
static void put_place(FILE *out, const struct wld_item *x)
{
    if (x->file && (x->col || !x->where)) {
        fputc('`', out);
        wld_put_escaped(out, x->file, code_escapes, true);
        if (x->line)
            fprintf(out, ":%u:%u", x->line, x->col);
        fputc('`', out);
    } else if (x->where) {
        wld_put_escaped(out, x->where, text_escapes, true);
    }
}

void wld_render_findings_md(const struct wld_findings *f, FILE *out)
{
    fprintf(out, "### wsl-llm-doctor %s\n\n`wsl-llm-doctor %s` · rules %s",
            f->title ? f->title : f->command, WLD_VERSION, f->rules_version);
    if (f->context) {
        fputs(" · ", out);
        wld_put_escaped(out, f->context, text_escapes, true);
    }
    fputs("\n\n", out);
    if (f->lead) {
        fprintf(out, "**%s:** ", f->lead_label ? f->lead_label : "About");
        wld_put_escaped(out, f->lead, text_escapes, true);
        fputs("\n\n", out);
    }
    fprintf(out, "**%u failed, %u warned** · exit %d\n\n",
            f->counts[WLD_FAIL] + f->counts[WLD_ERROR], f->counts[WLD_WARN], f->exit_code);
    if (f->n_items)
        fputs("| status | where | finding | fix | rule |\n|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < f->n_items; i++) {
        const struct wld_item *x = &f->items[i];
        fprintf(out, "| %s | ", marks[x->status]);
        put_place(out, x);
        fputs(" | ", out);
        wld_put_md_cell(out, x->summary);
        fputs(" | ", out);
        if (x->fix && x->status != WLD_PASS)
            wld_put_md_cell(out, x->fix);
        fputs(" | `", out);
        wld_put_escaped(out, x->rule, code_escapes, true);
        fputs("` |\n", out);
    }
    if (f->counts[WLD_FAIL] + f->counts[WLD_WARN] + f->counts[WLD_ERROR] == 0)
        fprintf(out, "%s%s\n", f->n_items ? "\n" : "", f->none ? f->none : "No problem found.");
    bool first = true;
    for (size_t i = 0; i < f->n_cases; i++) {
        const struct wld_case *c = &f->cases[i];
        if (c->skipped || c->n || !c->about)
            continue;
        fputs(first ? "\n- `" : "- `", out);
        first = false;
        wld_put_escaped(out, c->name, code_escapes, true);
        fputs("`: pass (", out);
        wld_put_escaped(out, c->about, text_escapes, true);
        fputs(")\n", out);
    }
    if (f->appendix)
        fprintf(out, "\n%s", f->appendix);
    if (f->redacted)
        fprintf(out, "\n<sub>Redacted: %s; each is replaced everywhere by the same token.</sub>\n",
                f->redacted);
}
