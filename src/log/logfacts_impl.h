/* Between the extractor table (src/log/logfacts.c) and the extractors, each file one kind
 * of fact: logfacts_gpu.c (devices, backends, CUDA archs, the driver), logfacts_build.c
 * (the backends a build's system info and CMake name), logfacts_errors.c
 * (CUDA errors, failed allocations), logfacts_model.c (the model, its context and buffers),
 * logfacts_server.c (llama.cpp's build and llama-server's slots, router and -fit),
 * logfacts_ollama.c, logfacts_command.c (a pasted command line, llama-bench's table, where the
 * paths say the log was made), logfacts_magic.c (a file the log names by its first bytes). */
#ifndef WLD_LOGFACTS_IMPL_H
#define WLD_LOGFACTS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/logscan.h"

#include "logscan_impl.h"

/* An extractor: what a line holding its marker states, into f. */
#define WLD_LOG_EXTRACTOR(name) void name(struct wld_log_facts *f, const struct wld_log_line *l)

/* logfacts_gpu.c */
WLD_LOG_EXTRACTOR(wld_logx_cc);
WLD_LOG_EXTRACTOR(wld_logx_found);
WLD_LOG_EXTRACTOR(wld_logx_legacy_loader);
WLD_LOG_EXTRACTOR(wld_logx_legacy_cuda);
WLD_LOG_EXTRACTOR(wld_logx_using);
WLD_LOG_EXTRACTOR(wld_logx_listed);
WLD_LOG_EXTRACTOR(wld_logx_load_backend);
WLD_LOG_EXTRACTOR(wld_logx_registered);
WLD_LOG_EXTRACTOR(wld_logx_archs);
WLD_LOG_EXTRACTOR(wld_logx_driver);
WLD_LOG_EXTRACTOR(wld_logx_driver_lib);
/* logfacts_build.c */
WLD_LOG_EXTRACTOR(wld_logx_sysinfo);
WLD_LOG_EXTRACTOR(wld_logx_cmake_backend);
WLD_LOG_EXTRACTOR(wld_logx_cmake_done);
WLD_LOG_EXTRACTOR(wld_logx_build_option);
/* logfacts_errors.c */
WLD_LOG_EXTRACTOR(wld_logx_cuda_error);
WLD_LOG_EXTRACTOR(wld_logx_init_failed);
WLD_LOG_EXTRACTOR(wld_logx_current_device);
WLD_LOG_EXTRACTOR(wld_logx_allocating);
WLD_LOG_EXTRACTOR(wld_logx_aligned_malloc);
WLD_LOG_EXTRACTOR(wld_logx_kv_alloc);
WLD_LOG_EXTRACTOR(wld_logx_failed_alloc);
WLD_LOG_EXTRACTOR(wld_logx_code_word);
/* logfacts_model.c */
WLD_LOG_EXTRACTOR(wld_logx_loading_from);
WLD_LOG_EXTRACTOR(wld_logx_tensors_from);
WLD_LOG_EXTRACTOR(wld_logx_loading_quoted);
WLD_LOG_EXTRACTOR(wld_logx_general_arch);
WLD_LOG_EXTRACTOR(wld_logx_general_name);
WLD_LOG_EXTRACTOR(wld_logx_meta);
WLD_LOG_EXTRACTOR(wld_logx_offloaded);
WLD_LOG_EXTRACTOR(wld_logx_cublas_offloading);
WLD_LOG_EXTRACTOR(wld_logx_n_ctx);
WLD_LOG_EXTRACTOR(wld_logx_buffer);
WLD_LOG_EXTRACTOR(wld_logx_kv_types);
WLD_LOG_EXTRACTOR(wld_logx_permission);
/* logfacts_server.c */
WLD_LOG_EXTRACTOR(wld_logx_build);
WLD_LOG_EXTRACTOR(wld_logx_built_with);
WLD_LOG_EXTRACTOR(wld_logx_verbosity);
WLD_LOG_EXTRACTOR(wld_logx_n_ctx_slot);
WLD_LOG_EXTRACTOR(wld_logx_router);
WLD_LOG_EXTRACTOR(wld_logx_spawn);
WLD_LOG_EXTRACTOR(wld_logx_child_state);
WLD_LOG_EXTRACTOR(wld_logx_fit);
WLD_LOG_EXTRACTOR(wld_logx_fit_ctx);
/* logfacts_ollama.c */
WLD_LOG_EXTRACTOR(wld_logx_inference_compute);
WLD_LOG_EXTRACTOR(wld_logx_o_layers_model);
WLD_LOG_EXTRACTOR(wld_logx_o_layers_offload);
WLD_LOG_EXTRACTOR(wld_logx_o_kv);
WLD_LOG_EXTRACTOR(wld_logx_o_available);
WLD_LOG_EXTRACTOR(wld_logx_o_weights);
WLD_LOG_EXTRACTOR(wld_logx_o_graph);
WLD_LOG_EXTRACTOR(wld_logx_o_full);
WLD_LOG_EXTRACTOR(wld_logx_o_version);
WLD_LOG_EXTRACTOR(wld_logx_o_msg);
WLD_LOG_EXTRACTOR(wld_logx_o_runners);
WLD_LOG_EXTRACTOR(wld_logx_o_runner_process);
WLD_LOG_EXTRACTOR(wld_logx_o_system);
WLD_LOG_EXTRACTOR(wld_logx_o_libs);
/* logfacts_command.c */
WLD_LOG_EXTRACTOR(wld_logx_ngl);
WLD_LOG_EXTRACTOR(wld_logx_ctx);
WLD_LOG_EXTRACTOR(wld_logx_model);
WLD_LOG_EXTRACTOR(wld_logx_no_mmap);
WLD_LOG_EXTRACTOR(wld_logx_bench_head);
WLD_LOG_EXTRACTOR(wld_logx_bench_row);
WLD_LOG_EXTRACTOR(wld_logx_win_drive);
WLD_LOG_EXTRACTOR(wld_logx_windows);
WLD_LOG_EXTRACTOR(wld_logx_wsl_mnt);
WLD_LOG_EXTRACTOR(wld_logx_wsl);
WLD_LOG_EXTRACTOR(wld_logx_linux_home);
WLD_LOG_EXTRACTOR(wld_logx_linux_so);
/* logfacts_producer.c: what wrote the log */
enum wld_log_producer_id {
    WLD_PROD_OLLAMA,
    WLD_PROD_LM_STUDIO,
    WLD_PROD_KOBOLDCPP,
    WLD_PROD_LLAMAFILE,
    WLD_PROD_LLAMA_CPP_PYTHON,
    WLD_PROD_LLAMA_SERVER,
    WLD_PROD_LLAMA_CLI,
    WLD_LOG_PRODUCERS
};
WLD_LOG_EXTRACTOR(wld_logx_koboldcpp);
WLD_LOG_EXTRACTOR(wld_logx_llamafile);
WLD_LOG_EXTRACTOR(wld_logx_lm_studio);
WLD_LOG_EXTRACTOR(wld_logx_llama_cpp_python);
WLD_LOG_EXTRACTOR(wld_logx_ollama_source);
WLD_LOG_EXTRACTOR(wld_logx_docker);
WLD_LOG_EXTRACTOR(wld_logx_podman);
WLD_LOG_EXTRACTOR(wld_logx_nvidia_container);
WLD_LOG_EXTRACTOR(wld_logx_kube);
WLD_LOG_EXTRACTOR(wld_logx_cuda_image);
WLD_LOG_EXTRACTOR(wld_logx_containerd);
/* The producer, from what the log's lines named (at the end of the log). */
void wld_log_producer_finish(struct wld_log_facts *f);
/* logfacts_crash.c: a crash's frames */
WLD_LOG_EXTRACTOR(wld_logx_frame_gdb);
WLD_LOG_EXTRACTOR(wld_logx_received_signal);
WLD_LOG_EXTRACTOR(wld_logx_frame_glibc);
WLD_LOG_EXTRACTOR(wld_logx_frame_cgo);
WLD_LOG_EXTRACTOR(wld_logx_go_crash);
WLD_LOG_EXTRACTOR(wld_logx_faulting_module);
/* f->trace_state when the line is gdb's faulting frame, after its "received signal" */
#define WLD_LOG_TRACE_FAULT_NEXT 1
/* The line after gdb's "received signal": the faulting frame. */
void wld_log_crash_line(struct wld_log_facts *f, const char *line, size_t len, long no);

/* logfacts_command.c: WSL named, the Windows build */
WLD_LOG_EXTRACTOR(wld_logx_wsl_named);
WLD_LOG_EXTRACTOR(wld_logx_windows_build);
WLD_LOG_EXTRACTOR(wld_logx_tcc);
WLD_LOG_EXTRACTOR(wld_logx_py_gpu_layers);
/* logfacts_magic.c */
WLD_LOG_EXTRACTOR(wld_logx_magic);
WLD_LOG_EXTRACTOR(wld_logx_lfs_text);
WLD_LOG_EXTRACTOR(wld_logx_html_text);

/* ---- small parsers (logfacts.c) ---- */

/* s[0..len) into dst, trimmed of spaces and quotes (and a trailing comma), cut to n - 1. */
void wld_log_copy(char *dst, size_t n, const char *s, size_t len);
/* The same when dst is still empty: the first value the log states is kept. */
void wld_log_set_first(char *dst, size_t n, const char *s, size_t len);
/* A decimal int in [-1e9, 1e9] at s; *out untouched when there is none. */
bool wld_log_int(const char *s, int *out);
/* The same, and where the number ends (NULL when there is none): what sscanf's "%d" reads. */
const char *wld_log_int_end(const char *s, int *out);
/* A number in [0, 1e15) at s; *out untouched when there is none. */
bool wld_log_num(const char *s, double *out);
/* Any number strtod reads at s, and where it ends (NULL when there is none): sscanf's
 * "%lf". */
const char *wld_log_num_end(const char *s, double *out);
/* The value after "key = " (spaces around "="); NULL when no "=" follows the key. */
const char *wld_log_after_eq(const char *p);
/* ollama's key=value and key="quoted value" into out; false when the line has no key. */
bool wld_log_kv(const char *line, const char *key, char *out, size_t n);
/* "19.5 GiB", "812 MiB", "0 B", "[22.0 GiB 22.0 GiB]" (summed) in GiB; -1 when none. */
double wld_log_size_gib(const char *s);

/* The first program the line names, when none is known yet (logfacts_command.c). */
void wld_log_note_program(struct wld_log_facts *f, const char *line);
/* A line (no) showing the log was made where *count counts (logfacts_command.c). */
void wld_log_note_origin(struct wld_log_facts *f, int *count, long no);
/* The router's child on port, or NULL; with add, made when the log did not show it
 * spawned (a paste that starts later) (logfacts_server.c). */
struct wld_log_child *wld_log_child_on(struct wld_log_facts *f, long port, bool add, long no);

#endif
