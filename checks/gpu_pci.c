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
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gpu.h"
#include "wld/platform.h"

#define SYSFS_PCI    "/sys/bus/pci"
#define HOST_PCI_IDS "/usr/share/misc/pci.ids"
#define MAX_ADAPTERS 32

/* libpci reports fatal problems through a callback that must not return; it jumps back
 * to the gather that called libpci (one per thread). */
static _Thread_local jmp_buf pci_jump;
static _Thread_local char pci_message[256];

static void on_pci_error(char *msg, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void on_pci_error(char *msg, ...)
{
    va_list ap;
    va_start(ap, msg);
    vsnprintf(pci_message, sizeof(pci_message), msg, ap);
    va_end(ap);
    longjmp(pci_jump, 1);
}

static void on_pci_warning(char *msg, ...) __attribute__((format(printf, 1, 2)));
static void on_pci_warning(char *msg, ...)
{
    (void) msg;
}

/* libpci's sysfs scan stops the process when a device lacks one of these files, so a
 * tree that lacks them (a partial recording, an odd container) is refused up front.
 * Returns true with the offending entry in bad. */
static bool incomplete_device(const struct wld_host *h, char *bad, size_t n)
{
    static const char *const files[] = { "vendor", "device", "class", "irq", "resource" };
    char **names = NULL;
    bool found = false;
    if (wld_host_list(h, SYSFS_PCI "/devices", 1024, &names) < 0)
        return false;
    for (char **e = names; *e && !found; e++) {
        unsigned dom, bus, dev, fn;
        if (sscanf(*e, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4) {
            snprintf(bad, n, "%s", *e);
            found = true;
        }
        for (size_t i = 0; !found && i < WLD_ARRAY_SIZE(files); i++) {
            char *p = wld_xasprintf(SYSFS_PCI "/devices/%s/%s", *e, files[i]);
            if (!wld_host_exists(h, p)) {
                snprintf(bad, n, "%s/%s", *e, files[i]);
                found = true;
            }
            free(p);
        }
    }
    wld_strv_free(names);
    return found;
}

/* libpci reads sysfs and pci.ids itself, past the host: a layer over the host (the
 * recorder) is shown the files it reads through wld_host_capture(). */
static void capture_for_libpci(const struct wld_host *h)
{
    static const char *const files[] = { "vendor", "device", "class", "irq", "resource" };
    wld_host_capture_each(h, SYSFS_PCI "/devices", files, WLD_ARRAY_SIZE(files), WLD_CAP_SMALL);
    wld_host_capture(h, HOST_PCI_IDS, 8u * 1024u * 1024u);
}

static const char *class_kind(unsigned cls)
{
    switch (cls) {
    case 0x0300:
        return "VGA compatible controller";
    case 0x0301:
        return "XGA compatible controller";
    case 0x0302:
        return "3D controller";
    default:
        return "Display controller";
    }
}

static void
add_adapter(const struct wld_host *h, struct pci_access *pa, struct pci_dev *d, cJSON *list)
{
    char addr[32], buf[256];
    snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%d", d->domain, d->bus, d->dev, d->func);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "address", addr);
    snprintf(buf, sizeof(buf), "%04x", d->vendor_id);
    cJSON_AddStringToObject(a, "vendor_id", buf);
    snprintf(buf, sizeof(buf), "%04x", d->device_id);
    cJSON_AddStringToObject(a, "device_id", buf);
    cJSON_AddStringToObject(a, "class", class_kind(d->device_class));
    char *v = pci_lookup_name(pa, buf, sizeof(buf), PCI_LOOKUP_VENDOR, d->vendor_id);
    cJSON_AddStringToObject(a, "vendor", v ? v : "");
    v = pci_lookup_name(pa, buf, sizeof(buf), PCI_LOOKUP_DEVICE, d->vendor_id, d->device_id);
    cJSON_AddStringToObject(a, "device", v ? v : "");
    char *link = NULL, *p = wld_xasprintf(SYSFS_PCI "/devices/%s/driver", addr);
    if (wld_host_readlink(h, p, &link) == 0) {
        const char *slash = strrchr(link, '/');
        cJSON_AddStringToObject(a, "driver", slash ? slash + 1 : link);
        free(link);
    } else {
        cJSON_AddNullToObject(a, "driver");
    }
    free(p);
    cJSON_AddItemToArray(list, a);
}

static int by_address(const void *a, const void *b)
{
    const struct pci_dev *x = *(struct pci_dev *const *) a, *y = *(struct pci_dev *const *) b;
    unsigned kx[4] = { (unsigned) x->domain, x->bus, x->dev, x->func };
    unsigned ky[4] = { (unsigned) y->domain, y->bus, y->dev, y->func };
    for (int i = 0; i < 4; i++)
        if (kx[i] != ky[i])
            return kx[i] < ky[i] ? -1 : 1;
    return 0;
}

/* Runs libpci; returns 0, or -1 with facts.error set when libpci gave up. */
static int scan(const struct wld_host *h, cJSON *facts)
{
    char *sysfs = NULL, *ids = NULL;
    struct pci_access *volatile pa = NULL;
    volatile int r = 0;
    wld_host_real_path(h, SYSFS_PCI, &sysfs);
    /* the host's own name database, or none: never another machine's (a fixture's host is
     * not this one), and never udev's hwdb, which libpci reads past the host */
    if (wld_host_exists(h, HOST_PCI_IDS))
        wld_host_real_path(h, HOST_PCI_IDS, &ids);
    else
        ids = wld_xstrdup("/nonexistent/pci.ids");
    cJSON *list = cJSON_AddArrayToObject(facts, "adapters");
    if (setjmp(pci_jump) != 0) {
        cJSON_AddStringToObject(facts, "error", pci_message);
        r = -1;
        goto out;
    }
    pa = pci_alloc();
    pa->error = on_pci_error;
    pa->warning = on_pci_warning;
    pa->debug = on_pci_warning;
    pa->method = PCI_ACCESS_SYS_BUS_PCI;
    pci_set_param(pa, "sysfs.path", sysfs);
    pci_set_param(pa, "hwdb.disable", "1");
    pci_set_name_list_path(pa, ids, 0);
    pci_init(pa);
    pci_scan_bus(pa);
    /* libpci lists devices in directory order, which differs between file systems:
     * report them by address. */
    struct pci_dev *devs[MAX_ADAPTERS];
    size_t n = 0;
    for (struct pci_dev *d = pa->devices; d && n < MAX_ADAPTERS; d = d->next) {
        pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
        if ((d->device_class >> 8) == 0x03)
            devs[n++] = d;
    }
    qsort(devs, n, sizeof(devs[0]), by_address);
    for (size_t i = 0; i < n; i++)
        add_adapter(h, pa, devs[i], list);
out:
    if (pa && r == 0)
        pci_cleanup(pa);
    free(sysfs);
    free(ids);
    return r;
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    if (!wld_host_is_dir(h, SYSFS_PCI "/devices")) {
        cJSON_AddBoolToObject(facts, "pci_bus", false);
        return 0;
    }
    cJSON_AddBoolToObject(facts, "pci_bus", true);
    char bad[256];
    if (incomplete_device(h, bad, sizeof(bad))) {
        cJSON_AddStringToObject(facts, "error", "incomplete sysfs device entry");
        cJSON_AddStringToObject(facts, "entry", bad);
        return 0;
    }
    capture_for_libpci(h);
    scan(h, facts); /* what the adapters are is evaluate()'s to say, by the rules' ids */
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
    char decided[256];
    enum wld_platform p =
            wld_platform_of(wld_facts_of(ctx, "wsl.platform"), decided, sizeof(decided));
    if (p == WLD_PLATFORM_WSL1) {
        wld_finding_outcome(f, "not_applicable_wsl1");
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
    "wsl_gpupv",           "wsl_gpupv_no_cuda",      "wsl_gpupv_more_than_cuda",
    "wsl_no_gpupv",        "wsl_no_pci_bus",         "native_nvidia",
    "native_no_nvidia",    "native_unbound",         "native_nouveau",
    "native_other_driver", "native_cuda_sees_fewer", "native_no_pci_bus",
    "libpci_failed",       "not_applicable_wsl1",    NULL,
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
