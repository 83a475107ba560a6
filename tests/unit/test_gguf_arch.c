/* wld_gguf_peek_arch, what models.runtime reads of every model: general.architecture of
 * headers shaped as llama.cpp's converter writes them (tests/tools/ggufw.c), GGUF v1 to v3,
 * the key behind others and behind a vocabulary, and hostile headers (cut anywhere, lengths
 * past the file, a name that does not fit, values of the wrong type), each answered with
 * the errno wld/gguf.h promises and never a name the file does not hold. */
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

#include "wld/gguf.h"

#include "../tools/ggufw.h"

#define ARCH_MAX 64

/* peek_arch over the first len bytes of w. */
static int peek_n(const struct ggufw *w, size_t len, char *arch, size_t n)
{
    struct wld_reader r;
    wld_reader_mem(&r, w->data, len);
    return wld_gguf_peek_arch(&r, arch, n);
}

static int peek(const struct ggufw *w, char *arch)
{
    return peek_n(w, w->len, arch, ARCH_MAX);
}

/* The header of a preset as llama.cpp's converter writes it (v1: u32 counts). */
static void preset_header(struct ggufw *w, const char *name, bool v1)
{
    *w = (struct ggufw){ .v1 = v1 };
    const struct ggufw_model *m = ggufw_preset(name);
    assert_non_null(m);
    ggufw_model(w, m);
}

static void converter_headers(void **state)
{
    (void) state;
    static const struct {
        const char *preset, *arch;
    } cases[] = { { "llama-3.1-8b", "llama" },
                  { "qwen3-30b-a3b", "qwen3moe" },
                  { "qwen2.5-7b", "qwen2" },
                  { "gemma-2-9b", "gemma2" },
                  { "deepseek-v2-lite", "deepseek2" } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ggufw w;
        char arch[ARCH_MAX];
        preset_header(&w, cases[i].preset, false);
        assert_int_equal(peek(&w, arch), 0);
        assert_string_equal(arch, cases[i].arch);
        ggufw_free(&w);
    }
}

/* GGUFv1 (u32 counts and lengths, 2023) and v2 files name their architecture the same way;
 * llama.cpp refuses v1 at load, which models.fit says: the name is still the file's. */
static void versions_1_2_3(void **state)
{
    (void) state;
    struct ggufw w;
    char arch[ARCH_MAX];
    preset_header(&w, "llama-3.1-8b", true);
    assert_int_equal(peek(&w, arch), 0);
    assert_string_equal(arch, "llama");
    ggufw_free(&w);
    for (uint32_t v = 2; v <= 3; v++) {
        w = (struct ggufw){ 0 };
        ggufw_header(&w, v, 0, 2);
        ggufw_kv_str(&w, "general.architecture", "falcon");
        ggufw_kv_u32(&w, "falcon.block_count", 60);
        assert_int_equal(peek(&w, arch), 0);
        assert_string_equal(arch, "falcon");
        ggufw_free(&w);
    }
}

/* A split model's first shard names its split before its architecture; other writers put
 * the vocabulary first: every kind of value is stepped over. */
static void architecture_not_first(void **state)
{
    (void) state;
    struct ggufw_model m = *ggufw_preset("qwen3-30b-a3b");
    m.split_count = 3;
    m.split_no = 1;
    struct ggufw w = { 0 };
    char arch[ARCH_MAX];
    ggufw_model(&w, &m);
    assert_int_equal(peek(&w, arch), 0);
    assert_string_equal(arch, "qwen3moe");
    ggufw_free(&w);

    static const int32_t types[4] = { 1, 1, 3, 6 };
    static const bool flags[3] = { true, false, true };
    w = (struct ggufw){ 0 };
    ggufw_header(&w, 3, 0, 7);
    ggufw_kv_str(&w, "general.name", "Qwen3 30B A3B");
    ggufw_kv_f32(&w, "qwen3moe.rope.freq_base", 1e6f);
    ggufw_kv_bool(&w, "general.quantized", true);
    ggufw_kv_arr_i32(&w, "tokenizer.ggml.token_type", types, 4);
    ggufw_kv_arr_bool(&w, "some.flags", flags, 3);
    ggufw_str(&w, "tokenizer.ggml.tokens");
    ggufw_u32(&w, 9); /* array */
    ggufw_u32(&w, 8); /* of strings */
    ggufw_count(&w, 1000);
    for (int i = 0; i < 1000; i++) {
        char tok[16];
        snprintf(tok, sizeof(tok), "tok%d", i);
        ggufw_str(&w, tok);
    }
    ggufw_kv_str(&w, "general.architecture", "qwen3moe");
    assert_int_equal(peek(&w, arch), 0);
    assert_string_equal(arch, "qwen3moe");
    ggufw_free(&w);
}

/* A download cut anywhere before the name ends: refused, never a partial name. */
static void every_cut(void **state)
{
    (void) state;
    struct ggufw w;
    char arch[ARCH_MAX];
    preset_header(&w, "qwen3-30b-a3b", false);
    /* magic, version, counts, the key (8 + 20 bytes), its type, the value (8 + 8 bytes) */
    size_t end = 4 + 4 + 8 + 8 + 8 + 20 + 4 + 8 + 8;
    for (size_t cut = 0; cut < end; cut++)
        assert_int_equal(peek_n(&w, cut, arch, sizeof(arch)), -EINVAL);
    assert_int_equal(peek_n(&w, end, arch, sizeof(arch)), 0);
    assert_string_equal(arch, "qwen3moe");
    ggufw_free(&w);
}

/* Lengths past the file (a key's, the name's, an array's) are refused without a read
 * past the end or an allocation of their size. */
static void lengths_past_the_file(void **state)
{
    (void) state;
    char arch[ARCH_MAX];
    static const uint64_t lengths[] = { UINT64_MAX, 1ull << 62, 1ull << 31, 4096 };
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
        struct ggufw w = { 0 };
        ggufw_header(&w, 3, 0, 1);
        ggufw_count(&w, lengths[i]); /* the key */
        ggufw_bytes(&w, "general.architecture", 20);
        assert_int_equal(peek(&w, arch), -EINVAL);
        ggufw_free(&w);

        w = (struct ggufw){ 0 };
        ggufw_header(&w, 3, 0, 1);
        ggufw_str(&w, "general.architecture");
        ggufw_u32(&w, 8);
        ggufw_count(&w, lengths[i]); /* the value */
        ggufw_bytes(&w, "llama", 5);
        assert_int_equal(peek(&w, arch), -EINVAL);
        ggufw_free(&w);

        w = (struct ggufw){ 0 };
        ggufw_header(&w, 3, 0, 2);
        ggufw_str(&w, "tokenizer.ggml.scores");
        ggufw_u32(&w, 9);
        ggufw_u32(&w, 10); /* of u64: length * 8 past the file, or past 2^64 */
        ggufw_count(&w, lengths[i]);
        ggufw_kv_str(&w, "general.architecture", "llama");
        assert_int_equal(peek(&w, arch), -EINVAL);
        ggufw_free(&w);
    }
}

/* A name longer than the caller's buffer is not cut to fit: "qwen3" of "qwen3moe" would be a
 * name llama.cpp knows. */
static void name_that_does_not_fit(void **state)
{
    (void) state;
    struct ggufw w;
    char arch[ARCH_MAX];
    preset_header(&w, "qwen3-30b-a3b", false);
    assert_int_equal(peek_n(&w, w.len, arch, 6), -ENAMETOOLONG);
    assert_int_equal(peek_n(&w, w.len, arch, 9), 0);
    assert_string_equal(arch, "qwen3moe");
    assert_int_equal(peek_n(&w, w.len, arch, 0), -EINVAL);
    ggufw_free(&w);
}

/* A name holding a NUL is no name llama.cpp knows (it compares the whole string): it must
 * not read as the known name before the NUL. */
static void name_with_a_nul(void **state)
{
    (void) state;
    struct ggufw w = { 0 };
    char arch[ARCH_MAX];
    ggufw_header(&w, 3, 0, 1);
    ggufw_str(&w, "general.architecture");
    ggufw_u32(&w, 8);
    ggufw_count(&w, 8);
    ggufw_bytes(&w, "qwen3\0mo", 8);
    assert_int_equal(peek(&w, arch), -EINVAL);
    ggufw_free(&w);
}

static void not_there_or_too_far(void **state)
{
    (void) state;
    char arch[ARCH_MAX];
    struct ggufw w = { 0 };
    ggufw_header(&w, 3, 0, 2);
    ggufw_kv_str(&w, "general.name", "no architecture");
    ggufw_kv_u32(&w, "general.file_type", 15);
    assert_int_equal(peek(&w, arch), -ENOENT);
    ggufw_free(&w);

    /* more keys before it than are looked at */
    w = (struct ggufw){ 0 };
    ggufw_header(&w, 3, 0, 1100);
    for (int i = 0; i < 1099; i++) {
        char key[32];
        snprintf(key, sizeof(key), "junk.key%d", i);
        ggufw_kv_u32(&w, key, (uint32_t) i);
    }
    ggufw_kv_str(&w, "general.architecture", "llama");
    assert_int_equal(peek(&w, arch), -E2BIG);
    ggufw_free(&w);

    /* behind a vocabulary of more strings than are stepped over */
    w = (struct ggufw){ 0 };
    ggufw_header(&w, 3, 0, 2);
    ggufw_str(&w, "tokenizer.ggml.tokens");
    ggufw_u32(&w, 9);
    ggufw_u32(&w, 8);
    ggufw_count(&w, 10000);
    for (int i = 0; i < 10000; i++)
        ggufw_str(&w, "t");
    ggufw_kv_str(&w, "general.architecture", "llama");
    assert_int_equal(peek(&w, arch), -E2BIG);
    ggufw_free(&w);

    /* a key count past the keys there are: the end of the file, not a name */
    w = (struct ggufw){ 0 };
    ggufw_header(&w, 3, 0, UINT64_MAX);
    ggufw_kv_u32(&w, "general.file_type", 15);
    assert_int_equal(peek(&w, arch), -EINVAL);
    ggufw_free(&w);
}

/* What llama.cpp does not read as GGUF on x86-64: another magic, version 0 or 4, a
 * big-endian file, the name as another type, an array of arrays, an unknown type. */
static void not_gguf(void **state)
{
    (void) state;
    char arch[ARCH_MAX];
    struct ggufw w;
    preset_header(&w, "llama-3.1-8b", false);
    memcpy(w.data, "GGML", 4);
    assert_int_equal(peek(&w, arch), -EINVAL);
    ggufw_free(&w);
    for (uint32_t v = 0; v <= 4; v += 4) {
        w = (struct ggufw){ 0 };
        ggufw_header(&w, v, 0, 1);
        ggufw_kv_str(&w, "general.architecture", "llama");
        assert_int_equal(peek(&w, arch), -EINVAL);
        ggufw_free(&w);
    }
    w = (struct ggufw){ .be = true };
    ggufw_model(&w, ggufw_preset("llama-3.1-8b"));
    assert_int_equal(peek(&w, arch), -EINVAL);
    ggufw_free(&w);

    /* the name as a u32; a key before it of a type GGUF does not have */
    static const struct {
        const char *key;
        uint32_t type;
    } bad[] = { { "general.architecture", 4 },
                { "general.architecture", 13 },
                { "x.key", 13 },
                { "x.key", 0xffffffffu } };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        w = (struct ggufw){ 0 };
        ggufw_header(&w, 3, 0, 2);
        ggufw_str(&w, bad[i].key);
        ggufw_u32(&w, bad[i].type);
        ggufw_u32(&w, 5);
        ggufw_kv_str(&w, "general.architecture", "llama");
        assert_int_equal(peek(&w, arch), -EINVAL);
        ggufw_free(&w);
    }
    w = (struct ggufw){ 0 };
    ggufw_header(&w, 3, 0, 2);
    ggufw_str(&w, "nested");
    ggufw_u32(&w, 9);
    ggufw_u32(&w, 9); /* an array of arrays */
    ggufw_count(&w, 1);
    ggufw_kv_str(&w, "general.architecture", "llama");
    assert_int_equal(peek(&w, arch), -EINVAL);
    ggufw_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(converter_headers),
        cmocka_unit_test(versions_1_2_3),
        cmocka_unit_test(architecture_not_first),
        cmocka_unit_test(every_cut),
        cmocka_unit_test(lengths_past_the_file),
        cmocka_unit_test(name_that_does_not_fit),
        cmocka_unit_test(name_with_a_nul),
        cmocka_unit_test(not_there_or_too_far),
        cmocka_unit_test(not_gguf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
