/* The lint report in every format (see wld/lint.h). */
#include <stdlib.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/lint.h"
#include "wld/util.h"

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
            fprintf(out, ": %spass%s (%s)\n", wld_text_color(o, WLD_PASS),
                    wld_text_sgr(o, "\033[0m"), wld_lint_kind_words(f->kind));
        }
        for (size_t k = 0; k < f->n; k++) {
            const struct wld_lint_finding *x = &f->findings[k];
            put_where(out, f, x);
            fprintf(out, ": %s%s%s: ", wld_text_color(o, x->status), wld_status_name(x->status),
                    wld_text_sgr(o, "\033[0m"));
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

void wld_lint_findings(const struct wld_lint_report *r, struct wld_findings *out)
{
    *out = (struct wld_findings){ .command = "lint",
                                  .rules_version = wld_rules_version(r->rules),
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
        c->label = f->path;
        c->kind = f->skipped ? NULL : wld_lint_kind_name(f->kind);
        c->about = f->skipped ? NULL : wld_lint_kind_words(f->kind);
        for (size_t k = 0; k < f->n; k++) {
            const struct wld_lint_finding *x = &f->findings[k];
            struct wld_item *it = wld_findings_add(out, x->check, strchr(x->rule, '/') + 1,
                                                   x->status, x->message, x->fix, x->sources);
            it->file = f->path;
            it->line = x->line;
            it->col = x->col;
            it->where = x->line ? wld_xasprintf("%u:%u", x->line, x->col) : NULL;
        }
        c->status = f->status; /* of every finding, those past the listed ones too */
    }
    memcpy(out->counts, r->counts, sizeof(out->counts));
    out->title = wld_xstrdup("lint");
    out->context = wld_xasprintf("%u file%s linted", r->linted, r->linted == 1 ? "" : "s");
    out->notice = wld_xasprintf("%u files linted, %u skipped: %u failed, %u warned (exit %d)",
                                r->linted, r->skipped, r->counts[WLD_FAIL] + r->counts[WLD_ERROR],
                                r->counts[WLD_WARN], r->exit_code);
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
    case WLD_FORMAT_JUNIT:
    case WLD_FORMAT_GITHUB:
    case WLD_FORMAT_SARIF:
    case WLD_FORMAT_PROMETHEUS: {
        struct wld_findings f;
        wld_lint_findings(r, &f);
        wld_render_findings(&f, format, o, out);
        wld_findings_free(&f);
        break;
    }
    case WLD_FORMAT_TEXT:
        render_text(r, o, out);
        break;
    }
}
