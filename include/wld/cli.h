/* The command line: argv parsed into the run's settings (wld/settings.h), --help, the
 * files made from the option tables, and record's replay command (see --help and
 * docs/wsl-llm-doctor.1). Only src/cli/ and record's end include it. */
#ifndef WLD_CLI_H
#define WLD_CLI_H

#include <stdio.h>

#include "wld/settings.h"

/* Parses argv. Returns 0, or -EINVAL with *err set to a one-line message that names the
 * problem and a hint (caller frees). The options are released with wld_options_release. */
int wld_cli_parse(int argc, char **argv, struct wld_options *ret, char **err);
/* Sets o->server_key from --server-key-file (its first line that is not empty or a '#'
 * comment, as llama-server's --api-key-file reads it) or $LLAMA_API_KEY. Returns 0, or
 * -errno with *err a one-line message when the file cannot be read or holds no key. */
int wld_options_server_key(struct wld_options *o, char **err);
/* The --help text. */
void wld_cli_usage(FILE *out);
/* What WLD_CMD_GENERATE prints: o->generate's completion file, or the man page's
 * SYNOPSIS section (the checked-in files are these; tests/completions.sh compares). */
void wld_cli_generate(const struct wld_options *o, FILE *out);
/* record's command line as its replay takes it, each word as typed but for the options
 * WLD_REPLAY_DROP leaves out and the paths WLD_REPLAY_PATH makes whole (not with
 * --root: a fixture's paths are the fixture's); NULL-terminated, wld_strv_free. The
 * command word and DIR are left out. */
char **wld_cli_replay_args(const struct wld_options *o);

#endif
