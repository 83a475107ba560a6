/* A GGUF writer for tests, fixtures and benchmarks: valid model headers with llama.cpp's
 * real tensor layout, and the raw pieces to build hostile ones. Independent of the reader
 * under test (src/parse/gguf.c): it only writes. */
#ifndef WLD_TEST_GGUFW_H
#define WLD_TEST_GGUFW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ggufw {
    unsigned char *data;
    size_t len, cap;
    bool be; /* write big-endian scalars */
    bool v1; /* u32 counts and lengths */
};

void ggufw_init(struct ggufw *w);
void ggufw_free(struct ggufw *w);
void ggufw_bytes(struct ggufw *w, const void *p, size_t n);
void ggufw_u8(struct ggufw *w, uint8_t v);
void ggufw_u32(struct ggufw *w, uint32_t v);
void ggufw_u64(struct ggufw *w, uint64_t v);
void ggufw_count(struct ggufw *w, uint64_t v); /* u64, or u32 in v1 */
void ggufw_str(struct ggufw *w, const char *s);
void ggufw_pad(struct ggufw *w, uint32_t align);
/* "GGUF", version, tensor and kv counts */
void ggufw_header(struct ggufw *w, uint32_t version, uint64_t n_tensors, uint64_t n_kv);
void ggufw_kv_u32(struct ggufw *w, const char *key, uint32_t v);
void ggufw_kv_str(struct ggufw *w, const char *key, const char *v);
void ggufw_kv_bool(struct ggufw *w, const char *key, bool v);
void ggufw_kv_f32(struct ggufw *w, const char *key, float v);
void ggufw_kv_arr_i32(struct ggufw *w, const char *key, const int32_t *v, size_t n);
void ggufw_kv_arr_bool(struct ggufw *w, const char *key, const bool *v, size_t n);
void ggufw_tensor(struct ggufw *w,
                  const char *name,
                  uint32_t n_dims,
                  const uint64_t *ne,
                  uint32_t type,
                  uint64_t offset);

/* A model: what llama.cpp's converter and quantizer would write for this shape. */
struct ggufw_model {
    const char *arch, *name;
    uint32_t n_layer, n_embd, n_head, n_head_kv, n_ff, n_vocab, n_ctx_train;
    uint32_t head_dim;          /* 0: n_embd / n_head */
    const int32_t *head_kv_arr; /* per-layer head_count_kv, or NULL */
    uint32_t n_swa;             /* attention.sliding_window, 0 for none */
    const bool *swa_pattern;    /* per-layer BOOL array, or NULL */
    uint32_t swa_period;        /* u32 sliding_window_pattern, 0 for none */
    uint32_t kv_lora_rank, key_mla, value_mla, key_len, value_len; /* MLA (0: none) */
    bool no_mla_keys; /* an MLA model converted before llama.cpp stored *_mla keys */
    uint32_t n_expert, n_expert_used;
    uint32_t ssm_conv, ssm_inner, ssm_state, ssm_group; /* mamba2 */
    int ftype;            /* general.file_type: 15 Q4_K_M, 18 Q6_K, 7 Q8_0, 1 F16, 2 Q4_0 */
    bool vocab_strings;   /* write tokenizer.ggml.tokens/merges as a converter does */
    bool tied;            /* no output.weight */
    bool u64_hparams;     /* block_count etc. as u64 (llama.cpp's loader refuses them) */
    uint32_t split_count; /* 0/1: one file; else the tensors of shard split_no (1-based) */
    uint32_t split_no;
};

/* A known model's shape ("llama-3.1-8b", "llama-3.1-70b", "qwen2.5-7b", "qwen2.5-32b",
 * "qwen3-32b", "qwen3-30b-a3b", "mistral-7b", "gemma-2-9b", "deepseek-v2-lite") in Q4_K_M, "tiny"
 * (2 layers, 256 context, F32), or NULL. */
const struct ggufw_model *ggufw_preset(const char *name);

/* Writes the header into w (alignment 32) and returns the size of the tensor data that
 * must follow it. */
uint64_t ggufw_model(struct ggufw *w, const struct ggufw_model *m);
/* Writes the model to path: header (GGUFv1 or big-endian when asked), then tensor data as
 * a hole (a sparse file of the full size), or cut to keep bytes when keep is not
 * (uint64_t)-1. Returns 0 or -errno. */
int ggufw_model_file(
        const char *path, const struct ggufw_model *m, uint64_t keep, bool v1, bool be);

#endif
