/* ollama's own verdict, from the journal (see wld/ollama_journal.h). One journalctl, with
 * a deadline and a line cap: the journal of a busy server is large, and the doctor reads
 * only the newest WLD_OLLAMA_JOURNAL_LINES lines of this boot. short-iso keeps each line's
 * time (the report says when ollama said it); --no-hostname keeps the host's name out of
 * a report meant to be pasted. Not -q: its notices are how journalctl says that the user
 * may not read the system's journal, or that there is none. */
#include "wld/ollama_journal.h"

#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/logscan.h"
#include "wld/proc.h"
#include "wld/secrets.h"
#include "wld/util.h"

#define STR2(x) #x
#define STR(x)  STR2(x)

/* journalctl's notices on stderr (systemd's src/shared/journal-util.c) */
#define NO_FILES   "No journal files were found."
#define NO_ACCESS  "No journal files were opened due to insufficient permissions."
#define HINT       "Hint: You are currently not seeing messages from"
#define NO_ENTRIES "-- No entries --"
#define STAMP_MAX  32

/* where ollama's GPU discovery starts (discover/gpu.go to 0.12.3, discover/runner.go from
 * 0.12.4), and how much of what it said before its verdict is kept */
#define DISCOVERY_OLD "msg=\"looking for compatible GPUs\""
#define DISCOVERY_NEW "msg=\"discovering available GPUs...\""
#define WHY_MAX       4
#define WHY_KEEP      240

/* "access": all, own_only (the hint), none (nothing could be opened) */
static const char *access_of(const char *err)
{
    if (strstr(err, NO_ACCESS))
        return "none";
    return strstr(err, HINT) ? "own_only" : "all";
}

/* journalctl's output, a line each: "-- No entries --" and "-- Boot ... --" are its own */
static void add_lines(const char *text, cJSON *lines)
{
    for (const char *p = text; *p && cJSON_GetArraySize(lines) < WLD_OLLAMA_JOURNAL_LINES;) {
        size_t n = strcspn(p, "\n");
        if (n > 0 && !(n >= 3 && memcmp(p, "-- ", 3) == 0 && memcmp(p + n - 3, " --", 3) == 0)) {
            char *line = wld_xstrndup(p, n < WLD_LOG_LINE_KEEP ? n : WLD_LOG_LINE_KEEP);
            wld_secrets_scrub_str(line);
            cJSON_AddItemToArray(lines, cJSON_CreateString(line));
            free(line);
        }
        p += n + (p[n] == '\n');
    }
}

/* The state of the run: what a person would call it. */
static const char *state_of(const struct wld_proc_result *r, const char *access, int n_lines)
{
    const char *ended = wld_proc_ending(r);
    const char *err = r->err.data ? r->err.data : "";
    if (ended && !(r->exit_code && strcmp(access, "none") == 0))
        return ended;
    if (strcmp(access, "none") == 0 || (n_lines == 0 && strcmp(access, "own_only") == 0))
        return "no_permission";
    if (n_lines == 0)
        return strstr(err, NO_FILES) ? "no_journal" : "no_entries";
    return "ok";
}

/* Where this run of ollama starts: its last "Listening on" (every version since 0.1 logs
 * it once, when it serves), or -1. */
static int run_start(const cJSON *lines)
{
    int at = -1, i = 0;
    const cJSON *l;
    cJSON_ArrayForEach(l, lines)
    {
        if (strstr(l->valuestring, "Listening on "))
            at = i;
        i++;
    }
    return at;
}

/* Feeds the lines from `from` on to a reader; the reader's line k is lines[from + k - 1]. */
static void feed(struct wld_logscan *s, const cJSON *lines, int from)
{
    for (int i = from < 0 ? 0 : from; i < cJSON_GetArraySize(lines); i++) {
        const char *l = cJSON_GetArrayItem(lines, i)->valuestring;
        wld_logscan_feed(s, l, strlen(l));
        wld_logscan_feed(s, "\n", 1);
    }
    wld_logscan_finish(s);
}

/* The msg= value of an slog text line ("msg=\"no compatible GPUs were discovered\"" or
 * "msg=word") into out, or false when it has none or logs below INFO: DEBUG lines are
 * ollama's trace, not what it concluded. */
static bool slog_msg(const char *line, char *out, size_t n)
{
    const char *m = strstr(line, " msg=");
    if (!m || strstr(line, " level=DEBUG ") || strstr(line, " level=TRACE "))
        return false;
    m += 5;
    size_t len = *m == '"' ? strcspn(++m, "\"") : strcspn(m, " ");
    snprintf(out, n, "%.*s", (int) len, m);
    return len > 0;
}

/* Why ollama settled on the CPU, in its words: the messages it logged at INFO or above
 * between the start of its GPU discovery ("looking for compatible GPUs" to 0.12.3,
 * "discovering available GPUs..." from 0.12.4) and its verdict (index at), at most
 * WHY_MAX ("[0] CUDA GPU is too old. Compute Capability detected: 3.5", "no compatible
 * GPUs were discovered"). */
static void add_why(const cJSON *lines, int from, int at, cJSON *out)
{
    int start = from < 0 ? 0 : from;
    for (int i = start; i < at; i++) {
        const char *l = cJSON_GetArrayItem(lines, i)->valuestring;
        if (strstr(l, DISCOVERY_OLD) || strstr(l, DISCOVERY_NEW))
            start = i + 1;
    }
    cJSON *why = cJSON_AddArrayToObject(out, "why");
    for (int i = start; i < at && cJSON_GetArraySize(why) < WHY_MAX; i++) {
        char msg[WHY_KEEP];
        if (slog_msg(cJSON_GetArrayItem(lines, i)->valuestring, msg, sizeof(msg)) &&
            !strstr(msg, "inference compute"))
            cJSON_AddItemToArray(why, cJSON_CreateString(msg));
    }
}

/* The verdict: the first "inference compute" line of this run, the time journalctl gave
 * it and whether it names a GPU; ollama logs one line per device, or one for the CPU. */
static void add_verdict(const struct wld_log_facts *f, const cJSON *lines, int from, cJSON *out)
{
    if (f->n_compute == 0) {
        cJSON_AddStringToObject(out, "verdict", "none");
        return;
    }
    bool gpu = false;
    for (int i = 0; i < f->n_compute; i++)
        gpu |= !wld_str_eq_nocase(f->compute[i].library, "cpu");
    cJSON_AddStringToObject(out, "verdict", gpu ? "gpu" : "cpu");
    int at = (from < 0 ? 0 : from) + (int) f->compute[0].line - 1;
    const cJSON *said = cJSON_GetArrayItem(lines, at);
    if (!cJSON_IsString(said))
        return;
    if (!gpu)
        add_why(lines, from, at, out);
    char stamp[STAMP_MAX];
    wld_str_copy(stamp, sizeof(stamp), said->valuestring);
    stamp[strcspn(stamp, " ")] = '\0';
    cJSON_AddStringToObject(out, "said_at", stamp);
    cJSON_AddStringToObject(out, "said", said->valuestring);
}

static void observe(const cJSON *lines, int from, cJSON *out)
{
    struct wld_logscan *s = wld_logscan_new(NULL);
    feed(s, lines, from);
    const struct wld_log_facts *f = wld_logscan_facts(s);
    cJSON_AddItemToObject(out, "observations", wld_log_facts_json(f));
    add_verdict(f, lines, from, out);
    wld_logscan_free(s);
}

void wld_ollama_journal(const struct wld_host *h, const char *unit, double timeout_ms, cJSON *out)
{
    char *jc = NULL;
    const char *argv[] = { NULL,         "-u",
                           unit,         "-b",
                           "--no-pager", "-o",
                           "short-iso",  "--no-hostname",
                           "-n",         STR(WLD_OLLAMA_JOURNAL_LINES),
                           NULL };
    char *cmdline = wld_xasprintf("journalctl -u %s -b --no-pager -o short-iso --no-hostname "
                                  "-n %d",
                                  unit, WLD_OLLAMA_JOURNAL_LINES);
    cJSON_AddStringToObject(out, "command", cmdline);
    free(cmdline);
    cJSON *lines = cJSON_CreateArray();
    if (wld_host_find_command(h, "journalctl", &jc) < 0) {
        cJSON *cmd = cJSON_AddObjectToObject(out, "cmd");
        cJSON_AddStringToObject(cmd, "state", "missing");
        cJSON_AddItemToObject(out, "lines", lines);
        cJSON_AddStringToObject(out, "verdict", "none");
        return;
    }
    argv[0] = jc;
    struct wld_proc_spec spec = { .argv = argv,
                                  .timeout_ms = timeout_ms,
                                  .out_cap = (size_t) WLD_OLLAMA_JOURNAL_LINES * 4096 };
    struct wld_proc_result r;
    wld_proc_run(h, &spec, &r);
    const char *access = access_of(r.err.data ? r.err.data : "");
    if (!r.timed_out && !r.spawn_errno)
        add_lines(r.out.data ? r.out.data : "", lines);
    wld_fact_proc(out, "cmd", state_of(&r, access, cJSON_GetArraySize(lines)), &r);
    cJSON_AddStringToObject(out, "access", access);
    wld_fact_unroot(h, lines);
    cJSON_AddItemToObject(out, "lines", lines);
    int from = run_start(lines);
    cJSON_AddNumberToObject(out, "run_from", from);
    observe(lines, from, out);
    wld_proc_result_release(&r);
    free(jc);
}

struct wld_log_report *
wld_ollama_journal_judge(const cJSON *out, const struct wld_rules *rules, const cJSON *host_facts)
{
    const cJSON *lines = cJSON_GetObjectItemCaseSensitive(out, "lines");
    const char *command = wld_fact_str(out, "command");
    if (cJSON_GetArraySize(lines) == 0 || !command)
        return NULL;
    struct wld_logscan *s = wld_logscan_new(rules);
    feed(s, lines, (int) wld_fact_num(out, "run_from", -1));
    struct wld_log_report *rep = wld_log_diagnose(s, rules, command, host_facts);
    wld_logscan_free(s);
    return rep;
}
