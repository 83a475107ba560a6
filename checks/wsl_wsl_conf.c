/* wsl.wsl-conf: /etc/wsl.conf, the distro's own WSL settings.
 *
 * Guards against a wsl.conf that keeps the GPU away from the distro ([gpu] enabled=false:
 * no /dev/dxg, no /usr/lib/wsl/lib), settings WSL's init ignores (typos, keys of
 * .wslconfig, values it rejects), and systemd asked for but not running yet. The file is
 * read with WSL's own parsing rules (wld/wslfile.h) and linted against the rules' key
 * table, the same way as .wslconfig (wld/wslconfig_lint.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/platform.h"
#include "wld/wslconfig_lint.h"
#include "wld/wslfile.h"

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, wld_inventory_get(ctx->inv, WLD_INV_WSL_CONF))
    {
        cJSON_AddItemToObject(facts, e->string, cJSON_Duplicate(e, true));
    }
    /* the model servers' systemd units, which need systemd to run at all, and what PID 1
     * is: whether [boot] systemd=true has been applied */
    const cJSON *services = wld_inventory_get(ctx->inv, WLD_INV_SERVICES), *u;
    cJSON *units = cJSON_AddArrayToObject(facts, "server_units");
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(services, "units"))
    {
        cJSON_AddItemToArray(units, cJSON_CreateString(wld_fact_str(u, "path")));
    }
    const char *pid1 = wld_fact_str(cJSON_GetObjectItemCaseSensitive(services, "systemd"), "pid1");
    if (pid1)
        cJSON_AddStringToObject(facts, "pid1", pid1);
    return 0;
}

static void line_vars(struct wld_finding *f, const cJSON *e)
{
    wld_finding_var_num(f, "line", wld_fact_num(e, "line", 0));
    wld_finding_var(f, "value", wld_fact_str(e, "value"));
}

/* A model server installed as a systemd unit, and no systemd to start it (WSL2). */
static bool
unit_without_systemd(const cJSON *m, enum wld_platform p, bool wants, struct wld_finding *f)
{
    const cJSON *unit = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "server_units"), 0);
    const char *pid1 = wld_fact_str(m, "pid1");
    if (wants || !cJSON_IsString(unit) || !pid1 || strcmp(pid1, "systemd") == 0 ||
        p != WLD_PLATFORM_WSL2)
        return false;
    wld_finding_var(f, "unit", unit->valuestring);
    wld_finding_var(f, "pid1", pid1);
    wld_finding_outcome(f, "systemd_off_with_units");
    return true;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    enum wld_platform p = ctx->platform;
    if (p != WLD_PLATFORM_WSL1 && p != WLD_PLATFORM_WSL2) {
        wld_finding_var(f, "platform", wld_platform_name(p));
        wld_finding_outcome(f, "not_wsl");
        return;
    }
    if (!wld_fact_bool(m, "exists", false)) {
        if (unit_without_systemd(m, p, false, f))
            return;
        wld_finding_outcome(f, "absent");
        return;
    }
    if (wld_fact_str(m, "read_error")) {
        wld_finding_var(f, "error", wld_fact_str(m, "read_error"));
        wld_finding_outcome(f, "unreadable");
        return;
    }
    /* WSL's init reads the file byte by byte as UTF-8 text: UTF-16 makes every line
     * invalid, and a byte order mark spoils the first one */
    const char *enc = wld_fact_str(m, "encoding");
    if (enc && strcmp(enc, "utf-8") != 0) {
        wld_finding_var(f, "encoding", enc);
        wld_finding_outcome(f, strcmp(enc, "utf-8-bom") == 0 ? "utf8_bom" : "encoding");
        return;
    }
    const cJSON *gpu = wld_wsl_gpu_disabled(m);
    if (gpu) {
        line_vars(f, gpu);
        wld_finding_outcome(f, "gpu_disabled");
        return;
    }
    struct wld_lint l;
    struct wld_wslconfig_set cfg = { .memory = -1, .swap = -1, .processors = -1 };
    wld_lint_begin(&l, ctx);
    wld_wslconfig_lint_entries(&l, &cfg);
    wld_wslconfig_lint_cut(&l);
    bool problems = l.count > 0;
    wld_lint_end(&l, f);
    if (problems) {
        wld_finding_outcome(f, "lint");
        return;
    }
    const cJSON *systemd = wld_wsl_entry(m, "boot", "systemd");
    const char *pid1 = wld_fact_str(m, "pid1");
    bool wants = systemd && wld_wsl_bool(wld_fact_str(systemd, "value")) == 1;
    /* WSL's init honours boot.systemd on WSL2 only */
    if (wants && pid1 && strcmp(pid1, "systemd") != 0 && p == WLD_PLATFORM_WSL2) {
        line_vars(f, systemd);
        wld_finding_var(f, "pid1", pid1);
        wld_finding_outcome(f, "systemd_not_running");
        return;
    }
    if (unit_without_systemd(m, p, wants, f))
        return;
    wld_finding_var_num(f, "settings",
                        cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m, "entries")));
    wld_finding_var(f, "systemd_note", wants && pid1 ? "; systemd runs as PID 1" : "");
    wld_finding_outcome(f, "ok");
}

static const char *const outcomes[] = { "ok",
                                        "absent",
                                        "not_wsl",
                                        "unreadable",
                                        "gpu_disabled",
                                        "lint",
                                        "systemd_not_running",
                                        "systemd_off_with_units",
                                        "encoding",
                                        "utf8_bom",
                                        NULL };
/* lint: what `wsl-llm-doctor lint` reports on a wsl.conf (src/lint/lint_files.c) */
static const char *const params[] = { "schema",   "removed_keys", "other_file_sections",
                                      "messages", "lint",         NULL };
static const char *const needs[] = { "wsl.platform", NULL };
static const char *const fact_keys[] = { "exists", NULL };

const struct wld_check wld_check_wsl_wsl_conf = {
    .id = "wsl.wsl-conf",
    .title = "/etc/wsl.conf",
    .looks_at = "/etc/wsl.conf (parsed as WSL's init parses it, linted against its key "
                "table), /proc/1/comm, llama and ollama unit files of systemd (system and user)",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
