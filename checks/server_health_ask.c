/* server.health's asking (checks/server_health.c is the check): which servers to ask (the
 * --server URLs, else the llama-server and ollama processes WLD_INV_SERVERS found running
 * here) and what each answers over HTTP through the host (libcurl; a recorded host's
 * answers from its recording), every request bounded in time and size, its body scrubbed
 * of secrets; on WSL with interop, whether Windows' own curl.exe reaches the same URLs.
 * It records the exchanges as facts and judges none of them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fetch.h"
#include "wld/inventory.h"
#include "wld/proc.h"
#include "wld/secrets.h"
#include "wld/servers.h"
#include "wld/util.h"

#include "server_health_impl.h"

#define BODY_CAP (1024u * 1024u)
#define EXCERPT  300

/* GET base + path within what is left of the deadline; the exchange as a fact. A URL the
 * user named may be asked from a recorded host too; a process's only from the recording. */
static cJSON *ask(const struct wld_gather_ctx *ctx,
                  cJSON *server,
                  const char *name,
                  const char *path,
                  double deadline)
{
    char *url = wld_xasprintf("%s%s", wld_fact_str(server, "url"), path);
    double left = deadline - wld_now_ms();
    struct wld_fetch f;
    bool named = wld_str_is(wld_fact_str(server, "from"), "--server");
    int r = wld_host_fetch(ctx->host, url, "http,https", BODY_CAP, left > 1 ? left : 1,
                           ctx->opts->server_key, named, &f);
    /* a router lists its children's argv, an --api-key among them */
    wld_secrets_scrub(f.body.data, f.body.len);
    cJSON *x = cJSON_AddObjectToObject(server, name);
    cJSON_AddNumberToObject(x, "ms", (double) (long) f.ms);
    if (r < 0) {
        cJSON_AddStringToObject(x, "error", f.error);
        cJSON_AddStringToObject(x, "errno", wld_errno_name(-r));
    } else {
        cJSON_AddNumberToObject(x, "status", (double) f.status);
        if (f.content_type[0])
            cJSON_AddStringToObject(x, "content_type", f.content_type);
        cJSON *json = cJSON_ParseWithLength(f.body.data, f.body.len);
        if (json)
            cJSON_AddItemToObject(x, "json", json);
        else {
            char *s = wld_str_printable(f.body.data, f.body.len < EXCERPT ? f.body.len : EXCERPT);
            cJSON_AddStringToObject(x, "text", s);
            free(s);
        }
    }
    wld_buf_release(&f.body);
    free(url);
    return x;
}

/* On WSL with interop, the same URLs from Windows' own curl.exe, all at once: a server
 * Linux reaches and Windows does not is one the user's Windows tools cannot use. */
static void from_windows(const struct wld_gather_ctx *ctx, cJSON *servers)
{
    const cJSON *io = wld_inventory_get(ctx->inv, WLD_INV_INTEROP);
    cJSON *s;
    if (ctx->opts->no_interop || !wld_str_is(wld_fact_str(io, "interop"), "enabled"))
        return;
    char *curl = wld_xasprintf("%sc/Windows/System32/curl.exe", wld_fact_str(io, "drive_root"));
    size_t n = 0, max = (size_t) cJSON_GetArraySize(servers);
    struct wld_proc_spec *specs = wld_xcalloc(max + 1, sizeof(*specs));
    struct wld_proc_result *res = wld_xcalloc(max + 1, sizeof(*res));
    cJSON **owner = wld_xcalloc(max + 1, sizeof(*owner));
    char ***argvs = wld_xcalloc(max + 1, sizeof(*argvs));
    char secs[32];
    snprintf(secs, sizeof(secs), "%.0f", ctx->timeout_ms / 1000 > 1 ? ctx->timeout_ms / 1000 : 1);
    cJSON_ArrayForEach(s, servers)
    {
        const char *kind = wld_fact_str(s, "kind");
        if (!kind || !wld_fact_str(s, "url") || !wld_host_is_executable(ctx->host, curl))
            continue;
        char *url = wld_xasprintf("%s%s", wld_fact_str(s, "url"),
                                  strcmp(kind, "ollama") == 0 ? "/api/version" : "/health");
        const char *v[] = { curl,           "-s",         "-o", "NUL", "-w",
                            "%{http_code}", "--max-time", secs, url,   NULL };
        argvs[n] = wld_xcalloc(WLD_ARRAY_SIZE(v), sizeof(char *));
        for (size_t i = 0; v[i]; i++)
            argvs[n][i] = wld_xstrdup(v[i]);
        free(url);
        specs[n] = (struct wld_proc_spec){ .argv = (const char *const *) argvs[n],
                                           .timeout_ms = ctx->timeout_ms,
                                           .out_cap = 4096 };
        owner[n++] = s;
    }
    if (n)
        wld_proc_run_many(ctx->host, specs, res, n);
    for (size_t i = 0; i < n; i++) {
        const char *ending = wld_proc_ending(&res[i]);
        cJSON *w = wld_fact_proc(owner[i], "windows", ending ? ending : "ok", &res[i]);
        char *code = wld_str_printable(res[i].out.data, res[i].out.len < 8 ? res[i].out.len : 8);
        cJSON_AddStringToObject(w, "http_code", code);
        free(code);
        wld_proc_result_release(&res[i]);
        wld_strv_free(argvs[i]);
    }
    free(specs);
    free(res);
    free(owner);
    free(argvs);
    free(curl);
}

/* The servers running here (wld/servers.h), as this check asks them: the address each
 * listens on, what started it. */
void wld_server_health_add_running(const struct wld_gather_ctx *ctx, cJSON *servers, cJSON *facts)
{
    const cJSON *found = wld_inventory_get(ctx->inv, WLD_INV_SERVERS), *r;
    cJSON_AddItemToObject(facts, "ignored",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(found, "ignored"), 1));
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(found, "servers"))
    {
        cJSON *s = cJSON_Duplicate(r, true);
        const char *kind = wld_fact_str(r, "kind");
        double router = wld_fact_num(r, "router_pid", -1);
        const char *alias = wld_fact_str(cJSON_GetObjectItemCaseSensitive(r, "args"), "alias");
        char *from = router >= 0
                             ? wld_xasprintf("process %.0f (%s, started by the router, "
                                             "process %.0f, for %s)",
                                             wld_fact_num(r, "pid", 0), kind, router,
                                             alias ? alias : "a model")
                             : wld_xasprintf("process %.0f (%s)", wld_fact_num(r, "pid", 0), kind);
        cJSON_AddStringToObject(s, "from", from);
        free(from);
        cJSON_AddItemToArray(servers, s);
    }
}

/* llama-server's answers: /health; when ready /props, and then a router's /v1/models (its
 * models and their states), or a single server's /slots and /metrics. */
static void
ask_llama(const struct wld_gather_ctx *ctx, cJSON *s, const char **kind, double deadline)
{
    cJSON *h = ask(ctx, s, "health", "/health", deadline);
    double st = wld_fact_num(h, "status", 0);
    bool llama = (st == 200 || st == 503) && cJSON_HasObjectItem(h, "json");
    if (llama && !*kind)
        cJSON_AddStringToObject(s, "kind", *kind = "llama-server");
    if (!llama || st != 200)
        return;
    cJSON *props = ask(ctx, s, "props", "/props", deadline);
    if (wld_str_is(wld_fact_str(cJSON_GetObjectItemCaseSensitive(props, "json"), "role"),
                   "router")) {
        ask(ctx, s, "models", "/v1/models", deadline);
        return;
    }
    if (wld_fact_num(props, "status", 0) == 401)
        return; /* protected: /slots and /metrics would say the same */
    ask(ctx, s, "slots", "/slots", deadline);
    ask(ctx, s, "metrics", "/metrics", deadline);
}

/* Each server in turn, within its own deadline: llama-server first where the kind is not
 * known, then ollama; then all of them from Windows at once. */
void wld_server_health_ask(const struct wld_gather_ctx *ctx, cJSON *servers)
{
    cJSON *s;
    cJSON_ArrayForEach(s, servers)
    {
        double deadline = wld_now_ms() + ctx->timeout_ms;
        const char *kind = wld_fact_str(s, "kind");
        if (!wld_fact_str(s, "url"))
            continue; /* a process that listens nowhere: nothing to ask */
        /* llama-server answers /health; ollama /api/version */
        if (!kind || strcmp(kind, "llama-server") == 0)
            ask_llama(ctx, s, &kind, deadline);
        if (!kind || strcmp(kind, "ollama") == 0) {
            cJSON *v = ask(ctx, s, "version", "/api/version", deadline);
            if (wld_fact_num(v, "status", 0) == 200 && cJSON_HasObjectItem(v, "json")) {
                if (!kind)
                    cJSON_AddStringToObject(s, "kind", kind = "ollama");
                ask(ctx, s, "ps", "/api/ps", deadline);
            }
        }
    }
    from_windows(ctx, servers);
}
