/* What the log says the build has (see logfacts_impl.h): the backends whose features the
 * backend registry printed, and the backends CMake configured.
 *   system_info: n_threads = 8 / 16 | CUDA : ARCHS = 890 | USE_GRAPHS = 1 | CPU : SSE3 = 1 | ...
 *   CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | ...        (llama-cpp-python's verbose start)
 *   WHISPER : COREML = 0 | OPENVINO = 0 | CPU : ...  (whisper.cpp)
 *   -- Including CPU backend / -- Including CUDA backend   (ggml's ggml_add_backend)
 *   -- ggml version: 0.9.4 / -- Configuring done           (the backends are all named)
 *   $ cmake -B build -DGGML_CUDA=ON, CMAKE_ARGS="-DGGML_CUDA=on" pip install ...   (CUDA asked)
 * llama_print_system_info (late 2024 on) prints "NAME : FEATURE = VALUE | ..." for each
 * registered backend that states features; ollama's msg=system line is logfacts_ollama.c's. */
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"

/* The registry's names that are no GPU: the CPU, the BLAS and RPC backends, whisper's own
 * group. A name outside the list counts as a GPU's (Vulkan, Metal, SYCL, ...): what the
 * reader does not know never makes a build CPU-only. */
static bool not_gpu(const char *name, size_t n)
{
    static const char *const names[] = { "CPU", "BLAS", "RPC", "WHISPER", "AMX" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (strlen(names[i]) == n && memcmp(names[i], name, n) == 0)
            return true;
    return false;
}

/* Adds name to list ("CUDA CPU"), once. */
static void add_name(char *list, size_t size, const char *name, size_t n)
{
    for (const char *p = list; *p;) {
        size_t w = strcspn(p, " ");
        if (w == n && memcmp(p, name, n) == 0)
            return;
        p += w + (p[w] == ' ');
    }
    size_t len = strlen(list);
    if (len + n + 2 > size)
        return;
    if (len)
        list[len++] = ' ';
    memcpy(list + len, name, n);
    list[len + n] = '\0';
}

static size_t name_len(const char *s)
{
    size_t n = 0;
    while (wld_bytes[(unsigned char) s[n]] & (WLD_ALNUM | WLD_UNDERSCORE))
        n++;
    return n;
}

static size_t name_before(const char *s, const char *at)
{
    const char *w = at;
    while (w > s && (wld_bytes[(unsigned char) w[-1]] & (WLD_ALNUM | WLD_UNDERSCORE)))
        w--;
    return (size_t) (at - w);
}

/* "CPU : SSE3 = 1 | ...": each "NAME : " whose first feature is "WORD = " */
WLD_LOG_EXTRACTOR(wld_logx_sysinfo)
{
    if (f->sysinfo_line || strstr(l->s, " msg=") || strstr(l->s, "level="))
        return; /* the first is kept; ollama's line is its own (logfacts_ollama.c) */
    size_t n = name_len(l->at);
    if (n == 0 || strncmp(l->at + n, " = ", 3) != 0)
        return;
    f->sysinfo_line = l->no;
    for (const char *p = l->s; (p = strstr(p, " : ")) != NULL; p += 3) {
        size_t w = name_before(l->s, p);
        if (w == 0)
            continue;
        add_name(f->sysinfo_backends, sizeof(f->sysinfo_backends), p - w, w);
        if (!not_gpu(p - w, w))
            f->sysinfo_gpu = true;
    }
}

/* "-- Including CUDA backend" */
WLD_LOG_EXTRACTOR(wld_logx_cmake_backend)
{
    size_t n = name_len(l->at);
    if (n == 0 || n > 16 || strncmp(l->at + n, " backend", 8) != 0 ||
        l->at[n + 8 + strspn(l->at + n + 8, " \t")] != '\0')
        return;
    if (!f->cmake_line)
        f->cmake_line = l->no;
    add_name(f->cmake_backends, sizeof(f->cmake_backends), l->at, n);
    if (!not_gpu(l->at, n))
        f->cmake_gpu = true;
}

/* "-- ggml version: 0.9.4", "-- Configuring done": every backend was named before it */
WLD_LOG_EXTRACTOR(wld_logx_cmake_done)
{
    if (f->cmake_line && !f->cmake_done_line)
        f->cmake_done_line = l->no;
}

/* "-DGGML_CUDA=ON", CMAKE_ARGS="-DLLAMA_CUBLAS=on", "make LLAMA_CUBLAS=1": a build option or
 * command that asks for CUDA, however it is spelt (a misspelt one asks too) */
WLD_LOG_EXTRACTOR(wld_logx_build_option)
{
    if (f->build_cuda_line)
        return;
    static const char *const words[] = { "CUDA", "CUBLAS", "cuda", "cublas" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(words); i++)
        if (strstr(l->s, words[i])) {
            f->build_cuda_line = l->no;
            return;
        }
}
