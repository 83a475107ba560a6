/* The lint report in every format (see wld/lint.h). */
#include <stdlib.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/lint.h"
#include "wld/util.h"

static const char *const colors[WLD_STATUS_COUNT] = { "\033[32m", "\033[33m", "\033[31m", "\033[2m",
                                                      "\033[35m" };

/* what a file says is the user's: on a terminal no escape sequence of it gets through */
static void put_safe(FILE *out, const char *s)
{
    char *p = wld_str_printable(s, strlen(s));
    fputs(p, out);
    free(p);
}

static void put_where(FILE *out, const struct wld_lint_file *f, const struct wld_lint_finding *x)
{
    put_safe(out, f->path);
    if (x->line)
        fprintf(out, ":%u:%u", x->line, x->col);
}

static void render_text(const struct wld_lint_report *r, const struct wld_render_opts *o, FILE *out)
{
    bool said[WLD_LINT_COMPOSE + 1] = { false };
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_lint_file *f = &r->files[i];
        if (f->skipped) {
            /* a file the user named is always listed; the walk's others with -v */
            if (o->verbose || strstr(f->skipped, "--kind")) {
                put_safe(out, f->path);
                fputs(": skipped: ", out);
                put_safe(out, f->skipped);
                fputc('\n', out);
            }
            continue;
        }
        if (f->n == 0) {
            put_safe(out, f->path);
            fprintf(out, ": %spass%s (%s)\n", o->color ? colors[WLD_PASS] : "",
                    o->color ? "\033[0m" : "", wld_lint_kind_words(f->kind));
        }
        for (size_t k = 0; k < f->n; k++) {
            const struct wld_lint_finding *x = &f->findings[k];
            put_where(out, f, x);
            fprintf(out, ": %s%s%s: ", o->color ? colors[x->status] : "",
                    wld_status_name(x->status), o->color ? "\033[0m" : "");
            put_safe(out, x->message ? x->message : "");
            fprintf(out, " [%s]\n", x->rule);
            if (x->fix && x->status != WLD_PASS) {
                fputs("    fix: ", out);
                put_safe(out, x->fix);
                fputc('\n', out);
            }
        }
        if (f->more) {
            put_safe(out, f->path);
            fprintf(out, ": and %u more finding%s, not listed\n", f->more, f->more == 1 ? "" : "s");
        }
        said[f->kind] = true;
    }
    for (int k = WLD_LINT_WSLCONFIG; k <= WLD_LINT_COMPOSE; k++) {
        const char *nj = NULL;
        for (size_t i = 0; i < r->n && !nj; i++)
            if (r->files[i].kind == (enum wld_lint_kind) k)
                nj = r->files[i].not_judged;
        if (said[k] && nj)
            fprintf(out, "not judged in a %s without its host: %s\n", wld_lint_kind_words(k), nj);
    }
    unsigned quiet = 0;
    for (size_t i = 0; i < r->n; i++)
        quiet += r->files[i].skipped && !strstr(r->files[i].skipped, "--kind") && !o->verbose;
    if (quiet)
        fprintf(out,
                "%u other file%s skipped: not named like a .wslconfig, wsl.conf or unit (-v "
                "lists them)\n",
                quiet, quiet == 1 ? "" : "s");
    if (r->truncated_walk)
        fprintf(out,
                "the walk stopped short: %u entries past 10,000 files or 32 levels were not "
                "looked at\n",
                r->truncated_walk);
    fprintf(out, "%u file%s linted: %u failed, %u warned (exit %d)\n", r->linted,
            r->linted == 1 ? "" : "s", r->counts[WLD_FAIL] + r->counts[WLD_ERROR],
            r->counts[WLD_WARN], r->exit_code);
}

static const char *const md_cell[256] = {
    ['|'] = "\\|", ['\n'] = " ", ['\r'] = "", ['<'] = "&lt;", ['>'] = "&gt;"
};

static void render_markdown(const struct wld_lint_report *r, FILE *out)
{
    fprintf(out, "### wsl-llm-doctor lint\n\n`wsl-llm-doctor %s` · rules %s · %u file%s linted\n\n",
            WLD_VERSION, r->rules->version, r->linted, r->linted == 1 ? "" : "s");
    fprintf(out, "**%u failed, %u warned** · exit %d\n\n",
            r->counts[WLD_FAIL] + r->counts[WLD_ERROR], r->counts[WLD_WARN], r->exit_code);
    bool any = false;
    for (size_t i = 0; i < r->n; i++)
        any |= r->files[i].n > 0;
    if (any)
        fputs("| status | where | finding | fix | rule |\n|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_lint_file *f = &r->files[i];
        for (size_t k = 0; k < f->n; k++) {
            const struct wld_lint_finding *x = &f->findings[k];
            fprintf(out, "| %s | `", wld_status_name(x->status));
            wld_put_escaped(out, f->path, md_cell, true);
            if (x->line)
                fprintf(out, ":%u:%u", x->line, x->col);
            fputs("` | ", out);
            wld_put_escaped(out, x->message ? x->message : "", md_cell, true);
            fputs(" | ", out);
            if (x->fix)
                wld_put_escaped(out, x->fix, md_cell, true);
            fprintf(out, " | `%s` |\n", x->rule);
        }
    }
    if (!any)
        fputs("No problem found.\n", out);
    fputs("\n", out);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_lint_file *f = &r->files[i];
        if (f->skipped || f->n)
            continue;
        fputs("- `", out);
        wld_put_escaped(out, f->path, md_cell, true);
        fprintf(out, "`: pass (%s)\n", wld_lint_kind_words(f->kind));
    }
}

void wld_lint_findings(const struct wld_lint_report *r, struct wld_findings *out)
{
    *out = (struct wld_findings){ .command = "lint",
                                  .rules_version = r->rules->version,
                                  .exit_code = r->exit_code,
                                  .seconds = -1 };
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_lint_file *f = &r->files[i];
        char *classname = wld_xasprintf("wsl-llm-doctor.lint.%s",
                                        f->skipped ? "skipped" : wld_lint_kind_name(f->kind));
        struct wld_case *c = wld_findings_case(out, classname, f->path);
        free(classname);
        if (f->skipped)
            c->skipped = wld_xstrdup(f->skipped);
        for (size_t k = 0; k < f->n; k++) {
            const struct wld_lint_finding *x = &f->findings[k];
            struct wld_item *it = wld_findings_add(out, x->check, strchr(x->rule, '/') + 1,
                                                   x->status, x->message, x->fix, x->sources);
            it->file = f->path;
            it->line = x->line;
            it->col = x->col;
            it->where = x->line ? wld_xasprintf("%u:%u", x->line, x->col) : NULL;
        }
    }
    out->notice = wld_xasprintf("%u files linted, %u skipped: %u failed, %u warned (exit %d)",
                                r->linted, r->skipped, r->counts[WLD_FAIL] + r->counts[WLD_ERROR],
                                r->counts[WLD_WARN], r->exit_code);
}

static const char *const label_escapes[256] = { ['\\'] = "\\\\", ['"'] = "\\\"", ['\n'] = "\\n" };

static void render_prometheus(const struct wld_lint_report *r, FILE *out)
{
    fputs("# HELP wsl_llm_doctor_lint_findings Findings of the last lint, by status.\n"
          "# TYPE wsl_llm_doctor_lint_findings gauge\n",
          out);
    for (int s = 0; s < WLD_STATUS_COUNT; s++)
        fprintf(out, "wsl_llm_doctor_lint_findings{status=\"%s\"} %u\n",
                wld_status_name((enum wld_status) s), r->counts[s]);
    fputs("# HELP wsl_llm_doctor_lint_files Files of the last lint, linted or skipped.\n"
          "# TYPE wsl_llm_doctor_lint_files gauge\n",
          out);
    fprintf(out, "wsl_llm_doctor_lint_files{state=\"linted\"} %u\n", r->linted);
    fprintf(out, "wsl_llm_doctor_lint_files{state=\"skipped\"} %u\n", r->skipped);
    fputs("# HELP wsl_llm_doctor_lint_file_status Each linted file's worst status: 1 for the "
          "status it has, 0 for the others.\n"
          "# TYPE wsl_llm_doctor_lint_file_status gauge\n",
          out);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_lint_file *f = &r->files[i];
        if (f->skipped)
            continue;
        for (int s = WLD_PASS; s <= WLD_FAIL; s++) {
            fputs("wsl_llm_doctor_lint_file_status{path=\"", out);
            wld_put_escaped(out, f->path, label_escapes, false);
            fprintf(out, "\",kind=\"%s\",status=\"%s\"} %d\n", wld_lint_kind_name(f->kind),
                    wld_status_name((enum wld_status) s), f->status == (enum wld_status) s);
        }
    }
}

void wld_render_lint(const struct wld_lint_report *r,
                     enum wld_format format,
                     const struct wld_render_opts *o,
                     FILE *out)
{
    switch (format) {
    case WLD_FORMAT_JSON: {
        cJSON *doc = wld_lint_report_json(r);
        wld_put_json(doc, out);
        cJSON_Delete(doc);
        break;
    }
    case WLD_FORMAT_MARKDOWN:
        render_markdown(r, out);
        break;
    case WLD_FORMAT_JUNIT:
    case WLD_FORMAT_GITHUB:
    case WLD_FORMAT_SARIF: {
        struct wld_findings f;
        wld_lint_findings(r, &f);
        wld_render_findings(&f, format, o, out);
        wld_findings_free(&f);
        break;
    }
    case WLD_FORMAT_PROMETHEUS:
        render_prometheus(r, out);
        break;
    case WLD_FORMAT_TEXT:
        render_text(r, o, out);
        break;
    }
}
