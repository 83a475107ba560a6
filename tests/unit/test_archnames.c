/* The architecture table reader on real llama.cpp output (tests/fixtures/archnames/README.md
 * says where each file came from): the .rodata of llama.cpp's table compiled at build 5091
 * (the last before Qwen3) and at build 9591, and a window of a whole libllama.so's .rodata;
 * then Go function names as ollama's engine leaves them, and hostile input. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include <cjson/cJSON.h>

#include "wld/archnames.h"

#include "../fake/archtab_room.h"

#define DIR FIXTURES "/archnames/"

static enum wld_arch_seen seen_of(const struct wld_archnames *a, const char *name)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->names[i], name) == 0)
            return a->seen[i];
    fail_msg("%s was not asked for", name);
    return WLD_ARCH_ABSENT;
}

static void ask(struct wld_archnames *a, const char *const *names)
{
    memset(a, 0, sizeof(*a));
    for (; *names; names++)
        assert_int_equal(wld_archnames_add(a, *names), 0);
}

static void read_file(const char *path, struct wld_archnames *a)
{
    struct wld_host *h = NULL;
    assert_int_equal(wld_host_new_live(&h), 0);
    assert_int_equal(wld_archnames_read(h, path, a), 0);
    wld_host_free(h);
}

static const char *const wanted[] = { "llama",  "qwen2",   "qwen3", "qwen3moe",  "llama4",
                                      "gemma3", "gpt-oss", "glm4",  "bert",      "rwkv7",
                                      "phi3",   "mamba",   "lfm2",  "qwen3next", NULL };

static void build_5091_knows_llama4_not_qwen3(void **state)
{
    (void) state;
    struct wld_archnames a;
    ask(&a, wanted);
    read_file(DIR "llama-arch-b5091.rodata.elf", &a);
    assert_true(a.has_table);
    assert_string_equal(a.where, ".rodata");
    assert_int_equal(seen_of(&a, "llama4"), WLD_ARCH_WHOLE);
    assert_int_equal(seen_of(&a, "gemma3"), WLD_ARCH_WHOLE);
    assert_int_equal(seen_of(&a, "phi3"), WLD_ARCH_WHOLE);
    assert_int_equal(seen_of(&a, "qwen3"), WLD_ARCH_ABSENT);
    assert_int_equal(seen_of(&a, "qwen3moe"), WLD_ARCH_ABSENT);
    assert_int_equal(seen_of(&a, "gpt-oss"), WLD_ARCH_ABSENT);
    assert_int_equal(seen_of(&a, "lfm2"), WLD_ARCH_ABSENT);
    assert_false(a.go_engine);
}

static void build_9591_knows_them_all(void **state)
{
    (void) state;
    struct wld_archnames a;
    ask(&a, wanted);
    read_file(DIR "llama-arch-b9591.rodata.elf", &a);
    assert_true(a.has_table);
    for (size_t i = 0; i < a.n; i++)
        assert_int_not_equal(a.seen[i], WLD_ARCH_ABSENT);
    assert_int_equal(seen_of(&a, "qwen3moe"), WLD_ARCH_WHOLE);
    assert_int_equal(seen_of(&a, "gpt-oss"), WLD_ARCH_WHOLE);
}

/* GNU ld merged "qwen2" into "rwkv6qwen2" and "rwkv7" into "arwkv7" in a real libllama.so
 * (and "glm4" into "chatglm4", "bert" into "modern-bert", outside this window): known, as
 * tails. */
static void merged_tails_still_count(void **state)
{
    (void) state;
    struct wld_archnames a;
    FILE *f = fopen(DIR "libllama-unsloth-d32676d.rodata-3008-4736.bin", "rb");
    assert_non_null(f);
    static unsigned char buf[4096];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    struct wld_reader r;
    wld_reader_mem(&r, buf, n);
    ask(&a, wanted);
    assert_int_equal(wld_archnames_scan(&r, 0, n, false, &a), 0);
    assert_int_equal(seen_of(&a, "qwen2"), WLD_ARCH_TAIL);
    assert_int_equal(seen_of(&a, "rwkv7"), WLD_ARCH_TAIL);
    assert_int_equal(seen_of(&a, "qwen3moe"), WLD_ARCH_WHOLE);
    assert_int_equal(seen_of(&a, "qwen3next"), WLD_ARCH_WHOLE);
    /* the window holds general.architecture and the key formats too */
    assert_true(a.has_table);
}

/* A name split across two chunks of the scan, and one at the very start of the range. */
static void names_across_chunks(void **state)
{
    (void) state;
    size_t n = (1u << 20) + 4096;
    unsigned char *buf = calloc(n, 1);
    assert_non_null(buf);
    memcpy(buf, "qwen3moe", 8);
    memcpy(buf + (1u << 20) - 3, "gpt-oss", 8);
    memcpy(buf + 2000, "xgeneral.architecture", 22);
    memcpy(buf + 3000, "%s.context_length", 18);
    struct wld_reader r;
    wld_reader_mem(&r, buf, n);
    struct wld_archnames a;
    ask(&a, wanted);
    assert_int_equal(wld_archnames_scan(&r, 0, n, false, &a), 0);
    assert_int_equal(seen_of(&a, "qwen3moe"), WLD_ARCH_WHOLE);
    assert_int_equal(seen_of(&a, "gpt-oss"), WLD_ARCH_WHOLE);
    assert_true(a.has_table);
    /* the same bytes from offset 1: "wen3moe" is all there is of it */
    ask(&a, wanted);
    assert_int_equal(wld_archnames_scan(&r, 1, n - 1, false, &a), 0);
    assert_int_equal(seen_of(&a, "qwen3moe"), WLD_ARCH_ABSENT);
    free(buf);
}

/* Go's function name table: NUL-terminated "pkgpath.Func" names (synthetic, in the shape
 * of ollama 0.29's: github.com/ollama/ollama/model/models/gemma3.New ...). */
static void ollama_engine_packages(void **state)
{
    (void) state;
    static const char names[] = "\0runtime.main\0"
                                "github.com/ollama/ollama/model/models/gemma3.New\0"
                                "github.com/ollama/ollama/model/models/gemma3.(*Model).Forward\0"
                                "github.com/ollama/ollama/model/models/gptoss.init.0\0"
                                "github.com/ollama/ollama/model/models.init\0"
                                "github.com/ollama/ollama/model/models/qwen3\0"
                                "github.com/ollama/ollama/model/models/Bad-pkg.New\0";
    struct wld_reader r;
    wld_reader_mem(&r, names, sizeof(names));
    struct wld_archnames a;
    ask(&a, wanted);
    assert_int_equal(wld_archnames_scan(&r, 0, sizeof(names), true, &a), 0);
    assert_int_equal(a.n_pkgs, 2);
    assert_string_equal(a.pkgs[0], "gemma3");
    assert_string_equal(a.pkgs[1], "gptoss");
    assert_false(a.has_table);
}

static void names_refused(void **state)
{
    (void) state;
    struct wld_archnames a;
    memset(&a, 0, sizeof(a));
    assert_int_equal(wld_archnames_add(&a, ""), -EINVAL);
    assert_int_equal(wld_archnames_add(&a, "a\nb"), -EINVAL);
    char longname[WLD_ARCHNAME_MAX + 2];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_int_equal(wld_archnames_add(&a, longname), -EINVAL);
    assert_int_equal(wld_archnames_add(&a, "llama"), 0);
    assert_int_equal(wld_archnames_add(&a, "llama"), 0);
    assert_int_equal(a.n, 1);
    char name[16];
    for (int i = 1; i < WLD_ARCHNAMES_MAX; i++) {
        snprintf(name, sizeof(name), "a%d", i);
        assert_int_equal(wld_archnames_add(&a, name), 0);
    }
    assert_int_equal(wld_archnames_add(&a, "one-too-many"), -E2BIG);
    struct wld_reader r;
    wld_reader_mem(&r, "x", 1);
    assert_int_equal(wld_archnames_scan(&r, 0, 2, false, &a), -EINVAL);
    assert_int_equal(wld_archnames_scan(&r, 2, 0, false, &a), -EINVAL);
}

/* rules/models.json's first build of each name (models.runtime's arch_first_build, which
 * the fixtures' fake tables are also made from: tests/fake/archtab_patch.c) agrees with the
 * real tables: a name is in build 5091's and 9591's exactly when its first build is not
 * later. */
static void rules_first_builds_match_real_tables(void **state)
{
    (void) state;
    FILE *f = fopen(FIXTURES "/../../rules/models.json", "rb");
    assert_non_null(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *rules = cJSON_Parse(text);
    const cJSON *first = archtab_first_builds(rules);
    assert_true(cJSON_GetArraySize(first) > 100);
    static const struct {
        const char *file;
        double build;
    } tables[] = { { DIR "llama-arch-b5091.rodata.elf", 5091 },
                   { DIR "llama-arch-b9591.rodata.elf", 9591 } };
    for (size_t t = 0; t < 2; t++) {
        const cJSON *e = first ? first->child : NULL;
        while (e) { /* WLD_ARCHNAMES_MAX names a scan */
            const cJSON *batch[WLD_ARCHNAMES_MAX];
            size_t k = 0;
            struct wld_archnames a;
            memset(&a, 0, sizeof(a));
            for (; e && k < WLD_ARCHNAMES_MAX; e = e->next) {
                batch[k++] = e;
                assert_int_equal(wld_archnames_add(&a, e->string), 0);
            }
            read_file(tables[t].file, &a);
            for (size_t i = 0; i < k; i++) {
                double build =
                        cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(batch[i], "build"));
                if ((a.seen[i] != WLD_ARCH_ABSENT) != (build <= tables[t].build))
                    fail_msg("%s (first build %.0f) in %s", batch[i]->string, build,
                             tables[t].file);
            }
        }
    }
    cJSON_Delete(rules);
}

/* A file that is not ELF is read whole; one that does not exist is an error. */
static void not_elf_read_whole(void **state)
{
    (void) state;
    struct wld_archnames a;
    ask(&a, wanted);
    read_file(DIR "libllama-unsloth-d32676d.rodata-3008-4736.bin", &a);
    assert_string_equal(a.where, "file");
    assert_int_equal(seen_of(&a, "qwen3moe"), WLD_ARCH_WHOLE);
    struct wld_host *h = NULL;
    assert_int_equal(wld_host_new_live(&h), 0);
    assert_int_equal(wld_archnames_read(h, DIR "nothing-here", &a), -ENOENT);
    wld_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(build_5091_knows_llama4_not_qwen3),
        cmocka_unit_test(build_9591_knows_them_all),
        cmocka_unit_test(merged_tails_still_count),
        cmocka_unit_test(names_across_chunks),
        cmocka_unit_test(ollama_engine_packages),
        cmocka_unit_test(names_refused),
        cmocka_unit_test(not_elf_read_whole),
        cmocka_unit_test(rules_first_builds_match_real_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
