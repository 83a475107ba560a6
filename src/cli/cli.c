/* Command-line parsing. Hand-written rather than getopt_long so that every mistake
 * becomes one line with a hint ("did you mean --only?"), and so a typo in a check id
 * fails loudly instead of silently checking nothing. */
#include "wld/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/gguf.h"
#include "wld/lint.h"
#include "wld/util.h"

const char wld_cli_usage[] =
        "Usage: wsl-llm-doctor [COMMAND] [OPTIONS]\n"
        "Preflight doctor for llama.cpp + CUDA on WSL2 and Linux (man wsl-llm-doctor)\n"
        "\n"
        "Commands:\n"
        "  check        run the checks (default)    list        every check id and title\n"
        "  explain ID   a check's rules, sources   rules       the rules in effect (JSON)\n"
        "  rules show   which rules, from where    rules update [--url URL] [--sha256 HEX]\n"
        "  fit MODEL    memory per context size     record DIR  save this host for --root\n"
        "  log [FILE|-] diagnose a pasted llama.cpp / ollama log (stdin without FILE)\n"
        "  lint PATH... a repository's WSL, systemd unit and container files, for CI\n"
        "\n"
        "Options:\n"
        "  --format FMT   text, json, markdown, junit, github, prometheus or sarif\n"
        "  --output FILE  write the report to FILE (a file is replaced atomically)\n"
        "  --only ID,...  run only these checks      --skip ID,...  skip these checks\n"
        "  --fail-on warn exit 1 on warnings too     --timeout S    probe deadline (5)\n"
        "  --root DIR     examine a recorded host    --rules FILE   judge by other rules\n"
        "  --facts REPORT judge the facts of a saved JSON report under these rules\n"
        "  --log FILE     check: fold a log's findings in and hold its claims to this host\n"
        "  --kind KIND    lint: every file is a wslconfig, wsl-conf, unit, daemon-json, cdi\n"
        "                 or compose\n"
        "  --redact, --no-redact  hide personal values (on for markdown, github, record)\n"
        "  --model PATH   a model file (repeatable)  --wslconfig PATH  the .wslconfig\n"
        "  --compose FILE a compose file for container.gpu (repeatable; default: the\n"
        "                 compose.yaml or docker-compose.yml of the current directory)\n"
        "  --llama-server PATH, --llama-build DIR    the llama.cpp binary or build tree\n"
        "  --runtime R    judge only runtime R: llama.cpp, ollama, python, or a path\n"
        "                 (repeatable; default: every runtime found)\n"
        "  --gpu-cc X.Y   judge llama.arch for it    --vram GIB     GPU memory to judge\n"
        "  --ctx N, --ngl N, --ctk T, --ctv T, --parallel N  llama.cpp settings to fit\n"
        "  --functional   CUDA context + 64 MiB copy --bench-io     time model reads\n"
        "  --no-interop   run no Windows program     -v, --verbose  evidence and times\n"
        "  --server URL   a llama-server or ollama to ask (repeatable)  --offline  ask none\n"
        "  --server-key-file FILE  the servers' API key (else $LLAMA_API_KEY), never shown\n"
        "  --no-color, --version, -h, --help\n"
        "\n"
        "Exit: 0 nothing failed (warnings allowed); 1 a check failed or could not run (or\n"
        "warned, with --fail-on warn); 2 bad usage, rules or --output; 3 internal error.\n";

static const char *const long_opts[] = {
    "only",    "skip",    "format",       "root",        "rules",      "fail-on",
    "timeout", "model",   "llama-server", "wslconfig",   "verbose",    "no-color",
    "version", "help",    "functional",   "llama-build", "gpu-cc",     "ctx",
    "ngl",     "ctk",     "ctv",          "parallel",    "vram",       "bench-io",
    "output",  "redact",  "no-redact",    "facts",       "no-interop", "url",
    "sha256",  "server",  "offline",      "log",         "kind",       "server-key-file",
    "runtime", "compose",
};

static const char *const format_names[] = {
    [WLD_FORMAT_TEXT] = "text",         [WLD_FORMAT_JSON] = "json",
    [WLD_FORMAT_MARKDOWN] = "markdown", [WLD_FORMAT_JUNIT] = "junit",
    [WLD_FORMAT_GITHUB] = "github",     [WLD_FORMAT_PROMETHEUS] = "prometheus",
    [WLD_FORMAT_SARIF] = "sarif",
};

bool wld_options_redact(const struct wld_options *o)
{
    if (o->redact != WLD_REDACT_DEFAULT)
        return o->redact == WLD_REDACT_ON;
    return o->command == WLD_CMD_RECORD || o->format == WLD_FORMAT_MARKDOWN ||
           o->format == WLD_FORMAT_GITHUB;
}

/* An integer option in [lo, hi]. */
static int parse_uint(const char *opt, const char *value, long lo, long hi, long *ret, char **err)
{
    char *end = NULL;
    long v = strtol(value, &end, 10);
    if (!end || end == value || *end || v < lo || v > hi)
        return wld_errorf(err, -EINVAL, "--%s: '%s' is not a whole number in [%ld, %ld]", opt,
                          value, lo, hi);
    *ret = v;
    return 0;
}

static int parse_cache_type(const char *opt, const char *value, int *ret, char **err)
{
    int t = wld_ggml_cache_type(value);
    if (t < 0)
        return wld_errorf(err, -EINVAL,
                          "--%s: '%s' is not a KV cache type llama.cpp accepts (f32, f16, bf16, "
                          "q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1)",
                          opt, value);
    *ret = t;
    return 0;
}

static int set_fit_option(struct wld_options *o, const char *name, const char *value, char **err)
{
    long v = 0;
    int r;
    if (strcmp(name, "ctx") == 0) {
        r = parse_uint(name, value, 0, 16 * 1024 * 1024, &v, err);
        o->ctx = (unsigned) v;
        o->ctx_given = true;
    } else if (strcmp(name, "ngl") == 0) {
        r = parse_uint(name, value, -1, 100000, &v, err);
        o->ngl = (int) v;
    } else if (strcmp(name, "parallel") == 0) {
        r = parse_uint(name, value, 1, 4096, &v, err);
        o->parallel = (unsigned) v;
    } else if (strcmp(name, "ctk") == 0) {
        r = parse_cache_type(name, value, &o->ctk, err);
    } else if (strcmp(name, "ctv") == 0) {
        r = parse_cache_type(name, value, &o->ctv, err);
    } else {
        char *end = NULL;
        double g = strtod(value, &end);
        if (!end || end == value || *end || !(g > 0) || g > 65536)
            return wld_errorf(err, -EINVAL, "--vram: '%s' is not a size in GiB, like 24", value);
        o->vram_gib = g;
        r = 0;
    }
    return r;
}

static const char *closest(const char *word, const char *const *cands, size_t n)
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

static char **strv_push(char **v, const char *s)
{
    size_t n = 0;
    while (v && v[n])
        n++;
    v = wld_xrealloc(v, (n + 2) * sizeof(char *));
    v[n] = wld_xstrdup(s);
    v[n + 1] = NULL;
    return v;
}

/* --gpu-cc 8.6 or 8.6,8.9: compute capabilities as "major.minor", major 1-99, minor 0-9. */
static int parse_gpu_cc(struct wld_options *o, const char *value, char **err)
{
    char *copy = wld_xstrdup(value), *save = NULL;
    int r = 0;
    wld_strv_free(o->gpu_cc);
    o->gpu_cc = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        unsigned major, minor;
        char tail;
        if (sscanf(t, "%u.%u%c", &major, &minor, &tail) != 2 || major < 1 || major > 99 ||
            minor > 9) {
            r = wld_errorf(err, -EINVAL, "--gpu-cc: '%s' is not a compute capability like 8.6", t);
            break;
        }
        o->gpu_cc = strv_push(o->gpu_cc, t);
    }
    if (r == 0 && !o->gpu_cc)
        r = wld_errorf(err, -EINVAL, "--gpu-cc: give a compute capability like 8.6");
    free(copy);
    return r;
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
            const char *hint = closest(id, ids, n);
            r = hint ? wld_errorf(err, -EINVAL, "%s: unknown check id '%s' (did you mean '%s'?)",
                                  opt, id, hint)
                     : wld_errorf(err, -EINVAL,
                                  "%s: unknown check id '%s' (see `wsl-llm-doctor list`)", opt, id);
            break;
        }
        *list = strv_push(*list, id);
    }
    free(copy);
    if (r == 0 && !*list)
        r = wld_errorf(err, -EINVAL, "%s needs at least one check id", opt);
    return r;
}

static int set_option(struct wld_options *o, const char *name, const char *value, char **err)
{
    if (strcmp(name, "only") == 0)
        return add_ids(&o->only, value, "--only", err);
    if (strcmp(name, "skip") == 0)
        return add_ids(&o->skip, value, "--skip", err);
    if (strcmp(name, "format") == 0) {
        for (size_t f = 0; f < WLD_ARRAY_SIZE(format_names); f++)
            if (strcmp(value, format_names[f]) == 0) {
                o->format = (enum wld_format) f;
                return 0;
            }
        const char *hint = closest(value, format_names, WLD_ARRAY_SIZE(format_names));
        return hint ? wld_errorf(err, -EINVAL, "--format: unknown format '%s' (did you mean '%s'?)",
                                 value, hint)
                    : wld_errorf(err, -EINVAL,
                                 "--format: unknown format '%s' (text, json, markdown, junit, "
                                 "github, prometheus or sarif)",
                                 value);
    }
    if (strcmp(name, "output") == 0) {
        if (!value[0])
            return wld_errorf(err, -EINVAL, "--output needs a file name");
        free(o->output);
        o->output = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "root") == 0) {
        free(o->root);
        o->root = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "log") == 0) {
        free(o->log_path);
        o->log_path = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "facts") == 0) {
        free(o->facts_path);
        o->facts_path = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "kind") == 0) {
        enum wld_lint_kind k;
        free(o->lint_kind);
        o->lint_kind = wld_xstrdup(value);
        if (wld_lint_kind_parse(value, &k) < 0)
            return wld_errorf(err, -EINVAL,
                              "--kind: '%s' is not a kind lint knows (wslconfig, "
                              "wsl-conf, unit, daemon-json, cdi or compose)",
                              value);
        return 0;
    }
    if (strcmp(name, "rules") == 0) {
        free(o->rules_path);
        o->rules_path = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "fail-on") == 0) {
        if (strcmp(value, "fail") == 0)
            o->fail_on = WLD_FAIL;
        else if (strcmp(value, "warn") == 0)
            o->fail_on = WLD_WARN;
        else
            return wld_errorf(err, -EINVAL, "--fail-on: use 'fail' or 'warn', not '%s'", value);
        return 0;
    }
    if (strcmp(name, "timeout") == 0) {
        char *end = NULL;
        double t = strtod(value, &end);
        if (!end || *end || !(t > 0) || t > 3600)
            return wld_errorf(err, -EINVAL,
                              "--timeout: '%s' is not a number of seconds in (0, 3600]", value);
        o->timeout_s = t;
        o->timeout_set = true;
        return 0;
    }
    if (strcmp(name, "model") == 0) {
        o->models = strv_push(o->models, value);
        return 0;
    }
    if (strcmp(name, "compose") == 0) {
        o->composes = strv_push(o->composes, value);
        return 0;
    }
    if (strcmp(name, "server") == 0) {
        if (!wld_str_starts(value, "http://") && !wld_str_starts(value, "https://"))
            return wld_errorf(err, -EINVAL, "--server takes an http:// or https:// URL, not '%s'",
                              value);
        o->servers = strv_push(o->servers, value);
        return 0;
    }
    if (strcmp(name, "runtime") == 0) {
        if (!*value)
            return wld_errorf(err, -EINVAL, "--runtime takes llama.cpp, ollama, python or a path");
        o->runtimes = strv_push(o->runtimes, value);
        return 0;
    }
    if (strcmp(name, "server-key-file") == 0) {
        free(o->server_key_file);
        o->server_key_file = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "llama-server") == 0) {
        free(o->llama_server);
        o->llama_server = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "llama-build") == 0) {
        free(o->llama_build);
        o->llama_build = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "gpu-cc") == 0)
        return parse_gpu_cc(o, value, err);
    if (strcmp(name, "ctx") == 0 || strcmp(name, "ngl") == 0 || strcmp(name, "ctk") == 0 ||
        strcmp(name, "ctv") == 0 || strcmp(name, "parallel") == 0 || strcmp(name, "vram") == 0)
        return set_fit_option(o, name, value, err);
    if (strcmp(name, "wslconfig") == 0) {
        free(o->wslconfig);
        o->wslconfig = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "url") == 0) {
        free(o->rules_url);
        o->rules_url = wld_xstrdup(value);
        return 0;
    }
    if (strcmp(name, "sha256") == 0) {
        size_t n = strlen(value);
        if (n != 64 || strspn(value, "0123456789abcdefABCDEF") != 64)
            return wld_errorf(err, -EINVAL, "--sha256 takes 64 hex digits, not '%s'", value);
        free(o->rules_sha256);
        o->rules_sha256 = wld_xstrdup(value);
        return 0;
    }
    return wld_errorf(err, -EINVAL, "internal: unhandled option --%s", name);
}

static bool takes_value(const char *name)
{
    return strcmp(name, "verbose") != 0 && strcmp(name, "no-color") != 0 &&
           strcmp(name, "version") != 0 && strcmp(name, "help") != 0 &&
           strcmp(name, "functional") != 0 && strcmp(name, "bench-io") != 0 &&
           strcmp(name, "redact") != 0 && strcmp(name, "no-redact") != 0 &&
           strcmp(name, "no-interop") != 0 && strcmp(name, "offline") != 0;
}

static int set_command(struct wld_options *o, const char *word, bool *have, char **err)
{
    static const char *const cmds[] = { "check", "list",   "explain", "rules",
                                        "fit",   "record", "log",     "lint" };
    if (*have)
        return wld_errorf(err, -EINVAL, "unexpected argument '%s' (see --help)", word);
    *have = true;
    if (strcmp(word, "check") == 0)
        o->command = WLD_CMD_CHECK;
    else if (strcmp(word, "list") == 0)
        o->command = WLD_CMD_LIST;
    else if (strcmp(word, "explain") == 0)
        o->command = WLD_CMD_EXPLAIN;
    else if (strcmp(word, "rules") == 0)
        o->command = WLD_CMD_RULES;
    else if (strcmp(word, "fit") == 0)
        o->command = WLD_CMD_FIT;
    else if (strcmp(word, "record") == 0)
        o->command = WLD_CMD_RECORD;
    else if (strcmp(word, "log") == 0)
        o->command = WLD_CMD_LOG;
    else if (strcmp(word, "lint") == 0)
        o->command = WLD_CMD_LINT;
    else {
        const char *hint = closest(word, cmds, WLD_ARRAY_SIZE(cmds));
        return hint ? wld_errorf(err, -EINVAL, "unknown command '%s' (did you mean '%s'?)", word,
                                 hint)
                    : wld_errorf(err, -EINVAL, "unknown command '%s' (see --help)", word);
    }
    return 0;
}

void wld_options_defaults(struct wld_options *o)
{
    *o = (struct wld_options){ .command = WLD_CMD_CHECK,
                               .format = WLD_FORMAT_TEXT,
                               .fail_on = WLD_FAIL,
                               .timeout_s = WLD_DEFAULT_TIMEOUT_S,
                               .ctx = WLD_DEFAULT_CTX,
                               .ngl = -1,
                               .ctk = WLD_GGML_F16,
                               .ctv = WLD_GGML_F16,
                               .parallel = 1,
                               .vram_gib = -1 };
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

int wld_cli_parse(int argc, char **argv, struct wld_options *ret, char **err)
{
    struct wld_options o;
    wld_options_defaults(&o);
    bool have_cmd = false, want_version = false, want_help = false, rest_positional = false;
    int r = 0;
    *err = NULL;
    for (int i = 1; i < argc && r == 0; i++) {
        const char *a = argv[i];
        if (rest_positional || a[0] != '-' || a[1] == '\0') {
            if (have_cmd && o.command == WLD_CMD_EXPLAIN && !o.explain_id) {
                if (!wld_check_find(a)) {
                    r = wld_errorf(err, -EINVAL,
                                   "explain: unknown check id '%s' (see `wsl-llm-doctor list`)", a);
                    break;
                }
                o.explain_id = wld_xstrdup(a);
                continue;
            }
            if (have_cmd && o.command == WLD_CMD_RULES && !o.rules_action) {
                if (strcmp(a, "show") != 0 && strcmp(a, "update") != 0) {
                    r = wld_errorf(err, -EINVAL, "rules: unknown action '%s' (show or update)", a);
                    break;
                }
                o.rules_action = wld_xstrdup(a);
                continue;
            }
            if (have_cmd && o.command == WLD_CMD_RECORD && !o.record_dir) {
                o.record_dir = wld_xstrdup(a);
                o.record_dir_argi = i;
                continue;
            }
            if (have_cmd && o.command == WLD_CMD_LOG && !o.log_given) {
                free(o.log_path);
                o.log_path = wld_xstrdup(a);
                o.log_given = true;
                continue;
            }
            if (have_cmd && o.command == WLD_CMD_LINT) {
                o.lint_paths = strv_push(o.lint_paths, a);
                continue;
            }
            if (have_cmd && o.command == WLD_CMD_FIT && !o.models) {
                o.models = strv_push(o.models, a);
                continue;
            }
            o.command_argi = i;
            r = set_command(&o, a, &have_cmd, err);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            rest_positional = true;
            continue;
        }
        if (strcmp(a, "-v") == 0) {
            o.verbose = true;
            continue;
        }
        if (strcmp(a, "-h") == 0) {
            want_help = true;
            continue;
        }
        if (a[1] != '-') {
            r = wld_errorf(err, -EINVAL, "unknown option '%s' (see --help)", a);
            break;
        }
        char name[32];
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t) (eq - a - 2) : strlen(a + 2);
        if (len >= sizeof(name))
            len = sizeof(name) - 1;
        memcpy(name, a + 2, len);
        name[len] = '\0';
        bool known = false;
        for (size_t k = 0; k < WLD_ARRAY_SIZE(long_opts); k++)
            known |= strcmp(name, long_opts[k]) == 0;
        if (!known) {
            const char *hint = closest(name, long_opts, WLD_ARRAY_SIZE(long_opts));
            r = hint ? wld_errorf(err, -EINVAL, "unknown option '--%s' (did you mean '--%s'?)",
                                  name, hint)
                     : wld_errorf(err, -EINVAL, "unknown option '--%s' (see --help)", name);
            break;
        }
        if (!takes_value(name)) {
            if (eq) {
                r = wld_errorf(err, -EINVAL, "option '--%s' takes no value", name);
                break;
            }
            if (strcmp(name, "verbose") == 0)
                o.verbose = true;
            else if (strcmp(name, "no-color") == 0)
                o.no_color = true;
            else if (strcmp(name, "functional") == 0)
                o.functional = true;
            else if (strcmp(name, "bench-io") == 0)
                o.bench_io = true;
            else if (strcmp(name, "no-interop") == 0)
                o.no_interop = true;
            else if (strcmp(name, "offline") == 0)
                o.offline = true;
            else if (strcmp(name, "redact") == 0)
                o.redact = WLD_REDACT_ON;
            else if (strcmp(name, "no-redact") == 0)
                o.redact = WLD_REDACT_OFF;
            else if (strcmp(name, "version") == 0)
                want_version = true;
            else
                want_help = true;
            continue;
        }
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value) {
            r = wld_errorf(err, -EINVAL, "option '--%s' needs a value", name);
            break;
        }
        r = set_option(&o, name, value, err);
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
    if (r == 0 && o.command == WLD_CMD_LOG && o.format == WLD_FORMAT_PROMETHEUS)
        r = wld_errorf(err, -EINVAL,
                       "log: --format prometheus reports a host's checks; use text, json, "
                       "markdown, junit, github or sarif");
    if (r == 0 && o.command == WLD_CMD_LINT && !o.lint_paths)
        r = wld_errorf(err, -EINVAL,
                       "lint needs a file or directory: wsl-llm-doctor lint PATH... (e.g. lint .)");
    if (r == 0 && o.lint_kind && o.command != WLD_CMD_LINT)
        r = wld_errorf(err, -EINVAL, "--kind is for `lint`");
    if (r == 0 && o.command == WLD_CMD_LINT && o.redact == WLD_REDACT_ON)
        r = wld_errorf(err, -EINVAL,
                       "lint: --redact has nothing to hide: the report quotes only the files "
                       "named, which the repository already holds");
    if (r == 0 && o.command == WLD_CMD_FIT && !o.models)
        r = wld_errorf(err, -EINVAL, "fit needs a model file: wsl-llm-doctor fit MODEL.gguf");
    if (r == 0 && (o.rules_url || o.rules_sha256) &&
        !(o.command == WLD_CMD_RULES && wld_str_is(o.rules_action, "update")))
        r = wld_errorf(err, -EINVAL, "--url and --sha256 are for `rules update`");
    if (r < 0) {
        wld_options_release(&o);
        if (*err)
            *err = clip_quotes(*err);
        return r;
    }
    o.argc = argc;
    o.argv = argv;
    if (want_help)
        o.command = WLD_CMD_HELP;
    else if (want_version)
        o.command = WLD_CMD_VERSION;
    *ret = o;
    return 0;
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

void wld_options_release(struct wld_options *o)
{
    if (!o)
        return;
    free(o->explain_id);
    free(o->rules_action);
    free(o->rules_url);
    free(o->rules_sha256);
    wld_strv_free(o->only);
    wld_strv_free(o->skip);
    free(o->root);
    free(o->output);
    free(o->record_dir);
    free(o->rules_path);
    free(o->facts_path);
    free(o->log_path);
    free(o->lint_kind);
    wld_strv_free(o->lint_paths);
    wld_strv_free(o->models);
    wld_strv_free(o->composes);
    wld_strv_free(o->servers);
    wld_strv_free(o->runtimes);
    free(o->server_key_file);
    if (o->server_key)
        memset(o->server_key, 0, strlen(o->server_key));
    free(o->server_key);
    free(o->llama_server);
    free(o->llama_build);
    wld_strv_free(o->gpu_cc);
    free(o->wslconfig);
    memset(o, 0, sizeof(*o));
}
