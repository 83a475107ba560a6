/* Status names and the helpers checks use to build findings and read facts. */
#include "wld/check.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/proc.h"
#include "wld/util.h"

static const char *const status_names[WLD_STATUS_COUNT] = { "pass", "warn", "fail", "skip",
                                                            "error" };

const char *wld_status_name(enum wld_status s)
{
    return (unsigned) s < WLD_STATUS_COUNT ? status_names[s] : "error";
}

const char *wld_status_upper(enum wld_status s)
{
    static const char *const upper[WLD_STATUS_COUNT] = { "PASS", "WARN", "FAIL", "SKIP", "ERROR" };
    return (unsigned) s < WLD_STATUS_COUNT ? upper[s] : "ERROR";
}

int wld_status_parse(const char *s, enum wld_status *ret)
{
    for (unsigned i = 0; i < WLD_STATUS_COUNT; i++)
        if (s && strcmp(s, status_names[i]) == 0) {
            *ret = (enum wld_status) i;
            return 0;
        }
    return -EINVAL;
}

bool wld_status_is_problem(enum wld_status s)
{
    return s == WLD_WARN || s == WLD_FAIL || s == WLD_ERROR;
}

bool wld_status_fails(enum wld_status s, bool fail_on_warn)
{
    return s == WLD_FAIL || s == WLD_ERROR || (s == WLD_WARN && fail_on_warn);
}

bool wld_counts_fail(const unsigned *counts, bool fail_on_warn)
{
    for (int s = 0; s < WLD_STATUS_COUNT; s++)
        if (counts[s] && wld_status_fails((enum wld_status) s, fail_on_warn))
            return true;
    return false;
}

const struct wld_check *wld_check_find(const char *id)
{
    for (size_t i = 0; i < wld_checks_count; i++)
        if (strcmp(wld_checks[i]->id, id) == 0)
            return wld_checks[i];
    return NULL;
}

void wld_finding_outcome(struct wld_finding *f, const char *outcome)
{
    snprintf(f->outcome, sizeof(f->outcome), "%s", outcome);
}

void wld_finding_var(struct wld_finding *f, const char *name, const char *value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(f->vars, name);
    cJSON_AddStringToObject(f->vars, name, value ? value : "");
}

void wld_finding_varf(struct wld_finding *f, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = wld_xvasprintf(fmt, ap);
    va_end(ap);
    wld_finding_var(f, name, s);
    free(s);
}

void wld_finding_var_num(struct wld_finding *f, const char *name, double value)
{
    cJSON_DeleteItemFromObjectCaseSensitive(f->vars, name);
    cJSON_AddNumberToObject(f->vars, name, value);
}

const cJSON *wld_param(const struct wld_eval_ctx *ctx, const char *name)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(ctx->params, name);
    return p ? cJSON_GetObjectItemCaseSensitive(p, "value") : NULL;
}

const char *wld_param_str(const struct wld_eval_ctx *ctx, const char *name)
{
    const cJSON *v = wld_param(ctx, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double wld_param_num(const struct wld_eval_ctx *ctx, const char *name, double fallback)
{
    const cJSON *v = wld_param(ctx, name);
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

long long wld_param_int(const struct wld_eval_ctx *ctx,
                        const char *name,
                        long long lo,
                        long long hi,
                        long long fallback)
{
    return wld_fact_int(cJSON_GetObjectItemCaseSensitive(ctx->params, name), "value", lo, hi,
                        fallback);
}

const char *wld_fact_str(const cJSON *obj, const char *name)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

double wld_fact_num(const cJSON *obj, const char *name, double fallback)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    return cJSON_IsNumber(v) ? v->valuedouble : fallback;
}

long long
wld_fact_int(const cJSON *obj, const char *name, long long lo, long long hi, long long fallback)
{
    double v = wld_fact_num(obj, name, NAN);
    /* compared as doubles first: converting one outside the range is undefined */
    if (!(v >= (double) lo && v <= (double) hi) || v != floor(v))
        return fallback;
    return (long long) v;
}

bool wld_fact_bool(const cJSON *obj, const char *name, bool fallback)
{
    const cJSON *v = obj ? cJSON_GetObjectItemCaseSensitive(obj, name) : NULL;
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : fallback;
}

const cJSON *wld_runtime_facts(const cJSON *check_facts, const char *kind, const char *id)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(check_facts, "runtimes"), *e;
    if (!cJSON_IsArray(all)) /* an older doctor's flat facts: its llama.cpp build */
        return (kind && strcmp(kind, "llama.cpp") == 0) || (id && strcmp(id, "llama.cpp") == 0)
                       ? check_facts
                       : NULL;
    cJSON_ArrayForEach(e, all)
    {
        const cJSON *rt = cJSON_GetObjectItemCaseSensitive(e, "for_runtime");
        const char *v = wld_fact_str(rt, kind ? "kind" : "id");
        if (v && strcmp(v, kind ? kind : id ? id : "") == 0)
            return e;
    }
    return NULL;
}

const cJSON *wld_facts_of(const struct wld_eval_ctx *ctx, const char *check_id)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(ctx->facts, check_id);
    if (!ctx->runtime_id || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(f, "runtimes")))
        return f;
    return wld_runtime_facts(f, NULL, ctx->runtime_id);
}

const char *wld_errno_name(int err)
{
    switch (err < 0 ? -err : err) {
    case 0:
        return "ok";
    case ENOENT:
        return "ENOENT";
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case ENOTDIR:
        return "ENOTDIR";
    case EISDIR:
        return "EISDIR";
    case ENODEV:
        return "ENODEV";
    case ENXIO:
        return "ENXIO";
    case EBUSY:
        return "EBUSY";
    case ELOOP:
        return "ELOOP";
    case EINVAL:
        return "EINVAL";
    case ENOEXEC:
        return "ENOEXEC";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    case ENAMETOOLONG:
        return "ENAMETOOLONG";
    case EFBIG:
        return "EFBIG";
    case ECONNREFUSED:
        return "ECONNREFUSED";
    case EHOSTUNREACH:
        return "EHOSTUNREACH";
    default:
        return "EIO";
    }
}

void wld_fact_errno(cJSON *obj, const char *name, int err)
{
    cJSON_AddStringToObject(obj, name, wld_errno_name(err));
}

const char *wld_proc_ending(const struct wld_proc_result *r)
{
    return r->spawn_errno ? "spawn_failed"
           : r->timed_out ? "timeout"
           : r->signal    ? "crashed"
           : r->exit_code ? "exit_nonzero"
                          : NULL;
}

cJSON *
wld_fact_proc(cJSON *obj, const char *name, const char *state, const struct wld_proc_result *r)
{
    cJSON *p = cJSON_AddObjectToObject(obj, name);
    cJSON_AddStringToObject(p, "state", state);
    if (r->spawn_errno)
        wld_fact_errno(p, "errno", r->spawn_errno);
    cJSON_AddNumberToObject(p, "exit_code", r->exit_code);
    if (r->signal)
        cJSON_AddNumberToObject(p, "signal", r->signal);
    cJSON_AddNumberToObject(p, "ms", round(r->duration_ms));
    return p;
}

void wld_fact_unroot(const struct wld_host *h, cJSON *item)
{
    cJSON *c;
    if (cJSON_IsString(item))
        wld_host_unroot(h, item->valuestring);
    cJSON_ArrayForEach(c, item) wld_fact_unroot(h, c);
}

#define HELPER_STDERR_EXCERPT 600

cJSON *wld_fact_helper(const struct wld_host *h,
                       cJSON *obj,
                       const char *name,
                       const struct wld_proc_result *r,
                       bool done)
{
    const char *state = r->spawn_errno ? "spawn_failed"
                        : r->timed_out ? "timeout"
                        : done         ? "ok"
                        : r->signal    ? "crashed"
                                       : "failed";
    cJSON *p = wld_fact_proc(obj, name, state, r);
    if (r->err.len) {
        size_t n = r->err.len < HELPER_STDERR_EXCERPT ? r->err.len : HELPER_STDERR_EXCERPT;
        char *s = wld_str_printable(r->err.data, n);
        wld_host_unroot(h, s);
        cJSON_AddStringToObject(p, "stderr", s);
        free(s);
    }
    return p;
}

static size_t rank_in(const char *const *order, const char *outcome)
{
    size_t i = 0;
    for (; order[i]; i++)
        if (strcmp(order[i], outcome) == 0)
            return i;
    return i;
}

void wld_finding_keep_worst(const char **worst,
                            cJSON **worst_vars,
                            const char *v,
                            cJSON *vars,
                            const char *const *order)
{
    if (!*worst || rank_in(order, v) < rank_in(order, *worst)) {
        *worst = v;
        cJSON_Delete(*worst_vars);
        *worst_vars = vars;
    } else {
        cJSON_Delete(vars);
    }
}
