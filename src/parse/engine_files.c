/* daemon.json and CDI specs from their text (see wld/engine_files.h). */
#include "wld/engine_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/util.h"
#include "wld/yaml.h"

#define DRIVER_STORE "/usr/lib/wsl/drivers/"

int wld_engine_json_object(const char *text, size_t len, cJSON **ret, char **err)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (cJSON_IsObject(j)) {
        *ret = j;
        return 0;
    }
    /* cJSON leaves end where it stopped; a valid non-object stops past the end */
    size_t at = end && end >= text ? (size_t) (end - text) : 0, line = 1;
    for (size_t i = 0; i < at && i < len; i++)
        line += text[i] == '\n';
    cJSON_Delete(j);
    *err = wld_xasprintf("not a JSON object (line %zu)", line);
    return -EINVAL;
}

void wld_engine_daemon_facts(const cJSON *doc, cJSON *o)
{
    cJSON *runtimes = cJSON_AddObjectToObject(o, "runtimes");
    const cJSON *rt;
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(doc, "runtimes");
    if (!cJSON_IsObject(all))
        all = NULL; /* "runtimes": [...] names nothing */
    cJSON_ArrayForEach(rt, all)
    {
        const char *p = wld_fact_str(rt, "path");
        if (rt->string && !cJSON_GetObjectItemCaseSensitive(runtimes, rt->string))
            cJSON_AddStringToObject(runtimes, rt->string, p ? p : "");
    }
    const char *def = wld_fact_str(doc, "default-runtime");
    if (def)
        cJSON_AddStringToObject(o, "default_runtime", def);
    const cJSON *cdi = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "features"), "cdi");
    if (cJSON_IsBool(cdi))
        cJSON_AddBoolToObject(o, "cdi", cJSON_IsTrue(cdi));
    /* "cdi-spec-dirs": where dockerd reads CDI specs instead of /etc/cdi, /var/run/cdi */
    const cJSON *dirs = cJSON_GetObjectItemCaseSensitive(doc, "cdi-spec-dirs"), *d;
    if (cJSON_IsArray(dirs)) {
        cJSON *list = cJSON_AddArrayToObject(o, "cdi_spec_dirs");
        cJSON_ArrayForEach(d, dirs)
        {
            if (cJSON_IsString(d) && d->valuestring[0] == '/' && cJSON_GetArraySize(list) < 8)
                cJSON_AddItemToArray(list, cJSON_CreateString(d->valuestring));
        }
    }
}

const char *wld_engine_default_unknown(const cJSON *facts)
{
    const char *def = wld_fact_str(facts, "default_runtime");
    if (!def || strcmp(def, "runc") == 0 ||
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(facts, "runtimes"), def))
        return NULL;
    return def;
}

int wld_engine_cdi_parse(const char *name, const char *text, size_t len, cJSON **ret, char **err)
{
    cJSON *spec = NULL;
    *err = NULL;
    if (wld_str_ends(name, ".json"))
        return wld_engine_json_object(text, len, ret, err);
    int r = wld_yaml_parse(text, len, &spec, err);
    if (r < 0)
        return r;
    if (!cJSON_IsObject(spec)) {
        cJSON_Delete(spec);
        *err = wld_xstrdup("not a YAML mapping");
        return -EINVAL;
    }
    *ret = spec;
    return 0;
}

static void missing(cJSON *list, const char *key, const char *field, int device)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "key", key);
    if (field)
        cJSON_AddStringToObject(p, "field", field);
    if (device >= 0)
        cJSON_AddNumberToObject(p, "device", device);
    cJSON_AddItemToArray(list, p);
}

cJSON *wld_engine_cdi_problems(const cJSON *spec)
{
    cJSON *list = cJSON_CreateArray();
    static const char *const fields[] = { "cdiVersion", "kind" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(fields); i++) {
        const char *v = wld_fact_str(spec, fields[i]);
        if (!v || !*v)
            missing(list, "cdi_missing_field", fields[i], -1);
    }
    /* "at least one entry must be specified in this array" */
    const cJSON *devices = cJSON_GetObjectItemCaseSensitive(spec, "devices"), *d;
    if (!cJSON_IsArray(devices) || cJSON_GetArraySize(devices) == 0) {
        missing(list, "cdi_missing_field", "devices", -1);
        return list;
    }
    int i = 0;
    cJSON_ArrayForEach(d, devices)
    {
        const char *n = wld_fact_str(d, "name");
        if (!n || !*n)
            missing(list, "cdi_device_no_name", NULL, i);
        i++;
    }
    return list;
}

bool wld_engine_store_folder(const char *path, char **folder)
{
    if (!path || !wld_str_starts(path, DRIVER_STORE))
        return false;
    const char *f = path + strlen(DRIVER_STORE), *slash = strchr(f, '/');
    if (!slash || slash == f)
        return false;
    if (folder)
        *folder = wld_xstrndup(f, (size_t) (slash - f));
    return true;
}
