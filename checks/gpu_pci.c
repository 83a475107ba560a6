/* gpu.pci: the display and 3D controllers on the PCI bus, through libpci.
 *
 * Guards against misreading the GPU inventory: in WSL2 the GPU appears as Microsoft's
 * GPU-PV adapter 1414:008e ("Basic Render Driver"), never under its NVIDIA name, so
 * `lspci | grep -i nvidia` (or grep VGA) finds nothing on a healthy host. Natively an
 * NVIDIA adapter with no driver bound, or bound to nouveau, explains why CUDA sees no
 * device. The adapters are cross-checked with gpu.cuda: an adapter CUDA does not see is
 * explained, not just counted. libpci reads sysfs at the host root (DIR/sys/bus/pci
 * under --root) and names devices from the host's pci.ids. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/platform.h"

/* The bus as the run's inventory read it, kept as this check's evidence. */
static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, wld_inventory_get(ctx->inv, WLD_INV_PCI))
    {
        cJSON_AddItemToObject(facts, e->string, cJSON_Duplicate(e, true));
    }
    return 0;
}

static void describe(const cJSON *adapters, const cJSON *only, struct wld_buf *b)
{
    const cJSON *a;
    cJSON_ArrayForEach(a, adapters)
    {
        if (only && !wld_pci_is(a, only))
            continue;
        const char *drv = wld_fact_str(a, "driver");
        wld_buf_printf(b, "%s%s %s %s [%s:%s]%s%s", b->len ? "; " : "", wld_fact_str(a, "address"),
                       wld_fact_str(a, "vendor"), wld_fact_str(a, "device"),
                       wld_fact_str(a, "vendor_id"), wld_fact_str(a, "device_id"),
                       drv ? ", driver " : "", drv ? drv : "");
    }
}

/* CUDA's view: devices it enumerated, or -1 when it did not get that far. */
static int cuda_devices(const struct wld_eval_ctx *ctx)
{
    const cJSON *c = wld_facts_of(ctx, "gpu.cuda");
    const cJSON *init = cJSON_GetObjectItemCaseSensitive(c, "init");
    /* Only "no device" says something about the adapters; another error, or devices
     * hidden by CUDA_VISIBLE_DEVICES, is gpu.cuda's own story. */
    if (wld_fact_str(c, "cuda_visible_devices"))
        return -1;
    if (init && wld_fact_num(init, "code", -1) != 0)
        return wld_fact_num(init, "code", -1) == 100 ? 0 : -1;
    return (int) wld_fact_int(c, "device_count", 0, INT_MAX, -1);
}

/* "00000000:01:00.0" (CUDA) and "0000:01:00.0" (sysfs) name the same function. */
static bool same_bus_id(const char *a, const char *b)
{
    unsigned d1, b1, s1, f1, d2, b2, s2, f2;
    return a && b && sscanf(a, "%x:%x:%x.%x", &d1, &b1, &s1, &f1) == 4 &&
           sscanf(b, "%x:%x:%x.%x", &d2, &b2, &s2, &f2) == 4 && d1 == d2 && b1 == b2 && s1 == s2 &&
           f1 == f2;
}

static void evaluate_native(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *adapters = cJSON_GetObjectItemCaseSensitive(ctx->mine, "adapters");
    const cJSON *nv = wld_param(ctx, "nvidia_adapter");
    int nvidia = wld_pci_count(adapters, nv);
    int cuda = cuda_devices(ctx);
    struct wld_buf b;
    wld_buf_init(&b, 4096);
    if (nvidia == 0) {
        describe(adapters, NULL, &b);
        wld_finding_var(f, "adapters", b.len ? b.data : "no display controller at all");
        wld_buf_release(&b);
        wld_finding_outcome(f, "native_no_nvidia");
        return;
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, adapters)
    {
        const char *drv = wld_fact_str(a, "driver");
        if (!wld_pci_is(a, nv) || (drv && strcmp(drv, "nvidia") == 0))
            continue;
        wld_finding_var(f, "address", wld_fact_str(a, "address"));
        wld_finding_var(f, "name", wld_fact_str(a, "device"));
        wld_finding_var(f, "driver", drv ? drv : "none");
        wld_buf_release(&b);
        wld_finding_outcome(f, drv && strcmp(drv, "nouveau") == 0 ? "native_nouveau"
                               : drv                              ? "native_other_driver"
                                                                  : "native_unbound");
        return;
    }
    describe(adapters, nv, &b);
    wld_finding_var(f, "adapters", b.data);
    wld_buf_release(&b);
    wld_finding_var_num(f, "count", nvidia);
    wld_finding_var_num(f, "cuda", cuda);
    if (cuda >= 0 && cuda < nvidia) {
        /* Which adapters CUDA left out, by PCI address. */
        const cJSON *devs =
                cJSON_GetObjectItemCaseSensitive(wld_facts_of(ctx, "gpu.cuda"), "devices");
        wld_buf_init(&b, 1024);
        cJSON_ArrayForEach(a, adapters)
        {
            const cJSON *d;
            bool seen = false;
            if (!wld_pci_is(a, nv))
                continue;
            cJSON_ArrayForEach(d, devs) seen |=
                    same_bus_id(wld_fact_str(d, "pci_bus_id"), wld_fact_str(a, "address"));
            if (!seen)
                wld_buf_printf(&b, "%s%s", b.len ? ", " : "", wld_fact_str(a, "address"));
        }
        wld_finding_var(f, "unseen", b.len ? b.data : "unknown");
        wld_buf_release(&b);
        wld_finding_outcome(f, "native_cuda_sees_fewer");
        return;
    }
    wld_finding_outcome(f, "native_nvidia");
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    enum wld_platform p = ctx->platform;
    if (p == WLD_PLATFORM_WSL1) {
        wld_finding_outcome(f, "not_applicable_wsl1");
        return;
    }
    if (wld_fact_str(m, "libpci_missing")) {
        wld_finding_var(f, "error", wld_fact_str(m, "libpci_missing"));
        wld_finding_outcome(f, "libpci_missing");
        return;
    }
    if (wld_fact_str(m, "error")) {
        wld_finding_var(f, "error", wld_fact_str(m, "error"));
        wld_finding_var(f, "entry", wld_fact_str(m, "entry") ? wld_fact_str(m, "entry") : "");
        wld_finding_outcome(f, "libpci_failed");
        return;
    }
    bool bus = wld_fact_bool(m, "pci_bus", false);
    if (p != WLD_PLATFORM_WSL2) {
        if (!bus) {
            wld_finding_outcome(f, "native_no_pci_bus");
            return;
        }
        evaluate_native(ctx, f);
        return;
    }
    const cJSON *pv = wld_param(ctx, "gpupv_adapter");
    int gpupv = wld_pci_count(cJSON_GetObjectItemCaseSensitive(m, "adapters"), pv);
    int cuda = cuda_devices(ctx);
    wld_finding_var_num(f, "count", gpupv);
    wld_finding_var_num(f, "cuda", cuda);
    if (!bus || gpupv == 0) {
        wld_finding_outcome(f, bus ? "wsl_no_gpupv" : "wsl_no_pci_bus");
        return;
    }
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(m, "adapters"))
    {
        if (wld_pci_is(a, pv)) {
            wld_finding_var(f, "name", wld_fact_str(a, "device"));
            break;
        }
    }
    if (cuda == 0) {
        wld_finding_outcome(f, "wsl_gpupv_no_cuda");
        return;
    }
    if (cuda > 0 && cuda < gpupv) {
        wld_finding_outcome(f, "wsl_gpupv_more_than_cuda");
        return;
    }
    wld_finding_outcome(f, "wsl_gpupv");
}

static const char *const outcomes[] = {
    "wsl_gpupv",      "wsl_gpupv_no_cuda",   "wsl_gpupv_more_than_cuda", "wsl_no_gpupv",
    "wsl_no_pci_bus", "native_nvidia",       "native_no_nvidia",         "native_unbound",
    "native_nouveau", "native_other_driver", "native_cuda_sees_fewer",   "native_no_pci_bus",
    "libpci_failed",  "libpci_missing",      "not_applicable_wsl1",      NULL,
};
static const char *const needs[] = { "wsl.platform", "gpu.cuda", NULL };
static const char *const params[] = { "nvidia_adapter", "gpupv_adapter", NULL };

static const char *const fact_keys[] = { "pci_bus", NULL };

const struct wld_check wld_check_gpu_pci = {
    .id = "gpu.pci",
    .title = "GPU adapters on the PCI bus",
    .looks_at = "libpci over /sys/bus/pci (display and 3D controllers, their kernel driver), "
                "names from pci.ids; cross-checked with gpu.cuda",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
