/* log [FILE|-]: a pasted log's findings; exit 1 when one fails (or warns, --fail-on warn). */
#include <stdlib.h>
#include <unistd.h>

#include "wld/findings.h"
#include "wld/log_cmd.h"

#include "cmd_impl.h"

int wld_cmd_log(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    struct wld_log_report *rep = NULL;
    char *err = NULL;
    if (!o->log_path && isatty(STDIN_FILENO))
        fputs("wsl-llm-doctor: reading the log from stdin: paste it, then press Ctrl-D\n", stderr);
    if (wld_log_load(o->log_path, rules, NULL, &rep, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: log: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    rep->exit_code = wld_counts_fail(rep->counts, o->fail_on == WLD_WARN) ? EXIT_FAIL : EXIT_OK;
    if (wld_options_redact(o))
        wld_log_report_redact(rep);
    struct wld_render_opts ro = wld_cmd_render_opts(o);
    int code = rep->exit_code;
    struct wld_cmd_text t;
    wld_render_log(rep, o->format, &ro, wld_cmd_text_open(&t));
    if (wld_cmd_text_deliver(&t, o, out) < 0)
        code = EXIT_USAGE;
    wld_log_report_free(rep);
    return code;
}
