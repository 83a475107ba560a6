/* lint PATH...: the findings on a repository's files; exit 1 on a fail (or warn). */
#include <stdlib.h>

#include "wld/lint.h"

#include "cmd_impl.h"

int wld_cmd_lint(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    struct wld_lint_report *rep = NULL;
    enum wld_lint_kind kind = WLD_LINT_NONE;
    char *err = NULL;
    if (o->lint_kind)
        wld_lint_kind_parse(o->lint_kind, &kind);
    if (wld_lint_run(o->lint_paths, kind, rules, o->fail_on == WLD_WARN, &rep, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    struct wld_render_opts ro = wld_cmd_render_opts(o);
    int code = rep->exit_code;
    struct wld_cmd_text t;
    wld_render_lint(rep, o->format, &ro, wld_cmd_text_open(&t));
    FILE *summary = o->format == WLD_FORMAT_GITHUB ? wld_cmd_summary_open() : NULL;
    if (summary)
        wld_render_lint(rep, WLD_FORMAT_MARKDOWN, &ro, summary);
    wld_cmd_summary_close(summary);
    if (wld_cmd_text_deliver(&t, o, out) < 0)
        code = EXIT_USAGE;
    wld_lint_report_free(rep);
    return code;
}
