/* wsl-llm-doctor: the only place that chooses the exit code and prints errors. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wld/cli.h"
#include "wld/cuda_probe.h"
#include "wld/dlprobe.h"
#include "wld/facts.h"
#include "wld/fetch.h"
#include "wld/findings.h"
#include "wld/fit_cmd.h"
#include "wld/lint.h"
#include "wld/log_cmd.h"
#include "wld/output.h"
#include "wld/pipeline.h"
#include "wld/record.h"
#include "wld/redact.h"
#include "wld/rules.h"
#include "wld/secrets.h"
#include "wld/trace.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

/* The compose file `docker compose` takes from the current directory, in its order
 * (compose.yaml first), for container.gpu; the replay command names it. */
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

static bool want_color(const struct wld_options *o)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    if (o->no_color || (no && no[0]) || o->format != WLD_FORMAT_TEXT || o->output)
        return false;
    return isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

static int cmd_list(const struct wld_options *o, FILE *out)
{
    wld_render_list(o->format, out);
    return EXIT_OK;
}

static int cmd_explain(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    wld_render_explain(rules, wld_check_find(o->explain_id), o->format, out);
    return EXIT_OK;
}

static void render(const struct wld_report *rep, const struct wld_options *o, FILE *out)
{
    struct wld_render_opts ro = { .color = want_color(o),
                                  .verbose = o->verbose,
                                  .fail_on_warn = o->fail_on == WLD_WARN };
    if (o->command == WLD_CMD_FIT) {
        wld_fit_cmd(rep, o, out);
        return;
    }
    switch (o->format) {
    case WLD_FORMAT_JSON:
        wld_render_json(rep, out);
        break;
    case WLD_FORMAT_MARKDOWN:
        wld_render_markdown(rep, out);
        break;
    case WLD_FORMAT_JUNIT:
    case WLD_FORMAT_GITHUB:
    case WLD_FORMAT_SARIF: {
        struct wld_findings f;
        wld_report_findings(rep, &f);
        wld_render_findings(&f, o->format, &ro, out);
        wld_findings_free(&f);
        break;
    }
    case WLD_FORMAT_PROMETHEUS:
        wld_render_prometheus(rep, out);
        break;
    case WLD_FORMAT_TEXT:
        wld_render_text(rep, &ro, out);
        break;
    }
}

/* GitHub Actions shows this file on the run's page: the markdown report goes there.
 * NULL when there is none (or it cannot be opened: said); step_summary_close() ends it. */
static FILE *step_summary_open(void)
{
    const char *path = getenv("GITHUB_STEP_SUMMARY");
    if (!path || !path[0])
        return NULL;
    FILE *f = fopen(path, "ae");
    if (!f)
        fprintf(stderr, "wsl-llm-doctor: GITHUB_STEP_SUMMARY %s: %s\n", path, strerror(errno));
    return f;
}

static void step_summary_close(FILE *f)
{
    if (f && fclose(f) != 0)
        fprintf(stderr, "wsl-llm-doctor: GITHUB_STEP_SUMMARY %s: %s\n",
                getenv("GITHUB_STEP_SUMMARY"), strerror(errno));
}

static void github_step_summary(const struct wld_report *rep)
{
    FILE *f = step_summary_open();
    if (f)
        wld_render_markdown(rep, f);
    step_summary_close(f);
}

/* Writes the report to out (stdout, written when main ends), or where --output says
 * (wld/output.h: a file is replaced atomically, a device or FIFO written into). */
static int emit(const struct wld_report *rep, const struct wld_options *o, FILE *out)
{
    if (o->format == WLD_FORMAT_GITHUB && o->command != WLD_CMD_FIT)
        github_step_summary(rep);
    if (!o->output) {
        render(rep, o, out);
        return 0;
    }
    char *text = NULL, *why = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        abort();
    render(rep, o, mem);
    fclose(mem);
    int r = wld_output_write(o->output, text, len, o->timeout_s * 1000, &why);
    free(text);
    if (r < 0)
        fprintf(stderr, "wsl-llm-doctor: --output %s: %s\n", o->output, why);
    free(why);
    return r;
}

/* The exit code of a report: 3 when the doctor broke its own contract, 1 when a check
 * failed or errored (or warned, with --fail-on warn), else 0. */
static int report_exit_code(const struct wld_report *r, const struct wld_options *o)
{
    if (r->internal_error)
        return EXIT_INTERNAL;
    if (wld_counts_fail(r->counts, o->fail_on == WLD_WARN))
        return 1;
    return EXIT_OK;
}

/* --facts REPORT.json: its facts judged under the rules in force, in any format. */
static int cmd_facts(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    cJSON *facts = NULL;
    char *err = NULL;
    if (wld_facts_load(o->facts_path, o->timeout_s * 1000.0, &facts, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    struct wld_report *rep = NULL;
    int r = wld_pipeline_judge(cJSON_GetObjectItemCaseSensitive(facts, "facts"),
                               cJSON_GetObjectItemCaseSensitive(facts, "reported"), rules, o, &rep);
    cJSON_Delete(facts);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: internal error: %s\n", strerror(-r));
        return EXIT_INTERNAL;
    }
    wld_log_fold_journals(rep, rules); /* ollama's own words, as a live run folds them */
    rep->exit_code = report_exit_code(rep, o);
    int code = rep->exit_code;
    struct wld_redactor *red = wld_options_redact(o) ? wld_redactor_new() : NULL;
    if (red)
        wld_report_redact(rep, red, NULL); /* what the report holds; no host to learn from */
    if (emit(rep, o, out) < 0)
        code = EXIT_USAGE;
    wld_redactor_free(red);
    wld_report_free(rep);
    return code;
}

/* A rendered report to --output (wld/output.h) or to out; -1 when --output failed, said. */
static int deliver(const struct wld_options *o, const char *text, size_t len, FILE *out)
{
    if (!o->output) {
        fwrite(text, 1, len, out);
        return 0;
    }
    char *why = NULL;
    int r = wld_output_write(o->output, text, len, o->timeout_s * 1000, &why);
    if (r < 0)
        fprintf(stderr, "wsl-llm-doctor: --output %s: %s\n", o->output, why);
    free(why);
    return r < 0 ? -1 : 0;
}

/* log [FILE|-]: a pasted log's findings; exit 1 when one fails (or warns, --fail-on warn). */
static int cmd_log(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    struct wld_log_report *rep = NULL;
    char *err = NULL;
    if (!o->log_path && isatty(STDIN_FILENO))
        fputs("wsl-llm-doctor: reading the log from stdin: paste it, then press Ctrl-D\n", stderr);
    if (wld_log_load(o->log_path, rules, NULL, &rep, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: log: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    rep->exit_code = wld_counts_fail(rep->counts, o->fail_on == WLD_WARN) ? EXIT_FAIL : EXIT_OK;
    if (wld_options_redact(o))
        wld_log_report_redact(rep);
    struct wld_render_opts ro = { .color = want_color(o),
                                  .verbose = o->verbose,
                                  .fail_on_warn = o->fail_on == WLD_WARN };
    int code = rep->exit_code;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        abort();
    wld_render_log(rep, o->format, &ro, mem);
    fclose(mem);
    if (deliver(o, text, len, out) < 0)
        code = EXIT_USAGE;
    free(text);
    wld_log_report_free(rep);
    return code;
}

static int cmd_check(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    if (o->facts_path)
        return cmd_facts(o, rules, out);
    struct wld_options fit_opts;
    static char *only_fit[] = { "models.fit", NULL };
    if (o->command == WLD_CMD_FIT) {
        /* the table for one model: models.fit and the GPU checks it needs, nothing else */
        fit_opts = *o;
        fit_opts.only = only_fit;
        fit_opts.skip = NULL;
        fit_opts.models_only = true;
        o = &fit_opts;
    }
    struct wld_host *host = NULL;
    int r = o->root ? wld_host_new_fixture(o->root, &host) : wld_host_new_live(&host);
    if (r == -EFBIG) {
        fprintf(stderr,
                "wsl-llm-doctor: --root %s: .doctor/env is over 16 MiB or 65536 variables, more "
                "than a recorded environment holds; it is not read in part\n",
                o->root);
        return EXIT_USAGE;
    }
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: --root %s: not a directory we can read (%s)\n", o->root,
                strerror(-r));
        return EXIT_USAGE;
    }
    struct wld_recorder *rec = o->command == WLD_CMD_RECORD ? wld_recorder_new() : NULL;
    if (rec)
        host->layer = wld_recorder_layer(rec);
    struct wld_report *rep = NULL;
    r = wld_pipeline_run(host, rules, o, &rep);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: internal error: %s\n", strerror(-r));
        wld_recorder_free(rec);
        wld_host_free(host);
        return EXIT_INTERNAL;
    }
    if (o->log_path) { /* check --log: the log's findings, under their checks */
        struct wld_log_report *log = NULL;
        char *err = NULL;
        /* what the checks saw of this host, derived values included (llama.arch's "built") */
        cJSON *seen = cJSON_CreateObject();
        for (size_t i = 0; i < rep->n; i++)
            cJSON_AddItemReferenceToObject(seen, rep->results[i].check->id,
                                           rep->results[i].evidence);
        /* the claims a log is held to need these checks' facts: a run without them
         * (--only, --skip) says which claims it could not make, never silently */
        char missing[64] = "";
        for (const char *const *c = wld_log_host_checks; *c; c++)
            if (!cJSON_GetObjectItemCaseSensitive(seen, *c))
                snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
                         missing[0] ? ", " : "", *c);
        if (missing[0])
            fprintf(stderr,
                    "wsl-llm-doctor: --log: %s did not run, so the log is not held against "
                    "what %s would say of this host\n",
                    missing, strchr(missing, ',') ? "they" : "it");
        r = wld_log_load(o->log_path, rules, seen, &log, &err);
        cJSON_Delete(seen);
        if (r < 0) {
            fprintf(stderr, "wsl-llm-doctor: --log %s\n", err);
            free(err);
            wld_recorder_free(rec);
            wld_report_free(rep);
            wld_host_free(host);
            return EXIT_USAGE;
        }
        wld_log_fold(log, rep);
        wld_log_report_free(log);
    }
    wld_log_fold_journals(rep, rules); /* ollama's journal, as check --log folds a log */
    struct wld_redactor *red = wld_options_redact(o) ? wld_redactor_new() : NULL;
    rep->exit_code = report_exit_code(rep, o);
    int code = rep->exit_code;
    if (rec) {
        if (wld_record_finish(o, host, rec, rep, red) < 0)
            code = EXIT_USAGE;
    } else if (red) {
        wld_report_redact(rep, red, host);
    }
    if (code != EXIT_USAGE && emit(rep, o, out) < 0)
        code = EXIT_USAGE;
    wld_redactor_free(red);
    wld_recorder_free(rec);
    wld_report_free(rep);
    wld_host_free(host);
    return code;
}

/* lint PATH...: the findings on a repository's files; exit 1 on a fail (or warn). */
static int cmd_lint(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    struct wld_lint_report *rep = NULL;
    enum wld_lint_kind kind = WLD_LINT_NONE;
    char *err = NULL;
    if (o->lint_kind)
        wld_lint_kind_parse(o->lint_kind, &kind);
    if (wld_lint_run(o->lint_paths, kind, rules, o->fail_on == WLD_WARN, &rep, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    struct wld_render_opts ro = { .color = want_color(o),
                                  .verbose = o->verbose,
                                  .fail_on_warn = o->fail_on == WLD_WARN };
    int code = rep->exit_code;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        abort();
    wld_render_lint(rep, o->format, &ro, mem);
    fclose(mem);
    FILE *summary = o->format == WLD_FORMAT_GITHUB ? step_summary_open() : NULL;
    if (summary)
        wld_render_lint(rep, WLD_FORMAT_MARKDOWN, &ro, summary);
    step_summary_close(summary);
    if (deliver(o, text, len, out) < 0)
        code = EXIT_USAGE;
    free(text);
    wld_lint_report_free(rep);
    return code;
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
    if (o.command == WLD_CMD_HELP) {
        wld_cli_usage(out);
        wld_options_release(&o);
        return EXIT_OK;
    }
    if (o.command == WLD_CMD_GENERATE) {
        wld_cli_generate(&o, out);
        wld_options_release(&o);
        return EXIT_OK;
    }
    if (o.command == WLD_CMD_VERSION) {
        fprintf(out, "wsl-llm-doctor %s\n", WLD_VERSION);
        wld_options_release(&o);
        return EXIT_OK;
    }
    if (o.command == WLD_CMD_LIST) {
        int code = cmd_list(&o, out);
        wld_options_release(&o);
        return code;
    }
    if (wld_options_server_key(&o, &err) < 0) {
        fprintf(stderr, "wsl-llm-doctor: %s\n", err);
        free(err);
        wld_options_release(&o);
        return EXIT_USAGE;
    }
    /* the live note: a person watching a terminal, never a pipe or a CI log */
    o.progress = isatty(STDERR_FILENO) && !getenv("CI");
    if (!o.root) {
        wld_path_from_cwd(&o.llama_server);
        wld_path_from_cwd(&o.llama_build);
        wld_path_from_cwd(&o.wslconfig);
        if (o.log_path && !o.log_given && strcmp(o.log_path, "-") != 0) /* check --log */
            wld_path_from_cwd(&o.log_path);
        for (char **m = o.models; m && *m; m++)
            wld_path_from_cwd(m);
        for (char **c = o.composes; c && *c; c++)
            wld_path_from_cwd(c);
        if (!o.composes && !o.facts_path &&
            (o.command == WLD_CMD_CHECK || o.command == WLD_CMD_RECORD))
            compose_of_cwd(&o);
        for (char **r = o.runtimes; r && *r; r++) /* a path, not a kind ("./venv") */
            if (strchr(*r, '/'))
                wld_path_from_cwd(r);
    }

    struct wld_rules *rules = NULL;
    char *note = NULL;
    int r = wld_rules_load_in_force(o.rules_path, o.timeout_s * 1000, &rules, &err, &note);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: unusable rules: %s\n", err);
        free(err);
        wld_options_release(&o);
        return EXIT_USAGE;
    }
    if (note)
        fprintf(stderr, "wsl-llm-doctor: %s\n", note);
    free(note);
    int code;
    if (o.command == WLD_CMD_EXPLAIN) {
        code = cmd_explain(&o, rules, out);
    } else if (o.command == WLD_CMD_RULES && wld_str_is(o.rules_action, "show")) {
        wld_rules_show(rules, out);
        code = EXIT_OK;
    } else if (o.command == WLD_CMD_RULES && wld_str_is(o.rules_action, "update")) {
        /* a download gets the probe deadline, and at least 30 s */
        double ms = o.timeout_s * 1000 > 30000 ? o.timeout_s * 1000 : 30000;
        if (o.timeout_set)
            ms = o.timeout_s * 1000;
        r = wld_rules_update(o.rules_url, o.rules_sha256, ms, rules, out, &err);
        if (r < 0) {
            fprintf(stderr, "wsl-llm-doctor: rules update: %s\n", err);
            free(err);
        }
        code = r == 0 ? EXIT_OK : r == -EINVAL && !o.rules_url ? EXIT_USAGE : EXIT_FAIL;
    } else if (o.command == WLD_CMD_RULES) {
        wld_render_rules(rules, out);
        code = EXIT_OK;
    } else if (o.command == WLD_CMD_LOG) {
        code = cmd_log(&o, rules, out);
    } else if (o.command == WLD_CMD_LINT) {
        code = cmd_lint(&o, rules, out);
    } else {
        code = cmd_check(&o, rules, out);
    }
    wld_rules_free(rules);
    wld_options_release(&o);
    return code;
}

int main(int argc, char **argv)
{
    /* The doctor re-executed as its own helpers (see wld/cuda_probe.h, wld/dlprobe.h). */
    if (argc >= 2 && strcmp(argv[1], WLD_CUDA_PROBE_ARG) == 0)
        return wld_cuda_probe_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], WLD_DLOPEN_PROBE_ARG) == 0)
        return wld_dlopen_probe_main(argc, argv);
    wld_trace_begin();
    wld_fetch_global_init();
    /* stdout is written once, at the end, so that a failed write is known with its
     * reason: a full disk or a report redirected to /dev/full is exit 2, whatever the
     * command, never a silent truncated report */
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
    free(why);
    free(text);
    return code;
}
