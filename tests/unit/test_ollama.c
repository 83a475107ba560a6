/* ollama as a runtime (issue 28): the staged hosts wsl2-ollama-runners (0.5.7),
 * wsl2-ollama-cuda-v11-v12 (0.6.8) and wsl2-ollama-cuda-v12-v13 (0.12.3), written by
 * tests/fixtures/tools/ollama_hosts.py with real ELF fakes in place: where each install is,
 * its version, its backends and their CUDA runtimes, its service's environment, and which
 * backend each release loads on a driver. */
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
#include <sys/stat.h>
#include <cmocka.h>
// clang-format on

#include "wld/check.h"
#include "wld/ldpath.h"
#include "wld/runtimes.h"
#include "wld/services.h"

struct found {
    struct wld_host *h;
    cJSON *ldirs, *services, *runtimes;
    const cJSON *rt;
};

static void find_in(const char *root, struct found *f)
{
    assert_int_equal(wld_host_new_fixture(root, &f->h), 0);
    f->ldirs = cJSON_CreateArray();
    f->services = cJSON_CreateObject();
    f->runtimes = cJSON_CreateArray();
    wld_ldpath_dirs(f->h, true, f->ldirs);
    wld_services_find(f->h, f->services);
    wld_ollama_find(f->h, NULL, f->services, f->ldirs, 5000, f->runtimes);
    assert_int_equal(cJSON_GetArraySize(f->runtimes), 1);
    f->rt = cJSON_GetArrayItem(f->runtimes, 0);
}

static void found_free(struct found *f)
{
    cJSON_Delete(f->ldirs);
    cJSON_Delete(f->services);
    cJSON_Delete(f->runtimes);
    wld_host_free(f->h);
}

static const cJSON *backend(const struct found *f, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->rt, "backends"), i);
}

/* Backend i is name in dir, CUDA major, its libggml-cuda found and needing runtime. */
static void assert_backend(const struct found *f,
                           int i,
                           const char *name,
                           const char *dir,
                           unsigned major,
                           const char *needed,
                           const char *version)
{
    const cJSON *b = backend(f, i);
    assert_non_null(b);
    assert_string_equal(wld_fact_str(b, "name"), name);
    assert_string_equal(wld_fact_str(b, "dir"), dir);
    assert_int_equal((int) wld_fact_num(b, "cuda_major", 0), (int) major);
    const cJSON *build = cJSON_GetObjectItemCaseSensitive(b, "build");
    assert_string_equal(wld_fact_str(build, "elf"), "ok");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(build, "cuda_files")), 1);
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(build, "runtime");
    assert_string_equal(wld_fact_str(rt, "needed"), needed);
    assert_string_equal(wld_fact_str(rt, "version"), version);
    /* the bundled runtime, not the host's CUDA toolkit */
    assert_true(wld_str_starts(wld_fact_str(rt, "path"), "/usr/local/lib/ollama/"));
}

static void assert_common(const struct found *f, const char *version, const char *layout)
{
    assert_string_equal(wld_fact_str(f->rt, "kind"), "ollama");
    assert_string_equal(wld_fact_str(f->rt, "id"), "ollama");
    assert_string_equal(wld_fact_str(f->rt, "binary"), "/usr/local/bin/ollama");
    assert_string_equal(wld_fact_str(f->rt, "found_by"), "systemd unit ollama.service");
    assert_string_equal(wld_fact_str(f->rt, "version"), version);
    assert_string_equal(wld_fact_str(f->rt, "version_from"), "ollama --version");
    assert_string_equal(wld_fact_str(f->rt, "lib_dir"), "/usr/local/lib/ollama");
    assert_string_equal(wld_fact_str(f->rt, "layout"), layout);
    char name[64];
    snprintf(name, sizeof(name), "ollama %s", version);
    assert_string_equal(wld_fact_str(f->rt, "name"), name);
}

static int pick(const struct found *f, unsigned major, unsigned minor)
{
    const char *why = NULL;
    int i = wld_ollama_pick(f->rt, major, minor, &why);
    assert_non_null(why);
    return i;
}

static void runners_era_0_5_7(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-ollama-runners", &f);
    assert_common(&f, "0.5.7", "runners");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(f.rt, "backends")), 2);
    assert_backend(&f, 0, "cuda_v11_avx", "/usr/local/lib/ollama/runners/cuda_v11_avx", 11,
                   "libcudart.so.11.0", "11.3.109");
    assert_backend(&f, 1, "cuda_v12_avx", "/usr/local/lib/ollama/runners/cuda_v12_avx", 12,
                   "libcudart.so.12", "12.4.127");
    /* cudaVariant: 12.0 and older drivers get v11; the runner's _avx suffix is ignored */
    assert_int_equal(pick(&f, 12, 2), 1);
    assert_int_equal(pick(&f, 12, 0), 0);
    assert_int_equal(pick(&f, 11, 8), 0);
    /* a GPU below compute 6.0 gets v11 before 0.5.13 */
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 12, 4, 5, 2, NULL), 0);
    found_free(&f);
}

static void cuda_v11_v12_era_0_6_8(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-ollama-cuda-v11-v12", &f);
    assert_common(&f, "0.6.8", "lib/ollama");
    assert_backend(&f, 0, "cuda_v11", "/usr/local/lib/ollama/cuda_v11", 11, "libcudart.so.11.0",
                   "11.3.109");
    assert_backend(&f, 1, "cuda_v12", "/usr/local/lib/ollama/cuda_v12", 12, "libcudart.so.12",
                   "12.8.90");
    assert_int_equal(pick(&f, 11, 8), 0);
    assert_int_equal(pick(&f, 12, 0), 0);
    assert_int_equal(pick(&f, 12, 2), 1);
    assert_int_equal(pick(&f, 13, 0), 1);
    /* no longer by compute capability: a Maxwell GPU on a 12.4 driver gets v12 */
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 12, 4, 5, 2, NULL), 1);
    /* a driver older than any CUDA 11 runs nothing on the GPU */
    assert_int_equal(pick(&f, 10, 2), -1);
    found_free(&f);
}

static void cuda_v12_v13_era_0_12_3(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-ollama-cuda-v12-v13", &f);
    assert_common(&f, "0.12.3", "lib/ollama");
    assert_backend(&f, 0, "cuda_v12", "/usr/local/lib/ollama/cuda_v12", 12, "libcudart.so.12",
                   "12.8.90");
    assert_backend(&f, 1, "cuda_v13", "/usr/local/lib/ollama/cuda_v13", 13, "libcudart.so.13",
                   "13.0.96");
    assert_int_equal(pick(&f, 12, 2), 0);
    assert_int_equal(pick(&f, 13, 0), 1);
    /* no cuda_v11 in this release: an 11.4 driver runs it on the CPU */
    assert_int_equal(pick(&f, 11, 4), -1);
    /* 0.12.0 - 0.12.3: a GPU below compute 7.5 stays on v12 even on a 13.0 driver */
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 6, 1, NULL), 0);
    found_free(&f);
}

static void service_environment_from_the_dropin(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-ollama-cuda-v12-v13", &f);
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(f.rt, "env");
    const char *dropin = "/etc/systemd/system/ollama.service.d/override.conf";
    const cJSON *kv = cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_KV_CACHE_TYPE");
    assert_string_equal(wld_fact_str(kv, "value"), "q8_0");
    assert_string_equal(wld_fact_str(kv, "from"), dropin);
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_HOST");
    assert_string_equal(wld_fact_str(host, "value"), "0.0.0.0:11434");
    assert_string_equal(
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_FLASH_ATTENTION"), "value"),
            "1");
    /* only what decides where a model runs: never PATH, never a key */
    assert_null(cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_API_KEY"));
    assert_null(cJSON_GetObjectItemCaseSensitive(env, "PATH"));
    found_free(&f);
}

static void put_file(const char *root, const char *rel, const char *text)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *p = strchr(path + strlen(root) + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A unit that keeps its settings in an EnvironmentFile= (as the unit in the corpus sample
 * service/minish0-ollama-opt-environmentfile-trailing-space.txt does): read as systemd reads
 * it, after Environment= and over it, a missing "-" file passed over and said. */
static void service_environment_from_an_environment_file(void **state)
{
    (void) state;
    char root[] = "/tmp/wld-ollama-envfile-XXXXXX", cmd[512];
    assert_non_null(mkdtemp(root));
    snprintf(cmd, sizeof(cmd), "cp -a '%s/wsl2-ollama-cuda-v12-v13/.' '%s/'", HOSTS, root);
    assert_int_equal(system(cmd), 0);
    put_file(root, "etc/systemd/system/ollama.service.d/envfile.conf",
             "[Service]\nEnvironmentFile=-/etc/ollama/missing.env\n"
             "EnvironmentFile=/opt/ollama/etc/systemd-ollama.env\n");
    put_file(root, "opt/ollama/etc/systemd-ollama.env",
             "## https://github.com/ollama/ollama/blob/main/envconfig/config.go\n"
             "OLLAMA_CONTEXT_LENGTH=8192 \n"
             "  OLLAMA_KV_CACHE_TYPE = \"q4_0\"\n"
             "; OLLAMA_FLASH_ATTENTION=0\n"
             "OLLAMA_MODELS=/opt/ollama/\\\nmodels\n"
             "OLLAMA_API_KEY=sk-not-read\n");
    struct found f;
    find_in(root, &f);
    const cJSON *env = cJSON_GetObjectItemCaseSensitive(f.rt, "env");
    const char *file = "/opt/ollama/etc/systemd-ollama.env";
    const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_CONTEXT_LENGTH");
    assert_string_equal(wld_fact_str(ctx, "value"), "8192"); /* trailing space stripped */
    assert_string_equal(wld_fact_str(ctx, "from"), file);
    /* the file's value wins over the drop-in's Environment= */
    const cJSON *kv = cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_KV_CACHE_TYPE");
    assert_string_equal(wld_fact_str(kv, "value"), "q4_0");
    assert_string_equal(wld_fact_str(kv, "from"), file);
    /* a comment is no setting; a continued line is one */
    assert_string_equal(
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_FLASH_ATTENTION"), "value"),
            "1");
    assert_string_equal(
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_MODELS"), "value"),
            "/opt/ollama/models");
    assert_null(cJSON_GetObjectItemCaseSensitive(env, "OLLAMA_API_KEY"));
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(f.rt, "env_files");
    assert_int_equal(cJSON_GetArraySize(files), 2);
    const cJSON *missing = cJSON_GetArrayItem(files, 0);
    assert_string_equal(wld_fact_str(missing, "path"), "/etc/ollama/missing.env");
    assert_true(wld_fact_bool(missing, "optional", false));
    assert_string_equal(wld_fact_str(missing, "error"), "ENOENT");
    assert_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(files, 1), "error"));
    found_free(&f);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void llm_library_forces_the_cpu(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-ollama-cuda-v12-v13", &f);
    cJSON *env = cJSON_GetObjectItemCaseSensitive(f.rt, "env");
    cJSON *e = cJSON_AddObjectToObject(env, "OLLAMA_LLM_LIBRARY");
    cJSON_AddStringToObject(e, "value", "cpu_avx2");
    assert_int_equal(wld_ollama_pick(f.rt, 13, 0, NULL), -1);
    cJSON_ReplaceItemInObjectCaseSensitive(e, "value", cJSON_CreateString("cuda_v12"));
    assert_int_equal(wld_ollama_pick(f.rt, 13, 0, NULL), 0);
    found_free(&f);
}

/* A version ollama's newest logic judges: 0.12.4 on keeps the newest that starts. */
static void newest_release_tries_every_backend(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-ollama-cuda-v12-v13", &f);
    cJSON_ReplaceItemInObjectCaseSensitive((cJSON *) f.rt, "version", cJSON_CreateString("0.13.0"));
    assert_int_equal(pick(&f, 13, 0), 1);
    assert_int_equal(pick(&f, 12, 8), 0);
    assert_int_equal(pick(&f, 11, 4), -1);
    /* v13 carries PTX for 7.5 and later only: a compute 6.1 GPU does not start it */
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 6, 1, NULL), 0);
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 8, 9, NULL), 1);
    found_free(&f);
}

/* The architectures of each backend, read once by the inventory from its fatbinary. */
static void backends_carry_their_archs(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-ollama-cuda-v12-v13", &f);
    const cJSON *v12 =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(backend(&f, 0), "fatbin"), 0);
    const cJSON *v13 =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(backend(&f, 1), "fatbin"), 0);
    assert_string_equal(wld_fact_str(v12, "file"),
                        "/usr/local/lib/ollama/cuda_v12/libggml-cuda.so");
    assert_int_equal(
            (int) cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v12, "sass"), 0)->valuedouble,
            50);
    /* cuda_v13 is PTX only (75-virtual ... 121-virtual) */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(v13, "sass")), 0);
    assert_int_equal(
            (int) cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v13, "ptx"), 0)->valuedouble,
            75);
    found_free(&f);
}

/* 0.12.4 and later: a backend with no kernel for the GPU does not start, and the next older
 * one is kept; with none, the CPU. */
static void newest_release_passes_over_a_backend_without_the_gpus_kernel(void **state)
{
    (void) state;
    struct found f;
    const char *why = NULL;
    find_in(HOSTS "/wsl2-ollama-cuda-v12-v13", &f);
    cJSON_ReplaceItemInObjectCaseSensitive((cJSON *) f.rt, "version", cJSON_CreateString("0.12.4"));
    /* a GTX 970 (5.2): cuda_v13 has no sm_5x cubin and no PTX at or below 5.2; cuda_v12's
     * sm_50 cubin runs on it */
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 5, 2, &why), 0);
    assert_non_null(strstr(why, "the newer ones have no kernel for its compute capability"));
    /* a Kepler GPU (3.5): neither */
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 3, 5, &why), -1);
    assert_non_null(strstr(why, "no backend of this ollama has a kernel for the GPU's compute "
                                "capability"));
    assert_non_null(strstr(why, "it falls back to the CPU"));
    /* cc 5.0 with a cuda_v12 built without arch 50 (from 6.0 up, cubin and PTX): neither */
    cJSON *fb = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(backend(&f, 0), "fatbin"), 0);
    cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(fb, "sass"), 0);
    cJSON_DeleteItemFromArray(cJSON_GetObjectItemCaseSensitive(fb, "ptx"), 0);
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 5, 0, &why), -1);
    /* an unknown compute capability, or backends whose fatbin was not read: not filtered */
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 0, 0, NULL), 1);
    cJSON_DeleteItemFromObject((cJSON *) backend(&f, 1), "fatbin");
    assert_int_equal(wld_ollama_pick_gpu(f.rt, 13, 0, 5, 0, NULL), 1);
    found_free(&f);
}

/* The Go build info of a `go install github.com/ollama/ollama@v0.12.3` build, and of a
 * release build (-trimpath, version by -ldflags -X: "(devel)"). */
static size_t buildinfo(unsigned char *buf, const char *modver)
{
    memset(buf, 0, 32);
    memcpy(buf, "\xff Go buildinf:", 14);
    buf[14] = 8;
    buf[15] = 2;
    size_t n = 32;
    const char *gover = "go1.24.0";
    buf[n++] = (unsigned char) strlen(gover);
    memcpy(buf + n, gover, strlen(gover));
    n += strlen(gover);
    char info[256];
    int l = snprintf(info, sizeof(info),
                     "0123456789abcdef" /* the 16-byte sentinel */
                     "path\tgithub.com/ollama/ollama\nmod\tgithub.com/ollama/ollama\t%s\t\n"
                     "build\t-trimpath=true\n0123456789abcdef",
                     modver);
    buf[n++] = (unsigned char) l;
    memcpy(buf + n, info, (size_t) l);
    return n + (size_t) l;
}

static void version_from_go_buildinfo(void **state)
{
    (void) state;
    unsigned char buf[512];
    char v[32];
    size_t n = buildinfo(buf, "v0.12.3");
    assert_int_equal(wld_ollama_buildinfo_version(buf, n, v, sizeof(v)), 0);
    assert_string_equal(v, "0.12.3");
    n = buildinfo(buf, "(devel)");
    assert_int_equal(wld_ollama_buildinfo_version(buf, n, v, sizeof(v)), -ENOENT);
    /* cut anywhere: never read past the end */
    n = buildinfo(buf, "v0.12.3");
    for (size_t cut = 0; cut < n - 20; cut++)
        assert_true(wld_ollama_buildinfo_version(buf, cut, v, sizeof(v)) < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(runners_era_0_5_7),
        cmocka_unit_test(cuda_v11_v12_era_0_6_8),
        cmocka_unit_test(cuda_v12_v13_era_0_12_3),
        cmocka_unit_test(service_environment_from_the_dropin),
        cmocka_unit_test(service_environment_from_an_environment_file),
        cmocka_unit_test(llm_library_forces_the_cpu),
        cmocka_unit_test(newest_release_tries_every_backend),
        cmocka_unit_test(backends_carry_their_archs),
        cmocka_unit_test(newest_release_passes_over_a_backend_without_the_gpus_kernel),
        cmocka_unit_test(version_from_go_buildinfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
