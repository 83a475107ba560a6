/* GGUF writer for tests (see ggufw.h). Layout and quant choices follow llama.cpp's
 * converter and src/llama-quant.cpp (llama_tensor_get_type), so sizes are realistic. */
#include "ggufw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14 };
static const uint32_t blck[] = { [F32] = 1,    [F16] = 1,    [Q4_0] = 32,  [Q8_0] = 32,
                                 [Q3_K] = 256, [Q4_K] = 256, [Q5_K] = 256, [Q6_K] = 256 };
static const uint32_t bsize[] = { [F32] = 4,    [F16] = 2,    [Q4_0] = 18,  [Q8_0] = 34,
                                  [Q3_K] = 110, [Q4_K] = 144, [Q5_K] = 176, [Q6_K] = 210 };

void ggufw_init(struct ggufw *w)
{
    memset(w, 0, sizeof(*w));
}

void ggufw_free(struct ggufw *w)
{
    free(w->data);
    w->data = NULL;
    w->len = w->cap = 0;
}

void ggufw_bytes(struct ggufw *w, const void *p, size_t n)
{
    if (w->len + n > w->cap) {
        w->cap = (w->len + n) * 2 + 4096;
        w->data = realloc(w->data, w->cap);
        if (!w->data)
            abort();
    }
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

static void scalar(struct ggufw *w, uint64_t v, size_t n)
{
    unsigned char b[8];
    for (size_t i = 0; i < n; i++)
        b[w->be ? n - 1 - i : i] = (unsigned char) (v >> (8 * i));
    ggufw_bytes(w, b, n);
}

void ggufw_u8(struct ggufw *w, uint8_t v)
{
    ggufw_bytes(w, &v, 1);
}
void ggufw_u32(struct ggufw *w, uint32_t v)
{
    scalar(w, v, 4);
}
void ggufw_u64(struct ggufw *w, uint64_t v)
{
    scalar(w, v, 8);
}
void ggufw_count(struct ggufw *w, uint64_t v)
{
    scalar(w, v, w->v1 ? 4 : 8);
}

void ggufw_str(struct ggufw *w, const char *s)
{
    ggufw_count(w, strlen(s));
    ggufw_bytes(w, s, strlen(s));
}

void ggufw_pad(struct ggufw *w, uint32_t align)
{
    static const unsigned char zero[256];
    while (w->len % align)
        ggufw_bytes(w, zero,
                    align - w->len % align > sizeof(zero) ? sizeof(zero) : align - w->len % align);
}

void ggufw_header(struct ggufw *w, uint32_t version, uint64_t n_tensors, uint64_t n_kv)
{
    ggufw_bytes(w, "GGUF", 4);
    ggufw_u32(w, version);
    ggufw_count(w, n_tensors);
    ggufw_count(w, n_kv);
}

void ggufw_kv_u32(struct ggufw *w, const char *key, uint32_t v)
{
    ggufw_str(w, key);
    ggufw_u32(w, 4);
    ggufw_u32(w, v);
}

static void kv_u64(struct ggufw *w, const char *key, uint64_t v)
{
    ggufw_str(w, key);
    ggufw_u32(w, 10);
    ggufw_u64(w, v);
}

void ggufw_kv_str(struct ggufw *w, const char *key, const char *v)
{
    ggufw_str(w, key);
    ggufw_u32(w, 8);
    ggufw_str(w, v);
}

void ggufw_kv_bool(struct ggufw *w, const char *key, bool v)
{
    ggufw_str(w, key);
    ggufw_u32(w, 7);
    ggufw_u8(w, v);
}

void ggufw_kv_f32(struct ggufw *w, const char *key, float v)
{
    uint32_t u;
    memcpy(&u, &v, sizeof(u));
    ggufw_str(w, key);
    ggufw_u32(w, 6);
    ggufw_u32(w, u);
}

void ggufw_kv_arr_i32(struct ggufw *w, const char *key, const int32_t *v, size_t n)
{
    ggufw_str(w, key);
    ggufw_u32(w, 9);
    ggufw_u32(w, 5);
    ggufw_count(w, n);
    for (size_t i = 0; i < n; i++)
        ggufw_u32(w, (uint32_t) v[i]);
}

void ggufw_kv_arr_bool(struct ggufw *w, const char *key, const bool *v, size_t n)
{
    ggufw_str(w, key);
    ggufw_u32(w, 9);
    ggufw_u32(w, 7);
    ggufw_count(w, n);
    for (size_t i = 0; i < n; i++)
        ggufw_u8(w, v[i]);
}

void ggufw_tensor(struct ggufw *w,
                  const char *name,
                  uint32_t n_dims,
                  const uint64_t *ne,
                  uint32_t type,
                  uint64_t offset)
{
    ggufw_str(w, name);
    ggufw_u32(w, n_dims);
    for (uint32_t i = 0; i < n_dims; i++)
        ggufw_count(w, ne[i]);
    ggufw_u32(w, type);
    ggufw_u64(w, offset);
}

/* Real shapes (gguf.md 5.1, the models' config.json as converted). */
static const struct preset {
    const char *name;
    struct ggufw_model m;
} presets[] = {
    { "llama-3.1-8b",
      { .arch = "llama",
        .name = "Meta Llama 3.1 8B Instruct",
        .n_layer = 32,
        .n_embd = 4096,
        .n_head = 32,
        .n_head_kv = 8,
        .n_ff = 14336,
        .n_vocab = 128256,
        .n_ctx_train = 131072,
        .ftype = 15 } },
    { "llama-3.1-70b",
      { .arch = "llama",
        .name = "Meta Llama 3.1 70B Instruct",
        .n_layer = 80,
        .n_embd = 8192,
        .n_head = 64,
        .n_head_kv = 8,
        .n_ff = 28672,
        .n_vocab = 128256,
        .n_ctx_train = 131072,
        .ftype = 15 } },
    { "qwen2.5-7b",
      { .arch = "qwen2",
        .name = "Qwen2.5 7B Instruct",
        .n_layer = 28,
        .n_embd = 3584,
        .n_head = 28,
        .n_head_kv = 4,
        .n_ff = 18944,
        .n_vocab = 152064,
        .n_ctx_train = 32768,
        .ftype = 15 } },
    { "qwen2.5-32b",
      { .arch = "qwen2",
        .name = "Qwen2.5 32B Instruct",
        .n_layer = 64,
        .n_embd = 5120,
        .n_head = 40,
        .n_head_kv = 8,
        .n_ff = 27648,
        .n_vocab = 152064,
        .n_ctx_train = 32768,
        .ftype = 15 } },
    { "qwen3-32b",
      { .arch = "qwen3",
        .name = "Qwen3 32B",
        .n_layer = 64,
        .n_embd = 5120,
        .n_head = 64,
        .n_head_kv = 8,
        .head_dim = 128,
        .n_ff = 25600,
        .n_vocab = 151936,
        .n_ctx_train = 40960,
        .ftype = 15 } },
    /* Qwen3-30B-A3B: 128 experts of 768, 8 used; n_ff is the experts' width (the real
     * header's feed_forward_length, 6144, sizes no tensor of a qwen3moe model) */
    { "qwen3-30b-a3b",
      { .arch = "qwen3moe",
        .name = "Qwen3 30B A3B",
        .n_layer = 48,
        .n_embd = 2048,
        .n_head = 32,
        .n_head_kv = 4,
        .head_dim = 128,
        .n_expert = 128,
        .n_expert_used = 8,
        .n_ff = 768,
        .n_vocab = 151936,
        .n_ctx_train = 40960,
        .ftype = 15 } },
    { "mistral-7b",
      { .arch = "llama",
        .name = "Mistral 7B Instruct v0.3",
        .n_layer = 32,
        .n_embd = 4096,
        .n_head = 32,
        .n_head_kv = 8,
        .n_ff = 14336,
        .n_vocab = 32768,
        .n_ctx_train = 32768,
        .ftype = 15 } },
    { "gemma-2-9b",
      { .arch = "gemma2",
        .name = "Gemma 2 9B It",
        .n_layer = 42,
        .n_embd = 3584,
        .n_head = 16,
        .n_head_kv = 8,
        .head_dim = 256,
        .n_ff = 14336,
        .n_vocab = 256000,
        .n_ctx_train = 8192,
        .n_swa = 4096,
        .ftype = 15,
        .tied = true } },
    { "deepseek-v2-lite",
      { .arch = "deepseek2",
        .name = "DeepSeek V2 Lite Chat",
        .n_layer = 27,
        .n_embd = 2048,
        .n_head = 16,
        .n_head_kv = 1,
        .key_len = 576,
        .value_len = 512,
        .kv_lora_rank = 512,
        .key_mla = 192,
        .value_mla = 128,
        .n_expert = 64,
        .n_expert_used = 6,
        .n_ff = 1536,
        .n_vocab = 102400,
        .n_ctx_train = 163840,
        .ftype = 15 } },
    /* ../shared/tools/tiny_gguf_model.py's defaults: the tiny.gguf a real llama-server
     * loaded (corpus-sample/server/real-llama-server-b10309), 125,248 F32 weights */
    { "tiny",
      { .arch = "llama",
        .name = "tiny-llama-test",
        .n_layer = 2,
        .n_embd = 64,
        .n_head = 4,
        .n_head_kv = 4,
        .n_ff = 128,
        .n_vocab = 336,
        .n_ctx_train = 256,
        .ftype = 0 } },
};

const struct ggufw_model *ggufw_preset(const char *name)
{
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
        if (strcmp(name, presets[i].name) == 0)
            return &presets[i].m;
    return NULL;
}

/* The model writer: tensors are produced once by walk() and either counted or written. */
struct walk {
    struct ggufw *w; /* NULL: only count */
    const struct ggufw_model *m;
    uint32_t shard; /* 1-based shard whose tensors are emitted, 0 for all */
    uint64_t n, offset;
};

static uint32_t shard_of_layer(const struct ggufw_model *m, uint32_t il)
{
    uint32_t n = m->split_count > 1 ? m->split_count : 1;
    return 1 + il * n / (m->n_layer ? m->n_layer : 1);
}

static void emit(struct walk *k,
                 uint32_t shard,
                 const char *name,
                 uint64_t ne0,
                 uint64_t ne1,
                 uint64_t ne2,
                 int type)
{
    if (k->shard && shard != k->shard)
        return;
    if (ne0 % blck[type])
        type = F16; /* a shape the quant cannot hold stays unquantized, as llama.cpp does */
    uint64_t ne[3] = { ne0, ne1, ne2 }, bytes = ne0 / blck[type] * bsize[type] * ne1 * ne2;
    uint32_t dims = ne2 > 1 ? 3 : ne1 > 1 ? 2 : 1;
    if (k->w)
        ggufw_tensor(k->w, name, dims, ne, (uint32_t) type, k->offset);
    k->n++;
    k->offset += (bytes + 31) / 32 * 32;
}

/* llama-quant.cpp use_more_bits() */
static bool more_bits(uint32_t i, uint32_t n)
{
    return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
}

struct quant {
    int base, attn_v, ffn_down, output, embd;
};

static struct quant quant_of(const struct ggufw_model *m, uint32_t il)
{
    switch (m->ftype) {
    case 0:
        return (struct quant){ F32, F32, F32, F32, F32 };
    case 1:
        return (struct quant){ F16, F16, F16, F16, F16 };
    case 7:
        return (struct quant){ Q8_0, Q8_0, Q8_0, Q8_0, Q8_0 };
    case 2:
        return (struct quant){ Q4_0, Q4_0, Q4_0, Q6_K, Q4_0 };
    case 12: /* Q3_K_M */
        return (struct quant){ Q3_K, Q4_K, Q4_K, Q6_K, Q3_K };
    case 18:
        return (struct quant){ Q6_K, Q6_K, Q6_K, Q6_K, Q6_K };
    case 17: /* Q5_K_M */
        return (struct quant){ Q5_K, more_bits(il, m->n_layer) ? Q6_K : Q5_K,
                               more_bits(il, m->n_layer) ? Q6_K : Q5_K, Q6_K, Q5_K };
    default: { /* 15, Q4_K_M */
        int v = more_bits(il, m->n_layer) ? Q6_K : Q4_K;
        if (m->n_layer == 80 && v == Q4_K) /* LLM_TYPE_70B: attn_v gets Q5_K */
            v = Q5_K;
        return (struct quant){ Q4_K, v, more_bits(il, m->n_layer) ? Q6_K : Q4_K, Q6_K, Q4_K };
    }
    }
}

static void walk_tensors(struct walk *k)
{
    const struct ggufw_model *m = k->m;
    uint32_t hd = m->head_dim ? m->head_dim : m->n_embd / m->n_head;
    uint32_t last = m->split_count > 1 ? m->split_count : 1;
    char name[64];
    struct quant q0 = quant_of(m, 0);
    emit(k, 1, "token_embd.weight", m->n_embd, m->n_vocab, 1, q0.embd);
    for (uint32_t il = 0; il < m->n_layer; il++) {
        struct quant q = quant_of(m, il);
        uint32_t s = shard_of_layer(m, il);
        uint32_t kv = m->head_kv_arr ? (uint32_t) m->head_kv_arr[il] : m->n_head_kv;
#define T(suffix, a, b, c, type)                            \
    do {                                                    \
        snprintf(name, sizeof(name), "blk.%u." suffix, il); \
        emit(k, s, name, a, b, c, type);                    \
    } while (0)
        T("attn_norm.weight", m->n_embd, 1, 1, F32);
        if (m->ssm_inner && kv == 0) {
            uint32_t conv = m->ssm_inner + 2 * m->ssm_group * m->ssm_state;
            T("ssm_in.weight", m->n_embd, m->ssm_inner + conv + m->n_head, 1, F16);
            T("ssm_conv1d.weight", m->ssm_conv, conv, 1, F32);
            T("ssm_out.weight", m->ssm_inner, m->n_embd, 1, F16);
        } else if (m->kv_lora_rank) {
            T("attn_q.weight", m->n_embd, m->n_head * m->key_mla, 1, q.base);
            /* the compressed KV plus a 64-wide RoPE part, as DeepSeek-V2/V3 */
            T("attn_kv_a_mqa.weight", m->n_embd, m->kv_lora_rank + 64, 1, q.base);
            T("attn_kv_a_norm.weight", m->kv_lora_rank, 1, 1, F32);
            T("attn_kv_b.weight", m->kv_lora_rank, m->n_head * (m->key_mla - 64 + m->value_mla), 1,
              q.attn_v);
            T("attn_output.weight", m->n_head * m->value_mla, m->n_embd, 1, q.base);
        } else if (kv) {
            T("attn_q.weight", m->n_embd, m->n_head * hd, 1, q.base);
            T("attn_k.weight", m->n_embd, kv * hd, 1, q.base);
            T("attn_v.weight", m->n_embd, kv * hd, 1, q.attn_v);
            T("attn_output.weight", m->n_head * hd, m->n_embd, 1, q.base);
        }
        T("ffn_norm.weight", m->n_embd, 1, 1, F32);
        if (m->n_expert) {
            T("ffn_gate_inp.weight", m->n_embd, m->n_expert, 1, F32);
            T("ffn_gate_exps.weight", m->n_embd, m->n_ff, m->n_expert, q.base);
            T("ffn_up_exps.weight", m->n_embd, m->n_ff, m->n_expert, q.base);
            T("ffn_down_exps.weight", m->n_ff, m->n_embd, m->n_expert, q.ffn_down);
        } else {
            T("ffn_gate.weight", m->n_embd, m->n_ff, 1, q.base);
            T("ffn_up.weight", m->n_embd, m->n_ff, 1, q.base);
            T("ffn_down.weight", m->n_ff, m->n_embd, 1, q.ffn_down);
        }
#undef T
    }
    emit(k, last, "output_norm.weight", m->n_embd, 1, 1, F32);
    if (!m->tied)
        emit(k, last, "output.weight", m->n_embd, m->n_vocab, 1, q0.output);
}

static void
hp(struct ggufw *w, const struct ggufw_model *m, const char *suffix, uint32_t v, uint64_t *n)
{
    char key[128];
    snprintf(key, sizeof(key), "%s.%s", m->arch, suffix);
    if (m->u64_hparams)
        kv_u64(w, key, v);
    else
        ggufw_kv_u32(w, key, v);
    (*n)++;
}

static uint64_t write_kvs(struct ggufw *w, const struct ggufw_model *m, uint32_t shard)
{
    uint64_t n = 0;
    char key[128];
    if (m->split_count > 1) {
        struct walk all = { .m = m, .shard = 0 };
        walk_tensors(&all);
        ggufw_str(w, "split.no");
        ggufw_u32(w, 2);
        scalar(w, shard - 1, 2);
        ggufw_str(w, "split.count");
        ggufw_u32(w, 2);
        scalar(w, m->split_count, 2);
        ggufw_str(w, "split.tensors.count");
        ggufw_u32(w, 5);
        ggufw_u32(w, (uint32_t) all.n);
        n += 3;
        if (shard > 1)
            return n;
    }
    ggufw_kv_str(w, "general.architecture", m->arch);
    ggufw_kv_str(w, "general.name", m->name ? m->name : m->arch);
    ggufw_kv_u32(w, "general.file_type", (uint32_t) m->ftype);
    ggufw_kv_u32(w, "general.quantization_version", 2);
    n += 4;
    hp(w, m, "block_count", m->n_layer, &n);
    hp(w, m, "context_length", m->n_ctx_train, &n);
    hp(w, m, "embedding_length", m->n_embd, &n);
    hp(w, m, "feed_forward_length", m->n_ff, &n);
    hp(w, m, "attention.head_count", m->n_head, &n);
    snprintf(key, sizeof(key), "%s.attention.head_count_kv", m->arch);
    if (m->head_kv_arr)
        ggufw_kv_arr_i32(w, key, m->head_kv_arr, m->n_layer), n++;
    else
        hp(w, m, "attention.head_count_kv", m->n_head_kv, &n);
    snprintf(key, sizeof(key), "%s.attention.layer_norm_rms_epsilon", m->arch);
    ggufw_kv_f32(w, key, 1e-5f), n++;
    snprintf(key, sizeof(key), "%s.rope.freq_base", m->arch);
    ggufw_kv_f32(w, key, 500000.0f), n++;
    if (m->head_dim || m->key_len) {
        hp(w, m, "attention.key_length", m->key_len ? m->key_len : m->head_dim, &n);
        hp(w, m, "attention.value_length", m->value_len ? m->value_len : m->head_dim, &n);
    }
    if (m->n_swa)
        hp(w, m, "attention.sliding_window", m->n_swa, &n);
    snprintf(key, sizeof(key), "%s.attention.sliding_window_pattern", m->arch);
    if (m->swa_pattern)
        ggufw_kv_arr_bool(w, key, m->swa_pattern, m->n_layer), n++;
    else if (m->swa_period)
        hp(w, m, "attention.sliding_window_pattern", m->swa_period, &n);
    if (m->kv_lora_rank)
        hp(w, m, "attention.kv_lora_rank", m->kv_lora_rank, &n);
    if (m->kv_lora_rank && !m->no_mla_keys) {
        hp(w, m, "attention.key_length_mla", m->key_mla, &n);
        hp(w, m, "attention.value_length_mla", m->value_mla, &n);
    }
    if (m->n_expert) {
        hp(w, m, "expert_count", m->n_expert, &n);
        hp(w, m, "expert_used_count", m->n_expert_used, &n);
    }
    if (m->ssm_inner) {
        hp(w, m, "ssm.conv_kernel", m->ssm_conv, &n);
        hp(w, m, "ssm.inner_size", m->ssm_inner, &n);
        hp(w, m, "ssm.state_size", m->ssm_state, &n);
        hp(w, m, "ssm.group_count", m->ssm_group, &n);
    }
    if (!m->vocab_strings) {
        hp(w, m, "vocab_size", m->n_vocab, &n);
        return n;
    }
    /* a BPE vocabulary as the converter writes it: tokens, types, merges */
    char tok[32];
    ggufw_kv_str(w, "tokenizer.ggml.model", "gpt2");
    ggufw_str(w, "tokenizer.ggml.tokens");
    ggufw_u32(w, 9);
    ggufw_u32(w, 8);
    ggufw_count(w, m->n_vocab);
    for (uint32_t i = 0; i < m->n_vocab; i++) {
        snprintf(tok, sizeof(tok), "\xc4\xa0tok%u", i);
        ggufw_str(w, tok);
    }
    ggufw_str(w, "tokenizer.ggml.token_type");
    ggufw_u32(w, 9);
    ggufw_u32(w, 5);
    ggufw_count(w, m->n_vocab);
    for (uint32_t i = 0; i < m->n_vocab; i++)
        ggufw_u32(w, 1);
    ggufw_str(w, "tokenizer.ggml.merges");
    ggufw_u32(w, 9);
    ggufw_u32(w, 8);
    ggufw_count(w, 2ull * m->n_vocab);
    for (uint32_t i = 0; i < 2 * m->n_vocab; i++) {
        snprintf(tok, sizeof(tok), "t%u \xc4\xa0k%u", i, i / 3);
        ggufw_str(w, tok);
    }
    ggufw_kv_str(w, "tokenizer.chat_template",
                 "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}"
                 "{% endfor %}");
    return n + 5;
}

static uint64_t model_shard(struct ggufw *w, const struct ggufw_model *m, uint32_t shard)
{
    struct ggufw kvs = { .be = w->be, .v1 = w->v1 }, tensors = { .be = w->be, .v1 = w->v1 };
    uint64_t n_kv = write_kvs(&kvs, m, shard);
    struct walk k = { .w = &tensors, .m = m, .shard = m->split_count > 1 ? shard : 0 };
    walk_tensors(&k);
    ggufw_header(w, w->v1 ? 1 : 3, k.n, n_kv);
    ggufw_bytes(w, kvs.data, kvs.len);
    ggufw_bytes(w, tensors.data, tensors.len);
    if (k.n)
        ggufw_pad(w, 32);
    ggufw_free(&kvs);
    ggufw_free(&tensors);
    return k.offset;
}

uint64_t ggufw_model(struct ggufw *w, const struct ggufw_model *m)
{
    return model_shard(w, m, m->split_count > 1 ? (m->split_no ? m->split_no : 1) : 1);
}

int ggufw_model_file(const char *path, const struct ggufw_model *m, uint64_t keep, bool v1, bool be)
{
    struct ggufw w;
    ggufw_init(&w);
    w.v1 = v1;
    w.be = be;
    uint64_t data = ggufw_model(&w, m), size = w.len + data;
    if (keep != (uint64_t) -1 && keep < size)
        size = keep;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), r = 0;
    if (fd < 0 || write(fd, w.data, w.len < size ? w.len : size) < 0 ||
        ftruncate(fd, (off_t) size) < 0)
        r = -errno;
    if (fd >= 0)
        close(fd);
    ggufw_free(&w);
    return r;
}
