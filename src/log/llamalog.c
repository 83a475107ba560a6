/* llama.cpp device listings and startup logs (see wld/parse.h). The formats, from
 * llama.cpp's common/arg.cpp and ggml-cuda.cu over the years:
 *   Available devices:
 *     CUDA0: NVIDIA GeForce RTX 4090 (24563 MiB, 23008 MiB free)
 *   ggml_cuda_init: found 1 CUDA devices (Total VRAM: 24563 MiB):      (2026)
 *   ggml_cuda_init: found 1 CUDA devices:                              (2024-2025)
 *   ggml_init_cublas: found 8 CUDA devices:                            (early 2024)
 *     Device 0: NVIDIA GeForce RTX 4070, compute capability 8.9, VMM: yes[, VRAM: N MiB]
 *   ggml_cuda_init: failed to initialize CUDA: <cudaGetErrorString>
 *   ggml_init_cublas: no CUDA devices found, CUDA will be disabled
 *   CUDA error 100 at <file>:<line>: no CUDA-capable device is detected
 *   ggml_cuda_init: emulating 4 virtual device(s) on 1 physical device(s) (GGML_CUDA_DEVICES)
 *   load_backend: failed to load ..., ggml_backend_load_best: failed to load ...
 *   version: 10431 (1692f9e50)                                         (--version)
 *   built with cc (Debian 12.2.0-14) 12.2.0 for x86_64-linux-gnu
 * and the build-info.cpp CMake writes from common/build-info.cpp.in:
 *   int LLAMA_BUILD_NUMBER = 10431;  char const * LLAMA_COMMIT = "1692f9e50";
 * Lines may carry a log prefix ("[2025-08-12 10:49:52.992240] E ", "0.04.635.193 I "), so
 * markers are searched within each line, never anchored at its start. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

static void copy_trimmed(char *out, size_t n, const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\r' || s[len - 1] == '\t'))
        len--;
    snprintf(out, n, "%.*s", (int) (len < 4096 ? len : 4096), s);
}

static void keep_first(char *field, size_t n, const char *line, size_t len)
{
    if (!field[0])
        copy_trimmed(field, n, line, len);
}

/* "  CUDA0: NVIDIA GeForce RTX 4090 (24563 MiB, 23008 MiB free)" */
static void parse_listed(const char *line, size_t len, struct wld_llama_devices *d)
{
    char buf[512];
    copy_trimmed(buf, sizeof(buf), line, len);
    if (strcmp(buf, "(none)") == 0) {
        d->listed_none = true;
        return;
    }
    char *colon = strstr(buf, ": ");
    if (!colon || colon == buf || d->n_dev >= WLD_LLAMA_MAX_DEVICES)
        return;
    for (const char *c = buf; c < colon; c++)
        if (*c == ' ')
            return; /* a device name is one word: "CUDA0", "Vulkan1" */
    struct wld_llama_device *dev = &d->dev[d->n_dev];
    *colon = '\0';
    snprintf(dev->name, sizeof(dev->name), "%.*s", (int) sizeof(dev->name) - 1, buf);
    char *desc = colon + 2;
    dev->total_mib = dev->free_mib = -1;
    char *paren = strrchr(desc, '(');
    double total, free_mib;
    if (paren && sscanf(paren, "(%lf MiB, %lf MiB free)", &total, &free_mib) == 2) {
        dev->total_mib = total;
        dev->free_mib = free_mib;
        while (paren > desc && paren[-1] == ' ')
            paren--;
        *paren = '\0';
    }
    snprintf(dev->desc, sizeof(dev->desc), "%.*s", (int) sizeof(dev->desc) - 1, desc);
    d->n_dev++;
}

/* "Device 0: NAME, compute capability 8.9, VMM: yes, VRAM: 24563 MiB" */
static void parse_cuda_device(const char *at, const char *end, struct wld_llama_devices *d)
{
    char buf[512];
    copy_trimmed(buf, sizeof(buf), at, (size_t) (end - at));
    int index;
    char *colon = strchr(buf, ':');
    char *cc = strstr(buf, ", compute capability ");
    if (!colon || !cc || cc < colon || sscanf(buf, "Device %d:", &index) != 1 ||
        d->n_cuda >= WLD_LLAMA_MAX_DEVICES)
        return;
    struct wld_llama_cuda_device *c = &d->cuda[d->n_cuda];
    c->index = index;
    *cc = '\0';
    copy_trimmed(c->name, sizeof(c->name), colon + 1, strlen(colon + 1));
    const char *rest = cc + strlen(", compute capability ");
    if (sscanf(rest, "%d.%d", &c->cc_major, &c->cc_minor) != 2)
        return;
    const char *vmm = strstr(rest, "VMM: ");
    c->vmm = !vmm ? -1 : strncmp(vmm + 5, "yes", 3) == 0 ? 1 : 0;
    const char *vram = strstr(rest, "VRAM: ");
    c->vram_mib = -1;
    if (vram)
        c->vram_mib = strtod(vram + 6, NULL);
    d->n_cuda++;
}

void wld_llama_devices_parse(const char *text, struct wld_llama_devices *d)
{
    memset(d, 0, sizeof(*d));
    d->cuda_found = d->cuda_virtual = d->cuda_physical = d->build = -1;
    bool in_listing = false;
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t) (nl - line) : strlen(line);
        const char *end = line + len;
        char l[1024];
        snprintf(l, sizeof(l), "%.*s", (int) (len < sizeof(l) - 1 ? len : sizeof(l) - 1), line);
        const char *m;
        int n;
        if (in_listing && (line[0] == ' ' || line[0] == '\t')) {
            parse_listed(line, len, d);
        } else {
            in_listing = false;
            if (strstr(l, "Available devices:")) {
                d->listing = in_listing = true;
            } else if ((m = strstr(l, "found ")) && sscanf(m, "found %d CUDA devices", &n) == 1 &&
                       (strstr(l, "ggml_cuda_init") || strstr(l, "ggml_init_cublas"))) {
                d->cuda_found = n;
            } else if ((m = strstr(line, "Device ")) && m < end &&
                       strstr(l, ", compute capability ")) {
                parse_cuda_device(m, end, d);
            } else if ((m = strstr(l, "failed to initialize CUDA: ")) ||
                       (m = strstr(l, "no CUDA devices found")) || (m = strstr(l, "CUDA error"))) {
                keep_first(d->cuda_failure, sizeof(d->cuda_failure), m, strlen(m));
            } else if ((m = strstr(l, "emulating ")) &&
                       sscanf(m, "emulating %d virtual device(s) on %d physical", &n,
                              &d->cuda_physical) == 2) {
                d->cuda_virtual = n;
            } else if ((m = strstr(l, "version: ")) && d->build < 0 &&
                       sscanf(m, "version: %d (%47[0-9a-fA-F])", &n, d->commit) == 2) {
                d->build = n;
            } else if ((m = strstr(l, "built with ")) && strstr(m, " for ")) {
                keep_first(d->built_with, sizeof(d->built_with), m + 11, strlen(m + 11));
            } else if ((m = strstr(l, "load_backend: failed")) ||
                       (m = strstr(l, "ggml_backend_load_best: failed"))) {
                keep_first(d->backend_failure, sizeof(d->backend_failure), m, strlen(m));
            } else if ((m = strstr(l, "error while loading shared libraries"))) {
                keep_first(d->loader_error, sizeof(d->loader_error), l, strlen(l));
            } else if ((strstr(l, "invalid argument") || strstr(l, "unknown argument")) &&
                       strstr(l, "--list-devices")) {
                d->unknown_option = true;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
}

/* The value after "NAME = " in build-info.cpp: a number, or a string literal's text. */
static bool build_info_value(const char *text, const char *name, char *out, size_t n)
{
    const char *p = strstr(text, name);
    if (!p || n == 0)
        return false;
    p = strchr(p + strlen(name), '=');
    const char *eol = p ? strchr(p, '\n') : NULL;
    if (!p)
        return false;
    p = wld_str_skip_space(p + 1);
    bool quoted = *p == '"';
    p += quoted;
    size_t len = 0;
    while (p[len] && p[len] != '\n' && (quoted ? p[len] != '"' : p[len] != ';') &&
           (!eol || p + len < eol))
        len++;
    if (len == 0 || len >= n)
        return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

int wld_llama_build_info_parse(const char *text, struct wld_llama_version *v)
{
    char num[32], compiler[160], target[80];
    memset(v, 0, sizeof(*v));
    v->build = -1;
    if (!build_info_value(text, "LLAMA_BUILD_NUMBER", num, sizeof(num)) ||
        !build_info_value(text, "LLAMA_COMMIT", v->commit, sizeof(v->commit)))
        return -EINVAL;
    char *end;
    long b = strtol(num, &end, 10);
    if (end == num || *wld_str_skip_space(end) || b < 0 || b > 1000000000L)
        return -EINVAL;
    v->build = (int) b;
    if (build_info_value(text, "LLAMA_COMPILER", compiler, sizeof(compiler)) &&
        build_info_value(text, "LLAMA_BUILD_TARGET", target, sizeof(target)))
        snprintf(v->built_with, sizeof(v->built_with), "%s for %s", compiler, target);
    return 0;
}
