/* wsl.wslconfig: %UserProfile%\.wslconfig, parsed and linted the way WSL reads it, and the
 * configured VM size compared with what the VM really has.
 *
 * Guards against settings that silently do nothing: a typo'd section ([wls2]), a key in
 * the wrong section or file, a size WSL rejects ("8gb"), a UTF-16 file without a BOM, or a
 * correct file that is not in effect because the VM was never restarted. For LLM work
 * the memory and processor limits decide whether a model loads at all. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/cli.h"
#include "wld/parse.h"
#include "wld/platform.h"
#include "wld/rules.h"

#define MAX_CANDIDATES 8

/* "C:\Users\alice" -> "/mnt/c/Users/alice"; NULL when not a drive path. */
static char *windows_to_wsl(const char *win)
{
    if (!isalpha((unsigned char) win[0]) || win[1] != ':')
        return NULL;
    char *out = wld_xasprintf("/mnt/%c%s", tolower((unsigned char) win[0]), win + 2);
    for (char *p = out; *p; p++)
        if (*p == '\\')
            *p = '/';
    return out;
}

static void add_candidate(cJSON *list, const char *path)
{
    if (cJSON_GetArraySize(list) < MAX_CANDIDATES)
        cJSON_AddItemToArray(list, cJSON_CreateString(path));
}

static void find_candidates(const struct wld_gather_ctx *ctx, cJSON *facts, cJSON *list)
{
    const struct wld_host *h = ctx->host;
    const char *profile = wld_host_getenv(h, "USERPROFILE");
    if (ctx->opts && ctx->opts->wslconfig) {
        char *p = windows_to_wsl(ctx->opts->wslconfig);
        add_candidate(list, p ? p : ctx->opts->wslconfig);
        free(p);
        cJSON_AddStringToObject(facts, "found_by", "--wslconfig");
        return;
    }
    if (profile && profile[0]) {
        char *dir = windows_to_wsl(profile);
        if (dir) {
            char *p = wld_xasprintf("%s/.wslconfig", dir);
            if (wld_host_exists(h, p))
                add_candidate(list, p);
            free(p);
            free(dir);
            cJSON_AddStringToObject(facts, "found_by", "USERPROFILE");
            return;
        }
    }
    static const char *const not_users[] = {
        "Public", "Default", "Default User", "All Users", "WDAGUtilityAccount", "desktop.ini"
    };
    char **users = NULL;
    cJSON_AddStringToObject(facts, "found_by", "/mnt/c/Users");
    if (wld_host_list(h, "/mnt/c/Users", 256, &users) < 0)
        return;
    for (char **u = users; *u; u++) {
        bool skip = false;
        for (size_t i = 0; i < WLD_ARRAY_SIZE(not_users); i++)
            skip |= strcmp(*u, not_users[i]) == 0;
        char *p = wld_xasprintf("/mnt/c/Users/%s/.wslconfig", *u);
        if (!skip && wld_host_exists(h, p))
            add_candidate(list, p);
        free(p);
    }
    wld_strv_free(users);
}

static void gather_effective(const struct wld_host *h, cJSON *facts)
{
    struct wld_buf b;
    cJSON *eff = cJSON_AddObjectToObject(facts, "effective");
    int r = wld_host_read(h, "/proc/meminfo", WLD_CAP_SMALL, &b);
    if (r == 0) {
        const char *keys[] = { "MemTotal", "SwapTotal" };
        const char *names[] = { "mem_total_kib", "swap_total_kib" };
        for (size_t i = 0; i < 2; i++) {
            double kib;
            int k = wld_meminfo_kib(b.data, keys[i], &kib);
            if (k == 0)
                cJSON_AddNumberToObject(eff, names[i], kib);
            else if (!cJSON_GetObjectItemCaseSensitive(eff, "meminfo"))
                cJSON_AddStringToObject(eff, "meminfo",
                                        k == -ERANGE ? "holds an impossible figure"
                                                     : "lacks a figure");
        }
        wld_buf_release(&b);
    } else {
        char *why = wld_xasprintf("cannot be read (%s)", wld_errno_name(-r));
        cJSON_AddStringToObject(eff, "meminfo", why);
        free(why);
    }
    if (wld_host_read(h, "/sys/devices/system/cpu/online", 4096, &b) == 0) {
        /* "0-15" or "0,2-5" */
        unsigned count = 0;
        char *save = NULL;
        for (char *t = strtok_r(b.data, ",\n", &save); t; t = strtok_r(NULL, ",\n", &save)) {
            char *dash = strchr(t, '-');
            unsigned long a = strtoul(t, NULL, 10), z = dash ? strtoul(dash + 1, NULL, 10) : a;
            if (z >= a && z - a < 65536)
                count += (unsigned) (z - a + 1);
        }
        if (count)
            cJSON_AddNumberToObject(eff, "cpus", count);
        wld_buf_release(&b);
    }
    if (!cJSON_GetObjectItemCaseSensitive(eff, "cpus"))
        cJSON_AddStringToObject(eff, "cpu_online", "cannot be read or holds no CPU");
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    cJSON *cands = cJSON_AddArrayToObject(facts, "candidates");
    find_candidates(ctx, facts, cands);
    gather_effective(ctx->host, facts);
    if (cJSON_GetArraySize(cands) != 1)
        return 0;
    const char *path = cJSON_GetArrayItem(cands, 0)->valuestring;
    struct wld_buf b;
    struct wld_ini *ini = NULL;
    cJSON_AddStringToObject(facts, "path", path);
    int r = wld_host_read(ctx->host, path, WLD_CAP_FILE, &b);
    if (r < 0) {
        wld_fact_errno(facts, "read_error", r);
        return 0;
    }
    wld_ini_parse(b.data, b.len, &ini);
    if (b.truncated || ini->cut_line) {
        /* what was not read or not kept is never judged as if it were not there */
        cJSON *cut = cJSON_AddObjectToObject(facts, "cut");
        if (b.truncated) {
            unsigned lines = 1;
            for (size_t i = 0; i < b.len; i++)
                lines += b.data[i] == '\n';
            cJSON_AddNumberToObject(cut, "cap_bytes", WLD_CAP_FILE);
            cJSON_AddNumberToObject(cut, "line", lines);
        }
        if (ini->cut_line)
            cJSON_AddNumberToObject(cut, "parse_line", ini->cut_line);
    }
    wld_buf_release(&b);
    cJSON_AddStringToObject(facts, "encoding", ini->encoding);
    cJSON_AddBoolToObject(facts, "wsl_readable", ini->wsl_readable);
    cJSON *entries = cJSON_AddArrayToObject(facts, "entries");
    for (size_t i = 0; i < ini->n_entries; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "line", ini->entries[i].line);
        cJSON_AddStringToObject(e, "section", ini->entries[i].section);
        cJSON_AddStringToObject(e, "key", ini->entries[i].key);
        char *v = wld_str_printable(ini->entries[i].value, strlen(ini->entries[i].value));
        cJSON_AddStringToObject(e, "value", v);
        free(v);
        cJSON_AddItemToArray(entries, e);
    }
    cJSON *diags = cJSON_AddArrayToObject(facts, "skipped_lines");
    for (size_t i = 0; i < ini->n_diags; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "line", ini->diags[i].line);
        cJSON_AddStringToObject(d, "code", ini->diags[i].code);
        cJSON_AddStringToObject(d, "text", ini->diags[i].text);
        cJSON_AddItemToArray(diags, d);
    }
    wld_ini_free(ini);
    return 0;
}

/* ---- linting (pure) ---- */

struct lint {
    const struct wld_eval_ctx *ctx;
    const cJSON *messages;
    struct wld_buf list;
    unsigned count;
    struct wld_buf unknown; /* configured settings whose effect could not be read, and why */
};

/* A setting whose effect is unknown: never reported as in effect. */
static void unknown_effect(struct lint *l, const char *setting, const char *source, const char *why)
{
    wld_buf_printf(&l->unknown, "%s%s (%s %s)", l->unknown.len ? ", " : "", setting, source, why);
}

/* Problems listed in the summary; the rest are counted ("and N more"), never dropped. */
#define SHOWN_PROBLEMS 50

static void problem(struct lint *l, const char *msg_key, cJSON *vars)
{
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(l->messages, msg_key);
    char *s = wld_template_render(cJSON_IsString(tmpl) ? tmpl->valuestring : msg_key, vars);
    if (l->count < SHOWN_PROBLEMS)
        wld_buf_printf(&l->list, "%s- %s", l->count ? "\n" : "", s);
    l->count++;
    free(s);
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

/* WSL's size syntax: decimal digits and an optional exact-case binary suffix. */
static bool parse_size(const char *v, double *bytes)
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
        return wld_str_eq_nocase(v, "true") || wld_str_eq_nocase(v, "false") ||
               strcmp(v, "1") == 0 || strcmp(v, "0") == 0;
    if (strcmp(type, "int") == 0) {
        char *end = NULL;
        strtol(v, &end, 0);
        return v[0] && end && *end == '\0';
    }
    if (strcmp(type, "size") == 0)
        return parse_size(v, bytes);
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
static void unknown_key(struct lint *l, const cJSON *schema, const cJSON *e)
{
    const char *sec = wld_fact_str(e, "section"), *key = wld_fact_str(e, "key");
    char full[300];
    snprintf(full, sizeof(full), "%s.%s", sec, key);
    const cJSON *removed = find_nocase(wld_param(l->ctx, "removed_keys"), full);
    const cJSON *conf = wld_param(l->ctx, "wsl_conf_sections"), *c, *s;
    cJSON *v = line_vars(e);
    if (cJSON_IsString(removed)) {
        cJSON_AddStringToObject(v, "why", removed->valuestring);
        problem(l, "removed_key", v);
        return;
    }
    cJSON_ArrayForEach(c, conf)
    {
        if (wld_str_eq_nocase(c->valuestring, sec)) {
            problem(l, "wsl_conf_key", v);
            return;
        }
    }
    cJSON_ArrayForEach(s, schema)
    {
        if (!wld_str_eq_nocase(s->string, sec) && find_nocase(s, key)) {
            cJSON_AddStringToObject(v, "belongs", s->string);
            problem(l, "wrong_section", v);
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
        problem(l, "unknown_key_hint", v);
    } else {
        problem(l, sec[0] ? "unknown_key" : "no_section", v);
    }
}

struct configured {
    double memory, swap, processors; /* -1 when not set validly */
    const char *networking;
    const char *localhost;
};

static void lint_entries(struct lint *l, struct configured *cfg)
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
        problem(l, key, v);
    }
    cJSON_ArrayForEach(e, entries)
    {
        const char *sec = wld_fact_str(e, "section"), *key = wld_fact_str(e, "key");
        const char *val = wld_fact_str(e, "value");
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
            problem(l, "duplicate", v);
            continue;
        }
        cJSON_AddNumberToObject(seen, full, wld_fact_num(e, "line", 0));
        const char *type = wld_fact_str(spec, "type");
        double bytes = -1;
        if (type && !value_ok(type, spec, val, &bytes)) {
            cJSON *v = line_vars(e);
            char mk[32];
            snprintf(mk, sizeof(mk), "bad_%s", type);
            problem(l, mk, v);
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

static void
not_in_effect(struct lint *l, const char *setting, const char *configured, const char *effective)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "setting", setting);
    cJSON_AddStringToObject(v, "configured", configured);
    cJSON_AddStringToObject(v, "effective", effective);
    problem(l, "not_in_effect", v);
}

static bool outside(double have, double want, double low, double high)
{
    return have < want * low || have > want * high;
}

/* A file past the read cap, or past the parser's, is a problem of its own. */
static void lint_cut(struct lint *l)
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
        problem(l, "cut_read", v);
    } else {
        cJSON_AddNumberToObject(v, "line", wld_fact_num(cut, "parse_line", 0));
        problem(l, "cut_parse", v);
    }
}

/* Configured vs what the VM has; returns the number of settings not in effect. */
static unsigned compare_effective(struct lint *l, const struct configured *cfg)
{
    const cJSON *eff = cJSON_GetObjectItemCaseSensitive(l->ctx->mine, "effective");
    const cJSON *tol = wld_param(l->ctx, "memory_tolerance");
    double low = wld_fact_num(tol, "low", 0.85), high = wld_fact_num(tol, "high", 1.02);
    double mem = wld_fact_num(eff, "mem_total_kib", -1) * 1024.0;
    double swap = wld_fact_num(eff, "swap_total_kib", -1) * 1024.0;
    double cpus = wld_fact_num(eff, "cpus", -1);
    const double gib = 1073741824.0;
    char c[32], e[32];
    unsigned n = 0;
    const char *meminfo = wld_fact_str(eff, "meminfo");
    if (cfg->memory > 0 && mem <= 0)
        unknown_effect(l, "memory", "/proc/meminfo", meminfo ? meminfo : "lacks MemTotal");
    if (cfg->swap >= 0 && swap < 0)
        unknown_effect(l, "swap", "/proc/meminfo", meminfo ? meminfo : "lacks SwapTotal");
    if (cfg->processors > 0 && cpus <= 0)
        unknown_effect(l, "processors", "/sys/devices/system/cpu/online",
                       wld_fact_str(eff, "cpu_online"));
    if (cfg->memory > 0 && mem > 0 && outside(mem, cfg->memory, low, high)) {
        snprintf(c, sizeof(c), "%.1f GiB", cfg->memory / gib);
        snprintf(e, sizeof(e), "%.1f GiB", mem / gib);
        not_in_effect(l, "memory", c, e);
        n++;
    }
    if (cfg->processors > 0 && cpus > 0 && cfg->processors != cpus) {
        snprintf(c, sizeof(c), "%.0f", cfg->processors);
        snprintf(e, sizeof(e), "%.0f", cpus);
        not_in_effect(l, "processors", c, e);
        n++;
    }
    if (cfg->swap >= 0 && swap >= 0 &&
        ((cfg->swap == 0) != (swap == 0) ||
         (cfg->swap > 0 && outside(swap, cfg->swap, low, high)))) {
        snprintf(c, sizeof(c), "%.1f GiB", cfg->swap / gib);
        snprintf(e, sizeof(e), "%.1f GiB", swap / gib);
        not_in_effect(l, "swap", c, e);
        n++;
    }
    return n;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    char decided[256];
    const cJSON *m = ctx->mine;
    enum wld_platform p =
            wld_platform_of(wld_facts_of(ctx, "wsl.platform"), decided, sizeof(decided));
    const cJSON *cands = cJSON_GetObjectItemCaseSensitive(m, "candidates"), *c;
    const char *path = wld_fact_str(m, "path");

    wld_finding_var(f, "path", path ? path : "");
    wld_finding_var(f, "found_by", wld_fact_str(m, "found_by"));
    if (p != WLD_PLATFORM_WSL2) {
        wld_finding_var(f, "platform", wld_platform_name(p));
        wld_finding_outcome(f, "not_wsl2");
        return;
    }
    if (cJSON_GetArraySize(cands) == 0) {
        wld_finding_outcome(f, "absent");
        return;
    }
    if (cJSON_GetArraySize(cands) > 1) {
        struct wld_buf b;
        wld_buf_init(&b, 4096);
        cJSON_ArrayForEach(c, cands)
        {
            wld_buf_printf(&b, "%s%s", b.len ? ", " : "", c->valuestring);
        }
        wld_finding_var(f, "candidates", b.data);
        wld_buf_release(&b);
        wld_finding_outcome(f, "ambiguous");
        return;
    }
    if (wld_fact_str(m, "read_error")) {
        wld_finding_var(f, "error", wld_fact_str(m, "read_error"));
        wld_finding_outcome(f, "unreadable");
        return;
    }
    wld_finding_var(f, "encoding", wld_fact_str(m, "encoding"));
    if (!wld_fact_bool(m, "wsl_readable", true)) {
        wld_finding_outcome(f, "encoding");
        return;
    }
    struct lint l = { .ctx = ctx, .messages = wld_param(ctx, "messages") };
    struct configured cfg = { .memory = -1, .swap = -1, .processors = -1 };
    wld_buf_init(&l.list, SIZE_MAX / 2); /* bounded by SHOWN_PROBLEMS */
    wld_buf_init(&l.unknown, 4096);
    lint_entries(&l, &cfg);
    lint_cut(&l);
    if (cfg.localhost && wld_str_eq_nocase(cfg.localhost, "false") &&
        !(cfg.networking && wld_str_eq_nocase(cfg.networking, "mirrored")))
        problem(&l, "localhost_off", cJSON_CreateObject());
    unsigned lint_count = l.count;
    unsigned stale = compare_effective(&l, &cfg);
    if (l.count > SHOWN_PROBLEMS)
        wld_buf_printf(&l.list, "\n- and %u more", l.count - SHOWN_PROBLEMS);
    wld_finding_var(f, "problems", l.list.data);
    wld_finding_var_num(f, "count", l.count);
    wld_finding_var_num(f, "settings",
                        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "entries")));
    wld_finding_var(f, "unknown", l.unknown.data);
    wld_buf_release(&l.list);
    bool unknown = l.unknown.len > 0;
    wld_buf_release(&l.unknown);
    if (lint_count > 0)
        wld_finding_outcome(f, "lint");
    else if (stale > 0)
        wld_finding_outcome(f, "not_in_effect");
    else if (unknown) /* valid, but "in effect" would be a guess */
        wld_finding_outcome(f, "effect_unknown");
    else
        wld_finding_outcome(f, strcmp(wld_fact_str(m, "encoding"), "utf-16le-bom") == 0 ? "ok_utf16"
                                                                                        : "ok");
}

static const char *const outcomes[] = { "ok",         "ok_utf16",       "absent", "ambiguous",
                                        "unreadable", "encoding",       "lint",   "not_in_effect",
                                        "not_wsl2",   "effect_unknown", NULL };
static const char *const params[] = { "schema",           "removed_keys", "wsl_conf_sections",
                                      "memory_tolerance", "messages",     NULL };
static const char *const needs[] = { "wsl.platform", NULL };

static const char *const fact_keys[] = { "candidates", "effective", NULL };

const struct wld_check wld_check_wsl_wslconfig = {
    .id = "wsl.wslconfig",
    .title = ".wslconfig settings",
    .looks_at = "%UserProfile%\\.wslconfig (USERPROFILE, else /mnt/c/Users/*; --wslconfig), "
                "/proc/meminfo, /sys/devices/system/cpu/online",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
