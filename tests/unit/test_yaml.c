/* YAML into cJSON (wld/yaml.h): the CDI specs `nvidia-ctk cdi generate` writes on WSL and
 * on a native host (tests/fixtures/containers, with their sources in SOURCES.md), a compose
 * file's GPU stanza, and what is not YAML or goes past the bounds. */
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

#include "wld/check.h"
#include "wld/util.h"
#include "wld/yaml.h"

static cJSON *parse_file(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/containers/%s", FIXTURES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = malloc(1 << 20);
    size_t n = fread(text, 1, 1 << 20, f);
    fclose(f);
    cJSON *j = NULL;
    char *err = NULL;
    assert_int_equal(wld_yaml_parse(text, n, &j, &err), 0);
    assert_null(err);
    free(text);
    return j;
}

static void cdi_spec_on_wsl(void **state)
{
    (void) state;
    cJSON *j = parse_file("cdi-wsl-nvidia.yaml");
    assert_string_equal(wld_fact_str(j, "cdiVersion"), "0.3.0");
    assert_string_equal(wld_fact_str(j, "kind"), "nvidia.com/gpu");
    const cJSON *dev = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "devices"), 0);
    assert_string_equal(wld_fact_str(dev, "name"), "all");
    const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(dev, "containerEdits"), "deviceNodes");
    assert_string_equal(wld_fact_str(cJSON_GetArrayItem(nodes, 0), "path"), "/dev/dxg");
    const cJSON *edits = cJSON_GetObjectItemCaseSensitive(j, "containerEdits");
    const cJSON *mount = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(edits, "mounts"), 1);
    assert_string_equal(wld_fact_str(mount, "hostPath"),
                        "/usr/lib/wsl/drivers/nvmdi.inf_amd64_978a3b585e321cd9/libcuda.so.1.1");
    const cJSON *hook = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(edits, "hooks"), 0);
    assert_string_equal(wld_fact_str(hook, "path"), "/usr/bin/nvidia-cdi-hook");
    cJSON_Delete(j);
}

static void cdi_spec_native_and_compose(void **state)
{
    (void) state;
    cJSON *j = parse_file("cdi-native-nvidia.yaml");
    assert_string_equal(wld_fact_str(j, "kind"), "nvidia.com/gpu");
    assert_true(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "devices")) >= 2);
    cJSON_Delete(j);
    j = parse_file("compose-gpu.yaml");
    assert_non_null(cJSON_GetObjectItemCaseSensitive(j, "services"));
    cJSON_Delete(j);
}

static void not_yaml_and_bounds(void **state)
{
    (void) state;
    cJSON *j = NULL;
    char *err = NULL;
    const char bad[] = "a: b\n c: d: e\n  - [\n";
    assert_int_equal(wld_yaml_parse(bad, sizeof(bad) - 1, &j, &err), -EINVAL);
    assert_null(j);
    assert_non_null(err);
    assert_true(wld_str_starts(err, "line "));
    free(err);
    /* deeper than the bound: refused, nothing leaked (ASan) */
    char deep[WLD_YAML_MAX_DEPTH * 2 + 8];
    memset(deep, '[', sizeof(deep));
    err = NULL;
    assert_int_equal(wld_yaml_parse(deep, sizeof(deep), &j, &err), -E2BIG);
    free(err);
    /* empty, a bare scalar, an alias: objects and null, never a crash */
    err = NULL;
    assert_int_equal(wld_yaml_parse("", 0, &j, &err), 0);
    assert_true(cJSON_IsObject(j));
    cJSON_Delete(j);
    assert_int_equal(wld_yaml_parse("hello", 5, &j, &err), 0);
    assert_true(cJSON_IsObject(j));
    cJSON_Delete(j);
    const char alias[] = "a: &x 1\nb: *x\nb: 2\n";
    assert_int_equal(wld_yaml_parse(alias, sizeof(alias) - 1, &j, &err), 0);
    assert_string_equal(wld_fact_str(j, "b"), "2"); /* a repeated key: the last wins */
    cJSON_Delete(j);
}

/* Each node's valueint is its line: a member's is its key's, an item's its own start. */
static void lines_of_nodes(void **state)
{
    (void) state;
    cJSON *j = parse_file("compose-gpu.yaml");
    const cJSON *ollama = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(j, "services"), "ollama");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "services")->valueint, 3);
    assert_int_equal(ollama->valueint, 10);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(ollama, "image")->valueint, 11);
    const cJSON *deploy = cJSON_GetObjectItemCaseSensitive(ollama, "deploy");
    assert_int_equal(deploy->valueint, 20);
    const cJSON *devices = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(deploy, "resources"),
                                             "reservations"),
            "devices");
    assert_int_equal(devices->valueint, 23);
    const cJSON *dev = cJSON_GetArrayItem(devices, 0);
    assert_int_equal(dev->valueint, 24);
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(dev, "capabilities");
    assert_int_equal(caps->valueint, 26);
    assert_int_equal(cJSON_GetArrayItem(caps, 0)->valueint, 26); /* a flow sequence's item */
    cJSON_Delete(j);
    /* a repeated key: the line of the one that wins; an empty document: line 1 */
    char *err = NULL;
    const char twice[] = "a: 1\nb: 2\na: 3\n";
    assert_int_equal(wld_yaml_parse(twice, sizeof(twice) - 1, &j, &err), 0);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "a")->valueint, 3);
    assert_int_equal(j->valueint, 1);
    cJSON_Delete(j);
    assert_int_equal(wld_yaml_parse("", 0, &j, &err), 0);
    assert_int_equal(j->valueint, 1);
    cJSON_Delete(j);
    /* `key:` alone is null, `key: ""` the empty string */
    const char empty[] = "a:\nb: ''\n";
    assert_int_equal(wld_yaml_parse(empty, sizeof(empty) - 1, &j, &err), 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "a")));
    assert_string_equal(wld_fact_str(j, "b"), "");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "b")->valueint, 2);
    cJSON_Delete(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cdi_spec_on_wsl),
        cmocka_unit_test(cdi_spec_native_and_compose),
        cmocka_unit_test(not_yaml_and_bounds),
        cmocka_unit_test(lines_of_nodes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
