/* wsl-llm-doctor: a table of commands (their bodies are src/cli/cmd_*.c) and
 * their common start-up; stdout is written here, once, and the exit code
 * returned. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wld/cuda_probe.h"
#include "wld/dlprobe.h"
#include "wld/fetch.h"
#include "wld/jsonarena.h"
#include "wld/output.h"
#include "wld/trace.h"

#include "cmd_impl.h"

/* A command's row: starts when start() runs first (the server key, whole paths, the
 * rules in force), run its body (src/cli/cmd_impl.h). */
struct command {
    bool starts;
    int (*run)(const struct wld_options *o, const struct wld_rules *rules, FILE *out);
};

static const struct command commands[] = {
    [WLD_CMD_CHECK] = { true, wld_cmd_check },
    [WLD_CMD_LIST] = { false, wld_cmd_list },
    [WLD_CMD_EXPLAIN] = { true, wld_cmd_explain },
    [WLD_CMD_RULES] = { true, wld_cmd_rules },
    [WLD_CMD_FIT] = { true, wld_cmd_fit },
    [WLD_CMD_RECORD] = { true, wld_cmd_check },
    [WLD_CMD_LOG] = { true, wld_cmd_log },
    [WLD_CMD_LINT] = { true, wld_cmd_lint },
    [WLD_CMD_VERSION] = { false, wld_cmd_version },
    [WLD_CMD_HELP] = { false, wld_cmd_help },
    [WLD_CMD_GENERATE] = { false, wld_cmd_generate },
};
_Static_assert(WLD_ARRAY_SIZE(commands) == WLD_CMD_GENERATE + 1, "a command without a row");

/* The compose file `docker compose` takes from the current directory, in its
 * order (compose.yaml first), for container.gpu; the replay command names it.
 */
static void compose_of_cwd(struct wld_options *o)
{
    static const char *const names[] = { "compose.yaml", "compose.yml", "docker-compose.yaml",
                                         "docker-compose.yml" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++) {
        if (access(names[i], F_OK) != 0)
            continue;
        char *path = wld_xstrdup(names[i]);
        wld_path_from_cwd(&path);
        o->composes = wld_xcalloc(2, sizeof(char *));
        o->composes[0] = path;
        o->compose_from_cwd = true;
        return;
    }
}

/* A live run's paths made whole: the recording and its replay have no cwd. */
static void paths_from_cwd(struct wld_options *o)
{
    wld_path_from_cwd(&o->llama_server);
    wld_path_from_cwd(&o->llama_build);
    wld_path_from_cwd(&o->wslconfig);
    if (o->log_path && !o->log_given && strcmp(o->log_path, "-") != 0) /* check --log */
        wld_path_from_cwd(&o->log_path);
    for (char **m = o->models; m && *m; m++)
        wld_path_from_cwd(m);
    for (char **c = o->composes; c && *c; c++)
        wld_path_from_cwd(c);
    if (!o->composes && !o->facts_path &&
        (o->command == WLD_CMD_CHECK || o->command == WLD_CMD_RECORD))
        compose_of_cwd(o);
    for (char **r = o->runtimes; r && *r; r++) /* a path, not a kind ("./venv") */
        if (strchr(*r, '/'))
            wld_path_from_cwd(r);
}

/* What the command will look up in the rules, when it reads a few entries of them (the
 * built-in rules then load a file at a time); NULL when it judges every check. */
static const struct wld_rules_need *rules_need(const struct wld_options *o,
                                               struct wld_rules_need *need)
{
    static const char *const fit[] = { "models.fit", NULL };
    static const char *const log[] = { "signatures", "error_codes", "signature_params", NULL };
    static const char *const none[] = { NULL };
    need->checks = need->sections = none;
    switch (o->command) {
    case WLD_CMD_FIT:
        need->checks = fit;
        return need;
    case WLD_CMD_LOG:
        need->sections = log;
        return need;
    case WLD_CMD_LINT:
    case WLD_CMD_EXPLAIN: /* a few entries, parsed as they are reached */
        return need;
    case WLD_CMD_CHECK:
        if (!o->only || o->log_path)
            return NULL;
        need->checks = (const char *const *) o->only;
        return need;
    default:
        return NULL;
    }
}

/* What a command that reads the host or the rules needs first: the server key,
 * the live note's choice, whole paths and the rules in force (*rules). EXIT_OK,
 * or EXIT_USAGE (said). */
static int start(struct wld_options *o, struct wld_rules **rules)
{
    char *err = NULL, *note = NULL;
    if (wld_options_server_key(o, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    /* the live note: a person watching a terminal, never a pipe or a CI log */
    o->progress = isatty(STDERR_FILENO) && !getenv("CI");
    if (!o->root)
        paths_from_cwd(o);
    /* the JSON report of a check (check, fit, record) and `rules show` print the rules'
     * sha256; log's and lint's JSON name their version only */
    bool reports = o->command == WLD_CMD_CHECK || o->command == WLD_CMD_FIT ||
                   o->command == WLD_CMD_RECORD;
    bool fingerprint = (reports && o->format == WLD_FORMAT_JSON) || o->command == WLD_CMD_RULES;
    struct wld_rules_need need;
    if (wld_rules_load_in_force(o->rules_path, o->timeout_s * 1000, fingerprint,
                                rules_need(o, &need), rules, &err, &note) < 0) {
        fprintf(stderr, "wsl-llm-doctor: unusable rules: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    if (note)
        fprintf(stderr, "wsl-llm-doctor: %s\n", note);
    free(note);
    return EXIT_OK;
}

/* Everything for stdout goes to out. */
static int run(int argc, char **argv, FILE *out)
{
    struct wld_options o;
    char *err = NULL;
    if (wld_cli_parse(argc, argv, &o, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    const struct command *c = &commands[o.command];
    struct wld_rules *rules = NULL;
    int code = c->starts ? start(&o, &rules) : EXIT_OK;
    if (code == EXIT_OK)
        code = c->run(&o, rules, out);
    wld_rules_free(rules);
    wld_options_release(&o);
    return code;
}

int main(int argc, char **argv)
{
    /* The doctor re-executed as its own helpers (see wld/cuda_probe.h,
     * wld/dlprobe.h). */
    if (argc >= 2 && strcmp(argv[1], WLD_CUDA_PROBE_ARG) == 0)
        return wld_cuda_probe_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], WLD_DLOPEN_PROBE_ARG) == 0)
        return wld_dlopen_probe_main(argc, argv);
    wld_trace_begin();
    wld_json_arena_install();
    /* stdout is written once, at the end, so that a failed write is known with
     * its reason: a full disk or a report redirected to /dev/full is exit 2,
     * whatever the command, never a silent truncated report */
    char *text = NULL, *why = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        abort();
    int code = run(argc, argv, out);
    fclose(out);
    int r = wld_output_fd(STDOUT_FILENO, text, len, &why);
    wld_trace_end();
    if (r == -EPIPE) { /* the reader left (`| head`): end as every filter does */
        signal(SIGPIPE, SIG_DFL);
        raise(SIGPIPE);
    }
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: cannot write the output to stdout: %s\n", why);
        code = EXIT_USAGE;
    }
    /* said once, whichever of the run's fetches found libcurl missing */
    if (wld_fetch_unavailable())
        fprintf(stderr, "wsl-llm-doctor: %s\n", wld_fetch_unavailable());
    free(why);
    free(text);
    return code;
}
