/* Reading a pasted log (`wsl-llm-doctor log`, `check --log`): llama.cpp's tools of every
 * generation, llama-cpp-python, ollama's server log and journal, as pasted into issues.
 *
 * The reader is fed the log in pieces of any size and keeps nothing of it but what it
 * extracts: lines are split as they come (the first WLD_LOG_LINE_KEEP bytes of a line are
 * read, the rest counted), stripped of what pasting adds (markdown fences and quotes, shell
 * prompts, timestamps and pid or level prefixes, llama.cpp's own "cmn  FUNCTION: " tags,
 * journal and docker-compose prefixes, ANSI colours, CR, NUL and other controls, a UTF-8 or
 * UTF-16LE byte-order mark: a PowerShell redirect writes UTF-16), then searched in one
 * pass for every marker at once (wld/acscan.h): the fact extractors' and the rules'
 * signature patterns. Time is linear in the input and memory bounded whatever the input
 * is. */
#ifndef WLD_LOGSCAN_H
#define WLD_LOGSCAN_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define WLD_LOG_LINE_KEEP 8192
#define WLD_LOG_MAX       16 /* devices, errors, backends... kept; the rest are counted */
#define WLD_LOG_MAX_LINES 8  /* evidence lines kept per item */

struct wld_log_device {
    char name[24]; /* "CUDA0", or "" when the log numbers it only ("Device 0") */
    int index;
    bool cpu;       /* the host's CPU as a device (device_info's "CPU"): its memory is RAM */
    char desc[128]; /* "NVIDIA GeForce RTX 4090" */
    int cc_major, cc_minor; /* -1 when not stated */
    double total_mib, free_mib;
    long line;
};

struct wld_log_error {
    int code; /* the cudaError_t, stated or known from the message; -1 when neither */
    char message[200];
    char function[96];
    char where[240]; /* file:line in the source */
    char call[200];  /* the CUDA call that failed */
    int device;      /* -1 when not stated */
    long line;
};

/* An error code the log states (src/parse/errcodes.c's shapes), each API's code once. */
struct wld_log_code {
    const cJSON *row; /* its row in the rules' error_codes (borrowed), NULL when unknown */
    int api;          /* enum wld_code_api (wld/logcodes.h) */
    int code;
    int how;    /* enum wld_code_how: how the log first gave it */
    bool tried; /* every line of it a program trying a library and going on (ollama) */
    long count; /* lines stating it */
    long lines[WLD_LOG_MAX_LINES];
    int n_lines;
};

struct wld_log_backend {
    char name[24];
    char path[240];
    bool loaded; /* false: failed to load */
    char why[80];
    long line;
};

struct wld_log_buffer {
    char device[24]; /* "CUDA0", "CPU", "CUDA_Host", "CPU_Mapped" */
    char kind[12];   /* "model", "kv", "compute" */
    double mib;
    long line;
};

struct wld_log_compute { /* ollama's "inference compute" */
    char id[80], library[24], compute[16], driver[16], name[96];
    double total_gib, available_gib;
    long line;
};

#define WLD_LOG_FRAMES 6 /* a crash's frames kept */

struct wld_log_frame { /* one frame of a backtrace */
    char func[64];
    char module[64]; /* the library's or program's name, without its directory */
    long line;
};

struct wld_log_child { /* a model instance llama-server's router mode started */
    char name[64];
    int port;                                    /* its "[PORT] " prefix on the router's output */
    char model_path[240];                        /* its "loading model '...'" */
    int n_ctx_slot;                              /* -1 when not shown */
    char state[16];                              /* the last cmd_child_to_router:state */
    long long n_ctx_train, n_params, size_bytes; /* the "ready" state's meta; -1 */
    long line, ready_line;
};

struct wld_log_facts {
    long lines, bytes, cut_lines, command_lines;
    bool utf16;
    /* llama.cpp */
    int build;
    char commit[48], built_with[160];
    char compiler[96], target[64]; /* built_with cut at its last " for " */
    long build_line;
    int verbosity; /* common_params_print_info's "verbosity = 3", -1 when not shown */
    long verbosity_line;
    bool server_tags;        /* llama-server's own "srv  " lines */
    int n_slots, n_ctx_slot; /* "initializing, n_slots = 4, n_ctx_slot = 256" */
    /* -fit (common/fit.cpp, 2025-): whether llama.cpp fit its parameters to free memory */
    char fit[120];                /* "fit", "failed: REASON" */
    int fit_ctx_from, fit_ctx_to; /* "context size reduced from 131072 to 32768"; -1 */
    long fit_line;
    long slots_line;
    /* router mode: the router's lines and its children's "[PORT] " lines */
    long router_line;
    struct wld_log_child child[4];
    int n_child;
    long line_pid; /* the "[N] " the line being read starts with, or 0 */
    char program[32];
    int origin_windows, origin_wsl, origin_linux; /* how many lines show each */
    long origin_line;
    /* what wrote the log (issue 31) */
    int container; /* lines showing a container: docker, podman, k8s, a container's prompt */
    char container_what[32]; /* the first: "docker", "podman", "kubernetes", ... */
    long container_line;
    unsigned producer_seen; /* 1 << enum wld_log_producer_id, for each the log's lines name */
    long producer_lines[8]; /* the first line naming each */
    char producer[24];      /* what wrote it, the wrapper before the llama.cpp it embeds */
    long producer_line;
    struct wld_log_frame frame[WLD_LOG_FRAMES]; /* the crash's first frames */
    int n_frames;
    long n_frames_total;
    char crash[16]; /* "gdb", "backtrace", "coredump", "go", "windows" */
    long crash_line;
    char died_in[16]; /* the first frame that names a cause: "driver", "ggml-cuda", "loader" */
    char died_frame[160];
    long died_line;
    int trace_state; /* the frame reader's state (logfacts_crash.c) */
    struct wld_log_backend backend[WLD_LOG_MAX];
    int n_backend;
    struct wld_log_device dev[WLD_LOG_MAX];
    int n_dev, cuda_found;
    bool legacy_cublas; /* ggml_init_cublas, llama_model_load_internal: llama.cpp of 2023 */
    long cuda_found_line;
    int archs[32], n_archs; /* system_info's "CUDA : ARCHS = 500,610,..." */
    long archs_line;
    /* what the build has (logfacts_build.c): the backends the registry's system info names
     * ("CUDA CPU"), whether one is a GPU's, and CMake's "-- Including X backend" lines */
    char sysinfo_backends[64];
    bool sysinfo_gpu;
    long sysinfo_line;
    char cmake_backends[64];
    bool cmake_gpu;
    long cmake_line, cmake_done_line;
    long build_cuda_line;    /* a build option or command asking for CUDA: "-DGGML_CUDA=ON" */
    long py_gpu_layers_line; /* "n_gpu_layers=-1" (llama-cpp-python), not 0 */
    struct wld_log_error err[WLD_LOG_MAX];
    int n_err, n_err_total;
    struct wld_log_code codes[WLD_LOG_MAX];
    int n_codes, n_codes_total; /* total: distinct codes, kept or not */
    long code_line;             /* the last line holding an API's word: read for codes */
    int pending_call;           /* the error whose failing call is on the next line, or -1 */
    /* the model */
    char model_path[512];
    long model_line;
    char perm_path[256]; /* a model's place the program was denied: "/home/u/.ollama/models" */
    long perm_line;
    bool perm_mkdir_only; /* known only as a directory made ("mkdir DIR"): ollama's models' */
    char arch[48], model_type[32], ftype[64], model_name[128];
    double model_size_gib;
    int n_layer, n_ctx_train, n_embd_k_gqa, n_embd_v_gqa;
    long arch_line;
    /* the context and offload */
    int n_ctx;
    long ctx_line;
    int offloaded, offload_of;
    long offload_line;
    double kv_mib;
    char type_k[12], type_v[12];
    long kv_line;
    struct wld_log_buffer buf[32];
    int n_buf;
    double alloc_fail_mib; /* the allocation that failed */
    char alloc_fail_device[24];
    char alloc_fail_kind[12];
    bool alloc_pending;
    long alloc_fail_line;
    /* the first failed allocation of a GPU buffer (CUDA0, cudaMalloc on a device) and of a
     * host one (CPU, CUDA_Host, ggml's CPU buffer type): which memory ran out */
    long alloc_gpu_line, alloc_host_line;
    long alloc_kv_line; /* "failed to allocate buffer for kv cache": the KV cache's buffer */
    /* the command line, where the paste shows it */
    char command[512];
    long command_line;
    int cmd_ngl, cmd_ctx;
    char cmd_model[512];
    bool cmd_no_mmap;
    /* llama-bench's table: its first row */
    int bench_backend_col, bench_ngl_col, bench_model_col;
    char bench_backend[32], bench_model[96];
    int bench_ngl;
    long bench_rows, bench_line;
    /* ollama */
    bool ollama;
    char ollama_version[32];
    char ollama_runner[48]; /* the runner a model was started with: "cuda_v12" */
    long ollama_runner_line;
    char ollama_runners[160]; /* the runners this ollama has: "cpu cpu_avx2 cuda_v12" */
    long ollama_runners_line;
    int ollama_libs_found; /* "discovered GPU libraries" lines that found one */
    struct wld_log_compute compute[WLD_LOG_MAX];
    int n_compute;
    int o_layers_model, o_layers_offload, o_num_ctx;
    double o_kv_gib, o_weights_gib, o_graph_gib, o_full_gib, o_available_gib;
    long o_offload_line;
    bool o_offload_gpu; /* msg=offload planned layers on a GPU library (library=cuda) */
    /* ollama's "msg=system" line (ggml.go): the features of each backend that loaded; a GPU
     * one ("CUDA.0.ARCHS=...", 2025's "CUDA : ARCHS = ...") only when its library did */
    long o_system_line;
    bool o_system_gpu;
    char driver[24]; /* "Driver Version: 566.36" of a pasted nvidia-smi */
    long driver_line;
    /* a Linux driver's library, named by its version: "/usr/lib/x86_64-linux-gnu/libcuda.so.
     * 535.104.05" (version "535.104.05") */
    char driver_lib[160], driver_lib_version[24];
    long driver_lib_line;
    long wsl_line;       /* the first line showing WSL */
    long wsl_named_line; /* the first line naming WSL ("WSL2", "wsl --version") */
    int windows_build;   /* "[Version 10.0.19043.1288]", "Windows version: 10.0.22631.2861" */
    long windows_build_line;
    long tcc_line; /* a Windows nvidia-smi's GPU row in TCC mode: "|   0  NVIDIA L40S   TCC   |" */
    char tcc_gpu[64];
    long nul_bytes; /* NUL bytes in the input: binary, not a log */
    /* files the log names by what they are (issue 31) */
    const char *file_kind;   /* from a quoted magic or content (wld/filekind.h); NULL */
    const char *file_format; /* "GGJT", "git-lfs pointer"... (static strings) */
    char file_magic[12];     /* the bytes, printable ones as they are: "tjgg" */
    long file_line;
    /* who pasted it (for redaction) */
    char prompt_user[64], prompt_host[96];
};

struct wld_rules;
struct wld_logscan;
struct wld_logmatch;

/* What to look for: the extractors' markers and the rules' signature patterns (validated
 * when the rules were loaded), compiled once; read-only, so scanners may share it. With
 * rules NULL, the extractors alone: the facts, and no hits. */
struct wld_logmatch *wld_logmatch_new(const struct wld_rules *rules);
void wld_logmatch_free(struct wld_logmatch *m);
/* A reader of one log with m (borrowed: it must outlive the reader). */
struct wld_logscan *wld_logscan_with(const struct wld_logmatch *m);
/* The same with a matcher of its own, compiled from rules. */
struct wld_logscan *wld_logscan_new(const struct wld_rules *rules);
void wld_logscan_free(struct wld_logscan *s);
void wld_logscan_feed(struct wld_logscan *s, const char *buf, size_t n);
/* The end of the input (a last line without a newline is read). */
void wld_logscan_finish(struct wld_logscan *s);

const struct wld_log_facts *wld_logscan_facts(const struct wld_logscan *s);

/* What one signature matched: how often, its first lines, the first match's captures and
 * text. */
struct wld_log_hit {
    const cJSON *sig; /* the rules' signature (borrowed) */
    bool fallback;    /* counts only lines no other signature matched */
    long count;
    long lines[WLD_LOG_MAX_LINES];
    int n_lines;
    cJSON *caps;     /* owned */
    char quote[240]; /* the first matched line, cleaned */
};
/* Hits in the rules' order; n set. Borrowed. */
const struct wld_log_hit *wld_logscan_hits(const struct wld_logscan *s, size_t *n);

/* The facts as JSON (the log@1 "facts"); caller deletes. (src/log/logfacts_json.c) */
cJSON *wld_log_facts_json(const struct wld_log_facts *f);
/* Where the log was made, as far as it shows: "wsl", "windows", "linux" (a Linux path or
 * build target: WSL or native, the log does not say), "mixed" or "unknown". */
const char *wld_log_origin(const struct wld_log_facts *f);
/* What a current llama-server log below verbosity 4 leaves out ("build", "devices",
 * "backends", "offload") into names; 0 when the log shows any of them, states no
 * verbosity below 4, or is no llama-server's. */
int wld_log_not_shown(const struct wld_log_facts *f, const char *names[4]);

/* What cleaning took off a line. */
#define WLD_LOG_LINE_COMMAND 1u /* a shell prompt: the rest is a command line */
#define WLD_LOG_LINE_OLLAMA  2u /* a journal prefix of an ollama unit */
#define WLD_LOG_LINE_SERVER  4u /* llama-server's own tag: "srv  ", "slot ", "que  ", "res  " */

/* One line cleaned as the reader cleans it: its text in out (WLD_LOG_LINE_KEEP + 1 bytes),
 * its length, and *flags (WLD_LOG_LINE_*). */
size_t wld_log_clean_line(const char *in, size_t n, char *out, unsigned *flags);

/* Whether a ggml buffer type names host memory (CPU, CPU_Mapped, CPU_REPACK, CUDA_Host:
 * RAM, pinned or not) rather than a device's ("CUDA0"). */
bool wld_log_host_buffer(const char *device);

#endif
