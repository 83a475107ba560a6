/* The GPU probes' readers: the CUDA helper's event stream (whole, cut short by a crash,
 * polluted), dpkg status, and the loader's search order of a fixture host. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/check.h"
#include "wld/cuda_probe.h"
#include "wld/gpu.h"
#include "wld/host.h"
#include "wld/ldpath.h"
#include "wld/parse.h"

static cJSON *parse(const char *text)
{
    cJSON *facts = cJSON_CreateObject();
    wld_cuda_probe_parse(text, strlen(text), facts);
    return facts;
}

static void probe_healthy_stream(void **state)
{
    (void) state;
    cJSON *f = parse("{\"ev\":\"loaded\",\"path\":\"/usr/lib/wsl/lib/libcuda.so.1\","
                     "\"file\":\"/usr/lib/wsl/lib/libcuda.so.1\"}\n"
                     "{\"ev\":\"call\",\"fn\":\"cuInit\"}\n"
                     "{\"ev\":\"ret\",\"fn\":\"cuInit\",\"code\":0}\n"
                     "{\"ev\":\"driver\",\"cuda_version\":12080}\n"
                     "{\"ev\":\"count\",\"value\":1}\n"
                     "{\"ev\":\"memory\",\"index\":0,\"free_bytes\":1073741824,"
                     "\"source\":\"libnvidia-ml\"}\n"
                     "{\"ev\":\"device\",\"index\":0,\"name\":\"NVIDIA GeForce RTX 3060\","
                     "\"cc_major\":8,\"cc_minor\":6,\"total_bytes\":12884901888}\n"
                     "{\"ev\":\"done\"}\n");
    assert_string_equal(wld_fact_str(f, "driver_cuda_version"), "12.8");
    assert_int_equal((int) wld_fact_num(f, "device_count", -1), 1);
    assert_true(wld_fact_bool(f, "done", false));
    assert_null(cJSON_GetObjectItemCaseSensitive(f, "pending_call"));
    /* the memory event came first; it still lands on device 0 */
    const cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "devices"), 0);
    assert_string_equal(wld_fact_str(d, "cc"), "8.6");
    assert_int_equal((int) wld_fact_num(d, "total_mib", 0), 12288);
    assert_int_equal((int) wld_fact_num(d, "free_mib", 0), 1024);
    assert_string_equal(wld_fact_str(d, "free_source"), "libnvidia-ml");
    cJSON_Delete(f);
}

/* Numbers no libcuda prints, as a broken one could: never converted to an int (UBSan,
 * -fsanitize=float-cast-overflow, reports the conversion), never a device or a count. */
static void probe_hostile_numbers(void **state)
{
    (void) state;
    cJSON *f = parse("{\"ev\":\"device\",\"index\":1e38}\n"
                     "{\"ev\":\"memory\",\"index\":-1e38,\"free_bytes\":1e300}\n"
                     "{\"ev\":\"count\",\"value\":1e38}\n"
                     "{\"ev\":\"device\",\"index\":0.5}\n"
                     "{\"ev\":\"device\",\"index\":0,\"cc_major\":1e20,\"cc_minor\":-1e20,"
                     "\"total_bytes\":1e300}\n");
    assert_int_equal(wld_fact_num(f, "device_count", -1), 0);
    const cJSON *devs = cJSON_GetObjectItemCaseSensitive(f, "devices");
    assert_int_equal(cJSON_GetArraySize(devs), 1); /* index 0 only */
    const cJSON *d = cJSON_GetArrayItem(devs, 0);
    assert_null(wld_fact_str(d, "cc"));
    assert_null(cJSON_GetObjectItemCaseSensitive(d, "total_bytes"));
    cJSON_Delete(f);
    /* and the getter itself */
    cJSON *o = cJSON_Parse("{\"big\":1e38,\"half\":0.5,\"ok\":7,\"s\":\"7\"}");
    assert_int_equal(wld_fact_int(o, "big", 0, 100, -1), -1);
    assert_int_equal(wld_fact_int(o, "half", 0, 100, -1), -1);
    assert_int_equal(wld_fact_int(o, "ok", 0, 100, -1), 7);
    assert_int_equal(wld_fact_int(o, "ok", 8, 100, -1), -1);
    assert_int_equal(wld_fact_int(o, "s", 0, 100, -1), -1);
    cJSON_Delete(o);
}

static void probe_cut_short_and_garbage(void **state)
{
    (void) state;
    /* A crash in cuInit: the call was announced and never returned; a libcuda that
     * prints to stdout; a line cut in the middle. */
    cJSON *f = parse("{\"ev\":\"loaded\",\"path\":\"a\",\"file\":\"a\"}\n"
                     "NVRM: something the driver printed\n"
                     "{\"ev\":\"call\",\"fn\":\"cuInit\"}\n"
                     "{\"ev\":\"ret\",\"fn\":\"cuI");
    assert_false(wld_fact_bool(f, "done", true));
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(f, "pending_call");
    assert_string_equal(wld_fact_str(p, "fn"), "cuInit");
    assert_int_equal((int) wld_fact_num(f, "garbage_lines", 0), 2);
    cJSON_Delete(f);

    /* Hostile values: device indexes out of range, a negative CUDA version, no text. */
    f = parse("{\"ev\":\"device\",\"index\":100000,\"name\":\"x\"}\n"
              "{\"ev\":\"device\",\"index\":-1}\n{\"ev\":\"driver\",\"cuda_version\":-5}\n"
              "{\"ev\":\"memory\",\"index\":3,\"free_bytes\":-1}\n\n\n[1,2]\n{\"ev\":7}\n");
    assert_null(cJSON_GetObjectItemCaseSensitive(f, "devices"));
    assert_null(wld_fact_str(f, "driver_cuda_version"));
    assert_int_equal((int) wld_fact_num(f, "garbage_lines", 0), 2);
    cJSON_Delete(f);
}

static void probe_init_error_kept(void **state)
{
    (void) state;
    cJSON *f = parse("{\"ev\":\"call\",\"fn\":\"cuInit\"}\n"
                     "{\"ev\":\"ret\",\"fn\":\"cuInit\",\"code\":100,\"name\":"
                     "\"CUDA_ERROR_NO_DEVICE\"}\n{\"ev\":\"done\"}\n");
    const cJSON *init = cJSON_GetObjectItemCaseSensitive(f, "init");
    assert_int_equal((int) wld_fact_num(init, "code", 0), 100);
    assert_string_equal(wld_fact_str(init, "name"), "CUDA_ERROR_NO_DEVICE");
    cJSON_Delete(f);
}

static void driver_facts_merge(void **state)
{
    (void) state;
    /* libcuda's CUDA version wins over nvidia-smi's; with no nvidia-smi, NVML's driver. */
    cJSON *facts = cJSON_Parse("{\"gpu.driver\":{\"cuda_version\":\"12.6\"},"
                               "\"gpu.cuda\":{\"driver_cuda_version\":\"12.7\","
                               "\"nvml\":{\"driver_version\":\"566.36\"}}}");
    struct wld_gpu_driver g;
    wld_gpu_driver_of(facts, &g);
    assert_string_equal(g.cuda, "12.7");
    assert_string_equal(g.cuda_source, "libcuda (cuDriverGetVersion)");
    assert_string_equal(g.driver, "566.36");
    assert_non_null(strstr(g.driver_source, "libnvidia-ml"));
    cJSON_Delete(facts);
    wld_gpu_driver_of(NULL, &g);
    assert_null(g.driver);
    assert_null(g.cuda);
}

static void dpkg_status(void **state)
{
    (void) state;
    static const char *const prefixes[] = { "nvidia", "libnvidia", NULL };
    char **v =
            wld_dpkg_installed("Package: libnvidia-compute-550\r\n"
                               "Status: install ok installed\r\n\r\n"
                               "Package: nvidia-driver-535\nStatus: deinstall ok config-files\n\n"
                               "Package: libc6\nStatus: install ok installed\n\n"
                               "Package: nvidia-utils-550\nStatus: install ok installed",
                               prefixes);
    assert_string_equal(v[0], "libnvidia-compute-550");
    assert_string_equal(v[1], "nvidia-utils-550"); /* last paragraph, no newline */
    assert_null(v[2]);
    wld_strv_free(v);
    v = wld_dpkg_installed("", prefixes);
    assert_null(v[0]);
    wld_strv_free(v);
}

static void loader_search_order(void **state)
{
    (void) state;
    struct wld_host *h = NULL;
    assert_int_equal(wld_host_new_fixture(FIXTURES "/hosts/wsl2-cuda-stub-on-path", &h), 0);
    cJSON *dirs = cJSON_CreateArray();
    wld_ldpath_dirs(h, true, dirs);
    /* LD_LIBRARY_PATH first, then ld.so.conf.d in name order, then the defaults. */
    assert_string_equal(wld_fact_str(cJSON_GetArrayItem(dirs, 0), "dir"),
                        "/usr/local/cuda-12.6/lib64/stubs");
    assert_string_equal(wld_fact_str(cJSON_GetArrayItem(dirs, 0), "from"), "LD_LIBRARY_PATH");
    assert_true(wld_ldpath_has(dirs, "/usr/lib/wsl/lib"));
    assert_true(wld_ldpath_has(dirs, "/usr/lib/x86_64-linux-gnu"));
    /* /usr/local/cuda-12.6/lib64 is in both LD_LIBRARY_PATH and a conf file: listed once */
    int n = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, dirs) n +=
            strcmp(wld_fact_str(d, "dir"), "/usr/local/cuda-12.6/lib64") == 0;
    assert_int_equal(n, 1);
    cJSON_Delete(dirs);
    dirs = cJSON_CreateArray();
    wld_ldpath_dirs(h, false, dirs);
    assert_false(wld_ldpath_has(dirs, "/usr/local/cuda-12.6/lib64/stubs"));
    cJSON_Delete(dirs);
    wld_host_free(h);

    char *s = wld_path_dirname("/usr/lib/wsl/lib/libcuda.so.1");
    assert_string_equal(s, "/usr/lib/wsl/lib");
    free(s);
    s = wld_path_dirname("libcuda.so.1");
    assert_string_equal(s, ".");
    free(s);
}

/* "Is the build's CUDA newer than the driver's": by major.minor; a patch release is not
 * newer than its minor, a bare SONAME major compares by major only. */
static void cuda_newer(void **state)
{
    (void) state;
    assert_true(wld_cuda_newer("12.8.90", "12.7"));
    assert_true(wld_cuda_newer("13", "12.9"));
    assert_true(wld_cuda_newer("13.0.48", "12.7"));
    assert_false(wld_cuda_newer("12.7.77", "12.7"));
    assert_false(wld_cuda_newer("12", "12.7"));
    assert_false(wld_cuda_newer("12.6.85", "12.7"));
    assert_false(wld_cuda_newer("11.8", "12.0"));
    assert_false(wld_cuda_newer("garbage", "12.0"));
    assert_false(wld_cuda_newer(NULL, "12.0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_healthy_stream),
        cmocka_unit_test(probe_hostile_numbers),
        cmocka_unit_test(probe_cut_short_and_garbage),
        cmocka_unit_test(probe_init_error_kept),
        cmocka_unit_test(driver_facts_merge),
        cmocka_unit_test(cuda_newer),
        cmocka_unit_test(dpkg_status),
        cmocka_unit_test(loader_search_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
