/* What a log states, line by line (see wld/logscan.h): the table of extractors, each a
 * marker the reader looks for and the function that reads a line holding it. The formats
 * come from llama.cpp's sources over the years (ggml-cuda.cu, llama-model-loader.cpp,
 * llama-context.cpp, common/arg.cpp, ggml-backend-reg.cpp) and ollama's (server.go,
 * gpu.go); each extractor's file quotes those it reads (logfacts_impl.h lists them).
 * Adding an extractor: its function beside its kind's, and a row here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"
#include "logscan_impl.h"

/* A marker's id is its row's index, and the rows' order decides in which order markers
 * ending at the same place on a line run (wld/acscan.h): a new row goes at the end. */
static const struct {
    const char *marker;
    WLD_LOG_EXTRACTOR((*extract));
} extractors[] = {
    { " compute capability ", wld_logx_cc },
    { " CUDA devices", wld_logx_found },
    { "using device ", wld_logx_using },
    { " MiB free)", wld_logx_listed },
    { "build: ", wld_logx_build },
    { "build = ", wld_logx_build },
    { "version: ", wld_logx_build },
    { "built with ", wld_logx_built_with },
    { "load_backend: ", wld_logx_load_backend },
    { "ggml_backend_load_best: ", wld_logx_load_backend },
    { "ARCHS = ", wld_logx_archs },
    { "CPU : ", wld_logx_sysinfo },
    { "-- Including ", wld_logx_cmake_backend },
    { "-- ggml version: ", wld_logx_cmake_done },
    { "-- Configuring done", wld_logx_cmake_done },
    { "-DGGML_", wld_logx_build_option },
    { "-DLLAMA_", wld_logx_build_option },
    { "-DWHISPER_", wld_logx_build_option },
    { "CMAKE_ARGS=", wld_logx_build_option },
    { "LLAMA_CUBLAS=1", wld_logx_build_option },
    { "LLAMA_CUDA=1", wld_logx_build_option },
    { "GGML_CUDA=1", wld_logx_build_option },
    { "loading model from ", wld_logx_loading_from },
    { "failed to load model from ", wld_logx_loading_from },
    { " tensors from ", wld_logx_tensors_from },
    { "loading model '", wld_logx_loading_quoted },
    { "general.architecture ", wld_logx_general_arch },
    { "general.name ", wld_logx_general_name },
    { "print_info: ", wld_logx_meta },
    { "llm_load_print_meta: ", wld_logx_meta },
    { "llama_model_load_internal: ", wld_logx_meta },
    { "llama_model_load_internal:", wld_logx_legacy_loader },
    { "using CUDA for GPU acceleration", wld_logx_legacy_cuda },
    { "offloaded ", wld_logx_offloaded },
    { "[cublas] offloading ", wld_logx_cublas_offloading },
    { "n_ctx ", wld_logx_n_ctx },
    { " buffer size", wld_logx_buffer },
    { ", K (", wld_logx_kv_types },
    { "CUDA error", wld_logx_cuda_error },
    { "failed to initialize CUDA: ", wld_logx_init_failed },
    { "current device: ", wld_logx_current_device },
    { "allocating ", wld_logx_allocating },
    { "failed to allocate ", wld_logx_failed_alloc },
    { "unable to allocate ", wld_logx_failed_alloc },
    { "ggml_aligned_malloc: insufficient memory", wld_logx_aligned_malloc },
    { "failed to allocate buffer for kv cache", wld_logx_kv_alloc },
    { "inference compute", wld_logx_inference_compute },
    { "layers.model=", wld_logx_o_layers_model },
    { "layers.offload=", wld_logx_o_layers_offload },
    { "memory.required.kv=", wld_logx_o_kv },
    { "memory.available=", wld_logx_o_available },
    { "memory.weights.total=", wld_logx_o_weights },
    { "memory.graph.full=", wld_logx_o_graph },
    { "memory.required.full=", wld_logx_o_full },
    { "(version ", wld_logx_o_version },
    { " msg=", wld_logx_o_msg },
    { "--ctx-size ", wld_logx_ctx },
    { " -ngl ", wld_logx_ngl },
    { " --n-gpu-layers ", wld_logx_ngl },
    { " --gpu-layers ", wld_logx_ngl },
    { " -m ", wld_logx_model },
    { " --model ", wld_logx_model },
    { " -c ", wld_logx_ctx },
    { " --ctx-size ", wld_logx_ctx },
    { "--no-mmap", wld_logx_no_mmap },
    { ": permission denied", wld_logx_permission },
    { ": Permission denied", wld_logx_permission },
    { "Permission denied: '", wld_logx_permission },
    { ":\\", wld_logx_win_drive },
    { "\\Users\\", wld_logx_windows },
    { ".dll", wld_logx_windows },
    { ".exe", wld_logx_windows },
    { "/mnt/", wld_logx_wsl_mnt },
    { "/usr/lib/wsl/", wld_logx_wsl },
    { "microsoft-standard", wld_logx_wsl },
    { "WSL", wld_logx_wsl_named },
    { "10.0.", wld_logx_windows_build },
    { " TCC ", wld_logx_tcc },
    { "n_gpu_layers=", wld_logx_py_gpu_layers },
    { "/home/", wld_logx_linux_home },
    { ".so", wld_logx_linux_so },
    { "Driver Version: ", wld_logx_driver },
    { "libcuda.so.", wld_logx_driver_lib },
    { "libnvidia-ml.so.", wld_logx_driver_lib },
    { "registered backend ", wld_logx_registered },
    { "Dynamic LLM libraries", wld_logx_o_runners },
    { "llama runner process has terminated", wld_logx_o_runner_process },
    { "ollama_llama_server", wld_logx_o_runner_process },
    { "ollama.service", wld_logx_o_runner_process },
    { "msg=system ", wld_logx_o_system },
    { "discovered GPU libraries", wld_logx_o_libs },
    { "Discovered GPU libraries", wld_logx_o_libs },
    { "| backend ", wld_logx_bench_head },
    { " \xc2\xb1 ", wld_logx_bench_row }, /* llama-bench's "t/s" cell: "61.03 ± 0.07" */
    { "info: build ", wld_logx_build },
    { "verbosity = ", wld_logx_verbosity },
    { "n_ctx_slot = ", wld_logx_n_ctx_slot },
    { "server in router mode", wld_logx_router },
    { "spawning server instance with name=", wld_logx_spawn },
    { "cmd_child_to_router:state:", wld_logx_child_state },
    { "fit params to free device memory", wld_logx_fit },
    { "context size reduced from ", wld_logx_fit_ctx },
    /* the words of the APIs whose error codes a line may state (src/parse/errcodes.c) */
    { "CUDA", wld_logx_code_word },
    { "cuda", wld_logx_code_word },
    { "Cuda", wld_logx_code_word },
    { "NVML", wld_logx_code_word },
    { "nvml", wld_logx_code_word },
    { "Nvml", wld_logx_code_word },
    { "CUBLAS", wld_logx_code_word },
    { "cuBLAS", wld_logx_code_word },
    { "cublas", wld_logx_code_word },
    { "CUresult", wld_logx_code_word },
    { "cuInit", wld_logx_code_word },
    { "cuDevice", wld_logx_code_word },
    { "cuDriver", wld_logx_code_word },
    { "cuCtx", wld_logx_code_word },
    { "cuMem", wld_logx_code_word },
    { "cuModule", wld_logx_code_word },
    { "cuLibrary", wld_logx_code_word },
    { "cuLaunch", wld_logx_code_word },
    { "cuGet", wld_logx_code_word },
    { "cuStream", wld_logx_code_word },
    { "cuGraph", wld_logx_code_word },
    /* a file named by its first bytes or its text (logfacts_magic.c) */
    { "magic", wld_logx_magic },
    { "git-lfs.github.com/spec", wld_logx_lfs_text },
    { "<!DOCTYPE html", wld_logx_html_text },
    { "<!doctype html", wld_logx_html_text },
    { "<html", wld_logx_html_text },
    /* what wrote the log (logfacts_producer.c) */
    { "KoboldCpp", wld_logx_koboldcpp },
    { "koboldcpp", wld_logx_koboldcpp },
    { "llamafile", wld_logx_llamafile },
    { "LM Studio", wld_logx_lm_studio },
    { "LM STUDIO", wld_logx_lm_studio },
    { "llama_cpp", wld_logx_llama_cpp_python },
    { "llama-cpp-python", wld_logx_llama_cpp_python },
    { "github.com/ollama/ollama", wld_logx_ollama_source },
    { "docker", wld_logx_docker },
    { "Docker", wld_logx_docker },
    { "podman", wld_logx_podman },
    { "nvidia-container", wld_logx_nvidia_container },
    { "kubectl", wld_logx_kube },
    { "kubelet", wld_logx_kube },
    { "kubernetes", wld_logx_kube },
    { "containerd", wld_logx_containerd },
    /* kubectl describe's events and kubectl logs' own lines */
    { "pod sandbox", wld_logx_kube },
    { "FailedScheduling", wld_logx_kube },
    { "nvidia.com/gpu", wld_logx_kube },
    { "in pod \"", wld_logx_kube },
    { "CrashLoopBackOff", wld_logx_kube },
    /* the banner of NVIDIA's CUDA and NGC images, and what it says started without the GPU */
    { "NVIDIA Container Toolkit to start this container", wld_logx_cuda_image },
    { "Container image Copyright (c)", wld_logx_cuda_image },
    /* a crash's frames (logfacts_crash.c) */
    { "#0 ", wld_logx_frame_gdb },
    { "#1 ", wld_logx_frame_gdb },
    { "#2 ", wld_logx_frame_gdb },
    { "#3 ", wld_logx_frame_gdb },
    { "#4 ", wld_logx_frame_gdb },
    { "#5 ", wld_logx_frame_gdb },
    { "#6 ", wld_logx_frame_gdb },
    { "#7 ", wld_logx_frame_gdb },
    { "#8 ", wld_logx_frame_gdb },
    { "#9 ", wld_logx_frame_gdb },
    { " received signal SIG", wld_logx_received_signal },
    { ") [0x", wld_logx_frame_glibc },
    { "._Cfunc_", wld_logx_frame_cgo },
    { "SIGSEGV: segmentation violation", wld_logx_go_crash },
    { "signal arrived during cgo execution", wld_logx_go_crash },
    { "Faulting module name: ", wld_logx_faulting_module },
    { "Faulting module path: ", wld_logx_faulting_module },
};

_Static_assert(WLD_ARRAY_SIZE(extractors) <= WLD_LOG_EXTRACTORS,
               "marker ids overlap the rules' patterns");

void wld_log_add_markers(struct wld_ac *ac)
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(extractors); i++)
        wld_ac_add(ac, extractors[i].marker, strlen(extractors[i].marker), (int) i);
}

void wld_log_extract(struct wld_log_facts *f, int id, const struct wld_log_line *l)
{
    /* what cleaning took off the line says whose it is */
    if (l->flags & WLD_LOG_LINE_OLLAMA)
        f->ollama = true;
    if (l->flags & WLD_LOG_LINE_SERVER)
        f->server_tags = true;
    if (id >= 0 && (size_t) id < WLD_ARRAY_SIZE(extractors))
        extractors[id].extract(f, l);
}

void wld_log_facts_init(struct wld_log_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->build = f->cuda_found = f->n_ctx = f->offloaded = f->offload_of = -1;
    f->verbosity = f->n_slots = f->n_ctx_slot = f->fit_ctx_from = f->fit_ctx_to = -1;
    f->n_layer = f->n_ctx_train = f->n_embd_k_gqa = f->n_embd_v_gqa = -1;
    f->cmd_ngl = f->cmd_ctx = f->pending_call = -1;
    f->o_layers_model = f->o_layers_offload = f->o_num_ctx = -1;
    f->model_size_gib = f->kv_mib = f->alloc_fail_mib = -1;
    f->o_kv_gib = f->o_weights_gib = f->o_graph_gib = f->o_full_gib = f->o_available_gib = -1;
    f->bench_backend_col = f->bench_ngl_col = f->bench_model_col = f->bench_ngl = -1;
}

/* "GNU 12.2.0 for Linux x86_64 (debug)": the compiler and the target apart */
static void split_built_with(struct wld_log_facts *f)
{
    const char *w = f->built_with, *for_ = NULL;
    for (const char *p = strstr(w, " for "); p; p = strstr(p + 1, " for "))
        for_ = p;
    if (!for_)
        return;
    wld_log_copy(f->compiler, sizeof(f->compiler), w, (size_t) (for_ - w));
    const char *t = for_ + 5;
    const char *debug = strstr(t, " (debug)");
    wld_log_copy(f->target, sizeof(f->target), t, debug ? (size_t) (debug - t) : strlen(t));
    /* the target the binary was built for is where it ran: Linux (WSL or not), Windows */
    if (strstr(f->target, "Linux") || strstr(f->target, "linux"))
        wld_log_note_origin(f, &f->origin_linux, f->build_line);
    else if (strstr(f->target, "Windows") || strstr(f->target, "windows") ||
             strstr(f->target, "mingw") || strstr(f->target, "win64"))
        wld_log_note_origin(f, &f->origin_windows, f->build_line);
}

void wld_log_facts_finish(struct wld_log_facts *f)
{
    split_built_with(f);
    if (!f->program[0] && (f->server_tags || f->router_line))
        snprintf(f->program, sizeof(f->program), "llama-server");
    /* a command line's model is the model when the log names no other */
    if (!f->model_path[0] && f->cmd_model[0]) {
        snprintf(f->model_path, sizeof(f->model_path), "%s", f->cmd_model);
        f->model_line = f->command_line;
    }
    if (f->n_ctx < 0 && f->o_num_ctx > 0)
        f->n_ctx = f->o_num_ctx;
    wld_log_producer_finish(f);
}
