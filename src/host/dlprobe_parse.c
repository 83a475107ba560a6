/* The backend-module load probe's events as facts (see wld/dlprobe.h); the parent's side,
 * apart from the helper (src/host/dlprobe.c) so that the helper program links no more than
 * it runs. */
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/dlprobe.h"

void wld_dlopen_probe_parse(const char *out, cJSON *facts)
{
    cJSON *results = cJSON_AddArrayToObject(facts, "results");
    bool done = false;
    for (const char *line = out; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t) (nl - line) : strlen(line);
        cJSON *ev = cJSON_ParseWithLength(line, len);
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(ev, "ev");
        if (cJSON_IsString(kind) && strcmp(kind->valuestring, "done") == 0) {
            done = true;
        } else if (cJSON_IsString(kind) && (strcmp(kind->valuestring, "loaded") == 0 ||
                                            strcmp(kind->valuestring, "load_error") == 0)) {
            cJSON *r = cJSON_Duplicate(ev, true);
            cJSON_DeleteItemFromObjectCaseSensitive(r, "ev");
            cJSON_AddBoolToObject(r, "loaded", strcmp(kind->valuestring, "loaded") == 0);
            cJSON_AddItemToArray(results, r);
            /* 12060 is CUDA 12.6; anything else a broken library said is left out */
            long long v = wld_fact_int(ev, "cuda_runtime_version", 1000, 999999, 0);
            if (v && !cJSON_GetObjectItemCaseSensitive(facts, "cuda_runtime")) {
                char s[24];
                snprintf(s, sizeof(s), "%lld.%lld", v / 1000, v % 1000 / 10);
                cJSON_AddStringToObject(facts, "cuda_runtime", s);
            }
        }
        cJSON_Delete(ev);
        line = nl ? nl + 1 : NULL;
    }
    cJSON_AddBoolToObject(facts, "done", done);
}
