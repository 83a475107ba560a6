/* Error codes by shape (src/log/logcodes.c) with the shipped table (rules/codes.json): each
 * way programs print a CUDA runtime, driver API, NVML or cuBLAS code gives that code of that
 * API, and the numbers, addresses and versions around CUDA words give none. The lines are
 * from real logs (the threads of tests/logs/cases.json) unless said. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include <stdlib.h>

#include "wld/logcodes.h"
#include "wld/rules.h"

static struct wld_rules *rules;
static struct wld_codetab *tab;

static int setup(void **st)
{
    (void) st;
    char *err = NULL;
    if (wld_rules_load_embedded(&rules, &err) != 0)
        return -1;
    tab = wld_codetab_new(wld_rules_section(rules, "error_codes"));
    return 0;
}

static int teardown(void **st)
{
    (void) st;
    wld_codetab_free(tab);
    wld_rules_free(rules);
    return 0;
}

static struct wld_code_seen seen[8];

static int match(const char *line)
{
    return wld_codetab_match(tab, line, strlen(line), seen, 8);
}

/* the one code line states: its API, number, shape and its row's name */
static void one(const char *line, int api, int code, int how, const char *name)
{
    assert_int_equal(match(line), 1);
    assert_int_equal(seen[0].api, api);
    assert_int_equal(seen[0].code, code);
    assert_int_equal(seen[0].how, how);
    assert_non_null(seen[0].row);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(seen[0].row, "name")->valuestring, name);
}

static void shipped_table_is_valid_and_large(void **st)
{
    (void) st;
    char *why = NULL;
    assert_int_equal(wld_codetab_validate(wld_rules_doc(rules), &why), 0);
    assert_true(wld_codetab_size(tab) >= 40 && wld_codetab_size(tab) <= 80);
}

static void llama_cpp_2023_cuda_error_number_is_the_runtimes(void **st)
{
    (void) st;
    one("CUDA error 2 at ggml-cuda.cu:359: out of memory", WLD_API_CUDART, 2, WLD_CODE_NUMBER,
        "cudaErrorMemoryAllocation");
}

static void cublas_error_number_is_cublass(void **st)
{
    (void) st;
    one("cuBLAS error 15 at tabby/crates/llama-cpp-bindings/llama.cpp/ggml-cuda.cu:7398: the "
        "requested functionality is not supported",
        WLD_API_CUBLAS, 15, WLD_CODE_NUMBER, "CUBLAS_STATUS_NOT_SUPPORTED");
}

static void ollama_driver_init_failure_is_a_curesult_tried(void **st)
{
    (void) st;
    one("msg=\"Unable to load cudart library /usr/lib/x86_64-linux-gnu/libcuda.so.575.57.08: cuda "
        "driver library init failure: 3\"",
        WLD_API_CU, 3, WLD_CODE_NUMBER, "CUDA_ERROR_NOT_INITIALIZED");
    assert_true(seen[0].tried);
}

/* ollama's discovery creating a context on a GPU it found (discover/gpu_info_nvcuda.c): no
 * key word beside the code, and its LOG line has no newline, so the next line follows */
static void ollama_device_context_failure_is_a_curesult(void **st)
{
    (void) st;
    one("cuda driver library failed to get device context 800time=2024-09-24T00:41:06.577Z "
        "level=WARN source=gpu.go:400 msg=\"error looking up nvidia GPU memory\"",
        WLD_API_CU, 800, WLD_CODE_NUMBER, "CUDA_ERROR_NOT_PERMITTED");
    one("cuda driver library failed to release device context 800", WLD_API_CU, 800,
        WLD_CODE_NUMBER, "CUDA_ERROR_NOT_PERMITTED");
    /* a context that is not the device's, and a unit glued to a number, are no codes */
    assert_int_equal(match("CUDA0 compute buffer for context 800 MiB"), 0);
    assert_int_equal(match("cuda device context 800MiB"), 0);
}

/* make's report of a failed recipe: its exit status, though the target's path says cuda */
static void make_error_status_is_no_code(void **st)
{
    (void) st;
    assert_int_equal(
            match("gmake[1]: *** [CMakeFiles/Makefile2:773: "
                  "ml/backend/ggml/ggml/src/ggml-cuda/CMakeFiles/ggml-cuda.dir/all] Error 2"),
            0);
    assert_int_equal(match("make: *** [Makefile:10: drv] Error 1 (cuda)"), 0);
}

static void cuinit_err_is_a_curesult(void **st)
{
    (void) st;
    one("cuInit err: 802", WLD_API_CU, 802, WLD_CODE_NUMBER, "CUDA_ERROR_SYSTEM_NOT_READY");
}

static void cudart_init_failure_is_the_runtimes(void **st)
{
    (void) st;
    one("msg=\"Unable to load cudart CUDA management library "
        "/usr/local/cuda/lib64/libcudart.so.12.4.99: cudart init failure: 35\"",
        WLD_API_CUDART, 35, WLD_CODE_NUMBER, "cudaErrorInsufficientDriver");
}

static void code_equals_with_its_name_counts_once(void **st)
{
    (void) st;
    one("CUDA error at ../../Common/helper_cuda.h:791 code=100(cudaErrorNoDevice) "
        "\"cudaGetDeviceCount(&device_count)\"",
        WLD_API_CUDART, 100, WLD_CODE_NAME, "cudaErrorNoDevice");
}

static void enum_name_alone_is_its_apis(void **st)
{
    (void) st;
    one("numba.cuda.cudadrv.driver.CudaAPIError: [100] Call to cuInit results in "
        "CUDA_ERROR_NO_DEVICE",
        WLD_API_CU, 100, WLD_CODE_NAME, "CUDA_ERROR_NO_DEVICE");
    one("CUDA error: CUBLAS_STATUS_NOT_INITIALIZED", WLD_API_CUBLAS, 1, WLD_CODE_NAME,
        "CUBLAS_STATUS_NOT_INITIALIZED");
}

static void number_in_parentheses_after_a_call(void **st)
{
    (void) st;
    /* synthetic: no name beside it */
    one("cuInit(0) failed (100)", WLD_API_CU, 100, WLD_CODE_NUMBER, "CUDA_ERROR_NO_DEVICE");
}

static void returned_number_is_the_calls_api(void **st)
{
    (void) st;
    one("cudaGetDeviceCount returned 35", WLD_API_CUDART, 35, WLD_CODE_NUMBER,
        "cudaErrorInsufficientDriver");
}

static void pytorch_error_number_after_a_runtime_call(void **st)
{
    (void) st;
    one("UserWarning: CUDA initialization: Unexpected error from cudaGetDeviceCount(). Error 804: "
        "forward compatibility was attempted on non supported HW",
        WLD_API_CUDART, 804, WLD_CODE_NUMBER, "cudaErrorCompatNotSupportedOnDevice");
}

static void nvml_text_wins_over_a_runtime_text_on_an_nvml_line(void **st)
{
    (void) st;
    one("stderr: nvidia-container-cli: initialization error: nvml error: driver not loaded",
        WLD_API_NVML, 9, WLD_CODE_TEXT, "NVML_ERROR_DRIVER_NOT_LOADED");
    one("Failed to initialize NVML: Unknown Error", WLD_API_NVML, 999, WLD_CODE_TEXT,
        "NVML_ERROR_UNKNOWN");
}

static void runtime_text_after_cuda_words(void **st)
{
    (void) st;
    one("ggml_cuda_init: failed to initialize CUDA: unknown error", WLD_API_CUDART, 999,
        WLD_CODE_TEXT, "cudaErrorUnknown");
    one("no CUDA-capable device is detected current device: 32544", WLD_API_CUDART, 100,
        WLD_CODE_TEXT, "cudaErrorNoDevice");
}

static void cublas_text_after_ggmls_cuda_error(void **st)
{
    (void) st;
    one("CUDA error: the requested functionality is not supported", WLD_API_CUBLAS, 15,
        WLD_CODE_TEXT, "CUBLAS_STATUS_NOT_SUPPORTED");
}

static void text_must_be_the_whole_message(void **st)
{
    (void) st;
    /* cudaErrorStreamCaptureUnsupported, which is not cudaErrorNotPermitted's text */
    assert_int_equal(match("CUDA error: operation not permitted when stream is capturing"), 0);
}

static void numbers_without_an_api_word_are_no_codes(void **st)
{
    (void) st;
    assert_int_equal(match("exit status 1, stdout:, stderr: running prestart hook 0"), 0);
    assert_int_equal(match("llama.go:430: 3 at /go/src/llama.cpp/gguf/ggml-cuda.cu:5661:"), 0);
    assert_int_equal(match("CUDA error 2 layers offloaded"), 0);
}

static void versions_addresses_and_counts_near_cuda_are_no_codes(void **st)
{
    (void) st;
    static const char *const lines[] = {
        "dlsym: cuInit - 0x7f928be76e00",
        "ggml_cuda_init: found 1 CUDA devices:",
        "| NVIDIA-SMI 545.29.06    Driver Version: 545.29.06    CUDA Version: 12.3     |",
        "  Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes",
        "load_tensors:        CUDA0 model buffer size =  4403.49 MiB",
        "system_info: CUDA : ARCHS = 500,610,700,750,800 | USE_GRAPHS = 1 |",
        "msg=\"Dynamic LLM libraries\" runners=\"[cpu cuda_v12 (3)]\"",
        "ggml_cuda_init: GGML_CUDA_FORCE_MMQ:    no",
        "cuInit err: 0",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        assert_int_equal(match(lines[i]), 0);
}

static void a_number_the_table_lacks_has_no_row(void **st)
{
    (void) st;
    assert_int_equal(match("nvmlDeviceGetSerial failed: 3"), 1);
    assert_int_equal(seen[0].api, WLD_API_NVML);
    assert_int_equal(seen[0].code, 3);
    assert_null(seen[0].row);
}

/* The table with one field of cudaErrorInsufficientDriver's row set to value: refused. */
static void refused_with(const char *key, cJSON *value)
{
    cJSON *doc = cJSON_Duplicate(wld_rules_doc(rules), true);
    cJSON *codes = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(doc, "error_codes"), "codes");
    cJSON *r;
    cJSON_ArrayForEach(r, codes)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "name");
        if (strcmp(name->valuestring, "cudaErrorInsufficientDriver") == 0)
            break;
    }
    assert_non_null(r);
    cJSON_ReplaceItemInObjectCaseSensitive(r, key, value);
    char *why = NULL;
    assert_int_not_equal(wld_codetab_validate(doc, &why), 0);
    assert_non_null(why);
    free(why);
    cJSON_Delete(doc);
}

/* the loader's refusals, one rule each */
static void broken_tables_are_refused(void **st)
{
    (void) st;
    refused_with("code", cJSON_CreateNumber(0));
    refused_with("code", cJSON_CreateNumber(100)); /* cudaErrorNoDevice's: twice in the table */
    refused_with("name", cJSON_CreateString("CUDA_ERROR_INSUFFICIENT_DRIVER"));
    refused_with("check", cJSON_CreateString("no.such"));
    refused_with("status", cJSON_CreateString("pass"));
    refused_with("api", cJSON_CreateString("hipError_t"));
    refused_with("texts", cJSON_CreateStringArray((const char *const[]){ "oom" }, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_table_is_valid_and_large),
        cmocka_unit_test(llama_cpp_2023_cuda_error_number_is_the_runtimes),
        cmocka_unit_test(cublas_error_number_is_cublass),
        cmocka_unit_test(ollama_driver_init_failure_is_a_curesult_tried),
        cmocka_unit_test(make_error_status_is_no_code),
        cmocka_unit_test(cuinit_err_is_a_curesult),
        cmocka_unit_test(ollama_device_context_failure_is_a_curesult),
        cmocka_unit_test(cudart_init_failure_is_the_runtimes),
        cmocka_unit_test(code_equals_with_its_name_counts_once),
        cmocka_unit_test(enum_name_alone_is_its_apis),
        cmocka_unit_test(number_in_parentheses_after_a_call),
        cmocka_unit_test(returned_number_is_the_calls_api),
        cmocka_unit_test(pytorch_error_number_after_a_runtime_call),
        cmocka_unit_test(nvml_text_wins_over_a_runtime_text_on_an_nvml_line),
        cmocka_unit_test(runtime_text_after_cuda_words),
        cmocka_unit_test(cublas_text_after_ggmls_cuda_error),
        cmocka_unit_test(text_must_be_the_whole_message),
        cmocka_unit_test(numbers_without_an_api_word_are_no_codes),
        cmocka_unit_test(versions_addresses_and_counts_near_cuda_are_no_codes),
        cmocka_unit_test(a_number_the_table_lacks_has_no_row),
        cmocka_unit_test(broken_tables_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
