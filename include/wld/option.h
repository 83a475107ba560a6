/* How a command-line option is declared: one row, from which the parser, --help, the
 * shell completions and the man page's synopsis are made (src/cli/). The options every
 * command shares are rows of src/cli/options.c; an option that belongs to one check is a
 * row in that check's file (struct wld_check's options), next to the code that reads it.
 * A row names a field of struct wld_options (wld/settings.h); the file that writes rows
 * includes that header too. */
#ifndef WLD_OPTION_H
#define WLD_OPTION_H

#include <stdbool.h>
#include <stddef.h>

struct wld_options;

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

/* What record's replay command does with an option of the recorded command line. */
enum wld_replay {
    WLD_REPLAY_KEEP, /* as typed */
    WLD_REPLAY_PATH, /* its value a path made whole: the replay has no cwd */
    WLD_REPLAY_DROP, /* left out, with its value (--root, --output, a key file) */
};

/* The commands an option is for, as a mask of bits (1u << enum wld_command). */
#define WLD_FOR(c)   (1u << (c))
#define WLD_FOR_HOST (WLD_FOR(WLD_CMD_CHECK) | WLD_FOR(WLD_CMD_RECORD))
/* the commands that examine a host, and fit, which judges models.fit on one */
#define WLD_FOR_FIT (WLD_FOR_HOST | WLD_FOR(WLD_CMD_FIT))
#define WLD_FOR_ALL (~0u)

/* Where a row keeps its value: a field of struct wld_options, or a setter. */
#define WLD_OPT_FIELD(f) offsetof(struct wld_options, f)
#define WLD_OPT_FLAG(f)  .store = WLD_STORE_FLAG, .offset = WLD_OPT_FIELD(f)
#define WLD_OPT_STR(f)   .store = WLD_STORE_STR, .offset = WLD_OPT_FIELD(f)
#define WLD_OPT_STRV(f)  .store = WLD_STORE_STRV, .offset = WLD_OPT_FIELD(f)
#define WLD_OPT_CALL(fn) .store = WLD_STORE_CALL, .set = fn

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
    /* Puts value into o. Returns 0, or -EINVAL with *err a one-line message that names
     * the option and what it takes (wld_errorf). */
    int (*set)(struct wld_options *o, const char *value, char **err);
    bool repeat; /* each use adds a value (--help says "repeatable") */
};

#endif
