/* What the commands of src/cli/cmd_*.c share with main.c, which runs them from its table;
 * private to src/cli/. */
#ifndef WLD_CLI_CMD_IMPL_H
#define WLD_CLI_CMD_IMPL_H

#include <stdio.h>

#include "wld/cli.h"
#include "wld/render.h"
#include "wld/rules.h"

/* The exit codes; only src/cli/ chooses one (docs/architecture.md). */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* A command's body: o as parsed (and started: main.c), rules NULL for a command that needs
 * none, everything for stdout to out; returns the exit code. Errors are said on stderr. */
int wld_cmd_help(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_generate(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_version(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_list(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_explain(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_rules(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
/* check and record; fit goes through it with its options narrowed to one model's table */
int wld_cmd_check(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_fit(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_log(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
int wld_cmd_lint(const struct wld_options *o, const struct wld_rules *rules, FILE *out);

/* How a renderer is asked to draw under o: color only for a text report to a terminal
 * that takes it (NO_COLOR, TERM=dumb, --no-color, --output say no). */
struct wld_render_opts wld_cmd_render_opts(const struct wld_options *o);

/* GitHub Actions shows this file on the run's page: the markdown report goes there.
 * NULL when there is none (or it cannot be opened: said); wld_cmd_summary_close() ends it,
 * and takes NULL. */
FILE *wld_cmd_summary_open(void);
void wld_cmd_summary_close(FILE *f);

/* A report rendered in memory, then delivered whole: to out (stdout, written when main
 * ends), or where --output says (wld/output.h: a file is replaced atomically, a device or
 * FIFO written into). */
struct wld_cmd_text {
    char *text;
    size_t len;
    FILE *f;
};

/* The stream to render into; aborts when no memory is left for it. */
FILE *wld_cmd_text_open(struct wld_cmd_text *t);
/* Closes t's stream, delivers its text and frees it; -1 when --output failed (said). */
int wld_cmd_text_deliver(struct wld_cmd_text *t, const struct wld_options *o, FILE *out);

#endif
