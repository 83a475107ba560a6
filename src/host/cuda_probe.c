/* The CUDA driver probe's helper (see wld/cuda_probe.h): it runs in its own process and
 * talks to libcuda through the handful of driver-API functions it declares here: the
 * doctor never includes cuda.h and never links libcuda. */
#include "wld/cuda_probe.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "wld/check.h"
#include "wld/proc.h"
#include "wld/util.h"

/* ---- the few driver-API types used (values from NVIDIA's cuda.h) ---- */
typedef int CUresult;
typedef int CUdevice;
typedef void *CUcontext;
typedef unsigned long long CUdeviceptr;
typedef struct {
    unsigned char bytes[16];
} CUuuid;
enum {
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
};

/* Field names are the exported symbol names, so the events name the real function. */
struct cuda_api {
    CUresult (*cuInit)(unsigned flags);
    CUresult (*cuDriverGetVersion)(int *version);
    CUresult (*cuDeviceGetCount)(int *count);
    CUresult (*cuDeviceGet)(CUdevice *dev, int ordinal);
    CUresult (*cuDeviceGetName)(char *name, int len, CUdevice dev);
    CUresult (*cuDeviceGetAttribute)(int *value, int attribute, CUdevice dev);
    CUresult (*cuDeviceTotalMem_v2)(size_t *bytes, CUdevice dev);
    CUresult (*cuGetErrorName)(CUresult code, const char **name);
    CUresult (*cuDeviceGetPCIBusId)(char *id, int len, CUdevice dev);
    CUresult (*cuDeviceGetUuid)(CUuuid *uuid, CUdevice dev);
    CUresult (*cuCtxCreate_v2)(CUcontext *ctx, unsigned flags, CUdevice dev);
    CUresult (*cuCtxDestroy_v2)(CUcontext ctx);
    CUresult (*cuMemGetInfo_v2)(size_t *free_bytes, size_t *total_bytes);
    CUresult (*cuMemAlloc_v2)(CUdeviceptr *ptr, size_t bytes);
    CUresult (*cuMemFree_v2)(CUdeviceptr ptr);
    CUresult (*cuMemcpyHtoD_v2)(CUdeviceptr dst, const void *src, size_t bytes);
    CUresult (*cuMemcpyDtoH_v2)(void *dst, CUdeviceptr src, size_t bytes);
};

/* NVML, for free memory without creating a context and for the driver version. */
typedef int nvmlReturn_t;
typedef void *nvmlDevice_t;
typedef struct {
    unsigned long long total, free, used;
} nvmlMemory_t;
struct nvml_api {
    nvmlReturn_t (*nvmlInit_v2)(void);
    nvmlReturn_t (*nvmlShutdown)(void);
    nvmlReturn_t (*nvmlSystemGetDriverVersion)(char *version, unsigned len);
    nvmlReturn_t (*nvmlDeviceGetHandleByUUID)(const char *uuid, nvmlDevice_t *dev);
    nvmlReturn_t (*nvmlDeviceGetMemoryInfo)(nvmlDevice_t dev, nvmlMemory_t *mem);
};

enum need { REQUIRED, OPTIONAL, FUNCTIONAL };
struct sym {
    const char *name;
    size_t offset;
    enum need need;
};

#define CUDA_SYM(f, need)                      \
    {                                          \
#        f, offsetof(struct cuda_api, f), need \
    }
static const struct sym cuda_syms[] = {
    CUDA_SYM(cuInit, REQUIRED),
    CUDA_SYM(cuDriverGetVersion, REQUIRED),
    CUDA_SYM(cuDeviceGetCount, REQUIRED),
    CUDA_SYM(cuDeviceGet, REQUIRED),
    CUDA_SYM(cuDeviceGetName, REQUIRED),
    CUDA_SYM(cuDeviceGetAttribute, REQUIRED),
    CUDA_SYM(cuDeviceTotalMem_v2, REQUIRED),
    CUDA_SYM(cuGetErrorName, OPTIONAL),
    CUDA_SYM(cuDeviceGetPCIBusId, OPTIONAL),
    CUDA_SYM(cuDeviceGetUuid, OPTIONAL),
    CUDA_SYM(cuCtxCreate_v2, FUNCTIONAL),
    CUDA_SYM(cuCtxDestroy_v2, FUNCTIONAL),
    CUDA_SYM(cuMemGetInfo_v2, FUNCTIONAL),
    CUDA_SYM(cuMemAlloc_v2, FUNCTIONAL),
    CUDA_SYM(cuMemFree_v2, FUNCTIONAL),
    CUDA_SYM(cuMemcpyHtoD_v2, FUNCTIONAL),
    CUDA_SYM(cuMemcpyDtoH_v2, FUNCTIONAL),
};
#define NVML_SYM(f)                                \
    {                                              \
#        f, offsetof(struct nvml_api, f), REQUIRED \
    }
static const struct sym nvml_syms[] = {
    NVML_SYM(nvmlInit_v2),
    NVML_SYM(nvmlShutdown),
    NVML_SYM(nvmlSystemGetDriverVersion),
    NVML_SYM(nvmlDeviceGetHandleByUUID),
    NVML_SYM(nvmlDeviceGetMemoryInfo),
};

/* dlsym returns a data pointer; ISO C has no conversion to a function pointer, so the
 * bits are copied (POSIX guarantees they are the same size and representation). */
_Static_assert(sizeof(void *) == sizeof(CUresult(*)(unsigned)), "function pointers");

/* ---- helper side ---- */

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t) w;
    }
}

static cJSON *event(const char *name)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ev", name);
    return o;
}

static void emit(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    if (s) {
        write_all(s, strlen(s));
        write_all("\n", 1);
        free(s);
    }
    cJSON_Delete(o);
}

/* Resolves syms into api; returns the number of missing symbols of the wanted needs and
 * lists them in missing (may be NULL). */
static int
resolve(void *h, const struct sym *syms, size_t n, void *api, bool functional, cJSON *missing)
{
    int absent = 0;
    for (size_t i = 0; i < n; i++) {
        void *p = dlsym(h, syms[i].name);
        memcpy((char *) api + syms[i].offset, &p, sizeof(p));
        bool wanted = syms[i].need == REQUIRED || (functional && syms[i].need == FUNCTIONAL);
        if (!p && wanted) {
            absent++;
            if (missing)
                cJSON_AddItemToArray(missing, cJSON_CreateString(syms[i].name));
        }
    }
    return absent;
}

static const struct cuda_api *g_api;

static void announce(const char *fn, int dev)
{
    cJSON *o = event("call");
    cJSON_AddStringToObject(o, "fn", fn);
    if (dev >= 0)
        cJSON_AddNumberToObject(o, "device", dev);
    emit(o);
}

static CUresult report(const char *fn, int dev, CUresult r)
{
    cJSON *o = event("ret");
    cJSON_AddStringToObject(o, "fn", fn);
    cJSON_AddNumberToObject(o, "code", r);
    if (dev >= 0)
        cJSON_AddNumberToObject(o, "device", dev);
    const char *name = NULL;
    if (r != 0 && g_api->cuGetErrorName && g_api->cuGetErrorName(r, &name) == 0 && name)
        cJSON_AddStringToObject(o, "name", name);
    emit(o);
    return r;
}

/* Announces a driver call, makes it, reports what it returned. */
#define CALL(fn, dev, ...) (announce(#fn, dev), report(#fn, dev, g_api->fn(__VA_ARGS__)))

static void format_uuid(const CUuuid *u, char *out, size_t n)
{
    const unsigned char *b = u->bytes;
    snprintf(out, n, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static void *open_lib(const char *path, char *file, size_t n, char *err, size_t errn)
{
    dlerror();
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(err, errn, "%s", e ? e : "dlopen failed");
        return NULL;
    }
    struct link_map *lm = NULL;
    snprintf(file, n, "%s", path);
    if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0])
        snprintf(file, n, "%s", lm->l_name);
    return h;
}

struct device {
    CUdevice dev;
    char uuid[64];
};

static void emit_memory(int index, double free_bytes, double total_bytes, const char *source)
{
    cJSON *o = event("memory");
    cJSON_AddNumberToObject(o, "index", index);
    cJSON_AddNumberToObject(o, "free_bytes", free_bytes);
    cJSON_AddNumberToObject(o, "total_bytes", total_bytes);
    cJSON_AddStringToObject(o, "source", source);
    emit(o);
}

static void
probe_nvml(char **cands, size_t ncand, const char *cuda_file, struct device *devs, int ndev)
{
    char file[4096], err[512], beside[4096];
    void *h = NULL;
    cJSON *o = event("nvml");
    cJSON *errors = cJSON_AddArrayToObject(o, "load_errors");
    char *dir = wld_path_dirname(cuda_file);
    snprintf(beside, sizeof(beside), "%s/libnvidia-ml.so.1", dir);
    free(dir);
    if (beside[0] == '/')
        h = open_lib(beside, file, sizeof(file), err, sizeof(err));
    for (size_t i = 0; !h && i < ncand; i++) {
        h = open_lib(cands[i], file, sizeof(file), err, sizeof(err));
        if (!h) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "path", cands[i]);
            cJSON_AddStringToObject(e, "error", err);
            cJSON_AddItemToArray(errors, e);
        }
    }
    struct nvml_api nv;
    if (!h || resolve(h, nvml_syms, WLD_ARRAY_SIZE(nvml_syms), &nv, false, NULL) > 0) {
        cJSON_AddStringToObject(o, "error", h ? "missing symbols" : "not loaded");
        emit(o);
        return;
    }
    cJSON_AddStringToObject(o, "path", file);
    emit(o);
    announce("nvmlInit_v2", -1);
    nvmlReturn_t r = nv.nvmlInit_v2();
    o = event("ret");
    cJSON_AddStringToObject(o, "fn", "nvmlInit_v2");
    cJSON_AddNumberToObject(o, "code", r);
    emit(o);
    if (r != 0)
        return;
    char version[96] = "";
    if (nv.nvmlSystemGetDriverVersion(version, sizeof(version)) == 0) {
        version[sizeof(version) - 1] = '\0';
        o = event("nvml");
        cJSON_AddStringToObject(o, "driver_version", version);
        emit(o);
    }
    for (int i = 0; i < ndev; i++) {
        nvmlDevice_t d;
        nvmlMemory_t m;
        if (!devs[i].uuid[0] || nv.nvmlDeviceGetHandleByUUID(devs[i].uuid, &d) != 0 ||
            nv.nvmlDeviceGetMemoryInfo(d, &m) != 0)
            continue;
        emit_memory(i, (double) m.free, (double) m.total, "libnvidia-ml");
    }
    nv.nvmlShutdown();
}

static void functional(struct device *d, int index)
{
    const size_t bytes = WLD_CUDA_FUNCTIONAL_BYTES;
    cJSON *o = event("functional");
    cJSON_AddNumberToObject(o, "index", index);
    cJSON_AddNumberToObject(o, "bytes", (double) bytes);
    CUcontext ctx = NULL;
    CUdeviceptr ptr = 0;
    unsigned char *src = NULL, *back = NULL;
    const char *step = "cuCtxCreate_v2";
    bool verified = false;
    CUresult r = CALL(cuCtxCreate_v2, index, &ctx, 0, d->dev);
    if (r != 0)
        goto out;
    size_t free_b = 0, total_b = 0;
    step = "cuMemGetInfo_v2";
    if ((r = CALL(cuMemGetInfo_v2, index, &free_b, &total_b)) != 0)
        goto out;
    emit_memory(index, (double) free_b, (double) total_b, "libcuda");
    step = "cuMemAlloc_v2";
    if ((r = CALL(cuMemAlloc_v2, index, &ptr, bytes)) != 0)
        goto out;
    src = wld_xmalloc(bytes);
    back = wld_xcalloc(1, bytes);
    uint32_t x = 0x9e3779b9u ^ (uint32_t) index;
    for (size_t i = 0; i < bytes; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        src[i] = (unsigned char) x;
    }
    double t0 = wld_now_ms();
    step = "cuMemcpyHtoD_v2";
    if ((r = CALL(cuMemcpyHtoD_v2, index, ptr, src, bytes)) != 0)
        goto out;
    double t1 = wld_now_ms();
    step = "cuMemcpyDtoH_v2";
    if ((r = CALL(cuMemcpyDtoH_v2, index, back, ptr, bytes)) != 0)
        goto out;
    double t2 = wld_now_ms();
    cJSON_AddNumberToObject(o, "h2d_ms", round((t1 - t0) * 100) / 100);
    cJSON_AddNumberToObject(o, "d2h_ms", round((t2 - t1) * 100) / 100);
    verified = memcmp(src, back, bytes) == 0;
    cJSON_AddStringToObject(o, "verify", verified ? "ok" : "mismatch");
    step = NULL;
out:
    if (step) {
        cJSON_AddStringToObject(o, "fn", step);
        cJSON_AddNumberToObject(o, "code", r);
    }
    cJSON_AddBoolToObject(o, "ok", !step && verified);
    if (ptr)
        CALL(cuMemFree_v2, index, ptr);
    if (ctx)
        CALL(cuCtxDestroy_v2, index, ctx);
    free(src);
    free(back);
    emit(o);
}

static void run_probe(char **libs, size_t nlibs, char **nvml, size_t nnvml, bool want_functional)
{
    char file[4096], err[1024];
    void *h = NULL;
    size_t i;
    for (i = 0; i < nlibs && !h; i++) {
        h = open_lib(libs[i], file, sizeof(file), err, sizeof(err));
        if (!h) {
            cJSON *o = event("load_error");
            cJSON_AddStringToObject(o, "path", libs[i]);
            cJSON_AddStringToObject(o, "error", err);
            emit(o);
        }
    }
    if (!h)
        return;
    cJSON *o = event("loaded");
    cJSON_AddStringToObject(o, "path", libs[i - 1]);
    cJSON_AddStringToObject(o, "file", file);
    emit(o);

    static struct cuda_api api;
    g_api = &api;
    cJSON *missing = cJSON_CreateArray();
    if (resolve(h, cuda_syms, WLD_ARRAY_SIZE(cuda_syms), &api, want_functional, missing) > 0) {
        o = event("missing");
        cJSON_AddItemToObject(o, "symbols", missing);
        emit(o);
        return;
    }
    cJSON_Delete(missing);

    /* cuDriverGetVersion needs no cuInit: a libcuda with no device or no kernel module
     * behind it (the real 535 one answers 12020 after cuInit's CUDA_ERROR_NO_DEVICE) still
     * says which CUDA it supports, so it is asked whatever cuInit returned. */
    CUresult init = CALL(cuInit, -1, 0);
    int version = 0, count = 0;
    if (CALL(cuDriverGetVersion, -1, &version) == 0) {
        o = event("driver");
        cJSON_AddNumberToObject(o, "cuda_version", version);
        emit(o);
    }
    if (init != 0 || CALL(cuDeviceGetCount, -1, &count) != 0)
        return;
    o = event("count");
    cJSON_AddNumberToObject(o, "value", count);
    emit(o);
    if (count < 0)
        count = 0;
    if (count > WLD_CUDA_MAX_DEVICES)
        count = WLD_CUDA_MAX_DEVICES;
    struct device devs[WLD_CUDA_MAX_DEVICES];
    memset(devs, 0, sizeof(devs));
    for (int d = 0; d < count; d++) {
        char name[256] = "";
        int major = -1, minor = -1;
        size_t total = 0;
        if (CALL(cuDeviceGet, d, &devs[d].dev, d) != 0)
            continue;
        CALL(cuDeviceGetName, d, name, (int) sizeof(name), devs[d].dev);
        name[sizeof(name) - 1] = '\0';
        CALL(cuDeviceGetAttribute, d, &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
             devs[d].dev);
        CALL(cuDeviceGetAttribute, d, &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
             devs[d].dev);
        CALL(cuDeviceTotalMem_v2, d, &total, devs[d].dev);
        o = event("device");
        cJSON_AddNumberToObject(o, "index", d);
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddNumberToObject(o, "cc_major", major);
        cJSON_AddNumberToObject(o, "cc_minor", minor);
        cJSON_AddNumberToObject(o, "total_bytes", (double) total);
        char bus[64] = "";
        if (api.cuDeviceGetPCIBusId &&
            CALL(cuDeviceGetPCIBusId, d, bus, (int) sizeof(bus), devs[d].dev) == 0) {
            bus[sizeof(bus) - 1] = '\0';
            cJSON_AddStringToObject(o, "pci_bus_id", bus);
        }
        CUuuid u;
        if (api.cuDeviceGetUuid && CALL(cuDeviceGetUuid, d, &u, devs[d].dev) == 0)
            format_uuid(&u, devs[d].uuid, sizeof(devs[d].uuid));
        emit(o);
    }
    probe_nvml(nvml, nnvml, file, devs, count);
    for (int d = 0; want_functional && d < count; d++)
        functional(&devs[d], d);
}

int wld_cuda_probe_main(int argc, char **argv)
{
    wld_proc_helper_init();

    bool want_functional = false;
    char **nvml = wld_xcalloc((size_t) argc + 1, sizeof(char *));
    char **libs = wld_xcalloc((size_t) argc + 1, sizeof(char *));
    size_t nn = 0, nl = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--functional") == 0)
            want_functional = true;
        else if (strcmp(argv[i], "--nvml") == 0 && i + 1 < argc)
            nvml[nn++] = argv[++i];
        else
            libs[nl++] = argv[i];
    }
    int rc = 2;
    if (nl > 0) {
        run_probe(libs, nl, nvml, nn, want_functional);
        emit(event("done"));
        rc = 0;
    } else {
        fprintf(stderr, "usage: %s %s [--functional] [--nvml LIB]... LIB...\n", argv[0],
                WLD_CUDA_PROBE_ARG);
    }
    free(nvml);
    free(libs);
    /* Leave without running the driver's destructors: the report is already out. */
    _exit(rc);
}
