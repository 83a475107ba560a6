/* Where the llama.cpp binary is (see wld/llama.h): the one the user names (--llama-server,
 * or the binary inside --llama-build DIR), else the binary that runs (a running
 * llama-server's, then a systemd unit's), else the first on PATH, else a common build
 * directory in the home. What that binary's build is, is src/inventory/llama.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/llama.h"
#include "wld/util.h"

static const char *const binary_names[] = { "llama-server", "llama-cli" };

/* The binary inside a --llama-build DIR: a build tree (DIR/bin), a multi-config build tree
 * (DIR/bin/Release), a source tree (DIR/build/bin), or a Makefile source root (DIR). */
static char *find_in_build(const struct wld_host *h, const char *dir)
{
    static const char *const subdirs[] = { "/bin", "/bin/Release", "/build/bin",
                                           "/build/bin/Release", "" };
    for (size_t d = 0; d < WLD_ARRAY_SIZE(subdirs); d++)
        for (size_t i = 0; i < WLD_ARRAY_SIZE(binary_names); i++) {
            char *p = wld_xasprintf("%s%s/%s", dir, subdirs[d], binary_names[i]);
            if (wld_host_is_executable(h, p))
                return p;
            free(p);
        }
    return wld_xasprintf("%s/bin/llama-server", dir); /* named in the report as missing */
}

int wld_llama_find(const struct wld_host *h,
                   const struct wld_options *o,
                   char **ret_path,
                   const char **ret_how)
{
    static const char *const dirs[] = { "llama.cpp/build/bin", "llama.cpp/build/bin/Release",
                                        "llama.cpp" };
    if (o && o->llama_server) {
        *ret_path = wld_xstrdup(o->llama_server);
        *ret_how = "--llama-server";
        return 0;
    }
    if (o && o->llama_build) {
        *ret_path = find_in_build(h, o->llama_build);
        *ret_how = "--llama-build";
        return 0;
    }
    for (size_t i = 0; i < WLD_ARRAY_SIZE(binary_names); i++)
        if (wld_host_find_command(h, binary_names[i], ret_path) == 0) {
            *ret_how = "PATH";
            return 0;
        }
    const char *home = wld_host_home(h);
    for (size_t d = 0; home && d < WLD_ARRAY_SIZE(dirs); d++)
        for (size_t i = 0; i < WLD_ARRAY_SIZE(binary_names); i++) {
            char *p = wld_xasprintf("%s/%s/%s", home, dirs[d], binary_names[i]);
            if (wld_host_is_executable(h, p)) {
                *ret_path = p;
                *ret_how = "common build directory";
                return 0;
            }
            free(p);
        }
    return -ENOENT;
}

/* The llama-server a systemd unit runs (wld/services.h), and the unit; NULL when none. */
static const char *unit_binary(const cJSON *services, const char **unit)
{
    const cJSON *u;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(services, "units"))
    {
        const cJSON *exec = cJSON_GetObjectItemCaseSensitive(u, "exec");
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(u, "exec_exists");
        const char *base = cJSON_IsString(exec) ? strrchr(exec->valuestring, '/') : NULL;
        for (size_t i = 0; base && cJSON_IsTrue(ok) && i < WLD_ARRAY_SIZE(binary_names); i++)
            if (strcmp(base + 1, binary_names[i]) == 0) {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(u, "name");
                *unit = cJSON_IsString(name) ? name->valuestring : "?";
                return exec->valuestring;
            }
    }
    return NULL;
}

/* The executable of the first running llama-server (wld/servers.h) that is still there,
 * and how it was found; NULL when none. */
static const char *running_binary(const struct wld_host *h, const cJSON *servers, char **how)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(servers, "servers"))
    {
        const char *exe = wld_fact_str(s, "exe");
        const char *base = exe ? strrchr(exe, '/') : NULL;
        if (wld_str_is(wld_fact_str(s, "kind"), "llama-server") && base &&
            strcmp(base + 1, "llama-server") == 0 && wld_host_is_executable(h, exe)) {
            *how = wld_xasprintf("running llama-server (process %.0f)", wld_fact_num(s, "pid", 0));
            return exe;
        }
    }
    return NULL;
}

void wld_llama_locate(const struct wld_host *h,
                      const struct wld_options *o,
                      const cJSON *servers,
                      const cJSON *services,
                      cJSON *facts)
{
    char *bin = NULL, *how_unit = NULL;
    const char *how = NULL, *unit = NULL, *from_unit = NULL;
    /* the binary that runs is the one that matters: a running server's, else a service's,
     * unless the user names one */
    bool named = o && (o->llama_server || o->llama_build);
    const char *running = named ? NULL : running_binary(h, servers, &how_unit);
    if (!running && !named)
        from_unit = unit_binary(services, &unit);
    if (running) {
        bin = wld_xstrdup(running);
        how = how_unit;
    } else if (from_unit) {
        bin = wld_xstrdup(from_unit);
        how = how_unit = wld_xasprintf("systemd unit %s", unit);
    } else if (wld_llama_find(h, o, &bin, &how) < 0) {
        return;
    }
    cJSON_AddStringToObject(facts, "binary", bin);
    cJSON_AddStringToObject(facts, "found_by", how);
    free(how_unit);
    cJSON_AddBoolToObject(facts, "binary_exists", wld_host_is_executable(h, bin));
    free(bin);
}
