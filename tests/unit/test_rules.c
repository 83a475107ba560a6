/* The built-in rules loaded a file at a time (src/pipeline/rules_embedded.c) answer every
 * lookup as the whole document does: each check, source and common outcome, each section
 * a command reads whole, the version and the fingerprint. The index the build writes
 * (cmake/embed.cmake) is what makes the first answer right: a check or source it missed
 * would be NULL here. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/rules.h"

static struct wld_rules *whole;

static int setup(void **st)
{
    (void) st;
    char *err = NULL;
    return wld_rules_load_embedded(&whole, &err);
}

static int teardown(void **st)
{
    (void) st;
    wld_rules_free(whole);
    return 0;
}

static void same(const cJSON *a, const cJSON *b, const char *what)
{
    if (!a || !b || !cJSON_Compare(a, b, true))
        fail_msg("%s differs between the whole rules and the rules by file", what);
}

/* every entry of the document, asked of rules loaded by file with need */
static void every_lookup(const struct wld_rules_need *need)
{
    struct wld_rules *lazy = NULL;
    assert_int_equal(wld_rules_load_embedded_lazy(need, &lazy), 0);
    const cJSON *doc = wld_rules_doc(whole), *e;
    int n = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "checks"))
    {
        same(e, wld_rules_check(lazy, e->string), e->string);
        n++;
    }
    assert_true(n >= 20);
    n = 0;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "sources"))
    {
        same(e, wld_rules_source(lazy, e->string), e->string);
        n++;
    }
    assert_true(n >= 200);
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(doc, "common"))
            same(e, wld_rules_common(lazy, e->string), e->string);
    const char *sections[] = { "signatures", "error_codes", "signature_params", "common" };
    for (size_t i = 0; i < sizeof(sections) / sizeof(*sections); i++)
        same(cJSON_GetObjectItemCaseSensitive(doc, sections[i]),
             wld_rules_section(lazy, sections[i]), sections[i]);
    assert_null(wld_rules_check(lazy, "no.such-check"));
    assert_null(wld_rules_source(lazy, ""));
    assert_string_equal(wld_rules_version(lazy), wld_rules_version(whole));
    /* the whole document, parsed apart from the files, after the lookups */
    assert_string_equal(wld_rules_sha256(lazy), wld_rules_sha256(whole));
    wld_rules_free(lazy);
}

static void by_file_answers_as_whole(void **st)
{
    (void) st;
    static const char *const none[] = { NULL };
    struct wld_rules_need need = { none, none };
    every_lookup(&need);
}

/* the files a command names are parsed in a thread while it starts; the rest on demand */
static void by_file_with_a_need(void **st)
{
    (void) st;
    static const char *const fit[] = { "models.fit", "gpu.driver", NULL };
    static const char *const log[] = { "signatures", "error_codes", NULL };
    struct wld_rules_need need = { fit, log };
    every_lookup(&need);
}

/* freed while its thread may still parse, and without a lookup */
static void by_file_freed_unused(void **st)
{
    (void) st;
    static const char *const all[] = { "checks", "sources", "signatures", NULL };
    struct wld_rules_need need = { NULL, all };
    struct wld_rules *lazy = NULL;
    assert_int_equal(wld_rules_load_embedded_lazy(&need, &lazy), 0);
    wld_rules_free(lazy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(by_file_answers_as_whole),
        cmocka_unit_test(by_file_with_a_need),
        cmocka_unit_test(by_file_freed_unused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
