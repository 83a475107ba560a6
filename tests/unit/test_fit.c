/* KV cache and fit arithmetic against the figures in ../shared/reference/gguf.md 5.2
 * (llama.cpp's rule, cross-checked there with kv-oracle.mjs and gguf-view) and llama.cpp's
 * layer placement. The models are headers written by tests/tools/ggufw.c. */
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

#include "wld/fit.h"

#include "../tools/ggufw.h"

#define MIB (1024ull * 1024ull)
#define GIB (1024ull * MIB)

static void read_model(const struct ggufw_model *m, struct wld_gguf *g)
{
    struct ggufw w = { 0 };
    struct wld_reader r;
    ggufw_model(&w, m);
    /* the header alone: tensor data is not needed for sizes, only for the bounds check */
    wld_reader_mem(&r, w.data, w.len);
    wld_gguf_parse(&r, g);
    assert_true(g->state == WLD_GGUF_OK || g->state == WLD_GGUF_TRUNCATED);
    ggufw_free(&w);
}

static uint64_t kv_total(const struct ggufw_model *m, uint32_t ctx, int tk, int tv)
{
    struct wld_gguf g;
    struct wld_fit_settings s;
    struct wld_kv kv;
    char why[128];
    read_model(m, &g);
    wld_fit_defaults(&s, ctx);
    s.type_k = tk;
    s.type_v = tv;
    assert_int_equal(wld_kv_compute(&g, &s, &kv, why, sizeof(why)), 0);
    wld_gguf_release(&g);
    return kv.k_bytes + kv.v_bytes;
}

#define LLAMA_8B  (*ggufw_preset("llama-3.1-8b"))
#define LLAMA_70B (*ggufw_preset("llama-3.1-70b"))
#define QWEN_7B   (*ggufw_preset("qwen2.5-7b"))

static void guide_table_corrected(void **state)
{
    (void) state;
    /* gguf.md 5.2: the guide's "12.8 GB" for 70B at 8192 is 2.50 GiB */
    assert_true(kv_total(&LLAMA_70B, 8192, WLD_GGML_F16, WLD_GGML_F16) == 2684354560ull);
    assert_true(kv_total(&LLAMA_8B, 8192, WLD_GGML_F16, WLD_GGML_F16) == 1073741824ull);
    assert_true(kv_total(&LLAMA_8B, 32768, WLD_GGML_F16, WLD_GGML_F16) == 4 * GIB);
    assert_true(kv_total(&QWEN_7B, 8192, WLD_GGML_F16, WLD_GGML_F16) == 469762048ull);
    /* q8_0: 34 bytes per 32 elements */
    assert_true(kv_total(&LLAMA_8B, 8192, WLD_GGML_Q8_0, WLD_GGML_Q8_0) == 570425344ull);
    assert_true(kv_total(&LLAMA_8B, 8192, WLD_GGML_Q8_0, WLD_GGML_F16) ==
                570425344ull / 2 + 536870912ull);
}

static void context_padded_to_256(void **state)
{
    (void) state;
    /* 8000 becomes 8192 cells; 0 means the trained context */
    assert_true(kv_total(&LLAMA_8B, 8000, WLD_GGML_F16, WLD_GGML_F16) == 1073741824ull);
    assert_true(kv_total(&QWEN_7B, 0, WLD_GGML_F16, WLD_GGML_F16) == 4 * 469762048ull);
}

static void sliding_window_layers(void **state)
{
    (void) state;
    /* gemma2 pattern: even layers SWA with 4096 + 512 cells, odd layers the full context */
    struct ggufw_model m = { .arch = "gemma2",
                             .n_layer = 4,
                             .n_embd = 256,
                             .n_head = 4,
                             .n_head_kv = 2,
                             .head_dim = 64,
                             .n_ff = 512,
                             .n_vocab = 100,
                             .n_ctx_train = 8192,
                             .ftype = 1 };
    uint64_t per_cell = 2 * 64 * 2 * 2; /* kv heads * head * (K+V) * f16 */
    assert_true(kv_total(&m, 32768, 1, 1) == per_cell * (2 * 4608ull + 2 * 32768ull));
    /* a context shorter than the window: both caches hold the context */
    assert_true(kv_total(&m, 2048, 1, 1) == per_cell * 4 * 2048ull);
}

static void mla_stores_k_only(void **state)
{
    (void) state;
    /* DeepSeek-V3 as converted: 61 layers, one 576-wide K row per token, no V */
    struct ggufw_model m = { .arch = "deepseek2",
                             .n_layer = 61,
                             .n_embd = 7168,
                             .n_head = 128,
                             .n_head_kv = 1,
                             .key_len = 576,
                             .value_len = 512,
                             .kv_lora_rank = 512,
                             .key_mla = 192,
                             .value_mla = 128,
                             .n_ff = 2048,
                             .n_vocab = 129280,
                             .n_ctx_train = 163840,
                             .ftype = 15 };
    struct wld_gguf g;
    struct wld_fit_settings s;
    struct wld_kv kv;
    char why[160];
    read_model(&m, &g);
    wld_fit_defaults(&s, 8192);
    assert_int_equal(wld_kv_compute(&g, &s, &kv, why, sizeof(why)), 0);
    assert_true(kv.mla && !kv.old_mla);
    assert_true(kv.k_bytes == 61ull * 576 * 2 * 8192 && kv.v_bytes == 0);
    s.type_k = WLD_GGML_Q8_0;
    assert_int_equal(wld_kv_compute(&g, &s, &kv, why, sizeof(why)), -EINVAL);
    assert_non_null(strstr(why, "same -ctk and -ctv"));
    wld_gguf_release(&g);
}

static void hybrid_and_recurrent_layers(void **state)
{
    (void) state;
    int32_t kv[4] = { 0, 0, 0, 4 };
    struct ggufw_model m = { .arch = "nemotron_h",
                             .n_layer = 4,
                             .n_embd = 512,
                             .n_head = 8,
                             .head_kv_arr = kv,
                             .n_ff = 1024,
                             .n_vocab = 1000,
                             .n_ctx_train = 8192,
                             .ssm_conv = 4,
                             .ssm_inner = 1024,
                             .ssm_state = 128,
                             .ssm_group = 8,
                             .ftype = 1 };
    struct wld_gguf g;
    struct wld_fit_settings s;
    struct wld_kv k;
    char why[160];
    read_model(&m, &g);
    wld_fit_defaults(&s, 4096);
    assert_int_equal(wld_kv_compute(&g, &s, &k, why, sizeof(why)), 0);
    assert_int_equal(k.layers_kv, 1);
    assert_int_equal(k.layers_recurrent, 3);
    assert_true(k.k_bytes == 4ull * 64 * 2 * 4096);
    /* (d_conv-1)*(d_inner + 2*groups*d_state) + d_state*d_inner, F32 */
    assert_true(k.state_bytes == 3 * 4 * (3ull * (1024 + 2 * 8 * 128) + 128ull * 1024));
    wld_gguf_release(&g);
}

static void placement_counts_the_output_layer(void **state)
{
    (void) state;
    struct wld_gguf g;
    struct wld_fit_settings s;
    struct wld_fit_estimate all, one, none;
    char why[160];
    read_model(&LLAMA_8B, &g);
    wld_fit_defaults(&s, 8192);
    assert_int_equal(wld_fit_estimate(&g, &s, 1, &all, why, sizeof(why)), 0);
    assert_int_equal(all.layers_gpu, 32);
    assert_true(all.output_gpu);
    assert_true(all.gpu_kv == 1073741824ull && all.cpu_kv == 0);
    assert_true(all.cpu_weights == g.embd_bytes); /* token_embd stays on the CPU */
    /* compute: F32 logits of a 512-token ubatch over vocab + embd */
    assert_true(all.gpu_compute == 4ull * 512 * (128256 + 4096));
    /* -ngl 1 offloads the output layer only */
    s.n_gpu_layers = 1;
    assert_int_equal(wld_fit_estimate(&g, &s, 1, &one, why, sizeof(why)), 0);
    assert_int_equal(one.layers_gpu, 0);
    assert_true(one.output_gpu && one.gpu_weights == g.output_bytes + g.other_bytes);
    assert_true(one.cpu_kv == 1073741824ull);
    s.n_gpu_layers = 0;
    assert_int_equal(wld_fit_estimate(&g, &s, 1, &none, why, sizeof(why)), 0);
    assert_true(wld_fit_gpu_total(&none) == 0);
    assert_true(wld_fit_ram_total(&none) > g.tensor_bytes);
    wld_gguf_release(&g);
}

static void advice_is_computed(void **state)
{
    (void) state;
    struct wld_gguf g;
    struct wld_fit_settings s;
    struct wld_fit_advice a;
    struct wld_fit_estimate e;
    char why[160];
    read_model(&LLAMA_70B, &g);
    wld_fit_defaults(&s, 8192);
    /* a 70B Q4_K_M (about 39.6 GiB) on one 24 GiB card with 64 GiB of RAM */
    wld_fit_advise(&g, &s, 1, 24 * GIB, 64 * GIB, &a);
    assert_int_equal(a.max_ctx, 0); /* no context makes the whole model fit */
    assert_true(a.max_ngl > 20 && a.max_ngl < 60);
    assert_true(a.max_ngl_ram_ok);
    s.n_gpu_layers = a.max_ngl;
    assert_int_equal(wld_fit_estimate(&g, &s, 1, &e, why, sizeof(why)), 0);
    assert_true(wld_fit_gpu_total(&e) <= 24 * GIB);
    s.n_gpu_layers = a.max_ngl + 1;
    assert_int_equal(wld_fit_estimate(&g, &s, 1, &e, why, sizeof(why)), 0);
    assert_true(wld_fit_gpu_total(&e) > 24 * GIB);
    assert_int_equal(a.kv_type, -1);
    assert_true(a.max_bpw > 1.5 && a.max_bpw < 3.0);
    wld_gguf_release(&g);

    /* an 8B at 131072 context on 12 GiB: a shorter context or a q8_0 cache fits */
    read_model(&LLAMA_8B, &g);
    wld_fit_defaults(&s, 131072);
    wld_fit_advise(&g, &s, 1, 12 * GIB, 64 * GIB, &a);
    assert_true(a.max_ctx >= 32768 && a.max_ctx < 65536);
    assert_int_equal(a.max_ctx % 256, 0);
    s.n_ctx = a.max_ctx;
    s.n_gpu_layers = -1;
    assert_int_equal(wld_fit_estimate(&g, &s, 1, &e, why, sizeof(why)), 0);
    assert_true(wld_fit_gpu_total(&e) <= 12 * GIB);
    wld_fit_defaults(&s, 131072);
    wld_fit_advise(&g, &s, 1, 12 * GIB, 64 * GIB, &a);
    assert_int_equal(a.kv_type, WLD_GGML_Q4_0); /* 8.5 GiB of q8_0 is too much */
    wld_fit_defaults(&s, 65536);
    wld_fit_advise(&g, &s, 1, 12 * GIB, 64 * GIB, &a);
    assert_int_equal(a.kv_type, WLD_GGML_Q8_0);
    wld_gguf_release(&g);
}

static void encoder_has_no_cache(void **state)
{
    (void) state;
    struct ggufw_model m = { .arch = "bert",
                             .n_layer = 12,
                             .n_embd = 768,
                             .n_head = 12,
                             .n_head_kv = 12,
                             .n_ff = 3072,
                             .n_vocab = 30522,
                             .n_ctx_train = 512,
                             .ftype = 1 };
    assert_true(kv_total(&m, 512, 1, 1) == 0);
}

static const char *bytes_text(uint64_t v)
{
    static char b[32];
    wld_fmt_bytes(v, b, sizeof(b));
    return b;
}

/* Below 1 MiB in KiB (a tiny model is not "0 MiB"), below 1 KiB in bytes; a figure that
 * would round up to the next unit is shown in it ("1 MiB", not "1024 KiB"). */
static void sizes_in_the_unit_that_reads(void **state)
{
    (void) state;
    assert_string_equal(bytes_text(0), "0 B");
    assert_string_equal(bytes_text(1023), "1023 B");
    assert_string_equal(bytes_text(1024), "1 KiB");
    assert_string_equal(bytes_text(500992), "489 KiB"); /* tiny.gguf's weights */
    assert_string_equal(bytes_text(MIB - 513), "1023 KiB");
    assert_string_equal(bytes_text(MIB - 1), "1 MiB");
    assert_string_equal(bytes_text(MIB), "1 MiB");
    assert_string_equal(bytes_text(MIB + 1), "1 MiB");
    assert_string_equal(bytes_text(812 * MIB), "812 MiB");
    assert_string_equal(bytes_text(GIB - 1), "1.00 GiB");
    assert_string_equal(bytes_text(GIB), "1.00 GiB");
    assert_string_equal(bytes_text(4 * GIB + 620 * MIB), "4.61 GiB");
    assert_string_equal(bytes_text(UINT64_MAX), "17179869184.00 GiB");
}

static const char *params_text(uint64_t v)
{
    static char b[32];
    wld_fmt_params(v, b, sizeof(b));
    return b;
}

/* Parameter counts as model cards write them: "125.2K", "7.2M", "8.03B", never "0.00 B". */
static void parameter_counts_in_k_m_b(void **state)
{
    (void) state;
    assert_string_equal(params_text(0), "0");
    assert_string_equal(params_text(999), "999");
    assert_string_equal(params_text(1000), "1.0K");
    assert_string_equal(params_text(125248), "125.2K"); /* tiny.gguf */
    assert_string_equal(params_text(999949), "999.9K");
    assert_string_equal(params_text(999999), "1.0M");
    assert_string_equal(params_text(7200000), "7.2M");
    assert_string_equal(params_text(999999999), "1.00B");
    assert_string_equal(params_text(1000000000), "1.00B");
    assert_string_equal(params_text(8030261248ull), "8.03B");
    assert_string_equal(params_text(70553706496ull), "70.55B");
    assert_string_equal(params_text(1026000000000ull), "1.03T");
}

/* The tiny preset is the shared tiny.gguf's shape: its parameter count and weight bytes. */
static void tiny_model_counts(void **state)
{
    (void) state;
    struct wld_gguf g;
    read_model(ggufw_preset("tiny"), &g);
    assert_int_equal(g.n_params, 125248);
    assert_int_equal(g.tensor_bytes, 125248 * 4);
    assert_int_equal(g.n_ctx_train, 256);
    wld_gguf_release(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(guide_table_corrected),
        cmocka_unit_test(context_padded_to_256),
        cmocka_unit_test(sliding_window_layers),
        cmocka_unit_test(mla_stores_k_only),
        cmocka_unit_test(hybrid_and_recurrent_layers),
        cmocka_unit_test(placement_counts_the_output_layer),
        cmocka_unit_test(advice_is_computed),
        cmocka_unit_test(encoder_has_no_cache),
        cmocka_unit_test(sizes_in_the_unit_that_reads),
        cmocka_unit_test(parameter_counts_in_k_m_b),
        cmocka_unit_test(tiny_model_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
