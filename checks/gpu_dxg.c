/* gpu.dxg: /dev/dxg, the GPU paravirtualization device of WSL2.
 *
 * Guards against the silent failure where WSL2 has no path to the Windows GPU: without a
 * working /dev/dxg, libcuda inside WSL finds no device (CUDA error 100) however healthy
 * the Windows driver is. Each way it can be broken has its own fix. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/parse.h"
#include "wld/platform.h"
#include "wld/wslfile.h"

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    struct wld_device dev;
    int r = wld_host_probe_device(ctx->host, "/dev/dxg", &dev);
    if (r < 0) {
        wld_fact_errno(facts, "stat_error", r);
        return 0;
    }
    cJSON_AddStringToObject(facts, "kind", wld_node_kind_name(dev.kind));
    if (dev.kind != WLD_NODE_MISSING) {
        char mode[8];
        snprintf(mode, sizeof(mode), "%04o", dev.mode);
        cJSON_AddStringToObject(facts, "mode", mode);
        wld_fact_errno(facts, "open", dev.open_errno);
    }
    /* /etc/wsl.conf [gpu] enabled=false turns GPU paravirtualization off (WSL's init takes
     * the first of duplicated keys) */
    const cJSON *gpu =
            wld_wsl_entry(wld_inventory_get(ctx->inv, WLD_INV_WSL_CONF), "gpu", "enabled");
    if (gpu)
        cJSON_AddStringToObject(facts, "wsl_conf_gpu_enabled", wld_fact_str(gpu, "value"));
    return 0;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    enum wld_platform p = ctx->platform;
    const char *kind = wld_fact_str(ctx->mine, "kind");
    const char *open = wld_fact_str(ctx->mine, "open");
    const char *gpu_enabled = wld_fact_str(ctx->mine, "wsl_conf_gpu_enabled");

    /* "a FIFO (named pipe)", not "a fifo": the node's kind in words */
    static const struct {
        const char *kind, *words;
    } words[] = { { "block", "a block device" },   { "dir", "a directory" },
                  { "regular", "a regular file" }, { "fifo", "a FIFO (named pipe)" },
                  { "socket", "a socket" },        { "other", "an unknown kind of file" } };
    wld_finding_var(f, "kind", "an unknown kind of file");
    for (size_t i = 0; kind && i < WLD_ARRAY_SIZE(words); i++)
        if (strcmp(kind, words[i].kind) == 0)
            wld_finding_var(f, "kind", words[i].words);
    wld_finding_var(f, "mode", wld_fact_str(ctx->mine, "mode"));
    wld_finding_var(f, "errno", open ? open : wld_fact_str(ctx->mine, "stat_error"));
    if (p != WLD_PLATFORM_WSL2) {
        wld_finding_var(f, "platform", wld_platform_name(p));
        wld_finding_outcome(f, "not_wsl2");
    } else if (!kind) {
        wld_finding_outcome(f, "cannot_open");
    } else if (strcmp(kind, "missing") == 0) {
        bool disabled = gpu_enabled &&
                        (wld_str_eq_nocase(gpu_enabled, "false") || strcmp(gpu_enabled, "0") == 0);
        wld_finding_outcome(f, disabled ? "disabled_in_wsl_conf" : "missing");
    } else if (strcmp(kind, "char") != 0) {
        wld_finding_outcome(f, "not_char_device");
    } else if (open && (strcmp(open, "EACCES") == 0 || strcmp(open, "EPERM") == 0)) {
        wld_finding_outcome(f, "permission");
    } else if (open && strcmp(open, "ok") != 0) {
        wld_finding_outcome(f, "cannot_open");
    } else {
        wld_finding_outcome(f, "ok");
    }
}

static const char *const outcomes[] = {
    "ok",       "missing", "disabled_in_wsl_conf", "not_char_device", "permission", "cannot_open",
    "not_wsl2", NULL
};
static const char *const needs[] = { "wsl.platform", NULL };

static const char *const fact_keys[] = { "kind", NULL };

const struct wld_check wld_check_gpu_dxg = {
    .id = "gpu.dxg",
    .title = "GPU paravirtualization device /dev/dxg",
    .looks_at = "/dev/dxg (exists, character device, opens read-write), [gpu] in /etc/wsl.conf",
    .outcomes = outcomes,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
