/* service.systemd: llama-server or ollama as a systemd service, read from its unit files.
 *
 * Guards against a service that cannot do its job: systemd not running, ExecStart at a
 * binary that is gone or a llama.cpp build without CUDA, CUDA_VISIBLE_DEVICES hiding the
 * GPU, a model path that does not exist, no Restart= (an OOM kill leaves it down), a unit
 * nothing starts (not enabled, no WantedBy=default.target for a user unit), a user unit
 * without lingering (it stops at logout), and values systemd reads differently than their
 * author meant ("User=me  # comment"). On WSL it also says what keeps the VM up, since a
 * service alone does not. Files only: systemctl is never run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/parse.h"
#include "wld/platform.h"
#include "wld/services.h"
#include "wld/wslfile.h"

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    const cJSON *services = wld_inventory_get(ctx->inv, WLD_INV_SERVICES), *u;
    cJSON_AddItemToObject(
            facts, "systemd",
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(services, "systemd"), true));
    cJSON *units = cJSON_AddArrayToObject(facts, "units");
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(services, "units"))
    {
        cJSON *mine = cJSON_Duplicate(u, true);
        cJSON_AddItemToArray(units, mine);
    }
    /* lingering: a user's services run without a login session */
    const char *user = wld_host_getenv(h, "USER");
    if (user && *user && !strchr(user, '/')) {
        char *linger = wld_xasprintf("/var/lib/systemd/linger/%s", user);
        cJSON_AddStringToObject(facts, "user", user);
        cJSON_AddBoolToObject(facts, "linger", wld_host_exists(h, linger));
        free(linger);
    }
    return 0;
}

/* CUDA_VISIBLE_DEVICES from the unit's Environment= lines, last one winning; NULL. */
static char *visible_devices(const cJSON *unit)
{
    const cJSON *e;
    char *found = NULL;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetObjectItemCaseSensitive(unit, "Service"), "Environment"))
    {
        char **w = wld_unit_words(cJSON_IsString(e) ? e->valuestring : "");
        for (char **a = w; *a; a++)
            if (wld_str_starts(*a, "CUDA_VISIBLE_DEVICES=")) {
                free(found);
                found = wld_xstrdup(*a + strlen("CUDA_VISIBLE_DEVICES="));
            }
        wld_strv_free(w);
    }
    return found;
}

/* The outcomes, worst first: the report shows the worst unit. */
static const char *const outcomes[] = {
    "binary_missing",
    "cpu_build",
    "gpu_hidden",
    "model_missing",
    "no_restart",
    "not_enabled",
    "no_linger",
    "unit_problems",
    "ok",
    "no_systemd",
    "no_systemd_wsl",
    "no_units",
    NULL,
};

static const char *judge(const struct wld_eval_ctx *ctx, const cJSON *u, struct wld_finding *f)
{
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(u, "unit");
    const char *name = wld_fact_str(u, "name"), *scope = wld_fact_str(u, "scope");
    const char *exec = wld_fact_str(u, "exec"), *model = wld_fact_str(u, "model");
    const char *restart = wld_unit_last(unit, "Service", "Restart");
    const cJSON *build = wld_runtime_facts(wld_facts_of(ctx, "llama.build"), "llama.cpp", NULL);
    wld_finding_var(f, "unit", name);
    wld_finding_var(f, "scope", scope);
    wld_finding_var(f, "path", wld_fact_str(u, "path"));
    wld_finding_var(f, "exec", exec ? exec : "(no ExecStart)");
    wld_finding_var(f, "restart", restart ? restart : "no");
    wld_finding_var(f, "systemctl", wld_unit_systemctl(wld_str_is(scope, "user")));
    /* the files that make the unit: its own and its drop-ins */
    struct wld_buf files;
    wld_buf_init(&files, 4096);
    wld_buf_puts(&files, wld_fact_str(u, "path"));
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(u, "dropins"))
    {
        wld_buf_printf(&files, " or its drop-in %s", cJSON_IsString(d) ? d->valuestring : "");
    }
    wld_finding_var(f, "files", files.data);
    wld_buf_release(&files);
    if (exec && !wld_fact_bool(u, "exec_exists", true))
        return "binary_missing";
    if (exec && wld_str_is(exec, wld_fact_str(build, "binary")) &&
        wld_str_is(wld_fact_str(build, "cuda"), "none"))
        return "cpu_build";
    char *cvd = visible_devices(unit);
    bool hidden = wld_unit_hides_gpu(cvd, wld_param(ctx, "hiding_visible_devices"));
    if (cvd)
        wld_finding_var(f, "devices", cvd);
    free(cvd);
    if (hidden)
        return "gpu_hidden";
    wld_finding_var(f, "model_note", "");
    if (model) {
        wld_finding_var(f, "model", model);
        wld_finding_varf(f, "model_note", ", loading %s (judged by models.fit)", model);
        if (!wld_fact_bool(u, "model_exists", true))
            return "model_missing";
    }
    if (!wld_unit_restarts(restart, wld_param(ctx, "restarting")))
        return "no_restart";
    /* started by something: a .wants link (enabled), and for a user unit the default
     * target, which a login (or lingering) starts */
    const cJSON *wanted = cJSON_GetObjectItemCaseSensitive(u, "wanted_by");
    const char *install = wld_unit_last(unit, "Install", "WantedBy");
    bool user = wld_str_is(scope, "user");
    wld_finding_var(f, "install", install ? install : "none");
    if (cJSON_GetArraySize(wanted) == 0 || (user && !wld_unit_install_starts(install, user)))
        return "not_enabled";
    wld_finding_var(f, "wanted_by", cJSON_GetArrayItem(wanted, 0)->valuestring);
    if (user && !wld_fact_bool(ctx->mine, "linger", false)) {
        wld_finding_var(f, "user",
                        wld_fact_str(ctx->mine, "user") ? wld_fact_str(ctx->mine, "user")
                                                        : "$USER");
        return "no_linger";
    }
    const cJSON *problems = cJSON_GetObjectItemCaseSensitive(u, "problems"), *p;
    if (cJSON_GetArraySize(problems) > 0) {
        struct wld_buf b;
        wld_buf_init(&b, 4096);
        cJSON_ArrayForEach(p, problems)
        {
            const cJSON *msg = cJSON_GetObjectItemCaseSensitive(wld_param(ctx, "messages"),
                                                                wld_fact_str(p, "code"));
            wld_buf_printf(&b, "\n- %s line %.0f: '%s': %s", wld_fact_str(p, "file"),
                           wld_fact_num(p, "line", 0), wld_fact_str(p, "text"),
                           cJSON_IsString(msg) ? msg->valuestring : wld_fact_str(p, "code"));
        }
        wld_finding_var(f, "problems", b.data);
        wld_buf_release(&b);
        return "unit_problems";
    }
    return "ok";
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(ctx->mine, "units"), *u;
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(ctx->mine, "systemd");
    enum wld_platform p = ctx->platform;
    bool wsl = p == WLD_PLATFORM_WSL2;
    if (cJSON_GetArraySize(units) == 0) {
        wld_finding_outcome(f, "no_units");
        return;
    }
    wld_finding_var(f, "first", wld_fact_str(cJSON_GetArrayItem(units, 0), "name"));
    const char *pid1 = wld_fact_str(sd, "pid1");
    if (!wld_str_is(pid1, "systemd") && !wld_fact_bool(sd, "run_systemd_system", false)) {
        wld_finding_var(f, "pid1", pid1 ? pid1 : "unknown");
        const char *asked = wld_fact_str(
                wld_wsl_entry(wld_facts_of(ctx, "wsl.wsl-conf"), "boot", "systemd"), "value");
        wld_finding_var(f, "asked",
                        wld_wsl_bool(asked) == 1
                                ? ", though /etc/wsl.conf sets [boot] systemd=true (not applied "
                                  "yet)"
                                : ", and /etc/wsl.conf does not ask for it");
        /* on WSL, wsl.wsl-conf says how to turn it on: not judged twice */
        wld_finding_outcome(f, wsl ? "no_systemd_wsl" : "no_systemd");
        return;
    }
    const char *worst = NULL;
    cJSON *worst_vars = NULL;
    cJSON_ArrayForEach(u, units)
    {
        struct wld_finding one = { .vars = cJSON_CreateObject() };
        const char *v = judge(ctx, u, &one);
        wld_finding_keep_worst(&worst, &worst_vars, v, one.vars, outcomes);
    }
    cJSON_Delete(f->vars);
    f->vars = worst_vars;
    wld_finding_var_num(f, "count", cJSON_GetArraySize(units));
    wld_finding_var(f, "wsl_note", wsl ? wld_param_str(ctx, "wsl_idle_note") : "");
    wld_finding_outcome(f, worst);
}

/* lint: what `wsl-llm-doctor lint` reports on a unit file (src/lint/lint_unit.c) */
static const char *const params[] = { "restarting", "hiding_visible_devices",
                                      "messages",   "wsl_idle_note",
                                      "lint",       NULL };
static const char *const needs[] = { "wsl.platform", "llama.build", "wsl.wsl-conf", NULL };
static const char *const fact_keys[] = { "systemd", "units", NULL };

const struct wld_check wld_check_service_systemd = {
    .id = "service.systemd",
    .title = "Model server as a systemd service",
    .looks_at = "/proc/1/comm, /run/systemd/system, llama/ollama units in /etc/systemd/system, "
                "the vendor unit directories and ~/.config/systemd/user with their drop-ins "
                "and .wants links, /var/lib/systemd/linger, ExecStart's binary and model, "
                "llama.build's verdict on that binary",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
