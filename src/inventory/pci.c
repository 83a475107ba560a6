/* The display and 3D controllers on the host's PCI bus, through libpci (see wld/pci.h).
 * libpci reads sysfs at the host root (DIR/sys/bus/pci under --root) and names devices
 * from the host's own pci.ids, never udev's hwdb or another machine's database. libpci is
 * loaded when gpu.pci first scans (wld/dynlib.h), not linked: with libudev and zlib it cost
 * every start 0.5 ms, and only gpu.pci reads it. */
#include "wld/pci.h"

#include <limits.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/dynlib.h"
#include "wld/util.h"

#define SYSFS_PCI    "/sys/bus/pci"
#define HOST_PCI_IDS "/usr/share/misc/pci.ids"
#define MAX_ADAPTERS 32

/* The functions used, by the names libpci exports (dlsym gives each one's default version,
 * the one these headers declare). */
struct pci_api {
    struct pci_access *(*alloc)(void);
    void (*init)(struct pci_access *a);
    void (*cleanup)(struct pci_access *a);
    void (*scan_bus)(struct pci_access *a);
    int (*fill_info)(struct pci_dev *d, int flags);
    char *(*lookup_name)(struct pci_access *a, char *buf, int size, int flags, ...);
    int (*set_param)(struct pci_access *a, char *param, char *value);
    void (*set_name_list_path)(struct pci_access *a, char *name, int to_be_freed);
};
static struct pci_api pci;

#define SYM(f) WLD_DYNSYM(struct pci_api, "pci_", f)
static const struct wld_dynsym pci_syms[] = { SYM(alloc),     SYM(init),
                                              SYM(cleanup),   SYM(scan_bus),
                                              SYM(fill_info), SYM(lookup_name),
                                              SYM(set_param), SYM(set_name_list_path) };
#undef SYM

static struct wld_dynlib pci_lib = { .soname = "libpci.so.3",
                                     .syms = pci_syms,
                                     .n_syms = WLD_ARRAY_SIZE(pci_syms),
                                     .table = &pci,
                                     .mu = PTHREAD_MUTEX_INITIALIZER };

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
    char *v = pci.lookup_name(pa, buf, sizeof(buf), PCI_LOOKUP_VENDOR, d->vendor_id);
    cJSON_AddStringToObject(a, "vendor", v ? v : "");
    v = pci.lookup_name(pa, buf, sizeof(buf), PCI_LOOKUP_DEVICE, d->vendor_id, d->device_id);
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
    const char *missing = wld_dynlib_load(&pci_lib);
    if (missing) { /* the loader's reason: gpu.pci says what to install */
        cJSON_AddStringToObject(facts, "libpci_missing", missing);
        r = -1;
        goto out;
    }
    if (setjmp(pci_jump) != 0) {
        cJSON_AddStringToObject(facts, "error", pci_message);
        r = -1;
        goto out;
    }
    pa = pci.alloc();
    pa->error = on_pci_error;
    pa->warning = on_pci_warning;
    pa->debug = on_pci_warning;
    pa->method = PCI_ACCESS_SYS_BUS_PCI;
    pci.set_param(pa, "sysfs.path", sysfs);
    pci.set_param(pa, "hwdb.disable", "1");
    pci.set_name_list_path(pa, ids, 0);
    pci.init(pa);
    pci.scan_bus(pa);
    /* libpci lists devices in directory order, which differs between file systems:
     * report them by address. */
    struct pci_dev *devs[MAX_ADAPTERS];
    size_t n = 0;
    for (struct pci_dev *d = pa->devices; d && n < MAX_ADAPTERS; d = d->next) {
        pci.fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
        if ((d->device_class >> 8) == 0x03)
            devs[n++] = d;
    }
    qsort(devs, n, sizeof(devs[0]), by_address);
    for (size_t i = 0; i < n; i++)
        add_adapter(h, pa, devs[i], list);
out:
    if (pa && r == 0)
        pci.cleanup(pa);
    free(sysfs);
    free(ids);
    return r;
}

void wld_pci_gather(const struct wld_host *h, cJSON *facts)
{
    if (!wld_host_is_dir(h, SYSFS_PCI "/devices")) {
        cJSON_AddBoolToObject(facts, "pci_bus", false);
        return;
    }
    cJSON_AddBoolToObject(facts, "pci_bus", true);
    char bad[256];
    if (incomplete_device(h, bad, sizeof(bad))) {
        cJSON_AddStringToObject(facts, "error", "incomplete sysfs device entry");
        cJSON_AddStringToObject(facts, "entry", bad);
        return;
    }
    capture_for_libpci(h);
    scan(h, facts); /* what the adapters are is evaluate()'s to say, by the rules' ids */
}
