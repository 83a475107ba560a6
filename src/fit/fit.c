/* Memory estimates (see wld/fit.h). */
#include "wld/fit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define KV_PAD       256u /* llama_context: n_ctx = GGML_PAD(n_ctx, 256) */
#define MIB          (1024ull * 1024ull)
#define DEFAULT_UB   512u
#define CUDA_DEFAULT (250ull * MIB)

static uint32_t pad(uint64_t x, uint32_t n)
{
    uint64_t p = (x + n - 1) / n * n;
    return p > UINT32_MAX ? UINT32_MAX / n * n : (uint32_t) p;
}

void wld_fit_defaults(struct wld_fit_settings *s, uint32_t n_ctx)
{
    *s = (struct wld_fit_settings){ .n_ctx = n_ctx,
                                    .n_gpu_layers = -1,
                                    .type_k = WLD_GGML_F16,
                                    .type_v = WLD_GGML_F16,
                                    .n_parallel = 1,
                                    .n_ubatch = DEFAULT_UB,
                                    .cuda_overhead = CUDA_DEFAULT };
}

static uint32_t ctx_of(const struct wld_gguf *g, const struct wld_fit_settings *s)
{
    return pad(s->n_ctx ? s->n_ctx : g->n_ctx_train, KV_PAD);
}

/* llama_kv_cache_iswa: the sliding-window cache holds n_swa per sequence plus a ubatch. */
static uint32_t swa_cells(const struct wld_gguf *g, const struct wld_fit_settings *s)
{
    uint32_t n_ctx = ctx_of(g, s);
    uint64_t want = (uint64_t) g->n_swa * (s->n_parallel ? s->n_parallel : 1) + s->n_ubatch;
    return s->swa_full ? n_ctx : pad(want < n_ctx ? want : n_ctx, KV_PAD);
}

static bool is_mla(const struct wld_gguf *g)
{
    return g->head_k_mla && g->head_v_mla;
}

/* Rows as ggml_row_size(), rounding a partial block up (only odd heads have one). */
static uint64_t row(int type, uint64_t n)
{
    const struct wld_ggml_type *t = wld_ggml_type(type);
    return t && t->blck ? (n + t->blck - 1) / t->blck * t->size : 0;
}

/* Recurrent state of one layer (llama_hparams::n_embd_r/n_embd_s), F32 per sequence. */
static uint64_t state_bytes(const struct wld_gguf *g, const struct wld_fit_settings *s)
{
    uint64_t r, st;
    if (g->wkv_head_size) { /* RWKV */
        r = (uint64_t) g->token_shift_count * g->n_embd;
        st = (uint64_t) g->n_embd * g->wkv_head_size;
    } else if (g->shortconv_l_cache) { /* LFM2 */
        r = (uint64_t) g->n_embd * (g->shortconv_l_cache - 1);
        st = 0;
    } else {
        r = g->ssm_d_conv ? (uint64_t) (g->ssm_d_conv - 1) *
                                    (g->ssm_d_inner + 2ull * g->ssm_n_group * g->ssm_d_state)
                          : 0;
        st = (uint64_t) g->ssm_d_state * g->ssm_d_inner;
    }
    return 4 * (r + st) * (s->n_parallel ? s->n_parallel : 1);
}

enum layer_kind { L_NONE, L_SHARED, L_RECURRENT, L_FULL, L_SWA };

static enum layer_kind kind_of(const struct wld_gguf *g, uint32_t il)
{
    if (wld_gguf_arch_no_memory(g->arch))
        return L_NONE;
    if (wld_gguf_arch_recurrent(g->arch))
        return L_RECURRENT;
    if (g->shared_kv_layers &&
        il >= g->n_layer - (g->shared_kv_layers < g->n_layer ? g->shared_kv_layers : g->n_layer))
        return L_SHARED;
    if (g->n_head_kv[il] == 0)
        return L_RECURRENT; /* a hybrid model's recurrent (or attention-free) layer */
    return g->swa_layer[il] ? L_SWA : L_FULL;
}

static void layer_kv(const struct wld_gguf *g,
                     const struct wld_fit_settings *s,
                     uint32_t il,
                     uint64_t *k,
                     uint64_t *v,
                     uint64_t *state)
{
    enum layer_kind kind = kind_of(g, il);
    *k = *v = *state = 0;
    if (kind == L_RECURRENT) {
        *state = state_bytes(g, s);
        return;
    }
    if (kind != L_FULL && kind != L_SWA)
        return;
    bool swa = kind == L_SWA;
    uint64_t cells = swa ? swa_cells(g, s) : ctx_of(g, s);
    uint64_t ek = (uint64_t) (swa ? g->head_k_swa : g->head_k) * g->n_head_kv[il];
    uint64_t ev = (uint64_t) (swa ? g->head_v_swa : g->head_v) * g->n_head_kv[il];
    *k = row(s->type_k, ek) * cells;
    if (!is_mla(g)) /* MLA layers keep the compressed K only (has_v = !is_mla) */
        *v = row(s->type_v, ev) * cells;
}

static int
check_settings(const struct wld_gguf *g, const struct wld_fit_settings *s, char *why, size_t n)
{
    const struct wld_ggml_type *tk = wld_ggml_type(s->type_k), *tv = wld_ggml_type(s->type_v);
    if (!tk || !tv || !tk->blck || !tv->blck) {
        snprintf(why, n, "unknown cache type");
        return -EINVAL;
    }
    if (is_mla(g) && s->type_k != s->type_v) {
        snprintf(why, n, "an MLA model needs the same -ctk and -ctv (llama.cpp refuses %s/%s)",
                 tk->name, tv->name);
        return -EINVAL;
    }
    /* flash attention (on by default on CUDA) needs whole blocks per head */
    if (g->head_k % tk->blck || (!is_mla(g) && g->head_v % tv->blck)) {
        snprintf(why, n,
                 "-ctk %s -ctv %s: the head size (%u/%u) is not a multiple of the cache type's "
                 "block, which flash attention needs",
                 tk->name, tv->name, g->head_k, g->head_v);
        return -EINVAL;
    }
    return 0;
}

static struct wld_kv kv_start(const struct wld_gguf *g, const struct wld_fit_settings *s)
{
    struct wld_kv kv = { .n_ctx = ctx_of(g, s), .mla = is_mla(g) };
    /* DeepSeek-style files converted before MLA support: a full 128-head cache */
    kv.old_mla = g->kv_lora_rank && !kv.mla;
    return kv;
}

/* After the last layer: the window cache's size, when there is one. */
static void kv_finish(const struct wld_gguf *g, const struct wld_fit_settings *s, struct wld_kv *kv)
{
    if (kv->layers_swa)
        kv->swa_cells = swa_cells(g, s);
}

/* Adds layer il to the totals in kv; returns the layer's bytes (cache and state). */
static uint64_t kv_add_layer(const struct wld_gguf *g,
                             const struct wld_fit_settings *s,
                             uint32_t il,
                             struct wld_kv *kv)
{
    uint64_t k, v, st;
    enum layer_kind kind = kind_of(g, il);
    layer_kv(g, s, il, &k, &v, &st);
    kv->k_bytes += k;
    kv->v_bytes += v;
    kv->state_bytes += st;
    kv->layers_kv += kind == L_FULL || kind == L_SWA;
    kv->layers_swa += kind == L_SWA;
    kv->layers_recurrent += kind == L_RECURRENT;
    kv->layers_shared += kind == L_SHARED;
    return k + v + st;
}

int wld_kv_compute(const struct wld_gguf *g,
                   const struct wld_fit_settings *s,
                   struct wld_kv *ret,
                   char *why,
                   size_t n)
{
    int r = check_settings(g, s, why, n);
    if (r < 0)
        return r;
    struct wld_kv kv = kv_start(g, s);
    for (uint32_t il = 0; il < g->n_layer; il++)
        kv_add_layer(g, s, il, &kv);
    kv_finish(g, s, &kv);
    *ret = kv;
    return 0;
}

int wld_fit_estimate(const struct wld_gguf *g,
                     const struct wld_fit_settings *s,
                     unsigned n_gpus,
                     struct wld_fit_estimate *ret,
                     char *why,
                     size_t n)
{
    struct wld_fit_estimate e = { .n_ctx = ctx_of(g, s) };
    int r = check_settings(g, s, why, n);
    if (r < 0)
        return r;
    e.kv = kv_start(g, s);
    /* llama_model::load_tensors: i_gpu_start = max(n_layer + 1 - ngl, 0); the output
     * layer (index n_layer) is offloaded first; the input embedding stays on the CPU */
    uint32_t all = g->n_layer + 1;
    uint32_t ngl = n_gpus == 0 ? 0
                   : s->n_gpu_layers < 0 || (uint32_t) s->n_gpu_layers > all
                           ? all
                           : (uint32_t) s->n_gpu_layers;
    uint32_t start = all - ngl;
    for (uint32_t il = 0; il < g->n_layer; il++) {
        uint64_t kv = kv_add_layer(g, s, il, &e.kv);
        if (il >= start) {
            e.gpu_weights += g->layer_bytes[il];
            e.gpu_kv += kv;
            e.layers_gpu++;
        } else {
            e.cpu_weights += g->layer_bytes[il];
            e.cpu_kv += kv;
        }
    }
    kv_finish(g, s, &e.kv);
    e.output_gpu = ngl > 0;
    uint64_t out = g->output_bytes + g->other_bytes;
    uint64_t ub = s->n_ubatch ? s->n_ubatch : DEFAULT_UB;
    uint64_t seqs = s->n_parallel ? s->n_parallel : 1;
    e.cpu_weights += g->embd_bytes;
    /* The largest graph tensor is the logits of a ubatch, F32 [n_vocab + n_embd, ub]; it
     * reproduces llama.cpp's logged compute buffers (300.75 MiB for Qwen2.5-3B, 105.00
     * MiB for TriLM 3.9B at ub 512). The host keeps the output buffer (logits of each
     * sequence) and a small input/compute buffer. */
    uint64_t logits_graph = 4 * ub * ((uint64_t) g->n_vocab + g->n_embd);
    e.host_buffers = 4 * seqs * ((uint64_t) g->n_vocab + g->n_embd);
    if (e.output_gpu) {
        e.gpu_weights += out + (g->tied_output ? g->embd_bytes : 0);
        e.gpu_compute = logits_graph;
        e.gpu_overhead = (uint64_t) n_gpus * s->cuda_overhead;
        e.host_buffers += 12 * ub * g->n_embd;
    } else {
        e.cpu_weights += out;
        e.host_buffers += logits_graph;
    }
    *ret = e;
    return 0;
}

static bool fits(const struct wld_gguf *g,
                 const struct wld_fit_settings *s,
                 unsigned n_gpus,
                 uint64_t vram,
                 uint64_t ram,
                 bool *ram_ok)
{
    struct wld_fit_estimate e;
    char why[8];
    if (wld_fit_estimate(g, s, n_gpus, &e, why, sizeof(why)) < 0)
        return false;
    if (ram_ok)
        *ram_ok = wld_fit_ram_total(&e) <= ram;
    return wld_fit_gpu_total(&e) <= vram && wld_fit_ram_total(&e) <= ram;
}

int wld_fit_max_ngl(const struct wld_gguf *g,
                    const struct wld_fit_settings *s,
                    unsigned n_gpus,
                    uint64_t vram,
                    uint64_t ram,
                    bool *ram_ok)
{
    struct wld_fit_settings t = *s;
    *ram_ok = false;
    for (int ngl = (int) g->n_layer + 1; n_gpus && ngl >= 0; ngl--) {
        struct wld_fit_estimate e;
        char why[8];
        t.n_gpu_layers = ngl;
        if (wld_fit_estimate(g, &t, n_gpus, &e, why, sizeof(why)) == 0 &&
            wld_fit_gpu_total(&e) <= vram) {
            *ram_ok = wld_fit_ram_total(&e) <= ram;
            return ngl;
        }
    }
    return -1;
}

void wld_fit_advise(const struct wld_gguf *g,
                    const struct wld_fit_settings *s,
                    unsigned n_gpus,
                    uint64_t vram,
                    uint64_t ram,
                    struct wld_fit_advice *ret)
{
    struct wld_fit_advice a = { .max_ngl = -1, .kv_type = -1 };
    struct wld_fit_settings t = *s;

    /* the largest context: the estimate grows with it, so bisect over multiples of 256 */
    uint32_t hi = ctx_of(g, s) / KV_PAD, lo = 0;
    if (g->n_ctx_train && pad(g->n_ctx_train, KV_PAD) / KV_PAD > hi)
        hi = pad(g->n_ctx_train, KV_PAD) / KV_PAD;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        t.n_ctx = mid * KV_PAD;
        if (fits(g, &t, n_gpus, vram, ram, NULL))
            lo = mid;
        else
            hi = mid - 1;
    }
    a.max_ctx = lo * KV_PAD;

    a.max_ngl = wld_fit_max_ngl(g, s, n_gpus, vram, ram, &a.max_ngl_ram_ok);

    /* a quantized cache, at the asked context */
    static const int kv_types[] = { WLD_GGML_Q8_0, WLD_GGML_Q4_0 };
    for (size_t i = 0; i < sizeof(kv_types) / sizeof(kv_types[0]); i++) {
        t = *s;
        t.type_k = t.type_v = kv_types[i];
        bool smaller = row(kv_types[i], 32) < row(s->type_k, 32) ||
                       row(kv_types[i], 32) < row(s->type_v, 32);
        if (smaller && fits(g, &t, n_gpus, vram, ram, NULL)) {
            a.kv_type = kv_types[i];
            break;
        }
    }

    /* the weights' share of the GPU at full offload */
    struct wld_fit_estimate e;
    char why[8];
    t = *s;
    t.n_gpu_layers = -1;
    if (n_gpus && g->n_params && wld_fit_estimate(g, &t, n_gpus, &e, why, sizeof(why)) == 0) {
        uint64_t rest = e.gpu_kv + e.gpu_compute + e.gpu_overhead;
        a.max_bpw = vram > rest ? (double) (vram - rest) * 8.0 / (double) g->n_params : 0;
    }
    *ret = a;
}

void wld_fit_host_memory(const struct wld_fit_estimate *e,
                         uint64_t file_bytes,
                         struct wld_fit_host *ret)
{
    ret->mmap_process = e->cpu_kv + e->host_buffers;
    ret->mmap_cached = e->cpu_weights;
    ret->no_mmap = wld_fit_ram_total(e);
    ret->load_cache = file_bytes;
}

/* A cache of n elements' worth in type t relative to the same in f16. */
static double cache_ratio(int from, int to)
{
    uint64_t a = wld_ggml_row_bytes(from, 256), b = wld_ggml_row_bytes(to, 256);
    return a && b ? (double) b / (double) a : 1.0;
}

void wld_fit_advise_measured(const struct wld_fit_measured *m, struct wld_fit_advice *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->max_ngl = -1;
    ret->kv_type = -1;
    if (m->vram_free == 0 || m->layers_gpu == 0 || m->layers_total == 0 || m->gpu_weights == 0)
        return;
    double per_layer = (double) m->gpu_weights / m->layers_gpu;
    double kv_per_layer = m->kv && m->layers_total ? (double) m->kv / m->layers_total : 0;
    /* what the GPU holds besides the weights: compute buffer (as measured, else one
     * ubatch's worth as wld_fit_estimate guesses it) and the CUDA context */
    double reserve = (double) (m->compute ? m->compute : 512 * MIB) + (double) CUDA_DEFAULT;
    double room = (double) m->vram_free - reserve;
    for (int n = (int) m->layers_total; n >= 0 && ret->max_ngl < 0; n--)
        if (n * (per_layer + kv_per_layer) <= room)
            ret->max_ngl = n;
    if (m->kv && m->n_ctx) {
        double per_cell = (double) m->kv / m->n_ctx;
        double all_weights = per_layer * m->layers_total;
        double left = room - all_weights;
        if (left > per_cell * KV_PAD)
            ret->max_ctx = (uint32_t) (left / per_cell) / KV_PAD * KV_PAD;
        static const int types[] = { WLD_GGML_Q8_0, WLD_GGML_Q4_0 };
        int tk = m->type_k > 0 ? m->type_k : WLD_GGML_F16;
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && ret->kv_type < 0; i++) {
            double kv = (double) m->kv * cache_ratio(tk, types[i]);
            if (all_weights + kv <= room)
                ret->kv_type = types[i];
        }
    }
}
