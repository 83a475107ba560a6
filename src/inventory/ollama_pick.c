/* Which CUDA backend an ollama install loads, as each version of ollama chooses it, and the
 * version a Go binary's build info names (see wld/runtimes.h). The choice, per version:
 *
 *   0.3.x - 0.5.12   discover/cuda_common.go cudaVariant(): "v11" when the GPU's compute
 *                    capability is below 6.0 (until 0.5.12), the driver's CUDA is below 12
 *                    or exactly 12.0; else "v12". runners/common.go ServersForGpu(): the
 *                    runner of that name (its _avx suffix ignored), else the other cuda_*
 *                    runners in name order, then the CPU.
 *   0.5.13 - 0.11.10 the same without the compute capability. discover/gpu.go puts
 *                    lib/ollama/cuda_<variant> first in the runner's library path only when
 *                    that directory exists; otherwise the runner loads the backend in
 *                    lib/ollama itself (the flat layout of 0.9.3 - 0.11.10).
 *   0.11.11          driver below CUDA 13: "v12", else "v13".
 *   0.12.0 - 0.12.3  a GPU below compute 7.5: "v12"; else driver below 13: "v12"; else "v13".
 *   0.12.4 and later discover/runner.go: every lib/ollama/<dir> with a ggml backend is
 *                    tried; of those that initialise the GPUs, the newest (names sorted in
 *                    reverse) that covers them all wins. A backend without a kernel for
 *                    the GPU's compute capability (its fatbin, wld_fatbin_facts_run_on)
 *                    does not initialise it.
 *
 * A backend whose CUDA major is above the driver's cannot initialise (CUDA's minor version
 * compatibility covers only the same major): ollama then runs on the CPU. OLLAMA_LLM_LIBRARY
 * (the runtime's env) names the one library to use in every version. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fatbin.h"
#include "wld/runtimes.h"

/* A version as a comparable number: 0.12.3 -> 1203, 0.5.13 -> 513; 0 when unknown. */
static unsigned version_key(const char *v)
{
    unsigned major = 0, minor = 0, patch = 0;
    if (!v || sscanf(v, "%u.%u.%u", &major, &minor, &patch) < 2 || minor > 999 || patch > 99)
        return 0;
    return major * 100000 + minor * 100 + patch;
}

#define V(minor, patch) ((unsigned) (minor) *100 + (unsigned) (patch))

/* The backend named name, or one whose name is name with a CPU suffix (cuda_v12_avx). */
static int backend_named(const cJSON *backends, const char *name)
{
    const cJSON *b;
    int i = 0;
    size_t n = strlen(name);
    cJSON_ArrayForEach(b, backends)
    {
        const char *bn = wld_fact_str(b, "name");
        if (bn && strncmp(bn, name, n) == 0 && (bn[n] == '\0' || bn[n] == '_'))
            return i;
        i++;
    }
    return -1;
}

/* The backend that lies in lib_dir itself (the flat layout), or -1. */
static int backend_flat(const cJSON *r)
{
    const cJSON *b;
    int i = 0;
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(r, "backends"))
    {
        if (wld_str_is(wld_fact_str(b, "dir"), wld_fact_str(r, "lib_dir")))
            return i;
        i++;
    }
    return -1;
}

/* Whether backend b has a kernel for a GPU of compute capability cc (86 for 8.6; 0:
 * unknown). A backend whose fatbinary was not read is given the benefit of the doubt. */
static bool runs_on(const cJSON *b, unsigned cc)
{
    bool known;
    bool runs = wld_fatbin_facts_run_on(cJSON_GetObjectItemCaseSensitive(b, "fatbin"), cc, &known);
    return cc == 0 || !known || runs;
}

/* The CUDA backend whose name sorts first (or last, when newest) among those a driver of
 * major `driver` can start on a GPU of compute capability cc (0: any); -1 when none. */
static int backend_sorted(const cJSON *backends, bool newest, unsigned driver, unsigned cc)
{
    const cJSON *b;
    const char *best_name = NULL;
    int best = -1, i = 0;
    cJSON_ArrayForEach(b, backends)
    {
        const char *bn = wld_fact_str(b, "name");
        unsigned major = (unsigned) wld_fact_num(b, "cuda_major", 0);
        if (bn && wld_str_starts(bn, "cuda") && major > 0 && major <= driver && runs_on(b, cc) &&
            (!best_name || (strcmp(bn, best_name) > 0) == newest)) {
            best_name = bn;
            best = i;
        }
        i++;
    }
    return best;
}

/* What the variant-choosing versions (up to 0.12.3) ask for. */
static const char *variant(unsigned v, unsigned drv, unsigned drv_minor, unsigned cc, unsigned ccm)
{
    bool old_driver = drv < 12 || (drv == 12 && drv_minor == 0);
    if (v < V(5, 13))
        return (cc && cc < 6) || old_driver ? "cuda_v11" : "cuda_v12";
    if (v < V(11, 11))
        return old_driver ? "cuda_v11" : "cuda_v12";
    if (v < V(12, 0))
        return drv < 13 ? "cuda_v12" : "cuda_v13";
    if (cc && (cc < 7 || (cc == 7 && ccm < 5)))
        return "cuda_v12";
    return drv < 13 ? "cuda_v12" : "cuda_v13";
}

static int pick_variant(const cJSON *r, unsigned v, const char *want, const char **why)
{
    const cJSON *backends = cJSON_GetObjectItemCaseSensitive(r, "backends");
    int i = backend_named(backends, want);
    if (i >= 0) {
        *why = "ollama before 0.12.4 picks the backend by the driver's CUDA version";
        return i;
    }
    if (v < V(5, 13) || wld_str_is(wld_fact_str(r, "layout"), "runners")) {
        /* ServersForGpu: no exact match, so the other runners of the library, in name
         * order (a driver too old for the first is judged by the caller) */
        *why = "ollama before 0.5.13 falls back to its other CUDA runners in name order";
        return backend_sorted(backends, false, 99, 0);
    }
    *why = "the chosen cuda_v* directory is absent: the runner loads the backend in lib/ollama";
    return backend_flat(r);
}

/* 0.12.4 and later: every backend is started, those that fail to initialise the GPU (a
 * driver older than their CUDA major, no kernel for its compute capability) are dropped,
 * and the newest of the rest is kept. */
static int newest_that_starts(const cJSON *backends, unsigned drv, unsigned cc, const char **why)
{
    int on_driver = backend_sorted(backends, true, drv, 0);
    int i = backend_sorted(backends, true, drv, cc);
    if (on_driver < 0)
        *why = "no backend of this ollama starts on this driver: it runs on the CPU";
    else if (i < 0)
        *why = "no backend of this ollama has a kernel for the GPU's compute capability (no "
               "cubin of its major at or below it, no PTX at or below it): it falls back to "
               "the CPU";
    else if (i != on_driver)
        *why = "ollama 0.12.4 and later keep the newest backend that starts on the GPU; the "
               "newer ones have no kernel for its compute capability";
    else
        *why = "ollama 0.12.4 and later keep the newest backend that starts on the GPU";
    return i;
}

/* OLLAMA_LLM_LIBRARY as the runtime's env holds it, or NULL. */
static const char *forced_library(const cJSON *r)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "env"),
                                                      "OLLAMA_LLM_LIBRARY");
    const char *v = wld_fact_str(e, "value");
    return v && *v ? v : NULL;
}

int wld_ollama_pick_gpu(const cJSON *r,
                        unsigned drv,
                        unsigned drv_minor,
                        unsigned cc,
                        unsigned ccm,
                        const char **why)
{
    const char *dummy;
    why = why ? why : &dummy;
    const cJSON *backends = cJSON_GetObjectItemCaseSensitive(r, "backends");
    unsigned key = version_key(wld_fact_str(r, "version"));
    /* an unknown version is judged as the newest: what the install script gives today */
    unsigned v = key == 0 || key >= 100000 ? V(999, 0) : key;
    const char *forced = forced_library(r);
    int i;
    if (forced) {
        i = backend_named(backends, forced);
        *why = "OLLAMA_LLM_LIBRARY names the library ollama uses";
        if (i < 0) {
            *why = "OLLAMA_LLM_LIBRARY names a library that is not a CUDA backend: the CPU";
            return -1;
        }
    } else if (v >= V(12, 4)) {
        return newest_that_starts(backends, drv, cc ? cc * 10 + ccm : 0, why);
    } else {
        i = pick_variant(r, v, variant(v, drv, drv_minor, cc, ccm), why);
    }
    const cJSON *b = cJSON_GetArrayItem(backends, i);
    if (!b)
        return -1;
    if ((unsigned) wld_fact_num(b, "cuda_major", 0) > drv) {
        *why = "the backend ollama picks needs a newer driver: it runs on the CPU";
        return -1;
    }
    return i;
}

int wld_ollama_pick(const cJSON *r,
                    unsigned driver_cuda_major,
                    unsigned driver_cuda_minor,
                    const char **why)
{
    return wld_ollama_pick_gpu(r, driver_cuda_major, driver_cuda_minor, 0, 0, why);
}

/* ---- Go build info ---- */

/* A uvarint at *p (bounded by end); false when it runs past end or past 2^31. */
static bool uvarint(const unsigned char **p, const unsigned char *end, size_t *ret)
{
    size_t v = 0;
    for (unsigned shift = 0; *p < end && shift < 32; shift += 7) {
        unsigned char c = *(*p)++;
        v |= (size_t) (c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *ret = v;
            return v < (1u << 31);
        }
    }
    return false;
}

int wld_ollama_buildinfo_version(const unsigned char *data, size_t n, char *out, size_t outn)
{
    static const char magic[] = "\xff Go buildinf:";
    /* Go 1.18+: 32-byte header (magic, pointer size, flags), then with flag 2 the Go version
     * and the module info as length-prefixed strings (debug/buildinfo) */
    if (n < 32 || memcmp(data, magic, 14) != 0 || !(data[15] & 2))
        return -EINVAL;
    const unsigned char *p = data + 32, *end = data + n;
    size_t len;
    if (!uvarint(&p, end, &len) || len > (size_t) (end - p))
        return -EINVAL;
    p += len; /* the Go version */
    if (!uvarint(&p, end, &len) || len > (size_t) (end - p))
        return -EINVAL;
    char *info = wld_xstrndup((const char *) p, len);
    static const char mod[] = "\nmod\tgithub.com/ollama/ollama\t";
    const char *m = strstr(info, mod);
    int r = -ENOENT;
    if (m) {
        m += strlen(mod);
        size_t l = strcspn(m, "\t\n");
        if (*m == 'v')
            m++, l--;
        if (l > 0 && l < outn && *m >= '0' && *m <= '9') {
            memcpy(out, m, l);
            out[l] = '\0';
            r = 0;
        }
    }
    free(info);
    return r;
}
