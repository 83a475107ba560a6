/* The machine report, schema wsl-llm-doctor/report@1 (docs/report.schema.json). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wld/fixcmd.h"
#include "wld/pipeline.h"

cJSON *wld_report_json(const struct wld_report *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "schema", WLD_REPORT_SCHEMA);
    cJSON *tool = cJSON_AddObjectToObject(doc, "tool");
    cJSON_AddStringToObject(tool, "name", WLD_TOOL_NAME);
    cJSON_AddStringToObject(tool, "version", WLD_VERSION);
    cJSON *rules = cJSON_AddObjectToObject(doc, "rules");
    cJSON_AddStringToObject(rules, "version", wld_rules_version(r->rules));
    cJSON_AddStringToObject(rules, "sha256", wld_rules_sha256(r->rules));
    char when[32];
    time_t t = (time_t) r->started;
    struct tm tm;
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    cJSON_AddStringToObject(doc, "time", when);
    cJSON_AddItemToObject(doc, "host", wld_report_host(r));
    cJSON *checks = cJSON_AddArrayToObject(doc, "checks");
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "id", res->check->id);
        cJSON_AddStringToObject(c, "title", res->check->title);
        cJSON_AddStringToObject(c, "status", wld_status_name(res->status));
        /* the rules' outcome key: stable, for CI gates that must not match on prose */
        cJSON_AddStringToObject(c, "outcome", res->outcome);
        cJSON_AddStringToObject(c, "summary", res->summary);
        /* check --log ("log") or ollama's journal ("journal"): a finding of that, after the
         * check's own */
        if (res->from)
            cJSON_AddStringToObject(c, "from", res->from);
        if (res->fix)
            cJSON_AddStringToObject(c, "fix", res->fix);
        else
            cJSON_AddNullToObject(c, "fix");
        /* the fix's commands a tool may offer to run as they stand (wld/fixcmd.h) */
        cJSON_AddItemToObject(c, "fix_commands", wld_fix_commands(res->fix));
        if (res->cause) { /* skipped: its problem follows from that check's finding */
            cJSON *by = cJSON_AddObjectToObject(c, "caused_by");
            cJSON_AddStringToObject(by, "check", res->cause->id);
            cJSON_AddStringToObject(by, "outcome", res->cause_outcome);
            cJSON_AddStringToObject(c, "own_status", wld_status_name(res->own_status));
        }
        if (res->runtimes) /* judged per runtime: each runtime's verdict */
            cJSON_AddItemToObject(c, "runtimes", cJSON_Duplicate(res->runtimes, true));
        cJSON_AddItemToObject(c, "evidence", cJSON_Duplicate(res->evidence, true));
        /* which of the evidence evaluate() derived, so that --facts judges the facts alone */
        cJSON_AddItemToObject(c, "derived", cJSON_Duplicate(res->derived, true));
        cJSON_AddItemToObject(c, "sources", cJSON_Duplicate(res->sources, true));
        /* one decimal: enough for people, stable enough to diff */
        cJSON_AddNumberToObject(c, "duration_ms", round(res->duration_ms * 10.0) / 10.0);
        cJSON_AddItemToArray(checks, c);
    }
    /* the facts of checks gathered only for the reported ones: with the evidence, all
     * that --facts needs to judge this report again */
    cJSON *gathered = NULL;
    const cJSON *f;
    cJSON_ArrayForEach(f, r->facts)
    {
        bool reported = false;
        for (size_t i = 0; i < r->n && !reported; i++)
            reported = strcmp(r->results[i].check->id, f->string) == 0;
        if (reported)
            continue;
        if (!gathered)
            gathered = cJSON_AddObjectToObject(doc, "gathered");
        cJSON_AddItemToObject(gathered, f->string, cJSON_Duplicate(f, true));
    }
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    for (unsigned s = 0; s < WLD_STATUS_COUNT; s++)
        cJSON_AddNumberToObject(sum, wld_status_name((enum wld_status) s), r->counts[s]);
    /* how many of the skips follow from another check's finding */
    cJSON_AddNumberToObject(sum, "followers", r->followers);
    cJSON_AddNumberToObject(doc, "exit_code", r->exit_code);
    /* one decimal, as duration_ms */
    cJSON_AddNumberToObject(doc, "duration_ms", round(r->total_ms * 10.0) / 10.0);
    if (r->redacted)
        cJSON_AddItemToObject(doc, "redacted", cJSON_Duplicate(r->redacted, true));
    return doc;
}

void wld_render_json(const struct wld_report *r, FILE *out)
{
    cJSON *doc = wld_report_json(r);
    wld_put_json(doc, out);
    cJSON_Delete(doc);
}
