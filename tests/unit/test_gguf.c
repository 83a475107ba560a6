/* The GGUF reader on files the tests write (tests/tools/ggufw.c): valid models of several
 * architectures, and the hostile cases of llama.cpp's tests/test-gguf.cpp, each refused
 * with llama.cpp's reason. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include <sys/stat.h>
#include <unistd.h>

#include "wld/gguf.h"

#include "../tools/ggufw.h"

/* A reader over a written header followed by `data` zero bytes of tensor data, without
 * allocating them. */
struct sparse {
    struct wld_reader r;
    const unsigned char *head;
    size_t head_len;
};

static int sparse_read(const struct wld_reader *r, uint64_t off, void *buf, size_t len)
{
    const struct sparse *s = r->ctx;
    if (off >= r->size)
        return 0;
    size_t n = r->size - off < len ? (size_t) (r->size - off) : len;
    memset(buf, 0, n);
    if (off < s->head_len)
        memcpy(buf, s->head + off, s->head_len - off < n ? s->head_len - off : n);
    return (int) n;
}

static void
parse_model(const struct ggufw_model *m, bool be, bool v1, uint64_t cut, struct wld_gguf *g)
{
    struct ggufw w = { .be = be, .v1 = v1 };
    uint64_t data = ggufw_model(&w, m);
    struct sparse s = { .r = { .read = sparse_read, .size = w.len + data },
                        .head = w.data,
                        .head_len = w.len };
    s.r.ctx = &s;
    if (cut < s.r.size)
        s.r.size = cut;
    wld_gguf_parse(&s.r, g);
    ggufw_free(&w);
}

#define LLAMA_8B (*ggufw_preset("llama-3.1-8b"))

static void llama_8b_q4_k_m(void **state)
{
    (void) state;
    struct wld_gguf g;
    parse_model(&LLAMA_8B, false, false, UINT64_MAX, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_int_equal(g.version, 3);
    assert_string_equal(g.arch, "llama");
    assert_string_equal(g.name, "Meta Llama 3.1 8B Instruct");
    assert_string_equal(wld_llama_ftype_name(g.file_type), "Q4_K - Medium");
    assert_int_equal(g.n_layer, 32);
    assert_int_equal(g.n_ctx_train, 131072);
    assert_int_equal(g.n_head[31], 32);
    assert_int_equal(g.n_head_kv[0], 8);
    assert_int_equal(g.head_k, 128);
    assert_int_equal(g.n_vocab, 128256);
    assert_int_equal(g.n_tensors, 2 + 32 * 9 + 1);
    /* 8.03 B parameters, 4.58 GiB as Q4_K_M (gguf.md 5.3) */
    assert_true(g.n_params > 8030000000ull && g.n_params < 8031000000ull);
    assert_true(g.tensor_bytes > 4.55 * (1 << 30) && g.tensor_bytes < 4.62 * (1 << 30));
    uint64_t sum = g.embd_bytes + g.output_bytes + g.other_bytes;
    for (uint32_t i = 0; i < g.n_layer; i++)
        sum += g.layer_bytes[i];
    assert_true(sum == g.tensor_bytes);
    /* layer 0 has Q6_K attn_v and ffn_down (use_more_bits), layer 4 does not */
    assert_true(g.layer_bytes[0] > g.layer_bytes[4]);
    assert_false(g.tied_output);
    assert_string_equal(g.wrong_type_key, "");
    wld_gguf_release(&g);
}

static void version_2_is_read(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    struct wld_reader r;
    struct wld_gguf g;
    ggufw_header(&w, 2, 0, 2);
    ggufw_kv_str(&w, "general.architecture", "llama");
    ggufw_kv_u32(&w, "llama.block_count", 2);
    wld_reader_mem(&r, w.data, w.len);
    wld_gguf_parse(&r, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_int_equal(g.version, 2);
    assert_int_equal(g.n_layer, 2);
    /* no tensors: llama.cpp does not pad the end of the metadata (gguf.md 1.1) */
    assert_true(g.header_bytes == w.len);
    wld_gguf_release(&g);
    ggufw_free(&w);
}

static void version_1_described_but_unsupported(void **state)
{
    (void) state;
    struct wld_gguf g;
    parse_model(&LLAMA_8B, false, true, UINT64_MAX, &g);
    assert_int_equal(g.state, WLD_GGUF_UNSUPPORTED);
    assert_non_null(strstr(g.reason, "GGUFv1 is no longer supported"));
    assert_int_equal(g.n_layer, 32); /* still described */
    assert_string_equal(g.arch, "llama");
    wld_gguf_release(&g);
}

static void big_endian_described_but_unsupported(void **state)
{
    (void) state;
    struct wld_gguf g;
    parse_model(&LLAMA_8B, true, false, UINT64_MAX, &g);
    assert_int_equal(g.state, WLD_GGUF_UNSUPPORTED);
    assert_true(g.big_endian);
    assert_non_null(strstr(g.reason, "big-endian"));
    assert_int_equal(g.version, 3);
    assert_int_equal(g.n_head_kv[3], 8);
    wld_gguf_release(&g);
}

static void truncated_download(void **state)
{
    (void) state;
    struct wld_gguf full, g;
    parse_model(&LLAMA_8B, false, false, UINT64_MAX, &full);
    parse_model(&LLAMA_8B, false, false, full.file_bytes - 1, &g);
    assert_int_equal(g.state, WLD_GGUF_TRUNCATED);
    assert_non_null(strstr(g.reason, "output.weight"));
    assert_non_null(strstr(g.reason, "not within the file bounds"));
    /* the header itself was complete: the model is still described */
    assert_int_equal(g.n_layer, 32);
    wld_gguf_release(&g);
    wld_gguf_release(&full);
}

/* Every cut of a small header fails cleanly, never reading past what it has. */
static void every_cut_of_the_header(void **state)
{
    (void) state;
    struct ggufw_model m = { .arch = "qwen2",
                             .n_layer = 2,
                             .n_embd = 256,
                             .n_head = 4,
                             .n_head_kv = 2,
                             .n_ff = 512,
                             .n_vocab = 300,
                             .n_ctx_train = 32768,
                             .ftype = 7,
                             .vocab_strings = true };
    struct ggufw w = { 0 };
    ggufw_model(&w, &m);
    for (size_t cut = 0; cut < w.len; cut++) {
        struct wld_reader r;
        struct wld_gguf g;
        unsigned char *copy = malloc(cut ? cut : 1);
        memcpy(copy, w.data, cut);
        wld_reader_mem(&r, copy, cut);
        wld_gguf_parse(&r, &g);
        assert_int_not_equal(g.state, WLD_GGUF_OK);
        assert_true(g.reason[0] != '\0');
        wld_gguf_release(&g);
        free(copy);
    }
    ggufw_free(&w);
}

/* Hostile headers, built by hand: one KV section or tensor info each. */
static void expect_invalid(struct ggufw *w, enum wld_gguf_state st, const char *reason)
{
    struct wld_reader r;
    struct wld_gguf g;
    wld_reader_mem(&r, w->data, w->len);
    wld_gguf_parse(&r, &g);
    if (g.state != st || !strstr(g.reason, reason))
        fail_msg("state %s, reason '%s'; expected %s, '%s'", wld_gguf_state_name(g.state), g.reason,
                 wld_gguf_state_name(st), reason);
    wld_gguf_release(&g);
    ggufw_free(w);
}

static void header_rejections(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    ggufw_bytes(&w, "GGML\3\0\0\0", 8);
    expect_invalid(&w, WLD_GGUF_NOT_GGUF, "no GGUF magic");
    ggufw_bytes(&w, "GGU", 3);
    expect_invalid(&w, WLD_GGUF_NOT_GGUF, "too short");
    ggufw_header(&w, 0, 0, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "bad GGUF version 0");
    ggufw_header(&w, 4, 0, 0);
    expect_invalid(&w, WLD_GGUF_UNSUPPORTED, "GGUF version 4");
    ggufw_header(&w, 3, 0, 1ull << 62);
    expect_invalid(&w, WLD_GGUF_INVALID, "cannot fit");
    ggufw_header(&w, 3, UINT64_MAX, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "negative");
    ggufw_bytes(&w, "GGUF\3\0", 6); /* @huggingface/gguf reads this as 0 tensors */
    expect_invalid(&w, WLD_GGUF_INVALID, "ends inside the version");
}

static void kv_rejections(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    ggufw_header(&w, 3, 0, 1);
    ggufw_u64(&w, 1ull << 40); /* key length */
    ggufw_bytes(&w, "xxxxxxxxxxxxxxxxxxxxxxxx", 24);
    expect_invalid(&w, WLD_GGUF_INVALID, "exceeds the maximum");
    ggufw_header(&w, 3, 0, 1);
    ggufw_u64(&w, 1000);
    ggufw_bytes(&w, "xxxxxxxxxxxxxxxxxxxxxxxx", 24);
    expect_invalid(&w, WLD_GGUF_INVALID, "exceeds the remaining file size");
    ggufw_header(&w, 3, 0, 1);
    ggufw_kv_str(&w, "", "x");
    expect_invalid(&w, WLD_GGUF_INVALID, "key 0 is empty");
    ggufw_header(&w, 3, 0, 2);
    ggufw_kv_u32(&w, "general.alignment", 32);
    ggufw_kv_u32(&w, "general.alignment", 64);
    expect_invalid(&w, WLD_GGUF_INVALID, "duplicate key 'general.alignment'");
    ggufw_header(&w, 3, 0, 1);
    ggufw_str(&w, "a.b");
    ggufw_u32(&w, 13);
    ggufw_u32(&w, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "key 'a.b' has invalid GGUF type 13");
    ggufw_header(&w, 3, 0, 1); /* nested array: the spec allows it, llama.cpp does not */
    ggufw_str(&w, "a.nested");
    ggufw_u32(&w, 9);
    ggufw_u32(&w, 9);
    ggufw_u64(&w, 1);
    ggufw_u32(&w, 4);
    ggufw_u64(&w, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "invalid GGUF type 9");
    ggufw_header(&w, 3, 0, 1); /* 2^40 u32 elements in a few bytes */
    ggufw_str(&w, "a.arr");
    ggufw_u32(&w, 9);
    ggufw_u32(&w, 4);
    ggufw_u64(&w, 1ull << 29);
    ggufw_u32(&w, 7);
    expect_invalid(&w, WLD_GGUF_INVALID, "exceeds the remaining file size");
    ggufw_header(&w, 3, 0, 1);
    ggufw_str(&w, "a.arr");
    ggufw_u32(&w, 9);
    ggufw_u32(&w, 8);
    ggufw_u64(&w, 1ull << 31);
    expect_invalid(&w, WLD_GGUF_INVALID, "exceeds the maximum");
}

static void alignment_rejections(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    uint32_t bad[] = { 0, 13 };
    for (size_t i = 0; i < 2; i++) {
        ggufw_header(&w, 3, 0, 2);
        ggufw_kv_str(&w, "general.architecture", "llama");
        ggufw_kv_u32(&w, "general.alignment", bad[i]);
        expect_invalid(&w, WLD_GGUF_INVALID, "not a power of 2");
    }
    ggufw_header(&w, 3, 0, 2);
    ggufw_kv_str(&w, "general.architecture", "llama");
    ggufw_str(&w, "general.alignment");
    ggufw_u32(&w, 10);
    ggufw_u64(&w, 32);
    expect_invalid(&w, WLD_GGUF_INVALID, "general.alignment has type u64, must be u32");
}

/* One tensor info after a minimal KV section. */
static void one_tensor(struct ggufw *w,
                       const char *name,
                       uint32_t n_dims,
                       const uint64_t *ne,
                       uint32_t type,
                       uint64_t offset)
{
    ggufw_header(w, 3, 1, 1);
    ggufw_kv_str(w, "general.architecture", "llama");
    ggufw_tensor(w, name, n_dims, ne, type, offset);
    ggufw_pad(w, 32);
    static const unsigned char data[4096];
    ggufw_bytes(w, data, sizeof(data));
}

static void tensor_rejections(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    uint64_t ne[5] = { 256, 2, 1, 1, 1 };
    one_tensor(&w, "t", 5, ne, 0, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "has 5 dimensions");
    one_tensor(&w, "t", 2, ne, 99, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "ggml type 99, which this llama.cpp does not know");
    one_tensor(&w, "t", 2, ne, 4, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "removed from llama.cpp");
    uint64_t odd[2] = { 100, 2 };
    one_tensor(&w, "t", 2, odd, 12, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "not a multiple of the block size 256");
    uint64_t huge[4] = { 1ull << 40, 1ull << 30, 1, 1 };
    one_tensor(&w, "t", 2, huge, 0, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "too many elements");
    uint64_t neg[2] = { UINT64_MAX, 1 };
    one_tensor(&w, "t", 2, neg, 0, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "negative dimension");
    char name64[65];
    memset(name64, 'n', 64);
    name64[64] = '\0';
    one_tensor(&w, name64, 2, ne, 0, 0);
    expect_invalid(&w, WLD_GGUF_INVALID, "name is too long: 64 >= 64");
    one_tensor(&w, "t", 2, ne, 0, 32);
    expect_invalid(&w, WLD_GGUF_INVALID, "tensor 't' has offset 32, expected 0");
    uint64_t big[2] = { 1024, 1024 };
    one_tensor(&w, "t", 2, big, 0, 0);
    expect_invalid(&w, WLD_GGUF_TRUNCATED, "tensor 't' data is not within the file bounds");

    ggufw_header(&w, 3, 2, 1);
    ggufw_kv_str(&w, "general.architecture", "llama");
    ggufw_tensor(&w, "t", 1, ne, 0, 0);
    ggufw_tensor(&w, "t", 1, ne, 0, 1024);
    expect_invalid(&w, WLD_GGUF_INVALID, "duplicate tensor name 't'");
}

static void zero_dims_accepted(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    struct wld_reader r;
    struct wld_gguf g;
    uint64_t ne[2] = { 0, 4 };
    one_tensor(&w, "scalar", 0, ne, 0, 0);
    wld_reader_mem(&r, w.data, w.len);
    wld_gguf_parse(&r, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_true(g.tensor_bytes == 4 && g.n_params == 1);
    wld_gguf_release(&g);
    ggufw_free(&w);
    one_tensor(&w, "empty", 2, ne, 0, 0);
    wld_reader_mem(&r, w.data, w.len);
    wld_gguf_parse(&r, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_true(g.tensor_bytes == 0);
    wld_gguf_release(&g);
    ggufw_free(&w);
}

static void per_layer_kv_heads_and_swa(void **state)
{
    (void) state;
    int32_t kv[6] = { 8, 8, 8, 8, 8, 2 };
    bool swa[6] = { true, true, true, true, true, false };
    struct ggufw_model m = { .arch = "gemma4",
                             .n_layer = 6,
                             .n_embd = 512,
                             .n_head = 8,
                             .head_kv_arr = kv,
                             .head_dim = 256,
                             .n_ff = 1024,
                             .n_vocab = 1000,
                             .n_ctx_train = 262144,
                             .n_swa = 1024,
                             .swa_pattern = swa,
                             .ftype = 1,
                             .tied = true };
    struct wld_gguf g;
    parse_model(&m, false, false, UINT64_MAX, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_int_equal(g.n_head_kv[5], 2);
    assert_int_equal(g.n_head_kv[0], 8);
    assert_int_equal(g.head_k, 256);
    assert_int_equal(g.n_swa, 1024);
    assert_true(g.swa_layer[0] && !g.swa_layer[5]);
    assert_true(g.tied_output);
    wld_gguf_release(&g);

    /* gemma2 without a pattern key: period 2, the last layer of each pair is full */
    struct ggufw_model g2 = { .arch = "gemma2",
                              .n_layer = 4,
                              .n_embd = 256,
                              .n_head = 4,
                              .n_head_kv = 2,
                              .n_ff = 512,
                              .n_vocab = 100,
                              .n_ctx_train = 8192,
                              .ftype = 1 };
    parse_model(&g2, false, false, UINT64_MAX, &g);
    assert_int_equal(g.n_swa, 4096);
    assert_true(g.swa_layer[0] && !g.swa_layer[1] && g.swa_layer[2] && !g.swa_layer[3]);
    wld_gguf_release(&g);
}

static void wrong_array_length(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    int32_t kv[3] = { 8, 8, 8 };
    ggufw_header(&w, 3, 0, 3);
    ggufw_kv_str(&w, "general.architecture", "llama");
    ggufw_kv_u32(&w, "llama.block_count", 4);
    ggufw_kv_arr_i32(&w, "llama.attention.head_count_kv", kv, 3);
    expect_invalid(&w, WLD_GGUF_INVALID,
                   "llama.attention.head_count_kv has wrong array length; expected 4, got 3");
}

static void u64_hparams_noted(void **state)
{
    (void) state;
    struct ggufw_model m = LLAMA_8B;
    m.u64_hparams = true;
    struct wld_gguf g;
    parse_model(&m, false, false, UINT64_MAX, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_int_equal(g.n_layer, 32);
    assert_string_equal(g.wrong_type_key, "llama.block_count");
    wld_gguf_release(&g);
}

static void vocabulary_skipped_not_stored(void **state)
{
    (void) state;
    struct ggufw_model m = LLAMA_8B;
    m.vocab_strings = true;
    struct wld_gguf g;
    parse_model(&m, false, false, UINT64_MAX, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_int_equal(g.n_vocab, 128256);
    uint64_t merges;
    assert_true(wld_gguf_get_array_len(&g, "tokenizer.ggml.merges", &merges));
    assert_true(merges == 2 * 128256ull);
    assert_string_equal(wld_gguf_get_str(&g, "tokenizer.ggml.model"), "gpt2");
    assert_true(g.header_bytes > 4000000);
    wld_gguf_release(&g);
}

/* Flipping any byte of a small model never crashes the reader (ASan checks the rest). */
static void flipped_bytes(void **state)
{
    (void) state;
    struct ggufw_model m = { .arch = "llama",
                             .n_layer = 2,
                             .n_embd = 256,
                             .n_head = 4,
                             .n_head_kv = 2,
                             .n_ff = 512,
                             .n_vocab = 40,
                             .n_ctx_train = 4096,
                             .ftype = 15,
                             .vocab_strings = true };
    struct ggufw w = { 0 };
    uint64_t data = ggufw_model(&w, &m);
    for (size_t i = 0; i < w.len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            w.data[i] ^= (unsigned char) (1u << bit);
            struct sparse s = { .r = { .read = sparse_read, .size = w.len + data },
                                .head = w.data,
                                .head_len = w.len };
            s.r.ctx = &s;
            struct wld_gguf g;
            wld_gguf_parse(&s.r, &g);
            assert_true(g.state == WLD_GGUF_OK || g.reason[0]);
            wld_gguf_release(&g);
            w.data[i] ^= (unsigned char) (1u << bit);
        }
    }
    ggufw_free(&w);
}

static void split_model_read_as_one(void **state)
{
    (void) state;
    char dir[] = "/tmp/wld-gguf-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    struct ggufw_model m = LLAMA_8B;
    m.split_count = 3;
    for (uint32_t k = 1; k <= 3; k++) {
        m.split_no = k;
        snprintf(path, sizeof(path), "%s/llama-00%03u-of-00003.gguf", dir, k);
        assert_int_equal(ggufw_model_file(path, &m, UINT64_MAX, false, false), 0);
    }
    struct wld_host *h;
    struct wld_gguf whole, g;
    assert_int_equal(wld_host_new_live(&h), 0);
    parse_model(&LLAMA_8B, false, false, UINT64_MAX, &whole);
    snprintf(path, sizeof(path), "%s/llama-00002-of-00003.gguf", dir);
    wld_gguf_read(h, path, &g);
    assert_int_equal(g.state, WLD_GGUF_OK);
    assert_int_equal(g.n_shards, 3);
    assert_true(g.n_tensors == whole.n_tensors);
    assert_true(g.tensor_bytes == whole.tensor_bytes);
    assert_true(g.layer_bytes[31] == whole.layer_bytes[31]);
    assert_int_equal(g.n_layer, 32);
    wld_gguf_release(&g);

    snprintf(path, sizeof(path), "%s/llama-00003-of-00003.gguf", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/llama-00001-of-00003.gguf", dir);
    wld_gguf_read(h, path, &g);
    assert_int_equal(g.state, WLD_GGUF_SPLIT_MISSING);
    assert_non_null(strstr(g.reason, "shard 3 of 3 is missing"));
    wld_gguf_release(&g);
    wld_gguf_release(&whole);
    wld_host_free(h);
    for (uint32_t k = 1; k <= 2; k++) {
        snprintf(path, sizeof(path), "%s/llama-00%03u-of-00003.gguf", dir, k);
        unlink(path);
    }
    rmdir(dir);
}

static void type_tables(void **state)
{
    (void) state;
    assert_int_equal(wld_ggml_cache_type("q8_0"), 8);
    assert_int_equal(wld_ggml_cache_type("Q4_0"), 2);
    assert_int_equal(wld_ggml_cache_type("q4_K"), -1); /* not a cache type */
    assert_true(wld_ggml_row_bytes(8, 1024) == 1088);
    assert_true(wld_ggml_row_bytes(14, 4096) == 16 * 210);
    assert_null(wld_ggml_type(43));
    assert_int_equal(wld_ggml_type(4)->blck, 0);
    assert_string_equal(wld_llama_ftype_name(15), "Q4_K - Medium");
    assert_string_equal(wld_llama_ftype_name(1024 + 18), "Q6_K");
    assert_null(wld_llama_ftype_name(4));
    assert_null(wld_llama_ftype_name(999));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(llama_8b_q4_k_m),
        cmocka_unit_test(version_2_is_read),
        cmocka_unit_test(version_1_described_but_unsupported),
        cmocka_unit_test(big_endian_described_but_unsupported),
        cmocka_unit_test(truncated_download),
        cmocka_unit_test(every_cut_of_the_header),
        cmocka_unit_test(header_rejections),
        cmocka_unit_test(kv_rejections),
        cmocka_unit_test(alignment_rejections),
        cmocka_unit_test(tensor_rejections),
        cmocka_unit_test(zero_dims_accepted),
        cmocka_unit_test(per_layer_kv_heads_and_swa),
        cmocka_unit_test(wrong_array_length),
        cmocka_unit_test(u64_hparams_noted),
        cmocka_unit_test(vocabulary_skipped_not_stored),
        cmocka_unit_test(flipped_bytes),
        cmocka_unit_test(split_model_read_as_one),
        cmocka_unit_test(type_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
