/* The conditions the rules' signatures may put on a log ("if", "unless", "needs"), each a
 * row looked up by the name the rules use (see logdiag_impl.h). Adding one: its function and
 * a row, and its name in src/log/logpattern.c's list. */
#include <string.h>

#include "wld/logdiag.h"
#include "wld/util.h"

#include "logdiag_impl.h"

static bool cuda_device(const struct wld_log_facts *f)
{
    for (int i = 0; i < f->n_dev; i++)
        if (wld_str_starts(f->dev[i].name, "CUDA") || f->dev[i].cc_major >= 0)
            return true;
    for (int i = 0; i < f->n_compute; i++)
        if (wld_str_eq_nocase(f->compute[i].library, "cuda"))
            return true;
    return f->cuda_found > 0;
}

static bool cuda_backend_loaded(const struct wld_log_facts *f)
{
    for (int i = 0; i < f->n_backend; i++)
        if (f->backend[i].loaded && strcmp(f->backend[i].name, "CUDA") == 0)
            return true;
    return cuda_device(f);
}

/* llama.cpp or ollama put layers on the GPU */
static bool gpu_offload(const struct wld_log_facts *f)
{
    return f->offloaded > 0 || f->o_layers_offload > 0;
}

bool wld_log_legacy(const struct wld_log_facts *f)
{
    if (f->legacy_cublas)
        return true;
    for (int i = 0; i < f->n_err; i++)
        if (f->err[i].where[0] && !f->err[i].function[0] && strstr(f->err[i].where, "ggml-cuda.cu"))
            return true; /* "CUDA error N at ggml-cuda.cu:L": the 2023 form */
    return false;
}

static bool origin_windows(const struct wld_log_facts *f)
{
    return f->origin_windows > 0 && f->origin_wsl == 0;
}

static bool origin_wsl(const struct wld_log_facts *f)
{
    return f->origin_wsl > 0;
}

static bool origin_native(const struct wld_log_facts *f)
{
    return f->origin_linux > 0 && f->origin_wsl == 0 && f->origin_windows == 0;
}

static bool ollama(const struct wld_log_facts *f)
{
    return f->ollama;
}

/* the file a loader refused is a model, in a format that loader did not know (GGUF, GGJT) */
static bool file_model_format(const struct wld_log_facts *f)
{
    return f->file_kind &&
           (strcmp(f->file_kind, "gguf") == 0 || strcmp(f->file_kind, "ggml_legacy") == 0);
}

/* ollama's discovery found a GPU library in one of its searches */
static bool ollama_gpu_library_found(const struct wld_log_facts *f)
{
    return f->ollama_libs_found > 0;
}

/* Whether ollama's "inference compute" lines name anything but the CPU. */
bool wld_log_ollama_gpu_found(const struct wld_log_facts *f)
{
    for (int i = 0; i < f->n_compute; i++)
        if (!wld_str_eq_nocase(f->compute[i].library, "cpu"))
            return true;
    return false;
}

/* ollama found a GPU or planned layers on one: its discovery, its offload plan, or a
 * GPU library in its search */
static bool ollama_gpu_seen(const struct wld_log_facts *f)
{
    return wld_log_ollama_gpu_found(f) || f->o_offload_gpu || f->ollama_libs_found > 0 ||
           cuda_device(f);
}

/* a host buffer (CPU, CUDA_Host) failed to allocate and no device buffer did: RAM ran out;
 * not the KV cache's, whose size the context sets (models.fit's) */
static bool host_alloc_only(const struct wld_log_facts *f)
{
    return f->alloc_host_line > 0 && f->alloc_gpu_line == 0 && f->alloc_kv_line == 0;
}

/* The log asks for the GPU: layers requested on it (-ngl N, Python's n_gpu_layers=-1), a
 * pasted nvidia-smi's driver, or a build option that names CUDA (CMAKE_ARGS="-DGGML_CUDA=on",
 * LLAMA_CUBLAS=1) */
static bool gpu_asked(const struct wld_log_facts *f)
{
    return f->cmd_ngl > 0 || f->py_gpu_layers_line > 0 || f->driver[0] || f->build_cuda_line > 0;
}

/* The build's own lines name its backends and none is a GPU's: the registry's system info
 * ("CPU : SSE3 = 1 | ..." with no "CUDA : ..."), or CMake's configure having named them all;
 * and nothing in the log ran on a GPU (a device, a GPU backend loaded, layers offloaded). */
static bool build_names_no_gpu(const struct wld_log_facts *f)
{
    if (f->sysinfo_line ? f->sysinfo_gpu : !f->cmake_done_line || f->cmake_gpu)
        return false;
    if (f->ollama || cuda_backend_loaded(f) || gpu_offload(f))
        return false;
    for (int i = 0; i < f->n_backend; i++)
        if (f->backend[i].loaded && strcmp(f->backend[i].name, "CPU") != 0)
            return false;
    for (int i = 0; i < f->n_dev; i++)
        if (!f->dev[i].cpu && strcmp(f->dev[i].name, "CPU") != 0)
            return false; /* a Vulkan or Metal device: a GPU, though not NVIDIA's */
    return true;
}

long wld_log_last_device_line(const struct wld_log_facts *f)
{
    long last = f->cuda_found_line;
    for (int i = 0; i < f->n_dev; i++)
        if (!f->dev[i].cpu && f->dev[i].line > last)
            last = f->dev[i].line;
    for (int i = 0; i < f->n_compute; i++)
        if (!wld_str_eq_nocase(f->compute[i].library, "cpu") && f->compute[i].line > last)
            last = f->compute[i].line;
    return last;
}

/* In a container, the GPU was found and an error code came after it: the GPU lost while
 * the container ran (ollama's troubleshooting: "initially works on the GPU in a docker
 * container, but then switches to running on CPU ... with errors ... reporting GPU discovery
 * failures"). */
static bool container_gpu_lost(const struct wld_log_facts *f)
{
    long last = wld_log_last_device_line(f);
    if (!last || !wld_log_producer_holds(f, "container"))
        return false;
    for (int i = 0; i < f->n_codes; i++)
        if (f->codes[i].n_lines > 0 && f->codes[i].lines[0] > last)
            return true;
    return false;
}

/* The log shows WSL (a path, its kernel) or names it (wsl --version, "WSL2") */
static bool wsl_shown(const struct wld_log_facts *f)
{
    return f->wsl_line > 0 || f->wsl_named_line > 0;
}

/* A Linux driver's library (named by its version) in a log that shows WSL */
static bool driver_lib_in_wsl(const struct wld_log_facts *f)
{
    return f->driver_lib_line > 0 && f->wsl_line > 0;
}

static const struct {
    const char *name;
    bool (*holds)(const struct wld_log_facts *f);
} conditions[] = {
    { "origin_windows", origin_windows },
    { "origin_wsl", origin_wsl },
    { "origin_native", origin_native },
    { "cuda_device", cuda_device },
    { "cuda_backend_loaded", cuda_backend_loaded },
    { "gpu_offload", gpu_offload },
    { "legacy_cuda_log", wld_log_legacy },
    { "ollama", ollama },
    { "file_model_format", file_model_format },
    { "ollama_gpu_library_found", ollama_gpu_library_found },
    { "host_alloc_only", host_alloc_only },
    { "ollama_gpu_seen", ollama_gpu_seen },
    { "gpu_asked", gpu_asked },
    { "build_names_no_gpu", build_names_no_gpu },
    { "driver_lib_in_wsl", driver_lib_in_wsl },
    { "container_gpu_lost", container_gpu_lost },
    { "wsl_shown", wsl_shown },
};

bool wld_log_condition(const struct wld_log_facts *f, const char *name)
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(conditions); i++)
        if (wld_str_is(name, conditions[i].name))
            return conditions[i].holds(f);
    return wld_log_producer_holds(f, name);
}
