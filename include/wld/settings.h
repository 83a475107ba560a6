/* What a run was asked to do: the command, its options and their defaults. The command
 * line fills it (wld/cli.h, its options declared in src/cli/options.c and beside the
 * checks that own them); the pipeline, the inventory, the checks and the commands read
 * it. Low in the house: it names nothing above the status of a finding. */
#ifndef WLD_SETTINGS_H
#define WLD_SETTINGS_H

#include <stdbool.h>

#include "wld/status.h"

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

/* --format: the report's form. */
enum wld_format {
    WLD_FORMAT_TEXT,
    WLD_FORMAT_JSON,
    WLD_FORMAT_MARKDOWN,
    WLD_FORMAT_JUNIT,
    WLD_FORMAT_GITHUB,
    WLD_FORMAT_PROMETHEUS,
    WLD_FORMAT_SARIF,
};

/* --for: the project whose bug template the markdown report fills (wld/issue.h). */
enum wld_issue_for {
    WLD_ISSUE_NONE,
    WLD_ISSUE_LLAMA_CPP,
    WLD_ISSUE_OLLAMA,
    WLD_ISSUE_LLAMA_CPP_PYTHON,
};

/* --redact / --no-redact; by default markdown, github and record redact. */
enum wld_redact_mode {
    WLD_REDACT_DEFAULT,
    WLD_REDACT_ON,
    WLD_REDACT_OFF,
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
    /* --for PROJECT: markdown shaped as that project's bug template; it implies --format
     * markdown, and any other --format is a usage error */
    enum wld_issue_for issue_for;
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
/* Frees what o owns (the server key wiped first) and zeroes it; NULL is a no-op. */
void wld_options_release(struct wld_options *o);
/* Whether the report in these options is redacted (the format's default, or the flag). */
bool wld_options_redact(const struct wld_options *o);

#endif
