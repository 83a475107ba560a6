/* wsl.platform: native Linux, WSL1 or WSL2, from several signals.
 *
 * Guards against running the LLM stack where no GPU can exist (WSL1 has no GPU
 * paravirtualization at all) and against mis-detecting WSL from one weak signal (custom
 * kernels drop the "microsoft" marker). Every other check asks this one's facts whether
 * WSL-only checks apply. */
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/parse.h"
#include "wld/platform.h"

static void add_bool(cJSON *o, const char *name, bool v)
{
    cJSON_AddBoolToObject(o, name, v);
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    struct wld_buf b;
    char line[512];

    if (wld_host_read(h, "/proc/sys/kernel/osrelease", 4096, &b) == 0) {
        wld_str_line(b.data, line, sizeof(line));
        cJSON_AddStringToObject(facts, "osrelease", wld_str_trim(line));
        wld_buf_release(&b);
    }
    if (wld_host_read(h, "/proc/version", 4096, &b) == 0) {
        wld_str_line(b.data, line, sizeof(line));
        cJSON_AddStringToObject(facts, "proc_version", wld_str_trim(line));
        /* "Linux version 5.15.90.1-microsoft-standard-WSL2 (...)": the release, when
         * osrelease itself could not be read */
        if (!cJSON_GetObjectItemCaseSensitive(facts, "osrelease") &&
            wld_str_starts(line, "Linux version ")) {
            char rel[128];
            wld_str_line(line + 14, rel, sizeof(rel));
            char *sp = strchr(rel, ' ');
            if (sp)
                *sp = '\0';
            cJSON_AddStringToObject(facts, "osrelease", rel);
        }
        wld_buf_release(&b);
    }
    cJSON *sig = cJSON_AddObjectToObject(facts, "signals");
    static const char *const env_names[] = { "WSL_DISTRO_NAME", "WSL_INTEROP" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(env_names); i++) {
        const char *v = wld_host_getenv(h, env_names[i]);
        if (v && v[0])
            cJSON_AddStringToObject(sig, env_names[i], v);
    }
    /* WSLInterop (or WSLInterop-late), registered: the run reads it once (wsl.interop) */
    add_bool(sig, "binfmt_wslinterop",
             !wld_str_is(wld_fact_str(wld_inventory_get(ctx->inv, WLD_INV_INTEROP), "interop"),
                         "absent"));
    add_bool(sig, "run_wsl", wld_host_is_dir(h, "/run/WSL"));
    add_bool(sig, "dev_dxg", wld_host_exists(h, "/dev/dxg"));
    add_bool(sig, "usr_lib_wsl_lib", wld_host_is_dir(h, "/usr/lib/wsl/lib"));
    add_bool(sig, "mnt_wslg", wld_host_is_dir(h, "/mnt/wslg"));

    if (wld_host_read(h, "/etc/os-release", WLD_CAP_SMALL, &b) == 0 ||
        wld_host_read(h, "/usr/lib/os-release", WLD_CAP_SMALL, &b) == 0) {
        char v[256];
        cJSON *os = cJSON_AddObjectToObject(facts, "os_release");
        static const char *const keys[] = { "PRETTY_NAME", "ID", "VERSION_ID" };
        for (size_t i = 0; i < WLD_ARRAY_SIZE(keys); i++)
            if (wld_osrelease_get(b.data, keys[i], v, sizeof(v)) == 0)
                cJSON_AddStringToObject(os, keys[i], v);
        wld_buf_release(&b);
    }
    return 0;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    char decided[256];
    enum wld_platform p = wld_platform_of(ctx->mine, decided, sizeof(decided));
    const cJSON *os = cJSON_GetObjectItemCaseSensitive(ctx->mine, "os_release");
    const char *distro = wld_fact_str(os, "PRETTY_NAME");
    const char *release = wld_fact_str(ctx->mine, "osrelease");

    wld_finding_var(f, "platform", wld_platform_name(p));
    wld_finding_var(f, "decided_by", decided);
    wld_finding_var(f, "release", release ? release : "unknown");
    wld_finding_var(f, "distro", distro ? distro : "unknown distribution");
    if (p == WLD_PLATFORM_WSL1)
        wld_finding_outcome(f, "wsl1");
    else if (p == WLD_PLATFORM_WSL2)
        wld_finding_outcome(f, wld_kernel_marker_of(release) == WLD_KERNEL_WSL2
                                       ? "wsl2"
                                       : "wsl2_custom_kernel");
    else
        wld_finding_outcome(f, "native");
}

static const char *const outcomes[] = { "wsl2", "wsl2_custom_kernel", "wsl1", "native", NULL };

static const char *const fact_keys[] = { "signals", NULL };

const struct wld_check wld_check_wsl_platform = {
    .id = "wsl.platform",
    .title = "Platform (native Linux, WSL1, WSL2)",
    .looks_at = "kernel release, /proc/version, WSL_DISTRO_NAME/WSL_INTEROP, WSLInterop binfmt, "
                "/run/WSL, /dev/dxg, /usr/lib/wsl/lib, /mnt/wslg, os-release",
    .outcomes = outcomes,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
