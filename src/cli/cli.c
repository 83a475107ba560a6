/* Command-line parsing. Hand-written rather than getopt_long so that every mistake
 * becomes one line with a hint ("did you mean --only?"), and so a typo in a check id
 * fails loudly instead of silently checking nothing. */
#include "wld/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/util.h"

#include "options.h"

static int set_command(struct wld_options *o, const char *word, bool *have, char **err)
{
    if (*have)
        return wld_errorf(err, -EINVAL, "unexpected argument '%s' (see --help)", word);
    *have = true;
    const struct wld_cli_command *c = wld_cli_command_find(word);
    if (c) {
        o->command = c->command;
        return 0;
    }
    const char *cmds[16];
    size_t n = 0;
    for (size_t i = 0; i < wld_cli_commands_count && n < WLD_ARRAY_SIZE(cmds); i++)
        cmds[n++] = wld_cli_commands[i].name;
    const char *hint = wld_cli_closest(word, cmds, n);
    return hint ? wld_errorf(err, -EINVAL, "unknown command '%s' (did you mean '%s'?)", word, hint)
                : wld_errorf(err, -EINVAL, "unknown command '%s' (see --help)", word);
}

/* An error quotes what the user typed ('...'); a quote longer than a line is shortened to
 * its start and its size, so a 100 KiB argument still gives one readable line. */
static char *clip_quotes(char *msg)
{
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    for (const char *p = msg; *p;) {
        const char *open = strchr(p, '\'');
        const char *close = open ? strchr(open + 1, '\'') : NULL;
        if (!close) {
            wld_buf_puts(&b, p);
            break;
        }
        size_t len = (size_t) (close - open - 1);
        wld_buf_append(&b, p, (size_t) (open - p) + 1);
        if (len > 64) {
            char head[64];
            wld_str_copy(head, 49, open + 1); /* cut on a character, ending in "..." */
            wld_buf_printf(&b, "%.*s' (%zu bytes)", (int) strcspn(head, "'"), head, len);
        } else {
            wld_buf_append(&b, open + 1, len + 1);
        }
        p = close + 1;
    }
    free(msg);
    return wld_buf_detach(&b);
}

/* "unknown option" for --name (n bytes), with the closest option's name as a hint. */
static int unknown_option(const char *name, size_t n, char **err)
{
    char word[32];
    if (n >= sizeof(word))
        n = sizeof(word) - 1;
    memcpy(word, name, n);
    word[n] = '\0';
    size_t count = wld_cli_option_count();
    const char **names = wld_xcalloc(count, sizeof(char *));
    for (size_t k = 0; k < count; k++)
        names[k] = wld_cli_option_at(k)->name;
    const char *hint = wld_cli_closest(word, names, count);
    int r = hint ? wld_errorf(err, -EINVAL, "unknown option '--%s' (did you mean '--%s'?)", word,
                              hint)
                 : wld_errorf(err, -EINVAL, "unknown option '--%s' (see --help)", word);
    free(names);
    return r;
}

/* One option word (and its value, the next word unless given as --opt=VALUE) at argv[*i];
 * seen[k] set for the k-th option (wld_cli_option_at). */
static int
parse_option(struct wld_options *o, int argc, char **argv, int *i, bool *seen, char **err)
{
    const char *a = argv[*i];
    const struct wld_cli_option *opt = NULL;
    const char *eq = NULL;
    size_t k = 0;
    if (a[1] != '-') { /* -v, -h */
        for (; (opt = wld_cli_option_at(k)); k++)
            if (opt->short_name && a[1] == opt->short_name && !a[2])
                break;
        if (!opt)
            return wld_errorf(err, -EINVAL, "unknown option '%s' (see --help)", a);
    } else {
        eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t) (eq - a - 2) : strlen(a + 2);
        opt = wld_cli_option_find(a + 2, len, &k);
        if (!opt)
            return unknown_option(a + 2, len, err);
    }
    seen[k] = true;
    if (!opt->arg) {
        if (eq)
            return wld_errorf(err, -EINVAL, "option '--%s' takes no value", opt->name);
        return wld_cli_option_apply(opt, o, NULL, err);
    }
    const char *value = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
    if (!value)
        return wld_errorf(err, -EINVAL, "option '--%s' needs a value", opt->name);
    return wld_cli_option_apply(opt, o, value, err);
}

/* "`check`, `record` and `fit`": the commands an option is for. */
static void commands_text(unsigned mask, struct wld_buf *b)
{
    size_t n = 0, total = 0;
    for (size_t i = 0; i < wld_cli_commands_count; i++)
        total += (mask & WLD_FOR(wld_cli_commands[i].command)) != 0;
    for (size_t i = 0; i < wld_cli_commands_count; i++) {
        if (!(mask & WLD_FOR(wld_cli_commands[i].command)))
            continue;
        n++;
        wld_buf_printf(b, "%s`%s`",
                       n == 1       ? ""
                       : n == total ? " and "
                                    : ", ",
                       wld_cli_commands[i].name);
    }
}

/* An option the command does not take is refused: it would change nothing, and the user
 * believes it did. */
static int check_commands(const struct wld_options *o, const bool *seen, char **err)
{
    const struct wld_cli_option *opt;
    for (size_t k = 0; (opt = wld_cli_option_at(k)); k++) {
        if (!seen[k] || (opt->commands & WLD_FOR(o->command)))
            continue;
        struct wld_buf b;
        wld_buf_init(&b, 4096);
        commands_text(opt->commands, &b);
        int r = wld_errorf(err, -EINVAL, "--%s is for %s", opt->name, b.data);
        wld_buf_release(&b);
        return r;
    }
    return 0;
}

/* --for writes markdown: it implies --format markdown, and refuses another --format
 * rather than print a format the user did not get. */
static int issue_format(struct wld_options *o, const bool *seen, char **err)
{
    size_t k = 0;
    if (wld_cli_option_find("format", 6, &k) && seen[k] && o->format != WLD_FORMAT_MARKDOWN)
        return wld_errorf(err, -EINVAL,
                          "--for fills a bug template in markdown; --format %s cannot carry it "
                          "(leave --format out, or use --format markdown)",
                          wld_cli_format_choice(o->format));
    o->format = WLD_FORMAT_MARKDOWN;
    return 0;
}

/* The hidden commands that print what is made from the tables: `__completions SHELL`
 * and `__man-synopsis`. */
static int parse_generate(int argc, char **argv, struct wld_options *ret, char **err)
{
    static const char *const what[] = { "bash", "zsh", "fish" };
    const char *gen = NULL;
    if (argc == 2 && strcmp(argv[1], "__man-synopsis") == 0)
        gen = "man";
    for (size_t i = 0; i < WLD_ARRAY_SIZE(what) && argc == 3; i++)
        if (strcmp(argv[1], "__completions") == 0 && strcmp(argv[2], what[i]) == 0)
            gen = what[i];
    if (!gen)
        return wld_errorf(err, -EINVAL,
                          "unknown command '%s' (__completions bash|zsh|fish, __man-synopsis)",
                          argv[1]);
    wld_options_defaults(ret);
    ret->command = WLD_CMD_GENERATE;
    ret->generate = wld_xstrdup(gen);
    return 0;
}

/* A word that is not an option: the command, or what the command takes (explain's ID,
 * rules' action, record's DIR, log's FILE, lint's PATHs, fit's MODEL). */
static int parse_word(struct wld_options *o, const char *a, int i, bool *have_cmd, char **err)
{
    if (*have_cmd && o->command == WLD_CMD_EXPLAIN && !o->explain_id) {
        if (!wld_check_find(a)) {
            return wld_errorf(err, -EINVAL,
                              "explain: unknown check id '%s' (see `wsl-llm-doctor list`)", a);
        }
        o->explain_id = wld_xstrdup(a);
        return 0;
    }
    if (*have_cmd && o->command == WLD_CMD_RULES && !o->rules_action) {
        if (strcmp(a, "show") != 0 && strcmp(a, "update") != 0) {
            return wld_errorf(err, -EINVAL, "rules: unknown action '%s' (show or update)", a);
        }
        o->rules_action = wld_xstrdup(a);
        return 0;
    }
    if (*have_cmd && o->command == WLD_CMD_RECORD && !o->record_dir) {
        o->record_dir = wld_xstrdup(a);
        o->record_dir_argi = i;
        return 0;
    }
    if (*have_cmd && o->command == WLD_CMD_LOG && !o->log_given) {
        free(o->log_path);
        o->log_path = wld_xstrdup(a);
        o->log_given = true;
        return 0;
    }
    if (*have_cmd && o->command == WLD_CMD_LINT) {
        o->lint_paths = wld_strv_push(o->lint_paths, a);
        return 0;
    }
    if (*have_cmd && o->command == WLD_CMD_FIT && !o->models) {
        o->models = wld_strv_push(o->models, a);
        return 0;
    }
    o->command_argi = i;
    return set_command(o, a, have_cmd, err);
}

int wld_cli_parse(int argc, char **argv, struct wld_options *ret, char **err)
{
    struct wld_options o;
    wld_options_defaults(&o);
    bool have_cmd = false, rest_positional = false;
    int r = 0;
    *err = NULL;
    if (argc >= 2 && wld_str_starts(argv[1], "__"))
        return parse_generate(argc, argv, ret, err);
    bool *seen = wld_xcalloc(wld_cli_option_count(), sizeof(bool)); /* wld_cli_option_at's */
    for (int i = 1; i < argc && r == 0; i++) {
        const char *a = argv[i];
        if (rest_positional || a[0] != '-' || a[1] == '\0') {
            r = parse_word(&o, a, i, &have_cmd, err);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            rest_positional = true;
            continue;
        }
        r = parse_option(&o, argc, argv, &i, seen, err);
    }
    if (r == 0 && o.command == WLD_CMD_EXPLAIN && !o.explain_id)
        r = wld_errorf(err, -EINVAL, "explain needs a check id (see `wsl-llm-doctor list`)");
    if (r == 0 && o.command == WLD_CMD_RECORD && !o.record_dir)
        r = wld_errorf(err, -EINVAL,
                       "record needs a directory to write: wsl-llm-doctor record DIR");
    if (r == 0 && o.facts_path && (o.root || o.command == WLD_CMD_RECORD))
        r = wld_errorf(err, -EINVAL,
                       "--facts judges a saved report; it examines no host (no --root, no record)");
    if (r == 0 && o.log_path && !o.log_given && o.command != WLD_CMD_CHECK)
        r = wld_errorf(err, -EINVAL, "--log is for `check` (or use `wsl-llm-doctor log FILE`)");
    if (r == 0 && o.log_path && !o.log_given && o.facts_path)
        r = wld_errorf(err, -EINVAL, "--log holds a log to a host; --facts examines none");
    if (r == 0 && o.issue_for)
        r = issue_format(&o, seen, err);
    const struct wld_cli_command *cmd = wld_cli_command_of(o.command);
    if (r == 0 && cmd && cmd->formats && !(cmd->formats & WLD_FORMAT_BIT(o.format))) {
        char *can = wld_cli_formats_text(cmd->formats);
        r = wld_errorf(err, -EINVAL, "%s: --format %s does not apply; it writes %s", cmd->name,
                       wld_cli_format_choice(o.format), can);
        free(can);
    }
    if (r == 0 && o.command == WLD_CMD_LINT && !o.lint_paths)
        r = wld_errorf(err, -EINVAL,
                       "lint needs a file or directory: wsl-llm-doctor lint PATH... (e.g. lint .)");
    if (r == 0 && o.command == WLD_CMD_LINT && o.redact == WLD_REDACT_ON)
        r = wld_errorf(err, -EINVAL,
                       "lint: --redact has nothing to hide: the report quotes only the files "
                       "named, which the repository already holds");
    if (r == 0 && o.command == WLD_CMD_FIT && !o.models)
        r = wld_errorf(err, -EINVAL, "fit needs a model file: wsl-llm-doctor fit MODEL.gguf");
    if (r == 0 && (o.rules_url || o.rules_sha256) &&
        !(o.command == WLD_CMD_RULES && wld_str_is(o.rules_action, "update")))
        r = wld_errorf(err, -EINVAL, "--url and --sha256 are for `rules update`");
    if (r == 0)
        r = check_commands(&o, seen, err);
    free(seen);
    if (r < 0) {
        wld_options_release(&o);
        if (*err)
            *err = clip_quotes(*err);
        return r;
    }
    o.argc = argc;
    o.argv = argv;
    if (o.help)
        o.command = WLD_CMD_HELP;
    else if (o.version)
        o.command = WLD_CMD_VERSION;
    *ret = o;
    return 0;
}

/* v with prefix and a path the live run took from the cwd, made whole: a replay has no
 * cwd (a fixture's paths, with --root, are the fixture's own). */
static char **push_path(const struct wld_options *o, char **v, const char *prefix, const char *path)
{
    char *whole = wld_xstrdup(path);
    if (!o->root)
        wld_path_from_cwd(&whole);
    char *word = wld_xasprintf("%s%s", prefix, whole);
    v = wld_strv_push(v, word);
    free(word);
    free(whole);
    return v;
}

char **wld_cli_replay_args(const struct wld_options *o)
{
    char **v = wld_xcalloc(1, sizeof(char *));
    bool rest_positional = false;
    for (int i = 1; i < o->argc; i++) {
        const char *a = o->argv[i];
        if (i == o->command_argi || i == o->record_dir_argi) /* "record DIR" */
            continue;
        rest_positional |= strcmp(a, "--") == 0;
        const char *eq = strchr(a, '=');
        const struct wld_cli_option *opt =
                rest_positional || !wld_str_starts(a, "--")
                        ? NULL
                        : wld_cli_option_find(a + 2, eq ? (size_t) (eq - a - 2) : strlen(a + 2),
                                              NULL);
        enum wld_replay how = opt ? opt->replay : WLD_REPLAY_KEEP;
        if (how == WLD_REPLAY_DROP) {
            i += opt->arg && !eq; /* and its value */
            continue;
        }
        if (how == WLD_REPLAY_KEEP || !opt->arg || (!eq && i + 1 >= o->argc)) {
            v = wld_strv_push(v, a);
        } else if (eq) { /* --model=x.gguf */
            char *name = wld_xasprintf("%.*s", (int) (eq - a + 1), a);
            v = push_path(o, v, name, eq + 1);
            free(name);
        } else {
            v = wld_strv_push(v, a);
            v = push_path(o, v, "", o->argv[++i]);
        }
    }
    return v;
}

int wld_options_server_key(struct wld_options *o, char **err)
{
    if (!o->server_key_file) {
        const char *env = getenv("LLAMA_API_KEY");
        if (env && *env)
            o->server_key = wld_xstrdup(env);
        return 0;
    }
    struct wld_buf b;
    unsigned mode = 0;
    int r = wld_read_named_file(o->server_key_file, 64 * 1024, o->timeout_s * 1000, &b, &mode);
    if (r < 0)
        return wld_errorf(err, r, "--server-key-file %s: %s", o->server_key_file,
                          r == -EISDIR || r == -EINVAL ? wld_file_type_name(mode)
                          : r == -EFBIG                ? "larger than 64 KiB: not a key file"
                                                       : strerror(-r));
    char *save = NULL;
    for (char *line = strtok_r(b.data, "\r\n", &save); line && !o->server_key;
         line = strtok_r(NULL, "\r\n", &save)) {
        line = wld_str_trim(line);
        if (*line && *line != '#')
            o->server_key = wld_xstrdup(line);
    }
    memset(b.data, 0, b.len);
    wld_buf_release(&b);
    if (!o->server_key)
        return wld_errorf(err, -EINVAL,
                          "--server-key-file %s holds no key (one a line; '#' starts a comment)",
                          o->server_key_file);
    return 0;
}
