/* A rules entry and its variables turned into a finding's words (see wld/rules.h): the
 * one place where a status, a summary, a fix and sources come from the rules. */
#include <stdlib.h>

#include "wld/rules.h"
#include "wld/util.h"

/* A template filled: one line for a person, valid UTF-8 and no control characters. */
static char *fill(const cJSON *entry, const char *member, const cJSON *vars)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(entry, member);
    if (!cJSON_IsString(t))
        return NULL;
    char *s = wld_template_render(t->valuestring, vars);
    char *line = wld_utf8_fix(s, true);
    free(s);
    return line;
}

void wld_verdict_make(const struct wld_rules *r,
                      const cJSON *check,
                      const cJSON *entry,
                      const cJSON *vars,
                      struct wld_verdict *v)
{
    *v = (struct wld_verdict){ .status = WLD_WARN };
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(entry, "status");
    if (cJSON_IsString(st) && wld_status_parse(st->valuestring, &v->status) < 0)
        v->status = WLD_ERROR; /* the loader refuses this; a rules bug is not a pass */
    v->summary = fill(entry, "summary", vars);
    if (!v->summary)
        v->summary = fill(entry, "message", vars);
    if (!v->summary)
        v->summary = wld_xstrdup("");
    v->fix = fill(entry, "fix", vars);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(entry, "sources");
    if (cJSON_GetArraySize(list) == 0)
        list = cJSON_GetObjectItemCaseSensitive(check, "sources");
    v->sources = wld_rules_source_urls(r, list);
}

void wld_verdict_clear(struct wld_verdict *v)
{
    free(v->summary);
    free(v->fix);
    cJSON_Delete(v->sources);
    *v = (struct wld_verdict){ 0 };
}
