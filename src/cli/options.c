/* Every command of the command line and the options they share, declared once (see
 * options.h), and the setters of the options whose value needs more than a copy. Adding
 * an option is a row here, or, when only one check reads it, a row in that check's file
 * (its struct wld_check's options, with its setter beside it); either way its field in
 * wld/settings.h and its paragraph in the man page's OPTIONS. */
#include "options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gguf.h"
#include "wld/issue.h"
#include "wld/lint.h"
#include "wld/util.h"

static const char *const format_names[] = {
    [WLD_FORMAT_TEXT] = "text",         [WLD_FORMAT_JSON] = "json",
    [WLD_FORMAT_MARKDOWN] = "markdown", [WLD_FORMAT_JUNIT] = "junit",
    [WLD_FORMAT_GITHUB] = "github",     [WLD_FORMAT_PROMETHEUS] = "prometheus",
    [WLD_FORMAT_SARIF] = "sarif",
};

/* The i-th word of a NULL-terminated or sized list, NULL past its end. */
#define CHOICE(fn, ...)                                     \
    static const char *fn(size_t i)                         \
    {                                                       \
        static const char *const words[] = { __VA_ARGS__ }; \
        return i < WLD_ARRAY_SIZE(words) ? words[i] : NULL; \
    }
CHOICE(fail_on_choice, "fail", "warn")
CHOICE(runtime_choice, "llama.cpp", "ollama", "python")
CHOICE(rules_action_choice, "show", "update")

const char *wld_cli_format_choice(size_t i)
{
    return i < WLD_ARRAY_SIZE(format_names) ? format_names[i] : NULL;
}

static const char *lint_kind_choice(size_t i)
{
    return i + WLD_LINT_WSLCONFIG <= WLD_LINT_COMPOSE ? wld_lint_kind_name(i + WLD_LINT_WSLCONFIG)
                                                      : NULL;
}

const char *wld_cli_closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    unsigned best_d = 3;
    for (size_t i = 0; i < n; i++) {
        unsigned d = wld_str_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    return best;
}

char *wld_cli_choices_text(const char *(*choice)(size_t i))
{
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    for (size_t i = 0; choice(i); i++)
        wld_buf_printf(&b, "%s%s", i == 0 ? "" : !choice(i + 1) ? " or " : ", ", choice(i));
    return wld_buf_detach(&b);
}

/* An integer option in [lo, hi]. */
static int parse_long(const char *opt, const char *value, long lo, long hi, long *ret, char **err)
{
    char *end = NULL;
    long v = strtol(value, &end, 10);
    if (!end || end == value || *end || v < lo || v > hi)
        return wld_errorf(err, -EINVAL, "--%s: '%s' is not a whole number in [%ld, %ld]", opt,
                          value, lo, hi);
    *ret = v;
    return 0;
}

/* "--opt: 'value' is not ..." with the words it may be, from the table's choices. */
static int not_one_of(const char *(*choice)(size_t i), char **err, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static int not_one_of(const char *(*choice)(size_t i), char **err, const char *fmt, ...)
{
    char *words = wld_cli_choices_text(choice), *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        abort();
    va_end(ap);
    int r = wld_errorf(err, -EINVAL, "%s (%s)", msg, words);
    free(msg);
    free(words);
    return r;
}

static int parse_cache_type(const char *opt, const char *value, int *ret, char **err)
{
    int t = wld_ggml_cache_type(value);
    if (t < 0)
        return not_one_of(wld_ggml_cache_type_name, err,
                          "--%s: '%s' is not a KV cache type llama.cpp accepts", opt, value);
    *ret = t;
    return 0;
}

static int set_ctx(struct wld_options *o, const char *value, char **err)
{
    long v = 0;
    int r = parse_long("ctx", value, 0, 16 * 1024 * 1024, &v, err);
    o->ctx = (unsigned) v;
    o->ctx_given = true;
    return r;
}

static int set_ngl(struct wld_options *o, const char *value, char **err)
{
    long v = 0;
    int r = parse_long("ngl", value, -1, 100000, &v, err);
    o->ngl = (int) v;
    return r;
}

static int set_parallel(struct wld_options *o, const char *value, char **err)
{
    long v = 0;
    int r = parse_long("parallel", value, 1, 4096, &v, err);
    o->parallel = (unsigned) v;
    return r;
}

static int set_ctk(struct wld_options *o, const char *value, char **err)
{
    return parse_cache_type("ctk", value, &o->ctk, err);
}

static int set_ctv(struct wld_options *o, const char *value, char **err)
{
    return parse_cache_type("ctv", value, &o->ctv, err);
}

static int set_vram(struct wld_options *o, const char *value, char **err)
{
    char *end = NULL;
    double g = strtod(value, &end);
    if (!end || end == value || *end || !(g > 0) || g > 65536)
        return wld_errorf(err, -EINVAL, "--vram: '%s' is not a size in GiB, like 24", value);
    o->vram_gib = g;
    return 0;
}

static int set_timeout(struct wld_options *o, const char *value, char **err)
{
    char *end = NULL;
    double t = strtod(value, &end);
    if (!end || *end || !(t > 0) || t > 3600)
        return wld_errorf(err, -EINVAL, "--timeout: '%s' is not a number of seconds in (0, 3600]",
                          value);
    o->timeout_s = t;
    o->timeout_set = true;
    return 0;
}

static int add_ids(char ***list, const char *value, const char *opt, char **err)
{
    char *copy = wld_xstrdup(value), *save = NULL;
    int r = 0;
    for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        wld_str_trim(id);
        if (!id[0])
            continue;
        if (!wld_check_find(id)) {
            const char *ids[64];
            size_t n = 0;
            for (size_t i = 0; i < wld_checks_count && n < 64; i++)
                ids[n++] = wld_checks[i]->id;
            const char *hint = wld_cli_closest(id, ids, n);
            r = hint ? wld_errorf(err, -EINVAL, "%s: unknown check id '%s' (did you mean '%s'?)",
                                  opt, id, hint)
                     : wld_errorf(err, -EINVAL,
                                  "%s: unknown check id '%s' (see `wsl-llm-doctor list`)", opt, id);
            break;
        }
        *list = wld_strv_push(*list, id);
    }
    free(copy);
    if (r == 0 && !*list)
        r = wld_errorf(err, -EINVAL, "%s needs at least one check id", opt);
    return r;
}

static int set_only(struct wld_options *o, const char *value, char **err)
{
    return add_ids(&o->only, value, "--only", err);
}

static int set_skip(struct wld_options *o, const char *value, char **err)
{
    return add_ids(&o->skip, value, "--skip", err);
}

static int set_format(struct wld_options *o, const char *value, char **err)
{
    for (size_t f = 0; f < WLD_ARRAY_SIZE(format_names); f++)
        if (strcmp(value, format_names[f]) == 0) {
            o->format = (enum wld_format) f;
            return 0;
        }
    const char *hint = wld_cli_closest(value, format_names, WLD_ARRAY_SIZE(format_names));
    if (hint)
        return wld_errorf(err, -EINVAL, "--format: unknown format '%s' (did you mean '%s'?)", value,
                          hint);
    return not_one_of(wld_cli_format_choice, err, "--format: unknown format '%s'", value);
}

static int set_output(struct wld_options *o, const char *value, char **err)
{
    if (!value[0])
        return wld_errorf(err, -EINVAL, "--output needs a file name");
    free(o->output);
    o->output = wld_xstrdup(value);
    return 0;
}

static int set_for(struct wld_options *o, const char *value, char **err)
{
    for (size_t i = 0; wld_issue_for_name(i); i++)
        if (strcmp(value, wld_issue_for_name(i)) == 0) {
            o->issue_for = (enum wld_issue_for)(i + 1);
            return 0;
        }
    return not_one_of(wld_issue_for_name, err, "--for: no bug template for '%s'", value);
}

static int set_kind(struct wld_options *o, const char *value, char **err)
{
    enum wld_lint_kind k;
    free(o->lint_kind);
    o->lint_kind = wld_xstrdup(value);
    if (wld_lint_kind_parse(value, &k) < 0)
        return not_one_of(lint_kind_choice, err, "--kind: '%s' is not a kind lint knows", value);
    return 0;
}

static int set_fail_on(struct wld_options *o, const char *value, char **err)
{
    if (strcmp(value, "fail") == 0)
        o->fail_on = WLD_FAIL;
    else if (strcmp(value, "warn") == 0)
        o->fail_on = WLD_WARN;
    else
        return wld_errorf(err, -EINVAL, "--fail-on: use 'fail' or 'warn', not '%s'", value);
    return 0;
}

static int set_runtime(struct wld_options *o, const char *value, char **err)
{
    if (!*value)
        return wld_errorf(err, -EINVAL, "--runtime takes llama.cpp, ollama, python or a path");
    o->runtimes = wld_strv_push(o->runtimes, value);
    return 0;
}

static int set_sha256(struct wld_options *o, const char *value, char **err)
{
    if (strlen(value) != 64 || strspn(value, "0123456789abcdefABCDEF") != 64)
        return wld_errorf(err, -EINVAL, "--sha256 takes 64 hex digits, not '%s'", value);
    free(o->rules_sha256);
    o->rules_sha256 = wld_xstrdup(value);
    return 0;
}

static int set_redact(struct wld_options *o, const char *value, char **err)
{
    (void) value, (void) err;
    o->redact = WLD_REDACT_ON;
    return 0;
}

static int set_no_redact(struct wld_options *o, const char *value, char **err)
{
    (void) value, (void) err;
    o->redact = WLD_REDACT_OFF;
    return 0;
}

/* the commands that print a report of findings */
#define FOR_REPORT (WLD_FOR_FIT | WLD_FOR(WLD_CMD_LOG) | WLD_FOR(WLD_CMD_LINT))

/* The options every command shares, in the order of --help; the row without a name is
 * where the checks' own options come (wld_cli_option_at). */
static const struct wld_cli_option wld_cli_options[] = {
    { "format", 0, "FMT", WLD_VAL_ENUM, wld_cli_format_choice, NULL,
      FOR_REPORT | WLD_FOR(WLD_CMD_LIST) | WLD_FOR(WLD_CMD_EXPLAIN), WLD_REPLAY_KEEP,
      "the report's format", WLD_OPT_CALL(set_format) },
    { "output", 0, "FILE", WLD_VAL_FILE, NULL, NULL, FOR_REPORT, WLD_REPLAY_DROP,
      "write the report to FILE (a file is replaced atomically)", WLD_OPT_CALL(set_output) },
    { "for", 0, "PROJECT", WLD_VAL_ENUM, wld_issue_for_name, NULL, WLD_FOR(WLD_CMD_CHECK),
      WLD_REPLAY_KEEP, "markdown as PROJECT's bug template asks (implies --format markdown)",
      WLD_OPT_CALL(set_for) },
    { "only", 0, "ID,...", WLD_VAL_IDS, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_KEEP,
      "run only these checks", WLD_OPT_CALL(set_only) },
    { "skip", 0, "ID,...", WLD_VAL_IDS, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_KEEP,
      "skip these checks", WLD_OPT_CALL(set_skip) },
    { "fail-on", 0, "LEVEL", WLD_VAL_ENUM, fail_on_choice, NULL, FOR_REPORT, WLD_REPLAY_KEEP,
      "exit 1 on this status or worse (fail)", WLD_OPT_CALL(set_fail_on) },
    { "timeout", 0, "S", WLD_VAL_NUMBER, NULL, NULL, WLD_FOR_ALL, WLD_REPLAY_KEEP,
      "deadline of each probe, in seconds (5)", WLD_OPT_CALL(set_timeout) },
    { "root", 0, "DIR", WLD_VAL_DIR, NULL, NULL, WLD_FOR_ALL, WLD_REPLAY_DROP,
      "examine a recorded host tree instead of this machine", WLD_OPT_STR(root) },
    { "rules", 0, "FILE", WLD_VAL_FILE, NULL, NULL, WLD_FOR_ALL & ~WLD_FOR(WLD_CMD_LIST),
      WLD_REPLAY_KEEP, "judge by these rules instead of the built-in ones",
      WLD_OPT_STR(rules_path) },
    { "facts", 0, "REPORT", WLD_VAL_FILE, NULL, NULL, WLD_FOR(WLD_CMD_CHECK), WLD_REPLAY_KEEP,
      "judge the facts of a saved JSON report under these rules", WLD_OPT_STR(facts_path) },
    { "log", 0, "FILE", WLD_VAL_FILE, NULL, NULL, WLD_FOR(WLD_CMD_CHECK), WLD_REPLAY_PATH,
      "fold a log's findings in and hold its claims to this host", WLD_OPT_STR(log_path) },
    { "kind", 0, "KIND", WLD_VAL_ENUM, lint_kind_choice, NULL, WLD_FOR(WLD_CMD_LINT),
      WLD_REPLAY_KEEP, "judge every file as this kind, whatever its name", WLD_OPT_CALL(set_kind) },
    { "redact", 0, NULL, WLD_VAL_NONE, NULL, NULL, FOR_REPORT, WLD_REPLAY_KEEP,
      "replace personal values by tokens (markdown, github, record do)", WLD_OPT_CALL(set_redact) },
    { "no-redact", 0, NULL, WLD_VAL_NONE, NULL, NULL, FOR_REPORT, WLD_REPLAY_KEEP,
      "keep personal values", WLD_OPT_CALL(set_no_redact) },
    { "model", 0, "PATH", WLD_VAL_FILE, NULL, "*.gguf", WLD_FOR_FIT, WLD_REPLAY_PATH,
      "a model file to check", WLD_OPT_STRV(models), .repeat = true },
    { "llama-server", 0, "PATH", WLD_VAL_FILE, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_PATH,
      "the llama.cpp binary to check", WLD_OPT_STR(llama_server) },
    { "llama-build", 0, "DIR", WLD_VAL_DIR, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_PATH,
      "the llama.cpp build or source tree to check", WLD_OPT_STR(llama_build) },
    { "runtime", 0, "R", WLD_VAL_ENUM_OR_DIR, runtime_choice, NULL, WLD_FOR_HOST, WLD_REPLAY_KEEP,
      "judge only this runtime, or the one under a path", WLD_OPT_CALL(set_runtime),
      .repeat = true },
    { "vram", 0, "GIB", WLD_VAL_NUMBER, NULL, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "GPU memory to judge against instead of the GPUs'", WLD_OPT_CALL(set_vram) },
    { "ctx", 0, "N", WLD_VAL_NUMBER, NULL, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "context size to fit (8192; 0: the model's trained one)", WLD_OPT_CALL(set_ctx) },
    { "ngl", 0, "N", WLD_VAL_NUMBER, NULL, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "layers offloaded to the GPU (all)", WLD_OPT_CALL(set_ngl) },
    { "ctk", 0, "T", WLD_VAL_ENUM, wld_ggml_cache_type_name, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "KV cache type of K (f16)", WLD_OPT_CALL(set_ctk) },
    { "ctv", 0, "T", WLD_VAL_ENUM, wld_ggml_cache_type_name, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "KV cache type of V (f16)", WLD_OPT_CALL(set_ctv) },
    { "parallel", 0, "N", WLD_VAL_NUMBER, NULL, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "sequences sharing the KV cache (1)", WLD_OPT_CALL(set_parallel) },
    { .name = NULL }, /* here: each check's own options, in registry order (struct wld_check) */
    { "url", 0, "URL", WLD_VAL_TEXT, NULL, NULL, WLD_FOR(WLD_CMD_RULES), WLD_REPLAY_KEEP,
      "rules update: the bundle to fetch", WLD_OPT_STR(rules_url) },
    { "sha256", 0, "HEX", WLD_VAL_TEXT, NULL, NULL, WLD_FOR(WLD_CMD_RULES), WLD_REPLAY_KEEP,
      "rules update: the bundle's checksum", WLD_OPT_CALL(set_sha256) },
    { "verbose", 'v', NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_ALL, WLD_REPLAY_KEEP,
      "show the evidence and the time of each check", WLD_OPT_FLAG(verbose) },
    { "no-color", 0, NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_ALL, WLD_REPLAY_KEEP, "no colour",
      WLD_OPT_FLAG(no_color) },
    { "version", 0, NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_ALL, WLD_REPLAY_KEEP,
      "print the version", WLD_OPT_FLAG(version) },
    { "help", 'h', NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_ALL, WLD_REPLAY_KEEP, "print this help",
      WLD_OPT_FLAG(help) },
};
static const size_t wld_cli_options_count = WLD_ARRAY_SIZE(wld_cli_options);

#define TEXT_JSON (WLD_FORMAT_BIT(WLD_FORMAT_TEXT) | WLD_FORMAT_BIT(WLD_FORMAT_JSON))
const struct wld_cli_command wld_cli_commands[] = {
    { "check", WLD_CMD_CHECK, NULL, WLD_VAL_NONE, NULL, "run the checks (the default)",
      WLD_FORMATS_ALL },
    { "list", WLD_CMD_LIST, NULL, WLD_VAL_NONE, NULL, "every check id and title", TEXT_JSON },
    { "explain", WLD_CMD_EXPLAIN, "ID", WLD_VAL_IDS, NULL, "a check's rules, fixes and sources",
      TEXT_JSON },
    { "rules", WLD_CMD_RULES, "[show|update]", WLD_VAL_ENUM, rules_action_choice,
      "the rules as JSON; show: where from; update: newer ones", TEXT_JSON },
    { "fit", WLD_CMD_FIT, "MODEL", WLD_VAL_FILE, NULL,
      "memory per context size against the GPUs and the RAM", TEXT_JSON },
    { "record", WLD_CMD_RECORD, "DIR", WLD_VAL_DIR, NULL,
      "save this host as a tree that --root replays", WLD_FORMATS_ALL },
    { "log", WLD_CMD_LOG, "[FILE|-]", WLD_VAL_FILE, NULL,
      "diagnose a llama.cpp / ollama log (stdin without FILE)", WLD_FORMATS_ALL },
    { "lint", WLD_CMD_LINT, "PATH...", WLD_VAL_FILE, NULL,
      "a repository's WSL, unit and container files, for CI", WLD_FORMATS_ALL },
};
const size_t wld_cli_commands_count = WLD_ARRAY_SIZE(wld_cli_commands);

const struct wld_cli_option *wld_cli_option_at(size_t i)
{
    for (size_t k = 0; k < wld_cli_options_count; k++) {
        if (wld_cli_options[k].name) {
            if (i-- == 0)
                return &wld_cli_options[k];
            continue;
        }
        for (size_t c = 0; c < wld_checks_count; c++) {
            if (i < wld_checks[c]->n_options)
                return &wld_checks[c]->options[i];
            i -= wld_checks[c]->n_options;
        }
    }
    return NULL;
}

size_t wld_cli_option_count(void)
{
    size_t n = wld_cli_options_count - 1; /* the checks' place holds none itself */
    for (size_t c = 0; c < wld_checks_count; c++)
        n += wld_checks[c]->n_options;
    return n;
}

const struct wld_cli_option *wld_cli_option_find(const char *name, size_t n, size_t *i)
{
    const struct wld_cli_option *opt;
    for (size_t k = 0; (opt = wld_cli_option_at(k)); k++)
        if (strlen(opt->name) == n && memcmp(opt->name, name, n) == 0) {
            if (i)
                *i = k;
            return opt;
        }
    return NULL;
}

const struct wld_cli_command *wld_cli_command_of(enum wld_command c)
{
    for (size_t i = 0; i < wld_cli_commands_count; i++)
        if (wld_cli_commands[i].command == c)
            return &wld_cli_commands[i];
    return NULL;
}

char *wld_cli_formats_text(unsigned formats)
{
    struct wld_buf b;
    wld_buf_init(&b, 128);
    size_t n = 0, k = 0;
    for (size_t f = 0; f < WLD_ARRAY_SIZE(format_names); f++)
        n += (formats & WLD_FORMAT_BIT(f)) != 0;
    for (size_t f = 0; f < WLD_ARRAY_SIZE(format_names); f++) {
        if (!(formats & WLD_FORMAT_BIT(f)))
            continue;
        k++;
        wld_buf_printf(&b, "%s%s", k == 1 ? "" : k == n ? " or " : ", ", format_names[f]);
    }
    return wld_buf_detach(&b);
}

const struct wld_cli_command *wld_cli_command_find(const char *word)
{
    for (size_t i = 0; i < wld_cli_commands_count; i++)
        if (strcmp(wld_cli_commands[i].name, word) == 0)
            return &wld_cli_commands[i];
    return NULL;
}

int wld_cli_option_apply(const struct wld_cli_option *opt,
                         struct wld_options *o,
                         const char *value,
                         char **err)
{
    void *field = (char *) o + opt->offset;
    switch (opt->store) {
    case WLD_STORE_FLAG:
        *(bool *) field = true;
        return 0;
    case WLD_STORE_STR:
        free(*(char **) field);
        *(char **) field = wld_xstrdup(value);
        return 0;
    case WLD_STORE_STRV:
        *(char ***) field = wld_strv_push(*(char ***) field, value);
        return 0;
    case WLD_STORE_CALL:
        break;
    }
    return opt->set(o, value, err);
}
