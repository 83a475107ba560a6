/* The log command and check --log (see wld/log_cmd.h). */
#include "wld/log_cmd.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wld/findings.h"
#include "wld/logpipe.h"
#include "wld/ollama_journal.h"
#include "wld/pipeline.h"
#include "wld/redact.h"
#include "wld/util.h"

/* What a file that is not a log is, from its first bytes; NULL for text. */
static const char *not_a_log(const char *p, size_t n)
{
    if (n >= 4 && memcmp(p, "GGUF", 4) == 0)
        return "a GGUF model, not a log (to see whether it fits: wsl-llm-doctor fit FILE)";
    if (n >= 4 && memcmp(p,
                         "\x7f"
                         "ELF",
                         4) == 0)
        return "an ELF binary, not a log (run it and save what it prints: PROGRAM 2>&1 | tee "
               "run.log)";
    return NULL;
}

int wld_log_read(const char *path,
                 const struct wld_rules *rules,
                 const cJSON *host_facts,
                 unsigned long long cap,
                 struct wld_log_report **ret,
                 char **err)
{
    bool is_stdin = !path || strcmp(path, "-") == 0;
    const char *name = is_stdin ? "stdin" : path;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return wld_errorf(err, -errno, "%s: %s", path, strerror(errno));
    struct stat st;
    int refuse = 0;
    if (fstat(fd, &st) < 0)
        refuse = wld_errorf(err, -errno, "%s: %s", name, strerror(errno));
    else if (S_ISDIR(st.st_mode))
        refuse = wld_errorf(err, -EISDIR, "%s is a directory; give the log file (or - for stdin)",
                            name);
    /* /dev/zero or /dev/urandom never end: a device is no log (a terminal is someone
     * pasting, a pipe or a file is a log) */
    else if ((S_ISCHR(st.st_mode) && !isatty(fd)) || S_ISBLK(st.st_mode))
        refuse = wld_errorf(err, -EINVAL,
                            "%s is %s, not a log: give the log file, or pipe it "
                            "(journalctl -u ollama | wsl-llm-doctor log)",
                            name, wld_file_type_name(st.st_mode));
    if (refuse) {
        if (!is_stdin)
            close(fd);
        return refuse;
    }
    /* the first bytes say whether this is a log at all, before any line is read */
    size_t size = wld_logpipe_read_size();
    struct wld_logpipe *pipe = wld_logpipe_new();
    char *buf = wld_logpipe_buffer(pipe);
    size_t want = cap < size ? (size_t) cap : size;
    ssize_t n;
    while ((n = read(fd, buf, want)) < 0 && errno == EINTR)
        ;
    const char *what = n > 0 ? not_a_log(buf, (size_t) n) : NULL;
    int r = 0;
    if (n < 0)
        r = wld_errorf(err, -errno, "%s: %s", name, strerror(errno));
    else if (what)
        r = wld_errorf(err, -EINVAL, "%s is %s", name, what);
    if (r) {
        wld_logpipe_free(pipe);
        if (!is_stdin)
            close(fd);
        return r;
    }
    /* the lines are read and cleaned in a thread while the matcher is built */
    wld_logpipe_start(pipe, fd, (size_t) n, cap);
    struct wld_logmatch *m = wld_logmatch_new(rules);
    struct wld_logscan *s = wld_logscan_with(m);
    unsigned long long total = 0;
    bool cut = false;
    r = wld_logpipe_drain(pipe, s, m, &total, &cut);
    if (r < 0)
        r = wld_errorf(err, r, "%s: %s", name, strerror(-r));
    if (!is_stdin)
        close(fd);
    if (r == 0) {
        wld_logscan_finish(s);
        *ret = wld_log_diagnose(s, rules, is_stdin ? "-" : path, host_facts);
        (*ret)->cut_at = cut ? total : 0;
    }
    wld_logscan_free(s);
    wld_logmatch_free(m);
    return r;
}

int wld_log_load(const char *path,
                 const struct wld_rules *rules,
                 const cJSON *host_facts,
                 struct wld_log_report **ret,
                 char **err)
{
    int r = wld_log_read(path, rules, host_facts, WLD_LOG_CAP, ret, err);
    if (r == 0 && (*ret)->cut_at)
        fprintf(stderr,
                "wsl-llm-doctor: %s: read the first %llu GiB only; the rest of the log was "
                "not read\n",
                !path || strcmp(path, "-") == 0 ? "stdin" : path, (*ret)->cut_at >> 30);
    return r;
}

/* ---- redaction ---- */

static void redact_str(const struct wld_redactor *red, char *s)
{
    if (s)
        wld_redact_str(red, s);
}

void wld_log_report_redact(struct wld_log_report *r)
{
    struct wld_redactor *red = wld_redactor_new();
    wld_redactor_learn_json(red, r->facts);
    wld_redactor_learn_text(red, r->shows, strlen(r->shows));
    for (size_t i = 0; i < r->n; i++) {
        wld_redactor_learn_text(red, r->findings[i].summary, strlen(r->findings[i].summary));
        if (r->findings[i].fix)
            wld_redactor_learn_text(red, r->findings[i].fix, strlen(r->findings[i].fix));
    }
    wld_redact_json(red, r->facts);
    redact_str(red, r->shows);
    for (size_t i = 0; i < r->n; i++) {
        redact_str(red, r->findings[i].summary);
        redact_str(red, r->findings[i].fix);
    }
    r->redacted = true;
    free(r->redacted_text);
    r->redacted_text = wld_redactor_summary(red);
    wld_redactor_free(red);
}

/* ---- renderers ---- */

static void put_lines(FILE *out, const struct wld_log_finding *x)
{
    for (int k = 0; k < x->n_lines; k++)
        fprintf(out, "%s%ld", k ? ", " : "", x->lines[k]);
}

/* log text is the user's: on a terminal no escape sequence of it gets through */
static void put_safe(FILE *out, const char *s)
{
    char *p = wld_str_printable(s, strlen(s));
    fputs(p, out);
    free(p);
}

static void render_text(const struct wld_log_report *r, const struct wld_render_opts *o, FILE *out)
{
    double lines = wld_fact_num(cJSON_GetObjectItemCaseSensitive(r->facts, "input"), "lines", 0);
    fprintf(out, "%swsl-llm-doctor %s log%s  (rules %s, ", wld_text_sgr(o, "\033[1m"), WLD_VERSION,
            wld_text_sgr(o, "\033[0m"), wld_rules_version(r->rules));
    put_safe(out, strcmp(r->input, "-") == 0 ? "stdin" : r->input);
    fprintf(out, ", %.0f line%s)\n\nshows: ", lines, lines == 1 ? "" : "s");
    put_safe(out, r->shows);
    fputs("\n\n", out);
    size_t width = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strlen(r->findings[i].check) > width)
            width = strlen(r->findings[i].check);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_log_finding *x = &r->findings[i];
        wld_put_text_mark(out, o, x->status, x->check, (int) width, x->summary);
        fputc('\n', out);
        if (x->fix && x->status != WLD_PASS)
            wld_put_text_fix(out, o, x->fix);
        fputs("       lines ", out);
        put_lines(out, x);
        fprintf(out, " · signature %s\n", x->signature);
    }
    if (r->counts[WLD_FAIL] + r->counts[WLD_WARN] + r->counts[WLD_ERROR] == 0)
        fprintf(out, "%sNo known failure in this log.\n", r->n ? "\n" : "");
    fprintf(out, "\n%zu finding%s: %u failed, %u warned, %u passed (exit %d)\n", r->n,
            r->n == 1 ? "" : "s", r->counts[WLD_FAIL], r->counts[WLD_WARN], r->counts[WLD_PASS],
            r->exit_code);
}

static void render_json(const struct wld_log_report *r, FILE *out)
{
    cJSON *doc = wld_log_report_json(r);
    wld_put_json(doc, out);
    cJSON_Delete(doc);
}

void wld_log_findings(const struct wld_log_report *r, struct wld_findings *out)
{
    *out = (struct wld_findings){ .command = "log",
                                  .rules_version = wld_rules_version(r->rules),
                                  .exit_code = r->exit_code,
                                  .seconds = -1 };
    bool file = strcmp(r->input, "-") != 0;
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_log_finding *x = &r->findings[i];
        char *classname = wld_xasprintf("wsl-llm-doctor.log.%s", x->check);
        struct wld_case *c = wld_findings_case(out, classname, x->signature);
        free(classname);
        if (x->status == WLD_SKIP) /* what the log could not show: not judged */
            c->skipped = wld_xstrdup(x->summary);
        struct wld_item *it = wld_findings_add(out, x->check, x->signature, x->status, x->summary,
                                               x->fix, x->sources);
        c->label = it->rule;
        it->note = x->status == WLD_SKIP; /* what the log could not show */
        if (file && x->n_lines) {
            it->file = r->input;
            it->line = (unsigned) x->lines[0];
        }
        if (x->n_lines) {
            struct wld_buf b;
            wld_buf_init(&b, 64);
            wld_buf_puts(&b, x->n_lines == 1 ? "line " : "lines ");
            for (int k = 0; k < x->n_lines; k++)
                wld_buf_printf(&b, "%s%ld", k ? ", " : "", x->lines[k]);
            it->where = wld_buf_detach(&b);
        }
    }
    if (!r->n) { /* a log without a known failure: a passing case that says what it shows */
        wld_findings_case(out, "wsl-llm-doctor.log", "log");
        wld_findings_add(out, "log", "read", WLD_PASS, r->shows, NULL, NULL);
    }
    out->notice = wld_xasprintf("%s\n%zu findings: %u failed, %u warned (exit %d)", r->shows, r->n,
                                r->counts[WLD_FAIL], r->counts[WLD_WARN], r->exit_code);
    memcpy(out->counts, r->counts, sizeof(out->counts));
    out->title = wld_xstrdup("log diagnosis");
    out->context = wld_xstrdup(file ? r->input : "stdin");
    out->lead_label = "The log shows";
    out->lead = wld_xstrdup(r->shows);
    out->none = wld_xstrdup("No known failure in this log.");
    out->redacted = r->redacted_text ? wld_xstrdup(r->redacted_text) : NULL;
}

void wld_render_log(const struct wld_log_report *r,
                    enum wld_format format,
                    const struct wld_render_opts *o,
                    FILE *out)
{
    switch (format) {
    case WLD_FORMAT_JSON:
        render_json(r, out);
        break;
    case WLD_FORMAT_MARKDOWN:
    case WLD_FORMAT_JUNIT:
    case WLD_FORMAT_GITHUB:
    case WLD_FORMAT_SARIF:
    case WLD_FORMAT_PROMETHEUS: {
        struct wld_findings f;
        wld_log_findings(r, &f);
        if (format == WLD_FORMAT_MARKDOWN) { /* the facts as well, for whoever reads the issue */
            char *json = cJSON_Print(r->facts);
            f.appendix = wld_xasprintf(
                    "<details><summary>What the log states</summary>\n\n````json\n%s\n"
                    "````\n\n</details>\n",
                    json);
            cJSON_free(json);
        }
        wld_render_findings(&f, format, o, out);
        wld_findings_free(&f);
        break;
    }
    case WLD_FORMAT_TEXT:
        render_text(r, o, out);
        break;
    }
}

/* ---- check --log ---- */

void wld_log_fold(const struct wld_log_report *log, struct wld_report *rep)
{
    if (log->n == 0)
        return;
    struct wld_result *res = wld_xcalloc(rep->n + log->n, sizeof(*res));
    size_t w = 0;
    bool *placed = wld_xcalloc(log->n, sizeof(bool));
    for (size_t i = 0; i <= rep->n; i++) {
        if (i < rep->n)
            res[w++] = rep->results[i];
        /* the log's findings of this check after its result; of checks not run, at the end */
        for (size_t k = 0; k < log->n; k++) {
            const struct wld_log_finding *x = &log->findings[k];
            if (placed[k] || (i < rep->n && strcmp(rep->results[i].check->id, x->check) != 0))
                continue;
            const struct wld_check *c = wld_check_find(x->check);
            if (!c)
                continue;
            placed[k] = true;
            struct wld_result *y = &res[w++];
            memset(y, 0, sizeof(*y));
            y->check = c;
            y->status = x->status;
            y->own_status = x->status;
            y->from = log->what ? "journal" : "log";
            char *out = wld_xasprintf("log_%s", x->signature);
            for (char *p = out; *p; p++)
                if (*p == '-')
                    *p = '_';
            y->outcome = out;
            struct wld_buf b;
            wld_buf_init(&b, 64 * 1024);
            wld_buf_printf(&b, "%s, line ", log->what ? log->what : "log");
            for (int l = 0; l < x->n_lines; l++)
                wld_buf_printf(&b, "%s%ld", l ? ", " : "", x->lines[l]);
            wld_buf_printf(&b, ": %s", x->summary);
            y->summary = wld_buf_detach(&b);
            y->fix = x->fix ? wld_xstrdup(x->fix) : NULL;
            y->evidence = cJSON_CreateObject();
            cJSON *l = cJSON_AddObjectToObject(y->evidence, "log");
            cJSON_AddStringToObject(l, "input", log->input);
            cJSON_AddStringToObject(l, "signature", x->signature);
            cJSON *lines = cJSON_AddArrayToObject(l, "lines");
            for (int k2 = 0; k2 < x->n_lines; k2++)
                cJSON_AddItemToArray(lines, cJSON_CreateNumber((double) x->lines[k2]));
            y->derived = cJSON_CreateArray();
            cJSON_AddItemToArray(y->derived, cJSON_CreateString("log"));
            y->sources = cJSON_Duplicate(x->sources, true);
            if (x->follows) { /* said already, by the check it follows from */
                y->status = WLD_SKIP;
                y->cause = x->follows;
                y->cause_outcome = wld_xstrdup(x->follows_outcome);
                free(y->fix);
                y->fix = NULL;
                rep->followers++;
            }
            rep->counts[y->status]++;
        }
    }
    free(placed);
    free(rep->results);
    rep->results = res;
    rep->n = w;
}

/* The journal line of fed line n (1-based, from run_from on), or NULL. */
static const char *journal_line(const cJSON *journal, long n)
{
    int from = (int) wld_fact_num(journal, "run_from", -1);
    const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(journal, "lines"),
                                        (from < 0 ? 0 : from) + (int) n - 1);
    return cJSON_IsString(l) ? l->valuestring : NULL;
}

/* Whether finding x says only what the journal's verdict already says: every line it
 * cites is the "inference compute" line the verdict was read from, or one of the reasons
 * ollama gave before it. */
static bool restates_verdict(const struct wld_log_finding *x, const cJSON *journal)
{
    const char *said = wld_fact_str(journal, "said");
    for (int i = 0; i < x->n_lines; i++) {
        const char *line = journal_line(journal, x->lines[i]);
        bool known = line && said && strcmp(line, said) == 0;
        const cJSON *why;
        cJSON_ArrayForEach(why, cJSON_GetObjectItemCaseSensitive(journal, "why"))
        {
            known = known || (line && cJSON_IsString(why) && strstr(line, why->valuestring));
        }
        if (!known)
            return false;
    }
    return x->n_lines > 0;
}

void wld_log_fold_journals(struct wld_report *rep, const struct wld_rules *rules)
{
    const struct wld_result *dev = NULL;
    for (size_t i = 0; i < rep->n && !dev; i++)
        if (!rep->results[i].from && strcmp(rep->results[i].check->id, "llama.devices") == 0)
            dev = &rep->results[i];
    if (!dev)
        return;
    /* what the checks saw of this host, as check --log holds a log to it */
    cJSON *seen = cJSON_CreateObject();
    for (size_t i = 0; i < rep->n; i++)
        if (!rep->results[i].from)
            cJSON_AddItemReferenceToObject(seen, rep->results[i].check->id,
                                           rep->results[i].evidence);
    const struct wld_check *follows = dev->check;
    const cJSON *rt;
    cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(dev->evidence, "runtimes"))
    {
        const cJSON *journal = cJSON_GetObjectItemCaseSensitive(rt, "journal");
        const char *id = wld_fact_str(cJSON_GetObjectItemCaseSensitive(rt, "for_runtime"), "id");
        struct wld_log_report *log =
                journal ? wld_ollama_journal_judge(journal, rules, seen) : NULL;
        if (!log)
            continue;
        /* the runtime's verdict in llama.devices: taken from this journal or not */
        const char *outcome = NULL;
        const cJSON *v;
        cJSON_ArrayForEach(v, dev->runtimes)
        {
            if (wld_str_is(wld_fact_str(v, "runtime"), id))
                outcome = wld_fact_str(v, "outcome");
        }
        if (!dev->runtimes)
            outcome = dev->outcome;
        bool verdict_from_journal = outcome && wld_str_starts(outcome, "ollama_says_");
        for (size_t k = 0; k < log->n; k++)
            if (verdict_from_journal && restates_verdict(&log->findings[k], journal)) {
                log->findings[k].follows = follows;
                log->findings[k].follows_outcome = outcome;
            }
        log->what = "ollama's journal since it started"; /* lines from its last start */
        wld_log_fold(log, rep);
        wld_log_report_free(log);
        /* the fold replaced the results: find llama.devices again */
        for (size_t i = 0; i < rep->n; i++)
            if (!rep->results[i].from && strcmp(rep->results[i].check->id, "llama.devices") == 0)
                dev = &rep->results[i];
    }
    cJSON_Delete(seen);
}
