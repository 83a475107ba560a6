/* The build tree behind a llama.cpp binary: CMake's cache and its CUDA compiler record,
 * the build-info.cpp that llama.cpp generates, or the old Makefile's source root (see
 * wld_llama_inspect in wld/llama.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/llama.h"
#include "wld/parse.h"

static bool has(const struct wld_host *h, const char *dir, const char *name)
{
    char *p = wld_xasprintf("%s/%s", dir, name);
    bool r = wld_host_exists(h, p);
    free(p);
    return r;
}

static void read_cmake_cache(const struct wld_host *h, const char *path, cJSON *facts)
{
    static const char *const keys[] = {
        "GGML_CUDA",
        "LLAMA_CUDA",
        "LLAMA_CUBLAS",
        "GGML_NATIVE",
        "CMAKE_CUDA_ARCHITECTURES",
        "CMAKE_CUDA_COMPILER_VERSION",
        "CMAKE_CUDA_COMPILER",
        "GGML_BACKEND_DL",
        "BUILD_SHARED_LIBS",
        "CMAKE_BUILD_TYPE",
        "GGML_VULKAN",
        "GGML_HIP",
        "CMAKE_HOME_DIRECTORY",
    };
    struct wld_buf b;
    char value[1024];
    if (wld_host_read(h, path, WLD_CAP_FILE, &b) < 0)
        return;
    cJSON *cm = cJSON_AddObjectToObject(facts, "cmake");
    for (size_t i = 0; i < WLD_ARRAY_SIZE(keys); i++)
        if (wld_cmake_cache_get(b.data, keys[i], value, sizeof(value)) == 0)
            cJSON_AddStringToObject(cm, keys[i], value);
    const char *src = wld_fact_str(cm, "CMAKE_HOME_DIRECTORY");
    if (src)
        cJSON_AddStringToObject(facts, "source_dir", src);
    wld_buf_release(&b);
}

/* CMakeFiles/<cmake version>/CMakeCUDACompiler.cmake: what CMake found when it enabled
 * CUDA. It holds the compiler's version (CMakeCache.txt does not) and, from CMake 3.24,
 * the architectures of the GPUs it saw (what a GGML_NATIVE build was compiled for). */
static void read_cuda_compiler(const struct wld_host *h, const char *build_dir, cJSON *facts)
{
    char *dir = wld_xasprintf("%s/CMakeFiles", build_dir), **names = NULL;
    char value[256];
    if (wld_host_list(h, dir, 256, &names) == 0) {
        for (char **e = names; *e; e++) {
            if (!isdigit((unsigned char) (*e)[0]))
                continue;
            struct wld_buf b;
            char *path = wld_xasprintf("%s/%s/CMakeCUDACompiler.cmake", dir, *e);
            if (wld_host_read(h, path, WLD_CAP_SMALL, &b) == 0) {
                cJSON *c = cJSON_AddObjectToObject(facts, "cuda_compiler");
                cJSON_AddStringToObject(c, "file", path);
                cJSON_AddStringToObject(c, "cmake_version", *e);
                if (wld_cmake_set_get(b.data, "CMAKE_CUDA_COMPILER_VERSION", value,
                                      sizeof(value)) == 0)
                    cJSON_AddStringToObject(c, "version", value);
                if (wld_cmake_set_get(b.data, "CMAKE_CUDA_ARCHITECTURES_NATIVE", value,
                                      sizeof(value)) == 0)
                    cJSON_AddStringToObject(c, "native_archs", value);
                wld_buf_release(&b);
                free(path);
                break;
            }
            free(path);
        }
        wld_strv_free(names);
    }
    free(dir);
}

/* DIR/common/build-info.cpp, which llama.cpp's CMake writes on every build: the build
 * number, commit and compiler that `llama-server --version` would print. */
static void read_build_info(const struct wld_host *h, const char *build_dir, cJSON *facts)
{
    struct wld_buf b;
    struct wld_llama_version v;
    char *path = wld_xasprintf("%s/common/build-info.cpp", build_dir);
    if (wld_host_read(h, path, WLD_CAP_SMALL, &b) == 0) {
        if (wld_llama_build_info_parse(b.data, &v) == 0) {
            cJSON *o = cJSON_AddObjectToObject(facts, "build_info");
            cJSON_AddStringToObject(o, "file", path);
            cJSON_AddNumberToObject(o, "build", v.build);
            cJSON_AddStringToObject(o, "commit", v.commit);
            if (v.built_with[0])
                cJSON_AddStringToObject(o, "built_with", v.built_with);
        }
        wld_buf_release(&b);
    }
    free(path);
}

/* A cmake build tree holds CMakeCache.txt at most two levels above bin/ (bin/Release);
 * a Makefile build leaves the binary in the source root, beside Makefile and ggml/. */
void wld_llama_find_tree(const struct wld_host *h, const char *bin, cJSON *facts)
{
    char *dir = wld_path_dirname(bin);
    for (int up = 0; up < 3 && strcmp(dir, "/") != 0; up++) {
        if (has(h, dir, "CMakeCache.txt")) {
            char *cache = wld_xasprintf("%s/CMakeCache.txt", dir);
            cJSON_AddStringToObject(facts, "tree", "cmake");
            cJSON_AddStringToObject(facts, "build_dir", dir);
            cJSON_AddStringToObject(facts, "cmake_cache", cache);
            read_cmake_cache(h, cache, facts);
            read_cuda_compiler(h, dir, facts);
            read_build_info(h, dir, facts);
            /* builds before the file moved to the build tree wrote it into the sources */
            if (!cJSON_GetObjectItemCaseSensitive(facts, "build_info") &&
                wld_fact_str(facts, "source_dir"))
                read_build_info(h, wld_fact_str(facts, "source_dir"), facts);
            free(cache);
            free(dir);
            return;
        }
        char *parent = wld_path_dirname(dir);
        free(dir);
        dir = parent;
    }
    free(dir);
    dir = wld_path_dirname(bin);
    if (has(h, dir, "Makefile") &&
        (has(h, dir, "ggml") || has(h, dir, "llama.h") || has(h, dir, "include/llama.h"))) {
        cJSON_AddStringToObject(facts, "tree", "makefile");
        cJSON_AddStringToObject(facts, "source_dir", dir);
        read_build_info(h, dir, facts); /* the Makefile writes it into the sources */
    } else {
        cJSON_AddStringToObject(facts, "tree", "unknown");
    }
    free(dir);
}
