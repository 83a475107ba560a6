/* The environment ollama's service runs with (see ollama_impl.h): the unit's Environment=
 * and EnvironmentFile= as systemd applies them, then the running server's own. */
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/parse.h"
#include "wld/util.h"

#include "ollama_impl.h"

/* What ollama reads from its environment that decides where and how a model runs. Only
 * these are ever copied from a unit or a process's environment: the rest may hold keys. */
static const char *const env_names[] = {
    "OLLAMA_HOST",           "CUDA_VISIBLE_DEVICES", "OLLAMA_LLM_LIBRARY",
    "OLLAMA_CONTEXT_LENGTH", "OLLAMA_KV_CACHE_TYPE", "OLLAMA_FLASH_ATTENTION",
    "OLLAMA_NUM_PARALLEL",   "OLLAMA_MODELS",
};

static bool env_name(const char *word, size_t len)
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(env_names); i++)
        if (strlen(env_names[i]) == len && strncmp(word, env_names[i], len) == 0)
            return true;
    return false;
}

static void env_set(cJSON *env, const char *assignment, const char *from)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || !env_name(assignment, (size_t) (eq - assignment)))
        return;
    char *name = wld_xstrndup(assignment, (size_t) (eq - assignment));
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "value", eq + 1);
    cJSON_AddStringToObject(e, "from", from);
    if (cJSON_GetObjectItemCaseSensitive(env, name))
        cJSON_ReplaceItemInObjectCaseSensitive(env, name, e);
    else
        cJSON_AddItemToObject(env, name, e);
    free(name);
}

/* One unit file's Environment= lines, in order, and its EnvironmentFile= paths appended
 * to files; an empty assignment of either resets what the unit set before. */
static void env_from_file(const struct wld_host *h, const char *path, cJSON *env, cJSON *files)
{
    struct wld_buf b;
    if (wld_host_read(h, path, WLD_CAP_SMALL, &b) < 0)
        return;
    cJSON *unit = cJSON_CreateObject(), *problems = cJSON_CreateArray();
    wld_unit_parse(b.data, unit, problems);
    const cJSON *service = cJSON_GetObjectItemCaseSensitive(unit, "Service");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(service, "Environment");
    if (list && cJSON_GetArraySize(list) == 0) {
        cJSON *e = env->child;
        while (e) { /* "Environment=" in this file: what the unit set before is gone */
            cJSON *next = e->next;
            if (!wld_str_starts(wld_fact_str(e, "from"), "/proc/"))
                cJSON_Delete(cJSON_DetachItemViaPointer(env, e));
            e = next;
        }
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, list)
    {
        char **w = wld_unit_words(cJSON_IsString(v) ? v->valuestring : "");
        for (char **a = w; *a; a++)
            env_set(env, *a, path);
        wld_strv_free(w);
    }
    const cJSON *ef = cJSON_GetObjectItemCaseSensitive(service, "EnvironmentFile");
    if (ef && cJSON_GetArraySize(ef) == 0)
        while (cJSON_GetArraySize(files) > 0)
            cJSON_DeleteItemFromArray(files, 0);
    cJSON_ArrayForEach(v, ef)
    {
        if (cJSON_IsString(v) && v->valuestring[0])
            cJSON_AddItemToArray(files, cJSON_CreateString(v->valuestring));
    }
    cJSON_Delete(problems);
    cJSON_Delete(unit);
    wld_buf_release(&b);
}

/* One line of an environment file as systemd reads it (systemd.exec(5), EnvironmentFile=):
 * NAME=VALUE, whitespace around both stripped unless the value is quoted; comments (# ;)
 * and lines without '=' ignored. */
static void env_file_line(cJSON *env, char *line, const char *from)
{
    while (*line == ' ' || *line == '\t')
        line++;
    char *eq = strchr(line, '=');
    if (!eq || *line == '#' || *line == ';')
        return;
    char *name_end = eq;
    while (name_end > line && (name_end[-1] == ' ' || name_end[-1] == '\t'))
        name_end--;
    char *value = eq + 1;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t n = strlen(value);
    while (n > 0 && (value[n - 1] == ' ' || value[n - 1] == '\t' || value[n - 1] == '\r'))
        value[--n] = '\0';
    if (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0]) {
        value[n - 1] = '\0';
        value++;
    }
    char *assignment = wld_xasprintf("%.*s=%s", (int) (name_end - line), line, value);
    env_set(env, assignment, from);
    free(assignment);
}

/* The unit's EnvironmentFile= files, in order (each overrides Environment=, a later one an
 * earlier); "-PATH" may be missing. Each file's state goes to files_facts. */
static void
env_from_env_files(const struct wld_host *h, const cJSON *files, cJSON *env, cJSON *files_facts)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, files)
    {
        bool optional = f->valuestring[0] == '-';
        const char *path = f->valuestring + optional;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", path);
        cJSON_AddBoolToObject(o, "optional", optional);
        cJSON_AddItemToArray(files_facts, o);
        struct wld_buf b;
        int r = wld_host_read(h, path, WLD_CAP_SMALL, &b);
        if (r < 0) {
            wld_fact_errno(o, "error", r);
            continue;
        }
        if (!b.data) { /* nothing in it */
            wld_buf_release(&b);
            continue;
        }
        /* a line ending in a backslash goes on on the next, the two bytes dropped */
        size_t n = 0;
        for (size_t i = 0; i < b.len; i++) {
            if (b.data[i] == '\\' && i + 1 < b.len && b.data[i + 1] == '\n')
                i++;
            else
                b.data[n++] = b.data[i];
        }
        b.data[n] = '\0';
        for (char *p = b.data, *end = b.data + n; p < end;) {
            char *nl = memchr(p, '\n', (size_t) (end - p));
            if (nl)
                *nl = '\0';
            env_file_line(env, p, path);
            p = nl ? nl + 1 : end;
        }
        wld_buf_release(&b);
    }
}

void wld_ollama_read_env(
        const struct wld_host *h, const cJSON *unit, const cJSON *server, cJSON *env, cJSON *rt)
{
    if (unit) {
        cJSON *files = cJSON_CreateArray();
        env_from_file(h, wld_fact_str(unit, "path"), env, files);
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(unit, "dropins"))
        {
            if (cJSON_IsString(d))
                env_from_file(h, d->valuestring, env, files);
        }
        if (cJSON_GetArraySize(files) > 0)
            env_from_env_files(h, files, env, cJSON_AddArrayToObject(rt, "env_files"));
        cJSON_Delete(files);
    }
    if (!server)
        return;
    char *path = wld_xasprintf("/proc/%.0f/environ", wld_fact_num(server, "pid", 0));
    struct wld_buf b;
    if (wld_host_read(h, path, WLD_CAP_FILE, &b) == 0) {
        for (size_t i = 0; i < b.len; i += strlen(b.data + i) + 1)
            env_set(env, b.data + i, path);
        wld_buf_release(&b);
    }
    free(path);
}
