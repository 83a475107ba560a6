/* What every command's output goes through: render options, GitHub's step summary, and a
 * report delivered whole to stdout or --output. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wld/output.h"

#include "cmd_impl.h"

static bool want_color(const struct wld_options *o)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (o->no_color || (no && no[0]) || o->format != WLD_FORMAT_TEXT || o->output)
        return false;
    return isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

struct wld_render_opts wld_cmd_render_opts(const struct wld_options *o)
{
    return (struct wld_render_opts){ .color = want_color(o),
                                     .verbose = o->verbose,
                                     .fail_on_warn = o->fail_on == WLD_WARN };
}

FILE *wld_cmd_summary_open(void)
{
    const char *path = getenv("GITHUB_STEP_SUMMARY");
    if (!path || !path[0])
        return NULL;
    FILE *f = fopen(path, "ae");
    if (!f)
        fprintf(stderr, "wsl-llm-doctor: GITHUB_STEP_SUMMARY %s: %s\n", path, strerror(errno));
    return f;
}

void wld_cmd_summary_close(FILE *f)
{
    if (f && fclose(f) != 0)
        fprintf(stderr, "wsl-llm-doctor: GITHUB_STEP_SUMMARY %s: %s\n",
                getenv("GITHUB_STEP_SUMMARY"), strerror(errno));
}

FILE *wld_cmd_text_open(struct wld_cmd_text *t)
{
    *t = (struct wld_cmd_text){ 0 };
    t->f = open_memstream(&t->text, &t->len);
    if (!t->f)
        abort();
    return t->f;
}

int wld_cmd_text_deliver(struct wld_cmd_text *t, const struct wld_options *o, FILE *out)
{
    fclose(t->f);
    int r = 0;
    if (!o->output) {
        fwrite(t->text, 1, t->len, out);
    } else {
        char *why = NULL;
        r = wld_output_write(o->output, t->text, t->len, o->timeout_s * 1000, &why) < 0 ? -1 : 0;
        if (r < 0)
            fprintf(stderr, "wsl-llm-doctor: --output %s: %s\n", o->output, why);
        free(why);
    }
    free(t->text);
    *t = (struct wld_cmd_text){ 0 };
    return r;
}
