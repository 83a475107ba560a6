/* SARIF 2.1.0, the format GitHub code scanning and other analysis dashboards read: one
 * run of the doctor, the rules its problems came from, and the problems with their place
 * (a linted file's line and column, a log's line, or "host/CHECK" for one about the host).
 * Passes and plain skips are not results: a SARIF log lists what needs attention. */
#include <stdlib.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/util.h"

static const char *level_of(const struct wld_item *x)
{
    if (x->note)
        return "note";
    return x->status == WLD_WARN ? "warning" : "error";
}

static bool reported(const struct wld_item *x)
{
    return wld_status_is_problem(x->status) || x->note;
}

/* A path as a URI reference: unreserved characters and "/" as they are, other bytes
 * percent-encoded (a space, "#", "%" or a non-ASCII name stays one path). */
static char *uri_of(const char *path)
{
    struct wld_buf b;
    wld_buf_init(&b, strlen(path) + 16);
    for (const unsigned char *p = (const unsigned char *) path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            wld_buf_printf(&b, "%c", *p);
        else
            wld_buf_printf(&b, "%%%02X", *p);
    }
    return wld_buf_detach(&b);
}

static const char *first_url(const cJSON *sources)
{
    const cJSON *u = cJSON_GetArrayItem(sources, 0);
    return cJSON_IsString(u) ? u->valuestring : NULL;
}

/* The rule entry for x, added to rules the first time its id is seen; its index. */
static int rule_index(cJSON *rules, const struct wld_item *x)
{
    int i = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, rules)
    {
        if (strcmp(cJSON_GetObjectItemCaseSensitive(r, "id")->valuestring, x->rule) == 0)
            return i;
        i++;
    }
    cJSON *rule = cJSON_CreateObject();
    cJSON_AddStringToObject(rule, "id", x->rule);
    cJSON_AddStringToObject(rule, "name", strchr(x->rule, '/') + 1);
    cJSON *sd = cJSON_AddObjectToObject(rule, "shortDescription");
    cJSON_AddStringToObject(sd, "text", x->title ? x->title : x->rule);
    const char *url = first_url(x->sources);
    if (url)
        cJSON_AddStringToObject(rule, "helpUri", url);
    cJSON *help = cJSON_AddObjectToObject(rule, "help");
    char *text = wld_xasprintf("`wsl-llm-doctor explain %s` shows the check's rules and sources.",
                               x->check);
    cJSON_AddStringToObject(help, "text", text);
    free(text);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(rule, "defaultConfiguration"), "level",
                            level_of(x));
    cJSON *tags = cJSON_AddArrayToObject(cJSON_AddObjectToObject(rule, "properties"), "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString(x->check));
    cJSON_AddItemToArray(rules, rule);
    return i;
}

static cJSON *result_of(const struct wld_item *x, int index, const char *command)
{
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "ruleId", x->rule);
    cJSON_AddNumberToObject(res, "ruleIndex", index);
    cJSON_AddStringToObject(res, "level", level_of(x));
    char *text =
            x->fix ? wld_xasprintf("%s\nFix: %s", x->summary, x->fix) : wld_xstrdup(x->summary);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "message"), "text", text);
    free(text);
    /* code scanning refuses a whole file for one result without a location: a finding
     * about the host is placed at "host/CHECK", one of a log read from stdin at "stdin" (a
     * location need not be a file in the repository, as container scanners' image names) */
    char *anchor = x->file                       ? NULL
                   : strcmp(command, "log") == 0 ? wld_xstrdup("stdin")
                                                 : wld_xasprintf("host/%s", x->check);
    cJSON *loc = cJSON_CreateObject();
    cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
    char *uri = uri_of(x->file ? x->file : anchor);
    if (uri[0] == '/') { /* an absolute path is a file: URI */
        char *abs = wld_xasprintf("file://%s", uri);
        free(uri);
        uri = abs;
    }
    cJSON_AddStringToObject(art, "uri", uri);
    free(uri);
    if (!x->file || x->file[0] != '/') /* relative to where the doctor ran: the repository */
        cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
    cJSON *region = cJSON_AddObjectToObject(phys, "region");
    cJSON_AddNumberToObject(region, "startLine", x->line ? x->line : 1);
    if (x->line && x->col)
        cJSON_AddNumberToObject(region, "startColumn", x->col);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"), loc);
    free(anchor);
    cJSON *props = cJSON_AddObjectToObject(res, "properties");
    cJSON_AddStringToObject(props, "status", wld_status_name(x->status));
    if (x->fix)
        cJSON_AddStringToObject(props, "fix", x->fix);
    if (x->sources)
        cJSON_AddItemToObject(props, "sources", cJSON_Duplicate(x->sources, true));
    return res;
}

void wld_render_sarif(const struct wld_findings *f, FILE *out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(doc, "version", "2.1.0");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "runs"), run);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "wsl-llm-doctor");
    cJSON_AddStringToObject(driver, "version", WLD_VERSION);
    cJSON_AddStringToObject(driver, "semanticVersion", WLD_VERSION);
    cJSON_AddStringToObject(driver, "informationUri",
                            "https://github.com/wsl-llm-doctor/wsl-llm-doctor");
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    cJSON *props = cJSON_AddObjectToObject(driver, "properties");
    cJSON_AddStringToObject(props, "rulesVersion", f->rules_version);
    cJSON *inv = cJSON_CreateObject();
    cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
    /* exit 1 is a run that worked and found problems; 3 is the doctor's own failure */
    cJSON_AddBoolToObject(inv, "executionSuccessful", f->exit_code == 0 || f->exit_code == 1);
    cJSON_AddNumberToObject(inv, "exitCode", f->exit_code);
    /* "category/": code scanning keeps check, lint and log apart as three analyses */
    char *id = wld_xasprintf("wsl-llm-doctor/%s/", f->command);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(run, "automationDetails"), "id", id);
    free(id);
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < f->n_items; i++) {
        const struct wld_item *x = &f->items[i];
        if (reported(x))
            cJSON_AddItemToArray(results, result_of(x, rule_index(rules, x), f->command));
    }
    wld_put_json(doc, out);
    cJSON_Delete(doc);
}
