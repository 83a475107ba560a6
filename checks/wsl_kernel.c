/* wsl.kernel: the WSL2 kernel release against the minimum for GPU paravirtualization.
 *
 * Guards against kernels that predate dxgkrnl (no /dev/dxg, so CUDA cannot see the GPU)
 * and kernels older than NVIDIA's recommendation. The setup guide's "5.15.153.1 is needed
 * for /dev/dxg" is wrong: dxgkrnl arrived in 4.19.121 (see rules/wsl.json). */
#include "wld/check.h"
#include "wld/platform.h"
#include "wld/version.h"

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    /* The release is wsl.platform's fact and the custom kernel wsl.wslconfig's. */
    (void) ctx;
    (void) facts;
    return 0;
}

/* `kernel=` in .wslconfig (case-insensitive), or NULL. */
static const char *custom_kernel(const struct wld_eval_ctx *ctx)
{
    const cJSON *e;
    cJSON_ArrayForEach(
            e, cJSON_GetObjectItemCaseSensitive(wld_facts_of(ctx, "wsl.wslconfig"), "entries"))
    {
        const char *sec = wld_fact_str(e, "section"), *key = wld_fact_str(e, "key");
        if (sec && key && wld_str_eq_nocase(sec, "wsl2") && wld_str_eq_nocase(key, "kernel"))
            return wld_fact_str(e, "value");
    }
    return NULL;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    char decided[256];
    const cJSON *plat = wld_facts_of(ctx, "wsl.platform");
    enum wld_platform p = wld_platform_of(plat, decided, sizeof(decided));
    const char *release = wld_fact_str(plat, "osrelease");
    const char *kernel = custom_kernel(ctx);
    struct wld_version v, min, rec;

    wld_finding_var(f, "release", release ? release : "unknown");
    wld_finding_var(f, "min", wld_param_str(ctx, "min_gpu_pv"));
    wld_finding_var(f, "recommended", wld_param_str(ctx, "recommended"));
    wld_finding_var(f, "custom_kernel", kernel ? kernel : "");
    wld_finding_var(f, "custom_note", kernel ? wld_param_str(ctx, "custom_note") : "");
    if (p != WLD_PLATFORM_WSL2) {
        wld_finding_var(f, "platform", wld_platform_name(p));
        wld_finding_outcome(f, "not_wsl2");
        return;
    }
    if (!release || wld_version_parse(release, &v, NULL) < 0 || v.n < 2) {
        wld_finding_outcome(f, "unparsable");
        return;
    }
    char shown[64];
    wld_version_format(&v, shown, sizeof(shown));
    wld_finding_var(f, "version", shown);
    wld_version_parse(wld_param_str(ctx, "min_gpu_pv"), &min, NULL);
    wld_version_parse(wld_param_str(ctx, "recommended"), &rec, NULL);
    if (wld_version_cmp(&v, &min) < 0)
        wld_finding_outcome(f, "too_old");
    else if (wld_version_cmp(&v, &rec) < 0)
        wld_finding_outcome(f, "below_recommended");
    else
        wld_finding_outcome(f, kernel ? "custom_ok" : "ok");
}

static const char *const outcomes[] = { "ok",      "custom_ok",  "below_recommended",
                                        "too_old", "unparsable", "not_wsl2",
                                        NULL };
static const char *const params[] = { "min_gpu_pv", "recommended", "custom_note", NULL };
static const char *const needs[] = { "wsl.platform", "wsl.wslconfig", NULL };

const struct wld_check wld_check_wsl_kernel = {
    .id = "wsl.kernel",
    .title = "WSL2 kernel version",
    .looks_at = "kernel release (from wsl.platform) and kernel= in .wslconfig",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .gather = gather,
    .evaluate = evaluate,
};
