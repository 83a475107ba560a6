/* A model's hyperparameters from its GGUF metadata, the way llama.cpp's loader reads them
 * (src/llama-model.cpp load_hparams, get_key_or_arr; gguf.md 1.6, 3.3): any integer type
 * is read, and one llama.cpp would refuse is noted; per-layer values are a scalar or an
 * array of block_count; sliding-window layers come from the pattern key or the
 * architecture's default. */
#include "gguf_hparams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#include "gguf_values.h"

static const struct kv *arch_kv(const struct wld_gguf *g, const char *suffix)
{
    char key[160];
    snprintf(key, sizeof(key), "%s.%s", g->arch, suffix);
    return wld_gguf_find_(g, key);
}

/* {arch}.suffix as u32, noting a type llama.cpp's loader would refuse. */
static uint32_t hparam(struct wld_gguf *g, const char *suffix, uint32_t fallback)
{
    const struct kv *kv = arch_kv(g, suffix);
    uint64_t v;
    if (!wld_gguf_uint_of_(kv, &v))
        return fallback;
    if (kv->type != T_U32 && kv->type != T_BOOL && !g->wrong_type_key[0])
        snprintf(g->wrong_type_key, sizeof(g->wrong_type_key), "%s", kv->key);
    return v > UINT32_MAX ? UINT32_MAX : (uint32_t) v;
}

/* A per-layer array must hold block_count values (llama.cpp's get_key_or_arr). */
static bool layer_array(struct wld_gguf *g, const struct kv *kv)
{
    if (kv->n == g->n_layer && kv->arr)
        return true;
    return wld_gguf_fail_(g, WLD_GGUF_INVALID,
                          "key %s has wrong array length; expected %u, got %llu", kv->key,
                          g->n_layer, (unsigned long long) kv->n);
}

/* A per-layer hparam: a scalar for every layer or an array of n_layer (get_key_or_arr). */
static bool
per_layer(struct wld_gguf *g, const char *suffix, uint32_t *out, uint32_t fallback, bool *present)
{
    const struct kv *kv = arch_kv(g, suffix);
    if (present)
        *present = kv != NULL;
    if (kv && kv->type == T_ARRAY) {
        if (!layer_array(g, kv))
            return false;
        for (uint32_t i = 0; i < g->n_layer; i++)
            out[i] = kv->arr[i] < 0
                             ? 0
                             : (uint32_t) (kv->arr[i] > UINT32_MAX ? UINT32_MAX : kv->arr[i]);
        return true;
    }
    uint32_t v = hparam(g, suffix, fallback);
    for (uint32_t i = 0; i < g->n_layer; i++)
        out[i] = v;
    return true;
}

bool wld_gguf_arch_recurrent(const char *arch)
{
    static const char *const names[] = {
        "mamba", "mamba2", "rwkv6", "rwkv6qwen2", "rwkv7", "arwkv7"
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (strcmp(arch, names[i]) == 0)
            return true;
    return false;
}

bool wld_gguf_arch_no_memory(const char *arch)
{
    static const char *const names[] = {
        "bert",           "jina-bert-v2", "jina-bert-v3",     "nomic-bert",
        "nomic-bert-moe", "neo-bert",     "wavtokenizer-dec", "gemma-embedding",
        "dream",          "llada",        "llada-moe",        "rnd1"
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (strcmp(arch, names[i]) == 0)
            return true;
    return false;
}

/* The default sliding-window layout of an arch without a sliding_window_pattern key
 * (set_swa_pattern() in llama.cpp's src/models/ *.cpp): period, dense_first, default n_swa. */
static bool swa_default(const char *arch, uint32_t *period, bool *dense_first, uint32_t *n_swa)
{
    static const struct {
        const char *arch;
        uint32_t period;
        bool dense_first;
        uint32_t n_swa;
    } table[] = {
        { "gemma2", 2, false, 4096 },  { "gemma3", 6, false, 0 },
        { "gemma3n", 5, false, 0 },    { "gemma-embedding", 6, false, 0 },
        { "cohere2", 4, false, 0 },    { "llama4", 4, false, 8192 },
        { "gpt-oss", 2, false, 0 },    { "exaone4", 4, false, 0 },
        { "olmo2", 4, false, 0 },      { "smallthinker", 4, true, 0 },
        { "modern-bert", 3, true, 0 }, { "cohere2moe", 4, true, 0 },
        { "laguna", 4, true, 0 },      { "exaone-moe", 4, false, 0 },
        { "afmoe", 4, false, 0 },      { "mellum", 4, false, 0 },
        { "plamo3", 8, false, 0 },
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(table); i++) {
        if (strcmp(arch, table[i].arch) == 0) {
            *period = table[i].period;
            *dense_first = table[i].dense_first;
            *n_swa = table[i].n_swa;
            return true;
        }
    }
    return false;
}

static bool resolve_swa(struct wld_gguf *g)
{
    const struct kv *pat = arch_kv(g, "attention.sliding_window_pattern");
    uint32_t period = 0, def_swa = 0;
    bool dense_first = false, have = false;
    g->n_swa = hparam(g, "attention.sliding_window", 0);
    if (pat && pat->type == T_ARRAY) {
        if (!layer_array(g, pat))
            return false;
        for (uint32_t i = 0; i < g->n_layer; i++)
            g->swa_layer[i] = pat->arr[i] != 0;
        g->swa_from_pattern = true;
        return true;
    }
    if (swa_default(g->arch, &period, &dense_first, &def_swa))
        have = true;
    uint64_t p;
    if (wld_gguf_uint_of_(pat, &p)) {
        period = p > UINT32_MAX ? UINT32_MAX : (uint32_t) p;
        have = true;
    }
    if (!g->n_swa)
        g->n_swa = def_swa;
    if (!have || !g->n_swa)
        return true;
    for (uint32_t il = 0; il < g->n_layer; il++)
        g->swa_layer[il] =
                period == 0 || (dense_first ? il % period != 0 : il % period < period - 1);
    g->swa_from_pattern = true;
    return true;
}

bool wld_gguf_resolve_(struct wld_gguf *g)
{
    const char *arch = wld_gguf_get_str(g, "general.architecture");
    const char *name = wld_gguf_get_str(g, "general.name");
    uint64_t v;
    if (!arch || !arch[0] || strlen(arch) >= sizeof(g->arch))
        return wld_gguf_fail_(g, WLD_GGUF_INVALID,
                              "no general.architecture: not a model llama.cpp loads");
    snprintf(g->arch, sizeof(g->arch), "%s", arch);
    snprintf(g->name, sizeof(g->name), "%s", name ? name : "");
    g->file_type = wld_gguf_get_uint(g, "general.file_type", &v) ? (int64_t) (v & 0xFFFFFFFF) : -1;

    g->n_layer = hparam(g, "block_count", 0);
    if (g->n_layer > WLD_GGUF_MAX_LAYERS)
        return wld_gguf_fail_(g, WLD_GGUF_INVALID,
                              "%s.block_count %u exceeds llama.cpp's maximum of %u", g->arch,
                              g->n_layer, WLD_GGUF_MAX_LAYERS);
    uint32_t n = g->n_layer ? g->n_layer : 1;
    g->layer_bytes = wld_xcalloc(n, sizeof(*g->layer_bytes));
    g->n_head = wld_xcalloc(n, sizeof(*g->n_head));
    g->n_head_kv = wld_xcalloc(n, sizeof(*g->n_head_kv));
    g->swa_layer = wld_xcalloc(n, sizeof(*g->swa_layer));
    g->n_ctx_train = hparam(g, "context_length", 0);
    g->n_embd = hparam(g, "embedding_length", 0);
    const struct kv *ff = arch_kv(g, "feed_forward_length");
    if (ff && ff->type == T_ARRAY && ff->arr) {
        for (uint64_t i = 0; i < ff->n; i++)
            if (ff->arr[i] > (int64_t) g->n_ff && ff->arr[i] <= UINT32_MAX)
                g->n_ff = (uint32_t) ff->arr[i];
    } else {
        g->n_ff = hparam(g, "feed_forward_length", 0);
    }
    bool has_kv;
    if (!per_layer(g, "attention.head_count", g->n_head, 0, NULL) ||
        !per_layer(g, "attention.head_count_kv", g->n_head_kv, 0, &has_kv))
        return false;
    if (!has_kv)
        memcpy(g->n_head_kv, g->n_head, n * sizeof(*g->n_head));
    uint32_t head = g->n_layer && g->n_head[0] ? g->n_embd / g->n_head[0] : 0;
    g->head_k = hparam(g, "attention.key_length", head);
    g->head_v = hparam(g, "attention.value_length", head);
    g->head_k_swa = hparam(g, "attention.key_length_swa", g->head_k);
    g->head_v_swa = hparam(g, "attention.value_length_swa", g->head_v);
    g->shared_kv_layers = hparam(g, "attention.shared_kv_layers", 0);
    g->kv_lora_rank = hparam(g, "attention.kv_lora_rank", 0);
    g->head_k_mla = hparam(g, "attention.key_length_mla", 0);
    g->head_v_mla = hparam(g, "attention.value_length_mla", 0);
    g->n_expert = hparam(g, "expert_count", 0);
    g->n_expert_used = hparam(g, "expert_used_count", 0);
    g->ssm_d_conv = hparam(g, "ssm.conv_kernel", 0);
    g->ssm_d_inner = hparam(g, "ssm.inner_size", 0);
    g->ssm_d_state = hparam(g, "ssm.state_size", 0);
    g->ssm_n_group = hparam(g, "ssm.group_count", 0);
    g->wkv_head_size = hparam(g, "wkv.head_size", 0);
    g->token_shift_count = hparam(g, "token_shift_count", 2);
    g->shortconv_l_cache = hparam(g, "shortconv.l_cache", 0);
    g->causal = hparam(g, "attention.causal", 1) != 0;
    g->n_vocab = hparam(g, "vocab_size", 0);
    if (!g->n_vocab && wld_gguf_get_array_len(g, "tokenizer.ggml.tokens", &v))
        g->n_vocab = v > UINT32_MAX ? UINT32_MAX : (uint32_t) v;
    return resolve_swa(g);
}
