/* A container engine's API on its Unix socket (see containers_impl.h): what /info says,
 * and of each running container only what container.gpu judges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fetch.h"
#include "wld/util.h"

#include "containers_impl.h"

#define API_CAP        (1u << 20)
#define API_CONTAINERS 16

/* GET path on the socket within what is left of the deadline: the answer parsed, or NULL
 * with why in o.error (an errno name) and o.message. */
static cJSON *
api_get(const struct wld_host *h, const char *sock, const char *path, double deadline, cJSON *o)
{
    struct wld_buf enc;
    wld_buf_init(&enc, 1024);
    for (const char *p = sock; *p; p++)
        if (*p == '/' || *p == '%' || *p == ':')
            wld_buf_printf(&enc, "%%%02X", (unsigned char) *p);
        else
            wld_buf_append(&enc, p, 1);
    char *url = wld_xasprintf("http+unix://%s%s", enc.data ? enc.data : "", path);
    wld_buf_release(&enc);
    struct wld_fetch f;
    double left = deadline - wld_now_ms();
    int r = wld_host_fetch(h, url, "http+unix", API_CAP, left > 1 ? left : 1, NULL, true, &f);
    free(url);
    cJSON *j = NULL;
    if (r == 0 && f.status == 200)
        j = cJSON_ParseWithLength(f.body.data ? f.body.data : "", f.body.len);
    if (!j) {
        if (r < 0)
            wld_fact_errno(o, "error", r);
        else
            cJSON_AddStringToObject(o, "error", f.status == 200 ? "not_json" : "http_status");
        if (r == 0 && f.status != 200)
            cJSON_AddNumberToObject(o, "status", (double) f.status);
        if (f.error[0])
            cJSON_AddStringToObject(o, "message", f.error);
    }
    wld_buf_release(&f.body);
    return j;
}

static void api_info(const cJSON *info, cJSON *o)
{
    static const struct {
        const char *from, *to;
    } keys[] = { { "OperatingSystem", "operating_system" },
                 { "ServerVersion", "server_version" },
                 { "KernelVersion", "kernel_version" },
                 { "DefaultRuntime", "default_runtime" } };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(keys); i++)
        if (wld_fact_str(info, keys[i].from))
            cJSON_AddStringToObject(o, keys[i].to, wld_fact_str(info, keys[i].from));
    cJSON *rt = cJSON_AddArrayToObject(o, "runtimes");
    const cJSON *r;
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(info, "Runtimes");
    if (!cJSON_IsObject(all))
        all = NULL;
    cJSON_ArrayForEach(r, all)
    {
        if (r->string)
            cJSON_AddItemToArray(rt, cJSON_CreateString(r->string));
    }
}

/* A running container as container.gpu judges it: whether it asks for a GPU (a device
 * request with the gpu capability, the nvidia runtime, or a CDI device), the variables
 * that say which GPUs and which CUDA its image needs, and its bind mounts from Windows
 * drives (9p). Nothing else of it is kept: its environment may hold keys. */
static void api_container(const cJSON *c, cJSON *o)
{
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(c, "Config");
    const cJSON *hc = cJSON_GetObjectItemCaseSensitive(c, "HostConfig");
    const char *id = wld_fact_str(c, "Id"), *name = wld_fact_str(c, "Name");
    char short_id[13] = "";
    snprintf(short_id, sizeof(short_id), "%s", id ? id : "");
    cJSON_AddStringToObject(o, "id", short_id);
    cJSON_AddStringToObject(o, "name", name ? name + (name[0] == '/') : "");
    cJSON_AddStringToObject(o, "image",
                            wld_fact_str(cfg, "Image") ? wld_fact_str(cfg, "Image") : "");
    bool gpu = wld_str_is(wld_fact_str(hc, "Runtime"), "nvidia");
    const cJSON *dr, *caps, *cap;
    cJSON_ArrayForEach(dr, cJSON_GetObjectItemCaseSensitive(hc, "DeviceRequests"))
    {
        cJSON_ArrayForEach(caps, cJSON_GetObjectItemCaseSensitive(dr, "Capabilities"))
        {
            cJSON_ArrayForEach(cap, caps)
            {
                gpu = gpu || (cJSON_IsString(cap) && strcmp(cap->valuestring, "gpu") == 0);
            }
        }
        const cJSON *ids;
        cJSON_ArrayForEach(ids, cJSON_GetObjectItemCaseSensitive(dr, "DeviceIDs"))
        {
            gpu = gpu ||
                  (cJSON_IsString(ids) && wld_str_starts(ids->valuestring, "nvidia.com/gpu"));
        }
    }
    cJSON_AddBoolToObject(o, "gpu", gpu);
    if (wld_fact_str(hc, "Runtime"))
        cJSON_AddStringToObject(o, "runtime", wld_fact_str(hc, "Runtime"));
    static const char *const vars[] = { "NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES",
                                        "CUDA_VERSION", "NVIDIA_REQUIRE_CUDA" };
    cJSON *env = cJSON_AddObjectToObject(o, "env");
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(cfg, "Env"))
    {
        const char *eq = cJSON_IsString(e) ? strchr(e->valuestring, '=') : NULL;
        for (size_t i = 0; eq && i < WLD_ARRAY_SIZE(vars); i++)
            if ((size_t) (eq - e->valuestring) == strlen(vars[i]) &&
                strncmp(e->valuestring, vars[i], strlen(vars[i])) == 0 &&
                !cJSON_GetObjectItemCaseSensitive(env, vars[i]))
                cJSON_AddStringToObject(env, vars[i], eq + 1);
    }
    cJSON *on9p = cJSON_AddArrayToObject(o, "mounts_9p");
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(c, "Mounts"))
    {
        const char *src = wld_fact_str(m, "Source");
        if (src && strlen(src) >= 6 && strncmp(src, "/mnt/", 5) == 0 && src[5] >= 'a' &&
            src[5] <= 'z' && (src[6] == '/' || src[6] == '\0')) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "source", src);
            cJSON_AddStringToObject(x, "destination",
                                    wld_fact_str(m, "Destination") ? wld_fact_str(m, "Destination")
                                                                   : "");
            cJSON_AddItemToArray(on9p, x);
        }
    }
}

void wld_containers_api(const struct wld_host *h, double timeout_ms, cJSON *out)
{
    const cJSON *s;
    const char *sock = NULL;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(out, "sockets"))
    {
        if (!sock && wld_str_is(wld_fact_str(s, "for"), "docker"))
            sock = wld_fact_str(s, "path");
    }
    if (!sock)
        return;
    double deadline = wld_now_ms() + timeout_ms;
    cJSON *o = cJSON_AddObjectToObject(out, "api");
    cJSON_AddStringToObject(o, "socket", sock);
    cJSON *info = api_get(h, sock, "/info", deadline, o);
    if (!info)
        return;
    api_info(info, cJSON_AddObjectToObject(o, "info"));
    cJSON_Delete(info);
    cJSON *list_facts = cJSON_AddObjectToObject(o, "containers_list");
    cJSON *list = api_get(h, sock, "/containers/json", deadline, list_facts);
    cJSON *cs = cJSON_AddArrayToObject(o, "containers");
    const cJSON *c;
    int n = 0;
    cJSON_ArrayForEach(c, list)
    {
        const char *id = wld_fact_str(c, "Id");
        if (!id || strspn(id, "0123456789abcdef") != strlen(id) || ++n > API_CONTAINERS)
            continue;
        char *path = wld_xasprintf("/containers/%s/json", id);
        cJSON *x = cJSON_CreateObject();
        cJSON *inspect = api_get(h, sock, path, deadline, x);
        if (inspect)
            api_container(inspect, x);
        cJSON_AddItemToArray(cs, x);
        cJSON_Delete(inspect);
        free(path);
    }
    if (n > API_CONTAINERS)
        cJSON_AddNumberToObject(o, "containers_not_read", n - API_CONTAINERS);
    if (cJSON_GetArraySize(list_facts) == 0)
        cJSON_DeleteItemFromObject(o, "containers_list");
    cJSON_Delete(list);
}
