/* Command line: subcommands and options (see --help and docs/wsl-llm-doctor.1). */
#ifndef WLD_CLI_H
#define WLD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "wld/check.h"
#include "wld/render.h"

enum wld_command {
    WLD_CMD_CHECK,
    WLD_CMD_LIST,
    WLD_CMD_EXPLAIN,
    WLD_CMD_RULES,
    WLD_CMD_FIT,
    WLD_CMD_RECORD,
    WLD_CMD_LOG,
    WLD_CMD_LINT,
    WLD_CMD_VERSION,
    WLD_CMD_HELP,
    WLD_CMD_GENERATE, /* __completions SHELL, __man-synopsis: files made from the tables */
};

/* --redact / --no-redact; by default markdown, github and record redact. */
enum wld_redact_mode {
    WLD_REDACT_DEFAULT,
    WLD_REDACT_ON,
    WLD_REDACT_OFF,
};

/* What record's replay command does with an option of the recorded command line. */
enum wld_replay {
    WLD_REPLAY_KEEP, /* as typed */
    WLD_REPLAY_PATH, /* its value a path made whole: the replay has no cwd */
    WLD_REPLAY_DROP, /* left out, with its value (--root, --output, a key file) */
};

struct wld_options {
    enum wld_command command;
    char *explain_id;
    /* rules: "show" or "update" (NULL: print the rules in force as JSON) */
    char *rules_action;
    char *rules_url;    /* rules update --url URL */
    char *rules_sha256; /* rules update --sha256 HEX */
    char **only;        /* NULL-terminated check ids, or NULL for all */
    char **skip;        /* NULL-terminated check ids, or NULL */
    enum wld_format format;
    char *output; /* --output FILE (written atomically), or NULL for stdout */
    enum wld_redact_mode redact;
    char *record_dir;        /* record DIR */
    char *root;              /* --root DIR, or NULL for the live host */
    char *rules_path;        /* --rules FILE, or NULL for the embedded rules */
    char *facts_path;        /* --facts REPORT.json: judge its facts, gather nothing */
    char *log_path;          /* log FILE ("-" stdin), or check --log FILE */
    bool log_given;          /* the log command had a FILE or "-" */
    char **lint_paths;       /* lint PATH..., NULL-terminated */
    char *lint_kind;         /* lint --kind KIND, or NULL: from names and text */
    enum wld_status fail_on; /* WLD_FAIL (default) or WLD_WARN */
    double timeout_s;        /* per probe */
    bool timeout_set;        /* --timeout was given (rules update: else at least 30 s) */
    char **models;           /* --model PATH..., NULL-terminated or NULL */
    /* --compose FILE..., NULL-terminated or NULL; on the live host without it, main puts
     * the current directory's compose file here (compose_from_cwd) */
    char **composes;
    bool compose_from_cwd;
    char **servers;        /* --server URL..., NULL-terminated or NULL */
    char *server_key_file; /* --server-key-file FILE, or NULL */
    /* the key server.health sends (Bearer): the key file's first key, else $LLAMA_API_KEY
     * of the doctor's own environment, else NULL; set by wld_options_server_key, never
     * printed, recorded or kept in a fact */
    char *server_key;
    char *llama_server;
    char **runtimes;   /* --runtime R...: the runtimes the llama.* checks judge; NULL: all */
    char *llama_build; /* --llama-build DIR: a build tree or a source tree */
    char **gpu_cc;     /* --gpu-cc: "8.6"..., NULL-terminated, or NULL */
    char *wslconfig;
    /* llama.cpp's settings that models.fit and `fit` judge with */
    unsigned ctx;      /* --ctx, WLD_DEFAULT_CTX; 0 means the model's trained context */
    bool ctx_given;    /* --ctx was given: a running server's own -c does not replace it */
    int ngl;           /* --ngl, -1 for all layers */
    int ctk, ctv;      /* --ctk/--ctv as ggml type ids (f16) */
    unsigned parallel; /* --parallel sequences, 1 */
    double vram_gib;   /* --vram GiB in place of what the GPUs report, or < 0 */
    bool bench_io;     /* models.storage: measure read speed */
    bool no_interop;   /* wsl.interop: start no Windows program */
    bool offline;      /* server.health: ask no server */
    bool models_only;  /* only the models given (the fit command): no scan of the home */
    bool verbose;
    bool functional; /* gpu.cuda: context + 64 MiB round trip per device */
    bool no_color;
    bool help, version; /* --help, --version: the command becomes WLD_CMD_HELP, _VERSION */
    char *generate;     /* WLD_CMD_GENERATE: "bash", "zsh", "fish" or "man" */
    bool progress;      /* not an option: main sets it when stderr is a terminal */
    int argc;           /* the command line as given (borrowed), for record's replay command */
    char **argv;
    int command_argi, record_dir_argi; /* where the command word and record's DIR are */
};

#define WLD_DEFAULT_TIMEOUT_S 5.0
#define WLD_DEFAULT_CTX       8192

/* The options of a plain `wsl-llm-doctor` (check, text, every default). Nothing owned. */
void wld_options_defaults(struct wld_options *o);

/* Parses argv. Returns 0, or -EINVAL with *err set to a one-line message that names the
 * problem and a hint (caller frees). The options are released with wld_options_release. */
int wld_cli_parse(int argc, char **argv, struct wld_options *ret, char **err);
void wld_options_release(struct wld_options *o);
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
/* Whether the report in these options is redacted (the format's default, or the flag). */
bool wld_options_redact(const struct wld_options *o);

#endif
