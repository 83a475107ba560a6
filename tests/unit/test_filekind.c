/* What a file is from its first bytes (src/parse/filekind.c): a file's head as the host
 * reads it, and a magic as a log quotes it, in each shape loaders print one. The quoted
 * magics are from real logs (the threads of tests/logs/cases.json) unless said. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include <errno.h>

#include "wld/filekind.h"

/* The kind of the magic s quotes; "none" when known to be no format, "invalid" when s is
 * no magic. */
static const char *kind_of(const char *s, struct wld_file_magic *m)
{
    if (wld_file_kind_magic(s, strlen(s), m) != 0)
        return "invalid";
    return m->kind ? m->kind : "none";
}

static void llama_cpp_hex_number_is_little_endian(void **st)
{
    (void) st;
    struct wld_file_magic m;
    /* gguf_init_from_file: invalid magic number 67676a74 (llama.cpp#3492) */
    assert_string_equal(kind_of("67676a74", &m), "ggml_legacy");
    assert_string_equal(m.format, "GGJT");
    assert_memory_equal(m.bytes, "tjgg", 4);
    /* bad magic [got 0x67676d66 want 0x67676a74] (llama.cpp#662) */
    assert_string_equal(kind_of("0x67676d66", &m), "ggml_legacy");
    assert_string_equal(m.format, "GGMF");
    assert_string_equal(kind_of("67676d6c", &m), "ggml_legacy");
    assert_string_equal(m.format, "GGML");
}

static void pre_gguf_loader_naming_gguf(void **st)
{
    (void) st;
    struct wld_file_magic m;
    /* unknown (magic, version) combination: 46554747, 00000003 (llama.cpp#8094) */
    assert_string_equal(kind_of("46554747", &m), "gguf");
    assert_memory_equal(m.bytes, "GGUF", 4);
}

static void git_lfs_pointer_and_html_as_numbers(void **st)
{
    (void) st;
    struct wld_file_magic m;
    /* 73726576, 206e6f69: "version " (CVI-SZU/Linly#52, llama-cpp-python#755) */
    assert_string_equal(kind_of("73726576", &m), "git_lfs_pointer");
    /* "<!DO" as llama.cpp prints it (a constructed example) */
    assert_string_equal(kind_of("4f44213c", &m), "html");
    assert_string_equal(kind_of("04034b50", &m), "zip");
}

static void characters_in_either_byte_order(void **st)
{
    (void) st;
    struct wld_file_magic m;
    /* invalid magic characters: 'vers', expected 'GGUF' */
    assert_string_equal(kind_of("vers", &m), "git_lfs_pointer");
    assert_string_equal(kind_of("tjgg", &m), "ggml_legacy");
    assert_string_equal(m.format, "GGJT");
    /* the same magic as its name, written big-endian */
    assert_string_equal(kind_of("ggjt", &m), "ggml_legacy");
    assert_string_equal(m.format, "GGJT");
    assert_memory_equal(m.bytes, "tjgg", 4);
    assert_string_equal(kind_of("lmgg", &m), "ggml_legacy");
    assert_string_equal(m.format, "GGML");
    assert_string_equal(kind_of("GGUF", &m), "gguf");
    assert_string_equal(kind_of("<!DO", &m), "html");
}

static void byte_lists_in_hex(void **st)
{
    (void) st;
    struct wld_file_magic m;
    assert_string_equal(kind_of("74 6a 67 67", &m), "ggml_legacy");
    assert_string_equal(kind_of("0x47,0x47,0x55,0x46", &m), "gguf");
    assert_string_equal(kind_of("\\x50\\x4b\\x03\\x04", &m), "zip");
    assert_string_equal(kind_of("80 02 8a 0a", &m), "pickle");
}

static void safetensors_header_length(void **st)
{
    (void) st;
    struct wld_file_magic m;
    /* a u64 header length of 0x5f78 bytes, read as a little-endian uint32 */
    assert_string_equal(kind_of("00005f78", &m), "safetensors");
    /* an all-zero head is no length, and no format */
    assert_string_equal(kind_of("00000000", &m), "none");
}

static void unknown_bytes_and_non_magics(void **st)
{
    (void) st;
    struct wld_file_magic m;
    assert_string_equal(kind_of("????", &m), "none");
    assert_memory_equal(m.bytes, "????", 4);
    assert_string_equal(kind_of("deadbeef", &m), "none");
    assert_string_equal(kind_of("version", &m), "invalid");
    assert_string_equal(kind_of("1234", &m), "none"); /* four characters, not two bytes */
    assert_string_equal(kind_of("67676a7", &m), "invalid");
    assert_string_equal(kind_of("", &m), "invalid");
    assert_int_equal(wld_file_kind_magic("GGUF", 3, &m), -EINVAL);
}

static void file_heads_still_named(void **st)
{
    (void) st;
    const unsigned char lfs[] = "version https://git-lfs.github.com/spec/v1\noid sha256:";
    assert_string_equal(wld_file_kind(lfs, sizeof(lfs) - 1, 200), "git_lfs_pointer");
    const unsigned char ggjt[] = "tjgg\x03\x00\x00\x00";
    assert_string_equal(wld_file_kind(ggjt, 8, 1 << 20), "ggml_legacy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(llama_cpp_hex_number_is_little_endian),
        cmocka_unit_test(pre_gguf_loader_naming_gguf),
        cmocka_unit_test(git_lfs_pointer_and_html_as_numbers),
        cmocka_unit_test(characters_in_either_byte_order),
        cmocka_unit_test(byte_lists_in_hex),
        cmocka_unit_test(safetensors_header_length),
        cmocka_unit_test(unknown_bytes_and_non_magics),
        cmocka_unit_test(file_heads_still_named),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
