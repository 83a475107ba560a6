/* wsl.kernel: the WSL2 kernel release against the minimum for GPU paravirtualization.
 *
 * Guards against kernels that predate dxgkrnl (no /dev/dxg, so CUDA cannot see the GPU)
 * and kernels older than NVIDIA's recommendation. The setup guide's "5.15.153.1 is needed
 * for /dev/dxg" is wrong: dxgkrnl arrived in 4.19.121 (see rules/wsl.json). */
#include <string.h>

#include "wld/check.h"
#include "wld/platform.h"
#include "wld/version.h"
#include "wld/wslfile.h"

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
    return wld_fact_str(wld_wsl_entry(wld_facts_of(ctx, "wsl.wslconfig"), "wsl2", "kernel"),
                        "value");
}

/* Who built the running kernel, from /proc/version's "Linux version R (USER@HOST) (...)",
 * in out; false when it does not say. */
static bool builder(const char *proc_version, char *out, size_t n)
{
    const char *open = proc_version ? strchr(proc_version, '(') : NULL;
    const char *close = open ? strchr(open, ')') : NULL;
    if (!close || !memchr(open, '@', (size_t) (close - open)) || (size_t) (close - open) >= n)
        return false;
    memcpy(out, open + 1, (size_t) (close - open - 1));
    out[close - open - 1] = '\0';
    return true;
}

/* Whether the builder is one of Microsoft's build machines, as the rules list them;
 * "{container-id}" stands for the 12 hex digits of a build container's host name. */
static bool stock_builder(const struct wld_eval_ctx *ctx, const char *who)
{
    const cJSON *b;
    cJSON_ArrayForEach(b, wld_param(ctx, "stock_builders"))
    {
        const char *pat = cJSON_IsString(b) ? b->valuestring : "";
        const char *hole = strstr(pat, "{container-id}");
        if (!hole) {
            if (strcmp(pat, who) == 0)
                return true;
            continue;
        }
        size_t pre = (size_t) (hole - pat);
        const char *id = who + pre;
        if (strncmp(who, pat, pre) != 0 || strlen(id) != 12)
            continue;
        if (strspn(id, "0123456789abcdef") == 12)
            return true;
    }
    return false;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *plat = wld_facts_of(ctx, "wsl.platform");
    enum wld_platform p = ctx->platform;
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
    char shown[64], who[128];
    wld_version_format(&v, shown, sizeof(shown));
    wld_finding_var(f, "version", shown);
    /* kernel= names a custom kernel, yet Microsoft's own build runs: WSL did not boot it */
    if (kernel && builder(wld_fact_str(plat, "proc_version"), who, sizeof(who)) &&
        stock_builder(ctx, who)) {
        wld_finding_var(f, "builder", who);
        wld_finding_outcome(f, "custom_not_booted");
        return;
    }
    wld_version_parse(wld_param_str(ctx, "min_gpu_pv"), &min, NULL);
    wld_version_parse(wld_param_str(ctx, "recommended"), &rec, NULL);
    if (wld_version_cmp(&v, &min) < 0)
        wld_finding_outcome(f, "too_old");
    else if (wld_version_cmp(&v, &rec) < 0)
        wld_finding_outcome(f, "below_recommended");
    else
        wld_finding_outcome(f, kernel ? "custom_ok" : "ok");
}

static const char *const outcomes[] = {
    "ok",      "custom_ok",  "custom_not_booted", "below_recommended",
    "too_old", "unparsable", "not_wsl2",          NULL
};
static const char *const params[] = { "min_gpu_pv", "recommended", "custom_note", "stock_builders",
                                      NULL };
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
