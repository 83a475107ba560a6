/* A fake NVIDIA user-mode driver for fixture hosts: the driver-API and NVML functions the
 * doctor's CUDA probe calls, behaving as a fixture says. The test build stages this
 * library over each fixture file that starts with "#!fake libcuda" (or libnvidia-ml) and
 * keeps that text beside it as FILE.fake; the library finds its own path with dladdr and
 * reads FILE.fake on first use. Keys (one per line, '#' comments):
 *
 *   init=0|100|35|999|...|crash|hang   what cuInit does
 *   cuda_version=12070                 cuDriverGetVersion
 *   device=NAME|CC|TOTAL_MIB|FREE_MIB|PCI_BUS_ID|UUID   one line per device
 *   ctx=0  alloc=0  verify=ok|mismatch  what --functional meets
 *   driver=566.36                      nvmlSystemGetDriverVersion
 *   include=libcuda.so.1               also read that file's .fake (same directory)
 *
 * Built twice: as is, and with FAKE_WITHOUT_TOTALMEM (a library missing a required
 * driver-API function). */
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEV 8

struct fake_device {
    char name[128];
    int major, minor;
    unsigned long long total_mib, free_mib;
    char pci[32];
    char uuid[64];
};

static struct {
    int loaded;
    char init[32];
    int cuda_version;
    int ndev;
    struct fake_device dev[MAX_DEV];
    int ctx, alloc;
    int mismatch;
    char driver[64];
} cfg;

/* The fixture's value into a fixed field; a value too long is cut (fixtures keep them
 * short, and a test that needs a long name sees where it stopped). */
static void copy_field(char *dst, size_t n, const char *src)
{
    size_t len = strnlen(src, n - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void parse_device(const char *v)
{
    if (cfg.ndev >= MAX_DEV)
        return;
    struct fake_device *d = &cfg.dev[cfg.ndev++];
    char buf[512];
    copy_field(buf, sizeof(buf), v);
    char *field[6] = { 0 };
    int n = 0;
    for (char *p = buf; n < 6;) {
        field[n++] = p;
        char *bar = strchr(p, '|');
        if (!bar)
            break;
        *bar = '\0';
        p = bar + 1;
    }
    copy_field(d->name, sizeof(d->name), field[0] ? field[0] : "");
    if (field[1])
        sscanf(field[1], "%d.%d", &d->major, &d->minor);
    if (field[2])
        d->total_mib = strtoull(field[2], NULL, 10);
    if (field[3])
        d->free_mib = strtoull(field[3], NULL, 10);
    copy_field(d->pci, sizeof(d->pci), field[4] ? field[4] : "");
    copy_field(d->uuid, sizeof(d->uuid), field[5] ? field[5] : "");
}

static void read_config(const char *path, int depth)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    if (!f)
        return;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *eq = strchr(line, '=');
        if (line[0] == '#' || !eq)
            continue;
        *eq = '\0';
        const char *k = line, *v = eq + 1;
        if (strcmp(k, "init") == 0)
            snprintf(cfg.init, sizeof(cfg.init), "%s", v);
        else if (strcmp(k, "cuda_version") == 0)
            cfg.cuda_version = atoi(v);
        else if (strcmp(k, "device") == 0)
            parse_device(v);
        else if (strcmp(k, "ctx") == 0)
            cfg.ctx = atoi(v);
        else if (strcmp(k, "alloc") == 0)
            cfg.alloc = atoi(v);
        else if (strcmp(k, "verify") == 0)
            cfg.mismatch = strcmp(v, "mismatch") == 0;
        else if (strcmp(k, "driver") == 0)
            snprintf(cfg.driver, sizeof(cfg.driver), "%s", v);
        else if (strcmp(k, "include") == 0 && depth < 2) {
            char other[4096];
            const char *slash = strrchr(path, '/');
            int dirlen = slash ? (int) (slash - path) : 0;
            snprintf(other, sizeof(other), "%.*s/%s.fake", dirlen, path, v);
            read_config(other, depth + 1);
        }
    }
    fclose(f);
}

static void load(void)
{
    Dl_info info;
    char path[4096];
    if (cfg.loaded)
        return;
    cfg.loaded = 1;
    snprintf(cfg.init, sizeof(cfg.init), "0");
    /* the file itself, not the link the loader found it through (Debian's
     * libcuda.so.1 -> nvidia/current/libcuda.so.1): FILE.fake is beside the file */
    if (dladdr((void *) &cfg, &info) && info.dli_fname) {
        char *real = realpath(info.dli_fname, NULL);
        snprintf(path, sizeof(path), "%s.fake", real ? real : info.dli_fname);
        free(real);
        read_config(path, 0);
    }
}

/* ---- driver API ---- */
typedef int CUresult;

CUresult cuInit(unsigned flags);
CUresult cuInit(unsigned flags)
{
    (void) flags;
    load();
    if (strcmp(cfg.init, "crash") == 0)
        raise(SIGSEGV);
    if (strcmp(cfg.init, "hang") == 0)
        for (;;)
            pause();
    return atoi(cfg.init);
}

CUresult cuGetErrorName(CUresult code, const char **name);
CUresult cuGetErrorName(CUresult code, const char **name)
{
    static const struct {
        int code;
        const char *name;
    } names[] = { { 2, "CUDA_ERROR_OUT_OF_MEMORY" },       { 34, "CUDA_ERROR_STUB_LIBRARY" },
                  { 46, "CUDA_ERROR_DEVICE_UNAVAILABLE" }, { 100, "CUDA_ERROR_NO_DEVICE" },
                  { 304, "CUDA_ERROR_OPERATING_SYSTEM" },  { 999, "CUDA_ERROR_UNKNOWN" } };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].code == code) {
            *name = names[i].name;
            return 0;
        }
    return 1; /* CUDA_ERROR_INVALID_VALUE, as the real one for a code it does not know */
}

CUresult cuDriverGetVersion(int *v);
CUresult cuDriverGetVersion(int *v)
{
    load();
    *v = cfg.cuda_version;
    return 0;
}

CUresult cuDeviceGetCount(int *n);
CUresult cuDeviceGetCount(int *n)
{
    *n = cfg.ndev;
    return 0;
}

CUresult cuDeviceGet(int *dev, int ordinal);
CUresult cuDeviceGet(int *dev, int ordinal)
{
    if (ordinal < 0 || ordinal >= cfg.ndev)
        return 101; /* CUDA_ERROR_INVALID_DEVICE */
    *dev = ordinal;
    return 0;
}

CUresult cuDeviceGetName(char *name, int len, int dev);
CUresult cuDeviceGetName(char *name, int len, int dev)
{
    snprintf(name, (size_t) len, "%s", cfg.dev[dev].name);
    return 0;
}

CUresult cuDeviceGetAttribute(int *value, int attr, int dev);
CUresult cuDeviceGetAttribute(int *value, int attr, int dev)
{
    if (attr == 75)
        *value = cfg.dev[dev].major;
    else if (attr == 76)
        *value = cfg.dev[dev].minor;
    else
        return 1;
    return 0;
}

#ifndef FAKE_WITHOUT_TOTALMEM
CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev);
CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev)
{
    *bytes = (size_t) cfg.dev[dev].total_mib << 20;
    return 0;
}
#endif

CUresult cuDeviceGetPCIBusId(char *id, int len, int dev);
CUresult cuDeviceGetPCIBusId(char *id, int len, int dev)
{
    snprintf(id, (size_t) len, "%s", cfg.dev[dev].pci);
    return 0;
}

CUresult cuDeviceGetUuid(unsigned char *uuid, int dev);
CUresult cuDeviceGetUuid(unsigned char *uuid, int dev)
{
    const char *s = cfg.dev[dev].uuid;
    int k = 0;
    if (strncmp(s, "GPU-", 4) == 0)
        s += 4;
    for (; *s && k < 16; s++) {
        unsigned v;
        if (*s == '-' || sscanf(s, "%2x", &v) != 1)
            continue;
        uuid[k++] = (unsigned char) v;
        s++;
    }
    while (k < 16)
        uuid[k++] = 0;
    return 0;
}

static int current = -1;

CUresult cuCtxCreate_v2(void **ctx, unsigned flags, int dev);
CUresult cuCtxCreate_v2(void **ctx, unsigned flags, int dev)
{
    (void) flags;
    if (cfg.ctx)
        return cfg.ctx;
    current = dev;
    *ctx = &cfg.dev[dev];
    return 0;
}

CUresult cuCtxDestroy_v2(void *ctx);
CUresult cuCtxDestroy_v2(void *ctx)
{
    (void) ctx;
    current = -1;
    return 0;
}

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total_bytes);
CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total_bytes)
{
    if (current < 0)
        return 201; /* CUDA_ERROR_INVALID_CONTEXT */
    *free_bytes = (size_t) cfg.dev[current].free_mib << 20;
    *total_bytes = (size_t) cfg.dev[current].total_mib << 20;
    return 0;
}

CUresult cuMemAlloc_v2(unsigned long long *ptr, size_t bytes);
CUresult cuMemAlloc_v2(unsigned long long *ptr, size_t bytes)
{
    if (cfg.alloc)
        return cfg.alloc;
    void *p = malloc(bytes);
    if (!p)
        return 2;
    *ptr = (unsigned long long) (uintptr_t) p;
    return 0;
}

CUresult cuMemFree_v2(unsigned long long ptr);
CUresult cuMemFree_v2(unsigned long long ptr)
{
    free((void *) (uintptr_t) ptr);
    return 0;
}

CUresult cuMemcpyHtoD_v2(unsigned long long dst, const void *src, size_t bytes);
CUresult cuMemcpyHtoD_v2(unsigned long long dst, const void *src, size_t bytes)
{
    memcpy((void *) (uintptr_t) dst, src, bytes);
    if (cfg.mismatch && bytes > 0)
        ((unsigned char *) (uintptr_t) dst)[bytes / 2] ^= 0x40;
    return 0;
}

CUresult cuMemcpyDtoH_v2(void *dst, unsigned long long src, size_t bytes);
CUresult cuMemcpyDtoH_v2(void *dst, unsigned long long src, size_t bytes)
{
    memcpy(dst, (const void *) (uintptr_t) src, bytes);
    return 0;
}

/* ---- NVML ---- */
typedef struct {
    unsigned long long total, free, used;
} nvmlMemory_t;

int nvmlInit_v2(void);
int nvmlInit_v2(void)
{
    load();
    return 0;
}

int nvmlShutdown(void);
int nvmlShutdown(void)
{
    return 0;
}

int nvmlSystemGetDriverVersion(char *version, unsigned len);
int nvmlSystemGetDriverVersion(char *version, unsigned len)
{
    if (!cfg.driver[0])
        return 3; /* NVML_ERROR_NOT_SUPPORTED */
    snprintf(version, len, "%s", cfg.driver);
    return 0;
}

int nvmlDeviceGetHandleByUUID(const char *uuid, void **dev);
int nvmlDeviceGetHandleByUUID(const char *uuid, void **dev)
{
    for (int i = 0; i < cfg.ndev; i++)
        if (strcmp(cfg.dev[i].uuid, uuid) == 0) {
            *dev = &cfg.dev[i];
            return 0;
        }
    return 6; /* NVML_ERROR_NOT_FOUND */
}

int nvmlDeviceGetMemoryInfo(void *dev, nvmlMemory_t *m);
int nvmlDeviceGetMemoryInfo(void *dev, nvmlMemory_t *m)
{
    const struct fake_device *d = dev;
    m->total = d->total_mib << 20;
    m->free = d->free_mib << 20;
    m->used = m->total - m->free;
    return 0;
}
