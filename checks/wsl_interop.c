/* wsl.interop: the Windows side, read from inside WSL through interop.
 *
 * Guards against what a clean Linux-side report cannot show: a Windows build too old for
 * WSL2 or for GPU compute, a GPU in TCC mode (WSL sees WDDM GPUs only), a Windows driver
 * updated while the VM still runs the old one, and an inbox WSL that never updates.
 *
 * Windows programs are run where Windows has them, under the drive root of
 * /etc/wsl.conf's [automount] root; never through a shell, all at once, each under the
 * probe deadline (interop is slow and sometimes hangs). A call that fails is a fact of
 * its own: the others are still judged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/option.h"
#include "wld/platform.h"
#include "wld/settings.h"
#include "wld/version.h"
#include "wld/windows.h"
#include "wld/wslfile.h"

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    if (ctx->opts->no_interop) {
        cJSON_AddStringToObject(facts, "interop", "option_off");
        return 0;
    }
    const cJSON *io = wld_inventory_get(ctx->inv, WLD_INV_INTEROP), *e;
    cJSON_ArrayForEach(e, io)
    {
        cJSON_AddItemToObject(facts, e->string, cJSON_Duplicate(e, true));
    }
    if (strcmp(wld_fact_str(facts, "interop"), "enabled") == 0)
        wld_windows_read(ctx->host, wld_fact_str(io, "drive_root"), ctx->timeout_ms, facts);
    wld_fact_unroot(ctx->host, facts);
    return 0;
}

/* With --no-interop there is no Windows driver to hold the VM's against. */
static bool reads(const struct wld_options *o, const char *need)
{
    return !o->no_interop || strcmp(need, "gpu.driver") != 0;
}

static const char *windows_name(const struct wld_eval_ctx *ctx, double build)
{
    const cJSON *row;
    cJSON_ArrayForEach(row, wld_param(ctx, "windows_names"))
    {
        if (build >= wld_fact_num(row, "from_build", 1e9))
            return wld_fact_str(row, "name");
    }
    return "Windows";
}

/* The calls that hung, crashed or could not start: "reg.exe query ... timed out". */
static int failed_calls(const cJSON *calls, char *out, size_t n)
{
    const cJSON *call;
    int count = 0;
    out[0] = '\0';
    cJSON_ArrayForEach(call, calls)
    {
        const char *state = wld_fact_str(call, "state");
        if (!state || (strcmp(state, "timeout") != 0 && strcmp(state, "crashed") != 0 &&
                       strcmp(state, "spawn_failed") != 0))
            continue;
        size_t used = strlen(out);
        const char *cmd = wld_fact_str(call, "command");
        snprintf(out + used, n - used, "%s`%s`: %s", count ? ", " : "", cmd ? cmd : call->string,
                 state);
        count++;
    }
    return count;
}

static void gpu_list(const cJSON *gpus, const char *model, char *out, size_t n)
{
    const cJSON *g;
    out[0] = '\0';
    cJSON_ArrayForEach(g, gpus)
    {
        const char *m = wld_fact_str(g, "driver_model");
        if (model && (!m || strcmp(m, model) != 0))
            continue;
        size_t used = strlen(out);
        snprintf(out + used, n - used, "%s%s (%s)", used ? ", " : "", wld_fact_str(g, "name"),
                 m && *m ? m : "driver model unknown");
    }
}

/* The inbox WSL of Windows: no wslinfo, and wsl.exe does not know --version (it prints
 * its usage and fails instead of a version). */
static bool inbox_wsl(const cJSON *m)
{
    const cJSON *call = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(m, "calls"), "wsl_version");
    const char *state = wld_fact_str(call, "state");
    return !wld_fact_str(m, "wsl_version") &&
           !cJSON_HasObjectItem(cJSON_GetObjectItemCaseSensitive(m, "programs"), "wslinfo") &&
           state && (strcmp(state, "ok") == 0 || strcmp(state, "exit_nonzero") == 0);
}

static bool judge_windows(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(ctx->mine, "windows");
    double build = wld_fact_num(w, "build", -1), ubr = wld_fact_num(w, "ubr", -1);
    if (build < 0)
        return false;
    const cJSON *wsl2 = wld_param(ctx, "min_build_wsl2");
    double need = wld_fact_num(wsl2, "build", 0), need_ubr = wld_fact_num(wsl2, "ubr", 0);
    double ubr_upto = wld_fact_num(wsl2, "ubr_applies_to_build", 0);
    bool no_wsl2 = build < need || (build <= ubr_upto && ubr >= 0 && ubr < need_ubr);
    if (no_wsl2) {
        wld_finding_outcome(f, "windows_no_wsl2");
        return true;
    }
    if (build < wld_param_num(ctx, "min_build_gpu", 0)) {
        wld_finding_var_num(f, "min_build", wld_param_num(ctx, "min_build_gpu", 0));
        wld_finding_outcome(f, "windows_no_gpu");
        return true;
    }
    return false;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    char buf[1024];
    enum wld_platform p = ctx->platform;
    const char *interop = wld_fact_str(m, "interop");
    if (p != WLD_PLATFORM_WSL1 && p != WLD_PLATFORM_WSL2) {
        wld_finding_var(f, "platform", wld_platform_name(p));
        wld_finding_outcome(f, "not_wsl");
        return;
    }
    if (interop && strcmp(interop, "option_off") == 0) {
        wld_finding_outcome(f, "option_off");
        return;
    }
    if (!interop || strcmp(interop, "enabled") != 0) {
        const char *binfmt = wld_fact_str(m, "binfmt");
        wld_finding_var(f, "binfmt", binfmt ? binfmt : "/proc/sys/fs/binfmt_misc/WSLInterop");
        wld_finding_outcome(f, binfmt ? "interop_disabled" : "interop_absent");
        return;
    }
    const cJSON *programs = cJSON_GetObjectItemCaseSensitive(m, "programs");
    wld_finding_var(f, "drive_root", wld_fact_str(m, "drive_root"));
    if (cJSON_GetArraySize(programs) == 0) {
        wld_finding_outcome(f, "no_programs");
        return;
    }
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(m, "windows");
    double build = wld_fact_num(w, "build", -1), ubr = wld_fact_num(w, "ubr", -1);
    if (build >= 0) {
        wld_finding_var(f, "windows", windows_name(ctx, build));
        if (ubr >= 0)
            wld_finding_varf(f, "build", "%.0f.%.0f", build, ubr);
        else
            wld_finding_varf(f, "build", "%.0f", build);
        wld_finding_var(f, "windows_source", wld_fact_str(w, "source"));
    }
    if (judge_windows(ctx, f))
        return;
    const cJSON *gpus = cJSON_GetObjectItemCaseSensitive(m, "gpus");
    gpu_list(gpus, "TCC", buf, sizeof(buf));
    if (buf[0]) {
        wld_finding_var(f, "gpus", buf);
        wld_finding_outcome(f, "tcc");
        return;
    }
    if (failed_calls(cJSON_GetObjectItemCaseSensitive(m, "calls"), buf, sizeof(buf)) > 0) {
        wld_finding_var(f, "calls", buf);
        wld_finding_var_num(f, "deadline_s", wld_fact_num(m, "deadline_ms", 0) / 1000.0);
        wld_finding_outcome(f, "call_failed");
        return;
    }
    /* the driver the VM runs: nvidia-smi inside it, or NVML (gpu.driver) */
    const char *win_driver = wld_fact_str(m, "windows_driver");
    struct wld_gpu_driver vm;
    wld_gpu_driver_of(ctx->facts, &vm);
    if (win_driver && vm.driver && p == WLD_PLATFORM_WSL2 &&
        wld_version_cmp_str(win_driver, vm.driver) != 0) {
        wld_finding_var(f, "windows_driver", win_driver);
        wld_finding_var(f, "vm_driver", vm.driver);
        wld_finding_var(f, "vm_source", vm.driver_source);
        wld_finding_outcome(f, "driver_stale");
        return;
    }
    if (inbox_wsl(m)) {
        wld_finding_outcome(f, "inbox_wsl");
        return;
    }
    /* the pass line: what was read, and what could not be */
    const char *wsl = wld_fact_str(m, "wsl_version");
    wld_finding_var(f, "wsl", wsl ? wsl : "unknown");
    const char *net = wld_fact_str(m, "networking_mode");
    wld_finding_varf(f, "net_note", "%s%s%s", net ? " (networking " : "", net ? net : "",
                     net ? ")" : "");
    gpu_list(gpus, NULL, buf, sizeof(buf));
    if (win_driver)
        wld_finding_varf(f, "driver_note", "; Windows driver %s: %s", win_driver, buf);
    else
        wld_finding_var(f, "driver_note",
                        "; no nvidia-smi.exe answered (no NVIDIA driver on Windows?)");
    /* HwSchMode: 2 on, 1 off; reg.exe failing with the value absent: never set */
    double hags = wld_fact_num(m, "hw_sched_mode", -1);
    const char *hags_call =
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(
                                 cJSON_GetObjectItemCaseSensitive(m, "calls"), "reg_hags"),
                         "state");
    const cJSON *hv =
            cJSON_GetObjectItemCaseSensitive(wld_param(ctx, "hags_values"), hags == 2   ? "2"
                                                                            : hags == 1 ? "1"
                                                                                        : "unset");
    if ((hags >= 0 || wld_str_is(hags_call, "exit_nonzero")) && cJSON_IsString(hv))
        wld_finding_varf(f, "hags_note", "; hardware-accelerated GPU scheduling %s",
                         hv->valuestring);
    else
        wld_finding_var(f, "hags_note", "");
    if (build < 0) {
        wld_finding_var(f, "windows", "Windows");
        wld_finding_var(f, "build", "unknown");
    }
    wld_finding_outcome(f, "ok");
}

static const char *const outcomes[] = { "ok",
                                        "not_wsl",
                                        "option_off",
                                        "interop_disabled",
                                        "interop_absent",
                                        "no_programs",
                                        "windows_no_wsl2",
                                        "windows_no_gpu",
                                        "tcc",
                                        "call_failed",
                                        "driver_stale",
                                        "inbox_wsl",
                                        NULL };
static const char *const params[] = { "min_build_wsl2", "min_build_gpu", "windows_names",
                                      "hags_values", NULL };
static const char *const needs[] = { "wsl.platform", "gpu.driver", NULL };
static const char *const fact_keys[] = { "interop", NULL };

/* the command line's options that only this check reads (server.health, which asks
 * Windows through it, honours --no-interop too) */
static const struct wld_cli_option options[] = {
    { "no-interop", 0, NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_FIT, WLD_REPLAY_KEEP,
      "run no Windows program", WLD_OPT_FLAG(no_interop) },
};

const struct wld_check wld_check_wsl_interop = {
    .id = "wsl.interop",
    .title = "Windows side (interop)",
    .looks_at = "binfmt_misc WSLInterop; under the drive root: reg.exe (Windows build, UBR, "
                "HwSchMode), cmd.exe /c ver, wsl.exe --version, nvidia-smi.exe (Windows driver, "
                "driver model); /usr/bin/wslinfo (WSL version, networking mode)",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .reads = reads,
    .gather = gather,
    .evaluate = evaluate,
    .options = options,
    .n_options = WLD_ARRAY_SIZE(options),
};
