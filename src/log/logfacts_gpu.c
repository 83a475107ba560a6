/* The GPUs and backends a log shows (see logfacts_impl.h):
 *   ggml_init_cublas: found 1 CUDA devices:                 (2023 - early 2024)
 *   ggml_cuda_init: found 1 CUDA devices (Total VRAM: 24563 MiB):
 *     Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes[, ID: GPU-..]
 *   llama_model_load_from_file_impl: using device CUDA0 (NVIDIA GeForce RTX 3090) - 23306 MiB free
 *     - CUDA0   : NVIDIA TITAN RTX (24020 MiB, 23625 MiB free)            (device_info, 2026)
 *   load_backend: loaded CUDA backend from PATH / failed to load PATH / failed to find
 *     ggml_backend_init in PATH
 *   register_backend: registered backend CUDA (1 devices)
 *   system_info: n_threads = 8 / 16 | CUDA : ARCHS = 500,610,700,750,800 | USE_GRAPHS = 1 | ...
 *   | NVIDIA-SMI 566.36   Driver Version: 566.36   CUDA Version: 12.7 |      (a pasted nvidia-smi)
 *   /usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05   (a Linux driver's own library: its version)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"

static struct wld_log_device *device_named(struct wld_log_facts *f, const char *name, int index)
{
    for (int i = 0; i < f->n_dev; i++)
        if ((name[0] && strcmp(f->dev[i].name, name) == 0) ||
            (!name[0] && f->dev[i].index == index && index >= 0))
            return &f->dev[i];
    if (f->n_dev == WLD_LOG_MAX)
        return NULL;
    struct wld_log_device *d = &f->dev[f->n_dev++];
    memset(d, 0, sizeof(*d));
    d->index = index;
    d->cc_major = d->cc_minor = -1;
    d->total_mib = d->free_mib = -1;
    snprintf(d->name, sizeof(d->name), "%s", name);
    return d;
}

/* A device by the name the log gives it ("CUDA0": index 0; "CPU"). */
static struct wld_log_device *device_called(struct wld_log_facts *f, const char *p, size_t nl)
{
    char name[24];
    wld_log_copy(name, sizeof(name), p, nl);
    int index = -1;
    if (wld_str_starts(name, "CUDA"))
        wld_log_int(name + 4, &index);
    return device_named(f, name, index);
}

/* "Device 0: NAME, compute capability 8.9, VMM: yes, ID: GPU-.., VRAM: 24563 MiB" */
WLD_LOG_EXTRACTOR(wld_logx_cc)
{
    const char *dev = strstr(l->s, "Device ");
    int index, maj, min = 0;
    if (!dev || !wld_log_int(dev + 7, &index) || index < 0 || index > 999)
        return;
    const char *colon = strchr(dev, ':');
    const char *cc = l->at - strlen(" compute capability ");
    const char *dot = wld_log_int_end(l->at, &maj);
    if (!colon || colon > cc || !dot || *dot != '.' || !wld_log_int_end(dot + 1, &min))
        return;
    char name[24];
    snprintf(name, sizeof(name), "CUDA%d", index);
    struct wld_log_device *d = device_named(f, name, index);
    if (!d)
        return;
    char desc[128];
    wld_log_copy(desc, sizeof(desc), colon + 1, (size_t) (cc - colon - 1));
    wld_log_set_first(d->desc, sizeof(d->desc), desc, strlen(desc));
    d->cc_major = maj;
    d->cc_minor = min;
    const char *vram = strstr(l->at, "VRAM: ");
    if (vram)
        wld_log_num(vram + 6, &d->total_mib);
    if (!d->line)
        d->line = l->no;
}

/* "ggml_cuda_init: found 1 CUDA devices" */
WLD_LOG_EXTRACTOR(wld_logx_found)
{
    const char *found = strstr(l->s, "found ");
    int n;
    if (found && found < l->at && wld_log_int(found + 6, &n) && f->cuda_found < 0) {
        f->cuda_found = n;
        f->cuda_found_line = l->no;
        f->legacy_cublas |= strstr(l->s, "ggml_init_cublas") != NULL;
    }
}

/* "llama_model_load_internal: n_layer = 40": the loader of 2023, before GGUF, whose cuBLAS
 * backend is the one ggml_init_cublas names */
WLD_LOG_EXTRACTOR(wld_logx_legacy_loader)
{
    (void) l;
    f->legacy_cublas = true;
}

/* "using device CUDA0 (NVIDIA GeForce RTX 3090) - 23306 MiB free" */
WLD_LOG_EXTRACTOR(wld_logx_using)
{
    const char *p = l->at;
    size_t nl = strcspn(p, " (");
    if (nl == 0 || nl >= 24 || p[nl] != ' ')
        return;
    struct wld_log_device *d = device_called(f, p, nl);
    if (!d)
        return;
    const char *open = strchr(p + nl, '(');
    const char *close = strrchr(p + nl, ')');
    if (open && close && close > open)
        wld_log_set_first(d->desc, sizeof(d->desc), open + 1, (size_t) (close - open - 1));
    const char *dash = close ? strstr(close, " - ") : NULL;
    if (dash)
        wld_log_num(dash + 3, &d->free_mib);
    if (!d->line)
        d->line = l->no;
}

/* "CUDA0: NAME (24563 MiB, 23008 MiB free)" and "- CUDA0   : NAME (24020 MiB, 23625 MiB free)" */
WLD_LOG_EXTRACTOR(wld_logx_listed)
{
    const char *p = wld_str_skip_space(l->s);
    if (p[0] == '-' && p[1] == ' ')
        p = wld_str_skip_space(p + 2);
    size_t nl = strcspn(p, " :");
    const char *colon = wld_str_skip_space(p + nl);
    if (nl == 0 || nl >= 24 || *colon != ':')
        return;
    const char *open = strrchr(colon, '(');
    double total, free_mib = 0;
    const char *unit = open ? wld_log_num_end(open + 1, &total) : NULL; /* "(T MiB, F MiB free)" */
    unit = unit ? wld_str_skip_space(unit) : NULL;
    if (!unit || !wld_str_starts(unit, "MiB,") || !wld_log_num_end(unit + 4, &free_mib))
        return;
    struct wld_log_device *d = device_called(f, p, nl);
    if (!d)
        return;
    d->cpu = strcmp(d->name, "CPU") == 0;
    wld_log_set_first(d->desc, sizeof(d->desc), colon + 1, (size_t) (open - colon - 1));
    d->total_mib = total;
    d->free_mib = free_mib;
    if (!d->line)
        d->line = l->no;
}

static void add_backend(struct wld_log_facts *f,
                        const char *name,
                        size_t nlen,
                        const char *path,
                        bool loaded,
                        const char *why,
                        long no)
{
    for (int i = 0; i < f->n_backend; i++) /* registered, then loaded: one backend */
        if (f->backend[i].loaded == loaded && strlen(f->backend[i].name) == nlen &&
            strncmp(f->backend[i].name, name, nlen) == 0) {
            if (!f->backend[i].path[0])
                wld_log_copy(f->backend[i].path, sizeof(f->backend[i].path), path, strlen(path));
            return;
        }
    if (f->n_backend == WLD_LOG_MAX)
        return;
    struct wld_log_backend *b = &f->backend[f->n_backend++];
    wld_log_copy(b->name, sizeof(b->name), name, nlen);
    wld_log_copy(b->path, sizeof(b->path), path, strlen(path));
    b->loaded = loaded;
    snprintf(b->why, sizeof(b->why), "%s", why);
    b->line = no;
}

/* the backend a module's file name names: ".../libggml-cuda.so" -> "CUDA" */
static void backend_of_path(const char *path, char *out, size_t n)
{
    const char *g = strstr(path, "ggml-");
    size_t len = g ? strcspn(g + 5, ".-_") : 0;
    wld_log_copy(out, n, g ? g + 5 : "?", g ? len : 1);
    for (char *c = out; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char) (*c - 'a' + 'A');
}

/* "llama_model_load_internal: using CUDA for GPU acceleration" (2023): a cuBLAS build */
WLD_LOG_EXTRACTOR(wld_logx_legacy_cuda)
{
    f->legacy_cublas = true;
    add_backend(f, "CUDA", 4, "", true, "", l->no);
}

/* "load_backend: ..." and "ggml_backend_load_best: ...": loaded, or why not */
WLD_LOG_EXTRACTOR(wld_logx_load_backend)
{
    const char *p = l->at;
    const char *from = strstr(p, " backend from ");
    char name[24];
    if (wld_str_starts(p, "loaded ") && from) {
        add_backend(f, p + 7, (size_t) (from - p - 7), from + 14, true, "", l->no);
    } else if (wld_str_starts(p, "failed to find ggml_backend_init in ")) {
        const char *path = p + strlen("failed to find ggml_backend_init in ");
        backend_of_path(path, name, sizeof(name));
        add_backend(f, name, strlen(name), path, false, "no ggml_backend_init", l->no);
    } else if (wld_str_starts(p, "failed to load ")) {
        const char *path = p + strlen("failed to load ");
        char why[80] = "";
        const char *colon = strstr(path, ": ");
        char pbuf[240];
        wld_log_copy(pbuf, sizeof(pbuf), path, colon ? (size_t) (colon - path) : strlen(path));
        if (colon)
            wld_log_copy(why, sizeof(why), colon + 2, strlen(colon + 2));
        backend_of_path(pbuf, name, sizeof(name));
        add_backend(f, name, strlen(name), pbuf, false, why[0] ? why : "failed to load", l->no);
    }
    wld_log_note_program(f, l->s);
}

/* "register_backend: registered backend CUDA (1 devices)" */
WLD_LOG_EXTRACTOR(wld_logx_registered)
{
    if (!strstr(l->at, "(0 devices)"))
        add_backend(f, l->at, strcspn(l->at, " ("), "", true, "", l->no);
}

/* "CUDA : ARCHS = 500,610,700 | ..." */
WLD_LOG_EXTRACTOR(wld_logx_archs)
{
    if (f->n_archs > 0 || !strstr(l->s, "CUDA"))
        return;
    const char *p = l->at;
    while (f->n_archs < (int) WLD_ARRAY_SIZE(f->archs)) {
        int a;
        char *e;
        a = (int) strtol(p, &e, 10);
        if (e == p || a <= 0 || a > 2000)
            break;
        f->archs[f->n_archs++] = a;
        p = e;
        if (*p != ',')
            break;
        p++;
    }
    if (f->n_archs > 0)
        f->archs_line = l->no;
}

/* a pasted nvidia-smi's "Driver Version: 566.36" */
WLD_LOG_EXTRACTOR(wld_logx_driver)
{
    const char *p = l->at;
    if (!f->driver[0] && p[0] >= '0' && p[0] <= '9') {
        wld_log_copy(f->driver, sizeof(f->driver), p, strcspn(p, " |"));
        f->driver_line = l->no;
    }
}

/* "libcuda.so.535.104.05", "libnvidia-ml.so.550.54.15": a library of a Linux NVIDIA driver,
 * named by the driver's version; WSL's own are libcuda.so.1.1 and libnvidia-ml.so.1 */
WLD_LOG_EXTRACTOR(wld_logx_driver_lib)
{
    int major, minor;
    const char *dot = wld_log_int_end(l->at, &major);
    if (f->driver_lib_line || !dot || *dot != '.' || major < 300 || major > 999 ||
        !wld_log_int_end(dot + 1, &minor))
        return;
    const char *start = l->at;
    while (start > l->s && !strchr(" \t'\"(=,[", start[-1]))
        start--;
    size_t n = strcspn(l->at, " \t'\"),:;]");
    wld_log_copy(f->driver_lib, sizeof(f->driver_lib), start, (size_t) (l->at + n - start));
    wld_log_copy(f->driver_lib_version, sizeof(f->driver_lib_version), l->at, n);
    f->driver_lib_line = l->no;
}
