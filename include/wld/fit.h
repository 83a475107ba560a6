/* What llama.cpp will allocate for a model: the KV cache by llama.cpp's own rule, and the
 * weights, compute buffers and overheads split between the GPU and host memory for a given
 * -ngl. Pure arithmetic on a read header (wld/gguf.h); no I/O.
 *
 * The KV cache is exact (src/llama-kv-cache.cpp, llama-kv-cache-iswa.cpp,
 * llama-memory-recurrent.cpp; gguf.md 3): n_ctx padded to 256, per-layer KV heads, GQA,
 * sliding-window layers in their own smaller cache, MLA storing K only, recurrent state,
 * shared-KV layers. The compute buffer and CUDA context are approximations, reported as
 * such (gguf.md 4.4). */
#ifndef WLD_FIT_H
#define WLD_FIT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wld/gguf.h"

struct wld_fit_settings {
    uint32_t n_ctx;         /* -c: 0 means the trained context, as llama.cpp */
    int n_gpu_layers;       /* -ngl: -1 all (llama.cpp's default), counting the output layer */
    int type_k, type_v;     /* -ctk/-ctv ggml type ids (WLD_GGML_F16 by default) */
    uint32_t n_parallel;    /* -np: sequences; the cache is unified (llama-server's default) */
    uint32_t n_ubatch;      /* -ub, 512 */
    bool swa_full;          /* --swa-full */
    uint64_t cuda_overhead; /* bytes per GPU for the CUDA context and cuBLAS (a heuristic) */
};

/* The defaults llama.cpp uses, with the given context. */
void wld_fit_defaults(struct wld_fit_settings *s, uint32_t n_ctx);

struct wld_kv {
    uint32_t n_ctx;     /* cells of the full-attention cache (padded) */
    uint32_t swa_cells; /* cells of the sliding-window cache, 0 when none */
    uint64_t k_bytes, v_bytes;
    uint64_t state_bytes; /* recurrent layers: conv + ssm/wkv state (F32) */
    uint32_t layers_kv, layers_swa, layers_recurrent, layers_shared;
    bool mla;     /* K only (llama.cpp 2026) */
    bool old_mla; /* an MLA model converted without *_mla keys: full MHA cache */
};

/* Returns 0 and fills *ret; -EINVAL with a reason in why (n bytes) when llama.cpp would
 * refuse the settings for this model (a cache type whose block does not divide the head
 * size, K and V types that differ on an MLA model). */
int wld_kv_compute(const struct wld_gguf *g,
                   const struct wld_fit_settings *s,
                   struct wld_kv *ret,
                   char *why,
                   size_t n);

struct wld_fit_estimate {
    struct wld_kv kv;
    uint32_t n_ctx;      /* the context used (padded) */
    uint32_t layers_gpu; /* blocks offloaded */
    bool output_gpu;     /* the output layer is offloaded (first, inside -ngl) */
    /* GPU (all devices together) */
    uint64_t gpu_weights, gpu_kv, gpu_compute, gpu_overhead;
    /* host RAM: CPU-resident weights (mmap'd), their KV, logits/output and host compute */
    uint64_t cpu_weights, cpu_kv, host_buffers;
};

static inline uint64_t wld_fit_gpu_total(const struct wld_fit_estimate *e)
{
    return e->gpu_weights + e->gpu_kv + e->gpu_compute + e->gpu_overhead;
}
static inline uint64_t wld_fit_ram_total(const struct wld_fit_estimate *e)
{
    return e->cpu_weights + e->cpu_kv + e->host_buffers;
}
/* The context llama.cpp allocates (padded) is past the one the model was trained for:
 * llama.cpp logs "possible training context overflow" and uses it, llama-server caps each
 * slot at n_ctx_train. No GPU is involved. */
static inline bool wld_fit_over_train(const struct wld_gguf *g, const struct wld_fit_estimate *e)
{
    return g->n_ctx_train && e->n_ctx > g->n_ctx_train;
}

/* What a model needs of the host's memory beside the GPU, with and without mmap. llama.cpp
 * maps the file by default: its CPU-resident weights stay page cache of the file, shared
 * and reclaimable; with --no-mmap they are copied into the process's own memory, which
 * the OOM killer counts. Either way the load reads the whole file through the page cache. */
struct wld_fit_host {
    uint64_t mmap_process; /* with mmap: KV cache and buffers in host memory */
    uint64_t mmap_cached;  /* with mmap: CPU-resident weights, as page cache */
    uint64_t no_mmap;      /* with --no-mmap: all of it in the process's memory */
    uint64_t load_cache;   /* page cache the load reads through: the model's files */
};
void wld_fit_host_memory(const struct wld_fit_estimate *e,
                         uint64_t file_bytes,
                         struct wld_fit_host *ret);

/* The estimate for n_gpus devices (0: CPU only, whatever -ngl says). Returns as
 * wld_kv_compute. */
int wld_fit_estimate(const struct wld_gguf *g,
                     const struct wld_fit_settings *s,
                     unsigned n_gpus,
                     struct wld_fit_estimate *ret,
                     char *why,
                     size_t n);

/* What would make it fit in vram bytes of GPU memory (all devices) and ram bytes of host
 * memory, each found by computing, not guessing; 0 / -1 when nothing of that kind fits. */
struct wld_fit_advice {
    uint32_t max_ctx;    /* the largest -c (multiple of 256) with everything as asked */
    int max_ngl;         /* the largest -ngl whose GPU part fits (-1: none) */
    bool max_ngl_ram_ok; /* ...and whose host part fits RAM */
    int kv_type;         /* q8_0 or q4_0 K and V that fit at the asked context (-1: none) */
    double max_bpw;      /* bits per weight the weights would need to shrink to */
};
/* The most layers (-ngl, output layer included) whose GPU part fits in vram at s's context,
 * or -1; *ram_ok tells whether the host part then fits in ram. One piece of the advice. */
int wld_fit_max_ngl(const struct wld_gguf *g,
                    const struct wld_fit_settings *s,
                    unsigned n_gpus,
                    uint64_t vram,
                    uint64_t ram,
                    bool *ram_ok);
void wld_fit_advise(const struct wld_gguf *g,
                    const struct wld_fit_settings *s,
                    unsigned n_gpus,
                    uint64_t vram,
                    uint64_t ram,
                    struct wld_fit_advice *ret);

/* What a log measured of one load (wsl-llm-doctor log): llama.cpp's own buffer sizes in
 * place of a header. The same rules as wld_fit_advise: the weights split per layer, the
 * KV cache per context cell, -c in multiples of 256, the compute buffer and the CUDA
 * context reserved on the GPU. Sizes in bytes; 0 when the log did not say. */
struct wld_fit_measured {
    uint64_t vram_free;                /* on the devices the model was offloaded to */
    uint64_t gpu_weights;              /* the model buffers on them (or the one that failed) */
    uint32_t layers_gpu, layers_total; /* "offloaded A/B layers" */
    uint64_t kv;                       /* the KV cache, for n_ctx cells */
    uint32_t n_ctx;
    int type_k, type_v; /* ggml type ids of the cache (WLD_GGML_F16 when unknown) */
    uint64_t compute;   /* compute buffers on the GPUs */
};
/* Fills max_ngl (the most layers that fit, -1 none), max_ctx (0 when unknown or none) and
 * kv_type (a quantized cache that fits at n_ctx, -1 none); max_bpw and max_ngl_ram_ok are
 * not computed (0). */
void wld_fit_advise_measured(const struct wld_fit_measured *m, struct wld_fit_advice *ret);

/* Facts (src/fit/fit_facts.c): a read header as JSON evidence, and back, so that models.fit
 * judges from the report's own evidence and a replayed report judges the same. */
void wld_gguf_to_facts(const struct wld_gguf *g, cJSON *obj);
/* Returns 0, or -EINVAL for facts without a usable header. Release with wld_gguf_release. */
int wld_gguf_from_facts(const cJSON *obj, struct wld_gguf *ret);

/* The memory a model must fit in: GPUs (all devices together) and the VM's RAM. */
struct wld_fit_capacity {
    unsigned n_gpus;
    uint64_t vram_free, vram_total;
    const char *vram_source; /* "libcuda", "nvidia-smi", "--vram" or NULL (no GPU known) */
    char gpus[160];          /* "NVIDIA GeForce RTX 4090" or "2 GPUs: ..." */
    uint64_t ram_total, ram_available; /* MemTotal, MemAvailable; 0 when unknown */
};
/* From gpu.cuda's devices, else gpu.driver's nvidia-smi figures; --vram (settings.vram_gib
 * in mine) replaces both. RAM from mine's meminfo. */
void wld_fit_capacity(const cJSON *facts, const cJSON *mine, struct wld_fit_capacity *ret);
/* The settings as gathered into mine["settings"]. */
void wld_fit_settings_from_facts(const cJSON *mine, struct wld_fit_settings *ret);

/* models.fit's rule params, as models.fit and `fit` both take them: the CUDA context's
 * cost into s->cuda_overhead and the GPU memory to leave free into *margin (bytes; MiB in
 * the rules, [0, 1 TiB], else the fallbacks 250 and 1024 MiB). ctx carries models.fit's
 * params. */
struct wld_eval_ctx;
void wld_fit_rule_params(const struct wld_eval_ctx *ctx,
                         struct wld_fit_settings *s,
                         uint64_t *margin);

/* Where an estimate of gpu and ram bytes stands against cap, worst first: the GPUs too
 * small (only with GPUs), the RAM too small (only when known), less than margin left on
 * the GPUs, or room. One rule for models.fit's verdict and `fit`'s table. */
enum wld_fit_room {
    WLD_FIT_GPU_SHORT,
    WLD_FIT_RAM_SHORT,
    WLD_FIT_THIN,
    WLD_FIT_ROOM,
};
enum wld_fit_room
wld_fit_room(uint64_t gpu, uint64_t ram, const struct wld_fit_capacity *cap, uint64_t margin);

/* A size as people read it: "4.58 GiB", "812 MiB", "489 KiB", "1023 B" (binary units; a
 * figure that would round up to the next unit is shown in it). JSON keeps the bytes. */
void wld_fmt_bytes(uint64_t bytes, char *out, size_t n);
/* A parameter count: "125.2K", "7.2M", "8.03B", "1.03T", "336" (decimal units, as model
 * cards write them). */
void wld_fmt_params(uint64_t count, char *out, size_t n);

#endif
