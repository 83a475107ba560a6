/* server.health: a running llama-server or ollama, asked over HTTP (libcurl).
 *
 * Guards against "it runs, but is it on the GPU?": a server that does not answer, is
 * still loading, answers as something else, or (ollama) keeps part or all of its model
 * in host memory, a router whose model failed to load. Only servers the user named
 * (--server URL) or that run here and listen (wld/servers.h: the sockets a llama-server or
 * `ollama serve` process owns, never a process of the doctor's own) are asked, each request
 * bounded in time and size; --offline asks none. A key is sent only when the user gives it
 * (--server-key-file, LLAMA_API_KEY), never read from the server's process. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/option.h"
#include "wld/settings.h"
#include "wld/util.h"
#include "wld/wslfile.h"

#include "server_health_impl.h"

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
        wld_server_health_add_running(ctx, servers, facts);
    cJSON_AddNumberToObject(facts, "deadline_ms", ctx->timeout_ms);
    cJSON_AddBoolToObject(facts, "key_given", o->server_key != NULL);
    wld_server_health_ask(ctx, servers);
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
    /* ECONNREFUSED, EHOSTUNREACH; a recording of an older doctor has EIO and curl's words */
    bool refused = strcmp(e, "ECONNREFUSED") == 0 || strcmp(e, "EHOSTUNREACH") == 0 ||
                   (strcmp(e, "EIO") == 0 && strstr(wld_fact_str(x, "error"), "onnect"));
    return refused ? "unreachable" : "transfer_failed";
}

/* The server against the rest of the report: its model among those models.fit judged and
 * at the context it judged, its build the one llama.build inspected. */
static void cross_check(const struct wld_eval_ctx *ctx,
                        const cJSON *s,
                        const char *model,
                        double n_ctx,
                        const char *build,
                        struct wld_buf *d)
{
    const cJSON *fit = wld_facts_of(ctx, "models.fit"), *m, *judged = NULL;
    /* /props' path, or the -m of the process (the same file, spelt as it was given) */
    const char *arg = wld_fact_str(cJSON_GetObjectItemCaseSensitive(s, "args"), "model");
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(fit, "models"))
    {
        if (wld_str_is(wld_fact_str(m, "path"), model) || wld_str_is(wld_fact_str(m, "path"), arg))
            judged = m;
    }
    bool known = judged != NULL;
    if (model && fit && !known)
        wld_buf_printf(d, "; models.fit did not judge this model (give --model %s)", model);
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(fit, "settings");
    double fit_ctx = wld_fact_num(settings, "ctx", -1);
    if (!wld_fact_bool(settings, "ctx_given", false))
        fit_ctx =
                wld_fact_num(cJSON_GetObjectItemCaseSensitive(judged, "runs_with"), "ctx", fit_ctx);
    if (model && known && n_ctx > 0 && fit_ctx >= 0 && fit_ctx != n_ctx)
        wld_buf_printf(d, "; models.fit judged -c %.0f, the server runs %.0f (give --ctx %.0f)",
                       fit_ctx, n_ctx, n_ctx);
    double inspected = wld_fact_num(
            cJSON_GetObjectItemCaseSensitive(
                    wld_runtime_facts(wld_facts_of(ctx, "llama.build"), "llama.cpp", NULL),
                    "version"),
            "build", -1);
    /* build_info is "b7104-1692f9e50" */
    if (build && build[0] == 'b' && inspected >= 0 && strtod(build + 1, NULL) != inspected)
        wld_buf_printf(d, "; llama.build inspected build %.0f, not this server's", inspected);
}

/* A router (llama-server --models-dir, no -m): its models and their states from
 * /v1/models; a model whose server exited is a failure, the rest is what it serves. */
static const char *judge_router(const cJSON *s, struct wld_finding *f)
{
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(s, "models"), "json"),
            "data");
    const cJSON *m, *failed = NULL;
    struct wld_buf d;
    wld_buf_init(&d, 2048);
    int n = 0;
    cJSON_ArrayForEach(m, models)
    {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "status");
        const char *value = cJSON_IsString(st) ? st->valuestring : wld_fact_str(st, "value");
        if (wld_fact_bool(st, "failed", false) && !failed)
            failed = m;
        if (n++ < 8)
            wld_buf_printf(&d, "%s%s (%s)", n > 1 ? ", " : "", wld_fact_str(m, "id"),
                           value ? value : "state unknown");
    }
    if (n > 8)
        wld_buf_printf(&d, " and %d more", n - 8);
    wld_finding_varf(f, "models", "%d model%s%s%s", n, n == 1 ? "" : "s", n ? ": " : "",
                     d.len ? d.data : "");
    wld_buf_release(&d);
    if (!failed)
        return "router";
    wld_finding_var(f, "model", wld_fact_str(failed, "id"));
    wld_finding_var_num(
            f, "exit_code",
            wld_fact_num(cJSON_GetObjectItemCaseSensitive(failed, "status"), "exit_code", -1));
    return "router_model_failed";
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
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(s, "props");
    if (wld_fact_num(pr, "status", 0) == 401)
        return wld_fact_bool(ctx->mine, "key_given", false) ? "key_rejected" : "protected";
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(pr, "json");
    if (wld_str_is(wld_fact_str(props, "role"), "router")) {
        wld_finding_var(f, "kind", "llama-server router");
        return judge_router(s, f);
    }
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
    cross_check(ctx, s, model, n_ctx, build, &d);
    /* the list is built with ", " before each item: the first one goes */
    wld_finding_var(f, "details", d.len > 2 ? d.data + 2 : "health ok");
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
        wld_finding_var(f, "details", "no model loaded");
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
    wld_finding_varf(f, "details", "%s fully in VRAM", wld_fact_str(worst, "name"));
    return "ok";
}

static const char *judge(const struct wld_eval_ctx *ctx, const cJSON *s, struct wld_finding *f)
{
    const char *kind = wld_fact_str(s, "kind");
    wld_finding_var(f, "url", wld_fact_str(s, "url"));
    wld_finding_var(f, "from", wld_fact_str(s, "from"));
    wld_finding_var(f, "kind", kind ? kind : "server");
    wld_finding_var(f, "details", "");
    if (!wld_fact_str(s, "url")) {
        /* a process found running that listens on no TCP port */
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(s, "args");
        wld_finding_var_num(f, "pid", wld_fact_num(s, "pid", 0));
        wld_finding_var(f, "port", wld_fact_str(args, "port"));
        return "not_listening";
    }
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
static const char *const outcomes[] = { "unreachable",     "router_model_failed",
                                        "ollama_cpu_only", "windows_unreachable",
                                        "timeout",         "transfer_failed",
                                        "bad_answer",      "key_rejected",
                                        "not_listening",   "ollama_partly_cpu",
                                        "loading",         "protected",
                                        "router",          "ok",
                                        "offline",         "none_running",
                                        "not_recorded",    NULL };

/* One server in a few words, for the summary of another: "http://127.0.0.1:53609
 * (llama-server) answers: model tiny.gguf, n_ctx 256". Caller frees. */
static char *in_words(const cJSON *s, const char *v, const cJSON *vars)
{
    const char *where = wld_fact_str(s, "url");
    char pid[48];
    if (!where) {
        snprintf(pid, sizeof(pid), "process %.0f", wld_fact_num(s, "pid", 0));
        where = pid;
    }
    const char *kind = wld_fact_str(vars, "kind");
    if (strcmp(v, "ok") == 0 || strcmp(v, "router") == 0)
        return wld_xasprintf("%s (%s) answers: %s", where, kind,
                             strcmp(v, "ok") == 0 ? wld_fact_str(vars, "details")
                                                  : wld_fact_str(vars, "models"));
    char *words = wld_xstrdup(v);
    for (char *p = words; *p; p++)
        *p = *p == '_' ? ' ' : *p;
    char *line = wld_xasprintf("%s (%s): %s", where, kind, words);
    free(words);
    return line;
}

/* {more}: the servers other than the one the summary is about, "" when there are none. */
static void more(struct wld_finding *f, const cJSON *servers, const cJSON *shown, cJSON *lines)
{
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    int i = 0, n = 0;
    const cJSON *s;
    cJSON_ArrayForEach(s, servers)
    {
        const cJSON *line = cJSON_GetArrayItem(lines, i++);
        if (s == shown || !cJSON_IsString(line))
            continue;
        wld_buf_printf(&b, "%s%s", n++ ? "; " : "", line->valuestring);
    }
    if (n)
        wld_finding_varf(f, "more", "; also %s", b.data);
    else
        wld_finding_var(f, "more", "");
    wld_buf_release(&b);
}

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
    const cJSON *worst_server = NULL;
    cJSON *lines = cJSON_CreateArray(); /* each server in a few words */
    cJSON_ArrayForEach(s, servers)
    {
        struct wld_finding one = { .vars = cJSON_CreateObject() };
        const char *v = judge(ctx, s, &one), *before = worst;
        char *line = in_words(s, v, one.vars);
        cJSON_AddItemToArray(lines, cJSON_CreateString(line));
        free(line);
        wld_finding_keep_worst(&worst, &worst_vars, v, one.vars, outcomes);
        if (worst != before || !worst_server)
            worst_server = s;
    }
    cJSON_Delete(f->vars);
    f->vars = worst_vars;
    more(f, servers, worst_server, lines);
    cJSON_Delete(lines);
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

/* --server URL: an http:// or https:// URL (repeatable). */
static int set_server(struct wld_options *o, const char *value, char **err)
{
    if (!wld_str_starts(value, "http://") && !wld_str_starts(value, "https://"))
        return wld_errorf(err, -EINVAL, "--server takes an http:// or https:// URL, not '%s'",
                          value);
    o->servers = wld_strv_push(o->servers, value);
    return 0;
}

/* the command line's options that only this check reads (the key file is read when the
 * run starts: src/cli/cli.c, wld_options_server_key) */
static const struct wld_cli_option options[] = {
    { "server", 0, "URL", WLD_VAL_TEXT, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_KEEP,
      "a llama-server or ollama to ask", WLD_OPT_CALL(set_server), .repeat = true },
    { "server-key-file", 0, "FILE", WLD_VAL_FILE, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_DROP,
      "the servers' API key (else $LLAMA_API_KEY), never shown", WLD_OPT_STR(server_key_file) },
    { "offline", 0, NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_KEEP, "ask no server",
      WLD_OPT_FLAG(offline) },
};

const struct wld_check wld_check_server_health = {
    .id = "server.health",
    .title = "Running model server",
    .looks_at =
            "--server URLs, else the llama-server and ollama processes running here, "
            "where they listen (/proc/PID/fd among /proc/net/tcp and tcp6); llama-server's "
            "/health, /props and /slots (a router's /v1/models), ollama's /api/version and /api/ps",
    .outcomes = outcomes,
    .needs = needs,
    .reads = reads,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
    .options = options,
    .n_options = WLD_ARRAY_SIZE(options),
};
