/* Platform decision from several signals (see wld/platform.h). The kernel release decides
 * when it carries a WSL marker; custom kernels drop it, so the WSL-only paths (/dev/dxg,
 * /usr/lib/wsl/lib, /mnt/wslg) and then the generic WSL signals (environment, interop)
 * decide. A hostname containing "microsoft" is never a signal. */
#include "wld/platform.h"

#include <stdio.h>
#include <string.h>

#include "wld/check.h"

enum wld_kernel_marker wld_kernel_marker_of(const char *release)
{
    if (!release)
        return WLD_KERNEL_PLAIN;
    if (strstr(release, "microsoft-standard") || strstr(release, "WSL2"))
        return WLD_KERNEL_WSL2;
    if (strstr(release, "-Microsoft"))
        return WLD_KERNEL_WSL1;
    return WLD_KERNEL_PLAIN;
}

static void add(char *out, size_t n, const char *what)
{
    size_t l = strlen(out);
    snprintf(out + l, n - l, "%s%s", l ? ", " : "", what);
}

enum wld_platform wld_platform_of(const cJSON *f, char *decided_by, size_t n)
{
    const cJSON *sig = cJSON_GetObjectItemCaseSensitive(f, "signals");
    const char *release = wld_fact_str(f, "osrelease");
    decided_by[0] = '\0';
    switch (wld_kernel_marker_of(release)) {
    case WLD_KERNEL_WSL2:
        add(decided_by, n, "kernel release");
        if (wld_fact_bool(sig, "dev_dxg", false))
            add(decided_by, n, "/dev/dxg");
        if (wld_fact_str(sig, "WSL_DISTRO_NAME"))
            add(decided_by, n, "WSL_DISTRO_NAME");
        return WLD_PLATFORM_WSL2;
    case WLD_KERNEL_WSL1:
        add(decided_by, n, "kernel release (\"-Microsoft\" is the WSL1 kernel)");
        return WLD_PLATFORM_WSL1;
    case WLD_KERNEL_PLAIN:
        break;
    }
    static const char *const wsl2_only[] = { "dev_dxg", "usr_lib_wsl_lib", "mnt_wslg" };
    static const char *const wsl2_names[] = { "/dev/dxg", "/usr/lib/wsl/lib", "/mnt/wslg" };
    for (size_t i = 0; i < 3; i++)
        if (wld_fact_bool(sig, wsl2_only[i], false))
            add(decided_by, n, wsl2_names[i]);
    if (decided_by[0])
        return WLD_PLATFORM_WSL2;
    if (wld_fact_str(sig, "WSL_DISTRO_NAME"))
        add(decided_by, n, "WSL_DISTRO_NAME");
    if (wld_fact_str(sig, "WSL_INTEROP"))
        add(decided_by, n, "WSL_INTEROP");
    if (wld_fact_bool(sig, "binfmt_wslinterop", false))
        add(decided_by, n, "WSLInterop binfmt");
    if (wld_fact_bool(sig, "run_wsl", false))
        add(decided_by, n, "/run/WSL");
    if (decided_by[0]) {
        add(decided_by, n, "no WSL2-only signal");
        return WLD_PLATFORM_WSL1;
    }
    add(decided_by, n, "no WSL signal");
    return WLD_PLATFORM_NATIVE;
}

const char *wld_platform_name(enum wld_platform p)
{
    return p == WLD_PLATFORM_WSL2 ? "wsl2" : p == WLD_PLATFORM_WSL1 ? "wsl1" : "native";
}
