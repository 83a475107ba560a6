/* The model servers' systemd units on a host (see wld/services.h). */
#include "wld/services.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

#define UNIT_CAP  (64u * 1024u)
#define MAX_UNITS 64

/* Where systemd looks, first wins (its precedence: /etc over the vendor directories). */
static const char *const system_dirs[] = { "/etc/systemd/system", "/usr/lib/systemd/system",
                                           "/lib/systemd/system" };

/* Whether a unit is a model server's: by its name, or (in the directories people write
 * units in) by the program its ExecStart runs. */
bool wld_unit_server_name(const char *name)
{
    return wld_str_ends(name, ".service") && (strstr(name, "llama") || strstr(name, "ollama"));
}

bool wld_unit_server_command(const cJSON *unit)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetObjectItemCaseSensitive(unit, "Service"), "ExecStart"))
    {
        if (cJSON_IsString(e) &&
            (strstr(e->valuestring, "llama-server") || strstr(e->valuestring, "llama-cli") ||
             strstr(e->valuestring, "ollama")))
            return true;
    }
    return false;
}

static bool listed(const cJSON *units, const char *name)
{
    const cJSON *u;
    cJSON_ArrayForEach(u, units)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(u, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return true;
    }
    return false;
}

/* Reads path into unit, with its problems; false when it cannot be read. */
static bool read_into(const struct wld_host *h, const char *path, cJSON *unit, cJSON *problems)
{
    struct wld_buf b;
    if (wld_host_read(h, path, UNIT_CAP, &b) < 0)
        return false;
    cJSON *mine = cJSON_CreateArray(), *p;
    wld_unit_parse(b.data, unit, mine);
    cJSON_ArrayForEach(p, mine)
    {
        cJSON_AddStringToObject(p, "file", path);
    }
    while (cJSON_GetArraySize(mine) > 0)
        cJSON_AddItemToArray(problems, cJSON_DetachItemFromArray(mine, 0));
    cJSON_Delete(mine);
    wld_buf_release(&b);
    return true;
}

/* The drop-ins of name under dirs (NAME.d/ *.conf), in name order, read into unit. */
static void read_dropins(const struct wld_host *h,
                         const char *const *dirs,
                         size_t n,
                         const char *name,
                         cJSON *entry,
                         cJSON *unit,
                         cJSON *problems)
{
    cJSON *list = cJSON_AddArrayToObject(entry, "dropins");
    for (size_t i = 0; i < n; i++) {
        char *d = wld_xasprintf("%s/%s.d", dirs[i], name);
        char **files = NULL;
        if (wld_host_list(h, d, 256, &files) == 0) {
            for (char **f = files; *f; f++) {
                if (!wld_str_ends(*f, ".conf"))
                    continue;
                char *path = wld_xasprintf("%s/%s", d, *f);
                if (read_into(h, path, unit, problems))
                    cJSON_AddItemToArray(list, cJSON_CreateString(path));
                free(path);
            }
            wld_strv_free(files);
        }
        free(d);
    }
}

/* The *.wants directories under dir that hold name: what enables it. */
static void enabled_by(const struct wld_host *h, const char *dir, const char *name, cJSON *entry)
{
    cJSON *wants = cJSON_AddArrayToObject(entry, "wanted_by");
    char **subs = NULL;
    if (wld_host_list(h, dir, 1024, &subs) < 0)
        return;
    for (char **s = subs; *s; s++) {
        if (!wld_str_ends(*s, ".wants"))
            continue;
        char *link = wld_xasprintf("%s/%s/%s", dir, *s, name);
        if (wld_host_exists(h, link)) {
            size_t l = strlen(*s) - strlen(".wants");
            char *target = wld_xstrndup(*s, l);
            cJSON_AddItemToArray(wants, cJSON_CreateString(target));
            free(target);
        }
        free(link);
    }
    wld_strv_free(subs);
}

/* What ExecStart runs (exec, with exec_exists when it is a path) and the model its -m or
 * --model names (model, model_exists; a path with a specifier is left alone). */
static void exec_facts(const struct wld_host *h, const cJSON *unit, cJSON *e)
{
    char **w = wld_unit_words(wld_unit_last(unit, "Service", "ExecStart"));
    const char *bin = wld_unit_program(w);
    if (bin) {
        cJSON_AddStringToObject(e, "exec", bin);
        if (bin[0] == '/')
            cJSON_AddBoolToObject(e, "exec_exists", wld_host_is_executable(h, bin));
    }
    const char *model = wld_unit_model(w);
    if (model && model[0] == '/' && !strchr(model, '%')) {
        cJSON_AddStringToObject(e, "model", model);
        cJSON_AddBoolToObject(e, "model_exists", wld_host_exists(h, model));
    }
    wld_strv_free(w);
}

static void
scan(const struct wld_host *h, const char *const *dirs, size_t n, const char *scope, cJSON *units)
{
    for (size_t i = 0; i < n; i++) {
        char **names = NULL;
        /* the vendor directories hold hundreds of units: only names are looked at there */
        bool by_content = i == 0;
        if (wld_host_list(h, dirs[i], 4096, &names) < 0)
            continue;
        for (char **nm = names; *nm && cJSON_GetArraySize(units) < MAX_UNITS; nm++) {
            if (!wld_str_ends(*nm, ".service") || listed(units, *nm) ||
                (!by_content && !wld_unit_server_name(*nm)))
                continue;
            char *path = wld_xasprintf("%s/%s", dirs[i], *nm);
            cJSON *unit = cJSON_CreateObject(), *problems = cJSON_CreateArray();
            if (!read_into(h, path, unit, problems) ||
                (!wld_unit_server_name(*nm) && !wld_unit_server_command(unit))) {
                cJSON_Delete(unit);
                cJSON_Delete(problems);
                free(path);
                continue;
            }
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", *nm);
            cJSON_AddStringToObject(e, "scope", scope);
            cJSON_AddStringToObject(e, "path", path);
            read_dropins(h, dirs, n, *nm, e, unit, problems);
            enabled_by(h, dirs[0], *nm, e);
            exec_facts(h, unit, e);
            cJSON_AddItemToObject(e, "unit", unit);
            cJSON_AddItemToObject(e, "problems", problems);
            cJSON_AddItemToArray(units, e);
            free(path);
        }
        wld_strv_free(names);
    }
}

void wld_services_find(const struct wld_host *h, cJSON *v)
{
    cJSON *sd = cJSON_AddObjectToObject(v, "systemd");
    struct wld_buf b;
    if (wld_host_read(h, "/proc/1/comm", 256, &b) == 0) {
        char *s = wld_str_printable(b.data, strcspn(b.data, "\n"));
        cJSON_AddStringToObject(sd, "pid1", s);
        free(s);
        wld_buf_release(&b);
    }
    /* systemd's own sign that it booted the system (sd_booted) */
    cJSON_AddBoolToObject(sd, "run_systemd_system", wld_host_is_dir(h, "/run/systemd/system"));
    cJSON *units = cJSON_AddArrayToObject(v, "units");
    scan(h, system_dirs, WLD_ARRAY_SIZE(system_dirs), "system", units);
    const char *home = wld_host_home(h);
    if (home) {
        char *user = wld_xasprintf("%s/.config/systemd/user", home);
        const char *dirs[] = { user };
        scan(h, dirs, 1, "user", units);
        free(user);
    }
}

const char *wld_unit_program(char **words)
{
    const char *p = words[0] ? words[0] + strspn(words[0], "-@:+!") : NULL;
    return p && *p ? p : NULL;
}

const char *wld_unit_model(char **words)
{
    for (char **w = words; *w; w++) {
        if ((strcmp(*w, "-m") == 0 || strcmp(*w, "--model") == 0) && w[1])
            return w[1];
        if (wld_str_starts(*w, "--model="))
            return *w + strlen("--model=");
    }
    return NULL;
}

bool wld_unit_install_starts(const char *install, bool user)
{
    return install && (!user || strcmp(install, "default.target") == 0);
}

const char *wld_unit_systemctl(bool user)
{
    return user ? "systemctl --user" : "sudo systemctl";
}

bool wld_unit_restarts(const char *restart, const cJSON *restarting)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, restarting)
    {
        if (cJSON_IsString(r) && wld_str_is(restart, r->valuestring))
            return true;
    }
    return false;
}

bool wld_unit_hides_gpu(const char *devices, const cJSON *hiding)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, hiding)
    {
        if (devices && cJSON_IsString(v) && wld_str_eq_nocase(v->valuestring, devices))
            return true;
    }
    return false;
}
