/* The runtimes found on a host, and which of them the user asked about (wld/runtimes.h). */
#include "wld/runtimes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/util.h"

void wld_runtime_llama(const cJSON *build, cJSON *runtimes)
{
    const char *bin = wld_fact_str(build, "binary");
    if (!bin)
        return;
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "kind", "llama.cpp");
    cJSON_AddStringToObject(r, "id", "llama.cpp");
    /* the build number when its tree says it; the binary's own --version is llama.build's */
    double number =
            wld_fact_num(cJSON_GetObjectItemCaseSensitive(build, "build_info"), "build", -1);
    if (number >= 0) {
        char *name = wld_xasprintf("llama.cpp b%.0f", number);
        cJSON_AddStringToObject(r, "name", name);
        free(name);
        char v[32];
        snprintf(v, sizeof(v), "%.0f", number);
        cJSON_AddStringToObject(r, "version", v);
    } else {
        cJSON_AddStringToObject(r, "name", "llama.cpp");
    }
    cJSON_AddStringToObject(r, "found_by", wld_fact_str(build, "found_by"));
    cJSON_AddItemToObject(r, "build", cJSON_Duplicate(build, true));
    cJSON_AddItemToArray(runtimes, r);
}

cJSON *wld_runtime_label(const cJSON *r)
{
    static const char *const keys[] = { "id", "kind", "name", "version" };
    cJSON *l = cJSON_CreateObject();
    for (size_t i = 0; i < WLD_ARRAY_SIZE(keys); i++)
        if (wld_fact_str(r, keys[i]))
            cJSON_AddStringToObject(l, keys[i], wld_fact_str(r, keys[i]));
    return l;
}

/* Whether path is dir or lies under it. */
static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return path && strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

bool wld_runtime_selected(const cJSON *r, char *const *wanted)
{
    if (!wanted || !*wanted)
        return true;
    static const char *const paths[] = { "binary", "prefix", "lib_dir", "package_dir" };
    const cJSON *build = cJSON_GetObjectItemCaseSensitive(r, "build");
    for (; *wanted; wanted++) {
        const char *w = *wanted;
        const char *kind = wld_fact_str(r, "kind"), *id = wld_fact_str(r, "id");
        if ((kind && strcmp(w, kind) == 0) || (id && strcmp(w, id) == 0))
            return true;
        if (strcmp(w, "llama-cpp-python") == 0 && kind && strcmp(kind, "python") == 0)
            return true;
        if (w[0] != '/')
            continue;
        for (size_t i = 0; i < WLD_ARRAY_SIZE(paths); i++)
            if (under(wld_fact_str(r, paths[i]), w) || under(wld_fact_str(build, paths[i]), w))
                return true;
    }
    return false;
}
