/* container.gpu's judging of compose files (checks/container_gpu.c is the check): each
 * service's first problem, worst first, from the reader's own findings (wld/compose.h) and
 * from what the service needs of this host: `runtime: nvidia` that the distro's dockerd
 * does not register, CDI devices where the Docker engine has CDI off, an image that needs
 * a CUDA newer than the driver's (the same test the running containers get); and a compose
 * file that could not be read. Pure: facts and rule parameters in, a finding out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/compose.h"
#include "wld/util.h"
#include "wld/version.h"

#include "container_gpu_impl.h"

static const cJSON *obj(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* The CUDA an image needs, "12.8", into cuda (n bytes): NVIDIA_REQUIRE_CUDA's "cuda>=12.8"
 * (what nvidia-container-cli enforces), else CUDA_VERSION's major.minor, else an
 * nvidia/cuda:12.9.0-... tag. Returns whether it is newer than the driver's CUDA drv. */
bool wld_container_gpu_needs_newer_cuda(
        const cJSON *env, const char *image, const char *drv, char *cuda, size_t n)
{
    const char *req = wld_fact_str(env, "NVIDIA_REQUIRE_CUDA");
    const char *ver = wld_fact_str(env, "CUDA_VERSION");
    const char *tag = image ? strstr(image, "nvidia/cuda:") : NULL;
    const char *from = req && strstr(req, "cuda>=") ? strstr(req, "cuda>=") + 6
                       : ver                        ? ver
                       : tag                        ? tag + strlen("nvidia/cuda:")
                                                    : NULL;
    int major, minor;
    if (!drv || !from || sscanf(from, "%d.%d", &major, &minor) != 2 || major <= 0)
        return false;
    snprintf(cuda, n, "%d.%d", major, minor);
    return wld_version_cmp_str(cuda, drv) > 0;
}

/* Whether the Docker engine here has CDI off, and why into why (n bytes): daemon.json's
 * features.cdi false, else the engine's version (the API's /info) before the rules'
 * cdi_first_docker (no CDI), or before cdi_default_docker without features.cdi true. Not
 * known (no daemon.json flag, no /info): on. */
static bool docker_cdi_off(const struct wld_eval_ctx *ctx, const cJSON *m, char *why, size_t n)
{
    const cJSON *cdi = obj(obj(m, "daemon_json"), "cdi");
    const char *v = wld_fact_str(obj(obj(m, "api"), "info"), "server_version");
    const char *first = wld_param_str(ctx, "cdi_first_docker");
    const char *on = wld_param_str(ctx, "cdi_default_docker");
    if (cJSON_IsBool(cdi)) {
        snprintf(why, n, "\"features\": {\"cdi\": false} in /etc/docker/daemon.json");
        return !cJSON_IsTrue(cdi);
    }
    if (v && first && wld_version_cmp_str(v, first) < 0)
        snprintf(why, n, "Docker %s: CDI came in %s", v, first);
    else if (v && on && wld_version_cmp_str(v, on) < 0)
        snprintf(why, n,
                 "Docker %s turns CDI on only with \"features\": {\"cdi\": true} in "
                 "daemon.json; %s does by default",
                 v, on);
    else
        return false;
    return true;
}

/* The compose files (--compose, or the current directory's): the first problem of a
 * service, worst first. The reader's own problems (wld/compose.h), then what needs this
 * host: `runtime: nvidia` that the distro's dockerd does not register, an image newer
 * than the driver's CUDA. Sets *unreadable to a file that could not be read. */
bool wld_container_gpu_compose_problem(const struct wld_eval_ctx *ctx,
                                       struct wld_finding *f,
                                       const cJSON **unreadable)
{
    static const char *const order[] = { "compose_no_capabilities",
                                         "compose_count_and_device_ids",
                                         "compose_runtime_unregistered",
                                         "compose_cdi_off",
                                         "image_cuda_newer",
                                         "gpu_hidden",
                                         "compose_cuda_hidden",
                                         "models_on_9p",
                                         "compose_env_only",
                                         NULL };
    const cJSON *m = ctx->mine, *file, *svc;
    const char *drv = wld_fact_str(wld_facts_of(ctx, "gpu.driver"), "cuda_version");
    const cJSON *runtimes = obj(obj(m, "daemon_json"), "runtimes");
    const char *worst = NULL;
    cJSON *vars = NULL;
    cJSON_ArrayForEach(file, obj(m, "compose"))
    {
        if (wld_fact_str(file, "error") && !*unreadable)
            *unreadable = file;
        cJSON_ArrayForEach(svc, obj(file, "services"))
        {
            const char *name = wld_fact_str(svc, "name"), *image = wld_fact_str(svc, "image");
            char *where =
                    wld_xasprintf("%s, %s line %d", image ? image : "built here",
                                  wld_fact_str(file, "file"), (int) wld_fact_num(svc, "line", 0));
            const cJSON *p;
            cJSON_ArrayForEach(p, obj(svc, "problems"))
            {
                /* NVIDIA_VISIBLE_DEVICES alone is enough where nvidia is the default runtime */
                if (wld_str_is(wld_fact_str(p, "outcome"), "compose_env_only") &&
                    obj(m, "dockerd") &&
                    wld_str_is(wld_fact_str(obj(m, "daemon_json"), "default_runtime"), "nvidia"))
                    continue;
                cJSON *v = cJSON_Duplicate(p, true);
                cJSON_DeleteItemFromObjectCaseSensitive(v, "outcome");
                cJSON_ReplaceItemInObjectCaseSensitive(v, "image", cJSON_CreateString(where));
                wld_finding_keep_worst(&worst, &vars, wld_fact_str(p, "outcome"), v, order);
            }
            const cJSON *gpu = obj(svc, "gpu");
            if (gpu && wld_str_is(wld_fact_str(gpu, "by"), "runtime") && obj(m, "dockerd") &&
                !obj(runtimes, "nvidia")) {
                cJSON *v = cJSON_CreateObject();
                cJSON_AddStringToObject(v, "container", name ? name : "?");
                cJSON_AddStringToObject(v, "image", where);
                wld_finding_keep_worst(&worst, &vars, "compose_runtime_unregistered", v, order);
            }
            char cdi_off[200];
            if (gpu && wld_str_is(wld_fact_str(gpu, "by"), "cdi") &&
                docker_cdi_off(ctx, m, cdi_off, sizeof(cdi_off))) {
                cJSON *v = cJSON_CreateObject();
                cJSON_AddStringToObject(v, "container", name ? name : "?");
                cJSON_AddStringToObject(v, "image", where);
                cJSON_AddStringToObject(v, "why", cdi_off);
                wld_finding_keep_worst(&worst, &vars, "compose_cdi_off", v, order);
            }
            char cuda[32];
            if (gpu && wld_container_gpu_needs_newer_cuda(obj(svc, "env"), image, drv, cuda,
                                                          sizeof(cuda))) {
                cJSON *v = cJSON_CreateObject();
                cJSON_AddStringToObject(v, "container", name ? name : "?");
                cJSON_AddStringToObject(v, "image", where);
                cJSON_AddStringToObject(v, "needs", cuda);
                cJSON_AddStringToObject(v, "driver_cuda", drv);
                wld_finding_keep_worst(&worst, &vars, "image_cuda_newer", v, order);
            }
            free(where);
        }
    }
    if (!worst)
        return false;
    cJSON_Delete(f->vars);
    f->vars = vars;
    wld_finding_outcome(f, worst);
    return true;
}

/* A compose file named (or found in the current directory) that could not be read as one:
 * said, never skipped. */
bool wld_container_gpu_compose_broken(const cJSON *file, struct wld_finding *f)
{
    if (!file)
        return false;
    wld_finding_var(f, "file", wld_fact_str(file, "file"));
    wld_finding_var(f, "error", wld_fact_str(file, "error"));
    wld_finding_outcome(f, "compose_unreadable");
    return true;
}
