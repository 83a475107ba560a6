/* container.gpu: the GPU as a container will see it. Which engine `docker` talks to
 * (Docker Desktop's WSL integration, a Docker Engine in this distro, or both), Podman, the
 * NVIDIA Container Toolkit that gives them the GPU, and the CDI specs that describe it:
 * every path a spec names must exist now (on WSL a spec pins the Windows driver's
 * driver-store folder, renamed by every driver update). Read from files, links and
 * sockets (wld/containers.h); no container is started. */
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/compose.h"
#include "wld/containers.h"
#include "wld/engine_files.h"
#include "wld/option.h"
#include "wld/platform.h"
#include "wld/settings.h"
#include "wld/util.h"
#include "wld/version.h"

#include "container_gpu_impl.h"

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    wld_containers_gather(ctx->host, ctx->timeout_ms, facts);
    wld_containers_compose(ctx->host, ctx->opts ? ctx->opts->composes : NULL, facts);
    return 0;
}

static const cJSON *obj(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The engine `docker` reaches, in words. */
static void engine_words(const cJSON *m, struct wld_finding *f)
{
    bool desktop = cJSON_IsTrue(obj(m, "desktop")); /* mounted: its integration is on */
    const char *dockerd = wld_fact_str(obj(m, "dockerd"), "path");
    if (desktop && dockerd)
        wld_finding_varf(f, "engine",
                         "Docker Desktop's WSL integration and a Docker Engine "
                         "in this distro (%s)",
                         dockerd);
    else if (desktop)
        wld_finding_var(f, "engine", "Docker Desktop (its WSL integration)");
    else if (dockerd)
        wld_finding_varf(f, "engine", "Docker Engine in this distro (%s)", dockerd);
    else if (obj(m, "podman"))
        wld_finding_varf(f, "engine", "Podman (%s)", wld_fact_str(obj(m, "podman"), "path"));
    else if (wld_fact_str(m, "docker_host_scheme"))
        wld_finding_varf(f, "engine", "the engine DOCKER_HOST names (%s://)",
                         wld_fact_str(m, "docker_host_scheme"));
    else if (cJSON_GetArraySize(obj(m, "sockets")) > 0)
        wld_finding_varf(f, "engine", "the engine on %s",
                         wld_fact_str(cJSON_GetArrayItem(obj(m, "sockets"), 0), "path"));
    else
        wld_finding_varf(f, "engine", "the docker CLI (%s)",
                         wld_fact_str(obj(m, "docker"), "path"));
}

/* The first CDI problem, worst first: a folder of the driver store that is gone, then
 * other missing paths, then a spec that does not parse. */
static bool
cdi_problem(const struct wld_eval_ctx *ctx, size_t from, size_t to, struct wld_finding *f)
{
    const cJSON *m = ctx->mine, *stores = wld_facts_of(ctx, "gpu.wsl-libs");
    static const char *const order[] = { "stale_store", "missing", "error" };
    for (size_t k = from; k < to && k < WLD_ARRAY_SIZE(order); k++) {
        const cJSON *s;
        cJSON_ArrayForEach(s, obj(m, "cdi"))
        {
            const cJSON *v = obj(s, order[k]);
            if (!v || (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 0))
                continue;
            wld_finding_var(f, "file", wld_fact_str(s, "file"));
            if (k == 0) {
                const cJSON *st = cJSON_GetArrayItem(v, 0), *p;
                wld_finding_var(f, "expected", cJSON_IsString(st) ? st->valuestring : "?");
                char present[512] = "";
                cJSON_ArrayForEach(p, obj(stores, "driver_stores"))
                {
                    const char *dir = wld_fact_str(p, "dir");
                    if (dir)
                        snprintf(present + strlen(present), sizeof(present) - strlen(present),
                                 "%s%s", present[0] ? ", " : "", dir);
                }
                wld_finding_var(f, "present", present[0] ? present : "none");
                wld_finding_var_num(f, "count", cJSON_GetArraySize(obj(s, "missing")));
                wld_finding_outcome(f, "cdi_stale_driver_store");
            } else if (k == 1) {
                wld_finding_var_num(f, "count", cJSON_GetArraySize(v));
                wld_finding_var(f, "path", wld_fact_str(cJSON_GetArrayItem(v, 0), "path"));
                wld_finding_outcome(f, "cdi_missing_paths");
            } else {
                wld_finding_var(f, "error", wld_fact_str(s, "error"));
                wld_finding_outcome(f, "cdi_unreadable");
            }
            return true;
        }
    }
    return false;
}

/* A Docker Engine in this distro: its daemon.json and the toolkit it needs for --gpus. */
static bool engine_problem(const cJSON *m, struct wld_finding *f)
{
    const cJSON *dj = obj(m, "daemon_json"), *tk = obj(m, "toolkit");
    if (!obj(m, "dockerd"))
        return false;
    if (dj && wld_fact_str(dj, "error")) {
        wld_finding_var(f, "error", wld_fact_str(dj, "error"));
        wld_finding_outcome(f, "daemon_json_invalid");
        return true;
    }
    const char *def = wld_engine_default_unknown(dj);
    if (def) {
        wld_finding_var(f, "runtime", def);
        wld_finding_outcome(f, "default_runtime_unknown");
        return true;
    }
    const char *nv = wld_fact_str(obj(dj, "runtimes"), "nvidia");
    if (nv && !wld_fact_str(tk, "runtime") && strchr(nv, '/') == NULL) {
        wld_finding_var(f, "runtime_path", nv);
        wld_finding_outcome(f, "nvidia_runtime_missing");
        return true;
    }
    if (!wld_fact_str(tk, "hook")) {
        wld_finding_outcome(f, "engine_no_gpu_driver");
        return true;
    }
    return false;
}

/* The toolkit a Docker Engine in this distro gives --gpus through (its hook and
 * nvidia-container-cli), as it sees the GPU: on WSL it loads libdxcore.so and takes the
 * adapters whose driver-store folder holds the driver's libraries (libnvidia-container's
 * dxcore.c); its config's mode must be one that fits a discrete GPU. */
static bool toolkit_problem(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine, *tk = obj(m, "toolkit");
    if (!obj(m, "dockerd") || (!wld_fact_str(tk, "hook") && !wld_fact_str(tk, "cli")))
        return false;
    const char *mode = wld_fact_str(obj(tk, "config"), "mode");
    if (mode && strcmp(mode, "csv") == 0) {
        wld_finding_var(f, "config", wld_fact_str(obj(tk, "config"), "path"));
        wld_finding_outcome(f, "toolkit_mode_csv");
        return true;
    }
    if (ctx->platform != WLD_PLATFORM_WSL2)
        return false;
    const cJSON *libs = wld_facts_of(ctx, "gpu.wsl-libs");
    const char *dxcore = wld_fact_str(obj(libs, "wsl_lib"), "libdxcore.so");
    if (libs && (!dxcore || strcmp(dxcore, "missing") == 0)) {
        wld_finding_outcome(f, "toolkit_wsl_no_dxcore");
        return true;
    }
    if (libs && cJSON_GetArraySize(obj(libs, "driver_stores")) == 0) {
        wld_finding_outcome(f, "toolkit_wsl_no_adapters");
        return true;
    }
    return false;
}

/* A toolkit older than the release that fixed its last known container escape (the
 * rules' secure_toolkit). */
static bool toolkit_old(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const char *v = wld_fact_str(obj(ctx->mine, "toolkit"), "version");
    const char *min = wld_param_str(ctx, "secure_toolkit");
    if (!v || !min || wld_version_cmp_str(v, min) >= 0)
        return false;
    wld_finding_var(f, "version", v);
    wld_finding_var(f, "secure", min);
    wld_finding_outcome(f, "toolkit_vulnerable");
    return true;
}

/* What the engine's API says of the running GPU containers, worst first: one whose image
 * needs a CUDA newer than the driver's, one whose visible-devices variable hides the GPU,
 * one that loads models from a Windows drive. */
static bool container_problem(const struct wld_eval_ctx *ctx, const cJSON *m, struct wld_finding *f)
{
    const cJSON *api = obj(m, "api"), *c;
    const char *drv = wld_fact_str(wld_facts_of(ctx, "gpu.driver"), "cuda_version");
    for (int pass = 0; pass < 3; pass++) {
        cJSON_ArrayForEach(c, obj(api, "containers"))
        {
            if (!wld_fact_bool(c, "gpu", false))
                continue;
            const cJSON *env = obj(c, "env");
            wld_finding_var(f, "container", wld_fact_str(c, "name"));
            wld_finding_var(f, "image", wld_fact_str(c, "image"));
            const char *vis = wld_fact_str(env, "NVIDIA_VISIBLE_DEVICES");
            char needs[32];
            if (pass == 0 && wld_container_gpu_needs_newer_cuda(env, wld_fact_str(c, "image"), drv,
                                                                needs, sizeof(needs))) {
                wld_finding_var(f, "needs", needs);
                wld_finding_var(f, "driver_cuda", drv);
                wld_finding_outcome(f, "image_cuda_newer");
                return true;
            }
            if (pass == 1 && wld_compose_visible_hides(vis)) {
                wld_finding_var(f, "visible", vis);
                wld_finding_outcome(f, "gpu_hidden");
                return true;
            }
            const char *cvd = wld_fact_str(env, "CUDA_VISIBLE_DEVICES");
            if (pass == 1 && wld_compose_cuda_hides(cvd)) {
                wld_finding_var(f, "visible", cvd);
                wld_finding_outcome(f, "cuda_hidden");
                return true;
            }
            const cJSON *mnt = cJSON_GetArrayItem(obj(c, "mounts_9p"), 0);
            if (pass == 2 && mnt) {
                wld_finding_var(f, "source", wld_fact_str(mnt, "source"));
                wld_finding_var(f, "destination", wld_fact_str(mnt, "destination"));
                wld_finding_outcome(f, "models_on_9p");
                return true;
            }
        }
    }
    const char *err = wld_fact_str(api, "error");
    if (err && strcmp(err, "EACCES") == 0) {
        wld_finding_var(f, "socket", wld_fact_str(api, "socket"));
        wld_finding_outcome(f, "socket_denied");
        return true;
    }
    return false;
}

/* Whether Podman finds a spec for nvidia.com/gpu in the folders it reads: containers.conf's
 * cdi_spec_dirs when set (a spec elsewhere is not read), else /etc/cdi and /var/run/cdi.
 * Sets {dirs}. */
static bool podman_finds_spec(const cJSON *m, struct wld_finding *f)
{
    const cJSON *conf = obj(obj(m, "podman"), "cdi_spec_dirs"), *s, *d;
    char dirs[512] = "";
    cJSON_ArrayForEach(d, obj(conf, "dirs"))
    {
        if (cJSON_IsString(d))
            snprintf(dirs + strlen(dirs), sizeof(dirs) - strlen(dirs), "%s%s", dirs[0] ? ", " : "",
                     d->valuestring);
    }
    const cJSON *first = cJSON_GetArrayItem(obj(conf, "dirs"), 0);
    wld_finding_var(f, "spec_dir", cJSON_IsString(first) ? first->valuestring : "/etc/cdi");
    if (conf)
        wld_finding_varf(f, "dirs", "%s (cdi_spec_dirs in %s)", dirs[0] ? dirs : "no folder",
                         wld_fact_str(conf, "from"));
    else
        wld_finding_var(f, "dirs", "/etc/cdi or /var/run/cdi");
    cJSON_ArrayForEach(s, obj(m, "cdi"))
    {
        const char *file = wld_fact_str(s, "file");
        if (!wld_str_is(wld_fact_str(s, "kind"), "nvidia.com/gpu") || !file)
            continue;
        if (!conf)
            return true;
        cJSON_ArrayForEach(d, obj(conf, "dirs"))
        {
            size_t n = cJSON_IsString(d) ? strlen(d->valuestring) : 0;
            if (n && strncmp(file, d->valuestring, n) == 0 && file[n] == '/')
                return true;
        }
    }
    return false;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    bool desktop = cJSON_IsTrue(obj(m, "desktop")); /* mounted: its integration is on */
    bool any = desktop || obj(m, "docker") || obj(m, "dockerd") || obj(m, "podman") ||
               cJSON_GetArraySize(obj(m, "sockets")) > 0;
    const cJSON *unreadable = NULL;
    engine_words(m, f);
    /* the failures first (a missing path, the engine, a container, a compose file), then
     * an unreadable spec or compose file; a compose file is judged without an engine too */
    if (!any) {
        if (!wld_container_gpu_compose_problem(ctx, f, &unreadable) &&
            !wld_container_gpu_compose_broken(unreadable, f))
            wld_finding_outcome(f, "no_engine");
        return;
    }
    if (cdi_problem(ctx, 0, 2, f) || engine_problem(m, f) || toolkit_problem(ctx, f) ||
        container_problem(ctx, m, f) || wld_container_gpu_compose_problem(ctx, f, &unreadable) ||
        toolkit_old(ctx, f) || cdi_problem(ctx, 2, 3, f) ||
        wld_container_gpu_compose_broken(unreadable, f))
        return;
    /* a docker CLI and nothing it could talk to: Docker Desktop's CLI left behind when its
     * integration with this distro is off, or a CLI without an engine */
    if (!desktop && !obj(m, "dockerd") && !obj(m, "podman") &&
        cJSON_GetArraySize(obj(m, "sockets")) == 0 && !obj(m, "docker_host_scheme")) {
        const char *t = wld_fact_str(obj(m, "docker"), "target");
        wld_finding_var(f, "cli", wld_fact_str(obj(m, "docker"), "path"));
        wld_finding_outcome(f, t && wld_str_starts(t, "/mnt/wsl/docker-desktop/")
                                       ? "desktop_integration_off"
                                       : "no_engine_reachable");
        return;
    }
    if (desktop && obj(m, "dockerd")) {
        const cJSON *s;
        const char *target = NULL;
        cJSON_ArrayForEach(s, obj(m, "sockets"))
        {
            if (wld_str_is(wld_fact_str(s, "path"), "/var/run/docker.sock"))
                target = wld_fact_str(s, "target");
        }
        wld_finding_var(f, "socket",
                        target && wld_str_starts(target, "/mnt/wsl/")
                                ? "Docker Desktop's (/var/run/docker.sock leads there)"
                                : "this distro's dockerd (/var/run/docker.sock)");
        wld_finding_outcome(f, "two_engines");
        return;
    }
    if (obj(m, "podman") && !desktop && !obj(m, "dockerd")) {
        wld_finding_outcome(f, podman_finds_spec(m, f) ? "ok" : "podman_no_cdi");
        return;
    }
    wld_finding_outcome(f, "ok");
}

static const char *const outcomes[] = { "cdi_stale_driver_store",
                                        "cdi_missing_paths",
                                        "daemon_json_invalid",
                                        "default_runtime_unknown",
                                        "nvidia_runtime_missing",
                                        "engine_no_gpu_driver",
                                        "toolkit_mode_csv",
                                        "toolkit_wsl_no_dxcore",
                                        "toolkit_wsl_no_adapters",
                                        "image_cuda_newer",
                                        "gpu_hidden",
                                        "cuda_hidden",
                                        "socket_denied",
                                        "models_on_9p",
                                        "compose_no_capabilities",
                                        "compose_count_and_device_ids",
                                        "compose_runtime_unregistered",
                                        "compose_cdi_off",
                                        "compose_cuda_hidden",
                                        "compose_env_only",
                                        "toolkit_vulnerable",
                                        "compose_unreadable",
                                        "cdi_unreadable",
                                        "desktop_integration_off",
                                        "no_engine_reachable",
                                        "two_engines",
                                        "podman_no_cdi",
                                        "ok",
                                        "no_engine",
                                        NULL };
static const char *const fact_keys[] = { "desktop", "sockets", "toolkit", "cdi", NULL };
static const char *const needs[] = { "wsl.platform", "gpu.driver", "gpu.wsl-libs", NULL };
static const char *const params[] = { "secure_toolkit", "cdi_first_docker", "cdi_default_docker",
                                      NULL };

/* the command line's options that only this check reads */
static const struct wld_cli_option options[] = {
    { "compose", 0, "FILE", WLD_VAL_FILE, NULL, "*.y(a|)ml", WLD_FOR_HOST, WLD_REPLAY_PATH,
      "a compose file for container.gpu; without one, the current directory's",
      WLD_OPT_STRV(composes), .repeat = true },
};

const struct wld_check wld_check_container_gpu = {
    .id = "container.gpu",
    .title = "The GPU in containers (Docker, Podman, NVIDIA Container Toolkit, CDI)",
    .looks_at = "docker, dockerd and podman on PATH, Docker Desktop's /mnt/wsl/docker-desktop, "
                "the engines' sockets, /etc/docker/daemon.json, the NVIDIA Container Toolkit "
                "(nvidia-container-runtime-hook, nvidia-ctk, config.toml), CDI specs in "
                "/etc/cdi and /var/run/cdi and every path they name",
    .outcomes = outcomes,
    .facts = fact_keys,
    .needs = needs,
    .params = params,
    .gather = gather,
    .evaluate = evaluate,
    .options = options,
    .n_options = WLD_ARRAY_SIZE(options),
};
