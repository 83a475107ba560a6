/* A compose file's services as wld_compose_read gives them (wld/compose.h): the ollama
 * file of tests/fixtures/containers (SOURCES.md), each way of asking for the GPU, binds
 * and variables in both forms, and the problems found in one place for lint and
 * container.gpu. */
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
#include "wld/compose.h"
#include "wld/util.h"

static cJSON *read_text(const char *text)
{
    cJSON *j = NULL;
    char *err = NULL;
    assert_int_equal(wld_compose_read(text, strlen(text), &j, &err), 0);
    assert_null(err);
    return j;
}

static const cJSON *service(const cJSON *j, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "services"), i);
}

static const cJSON *at(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static void ollama_deploy_reservation(void **state)
{
    (void) state;
    char path[1024];
    snprintf(path, sizeof(path), "%s/containers/compose-gpu.yaml", FIXTURES);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    cJSON *j = read_text(text);
    const cJSON *proxy = service(j, 0), *ollama = service(j, 1);
    assert_string_equal(wld_fact_str(proxy, "name"), "app_proxy");
    assert_null(at(proxy, "gpu"));
    assert_null(at(proxy, "image"));
    assert_string_equal(wld_fact_str(ollama, "name"), "ollama");
    assert_int_equal(wld_fact_num(ollama, "line", 0), 10);
    const cJSON *gpu = at(ollama, "gpu");
    assert_string_equal(wld_fact_str(gpu, "by"), "deploy");
    assert_string_equal(wld_fact_str(gpu, "count"), "all");
    assert_string_equal(wld_fact_str(gpu, "driver"), "nvidia");
    assert_int_equal(wld_fact_num(gpu, "line", 0), 24);
    assert_string_equal(cJSON_GetArrayItem(at(gpu, "capabilities"), 0)->valuestring, "gpu");
    /* ${APP_DATA_DIR}/data is a path once interpolated: a bind */
    const cJSON *bind = cJSON_GetArrayItem(at(ollama, "binds"), 0);
    assert_string_equal(wld_fact_str(bind, "source"), "${APP_DATA_DIR}/data");
    assert_string_equal(wld_fact_str(bind, "target"), "/root/.ollama");
    assert_int_equal(cJSON_GetArraySize(at(ollama, "problems")), 0);
    cJSON_Delete(j);
}

static void each_way_to_ask(void **state)
{
    (void) state;
    cJSON *j = read_text("services:\n"
                         "  a:\n    image: x\n    gpus: all\n"
                         "  b:\n    image: x\n    runtime: nvidia\n"
                         "  c:\n    image: x\n    devices:\n      - nvidia.com/gpu=0\n"
                         "  d:\n    build: ./d\n    environment:\n"
                         "      - NVIDIA_VISIBLE_DEVICES=all\n      - CUDA_VERSION=12.4.1\n"
                         "  e:\n    image: x\n    volumes:\n      - models:/models\n"
                         "      - C:\\models:/m:ro\n");
    assert_string_equal(wld_fact_str(at(service(j, 0), "gpu"), "by"), "gpus");
    assert_string_equal(wld_fact_str(at(service(j, 0), "gpu"), "count"), "all");
    assert_string_equal(wld_fact_str(at(service(j, 1), "gpu"), "by"), "runtime");
    assert_string_equal(wld_fact_str(service(j, 1), "runtime"), "nvidia");
    const cJSON *cdi = at(service(j, 2), "gpu");
    assert_string_equal(wld_fact_str(cdi, "by"), "cdi");
    assert_string_equal(cJSON_GetArrayItem(at(cdi, "device_ids"), 0)->valuestring, "0");
    const cJSON *d = service(j, 3);
    assert_string_equal(wld_fact_str(at(d, "gpu"), "by"), "env");
    assert_string_equal(wld_fact_str(d, "build"), "./d");
    assert_string_equal(wld_fact_str(at(d, "env"), "CUDA_VERSION"), "12.4.1");
    const cJSON *p = cJSON_GetArrayItem(at(d, "problems"), 0);
    assert_string_equal(wld_fact_str(p, "outcome"), "compose_env_only");
    assert_string_equal(wld_fact_str(p, "image"), "build: ./d");
    /* a named volume is no bind; C:\models is, though its colon is not the separator */
    const cJSON *e = service(j, 4);
    assert_null(at(e, "gpu"));
    assert_int_equal(cJSON_GetArraySize(at(e, "binds")), 1);
    assert_string_equal(wld_fact_str(cJSON_GetArrayItem(at(e, "binds"), 0), "source"),
                        "C:\\models");
    assert_int_equal(cJSON_GetArraySize(at(e, "problems")), 0); /* no GPU: not judged */
    cJSON_Delete(j);
}

static void problems_and_refusals(void **state)
{
    (void) state;
    cJSON *j = read_text("services:\n  s:\n    image: x\n    environment:\n"
                         "      NVIDIA_VISIBLE_DEVICES: none\n      CUDA_VISIBLE_DEVICES:\n"
                         "    deploy:\n      resources:\n        reservations:\n"
                         "          devices:\n            - driver: nvidia\n"
                         "              count: 2\n              device_ids: ['0']\n");
    const cJSON *p = at(service(j, 0), "problems"), *x;
    char keys[256] = "";
    cJSON_ArrayForEach(x, p)
    {
        snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s@%d ",
                 wld_fact_str(x, "outcome"), (int) wld_fact_num(x, "line", 0));
    }
    /* CUDA_VISIBLE_DEVICES: alone takes the shell's value: not judged */
    assert_string_equal(keys, "compose_no_capabilities@11 compose_count_and_device_ids@11 "
                              "gpu_hidden@5 ");
    cJSON_Delete(j);
    char *err = NULL;
    j = NULL;
    assert_int_equal(wld_compose_read("a: [", 4, &j, &err), -EINVAL);
    assert_true(wld_str_starts(err, "line "));
    free(err);
    assert_int_equal(wld_compose_read("services: 3\n", 12, &j, &err), -EINVAL);
    assert_string_equal(err, "no services: mapping");
    free(err);
    assert_null(j);
    assert_true(wld_compose_on_windows("/mnt/d/models"));
    assert_true(wld_compose_on_windows("/mnt/c"));
    assert_false(wld_compose_on_windows("/mnt/wsl/models"));
    assert_true(wld_compose_on_windows("c:/models"));
    assert_false(wld_compose_visible_hides("all"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ollama_deploy_reservation),
        cmocka_unit_test(each_way_to_ask),
        cmocka_unit_test(problems_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
