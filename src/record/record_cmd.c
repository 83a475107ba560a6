/* The record command's end: the recording written beside the report, redacted with the
 * same tokens, and the command that replays it (see wld/record.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/cli.h"
#include "wld/pipeline.h"
#include "wld/record.h"
#include "wld/redact.h"
#include "wld/secrets.h"
#include "wld/util.h"

/* The command line of record, as its replay: "--root DIR" and every option that chose
 * what was checked (--only, --llama-server, --model...), redacted as the recording is,
 * so the maintainer replays the same checks of the same files. */
static char *replay_command(const struct wld_options *o, const struct wld_redactor *red)
{
    struct wld_buf b;
    wld_buf_init(&b, SIZE_MAX / 2);
    char *dir = wld_shell_quote(o->record_dir);
    wld_buf_printf(&b, "wsl-llm-doctor --root %s", dir);
    free(dir);
    /* the options as typed, but for those a replay does without and the paths it must
     * have whole (the option table's replay column, src/cli/options.c) */
    char **args = wld_cli_replay_args(o);
    for (char **a = args; *a; a++) {
        char *q = wld_shell_quote(*a);
        if (red)
            wld_redact_str(red, q);
        wld_secrets_scrub_str(q); /* --server http://user:password@... */
        wld_buf_printf(&b, " %s", q);
        free(q);
    }
    wld_strv_free(args);
    if (o->compose_from_cwd) { /* the file the live run took from its cwd */
        char *q = wld_shell_quote(o->composes[0]);
        if (red)
            wld_redact_str(red, q);
        wld_buf_printf(&b, " --compose %s", q);
        free(q);
    }
    return wld_buf_detach(&b);
}

int wld_record_finish(const struct wld_options *o,
                      struct wld_host *host,
                      struct wld_recorder *rec,
                      struct wld_report *rep,
                      struct wld_redactor *red)
{
    /* the report first (it learns the host's values, and those reads are recorded too),
     * then whatever else the recording holds; the report cannot contain values only the
     * recording has, since the same patterns find them in both */
    if (red) {
        wld_report_redact(rep, red, host);
        wld_recorder_learn(rec, red);
    }
    const struct wld_host_layer *layer = host->layer;
    host->layer = NULL; /* what is read from here on is the recording's business */
    cJSON *meta = cJSON_CreateObject();
    cJSON_AddStringToObject(meta, "schema", "wsl-llm-doctor/recording@1");
    cJSON_AddStringToObject(meta, "tool", WLD_TOOL_NAME " " WLD_VERSION);
    cJSON_AddStringToObject(meta, "rules", wld_rules_version(rep->rules));
    /* whether the recording is of a live host or a fixture tree, for a reader of it */
    cJSON_AddBoolToObject(meta, "live", rep->live);
    cJSON *doc = wld_report_json(rep);
    cJSON_AddItemToObject(meta, "time", cJSON_DetachItemFromObject(doc, "time"));
    cJSON_AddItemToObject(meta, "host", cJSON_DetachItemFromObject(doc, "host"));
    cJSON_AddItemToObject(meta, "summary", cJSON_DetachItemFromObject(doc, "summary"));
    cJSON_AddNumberToObject(meta, "exit_code", rep->exit_code);
    cJSON_Delete(doc);
    char *err = NULL;
    int r = wld_recorder_write(rec, host, red, o->record_dir, meta, &err);
    cJSON_Delete(meta);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: record: %s\n", err);
        free(err);
    } else {
        cJSON *st = wld_recorder_stats(rec);
        char *replay = replay_command(o, red);
        fprintf(stderr,
                "wsl-llm-doctor: recorded %.0f reads, %.0f paths and %.0f commands in %s%s%s.\n"
                "Replay it with: %s\n",
                wld_fact_num(st, "reads", 0), wld_fact_num(st, "paths", 0),
                wld_fact_num(st, "commands", 0), o->record_dir,
                rep->redacted_text ? "; redacted: " : (red ? "; nothing to redact" : ""),
                rep->redacted_text ? rep->redacted_text : "", replay);
        free(replay);
        cJSON_Delete(st);
    }
    host->layer = layer;
    return r;
}
