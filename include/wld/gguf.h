/* Reading GGUF model headers: the metadata and the tensor infos, never the tensor data.
 *
 * A model file is the most hostile input the doctor reads: users download them from
 * anywhere, and a truncated download looks like a model. Every count and length is checked
 * against the bytes left in the file before it is used, arithmetic is overflow-checked, and
 * llama.cpp's own rejections (ggml src/gguf.cpp, llama-model-loader) are applied with the
 * same reasons, so a file llama.cpp refuses is refused here, and says why.
 * Reference: ../shared/reference/gguf.md (format, limits, type table). */
#ifndef WLD_GGUF_H
#define WLD_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wld/elf.h"
#include "wld/host.h"

/* What became of a read. Anything but OK comes with a one-line reason. */
enum wld_gguf_state {
    WLD_GGUF_OK,
    WLD_GGUF_NOT_GGUF,      /* no GGUF magic: another format (or an ollama manifest) */
    WLD_GGUF_UNSUPPORTED,   /* GGUFv1, a future version, big-endian: llama.cpp refuses it */
    WLD_GGUF_INVALID,       /* a structure llama.cpp rejects */
    WLD_GGUF_TRUNCATED,     /* the header is fine, tensor data runs past the end of the file */
    WLD_GGUF_SPLIT_MISSING, /* a shard of a split model is not there */
    WLD_GGUF_IO,            /* the file could not be read */
};
const char *wld_gguf_state_name(enum wld_gguf_state s);

#define WLD_GGUF_MAX_LAYERS 512 /* LLAMA_MAX_LAYERS */

/* ggml tensor types (ggml.h enum ggml_type). Removed ids have block size 0. */
#define WLD_GGML_TYPE_COUNT 43
#define WLD_GGML_F32        0
#define WLD_GGML_F16        1
#define WLD_GGML_Q4_0       2
#define WLD_GGML_Q8_0       8
struct wld_ggml_type {
    const char *name; /* "q4_K", NULL for a removed id */
    uint32_t blck;    /* elements per block, 0 when removed */
    uint32_t size;    /* bytes per block */
};
/* The type for id, or NULL when id is outside the table. */
const struct wld_ggml_type *wld_ggml_type(int id);
/* Bytes of a row of n elements of type id (n a multiple of the block). */
uint64_t wld_ggml_row_bytes(int id, uint64_t n);
/* A -ctk/-ctv name as llama.cpp accepts it (f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1):
 * the type id, or -1. */
int wld_ggml_cache_type(const char *name);
/* The i-th of those names, in that order (the completions offer them); NULL past the last. */
const char *wld_ggml_cache_type_name(size_t i);
/* general.file_type (enum llama_ftype) as llama_ftype_name() prints it, or NULL. */
const char *wld_llama_ftype_name(int64_t ftype);

/* The header of one model, shards summed. Sizes are bytes. Arrays have n_layer entries. */
struct wld_gguf {
    enum wld_gguf_state state;
    char reason[256];
    /* NOT_GGUF: what the file is instead (wld/filekind.h: "html", "git_lfs_pointer"...) */
    char kind[24];

    uint32_t version;
    bool big_endian;
    uint64_t file_bytes;   /* all shards */
    uint64_t header_bytes; /* of the first shard: up to the start of tensor data */
    uint32_t n_shards;
    uint64_t n_tensors, n_kv;
    uint32_t alignment;

    char arch[64];
    char name[128];
    int64_t file_type; /* general.file_type, -1 when absent */
    uint64_t n_params;

    /* Where the tensor bytes are: per transformer block, the input embedding (kept on
     * the CPU by llama.cpp), the output layer (output.weight, output_norm), the rest. */
    uint64_t tensor_bytes;
    uint64_t *layer_bytes;
    uint64_t embd_bytes, output_bytes, other_bytes;
    bool tied_output; /* no output.weight: llama.cpp reuses token_embd as the output */

    /* hparams ({arch}.*), 0 when absent */
    uint32_t n_layer, n_ctx_train, n_embd, n_ff, n_vocab;
    uint32_t *n_head, *n_head_kv; /* per layer */
    uint32_t head_k, head_v, head_k_swa, head_v_swa;
    uint32_t n_swa;
    uint8_t *swa_layer;    /* per layer: 1 when a sliding-window layer */
    bool swa_from_pattern; /* sliding_window_pattern or an arch default decided swa_layer */
    uint32_t shared_kv_layers;
    uint32_t kv_lora_rank, head_k_mla, head_v_mla;
    uint32_t n_expert, n_expert_used;
    uint32_t ssm_d_conv, ssm_d_inner, ssm_d_state, ssm_n_group;
    uint32_t wkv_head_size, token_shift_count, shortconv_l_cache;
    bool causal;
    /* The first hparam stored with an integer type other than the u32 llama.cpp's loader
     * requires ("" when none): such a file fails to load with "wrong type". */
    char wrong_type_key[96];

    /* Lookup state (private to gguf.c). */
    void *kvs;
    size_t n_kvs;
};

/* Reads a model at path on host: a single file or, for NAME-0000K-of-0000N.gguf, all N
 * shards. Always fills *ret (release with wld_gguf_release); ret->state says how far it
 * got. Allocation failure aborts, as everywhere in the doctor. */
void wld_gguf_read(const struct wld_host *h, const char *path, struct wld_gguf *ret);
/* NAME-0000K-of-0000N.gguf (llama_split_path): true with K, N and the length of NAME. */
bool wld_gguf_split_name(const char *path, unsigned *k, unsigned *n, size_t *prefix);
/* Reads one file's header from a reader (no shards). */
void wld_gguf_parse(const struct wld_reader *r, struct wld_gguf *ret);
void wld_gguf_release(struct wld_gguf *g);

/* Metadata lookup after a read: the value of key as an unsigned integer (any integer type,
 * not negative), string, or array length. false when absent or of another type. */
bool wld_gguf_get_uint(const struct wld_gguf *g, const char *key, uint64_t *ret);
const char *wld_gguf_get_str(const struct wld_gguf *g, const char *key);
bool wld_gguf_get_array_len(const struct wld_gguf *g, const char *key, uint64_t *ret);

/* True for architectures llama.cpp runs without a KV cache (recurrent state only) and for
 * encoders that allocate no cache at all. */
bool wld_gguf_arch_recurrent(const char *arch);
bool wld_gguf_arch_no_memory(const char *arch);

/* Only general.architecture of the file r (src/parse/gguf_arch.c), into buf (n bytes): the keys
 * before it are stepped over, never kept. Returns 0; -ENOENT when the header has none;
 * -E2BIG when it is not among the first keys (a vocabulary before it); -ENAMETOOLONG when it
 * does not fit; -EINVAL for a file llama.cpp would not read as GGUF (big-endian included). */
int wld_gguf_peek_arch(const struct wld_reader *r, char *buf, size_t n);

#endif
