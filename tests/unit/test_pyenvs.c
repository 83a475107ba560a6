/* llama-cpp-python found where users install it (issue 28): the staged hosts
 * wsl2-python-cpu-wheel and wsl2-python-cuda-wheel (tests/fixtures/tools/python_hosts.py,
 * real ELF fakes in place), and homes built here that fight back: symlink loops, a venv
 * with 10,000 entries in its site-packages, unreadable directories, a library that is
 * not ELF and not executable, more directories than the walk may list. */
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

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/check.h"
#include "wld/elf.h"
#include "wld/fatbin.h"
#include "wld/ldpath.h"
#include "wld/runtimes.h"

struct found {
    struct wld_host *h;
    cJSON *ldirs, *runtimes, *walk;
};

static void find_in(const char *root, struct found *f)
{
    assert_int_equal(wld_host_new_fixture(root, &f->h), 0);
    f->ldirs = cJSON_CreateArray();
    f->runtimes = cJSON_CreateArray();
    f->walk = cJSON_CreateObject();
    wld_ldpath_dirs(f->h, true, f->ldirs);
    wld_pyenvs_find(f->h, f->ldirs, f->runtimes, f->walk);
}

static void found_free(struct found *f)
{
    cJSON_Delete(f->ldirs);
    cJSON_Delete(f->runtimes);
    cJSON_Delete(f->walk);
    wld_host_free(f->h);
}

static const cJSON *lib_named(const cJSON *build, const char *name)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(build, "libs"))
    {
        if (wld_str_is(wld_fact_str(l, "name"), name))
            return l;
    }
    return NULL;
}

static bool has_string(const cJSON *array, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, array)
    {
        if (cJSON_IsString(e) && strcmp(e->valuestring, s) == 0)
            return true;
    }
    return false;
}

static void cpu_wheel_in_home_venv(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-python-cpu-wheel", &f);
    assert_int_equal(cJSON_GetArraySize(f.runtimes), 1);
    const cJSON *r = cJSON_GetArrayItem(f.runtimes, 0);
    assert_string_equal(wld_fact_str(r, "kind"), "python");
    assert_string_equal(wld_fact_str(r, "id"), "python:/home/alice/.venv");
    assert_string_equal(wld_fact_str(r, "name"), "llama-cpp-python 0.3.8 in ~/.venv");
    assert_string_equal(wld_fact_str(r, "found_by"), "a venv in the home");
    assert_string_equal(wld_fact_str(r, "version"), "0.3.8");
    assert_string_equal(wld_fact_str(r, "version_from"), "METADATA");
    assert_string_equal(wld_fact_str(r, "env_kind"), "venv");
    assert_string_equal(wld_fact_str(r, "python"), "/home/alice/.venv/bin/python3.12");
    assert_string_equal(wld_fact_str(r, "pip"), "/home/alice/.venv/bin/pip");
    assert_string_equal(wld_fact_str(r, "site_packages"),
                        "/home/alice/.venv/lib/python3.12/site-packages");
    const char *lib_dir = "/home/alice/.venv/lib/python3.12/site-packages/llama_cpp/lib";
    assert_string_equal(wld_fact_str(r, "lib_dir"), lib_dir);
    assert_string_equal(wld_fact_str(r, "dist_info"),
                        "/home/alice/.venv/lib/python3.12/site-packages/"
                        "llama_cpp_python-0.3.8.dist-info");
    assert_string_equal(wld_fact_str(r, "installer"), "pip");
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(r, "files");
    assert_int_equal(cJSON_GetArraySize(files), 5);
    assert_true(has_string(files, "libggml-cpu.so") && has_string(files, "libllava.so"));
    /* the CPU-only build: libllama.so's own libraries resolve beside it, no CUDA */
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "build");
    assert_true(wld_fact_bool(b, "binary_exists", false));
    assert_string_equal(wld_fact_str(b, "elf"), "ok");
    assert_string_equal(wld_fact_str(b, "cuda"), "none");
    assert_string_equal(wld_fact_str(lib_named(b, "libggml.so"), "path"),
                        "/home/alice/.venv/lib/python3.12/site-packages/llama_cpp/lib/libggml.so");
    assert_non_null(wld_fact_str(lib_named(b, "libggml-base.so"), "path"));
    assert_null(cJSON_GetObjectItemCaseSensitive(r, "pip_cuda"));
    assert_null(cJSON_GetObjectItemCaseSensitive(f.walk, "stopped"));
    found_free(&f);
}

/* The SASS and PTX architectures of a staged libggml-cuda.so, as "sm_50 ... compute_90". */
static void archs_of(const struct wld_host *h, const char *path, char *out, size_t n)
{
    struct wld_file_reader fr;
    struct wld_fatbin fb;
    uint64_t off, size;
    assert_int_equal(wld_reader_open(h, path, &fr), 0);
    assert_int_equal(wld_elf_section(&fr.r, ".nv_fatbin", &off, &size), 0);
    assert_int_equal(wld_fatbin_scan(&fr.r, off, size, &fb), 0);
    wld_reader_close(&fr);
    out[0] = '\0';
    for (size_t i = 0; i < fb.n_sass; i++)
        snprintf(out + strlen(out), n - strlen(out), "sm_%u ", fb.sass[i]);
    for (size_t i = 0; i < fb.n_ptx; i++)
        snprintf(out + strlen(out), n - strlen(out), "compute_%u ", fb.ptx[i]);
}

static void cuda_wheel_in_active_conda_env(void **state)
{
    (void) state;
    struct found f;
    find_in(HOSTS "/wsl2-python-cuda-wheel", &f);
    assert_int_equal(cJSON_GetArraySize(f.runtimes), 1);
    const cJSON *r = cJSON_GetArrayItem(f.runtimes, 0);
    assert_string_equal(wld_fact_str(r, "id"), "python:/home/alice/miniconda3/envs/llm");
    assert_string_equal(wld_fact_str(r, "name"),
                        "llama-cpp-python 0.3.16 in ~/miniconda3/envs/llm");
    assert_string_equal(wld_fact_str(r, "found_by"), "the active conda env (CONDA_PREFIX)");
    assert_string_equal(wld_fact_str(r, "env_kind"), "conda");
    assert_string_equal(wld_fact_str(r, "python"),
                        "/home/alice/miniconda3/envs/llm/bin/python3.11");
    assert_string_equal(wld_fact_str(r, "direct_url"),
                        "https://github.com/abetlen/llama-cpp-python/releases/download/"
                        "v0.3.16-cu124/llama_cpp_python-0.3.16-cp311-cp311-linux_x86_64.whl");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "build");
    assert_string_equal(wld_fact_str(b, "cuda"), "linked");
    const char *cuda_file =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(b, "cuda_files"), 0)->valuestring;
    assert_string_equal(cuda_file,
                        "/home/alice/miniconda3/envs/llm/lib/python3.11/site-packages/llama_cpp/"
                        "lib/libggml-cuda.so");
    char archs[512];
    archs_of(f.h, cuda_file, archs, sizeof(archs));
    assert_string_equal(archs, "sm_50 sm_52 sm_53 sm_60 sm_61 sm_62 sm_70 sm_72 sm_75 sm_80 "
                               "sm_86 sm_87 sm_89 sm_90 compute_90 ");
    /* the toolkit's runtime through ld.so.conf, not pip's beside the package */
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(b, "runtime");
    assert_string_equal(wld_fact_str(rt, "needed"), "libcudart.so.12");
    assert_string_equal(wld_fact_str(rt, "path"), "/usr/local/cuda-12.6/lib64/libcudart.so.12");
    assert_string_equal(wld_fact_str(rt, "version"), "12.6.77");
    const cJSON *pip = cJSON_GetObjectItemCaseSensitive(r, "pip_cuda");
    assert_int_equal(cJSON_GetArraySize(pip), 2);
    const cJSON *cudart = cJSON_GetArrayItem(pip, 0);
    assert_string_equal(wld_fact_str(cudart, "package"), "nvidia-cuda-runtime-cu12");
    assert_string_equal(wld_fact_str(cudart, "lib"), "libcudart.so.12");
    assert_false(wld_fact_bool(cudart, "used", true));
    found_free(&f);
}

/* ---- homes built here ---- */

static char root[] = "/tmp/wld-pyenvs-XXXXXX";

static void put(const char *rel, const char *text, mode_t mode)
{
    char path[4096], dir[4096];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
        snprintf(dir, sizeof(dir), "%.*s", (int) (s - path), path);
        mkdir(dir, 0755);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    close(fd);
    chmod(path, mode);
}

static void link_at(const char *rel, const char *target)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_int_equal(symlink(target, path), 0);
}

static void chmod_at(const char *rel, mode_t mode)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_int_equal(chmod(path, mode), 0);
}

/* A venv at rel holding llama_cpp (its libllama.so a text file, mode 0644). */
static void venv(const char *rel, const char *version)
{
    char p[512], t[128];
    snprintf(p, sizeof(p), "%s/pyvenv.cfg", rel);
    put(p, "home = /usr/bin\nversion = 3.12.3\n", 0644);
    snprintf(p, sizeof(p), "%s/lib/python3.12/site-packages/llama_cpp/lib/libllama.so", rel);
    put(p, "not an ELF file\n", 0644);
    snprintf(p, sizeof(p), "%s/lib/python3.12/site-packages/llama_cpp/__init__.py", rel);
    snprintf(t, sizeof(t), "__version__ = \"%s\"\n", version);
    put(p, t, 0644);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) ftw;
    if (flag == FTW_DP || flag == FTW_D || flag == FTW_DNR)
        chmod(path, 0755);
    return remove(path);
}

static int teardown(void **state)
{
    (void) state;
    /* unreadable directories first made readable, so that nftw can enter them */
    char p[4096];
    snprintf(p, sizeof(p), "%s/home/u/secret", root);
    chmod(p, 0755);
    nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    strcpy(root, "/tmp/wld-pyenvs-XXXXXX");
    return 0;
}

static int setup_hostile(void **state)
{
    (void) state;
    assert_non_null(mkdtemp(root));
    put(".doctor/env", "HOME=/home/u\nPATH=/usr/bin:/bin\n", 0644);
    link_at("bin", "usr/bin");
    put("usr/bin/python3", "#!/bin/sh\n", 0755);
    /* loops: a link to the home, a link to its parent, a link to itself */
    put("home/u/code/.keep", "", 0644);
    link_at("home/u/code/again", "/home/u");
    link_at("home/u/code/up", "..");
    link_at("home/u/self", "self");
    /* a project's venv with 10,000 packages, its dist-info past the first 8192 names */
    venv("home/u/code/proj/.venv", "0.3.9");
    char p[256];
    for (int i = 0; i < 10000; i++) {
        snprintf(p, sizeof(p), "%s/home/u/code/proj/.venv/lib/python3.12/site-packages/a%05d", root,
                 i);
        assert_int_equal(mkdir(p, 0755), 0);
    }
    put("home/u/code/proj/.venv/lib/python3.12/site-packages/llama_cpp_python-0.3.9.dist-info/"
        "METADATA",
        "Name: llama_cpp_python\nVersion: 0.3.9\n", 0644);
    /* a venv behind an unreadable directory, and one too deep for the walk */
    venv("home/u/secret/proj/venv", "0.3.2");
    chmod_at("home/u/secret", 0);
    venv("home/u/a/b/c/d/venv", "0.2.90");
    return 0;
}

static void hostile_home(void **state)
{
    (void) state;
    struct found f;
    find_in(root, &f);
    assert_int_equal(cJSON_GetArraySize(f.runtimes), geteuid() == 0 ? 2 : 1);
    const cJSON *r = cJSON_GetArrayItem(f.runtimes, 0);
    assert_string_equal(wld_fact_str(r, "id"), "python:/home/u/code/proj/.venv");
    assert_string_equal(wld_fact_str(r, "found_by"), "a venv under the home");
    assert_string_equal(wld_fact_str(r, "version"), "0.3.9");
    assert_string_equal(wld_fact_str(r, "version_from"), "llama_cpp/__init__.py");
    /* a library pip installed 0644 exists all the same; it is just not ELF */
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "build");
    assert_true(wld_fact_bool(b, "binary_exists", false));
    assert_string_equal(wld_fact_str(b, "elf"), "not_elf");
    /* the loops cost one visit each, and the walk did not need to stop */
    assert_null(cJSON_GetObjectItemCaseSensitive(f.walk, "stopped"));
    assert_true(wld_fact_num(f.walk, "dirs", 0) < 40);
    found_free(&f);
}

static int setup_wide(void **state)
{
    (void) state;
    assert_non_null(mkdtemp(root));
    put(".doctor/env", "HOME=/home/u\nPATH=/usr/bin\n", 0644);
    char p[256];
    for (int i = 0; i < 700; i++) {
        snprintf(p, sizeof(p), "home/u/p%03d/src/.keep", i);
        put(p, "", 0644);
    }
    venv("home/u/p699/.venv", "0.3.16");
    venv("home/u/.venv", "0.3.8");
    return 0;
}

/* More directories than the walk lists: it stops, says where, and keeps what the fixed
 * places found before it. */
static void wide_home_stops(void **state)
{
    (void) state;
    struct found f;
    find_in(root, &f);
    assert_int_equal(cJSON_GetArraySize(f.runtimes), 1);
    assert_string_equal(wld_fact_str(cJSON_GetArrayItem(f.runtimes, 0), "id"),
                        "python:/home/u/.venv");
    assert_true(wld_fact_bool(f.walk, "stopped", false));
    assert_string_equal(wld_fact_str(f.walk, "why"), "more than 512 directories");
    assert_int_equal((int) wld_fact_num(f.walk, "dirs", 0), 512);
    found_free(&f);
}

static int setup_downloads(void **state)
{
    (void) state;
    assert_non_null(mkdtemp(root));
    put(".doctor/env", "HOME=/home/u\nPATH=/usr/bin\n", 0644);
    put("home/u/Downloads/.keep", "", 0644);
    char p[4096];
    for (int i = 0; i < 3000; i++) {
        snprintf(p, sizeof(p), "%s/home/u/Downloads/f%05d.pdf", root, i);
        int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
        assert_true(fd >= 0);
        close(fd);
    }
    venv("home/u/code/proj/.venv", "0.3.16");
    return 0;
}

/* A folder of thousands of files and no subdirectory: its link count says so, so it is not
 * listed (a Downloads folder past the walk's entry budget would stop the walk), and the
 * project's venv beside it is found. */
static void leaf_folder_not_listed(void **state)
{
    (void) state;
    char p[4096];
    struct stat st;
    snprintf(p, sizeof(p), "%s/home/u/Downloads", root);
    assert_int_equal(stat(p, &st), 0);
    if (st.st_nlink != 2)
        skip(); /* a file system that does not count subdirectories (btrfs): listed */
    struct found f;
    find_in(root, &f);
    assert_int_equal(cJSON_GetArraySize(f.runtimes), 1);
    assert_string_equal(wld_fact_str(cJSON_GetArrayItem(f.runtimes, 0), "id"),
                        "python:/home/u/code/proj/.venv");
    assert_null(cJSON_GetObjectItemCaseSensitive(f.walk, "stopped"));
    assert_true(wld_fact_num(f.walk, "entries", 0) < 1000);
    found_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cpu_wheel_in_home_venv),
        cmocka_unit_test(cuda_wheel_in_active_conda_env),
        cmocka_unit_test_setup_teardown(hostile_home, setup_hostile, teardown),
        cmocka_unit_test_setup_teardown(wide_home_stops, setup_wide, teardown),
        cmocka_unit_test_setup_teardown(leaf_folder_not_listed, setup_downloads, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
