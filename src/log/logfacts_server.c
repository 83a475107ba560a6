/* llama.cpp's build and llama-server's own lines (see logfacts_impl.h):
 *   build: 4589 (eb7cf15a) with cc (Ubuntu 13.3.0) 13.3.0 for x86_64-linux-gnu
 *   main: build = 1234 (abcdef0) / version: 10431 (1692f9e50) /
 *     version: 0.1.2-dev (build 10525, commit 2cfdb5fc0)
 *   common_params_print_info: build 10309 (82bb48500) with GNU 12.2.0 for Linux x86_64  (-lv 4)
 *   common_params_print_info: verbosity = 3 (adjust with the `-lv N` CLI arg)
 *   load_model: initializing, n_slots = 4, n_ctx_slot = 256, kv_unified = 'true'
 *   starting server in router mode / spawning server instance with name=X on port N
 *   [N] cmd_child_to_router:state:{"state":"ready","payload":{..."meta":{"n_ctx_train":..}}}
 *   successfully fit params to free device memory / context size reduced from 131072 to 32768
 */
#include <stdio.h>
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"

static void set_build(struct wld_log_facts *f, int build, const char *commit, size_t clen, long no)
{
    if (f->build >= 0 || build < 0)
        return;
    f->build = build;
    wld_log_copy(f->commit, sizeof(f->commit), commit, clen);
    f->build_line = no;
}

/* "build: 4589 (eb7cf15a) with cc ..."; "build = 1234 (abcdef0)"; "version: 10431 (1692f9e50)";
 * "version: 0.1.2-dev (build 10525, commit 2cfdb5fc0)"; "info: build 10309 (82bb48500) ..." */
WLD_LOG_EXTRACTOR(wld_logx_build)
{
    const char *p = l->at;
    int b;
    const char *open = strchr(p, '(');
    if (wld_log_int(p, &b) && open) {
        size_t cl = strcspn(open + 1, ")");
        if (b == 0 && strncmp(open + 1, "unknown", 7) == 0)
            return; /* "build = 0 (unknown)": built without git */
        set_build(f, b, open + 1, cl, l->no);
    } else if (open && strncmp(open, "(build ", 7) == 0 && wld_log_int(open + 7, &b)) {
        const char *c = strstr(open, "commit ");
        set_build(f, b, c ? c + 7 : "", c ? strcspn(c + 7, ")") : 0, l->no);
    }
    const char *with = strstr(p, " with ");
    if (with && strstr(with, " for ") && !f->built_with[0])
        wld_log_copy(f->built_with, sizeof(f->built_with), with + 6, strlen(with + 6));
}

/* "built with GNU 12.2.0 for Linux x86_64" */
WLD_LOG_EXTRACTOR(wld_logx_built_with)
{
    if (strstr(l->at, " for "))
        wld_log_set_first(f->built_with, sizeof(f->built_with), l->at, strlen(l->at));
}

/* "verbosity = 3 (adjust with the `-lv N` CLI arg)": common_params_print_info, 2025- */
WLD_LOG_EXTRACTOR(wld_logx_verbosity)
{
    int v;
    if (f->verbosity < 0 && strstr(l->at, "-lv") && wld_log_int(l->at, &v) && v >= 0) {
        f->verbosity = v;
        f->verbosity_line = l->no;
    }
}

struct wld_log_child *wld_log_child_on(struct wld_log_facts *f, long port, bool add, long no)
{
    if (port <= 0 || port > 65535)
        return NULL;
    for (int i = 0; i < f->n_child; i++)
        if (f->child[i].port == port)
            return &f->child[i];
    if (!add || f->n_child == (int) WLD_ARRAY_SIZE(f->child))
        return NULL;
    struct wld_log_child *c = &f->child[f->n_child++];
    memset(c, 0, sizeof(*c));
    c->port = (int) port;
    c->n_ctx_slot = -1;
    c->n_ctx_train = c->n_params = c->size_bytes = -1;
    c->line = no;
    return c;
}

/* "initializing, n_slots = 4, n_ctx_slot = 256, kv_unified = 'true'" */
WLD_LOG_EXTRACTOR(wld_logx_n_ctx_slot)
{
    const char *slots = strstr(l->s, "n_slots = ");
    int n, ctx;
    if (!slots || !wld_log_int(slots + 10, &n) || !wld_log_int(l->at, &ctx) || ctx <= 0)
        return;
    struct wld_log_child *c = wld_log_child_on(f, f->line_pid, false, l->no);
    if (c && c->n_ctx_slot < 0)
        c->n_ctx_slot = ctx;
    if (f->n_ctx_slot < 0) {
        f->n_slots = n;
        f->n_ctx_slot = ctx;
        f->slots_line = l->no;
    }
}

/* "starting server in router mode" (the router's line, not a child's) */
WLD_LOG_EXTRACTOR(wld_logx_router)
{
    if (!f->router_line && f->line_pid == 0)
        f->router_line = l->no;
}

/* "spawning server instance with name=tiny on port 53609" (the router's line) */
WLD_LOG_EXTRACTOR(wld_logx_spawn)
{
    const char *p = l->at;
    const char *on = strstr(p, " on port ");
    int port;
    if (!on || !wld_log_int(on + 9, &port) || f->line_pid > 0) /* the router's, not a child's */
        return;
    struct wld_log_child *c = wld_log_child_on(f, port, true, l->no);
    if (c && !c->name[0])
        wld_log_copy(c->name, sizeof(c->name), p, (size_t) (on - p));
}

static long long json_int(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e18
                   ? (long long) v->valuedouble
                   : -1;
}

/* "[PORT] cmd_child_to_router:state:{"state":"ready","payload":{..."meta":{...}}}" */
WLD_LOG_EXTRACTOR(wld_logx_child_state)
{
    struct wld_log_child *c = wld_log_child_on(f, f->line_pid, true, l->no);
    cJSON *j = c ? cJSON_ParseWithLength(l->at, l->len - (size_t) (l->at - l->s)) : NULL;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "state");
    if (cJSON_IsString(st)) {
        snprintf(c->state, sizeof(c->state), "%s", st->valuestring);
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(j, "payload"), "meta");
        if (strcmp(c->state, "ready") == 0 && meta) {
            c->n_ctx_train = json_int(meta, "n_ctx_train");
            c->n_params = json_int(meta, "n_params");
            c->size_bytes = json_int(meta, "size");
            c->ready_line = l->no;
        }
    }
    cJSON_Delete(j);
}

/* common/fit.cpp: "successfully fit params to free device memory", "failed to fit params
 * to free device memory: REASON" */
WLD_LOG_EXTRACTOR(wld_logx_fit)
{
    const char *p = l->at;
    if (strstr(l->s, "successfully fit params")) {
        snprintf(f->fit, sizeof(f->fit), "fit");
        f->fit_line = f->fit_line ? f->fit_line : l->no;
    } else if (strstr(l->s, "failed to fit params")) {
        if (p[0] == ':' && p[1] == ' ')
            snprintf(f->fit, sizeof(f->fit), "failed: %.100s", p + 2);
        else
            snprintf(f->fit, sizeof(f->fit), "failed");
        f->fit_line = l->no;
    }
}

/* common/fit.cpp: "context size reduced from 131072 to 32768 -> ..." */
WLD_LOG_EXTRACTOR(wld_logx_fit_ctx)
{
    const char *p = l->at;
    const char *t = strstr(p, " to ");
    int from, to;
    if (wld_log_int(p, &from) && t && wld_log_int(t + 4, &to) && to > 0 && to < from) {
        f->fit_ctx_from = from;
        f->fit_ctx_to = to;
        f->fit_line = l->no;
    }
}
