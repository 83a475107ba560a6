/* What a model server answers (server.health): the input is the body of every endpoint
 * the doctor asks, as JSON when it parses and as text otherwise, with statuses the input
 * chooses, for a llama-server and an ollama; server.health judges it as --facts would. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/pipeline.h"
#include "wld/rules.h"
#include "wld/settings.h"
#include "wld/util.h"

static void answer(cJSON *server, const char *name, int status, const uint8_t *data, size_t size)
{
    cJSON *x = cJSON_AddObjectToObject(server, name);
    cJSON_AddNumberToObject(x, "ms", 1);
    cJSON_AddNumberToObject(x, "status", status);
    cJSON *json = cJSON_ParseWithLength((const char *) data, size);
    if (json) {
        cJSON_AddItemToObject(x, "json", json);
    } else {
        char *text = wld_str_printable((const char *) data, size < 4096 ? size : 4096);
        cJSON_AddStringToObject(x, "text", text);
        free(text);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wld_rules *rules;
    char *err = NULL;
    if (!rules && wld_rules_load_embedded(&rules, &err) < 0)
        abort();
    static const int statuses[] = { 200, 503, 404, 500, 0 };
    int st = statuses[size ? data[0] % 5 : 0];
    cJSON *facts = cJSON_CreateObject();
    cJSON *sh = cJSON_AddObjectToObject(facts, "server.health");
    cJSON *servers = cJSON_AddArrayToObject(sh, "servers");
    cJSON *ls = cJSON_CreateObject();
    cJSON_AddStringToObject(ls, "url", "http://127.0.0.1:8080");
    cJSON_AddStringToObject(ls, "from", "--server");
    cJSON_AddStringToObject(ls, "kind", "llama-server");
    answer(ls, "health", st, data, size);
    answer(ls, "props", 200, data, size);
    answer(ls, "slots", st, data, size);
    answer(ls, "metrics", 200, data, size);
    cJSON_AddItemToArray(servers, ls);
    cJSON *ol = cJSON_CreateObject();
    cJSON_AddStringToObject(ol, "url", "http://127.0.0.1:11434");
    cJSON_AddStringToObject(ol, "from", "process");
    cJSON_AddStringToObject(ol, "kind", "ollama");
    answer(ol, "version", 200, data, size);
    answer(ol, "ps", st, data, size);
    cJSON_AddItemToArray(servers, ol);
    cJSON_AddNumberToObject(sh, "deadline_ms", 5000);
    static const char *const needs[] = { "models.fit", "llama.build", "wsl.interop",
                                         "wsl.wslconfig" };
    for (size_t i = 0; i < sizeof(needs) / sizeof(needs[0]); i++)
        cJSON_AddObjectToObject(facts, needs[i]);
    cJSON *ids = cJSON_CreateArray();
    cJSON_AddItemToArray(ids, cJSON_CreateString("server.health"));
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
