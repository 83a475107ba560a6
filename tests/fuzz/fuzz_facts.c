/* A saved report judged again (--facts): the facts of every check are whatever a pasted
 * file holds, so every evaluate() must take any JSON without crashing. The input is one
 * JSON object of facts by check id; each check is judged. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/pipeline.h"
#include "wld/rules.h"
#include "wld/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wld_rules *rules;
    char *err = NULL;
    if (!rules && wld_rules_load_embedded(&rules, &err) < 0)
        abort();
    cJSON *facts = cJSON_ParseWithLength((const char *) data, size);
    if (!cJSON_IsObject(facts)) {
        cJSON_Delete(facts);
        return 0;
    }
    cJSON *ids = cJSON_CreateArray();
    for (size_t i = 0; i < wld_checks_count; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(wld_checks[i]->id));
    struct wld_options o;
    wld_options_defaults(&o);
    struct wld_report *rep = NULL;
    if (wld_pipeline_judge(facts, ids, rules, &o, &rep) == 0) {
        cJSON_Delete(wld_report_json(rep));
        wld_report_free(rep);
    }
    cJSON_Delete(ids);
    cJSON_Delete(facts);
    return 0;
}
