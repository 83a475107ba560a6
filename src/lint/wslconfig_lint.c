/* Linting a .wslconfig's entries (see wld/wslconfig_lint.h). */
#include "wld/wslconfig_lint.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/rules.h"
#include "wld/wslfile.h"

void wld_lint_begin(struct wld_lint *l, const struct wld_eval_ctx *ctx)
{
    *l = (struct wld_lint){ .ctx = ctx, .messages = wld_param(ctx, "messages") };
    wld_buf_init(&l->list, SIZE_MAX / 2); /* bounded by SHOWN_PROBLEMS */
    wld_buf_init(&l->unknown, 4096);
}

bool wld_lint_end(struct wld_lint *l, struct wld_finding *f)
{
    if (l->count > SHOWN_PROBLEMS)
        wld_buf_printf(&l->list, "\n- and %u more", l->count - SHOWN_PROBLEMS);
    wld_finding_var(f, "problems", l->list.data);
    wld_finding_var_num(f, "count", l->count);
    wld_finding_var(f, "unknown", l->unknown.data);
    bool unknown = l->unknown.len > 0;
    wld_buf_release(&l->list);
    wld_buf_release(&l->unknown);
    return unknown;
}

/* A setting whose effect is unknown: never reported as in effect. */
void wld_lint_unknown_effect(struct wld_lint *l,
                             const char *setting,
                             const char *source,
                             const char *why)
{
    wld_buf_printf(&l->unknown, "%s%s (%s %s)", l->unknown.len ? ", " : "", setting, source, why);
}

void wld_lint_problem(struct wld_lint *l, const char *msg_key, cJSON *vars)
{
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(l->messages, msg_key);
    char *s = wld_template_render(cJSON_IsString(tmpl) ? tmpl->valuestring : msg_key, vars);
    if (l->count < SHOWN_PROBLEMS)
        wld_buf_printf(&l->list, "%s- %s", l->count ? "\n" : "", s);
    l->count++;
    free(s);
    if (l->items) {
        cJSON *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "key", msg_key);
        cJSON_AddItemToObject(it, "vars", vars);
        cJSON_AddItemToArray(l->items, it);
        return;
    }
    cJSON_Delete(vars);
}

static cJSON *line_vars(const cJSON *e)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, "line", wld_fact_num(e, "line", 0));
    cJSON_AddStringToObject(v, "section", wld_fact_str(e, "section"));
    cJSON_AddStringToObject(v, "key", wld_fact_str(e, "key"));
    char value[200]; /* a value is shown, not quoted whole: a long one ends in "..." */
    wld_str_copy(value, sizeof(value), wld_fact_str(e, "value") ? wld_fact_str(e, "value") : "");
    cJSON_AddStringToObject(v, "value", value);
    return v;
}

static const cJSON *find_nocase(const cJSON *obj, const char *name)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        if (wld_str_eq_nocase(it->string, name))
            return it;
    }
    return NULL;
}

bool wld_wsl_size_parse(const char *v, double *bytes)
{
    static const struct {
        const char *suffix;
        double mult;
    } units[] = { { "", 1 },
                  { "B", 1 },
                  { "K", 1024.0 },
                  { "KB", 1024.0 },
                  { "M", 1048576.0 },
                  { "MB", 1048576.0 },
                  { "G", 1073741824.0 },
                  { "GB", 1073741824.0 },
                  { "T", 1099511627776.0 },
                  { "TB", 1099511627776.0 } };
    const char *p = v;
    double n = 0;
    if (!isdigit((unsigned char) *p))
        return false;
    while (isdigit((unsigned char) *p))
        n = n * 10 + (*p++ - '0');
    for (size_t i = 0; i < WLD_ARRAY_SIZE(units); i++)
        if (strcmp(p, units[i].suffix) == 0) {
            *bytes = n * units[i].mult;
            return true;
        }
    return false;
}

static bool value_ok(const char *type, const cJSON *spec, const char *v, double *bytes)
{
    if (strcmp(type, "bool") == 0)
        return wld_wsl_bool(v) >= 0;
    if (strcmp(type, "int") == 0) {
        char *end = NULL;
        strtol(v, &end, 0);
        return v[0] && end && *end == '\0';
    }
    if (strcmp(type, "size") == 0)
        return wld_wsl_size_parse(v, bytes);
    if (strcmp(type, "enum") == 0) {
        const cJSON *allowed = cJSON_GetObjectItemCaseSensitive(spec, "values"), *a;
        cJSON_ArrayForEach(a, allowed)
        {
            if (wld_str_eq_nocase(a->valuestring, v))
                return true;
        }
        return false;
    }
    return true; /* string, path */
}

/* Finds where an unknown key belongs, or the closest spelling, for the message. */
static void unknown_key(struct wld_lint *l, const cJSON *schema, const cJSON *e)
{
    const char *sec = wld_fact_str(e, "section"), *key = wld_fact_str(e, "key");
    char full[300];
    snprintf(full, sizeof(full), "%s.%s", sec, key);
    const cJSON *removed = find_nocase(wld_param(l->ctx, "removed_keys"), full);
    const cJSON *conf = wld_param(l->ctx, "other_file_sections"), *c, *s;
    cJSON *v = line_vars(e);
    if (cJSON_IsString(removed)) {
        cJSON_AddStringToObject(v, "why", removed->valuestring);
        wld_lint_problem(l, "removed_key", v);
        return;
    }
    cJSON_ArrayForEach(c, conf)
    {
        if (wld_str_eq_nocase(c->valuestring, sec)) {
            wld_lint_problem(l, "other_file_key", v);
            return;
        }
    }
    cJSON_ArrayForEach(s, schema)
    {
        if (!wld_str_eq_nocase(s->string, sec) && find_nocase(s, key)) {
            cJSON_AddStringToObject(v, "belongs", s->string);
            wld_lint_problem(l, "wrong_section", v);
            return;
        }
    }
    const char *best = NULL, *best_sec = NULL;
    unsigned best_d = 3;
    cJSON_ArrayForEach(s, schema)
    {
        const cJSON *k;
        unsigned sd = wld_str_distance(s->string, sec);
        cJSON_ArrayForEach(k, s)
        {
            unsigned d = sd + wld_str_distance(k->string, key);
            if (d < best_d) {
                best_d = d;
                best = k->string;
                best_sec = s->string;
            }
        }
    }
    if (best) {
        cJSON_AddStringToObject(v, "suggestion", best);
        cJSON_AddStringToObject(v, "suggestion_section", best_sec);
        wld_lint_problem(l, "unknown_key_hint", v);
    } else {
        wld_lint_problem(l, sec[0] ? "unknown_key" : "no_section", v);
    }
}

void wld_wslconfig_lint_entries(struct wld_lint *l, struct wld_wslconfig_set *cfg)
{
    const cJSON *schema = wld_param(l->ctx, "schema");
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(l->ctx->mine, "entries"), *e, *d;
    cJSON *seen = cJSON_CreateObject();
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(l->ctx->mine, "skipped_lines"))
    {
        cJSON *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(v, "line", wld_fact_num(d, "line", 0));
        cJSON_AddStringToObject(v, "text", wld_fact_str(d, "text"));
        const char *code = wld_fact_str(d, "code");
        char key[64];
        snprintf(key, sizeof(key), "syntax_%s", code ? code : "invalid_key");
        wld_lint_problem(l, key, v);
    }
    cJSON_ArrayForEach(e, entries)
    {
        const char *sec = wld_fact_str(e, "section"), *key = wld_fact_str(e, "key");
        const char *val = wld_fact_str(e, "value");
        if (!sec || !key || !val)
            continue; /* not an entry the reader writes (a hand-edited saved report) */
        const cJSON *spec = find_nocase(find_nocase(schema, sec), key);
        if (!sec[0] || !spec) {
            unknown_key(l, schema, e);
            continue;
        }
        char full[300];
        snprintf(full, sizeof(full), "%s.%s", spec->string, sec);
        const cJSON *prev = find_nocase(seen, full);
        if (prev) {
            cJSON *v = line_vars(e);
            cJSON_AddNumberToObject(v, "first", prev->valuedouble);
            wld_lint_problem(l, "duplicate", v);
            continue;
        }
        cJSON_AddNumberToObject(seen, full, wld_fact_num(e, "line", 0));
        const char *type = wld_fact_str(spec, "type");
        double bytes = -1;
        if (type && !value_ok(type, spec, val, &bytes)) {
            cJSON *v = line_vars(e);
            char mk[32];
            snprintf(mk, sizeof(mk), "bad_%s", type);
            wld_lint_problem(l, mk, v);
            continue;
        }
        const char *esc = wld_fact_str(e, "control_escape");
        if (esc && wld_str_is(type, "path")) { /* C:\temp: WSL read a tab, not "\t" */
            cJSON *v = line_vars(e);
            cJSON_AddStringToObject(v, "escape", esc);
            cJSON_AddStringToObject(v, "escaped",
                                    esc[1] == 't'   ? "tab"
                                    : esc[1] == 'n' ? "line break"
                                                    : "backspace");
            wld_lint_problem(l, "path_escape", v);
            continue;
        }
        if (wld_str_eq_nocase(key, "memory"))
            cfg->memory = bytes;
        else if (wld_str_eq_nocase(key, "swap"))
            cfg->swap = bytes;
        else if (wld_str_eq_nocase(key, "processors"))
            cfg->processors = strtod(val, NULL);
        else if (wld_str_eq_nocase(key, "networkingMode"))
            cfg->networking = val;
        else if (wld_str_eq_nocase(key, "localhostForwarding"))
            cfg->localhost = val;
    }
    cJSON_Delete(seen);
}

void wld_wslconfig_lint_cut(struct wld_lint *l)
{
    const cJSON *cut = cJSON_GetObjectItemCaseSensitive(l->ctx->mine, "cut");
    if (!cut)
        return;
    cJSON *v = cJSON_CreateObject();
    if (cJSON_GetObjectItemCaseSensitive(cut, "cap_bytes")) {
        char cap[32];
        snprintf(cap, sizeof(cap), "%.0f KiB", wld_fact_num(cut, "cap_bytes", 0) / 1024);
        cJSON_AddStringToObject(v, "cap", cap);
        cJSON_AddNumberToObject(v, "line", wld_fact_num(cut, "line", 0));
        wld_lint_problem(l, "cut_read", v);
    } else {
        cJSON_AddNumberToObject(v, "line", wld_fact_num(cut, "parse_line", 0));
        wld_lint_problem(l, "cut_parse", v);
    }
}

void wld_wslconfig_lint_localhost(struct wld_lint *l, const struct wld_wslconfig_set *cfg)
{
    if (!cfg->localhost || !wld_str_eq_nocase(cfg->localhost, "false") ||
        (cfg->networking && wld_str_eq_nocase(cfg->networking, "mirrored")))
        return;
    const cJSON *e = wld_wsl_entry(l->ctx->mine, "wsl2", "localhostForwarding");
    cJSON *v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, "line", wld_fact_num(e, "line", 0));
    cJSON_AddStringToObject(v, "key", "localhostForwarding");
    wld_lint_problem(l, "localhost_off", v);
}
