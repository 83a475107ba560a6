/* gpu.wsl-libs: no Linux NVIDIA driver inside WSL, and the Windows driver's libraries in
 * /usr/lib/wsl/lib are the ones that load.
 *
 * Guards against the most common self-inflicted WSL breakage: `apt install nvidia-driver-*`
 * or `cuda` / `cuda-drivers` (instead of cuda-toolkit-X-Y) puts a Linux libcuda and
 * nvidia-smi into the distro, which shadow the WSL ones and make CUDA report no device
 * (error 100). NVIDIA says never to install a Linux driver in WSL 2. Also explains the
 * harmless "ldconfig: /usr/lib/wsl/lib/libcuda.so.1 is not a symbolic link" warning, and
 * tells when the VM still runs an older CUDA driver package than the newest one Windows
 * shares in /usr/lib/wsl/drivers (a driver update without `wsl --shutdown`). */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/parse.h"
#include "wld/platform.h"
#include "wld/version.h"

#define WSL_LIB     "/usr/lib/wsl/lib"
#define WSL_DRIVERS "/usr/lib/wsl/drivers"
#define DPKG_STATUS "/var/lib/dpkg/status"
#define DPKG_INFO   "/var/lib/dpkg/info"
#define STATUS_CAP  (32u * 1024u * 1024u)

static const char *const wsl_files[] = { "libcuda.so.1", "libdxcore.so", "nvidia-smi" };
static const char *const driver_libs[] = { "libcuda.so", "libcuda.so.1", "libnvidia-ml.so",
                                           "libnvidia-ml.so.1" };
/* Package names worth recording; evaluate() matches them against the rules' patterns. */
static const char *const package_prefixes[] = {
    "nvidia", "libnvidia", "cuda-drivers", "libcuda", "xserver-xorg-video-nvidia", NULL
};

static void gather_wsl_lib(const struct wld_host *h, cJSON *facts)
{
    cJSON *o = cJSON_AddObjectToObject(facts, "wsl_lib");
    bool dir = wld_host_is_dir(h, WSL_LIB);
    cJSON_AddBoolToObject(o, "present", dir);
    struct stat lib;
    if (!dir && wld_host_stat(h, WSL_LIB, true, &lib) == 0) {
        /* there, but a file or another node: a distro image or a script that wrote it */
        cJSON_AddStringToObject(o, "kind", wld_file_type_name(lib.st_mode)); /* "a regular file" */
        return;
    }
    for (size_t i = 0; i < WLD_ARRAY_SIZE(wsl_files); i++) {
        char *p = wld_xasprintf(WSL_LIB "/%s", wsl_files[i]);
        struct stat st;
        const char *kind = wld_host_stat(h, p, false, &st) < 0 ? "missing"
                           : S_ISLNK(st.st_mode)               ? "symlink"
                                                               : "file";
        cJSON_AddStringToObject(o, wsl_files[i], kind);
        free(p);
    }
}

/* Installed packages (dpkg status "install ok installed") with a GPU-driver-like name. */
static void gather_packages(const struct wld_host *h, cJSON *facts)
{
    struct wld_buf b;
    if (wld_host_read(h, DPKG_STATUS, STATUS_CAP, &b) < 0)
        return;
    cJSON *list = cJSON_AddArrayToObject(facts, "packages");
    char **names = wld_dpkg_installed(b.data, package_prefixes);
    for (char **n = names; *n; n++)
        cJSON_AddItemToArray(list, cJSON_CreateString(*n));
    wld_strv_free(names);
    wld_buf_release(&b);
}

static bool driver_like(const char *name)
{
    for (const char *const *p = package_prefixes; *p; p++)
        if (wld_str_starts(name, *p))
            return true;
    return false;
}

/* The file lists (/var/lib/dpkg/info/NAME.list) of the driver-like packages, read once:
 * {"libnvidia-compute-550": "/.\n/usr\n..."}. Never NULL; the caller deletes it. */
static cJSON *read_file_lists(const struct wld_host *h)
{
    cJSON *lists = cJSON_CreateObject();
    char **names = NULL;
    if (wld_host_list(h, DPKG_INFO, 65536, &names) < 0)
        return lists;
    for (char **n = names; *n; n++) {
        if (!driver_like(*n) || !wld_str_ends(*n, ".list"))
            continue;
        struct wld_buf b;
        char *p = wld_xasprintf(DPKG_INFO "/%s", *n);
        if (wld_host_read(h, p, WLD_CAP_FILE, &b) == 0) {
            /* "libnvidia-compute-550:amd64.list" names libnvidia-compute-550 */
            char *pkg = wld_xstrndup(*n, strlen(*n) - strlen(".list"));
            pkg[strcspn(pkg, ":")] = '\0';
            cJSON_AddStringToObject(lists, pkg, b.data);
            free(pkg);
            wld_buf_release(&b);
        }
        free(p);
    }
    wld_strv_free(names);
    return lists;
}

/* The package whose file list holds path, or NULL. Borrowed from lists. */
static const char *owner_of(const cJSON *lists, const char *path)
{
    const cJSON *l;
    const char *owner = NULL;
    char *needle = wld_xasprintf("\n%s\n", path);
    cJSON_ArrayForEach(l, lists)
    {
        if (!owner && cJSON_IsString(l) && strstr(l->valuestring, needle))
            owner = l->string;
    }
    free(needle);
    return owner;
}

/* Driver libraries anywhere the loader looks, other than /usr/lib/wsl/lib; whether each
 * comes before it in the search order. */
static void
gather_foreign_libs(const struct wld_host *h, const cJSON *dirs, const cJSON *lists, cJSON *facts)
{
    cJSON *list = cJSON_AddArrayToObject(facts, "foreign_libs");
    bool wsl_seen = false;
    const cJSON *d;
    cJSON_ArrayForEach(d, dirs)
    {
        const char *dir = wld_fact_str(d, "dir");
        if (strcmp(dir, WSL_LIB) == 0) {
            wsl_seen = true;
            continue;
        }
        for (size_t i = 0; i < WLD_ARRAY_SIZE(driver_libs); i++) {
            char *p = wld_xasprintf("%s/%s", dir, driver_libs[i]);
            struct stat st;
            if (wld_host_stat(h, p, false, &st) == 0) {
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "path", p);
                cJSON_AddStringToObject(o, "from", wld_fact_str(d, "from"));
                cJSON_AddBoolToObject(o, "stub", strstr(dir, "/stubs") != NULL);
                cJSON_AddBoolToObject(o, "before_wsl_lib", !wsl_seen);
                char *target = NULL;
                if (S_ISLNK(st.st_mode) && wld_host_resolve(h, p, &target) == 0 &&
                    strcmp(target, p) != 0)
                    cJSON_AddStringToObject(o, "target", target);
                free(target);
                const char *owner = owner_of(lists, p);
                if (owner)
                    cJSON_AddStringToObject(o, "package", owner);
                cJSON_AddItemToArray(list, o);
            }
            free(p);
        }
    }
}

static void gather_path_smi(const struct wld_host *h, const cJSON *lists, cJSON *facts)
{
    char *smi = NULL;
    if (wld_host_find_command(h, "nvidia-smi", &smi) == 0) {
        cJSON_AddStringToObject(facts, "path_nvidia_smi", smi);
        const char *owner = owner_of(lists, smi);
        if (owner)
            cJSON_AddStringToObject(facts, "path_nvidia_smi_package", owner);
        free(smi);
    }
}

/* The CUDA driver packages Windows shares under /usr/lib/wsl/drivers (its DriverStore):
 * each nv*.inf_amd64_* folder holding libcuda.so.1.1, with the DriverVer of its .inf. A
 * driver update leaves the old package beside the new one. */
static void gather_driver_stores(const struct wld_host *h, cJSON *facts)
{
    char **names = NULL;
    if (wld_host_list(h, WSL_DRIVERS, 4096, &names) < 0)
        return;
    cJSON *stores = cJSON_AddArrayToObject(facts, "driver_stores");
    for (char **n = names; *n; n++) {
        /* NVIDIA's packages only (nv_dispi, nvlti, nvmdi...): the share lists every
         * package of the machine, hundreds, each a 9p round trip to look into */
        const char *amd64 = strstr(*n, ".inf_amd64_");
        if (!amd64 || !wld_str_starts(*n, "nv"))
            continue;
        char *lib = wld_xasprintf("%s/%s/libcuda.so.1.1", WSL_DRIVERS, *n);
        bool cuda = wld_host_exists(h, lib);
        free(lib);
        if (!cuda)
            continue;
        cJSON *st = cJSON_CreateObject();
        cJSON_AddStringToObject(st, "dir", *n);
        char *inf = wld_xasprintf("%s/%s/%.*s", WSL_DRIVERS, *n, (int) (amd64 - *n + 4), *n);
        struct wld_buf b;
        int r = wld_host_read(h, inf, WLD_CAP_SMALL, &b);
        if (r == 0) {
            /* .inf files are often UTF-16LE; DriverVer sits in [Version], at the top */
            char *text = wld_text_decode(b.data, b.len, NULL);
            char date[32], ver[32], nv[16];
            if (wld_inf_driver_ver(text, date, sizeof(date), ver, sizeof(ver)) == 0) {
                cJSON_AddStringToObject(st, "date", date);
                cJSON_AddStringToObject(st, "windows_version", ver);
                if (wld_nvidia_version_of_windows(ver, nv, sizeof(nv)) == 0)
                    cJSON_AddStringToObject(st, "version", nv);
            }
            free(text);
            wld_buf_release(&b);
        } else {
            wld_fact_errno(st, "inf_error", -r);
        }
        free(inf);
        cJSON_AddItemToArray(stores, st);
    }
    wld_strv_free(names);
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    cJSON *lists = read_file_lists(ctx->host);
    gather_wsl_lib(ctx->host, facts);
    gather_packages(ctx->host, facts);
    gather_foreign_libs(ctx->host, wld_inventory_ldpath(ctx->inv, true), lists, facts);
    gather_path_smi(ctx->host, lists, facts);
    gather_driver_stores(ctx->host, facts);
    cJSON_Delete(lists);
    return 0;
}

/* Several CUDA driver packages, and the VM runs an older one than the newest: it started
 * before the last driver update (gpu.driver says which version it runs). */
static bool stale_store(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *stores = cJSON_GetObjectItemCaseSensitive(ctx->mine, "driver_stores"), *st;
    const cJSON *newest = NULL;
    struct wld_gpu_driver drv;
    wld_gpu_driver_of(ctx->facts, &drv);
    if (cJSON_GetArraySize(stores) < 2 || !drv.driver)
        return false;
    cJSON_ArrayForEach(st, stores)
    {
        const char *v = wld_fact_str(st, "version");
        if (v && (!newest || wld_version_cmp_str(v, wld_fact_str(newest, "version")) > 0))
            newest = st;
    }
    if (!newest || wld_version_cmp_str(drv.driver, wld_fact_str(newest, "version")) >= 0)
        return false;
    wld_finding_var_num(f, "count", cJSON_GetArraySize(stores));
    wld_finding_var(f, "in_use", drv.driver);
    wld_finding_var(f, "in_use_source", drv.driver_source);
    wld_finding_var(f, "newest", wld_fact_str(newest, "version"));
    wld_finding_var(f, "newest_dir", wld_fact_str(newest, "dir"));
    wld_finding_var(f, "newest_date", wld_fact_str(newest, "date"));
    wld_finding_outcome(f, "stale_driver_store");
    return true;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    enum wld_platform p = ctx->platform;
    if (p != WLD_PLATFORM_WSL2) {
        wld_finding_var(f, "platform", wld_platform_name(p));
        wld_finding_outcome(f, "not_wsl2");
        return;
    }
    const cJSON *wsl = cJSON_GetObjectItemCaseSensitive(m, "wsl_lib");
    if (!wld_fact_bool(wsl, "present", false)) {
        const char *kind = wld_fact_str(wsl, "kind");
        wld_finding_var(f, "kind", kind);
        wld_finding_outcome(f, kind ? "wsl_lib_not_dir" : "wsl_lib_missing");
        return;
    }
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    for (size_t i = 0; i < WLD_ARRAY_SIZE(wsl_files); i++)
        if (wld_str_is(wld_fact_str(wsl, wsl_files[i]), "missing"))
            wld_buf_printf(&b, "%s%s", b.len ? ", " : "", wsl_files[i]);
    if (b.len) {
        wld_finding_var(f, "missing", b.data);
        wld_buf_release(&b);
        wld_finding_outcome(f, "wsl_lib_incomplete");
        return;
    }
    /* Linux driver packages: removal by name. */
    const cJSON *pkg, *pat;
    cJSON_ArrayForEach(pkg, cJSON_GetObjectItemCaseSensitive(m, "packages"))
    {
        cJSON_ArrayForEach(pat, wld_param(ctx, "driver_packages"))
        {
            if (cJSON_IsString(pat) && cJSON_IsString(pkg) &&
                fnmatch(pat->valuestring, pkg->valuestring, 0) == 0) {
                wld_buf_printf(&b, "%s%s", b.len ? " " : "", pkg->valuestring);
                break;
            }
        }
    }
    if (b.len) {
        wld_finding_var(f, "packages", b.data);
        wld_buf_release(&b);
        wld_finding_outcome(f, "linux_driver_packages");
        return;
    }
    /* Driver libraries on the search path: stubs first (they say so), then the others. */
    const cJSON *lib;
    struct wld_buf pkgs, files; /* owning packages; symlink targets to delete as well */
    wld_buf_init(&pkgs, 4096);
    wld_buf_init(&files, 4096);
    bool stub = false, wins = false;
    cJSON_ArrayForEach(lib, cJSON_GetObjectItemCaseSensitive(m, "foreign_libs"))
    {
        const char *owner = wld_fact_str(lib, "package");
        stub |= wld_fact_bool(lib, "stub", false);
        wins |= wld_fact_bool(lib, "before_wsl_lib", false);
        wld_buf_printf(&b, "%s%s", b.len ? " " : "", wld_fact_str(lib, "path"));
        const char *target = wld_fact_str(lib, "target");
        if (target && !strstr(files.data, target))
            wld_buf_printf(&files, " %s", target);
        if (owner && !strstr(pkgs.data, owner))
            wld_buf_printf(&pkgs, "%s%s", pkgs.len ? " " : "", owner);
    }
    if (b.len) {
        wld_finding_var(f, "files", b.data);
        wld_finding_var(f, "where", wins ? "before /usr/lib/wsl/lib" : "after /usr/lib/wsl/lib");
        if (pkgs.len)
            wld_finding_varf(f, "remove", "sudo apt-get remove --purge %s && sudo ldconfig",
                             pkgs.data);
        else
            wld_finding_varf(f, "remove", "sudo rm %s%s && sudo ldconfig", b.data, files.data);
        wld_buf_release(&b);
        wld_buf_release(&pkgs);
        wld_buf_release(&files);
        wld_finding_outcome(f, stub ? "stub_on_search_path" : "foreign_libs");
        return;
    }
    wld_buf_release(&pkgs);
    wld_buf_release(&files);
    const char *smi = wld_fact_str(m, "path_nvidia_smi");
    if (smi && strcmp(smi, WSL_LIB "/nvidia-smi") != 0) {
        const char *owner = wld_fact_str(m, "path_nvidia_smi_package");
        wld_finding_var(f, "smi", smi);
        if (owner)
            wld_finding_varf(f, "remove", "sudo apt-get remove --purge %s", owner);
        else
            wld_finding_varf(f, "remove", "sudo rm %s", smi);
        wld_buf_release(&b);
        wld_finding_outcome(f, "foreign_nvidia_smi");
        return;
    }
    wld_buf_release(&b);
    if (stale_store(ctx, f))
        return;
    wld_finding_outcome(f,
                        wld_str_is(wld_fact_str(wsl, "libcuda.so.1"), "file") ? "ok_copies" : "ok");
}

static const char *const outcomes[] = {
    "ok",
    "ok_copies",
    "not_wsl2",
    "wsl_lib_missing",
    "wsl_lib_not_dir",
    "wsl_lib_incomplete",
    "linux_driver_packages",
    "foreign_libs",
    "stub_on_search_path",
    "foreign_nvidia_smi",
    "stale_driver_store",
    NULL,
};
static const char *const params[] = { "driver_packages", NULL };
static const char *const needs[] = { "wsl.platform", "gpu.driver", NULL };

static const char *const fact_keys[] = { "foreign_libs", "wsl_lib", NULL };

const struct wld_check wld_check_gpu_wsl_libs = {
    .id = "gpu.wsl-libs",
    .title = "No Linux NVIDIA driver inside WSL",
    .looks_at = "/usr/lib/wsl/lib, dpkg status and file lists, libcuda/libnvidia-ml in the "
                "loader's search path (LD_LIBRARY_PATH, ld.so.conf), nvidia-smi on PATH, the "
                "CUDA driver packages in /usr/lib/wsl/drivers and their .inf DriverVer",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
