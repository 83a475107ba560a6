/* Container engines and their GPU plumbing (see wld/containers.h). */
#include "wld/containers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/util.h"
#include "wld/yaml.h"

#include "containers_impl.h"

#define DESKTOP_DIR  "/mnt/wsl/docker-desktop"
#define DRIVER_STORE "/usr/lib/wsl/drivers"
#define CDI_CAP      (4u * 1024u * 1024u) /* a spec for eight GPUs is ~100 KB */

/* A command on PATH: its path and where its links lead. Returns the object or NULL. */
static cJSON *command(const struct wld_host *h, const char *name, cJSON *out, const char *key)
{
    char *path = NULL, *target = NULL;
    if (wld_host_find_command(h, name, &path) < 0)
        return NULL;
    cJSON *o = cJSON_AddObjectToObject(out, key);
    cJSON_AddStringToObject(o, "path", path);
    if (wld_host_resolve(h, path, &target) == 0 && strcmp(target, path) != 0)
        cJSON_AddStringToObject(o, "target", target);
    free(target);
    free(path);
    return o;
}

static void
socket_at(const struct wld_host *h, const char *path, const char *what, bool rootless, cJSON *list)
{
    struct wld_device dev;
    if (wld_host_probe_device(h, path, &dev) < 0 || dev.kind == WLD_NODE_MISSING)
        return;
    const cJSON *s;
    cJSON_ArrayForEach(s, list) /* DOCKER_HOST naming /var/run/docker.sock: once */
    {
        if (wld_str_is(wld_fact_str(s, "path"), path))
            return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddStringToObject(o, "kind", wld_node_kind_name(dev.kind));
    char *target = NULL;
    if (wld_host_resolve(h, path, &target) == 0 && strcmp(target, path) != 0)
        cJSON_AddStringToObject(o, "target", target);
    free(target);
    cJSON_AddStringToObject(o, "for", what);
    cJSON_AddBoolToObject(o, "rootless", rootless);
    cJSON_AddItemToArray(list, o);
}

static void sockets(const struct wld_host *h, cJSON *out)
{
    cJSON *list = cJSON_AddArrayToObject(out, "sockets");
    const char *dh = wld_host_getenv(h, "DOCKER_HOST");
    if (dh && wld_str_starts(dh, "unix://")) {
        socket_at(h, dh + strlen("unix://"), "docker", false, list);
    } else if (dh && strstr(dh, "://")) { /* an engine elsewhere: its scheme, never its address */
        char *scheme = wld_xstrndup(dh, (size_t) (strstr(dh, "://") - dh));
        cJSON_AddStringToObject(out, "docker_host_scheme", scheme);
        free(scheme);
    }
    socket_at(h, "/var/run/docker.sock", "docker", false, list);
    const char *xdg = wld_host_getenv(h, "XDG_RUNTIME_DIR");
    if (xdg && xdg[0] == '/') {
        char *p = wld_xasprintf("%s/docker.sock", xdg);
        socket_at(h, p, "docker", true, list);
        free(p);
        p = wld_xasprintf("%s/podman/podman.sock", xdg);
        socket_at(h, p, "podman", true, list);
        free(p);
    }
    socket_at(h, "/run/podman/podman.sock", "podman", false, list);
}

/* /etc/docker/daemon.json: the runtimes it registers, the default one, CDI on or not. A
 * file dockerd cannot parse keeps it from starting, so its error is kept word for word. */
static void daemon_json(const struct wld_host *h, cJSON *out)
{
    static const char path[] = "/etc/docker/daemon.json";
    struct wld_buf b;
    int r = wld_host_read(h, path, WLD_CAP_SMALL, &b);
    if (r == -ENOENT)
        return;
    cJSON *o = cJSON_AddObjectToObject(out, "daemon_json");
    cJSON_AddStringToObject(o, "path", path);
    if (r < 0) {
        wld_fact_errno(o, "error", r);
        return;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(b.data, b.len, &end, false);
    if (!cJSON_IsObject(j)) {
        size_t at = end && end >= b.data ? (size_t) (end - b.data) : 0, line = 1;
        for (size_t i = 0; i < at && i < b.len; i++)
            line += b.data[i] == '\n';
        char *why = wld_xasprintf("not a JSON object (line %zu)", line);
        cJSON_AddStringToObject(o, "error", why);
        free(why);
    } else {
        cJSON *runtimes = cJSON_AddObjectToObject(o, "runtimes");
        const cJSON *rt;
        const cJSON *all = cJSON_GetObjectItemCaseSensitive(j, "runtimes");
        if (!cJSON_IsObject(all))
            all = NULL; /* "runtimes": [...] names nothing */
        cJSON_ArrayForEach(rt, all)
        {
            const char *p = wld_fact_str(rt, "path");
            if (rt->string && !cJSON_GetObjectItemCaseSensitive(runtimes, rt->string))
                cJSON_AddStringToObject(runtimes, rt->string, p ? p : "");
        }
        const char *def = wld_fact_str(j, "default-runtime");
        if (def)
            cJSON_AddStringToObject(o, "default_runtime", def);
        const cJSON *cdi = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(j, "features"), "cdi");
        if (cJSON_IsBool(cdi))
            cJSON_AddBoolToObject(o, "cdi", cJSON_IsTrue(cdi));
    }
    cJSON_Delete(j);
    wld_buf_release(&b);
}

/* The toolkit's mode: `mode = "..."` in [nvidia-container-runtime] of its config.toml. */
static void toolkit_config(const struct wld_host *h, cJSON *tk)
{
    static const char path[] = "/etc/nvidia-container-runtime/config.toml";
    struct wld_buf b;
    if (wld_host_read(h, path, WLD_CAP_SMALL, &b) < 0)
        return;
    cJSON *c = cJSON_AddObjectToObject(tk, "config");
    cJSON_AddStringToObject(c, "path", path);
    char line[512];
    bool in_section = false;
    for (const char *p = b.data; *p;) {
        wld_str_line(p, line, sizeof(line));
        wld_str_trim(line);
        if (line[0] == '[') {
            in_section = strcmp(line, "[nvidia-container-runtime]") == 0;
        } else if (in_section && wld_str_starts(line, "mode")) {
            char *eq = strchr(line, '='), *q1 = eq ? strchr(eq, '"') : NULL;
            char *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
            if (q2 && !cJSON_GetObjectItemCaseSensitive(c, "mode")) {
                *q2 = '\0';
                cJSON_AddStringToObject(c, "mode", q1 + 1);
            }
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    wld_buf_release(&b);
}

/* ---- CDI specs ---- */

/* The driver-store folder a path lies in ("nvlti.inf_amd64_..."), or NULL. Caller frees. */
static char *store_folder(const char *path)
{
    size_t n = strlen(DRIVER_STORE);
    if (strncmp(path, DRIVER_STORE "/", n + 1) != 0)
        return NULL;
    const char *f = path + n + 1, *slash = strchr(f, '/');
    return slash && slash > f ? wld_xstrndup(f, (size_t) (slash - f)) : NULL;
}

static bool has_string(const cJSON *array, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, array)
    {
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return true;
    }
    return false;
}

struct spec_walk {
    const struct wld_host *h;
    cJSON *missing, *expected; /* expected: driver-store folders of missing paths */
    size_t paths;
};

static void look(struct spec_walk *w, const char *path, const char *what)
{
    if (!path || path[0] != '/' || w->paths >= WLD_CDI_PATHS_MAX)
        return;
    w->paths++;
    bool there;
    if (strcmp(what, "device") == 0) {
        struct wld_device dev;
        there = wld_host_probe_device(w->h, path, &dev) == 0 && dev.kind != WLD_NODE_MISSING;
    } else {
        there = wld_host_exists(w->h, path);
    }
    if (there)
        return;
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "path", path);
    cJSON_AddStringToObject(m, "what", what);
    cJSON_AddItemToArray(w->missing, m);
    char *folder = store_folder(path);
    if (folder && !has_string(w->expected, folder))
        cJSON_AddItemToArray(w->expected, cJSON_CreateString(folder));
    free(folder);
}

/* containerEdits: its device nodes (hostPath when given, else path), mounts' hostPath and
 * hooks' path. */
static void edits(struct spec_walk *w, const cJSON *e)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "deviceNodes"))
    {
        const char *hp = wld_fact_str(x, "hostPath");
        look(w, hp ? hp : wld_fact_str(x, "path"), "device");
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "mounts"))
    {
        look(w, wld_fact_str(x, "hostPath"), "mount");
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(e, "hooks"))
    {
        look(w, wld_fact_str(x, "path"), "hook");
    }
}

static void cdi_spec(const struct wld_host *h, const char *file, const cJSON *store, cJSON *o)
{
    struct wld_buf b;
    cJSON_AddStringToObject(o, "file", file);
    int r = wld_host_read(h, file, CDI_CAP, &b);
    if (r < 0) {
        wld_fact_errno(o, "error", r);
        return;
    }
    cJSON *spec = NULL;
    char *err = NULL;
    if (wld_str_ends(file, ".json")) {
        spec = cJSON_ParseWithLength(b.data, b.len);
        if (!cJSON_IsObject(spec))
            err = wld_xstrdup("not a JSON object");
    } else if (wld_yaml_parse(b.data, b.len, &spec, &err) == 0 && !cJSON_IsObject(spec)) {
        err = wld_xstrdup("not a YAML mapping");
    }
    if (err || b.truncated) {
        cJSON_AddStringToObject(o, "error", b.truncated ? "larger than 4 MiB" : err);
    } else {
        const char *kind = wld_fact_str(spec, "kind");
        cJSON_AddStringToObject(o, "kind", kind ? kind : "");
        const char *ver = wld_fact_str(spec, "cdiVersion");
        if (ver)
            cJSON_AddStringToObject(o, "cdi_version", ver);
        struct spec_walk w = { .h = h,
                               .missing = cJSON_CreateArray(),
                               .expected = cJSON_CreateArray() };
        cJSON *names = cJSON_AddArrayToObject(o, "devices");
        edits(&w, cJSON_GetObjectItemCaseSensitive(spec, "containerEdits"));
        const cJSON *d;
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(spec, "devices"))
        {
            const char *name = wld_fact_str(d, "name");
            if (name)
                cJSON_AddItemToArray(names, cJSON_CreateString(name));
            edits(&w, cJSON_GetObjectItemCaseSensitive(d, "containerEdits"));
        }
        cJSON_AddNumberToObject(o, "paths", (double) w.paths);
        cJSON_AddItemToObject(o, "missing", w.missing);
        /* a folder the spec names that is gone, beside those that are there now: the
         * driver was updated after the spec was written */
        const cJSON *f;
        cJSON *stale = NULL;
        cJSON_ArrayForEach(f, w.expected)
        {
            char *dir = wld_xasprintf("%s/%s", DRIVER_STORE, f->valuestring);
            if (!wld_host_exists(h, dir)) {
                stale = stale ? stale : cJSON_AddArrayToObject(o, "stale_store");
                cJSON *s = cJSON_CreateObject();
                cJSON_AddStringToObject(s, "expected", f->valuestring);
                cJSON_AddItemToObject(s, "present",
                                      store ? cJSON_Duplicate(store, true) : cJSON_CreateArray());
                cJSON_AddItemToArray(stale, s);
            }
            free(dir);
        }
        cJSON_Delete(w.expected);
    }
    free(err);
    cJSON_Delete(spec);
    wld_buf_release(&b);
}

static void cdi_specs(const struct wld_host *h, const cJSON *store, cJSON *out)
{
    static const char *const dirs[] = { "/etc/cdi", "/var/run/cdi" };
    cJSON *list = cJSON_AddArrayToObject(out, "cdi");
    for (size_t i = 0; i < WLD_ARRAY_SIZE(dirs); i++) {
        char **names = NULL;
        if (wld_host_list(h, dirs[i], 256, &names) < 0)
            continue;
        for (char **n = names; *n; n++) {
            if (!wld_str_ends(*n, ".yaml") && !wld_str_ends(*n, ".yml") &&
                !wld_str_ends(*n, ".json"))
                continue;
            if (cJSON_GetArraySize(list) >= WLD_CDI_SPECS_MAX)
                break;
            char *file = wld_xasprintf("%s/%s", dirs[i], *n);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(list, o);
            cdi_spec(h, file, store, o);
            free(file);
        }
        wld_strv_free(names);
    }
}

static cJSON *driver_store(const struct wld_host *h, cJSON *out)
{
    char **names = NULL;
    if (wld_host_list(h, DRIVER_STORE, 1024, &names) < 0)
        return NULL;
    cJSON *list = cJSON_AddArrayToObject(out, "driver_store");
    for (char **n = names; *n; n++)
        if (wld_str_starts(*n, "nv") && strstr(*n, ".inf_"))
            cJSON_AddItemToArray(list, cJSON_CreateString(*n));
    wld_strv_free(names);
    return list;
}

void wld_containers_gather(const struct wld_host *h, double timeout_ms, cJSON *out)
{
    cJSON *docker = command(h, "docker", out, "docker");
    if (docker) {
        const char *t = wld_fact_str(docker, "target");
        cJSON_AddBoolToObject(docker, "desktop",
                              wld_str_starts(t ? t : wld_fact_str(docker, "path"), DESKTOP_DIR));
    }
    cJSON_AddBoolToObject(out, "desktop", wld_host_exists(h, DESKTOP_DIR));
    command(h, "dockerd", out, "dockerd");
    static const char *const units[] = { "/etc/systemd/system/docker.service",
                                         "/usr/lib/systemd/system/docker.service",
                                         "/lib/systemd/system/docker.service" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(units); i++) {
        if (!wld_host_exists(h, units[i]))
            continue;
        cJSON *u = cJSON_AddObjectToObject(out, "docker_unit");
        cJSON_AddStringToObject(u, "path", units[i]);
        cJSON_AddBoolToObject(
                u, "enabled",
                wld_host_exists(h, "/etc/systemd/system/multi-user.target.wants/docker.service"));
        break;
    }
    command(h, "podman", out, "podman");
    sockets(h, out);
    daemon_json(h, out);
    cJSON *tk = cJSON_AddObjectToObject(out, "toolkit");
    static const struct {
        const char *name, *key;
    } tools[] = { { "nvidia-container-runtime-hook", "hook" },
                  { "nvidia-ctk", "ctk" },
                  { "nvidia-container-cli", "cli" },
                  { "nvidia-container-runtime", "runtime" } };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(tools); i++) {
        char *path = NULL;
        if (wld_host_find_command(h, tools[i].name, &path) == 0)
            cJSON_AddStringToObject(tk, tools[i].key, path);
        free(path);
    }
    toolkit_config(h, tk);
    const cJSON *store = driver_store(h, out);
    cdi_specs(h, store, out);
    wld_containers_api(h, timeout_ms, out);
}
