/* server.health: a running llama-server or ollama, asked over HTTP (libcurl).
 *
 * Guards against "it runs, but is it on the GPU?": a server that does not answer, is
 * still loading, answers as something else, or (ollama) keeps part or all of its model
 * in host memory. Only servers the user named (--server URL) or a running process
 * announced (its --host/--port, OLLAMA_HOST) are asked, each request bounded in time and
 * size; --offline asks none. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/cli.h"
#include "wld/fetch.h"
#include "wld/inventory.h"
#include "wld/proc.h"
#include "wld/util.h"
#include "wld/wslfile.h"

#define BODY_CAP (1024u * 1024u)
#define EXCERPT  300

/* The value of NAME=... in a NUL-separated environment block, or NULL. */
static const char *env_in(const struct wld_buf *b, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < b->len; i += strlen(b->data + i) + 1)
        if (strncmp(b->data + i, name, nl) == 0 && b->data[i + nl] == '=')
            return b->data + i + nl + 1;
    return NULL;
}

/* A listening address as a loopback URL: 0.0.0.0 and :: are reached on 127.0.0.1. */
static char *loopback_url(const char *host, const char *port)
{
    if (!host || !*host || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
        host = "127.0.0.1";
    return wld_xasprintf("http://%s:%s", host, port);
}

/* llama-server and ollama processes of the live host, at the address each announced. */
static void find_processes(const struct wld_host *h, cJSON *servers)
{
    char **pids = NULL;
    if (wld_host_list(h, "/proc", 65536, &pids) < 0)
        return;
    for (char **p = pids; *p && cJSON_GetArraySize(servers) < 16; p++) {
        if (strspn(*p, "0123456789") != strlen(*p))
            continue;
        /* the name first: other processes' command lines (a password on one) are never
         * read, nor kept by `record` */
        char *path = wld_xasprintf("/proc/%s/comm", *p);
        struct wld_buf cmd, env;
        int r = wld_host_read(h, path, 64, &cmd);
        free(path);
        if (r < 0)
            continue;
        cmd.data[strcspn(cmd.data, "\n")] = '\0';
        bool candidate = strcmp(cmd.data, "llama-server") == 0 || strcmp(cmd.data, "ollama") == 0;
        wld_buf_release(&cmd);
        if (!candidate)
            continue;
        path = wld_xasprintf("/proc/%s/cmdline", *p);
        r = wld_host_read(h, path, 65536, &cmd);
        free(path);
        if (r < 0 || cmd.len == 0) {
            if (r == 0)
                wld_buf_release(&cmd);
            continue;
        }
        const char *argv0 = strrchr(cmd.data, '/') ? strrchr(cmd.data, '/') + 1 : cmd.data;
        bool llama = strcmp(argv0, "llama-server") == 0;
        bool ollama = strcmp(argv0, "ollama") == 0 && cmd.len > strlen(cmd.data) + 1 &&
                      strcmp(cmd.data + strlen(cmd.data) + 1, "serve") == 0;
        if (!llama && !ollama) {
            wld_buf_release(&cmd);
            continue;
        }
        path = wld_xasprintf("/proc/%s/environ", *p);
        bool have_env = wld_host_read(h, path, 1 << 20, &env) == 0;
        free(path);
        const char *host = NULL, *port = NULL;
        char *url = NULL;
        if (llama) {
            for (size_t i = 0; i < cmd.len; i += strlen(cmd.data + i) + 1) {
                const char *a = cmd.data + i, *next = i + strlen(a) + 1 < cmd.len
                                                              ? cmd.data + i + strlen(a) + 1
                                                              : NULL;
                if (strcmp(a, "--host") == 0 && next)
                    host = next;
                else if (strcmp(a, "--port") == 0 && next)
                    port = next;
            }
            if (have_env && !host)
                host = env_in(&env, "LLAMA_ARG_HOST");
            if (have_env && !port)
                port = env_in(&env, "LLAMA_ARG_PORT");
            url = loopback_url(host, port ? port : "8080");
        } else {
            /* OLLAMA_HOST is host, host:port or a URL */
            const char *oh = have_env ? env_in(&env, "OLLAMA_HOST") : NULL;
            if (oh && (wld_str_starts(oh, "http://") || wld_str_starts(oh, "https://")))
                url = wld_xstrdup(oh);
            else if (oh && strchr(oh, ':')) {
                char *hostpart = wld_xstrndup(oh, (size_t) (strrchr(oh, ':') - oh));
                url = loopback_url(hostpart, strrchr(oh, ':') + 1);
                free(hostpart);
            } else {
                url = loopback_url(oh, "11434");
            }
        }
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "url", url);
        cJSON_AddStringToObject(s, "kind", llama ? "llama-server" : "ollama");
        char *from = wld_xasprintf("process %s (%s)", *p, argv0);
        cJSON_AddStringToObject(s, "from", from);
        free(from);
        cJSON_AddItemToArray(servers, s);
        free(url);
        wld_buf_release(&cmd);
        if (have_env)
            wld_buf_release(&env);
    }
    wld_strv_free(pids);
}

/* GET base + path within what is left of the deadline; the exchange as a fact. A URL the
 * user named may be asked from a recorded host too; a process's only from the recording. */
static cJSON *
ask(const struct wld_host *h, cJSON *server, const char *name, const char *path, double deadline)
{
    char *url = wld_xasprintf("%s%s", wld_fact_str(server, "url"), path);
    double left = deadline - wld_now_ms();
    struct wld_fetch f;
    bool named = wld_str_is(wld_fact_str(server, "from"), "--server");
    int r = wld_host_fetch(h, url, "http,https", BODY_CAP, left > 1 ? left : 1, named, &f);
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
        if (!kind || !wld_host_is_executable(ctx->host, curl))
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

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_options *o = ctx->opts;
    if (o->offline) {
        cJSON_AddBoolToObject(facts, "offline", true);
        return 0;
    }
    cJSON *servers = cJSON_AddArrayToObject(facts, "servers");
    for (char **u = o->servers; u && *u; u++) {
        cJSON *s = cJSON_CreateObject();
        size_t n = strlen(*u);
        char *url = wld_xstrndup(*u, n && (*u)[n - 1] == '/' ? n - 1 : n);
        cJSON_AddStringToObject(s, "url", url);
        cJSON_AddStringToObject(s, "from", "--server");
        free(url);
        cJSON_AddItemToArray(servers, s);
    }
    /* the processes running on the host; a recorded host's answer from its recording */
    if (!o->servers)
        find_processes(ctx->host, servers);
    cJSON_AddNumberToObject(facts, "deadline_ms", ctx->timeout_ms);
    cJSON *s;
    cJSON_ArrayForEach(s, servers)
    {
        double deadline = wld_now_ms() + ctx->timeout_ms;
        const char *kind = wld_fact_str(s, "kind");
        /* llama-server answers /health; ollama /api/version */
        if (!kind || strcmp(kind, "llama-server") == 0) {
            cJSON *h = ask(ctx->host, s, "health", "/health", deadline);
            double st = wld_fact_num(h, "status", 0);
            bool llama = (st == 200 || st == 503) && cJSON_HasObjectItem(h, "json");
            if (llama && !kind)
                cJSON_AddStringToObject(s, "kind", kind = "llama-server");
            if (llama && st == 200) {
                ask(ctx->host, s, "props", "/props", deadline);
                ask(ctx->host, s, "slots", "/slots", deadline);
                ask(ctx->host, s, "metrics", "/metrics", deadline);
            }
        }
        if (!kind || strcmp(kind, "ollama") == 0) {
            cJSON *v = ask(ctx->host, s, "version", "/api/version", deadline);
            if (wld_fact_num(v, "status", 0) == 200 && cJSON_HasObjectItem(v, "json")) {
                if (!kind)
                    cJSON_AddStringToObject(s, "kind", kind = "ollama");
                ask(ctx->host, s, "ps", "/api/ps", deadline);
            }
        }
    }
    from_windows(ctx, servers);
    wld_fact_unroot(ctx->host, facts);
    return 0;
}

static void var_gib(struct wld_finding *f, const char *name, double bytes)
{
    wld_finding_varf(f, name, "%.2f GiB", bytes / 1073741824.0);
}

/* How an exchange that got no HTTP answer failed: a deadline, nothing listening, or
 * something else (TLS, a body past the cap). */
static const char *no_answer(const cJSON *x, struct wld_finding *f)
{
    const char *e = wld_fact_str(x, "errno");
    if (!e)
        return NULL;
    wld_finding_var(f, "error", wld_fact_str(x, "error"));
    if (strcmp(e, "ETIMEDOUT") == 0)
        return "timeout";
    if (strcmp(e, "ENOENT") == 0)
        return "not_recorded";
    return strstr(wld_fact_str(x, "error"), "onnect") ? "unreachable" : "transfer_failed";
}

/* The server against the rest of the report: its model among those models.fit judged and
 * at the context it judged, its build the one llama.build inspected. */
static void cross_check(const struct wld_eval_ctx *ctx,
                        const char *model,
                        double n_ctx,
                        const char *build,
                        struct wld_buf *d)
{
    const cJSON *fit = wld_facts_of(ctx, "models.fit"), *m;
    bool known = false;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(fit, "models"))
    {
        known |= wld_str_is(wld_fact_str(m, "path"), model);
    }
    if (model && fit && !known)
        wld_buf_printf(d, "; models.fit did not judge this model (give --model %s)", model);
    double fit_ctx = wld_fact_num(cJSON_GetObjectItemCaseSensitive(fit, "settings"), "ctx", -1);
    if (model && known && n_ctx > 0 && fit_ctx >= 0 && fit_ctx != n_ctx)
        wld_buf_printf(d, "; models.fit judged -c %.0f, the server runs %.0f (give --ctx %.0f)",
                       fit_ctx, n_ctx, n_ctx);
    double inspected = wld_fact_num(
            cJSON_GetObjectItemCaseSensitive(wld_facts_of(ctx, "llama.build"), "version"), "build",
            -1);
    /* build_info is "b7104-1692f9e50" */
    if (build && build[0] == 'b' && inspected >= 0 && strtod(build + 1, NULL) != inspected)
        wld_buf_printf(d, "; llama.build inspected build %.0f, not this server's", inspected);
}

static const char *
judge_llama(const struct wld_eval_ctx *ctx, const cJSON *s, struct wld_finding *f)
{
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(s, "health");
    const cJSON *j = cJSON_GetObjectItemCaseSensitive(h, "json");
    const char *status = wld_fact_str(j, "status");
    const char *message = wld_fact_str(cJSON_GetObjectItemCaseSensitive(j, "error"), "message");
    /* 503 {"error": {"message": "Loading model"}}; before 2024 {"status": "loading model"} */
    if (wld_fact_num(h, "status", 0) == 503 || wld_str_eq_nocase(status, "loading model") ||
        wld_str_eq_nocase(message, "Loading model"))
        return "loading";
    if (!wld_str_is(status, "ok"))
        return "bad_answer";
    const cJSON *props =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "props"), "json");
    const char *model = wld_fact_str(props, "model_path");
    const char *base = model ? strrchr(model, '/') : NULL;
    double n_ctx = wld_fact_num(
            cJSON_GetObjectItemCaseSensitive(props, "default_generation_settings"), "n_ctx", -1);
    const char *build = wld_fact_str(props, "build_info");
    struct wld_buf d;
    wld_buf_init(&d, 1024);
    if (model)
        wld_buf_printf(&d, ", model %s", base ? base + 1 : model);
    if (n_ctx >= 0)
        wld_buf_printf(&d, ", n_ctx %.0f", n_ctx);
    if (build)
        wld_buf_printf(&d, ", build %s", build);
    if (wld_fact_num(cJSON_GetObjectItemCaseSensitive(s, "metrics"), "status", 0) == 200)
        wld_buf_puts(&d, ", /metrics on");
    cross_check(ctx, model, n_ctx, build, &d);
    wld_finding_var(f, "details", d.data);
    wld_buf_release(&d);
    return "ok";
}

static const char *judge_ollama(const cJSON *s, struct wld_finding *f)
{
    const cJSON *ps =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "ps"), "json");
    const cJSON *m, *worst = NULL;
    double worst_share = 2;
    wld_finding_var(f, "version",
                    wld_fact_str(cJSON_GetObjectItemCaseSensitive(
                                         cJSON_GetObjectItemCaseSensitive(s, "version"), "json"),
                                 "version"));
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(ps, "models"))
    {
        double size = wld_fact_num(m, "size", 0), vram = wld_fact_num(m, "size_vram", 0);
        double share = size > 0 ? vram / size : 1;
        if (share < worst_share) {
            worst_share = share;
            worst = m;
        }
    }
    if (!worst) {
        wld_finding_var(f, "details", ", no model loaded");
        return "ok";
    }
    wld_finding_var(f, "model", wld_fact_str(worst, "name"));
    var_gib(f, "size", wld_fact_num(worst, "size", 0));
    var_gib(f, "vram", wld_fact_num(worst, "size_vram", 0));
    wld_finding_varf(f, "cpu_share", "%.0f%%", (1 - worst_share) * 100);
    if (worst_share <= 0)
        return "ollama_cpu_only";
    if (worst_share < 0.999)
        return "ollama_partly_cpu";
    wld_finding_varf(f, "details", ", %s fully in VRAM", wld_fact_str(worst, "name"));
    return "ok";
}

static const char *judge(const struct wld_eval_ctx *ctx, const cJSON *s, struct wld_finding *f)
{
    const char *kind = wld_fact_str(s, "kind");
    wld_finding_var(f, "url", wld_fact_str(s, "url"));
    wld_finding_var(f, "from", wld_fact_str(s, "from"));
    wld_finding_var(f, "kind", kind ? kind : "server");
    wld_finding_var(f, "details", "");
    const cJSON *first = cJSON_GetObjectItemCaseSensitive(s, "health");
    if (!first)
        first = cJSON_GetObjectItemCaseSensitive(s, "version");
    const char *why = no_answer(first, f);
    if (why)
        return why;
    if (!kind) { /* it answered, but as neither: what /health said */
        wld_finding_varf(
                f, "error", "HTTP %.0f to %s: %s", wld_fact_num(first, "status", 0),
                first == cJSON_GetObjectItemCaseSensitive(s, "health") ? "/health" : "/api/version",
                wld_fact_str(first, "text") ? wld_fact_str(first, "text") : "JSON of another kind");
        return "bad_answer";
    }
    const char *v = strcmp(kind, "ollama") == 0 ? judge_ollama(s, f) : judge_llama(ctx, s, f);
    /* Linux reaches it; does Windows (curl.exe through interop)? */
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(s, "windows");
    const char *state = wld_fact_str(w, "state"), *code = wld_fact_str(w, "http_code");
    if (!w || strcmp(v, "ollama_cpu_only") == 0 ||
        !(wld_str_is(state, "exit_nonzero") ||
          (wld_str_is(state, "ok") && wld_str_is(code, "000"))))
        return v;
    const char *mode = wld_fact_str(wld_facts_of(ctx, "wsl.interop"), "networking_mode");
    const char *fwd = wld_fact_str(
            wld_wsl_entry(wld_facts_of(ctx, "wsl.wslconfig"), "wsl2", "localhostForwarding"),
            "value");
    wld_finding_var(f, "mode", mode ? mode : "unknown");
    wld_finding_var(f, "forwarding", fwd ? fwd : "true (the default)");
    wld_finding_var_num(f, "curl_exit", wld_fact_num(w, "exit_code", -1));
    return "windows_unreachable";
}

/* worst first */
static const char *const outcomes[] = { "unreachable",
                                        "ollama_cpu_only",
                                        "windows_unreachable",
                                        "timeout",
                                        "transfer_failed",
                                        "bad_answer",
                                        "ollama_partly_cpu",
                                        "loading",
                                        "ok",
                                        "offline",
                                        "none_running",
                                        "not_recorded",
                                        NULL };

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *servers = cJSON_GetObjectItemCaseSensitive(ctx->mine, "servers"), *s;
    if (wld_fact_bool(ctx->mine, "offline", false)) {
        wld_finding_outcome(f, "offline");
        return;
    }
    if (cJSON_GetArraySize(servers) == 0) {
        wld_finding_outcome(f, "none_running");
        return;
    }
    const char *worst = NULL;
    cJSON *worst_vars = NULL;
    cJSON_ArrayForEach(s, servers)
    {
        struct wld_finding one = { .vars = cJSON_CreateObject() };
        const char *v = judge(ctx, s, &one);
        wld_finding_keep_worst(&worst, &worst_vars, v, one.vars, outcomes);
    }
    cJSON_Delete(f->vars);
    f->vars = worst_vars;
    wld_finding_var_num(f, "count", cJSON_GetArraySize(servers));
    wld_finding_var_num(f, "deadline_s", wld_fact_num(ctx->mine, "deadline_ms", 0) / 1000.0);
    wld_finding_outcome(f, worst);
}

static const char *const fact_keys[] = { NULL };
static const char *const needs[] = { "models.fit", "llama.build", "wsl.interop", "wsl.wslconfig",
                                     NULL };

/* --offline asks nothing, so compares nothing; --no-interop asks Windows nothing */
static bool reads(const struct wld_options *o, const char *need)
{
    return !o->offline && !(o->no_interop && strcmp(need, "wsl.interop") == 0);
}

const struct wld_check wld_check_server_health = {
    .id = "server.health",
    .title = "Running model server",
    .looks_at = "--server URLs, else the llama-server and ollama processes running here "
                "(/proc/PID/cmdline and environ: --host, --port, OLLAMA_HOST); llama-server's "
                "/health, /props and /slots, ollama's /api/version and /api/ps",
    .outcomes = outcomes,
    .needs = needs,
    .reads = reads,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
