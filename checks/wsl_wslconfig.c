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
#include "wld/inventory.h"
#include "wld/option.h"
#include "wld/parse.h"
#include "wld/platform.h"
#include "wld/rules.h"
#include "wld/settings.h"
#include "wld/wslconfig_lint.h"
#include "wld/wslfile.h"

#define MAX_CANDIDATES 8

static void add_candidate(cJSON *list, const char *path)
{
    if (cJSON_GetArraySize(list) < MAX_CANDIDATES)
        cJSON_AddItemToArray(list, cJSON_CreateString(path));
}

static void
find_candidates(const struct wld_gather_ctx *ctx, const char *root, cJSON *facts, cJSON *list)
{
    const struct wld_host *h = ctx->host;
    const char *profile = wld_host_getenv(h, "USERPROFILE");
    if (ctx->opts && ctx->opts->wslconfig) {
        char *p = wld_wsl_windows_path(root, ctx->opts->wslconfig);
        add_candidate(list, p ? p : ctx->opts->wslconfig);
        free(p);
        cJSON_AddStringToObject(facts, "found_by", "--wslconfig");
        return;
    }
    if (profile && profile[0]) {
        char *dir = wld_wsl_windows_path(root, profile);
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
    char *dir = wld_xasprintf("%sc/Users", root);
    cJSON_AddStringToObject(facts, "found_by", dir);
    int r = wld_host_list(h, dir, 256, &users);
    if (r < 0) {
        free(dir);
        return;
    }
    for (char **u = users; *u; u++) {
        bool skip = false;
        for (size_t i = 0; i < WLD_ARRAY_SIZE(not_users); i++)
            skip |= strcmp(*u, not_users[i]) == 0;
        char *p = wld_xasprintf("%s/%s/.wslconfig", dir, *u);
        if (!skip && wld_host_exists(h, p))
            add_candidate(list, p);
        free(p);
    }
    wld_strv_free(users);
    free(dir);
}

static void gather_effective(const struct wld_host *h, struct wld_inventory *inv, cJSON *facts)
{
    struct wld_buf b;
    cJSON *eff = cJSON_AddObjectToObject(facts, "effective");
    const cJSON *mi = wld_inventory_get(inv, WLD_INV_MEMINFO);
    const char *read_error = wld_fact_str(mi, "read_error");
    if (!read_error) {
        const char *keys[] = { "MemTotal", "SwapTotal" };
        const char *names[] = { "mem_total_kib", "swap_total_kib" };
        const cJSON *impossible = cJSON_GetObjectItemCaseSensitive(mi, "impossible"), *k;
        for (size_t i = 0; i < 2; i++) {
            const cJSON *kib = cJSON_GetObjectItemCaseSensitive(mi, keys[i]);
            bool out_of_range = false;
            cJSON_ArrayForEach(k, impossible) out_of_range |=
                    cJSON_IsString(k) && strcmp(k->valuestring, keys[i]) == 0;
            if (cJSON_IsNumber(kib))
                cJSON_AddNumberToObject(eff, names[i], kib->valuedouble);
            else if (!cJSON_GetObjectItemCaseSensitive(eff, "meminfo"))
                cJSON_AddStringToObject(eff, "meminfo",
                                        out_of_range ? "holds an impossible figure"
                                                     : "lacks a figure");
        }
    } else {
        char *why = wld_xasprintf("cannot be read (%s)", read_error);
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
    /* the Windows drives where /etc/wsl.conf's [automount] root puts them */
    char *root = wld_wsl_drive_root(wld_inventory_get(ctx->inv, WLD_INV_WSL_CONF));
    cJSON_AddStringToObject(facts, "drive_root", root);
    find_candidates(ctx, root, facts, cands);
    free(root);
    gather_effective(ctx->host, ctx->inv, facts);
    if (cJSON_GetArraySize(cands) != 1)
        return 0;
    const char *path = cJSON_GetArrayItem(cands, 0)->valuestring;
    cJSON_AddStringToObject(facts, "path", path);
    wld_wsl_file_read(ctx->host, path, facts);
    return 0;
}

static void not_in_effect(struct wld_lint *l,
                          const char *setting,
                          const char *configured,
                          const char *effective)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "setting", setting);
    cJSON_AddStringToObject(v, "configured", configured);
    cJSON_AddStringToObject(v, "effective", effective);
    wld_lint_problem(l, "not_in_effect", v);
}

static bool outside(double have, double want, double low, double high)
{
    return have < want * low || have > want * high;
}

/* A file past the read cap, or past the parser's, is a problem of its own. */

/* Configured vs what the VM has; returns the number of settings not in effect. */
static unsigned compare_effective(struct wld_lint *l, const struct wld_wslconfig_set *cfg)
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
        wld_lint_unknown_effect(l, "memory", "/proc/meminfo", meminfo ? meminfo : "lacks MemTotal");
    if (cfg->swap >= 0 && swap < 0)
        wld_lint_unknown_effect(l, "swap", "/proc/meminfo", meminfo ? meminfo : "lacks SwapTotal");
    if (cfg->processors > 0 && cpus <= 0)
        wld_lint_unknown_effect(l, "processors", "/sys/devices/system/cpu/online",
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
    const cJSON *m = ctx->mine;
    enum wld_platform p = ctx->platform;
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
    struct wld_lint l;
    struct wld_wslconfig_set cfg = { .memory = -1, .swap = -1, .processors = -1 };
    wld_lint_begin(&l, ctx);
    wld_wslconfig_lint_entries(&l, &cfg);
    wld_wslconfig_lint_cut(&l);
    wld_wslconfig_lint_localhost(&l, &cfg);
    unsigned lint_count = l.count;
    unsigned stale = compare_effective(&l, &cfg);
    wld_finding_var_num(f, "settings",
                        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "entries")));
    bool unknown = wld_lint_end(&l, f);
    if (lint_count > 0)
        wld_finding_outcome(f, "lint");
    else if (stale > 0)
        wld_finding_outcome(f, "not_in_effect");
    else if (unknown) /* valid, but "in effect" would be a guess */
        wld_finding_outcome(f, "effect_unknown");
    else
        wld_finding_outcome(f, wld_str_is(wld_fact_str(m, "encoding"), "utf-16le-bom") ? "ok_utf16"
                                                                                       : "ok");
}

static const char *const outcomes[] = { "ok",         "ok_utf16",       "absent", "ambiguous",
                                        "unreadable", "encoding",       "lint",   "not_in_effect",
                                        "not_wsl2",   "effect_unknown", NULL };
/* lint: what `wsl-llm-doctor lint` reports on a .wslconfig (src/lint/lint_files.c) */
static const char *const params[] = {
    "schema", "removed_keys", "other_file_sections", "memory_tolerance", "messages", "lint", NULL
};
static const char *const needs[] = { "wsl.platform", NULL };

static const char *const fact_keys[] = { "candidates", "effective", NULL };

/* the command line's options that only this check reads */
static const struct wld_cli_option options[] = {
    { "wslconfig", 0, "PATH", WLD_VAL_FILE, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_PATH,
      "the .wslconfig to check", WLD_OPT_STR(wslconfig) },
};

const struct wld_check wld_check_wsl_wslconfig = {
    .id = "wsl.wslconfig",
    .title = ".wslconfig settings",
    .looks_at =
            "%UserProfile%\\.wslconfig (USERPROFILE, else /mnt/c/Users/*, under /etc/wsl.conf's "
            "[automount] root when it moves the drives; --wslconfig), "
            "/proc/meminfo, /sys/devices/system/cpu/online",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
    .options = options,
    .n_options = WLD_ARRAY_SIZE(options),
};
