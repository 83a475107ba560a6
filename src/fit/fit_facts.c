/* Headers and capacities as facts (see wld/fit.h). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fit.h"
#include "wld/util.h"

#define GIB (1024.0 * 1024.0 * 1024.0)

/* The scalar fields, by name, so both directions use one list. (clang-format 14 lays an
 * X-macro list out differently on each pass; this layout is kept by hand.) */
/* clang-format off */
#define U32_FIELDS(X)                                                                      \
    X(n_layer) X(n_ctx_train) X(n_embd) X(n_ff) X(n_vocab)                                 \
    X(head_k) X(head_v) X(head_k_swa) X(head_v_swa) X(n_swa) X(shared_kv_layers)          \
    X(kv_lora_rank) X(head_k_mla) X(head_v_mla) X(n_expert) X(n_expert_used)              \
    X(ssm_d_conv) X(ssm_d_inner) X(ssm_d_state) X(ssm_n_group)                            \
    X(wkv_head_size) X(token_shift_count) X(shortconv_l_cache) X(alignment) X(version)
#define U64_FIELDS(X)                                                                      \
    X(n_params) X(n_tensors) X(n_kv) X(tensor_bytes) X(embd_bytes) X(output_bytes)         \
    X(other_bytes) X(header_bytes) X(file_bytes)
/* clang-format on */

static void add_u32_array(cJSON *obj, const char *name, const uint32_t *v, uint32_t n)
{
    bool uniform = true;
    for (uint32_t i = 1; i < n; i++)
        uniform &= v[i] == v[0];
    if (uniform) {
        cJSON_AddNumberToObject(obj, name, n ? v[0] : 0);
        return;
    }
    cJSON *a = cJSON_AddArrayToObject(obj, name);
    for (uint32_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
}

void wld_gguf_to_facts(const struct wld_gguf *g, cJSON *obj)
{
#define ADD(f) cJSON_AddNumberToObject(obj, #f, (double) g->f);
    U32_FIELDS(ADD)
    U64_FIELDS(ADD)
#undef ADD
    cJSON_AddStringToObject(obj, "arch", g->arch);
    cJSON_AddStringToObject(obj, "name", g->name);
    cJSON_AddNumberToObject(obj, "file_type", (double) g->file_type);
    const char *q = wld_llama_ftype_name(g->file_type);
    if (q)
        cJSON_AddStringToObject(obj, "quant", q);
    cJSON_AddNumberToObject(obj, "shards", g->n_shards);
    cJSON_AddBoolToObject(obj, "big_endian", g->big_endian);
    cJSON_AddBoolToObject(obj, "tied_output", g->tied_output);
    cJSON_AddBoolToObject(obj, "causal", g->causal);
    if (g->wrong_type_key[0])
        cJSON_AddStringToObject(obj, "wrong_type_key", g->wrong_type_key);
    if (!g->layer_bytes)
        return;
    cJSON *lb = cJSON_AddArrayToObject(obj, "layer_bytes");
    for (uint32_t i = 0; i < g->n_layer; i++)
        cJSON_AddItemToArray(lb, cJSON_CreateNumber((double) g->layer_bytes[i]));
    add_u32_array(obj, "n_head", g->n_head, g->n_layer);
    add_u32_array(obj, "n_head_kv", g->n_head_kv, g->n_layer);
    uint32_t *swa = wld_xcalloc(g->n_layer + 1, sizeof(*swa));
    for (uint32_t i = 0; i < g->n_layer; i++)
        swa[i] = g->swa_layer[i];
    add_u32_array(obj, "swa_layer", swa, g->n_layer);
    free(swa);
}

/* A saved report's number as a u32 (or u64): 0 when it is not a whole number in range
 * (never a double converted out of range). */
static uint32_t u32_of(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= UINT32_MAX &&
                           v->valuedouble == floor(v->valuedouble)
                   ? (uint32_t) v->valuedouble
                   : 0;
}

static uint64_t u64_of(const cJSON *v)
{
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 0x1p63 &&
                           v->valuedouble == floor(v->valuedouble)
                   ? (uint64_t) v->valuedouble
                   : 0;
}

static bool per_layer(const cJSON *obj, const char *name, uint32_t n, uint32_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (cJSON_IsNumber(v)) {
        for (uint32_t i = 0; i < n; i++)
            out[i] = u32_of(v);
        return true;
    }
    if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != (int) n)
        return false;
    uint32_t i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, v) out[i++] = u32_of(e);
    return true;
}

int wld_gguf_from_facts(const cJSON *obj, struct wld_gguf *ret)
{
    struct wld_gguf g = { .file_type = -1 };
    const char *arch = wld_fact_str(obj, "arch");
    if (!arch || wld_fact_num(obj, "n_layer", -1) < 0 ||
        wld_fact_num(obj, "n_layer", 0) > WLD_GGUF_MAX_LAYERS)
        return -EINVAL;
#define GET32(f) g.f = u32_of(cJSON_GetObjectItemCaseSensitive(obj, #f));
#define GET64(f) g.f = u64_of(cJSON_GetObjectItemCaseSensitive(obj, #f));
    U32_FIELDS(GET32)
    U64_FIELDS(GET64)
#undef GET32
#undef GET64
    snprintf(g.arch, sizeof(g.arch), "%s", arch);
    snprintf(g.name, sizeof(g.name), "%s",
             wld_fact_str(obj, "name") ? wld_fact_str(obj, "name") : "");
    g.file_type = wld_fact_int(obj, "file_type", -1, INT32_MAX, -1);
    g.tied_output = wld_fact_bool(obj, "tied_output", false);
    g.causal = wld_fact_bool(obj, "causal", true);
    uint32_t n = g.n_layer ? g.n_layer : 1;
    g.layer_bytes = wld_xcalloc(n, sizeof(*g.layer_bytes));
    g.n_head = wld_xcalloc(n, sizeof(*g.n_head));
    g.n_head_kv = wld_xcalloc(n, sizeof(*g.n_head_kv));
    g.swa_layer = wld_xcalloc(n, sizeof(*g.swa_layer));
    uint32_t *swa = wld_xcalloc(n, sizeof(*swa));
    const cJSON *lb = cJSON_GetObjectItemCaseSensitive(obj, "layer_bytes"), *e;
    bool ok = cJSON_IsArray(lb) && cJSON_GetArraySize(lb) == (int) g.n_layer &&
              per_layer(obj, "n_head", g.n_layer, g.n_head) &&
              per_layer(obj, "n_head_kv", g.n_layer, g.n_head_kv) &&
              per_layer(obj, "swa_layer", g.n_layer, swa);
    uint32_t i = 0;
    cJSON_ArrayForEach(e, lb) if (ok && i < g.n_layer) g.layer_bytes[i++] = u64_of(e);
    for (i = 0; i < g.n_layer; i++)
        g.swa_layer[i] = swa[i] != 0;
    free(swa);
    if (!ok) {
        wld_gguf_release(&g);
        return -EINVAL;
    }
    *ret = g;
    return 0;
}

void wld_fit_rule_params(const struct wld_eval_ctx *ctx,
                         struct wld_fit_settings *s,
                         uint64_t *margin)
{
    s->cuda_overhead = (uint64_t) wld_param_int(ctx, "cuda_overhead_mib", 0, 1 << 20, 250) << 20;
    *margin = (uint64_t) wld_param_int(ctx, "fit_margin_mib", 0, 1 << 20, 1024) << 20;
}

enum wld_fit_room
wld_fit_room(uint64_t gpu, uint64_t ram, const struct wld_fit_capacity *cap, uint64_t margin)
{
    if (cap->n_gpus && gpu > cap->vram_free)
        return WLD_FIT_GPU_SHORT;
    if (cap->ram_total && ram > cap->ram_total)
        return WLD_FIT_RAM_SHORT;
    if (cap->n_gpus && cap->vram_free - gpu < margin)
        return WLD_FIT_THIN;
    return WLD_FIT_ROOM;
}

void wld_fit_settings_from_facts(const cJSON *mine, struct wld_fit_settings *ret)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(mine, "settings");
    wld_fit_defaults(ret, (uint32_t) wld_fact_int(s, "ctx", 0, UINT32_MAX, 8192));
    ret->n_gpu_layers = (int) wld_fact_int(s, "ngl", -1, INT_MAX, -1);
    int k = wld_ggml_cache_type(wld_fact_str(s, "ctk")),
        v = wld_ggml_cache_type(wld_fact_str(s, "ctv"));
    ret->type_k = k >= 0 ? k : WLD_GGML_F16;
    ret->type_v = v >= 0 ? v : WLD_GGML_F16;
    ret->n_parallel = (uint32_t) wld_fact_int(s, "parallel", 1, UINT32_MAX, 1);
}

static void name_gpus(struct wld_fit_capacity *c, const char *first)
{
    if (c->n_gpus == 1)
        snprintf(c->gpus, sizeof(c->gpus), "%s", first ? first : "the GPU");
    else
        snprintf(c->gpus, sizeof(c->gpus), "%u GPUs", c->n_gpus);
}

void wld_fit_capacity(const cJSON *facts, const cJSON *mine, struct wld_fit_capacity *ret)
{
    struct wld_fit_capacity c = { 0 };
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(mine, "settings");
    const cJSON *cuda = cJSON_GetObjectItemCaseSensitive(facts, "gpu.cuda");
    const cJSON *devs = cJSON_GetObjectItemCaseSensitive(cuda, "devices");
    /* CUDA ran and saw no device (CUDA_VISIBLE_DEVICES="", no GPU-PV adapter): llama.cpp
     * will not see one either, whatever nvidia-smi shows */
    const cJSON *init = cJSON_GetObjectItemCaseSensitive(cuda, "init");
    bool cuda_none = wld_fact_num(init, "code", 0) == 100 /* CUDA_ERROR_NO_DEVICE */ ||
                     wld_fact_num(cuda, "device_count", -1) == 0;
    const cJSON *smi = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(facts, "gpu.driver"), "gpus");
    const cJSON *d;
    const char *first = NULL;
    double vram = wld_fact_num(s, "vram_gib", -1);
    if (vram > 0) {
        c.n_gpus = 1;
        c.vram_free = c.vram_total = (uint64_t) (vram * GIB);
        c.vram_source = "--vram";
        snprintf(c.gpus, sizeof(c.gpus), "%g GiB (--vram)", vram);
    } else if (cJSON_GetArraySize(devs) > 0) {
        cJSON_ArrayForEach(d, devs)
        {
            double total = wld_fact_num(d, "total_bytes", 0),
                   free_b = wld_fact_num(d, "free_bytes", total);
            c.n_gpus++;
            c.vram_total += (uint64_t) total;
            c.vram_free += (uint64_t) free_b;
            first = first ? first : wld_fact_str(d, "name");
        }
        c.vram_source = "libcuda";
        name_gpus(&c, first);
    } else if (cJSON_GetArraySize(smi) > 0 && !cuda_none) {
        cJSON_ArrayForEach(d, smi)
        {
            double total = wld_fact_num(d, "memory_total_mib", 0) * 1048576.0;
            double used = wld_fact_num(d, "memory_used_mib", 0) * 1048576.0;
            if (total <= 0)
                continue;
            c.n_gpus++;
            c.vram_total += (uint64_t) total;
            c.vram_free += (uint64_t) (total > used ? total - used : 0);
            first = first ? first : wld_fact_str(d, "name");
        }
        c.vram_source = c.n_gpus ? "nvidia-smi" : NULL;
        name_gpus(&c, first);
    }
    c.ram_total = (uint64_t) (wld_fact_num(mine, "mem_total_kib", 0) * 1024.0);
    c.ram_available = (uint64_t) (wld_fact_num(mine, "mem_available_kib", 0) * 1024.0);
    *ret = c;
}

/* One step of a scale: the unit's size, its suffix, and the decimals it is shown with. */
struct scale {
    double size;
    const char *suffix;
    int decimals;
};

/* v in the largest unit it reaches, or in the next one up when the figure shown would round
 * to that unit's size: 1048575 bytes is "1 MiB", never "1024 KiB". */
static void fmt_scaled(double v, const struct scale *s, size_t n, char *out, size_t len)
{
    static const double ten[] = { 1, 10, 100 };
    size_t i = 0;
    while (i + 1 < n && v >= s[i + 1].size)
        i++;
    if (i + 1 < n) {
        double p = ten[s[i].decimals];
        if (round(v / s[i].size * p) / p >= s[i + 1].size / s[i].size)
            i++;
    }
    snprintf(out, len, "%.*f%s", s[i].decimals, v / s[i].size, s[i].suffix);
}

void wld_fmt_bytes(uint64_t bytes, char *out, size_t n)
{
    static const struct scale s[] = {
        { 1, " B", 0 }, { 1024.0, " KiB", 0 }, { 1024.0 * 1024.0, " MiB", 0 }, { GIB, " GiB", 2 }
    };
    fmt_scaled((double) bytes, s, WLD_ARRAY_SIZE(s), out, n);
}

void wld_fmt_params(uint64_t count, char *out, size_t n)
{
    static const struct scale s[] = {
        { 1, "", 0 }, { 1e3, "K", 1 }, { 1e6, "M", 1 }, { 1e9, "B", 2 }, { 1e12, "T", 2 }
    };
    fmt_scaled((double) count, s, WLD_ARRAY_SIZE(s), out, n);
}
