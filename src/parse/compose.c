/* A compose file's services, GPU requests and their problems (see wld/compose.h). Every
 * node is read as hostile: a key may hold any type, and only strings are taken. */
#include "wld/compose.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/util.h"
#include "wld/yaml.h"

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool wld_compose_visible_hides(const char *value)
{
    return value && (strcmp(value, "void") == 0 || strcmp(value, "none") == 0);
}

bool wld_compose_cuda_hides(const char *value)
{
    return value && (strcmp(value, "") == 0 || strcmp(value, "-1") == 0);
}

bool wld_compose_on_windows(const char *s)
{
    if (!s)
        return false;
    if (wld_str_starts(s, "/mnt/") && isalpha((unsigned char) s[5]) && (!s[6] || s[6] == '/'))
        return true;
    return isalpha((unsigned char) s[0]) && s[1] == ':' && (s[2] == '\\' || s[2] == '/');
}

/* ---- the environment ---- */

static const char *const env_names[] = { "NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES",
                                         "CUDA_VERSION", "NVIDIA_REQUIRE_CUDA",
                                         "NVIDIA_DRIVER_CAPABILITIES" };

static bool env_kept(const char *name, size_t n)
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(env_names); i++)
        if (strlen(env_names[i]) == n && strncmp(env_names[i], name, n) == 0)
            return true;
    return false;
}

/* environment: as a list (- K=V; a bare K takes the shell's value, unknown here) or a map
 * (K: V); env gets the values, lines each one's line. */
static void read_env(const cJSON *e, cJSON *env, cJSON *lines)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, (cJSON_IsArray(e) || cJSON_IsObject(e) ? e : NULL))
    {
        char *name = NULL;
        const char *value = NULL;
        if (cJSON_IsArray(e) && cJSON_IsString(x) && strchr(x->valuestring, '=')) {
            const char *eq = strchr(x->valuestring, '=');
            name = wld_xstrndup(x->valuestring, (size_t) (eq - x->valuestring));
            value = eq + 1;
        } else if (cJSON_IsObject(e) && x->string) {
            name = wld_xstrdup(x->string);
            value = cJSON_IsString(x) ? x->valuestring : NULL; /* K: alone: the shell's */
        }
        if (name && value && env_kept(name, strlen(name))) {
            cJSON_DeleteItemFromObjectCaseSensitive(env, name);
            cJSON_DeleteItemFromObjectCaseSensitive(lines, name);
            cJSON_AddStringToObject(env, name, value);
            cJSON_AddNumberToObject(lines, name, x->valueint);
        }
        free(name);
    }
}

/* ---- binds ---- */

static void add_bind(cJSON *binds, const char *source, const char *target, int line)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "source", source);
    cJSON_AddStringToObject(b, "target", target ? target : "");
    cJSON_AddNumberToObject(b, "line", line);
    cJSON_AddItemToArray(binds, b);
}

/* A short volume, SRC:DST[:MODE]: a bind when SRC is a path (/, ., ~, $, or a Windows
 * drive's C:\ whose colon is not the separator), else a named volume. */
static void short_volume(cJSON *binds, const char *v, int line)
{
    bool drive = isalpha((unsigned char) v[0]) && v[1] == ':' && (v[2] == '\\' || v[2] == '/');
    const char *sep = strchr(v + (drive ? 2 : 0), ':');
    if (!sep)
        return; /* DST alone: an anonymous volume */
    if (!drive && !strchr("/.~$", v[0]))
        return;
    char *source = wld_xstrndup(v, (size_t) (sep - v));
    const char *t = sep + 1, *end = strchr(t, ':');
    char *target = wld_xstrndup(t, end ? (size_t) (end - t) : strlen(t));
    add_bind(binds, source, target, line);
    free(target);
    free(source);
}

static void read_volumes(const cJSON *vols, cJSON *binds)
{
    const cJSON *v;
    cJSON_ArrayForEach(v, (cJSON_IsArray(vols) ? vols : NULL))
    {
        if (cJSON_IsString(v))
            short_volume(binds, v->valuestring, v->valueint);
        else if (wld_str_is(str(v, "type"), "bind") && str(v, "source"))
            add_bind(binds, str(v, "source"), str(v, "target"), v->valueint);
    }
}

/* ---- GPU requests ---- */

static cJSON *strings(const cJSON *list)
{
    cJSON *out = cJSON_CreateArray();
    const cJSON *x;
    if (cJSON_IsString(list))
        cJSON_AddItemToArray(out, cJSON_CreateString(list->valuestring));
    cJSON_ArrayForEach(x, (cJSON_IsArray(list) ? list : NULL))
    {
        if (cJSON_IsString(x))
            cJSON_AddItemToArray(out, cJSON_CreateString(x->valuestring));
    }
    return out;
}

static bool has(const cJSON *list, const char *s)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, (cJSON_IsArray(list) ? list : NULL))
    {
        if (cJSON_IsString(x) && strcmp(x->valuestring, s) == 0)
            return true;
    }
    return false;
}

struct svc {
    cJSON *out;      /* the service's object */
    cJSON *problems; /* its problems */
    const char *name, *image;
};

static cJSON *problem(struct svc *s, const char *outcome, int line)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "outcome", outcome);
    cJSON_AddNumberToObject(p, "line", line);
    cJSON_AddStringToObject(p, "container", s->name);
    cJSON_AddStringToObject(p, "image", s->image);
    cJSON_AddItemToArray(s->problems, p);
    return p;
}

/* A device request (deploy's reservations.devices entry, or gpus:'s), as Compose reads
 * it: its GPU object when it asks for a GPU (capability gpu, or driver nvidia), and the
 * problems Compose refuses it for. */
static cJSON *device_request(struct svc *s, const cJSON *d, const char *by)
{
    const cJSON *caps = get(d, "capabilities"), *ids = get(d, "device_ids");
    const char *count = str(d, "count"), *driver = str(d, "driver");
    if (!caps)
        problem(s, "compose_no_capabilities", d->valueint);
    if (count && ids) {
        cJSON *p = problem(s, "compose_count_and_device_ids", d->valueint);
        cJSON_AddStringToObject(p, "count", count);
    }
    if (!has(caps, "gpu") && !wld_str_is(driver, "nvidia"))
        return NULL;
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "by", by);
    cJSON_AddNumberToObject(g, "line", d->valueint);
    if (count || !ids)
        cJSON_AddStringToObject(g, "count", count ? count : "all");
    if (ids)
        cJSON_AddItemToObject(g, "device_ids", strings(ids));
    cJSON_AddItemToObject(g, "capabilities", strings(caps));
    if (driver)
        cJSON_AddStringToObject(g, "driver", driver);
    return g;
}

/* Each device request is judged; the first that asks for a GPU is the service's. */
static cJSON *requests(struct svc *s, const cJSON *list, const char *by)
{
    cJSON *gpu = NULL;
    const cJSON *d;
    cJSON_ArrayForEach(d, (cJSON_IsArray(list) ? list : NULL))
    {
        if (!cJSON_IsObject(d))
            continue;
        cJSON *g = device_request(s, d, by);
        if (g && !gpu)
            gpu = g;
        else
            cJSON_Delete(g);
    }
    return gpu;
}

static cJSON *simple_gpu(const char *by, int line, const char *count)
{
    cJSON *g = cJSON_CreateObject();
    cJSON_AddStringToObject(g, "by", by);
    cJSON_AddNumberToObject(g, "line", line);
    if (count)
        cJSON_AddStringToObject(g, "count", count);
    return g;
}

/* `devices: - nvidia.com/gpu=all`: a CDI device of NVIDIA's kind. */
static cJSON *cdi_request(const cJSON *devices)
{
    static const char kind[] = "nvidia.com/gpu=";
    cJSON *g = NULL;
    const cJSON *d;
    cJSON_ArrayForEach(d, (cJSON_IsArray(devices) ? devices : NULL))
    {
        if (!cJSON_IsString(d) || !wld_str_starts(d->valuestring, kind))
            continue;
        if (!g) {
            g = simple_gpu("cdi", d->valueint, NULL);
            cJSON_AddArrayToObject(g, "device_ids");
        }
        cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(g, "device_ids"),
                             cJSON_CreateString(d->valuestring + strlen(kind)));
    }
    return g;
}

/* The GPU the service asks for, in the order of wld/compose.h. */
static cJSON *gpu_of(struct svc *s, const cJSON *svc, const cJSON *env, const cJSON *lines)
{
    cJSON *deploy = requests(
            s, get(get(get(get(svc, "deploy"), "resources"), "reservations"), "devices"), "deploy");
    const cJSON *gpus = get(svc, "gpus");
    cJSON *by_gpus = cJSON_IsString(gpus) ? simple_gpu("gpus", gpus->valueint, gpus->valuestring)
                                          : requests(s, gpus, "gpus");
    const cJSON *rt = get(svc, "runtime");
    cJSON *cdi = cdi_request(get(svc, "devices"));
    cJSON *gpu = deploy ? deploy : by_gpus;
    if (gpu == deploy)
        cJSON_Delete(by_gpus);
    if (!gpu && wld_str_is(str(svc, "runtime"), "nvidia"))
        gpu = simple_gpu("runtime", rt->valueint, NULL);
    if (!gpu) {
        gpu = cdi;
        cdi = NULL;
    }
    cJSON_Delete(cdi);
    const char *vis = str(env, "NVIDIA_VISIBLE_DEVICES");
    if (!gpu && vis && *vis && !wld_compose_visible_hides(vis)) {
        int line = (int) wld_fact_num(lines, "NVIDIA_VISIBLE_DEVICES", 0);
        gpu = simple_gpu("env", line, NULL);
        cJSON *p = problem(s, "compose_env_only", line);
        cJSON_AddStringToObject(p, "visible", vis);
    }
    return gpu;
}

/* What hides the GPU from a service that asks for it, and its models read over 9p. */
static void gpu_problems(struct svc *s, const cJSON *env, const cJSON *lines, const cJSON *binds)
{
    const char *vis = str(env, "NVIDIA_VISIBLE_DEVICES");
    const char *cvd = str(env, "CUDA_VISIBLE_DEVICES");
    if (wld_compose_visible_hides(vis)) {
        cJSON *p = problem(s, "gpu_hidden", (int) wld_fact_num(lines, "NVIDIA_VISIBLE_DEVICES", 0));
        cJSON_AddStringToObject(p, "visible", vis);
    }
    if (wld_compose_cuda_hides(cvd)) {
        cJSON *p = problem(s, "compose_cuda_hidden",
                           (int) wld_fact_num(lines, "CUDA_VISIBLE_DEVICES", 0));
        cJSON_AddStringToObject(p, "visible", cvd);
    }
    const cJSON *b;
    cJSON_ArrayForEach(b, binds)
    {
        if (!wld_compose_on_windows(str(b, "source")))
            continue;
        cJSON *p = problem(s, "models_on_9p", (int) wld_fact_num(b, "line", 0));
        cJSON_AddStringToObject(p, "source", str(b, "source"));
        cJSON_AddStringToObject(p, "destination", str(b, "target"));
    }
}

static cJSON *read_service(const cJSON *svc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", svc->string);
    cJSON_AddNumberToObject(o, "line", svc->valueint);
    const char *image = str(svc, "image");
    const cJSON *build = get(svc, "build");
    const char *context = cJSON_IsString(build) ? build->valuestring : str(build, "context");
    if (image)
        cJSON_AddStringToObject(o, "image", image);
    if (build)
        cJSON_AddStringToObject(o, "build", context ? context : ".");
    char *shown = image ? wld_xstrdup(image) : wld_xasprintf("build: %s", context ? context : ".");
    struct svc s = {
        .out = o, .problems = cJSON_CreateArray(), .name = svc->string, .image = shown
    };
    cJSON *env = cJSON_CreateObject(), *lines = cJSON_CreateObject();
    read_env(get(svc, "environment"), env, lines);
    cJSON *binds = cJSON_CreateArray();
    read_volumes(get(svc, "volumes"), binds);
    cJSON *gpu = gpu_of(&s, svc, env, lines);
    if (gpu) {
        cJSON_AddItemToObject(o, "gpu", gpu);
        gpu_problems(&s, env, lines, binds);
    }
    if (str(svc, "runtime"))
        cJSON_AddStringToObject(o, "runtime", str(svc, "runtime"));
    cJSON_AddItemToObject(o, "env", env);
    cJSON_AddItemToObject(o, "binds", binds);
    cJSON_AddItemToObject(o, "problems", s.problems);
    cJSON_Delete(lines);
    free(shown);
    return o;
}

int wld_compose_read(const char *text, size_t len, cJSON **ret, char **err)
{
    cJSON *doc = NULL;
    *err = NULL;
    int r = wld_yaml_parse(text, len, &doc, err);
    if (r < 0)
        return r;
    const cJSON *services = get(doc, "services"), *svc;
    if (!cJSON_IsObject(services)) {
        cJSON_Delete(doc);
        *err = wld_xstrdup("no services: mapping");
        return -EINVAL;
    }
    cJSON *out = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(out, "services");
    cJSON_ArrayForEach(svc, services)
    {
        if (cJSON_GetArraySize(list) >= WLD_COMPOSE_SERVICES_MAX)
            break;
        if (cJSON_IsObject(svc) && svc->string)
            cJSON_AddItemToArray(list, read_service(svc));
    }
    cJSON_Delete(doc);
    *ret = out;
    return 0;
}
