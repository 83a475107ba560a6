/* Container engines and their GPU plumbing (see wld/containers.h). */
#include "wld/containers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/engine_files.h"
#include "wld/proc.h"
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
    cJSON *j = NULL;
    char *err = NULL;
    if (wld_engine_json_object(b.data, b.len, &j, &err) < 0)
        cJSON_AddStringToObject(o, "error", err);
    else
        wld_engine_daemon_facts(j, o);
    free(err);
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

/* The toolkit's version, from the one program that says it: `nvidia-ctk --version`
 * ("NVIDIA Container Toolkit CLI version 1.17.8"), else `nvidia-container-cli --version`
 * ("cli-version: 1.17.8"). Run once, within the deadline. */
static void toolkit_version(const struct wld_host *h, double timeout_ms, cJSON *tk)
{
    const char *ctk = wld_fact_str(tk, "ctk"), *cli = wld_fact_str(tk, "cli");
    const char *argv[] = { ctk ? ctk : cli, "--version", NULL };
    if (!argv[0])
        return;
    struct wld_proc_spec spec = { .argv = argv, .timeout_ms = timeout_ms, .out_cap = 4096 };
    struct wld_proc_result r;
    wld_proc_run(h, &spec, &r);
    const char *ended = wld_proc_ending(&r);
    const char *text = r.out.data ? r.out.data : "";
    const char *at = ended ? NULL : strstr(text, ctk ? "version " : "cli-version: ");
    char ver[32] = "";
    if (at) {
        at = strchr(at, ' ') + 1;
        size_t n = strspn(at, "0123456789.");
        if (n > 0 && n < sizeof(ver) && at[0] != '.')
            memcpy(ver, at, n);
    }
    cJSON *run = wld_fact_proc(tk, "version_run", ended ? ended : ver[0] ? "ok" : "no_version", &r);
    cJSON_AddStringToObject(run, "program", ctk ? "nvidia-ctk" : "nvidia-container-cli");
    if (ver[0])
        cJSON_AddStringToObject(tk, "version", ver);
    wld_proc_result_release(&r);
}

/* ---- CDI specs ---- */

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
    char *folder = NULL;
    if (wld_engine_store_folder(path, &folder) && !has_string(w->expected, folder))
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

static void cdi_spec(const struct wld_host *h, const char *file, cJSON *o)
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
    wld_engine_cdi_parse(file, b.data, b.len, &spec, &err);
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
        /* a folder of the driver store the spec names that is gone: the driver was
         * updated after the spec was written (gpu.wsl-libs lists what is there now) */
        const cJSON *f;
        cJSON *stale = NULL;
        cJSON_ArrayForEach(f, w.expected)
        {
            char *dir = wld_xasprintf("%s/%s", DRIVER_STORE, f->valuestring);
            if (!wld_host_exists(h, dir)) {
                stale = stale ? stale : cJSON_AddArrayToObject(o, "stale_store");
                cJSON_AddItemToArray(stale, cJSON_CreateString(f->valuestring));
            }
            free(dir);
        }
        cJSON_Delete(w.expected);
    }
    free(err);
    cJSON_Delete(spec);
    wld_buf_release(&b);
}

/* `cdi_spec_dirs = ["/etc/cdi", ...]` in [engine] of a containers.conf (TOML; the array
 * may span lines): the quoted strings into dirs. Returns whether the key was there. */
static bool conf_spec_dirs(const char *text, cJSON *dirs)
{
    bool engine = false;
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, "\n");
        const char *l = wld_str_skip_space(p);
        if (*l == '[')
            engine = wld_str_starts(l, "[engine]");
        else if (engine && wld_str_starts(l, "cdi_spec_dirs") && memchr(l, '=', len)) {
            const char *at = strchr(l, '['), *end = at ? strchr(at, ']') : NULL;
            while (at && end && (at = strchr(at, '"')) && at < end) {
                const char *q = strchr(at + 1, '"');
                if (!q || q > end)
                    break;
                char *d = wld_xstrndup(at + 1, (size_t) (q - at - 1));
                if (cJSON_GetArraySize(dirs) < 8)
                    cJSON_AddItemToArray(dirs, cJSON_CreateString(d));
                free(d);
                at = q + 1;
            }
            return true;
        }
        p += len + (p[len] == '\n');
    }
    return false;
}

/* Where Podman looks for CDI specs: containers.conf's cdi_spec_dirs, the user's file over
 * the system's (as Podman merges them), else its default /etc/cdi and /var/run/cdi. */
static void podman_spec_dirs(const struct wld_host *h, cJSON *podman)
{
    const char *home = wld_host_home(h);
    char *user = home ? wld_xasprintf("%s/.config/containers/containers.conf", home) : NULL;
    const char *files[] = { "/usr/share/containers/containers.conf",
                            "/etc/containers/containers.conf", user };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(files) && files[i]; i++) {
        struct wld_buf b;
        if (wld_host_read(h, files[i], WLD_CAP_SMALL, &b) < 0)
            continue;
        cJSON *dirs = cJSON_CreateArray();
        if (conf_spec_dirs(b.data, dirs)) {
            cJSON_DeleteItemFromObjectCaseSensitive(podman, "cdi_spec_dirs");
            cJSON *o = cJSON_AddObjectToObject(podman, "cdi_spec_dirs");
            cJSON_AddStringToObject(o, "from", files[i]);
            cJSON_AddItemToObject(o, "dirs", dirs);
        } else {
            cJSON_Delete(dirs);
        }
        wld_buf_release(&b);
    }
    free(user);
}

static void cdi_specs(const struct wld_host *h, cJSON *out)
{
    /* Docker's and Podman's defaults, then the folders Podman and dockerd are told to read */
    const char *dirs[2 + 8 + 8] = { "/etc/cdi", "/var/run/cdi" };
    size_t nd = 2;
    const cJSON *podman = cJSON_GetObjectItemCaseSensitive(out, "podman");
    const cJSON *lists[] = {
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(podman, "cdi_spec_dirs"),
                                         "dirs"),
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(out, "daemon_json"),
                                         "cdi_spec_dirs"),
    };
    for (size_t l = 0; l < WLD_ARRAY_SIZE(lists); l++) {
        const cJSON *d;
        cJSON_ArrayForEach(d, lists[l])
        {
            bool seen = !cJSON_IsString(d) || d->valuestring[0] != '/';
            for (size_t i = 0; !seen && i < nd; i++)
                seen = strcmp(dirs[i], d->valuestring) == 0;
            if (!seen && nd < WLD_ARRAY_SIZE(dirs))
                dirs[nd++] = d->valuestring;
        }
    }
    cJSON *list = cJSON_AddArrayToObject(out, "cdi");
    for (size_t i = 0; i < nd; i++) {
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
            cdi_spec(h, file, o);
            free(file);
        }
        wld_strv_free(names);
    }
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
    cJSON *podman = command(h, "podman", out, "podman");
    if (podman)
        podman_spec_dirs(h, podman);
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
    toolkit_version(h, timeout_ms, tk);
    cdi_specs(h, out);
    wld_containers_api(h, timeout_ms, out);
}
