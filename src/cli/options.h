/* The command line as data: every command and every option declared once, in options.c.
 * The parser (cli.c), --help, the shell completions and the man page's synopsis
 * (cli_gen.c) are read from these tables, so none of them can forget an option. */
#ifndef WLD_CLI_OPTIONS_H
#define WLD_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/cli.h"

/* What a value is, for the completions (a file, a directory, a word from a list...). */
enum wld_opt_value {
    WLD_VAL_NONE,        /* a flag, or a command without an argument */
    WLD_VAL_FILE,        /* a file's path */
    WLD_VAL_DIR,         /* a directory's path */
    WLD_VAL_NUMBER,      /* a number (or numbers) the user picks */
    WLD_VAL_TEXT,        /* a URL, a checksum: nothing to complete */
    WLD_VAL_IDS,         /* check ids, comma-separated */
    WLD_VAL_ENUM,        /* one of choice(0), choice(1)... */
    WLD_VAL_ENUM_OR_DIR, /* one of the choices, or a directory's path */
};

/* Where the parser keeps a value: most options need no code of their own. */
enum wld_opt_store {
    WLD_STORE_CALL, /* the option's set() */
    WLD_STORE_FLAG, /* bool at offset: true */
    WLD_STORE_STR,  /* char * at offset: replaced by the value */
    WLD_STORE_STRV, /* char ** at offset: the value appended (a repeatable option) */
};

/* The commands an option is for, as a mask of bits (1u << enum wld_command). */
#define WLD_FOR(c)   (1u << (c))
#define WLD_FOR_HOST (WLD_FOR(WLD_CMD_CHECK) | WLD_FOR(WLD_CMD_RECORD))
#define WLD_FOR_ALL  (~0u)

struct wld_cli_option {
    const char *name; /* without the "--" */
    char short_name;  /* -v, -h; 0 for none */
    const char *arg;  /* the value's name in --help ("FILE"), NULL for a flag */
    enum wld_opt_value value;
    /* the i-th word the value may be (ENUM), NULL past the last */
    const char *(*choice)(size_t i);
    const char *glob;  /* zsh: the files offered ("*.gguf"), or NULL for any */
    unsigned commands; /* WLD_FOR(...): the commands that take it */
    enum wld_replay replay;
    const char *help; /* one line: --help, the completions' descriptions */
    enum wld_opt_store store;
    size_t offset; /* in struct wld_options, for a store other than CALL */
    int (*set)(struct wld_options *o, const char *value, char **err);
    bool repeat; /* each use adds a value (--help says "repeatable") */
};

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

/* The most options the table may hold (the parser marks each one seen in an array). */
#define WLD_CLI_MAX_OPTIONS 64

extern const struct wld_cli_option wld_cli_options[];
extern const size_t wld_cli_options_count;
extern const struct wld_cli_command wld_cli_commands[];
extern const size_t wld_cli_commands_count;

/* The option named name (without "--", n bytes of it), or NULL. */
const struct wld_cli_option *wld_cli_option_find(const char *name, size_t n);
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
/* v with a copy of s appended (v NULL-terminated, or NULL). */
char **wld_cli_strv_push(char **v, const char *s);
/* The word closest to word among n candidates (at most 2 edits away), or NULL. */
const char *wld_cli_closest(const char *word, const char *const *cands, size_t n);

#endif
