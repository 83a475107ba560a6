/* The command line as data: every command and every option declared once, in options.c,
 * or, for an option only one check reads, in that check's file (wld/option.h). The parser
 * (cli.c), --help, the shell completions and the man page's synopsis (cli_gen.c) are read
 * from these tables, so none of them can forget an option. */
#ifndef WLD_CLI_OPTIONS_H
#define WLD_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/cli.h"
#include "wld/option.h"

struct wld_cli_command {
    const char *name;
    enum wld_command command;
    const char *arg; /* what follows it in --help ("ID", "[FILE|-]"), or NULL */
    enum wld_opt_value value;
    const char *(*choice)(size_t i);
    const char *help;
    unsigned formats; /* the --format values it writes, bits 1u << enum wld_format */
};

/* Every format: a report of findings (check, record, lint) writes them all. */
#define WLD_FORMATS_ALL   (~0u)
#define WLD_FORMAT_BIT(f) (1u << (f))

extern const struct wld_cli_command wld_cli_commands[];
extern const size_t wld_cli_commands_count;

/* The i-th option of the command line, in the order of --help: the options every command
 * shares (options.c) with each check's own (struct wld_check's options, in registry order)
 * in their place; NULL past the last. i is the option's index for a caller that
 * marks options (the parser's "seen"). */
const struct wld_cli_option *wld_cli_option_at(size_t i);
/* How many options the command line has (wld_cli_option_at's indices). */
size_t wld_cli_option_count(void);
/* The option named name (without "--", n bytes of it), or NULL; its index in *i when i is
 * not NULL. */
const struct wld_cli_option *wld_cli_option_find(const char *name, size_t n, size_t *i);
/* Puts the option's value (NULL for a flag) into o. Returns 0 or -EINVAL with *err. */
int wld_cli_option_apply(const struct wld_cli_option *opt,
                         struct wld_options *o,
                         const char *value,
                         char **err);
/* The command called word, or NULL. */
const struct wld_cli_command *wld_cli_command_find(const char *word);
/* The row of command c (every command has one). */
const struct wld_cli_command *wld_cli_command_of(enum wld_command c);
/* The --format words of a command's formats, "a, b or c" (caller frees). */
char *wld_cli_formats_text(unsigned formats);
/* The --format words, in the order of enum wld_format. */
const char *wld_cli_format_choice(size_t i);
/* "a, b or c": the words of a choice (caller frees). */
char *wld_cli_choices_text(const char *(*choice)(size_t i));
/* The word closest to word among n candidates (at most 2 edits away), or NULL. */
const char *wld_cli_closest(const char *word, const char *const *cands, size_t n);

#endif
