/* What a log states, line by line (see wld/logscan.h). The formats, from llama.cpp's
 * sources over the years (ggml-cuda.cu, llama-model-loader.cpp, llama-context.cpp,
 * common/arg.cpp, ggml-backend-reg.cpp) and ollama's (server.go, gpu.go):
 *   ggml_init_cublas: found 1 CUDA devices:                 (2023 - early 2024)
 *   ggml_cuda_init: found 1 CUDA devices (Total VRAM: 24563 MiB):
 *     Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes[, ID: GPU-..][, VRAM: N
 * MiB] llama_model_load_from_file_impl: using device CUDA0 (NVIDIA GeForce RTX 3090) - 23306 MiB
 * free
 *     - CUDA0   : NVIDIA TITAN RTX (24020 MiB, 23625 MiB free)            (device_info, 2026)
 *   common_params_print_info: build 10309 (82bb48500) with GNU 12.2.0 for Linux x86_64  (-lv 4)
 *   common_params_print_info: verbosity = 3 (adjust with the `-lv N` CLI arg)
 *   load_model: initializing, n_slots = 4, n_ctx_slot = 256, kv_unified = 'true'
 *   starting server in router mode / spawning server instance with name=X on port N
 *   [N] cmd_child_to_router:state:{"state":"ready","payload":{..."meta":{"n_ctx_train":..}}}
 *   build: 4589 (eb7cf15a) with cc (Ubuntu 13.3.0) 13.3.0 for x86_64-linux-gnu
 *   main: build = 1234 (abcdef0) / version: 10431 (1692f9e50) / version: 0.1.2-dev (build 10525,
 * commit 2cfdb5fc0) load_backend: loaded CUDA backend from PATH / failed to load PATH / failed to
 * find ggml_backend_init in PATH system_info: n_threads = 8 / 16 | CUDA : ARCHS =
 * 500,610,700,750,800 | USE_GRAPHS = 1 | ... llama_model_loader: loaded meta data with 29 key-value
 * pairs and 292 tensors from PATH (version GGUF V3 (latest)) print_info: arch = llama /
 * llm_load_print_meta: model ftype = Q4_K - Medium / ... file size = 4.58 GiB (4.89 BPW)
 *   load_tensors: offloaded 33/33 layers to GPU
 *   load_tensors:        CUDA0 model buffer size =  4403.49 MiB
 *   llama_kv_cache_unified: size = 1024.00 MiB (  8192 cells,  32 layers,  1/1 seqs), K (f16):
 * 512.00 MiB, V (f16):  512.00 MiB llama_context:      CUDA0 compute buffer size =   560.00 MiB
 *   ggml_backend_cuda_buffer_type_alloc_buffer: allocating 4403.49 MiB on device 0: cudaMalloc
 * failed: out of memory alloc_tensor_range: failed to allocate CUDA0 buffer of size 4617387008 CUDA
 * error 2 at ggml-cuda.cu:359: out of memory                        (2023) CUDA error: an illegal
 * memory access was encountered current device: 0, in function ggml_backend_cuda_buffer_init_tensor
 * at FILE:768 cudaMemset(...) time=... level=INFO source=types.go:131 msg="inference compute"
 * id=GPU-.. library=cuda compute=8.9 driver=12.4 name="..." total="24.0 GiB" available="22.5 GiB"
 *   time=... msg=offload library=cuda layers.requested=-1 layers.model=81 layers.offload=44 ...
 * memory.required.kv="19.5 GiB"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

#include "logscan_impl.h"

enum {
    M_CC,
    M_FOUND,
    M_USING,
    M_LISTED,
    M_BUILD_COLON,
    M_BUILD_EQ,
    M_VERSION,
    M_BUILT_WITH,
    M_LOAD_BACKEND,
    M_LOAD_BEST,
    M_ARCHS,
    M_LOADING_FROM,
    M_LOAD_MODEL_FROM,
    M_TENSORS_FROM,
    M_LOADING_Q,
    M_GENERAL_ARCH,
    M_GENERAL_NAME,
    M_PRINT_INFO,
    M_PRINT_META,
    M_LEGACY_META,
    M_OFFLOADED,
    M_N_CTX,
    M_BUFFER,
    M_KV_TYPES,
    M_CUDA_ERROR,
    M_INIT_FAILED,
    M_CURRENT_DEVICE,
    M_ALLOCATING,
    M_FAILED_ALLOC,
    M_INFERENCE_COMPUTE,
    M_O_LAYERS_MODEL,
    M_O_LAYERS_OFFLOAD,
    M_O_KV,
    M_O_AVAILABLE,
    M_O_WEIGHTS,
    M_O_GRAPH,
    M_O_FULL,
    M_O_VERSION,
    M_O_MSG,
    M_O_CTX_SIZE,
    M_NGL,
    M_NGL_LONG,
    M_NGL_GPU,
    M_MODEL_SHORT,
    M_MODEL_LONG,
    M_CTX_SHORT,
    M_CTX_LONG,
    M_NO_MMAP,
    M_WIN_DRIVE,
    M_WIN_USERS,
    M_WIN_DLL,
    M_WIN_EXE,
    M_WSL_MNT,
    M_WSL_LIB,
    M_WSL_KERNEL,
    M_LINUX_HOME,
    M_LINUX_SO,
    M_DRIVER_VERSION,
    M_REGISTERED,
    M_O_RUNNERS,
    M_BENCH_HEAD,
    M_BENCH_ROW,
    M_INFO_BUILD,
    M_VERBOSITY,
    M_N_CTX_SLOT,
    M_ROUTER,
    M_SPAWN,
    M_CHILD_STATE,
    M_FIT,
    M_FIT_CTX,
    M_COUNT
};

static const struct {
    int id;
    const char *text;
} markers[] = {
    { M_CC, " compute capability " },
    { M_FOUND, " CUDA devices" },
    { M_USING, "using device " },
    { M_LISTED, " MiB free)" },
    { M_BUILD_COLON, "build: " },
    { M_BUILD_EQ, "build = " },
    { M_VERSION, "version: " },
    { M_BUILT_WITH, "built with " },
    { M_LOAD_BACKEND, "load_backend: " },
    { M_LOAD_BEST, "ggml_backend_load_best: " },
    { M_ARCHS, "ARCHS = " },
    { M_LOADING_FROM, "loading model from " },
    { M_LOAD_MODEL_FROM, "failed to load model from " },
    { M_TENSORS_FROM, " tensors from " },
    { M_LOADING_Q, "loading model '" },
    { M_GENERAL_ARCH, "general.architecture " },
    { M_GENERAL_NAME, "general.name " },
    { M_PRINT_INFO, "print_info: " },
    { M_PRINT_META, "llm_load_print_meta: " },
    { M_LEGACY_META, "llama_model_load_internal: " },
    { M_OFFLOADED, "offloaded " },
    { M_N_CTX, "n_ctx " },
    { M_BUFFER, " buffer size" },
    { M_KV_TYPES, ", K (" },
    { M_CUDA_ERROR, "CUDA error" },
    { M_INIT_FAILED, "failed to initialize CUDA: " },
    { M_CURRENT_DEVICE, "current device: " },
    { M_ALLOCATING, "allocating " },
    { M_FAILED_ALLOC, "failed to allocate " },
    { M_INFERENCE_COMPUTE, "inference compute" },
    { M_O_LAYERS_MODEL, "layers.model=" },
    { M_O_LAYERS_OFFLOAD, "layers.offload=" },
    { M_O_KV, "memory.required.kv=" },
    { M_O_AVAILABLE, "memory.available=" },
    { M_O_WEIGHTS, "memory.weights.total=" },
    { M_O_GRAPH, "memory.graph.full=" },
    { M_O_FULL, "memory.required.full=" },
    { M_O_VERSION, "(version " },
    { M_O_MSG, " msg=" },
    { M_O_CTX_SIZE, "--ctx-size " },
    { M_NGL, " -ngl " },
    { M_NGL_LONG, " --n-gpu-layers " },
    { M_NGL_GPU, " --gpu-layers " },
    { M_MODEL_SHORT, " -m " },
    { M_MODEL_LONG, " --model " },
    { M_CTX_SHORT, " -c " },
    { M_CTX_LONG, " --ctx-size " },
    { M_NO_MMAP, "--no-mmap" },
    { M_WIN_DRIVE, ":\\" },
    { M_WIN_USERS, "\\Users\\" },
    { M_WIN_DLL, ".dll" },
    { M_WIN_EXE, ".exe" },
    { M_WSL_MNT, "/mnt/" },
    { M_WSL_LIB, "/usr/lib/wsl/" },
    { M_WSL_KERNEL, "microsoft-standard" },
    { M_LINUX_HOME, "/home/" },
    { M_LINUX_SO, ".so" },
    { M_DRIVER_VERSION, "Driver Version: " },
    { M_REGISTERED, "registered backend " },
    { M_O_RUNNERS, "Dynamic LLM libraries" },
    { M_BENCH_HEAD, "| backend " },
    { M_BENCH_ROW, " \xc2\xb1 " }, /* llama-bench's "t/s" cell: "61.03 ± 0.07" */
    { M_INFO_BUILD, "info: build " },
    { M_VERBOSITY, "verbosity = " },
    { M_N_CTX_SLOT, "n_ctx_slot = " },
    { M_ROUTER, "server in router mode" },
    { M_SPAWN, "spawning server instance with name=" },
    { M_CHILD_STATE, "cmd_child_to_router:state:" },
    { M_FIT, "fit params to free device memory" },
    { M_FIT_CTX, "context size reduced from " },
};

_Static_assert(M_COUNT <= WLD_LOG_EXTRACTORS, "marker ids overlap the rules' patterns");

void wld_log_add_markers(struct wld_ac *ac)
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(markers); i++)
        wld_ac_add(ac, markers[i].text, strlen(markers[i].text), markers[i].id);
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

/* ---- small parsers ---- */

static void copy_n(char *dst, size_t n, const char *s, size_t len)
{
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\'' || *s == '"')) {
        s++;
        len--;
    }
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\'' ||
                       s[len - 1] == '"' || s[len - 1] == ','))
        len--;
    if (len >= n)
        len = n - 1;
    memcpy(dst, s, len);
    dst[len] = '\0';
}

static void set_first(char *dst, size_t n, const char *s, size_t len)
{
    if (!dst[0])
        copy_n(dst, n, s, len);
}

static bool read_int(const char *s, int *out)
{
    char *e;
    long v = strtol(s, &e, 10);
    if (e == s || v < -1000000000L || v > 1000000000L)
        return false;
    *out = (int) v;
    return true;
}

static bool read_num(const char *s, double *out)
{
    char *e;
    double v = strtod(s, &e);
    if (e == s || !(v >= 0 && v < 1e15))
        return false;
    *out = v;
    return true;
}

/* The value after "key = " (spaces around "="); NULL when no "=" follows the key. */
static const char *after_eq(const char *p)
{
    p = wld_str_skip_space(p);
    if (*p != '=')
        return NULL;
    return wld_str_skip_space(p + 1);
}

/* ollama's key=value and key="quoted value" */
static bool kv_value(const char *line, const char *key, char *out, size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = strstr(line, key); p; p = strstr(p + 1, key)) {
        if ((p != line && p[-1] != ' ') || p[kl] != '=')
            continue;
        const char *v = p + kl + 1;
        size_t len;
        if (*v == '"') {
            v++;
            const char *q = strchr(v, '"');
            len = q ? (size_t) (q - v) : strlen(v);
        } else {
            len = strcspn(v, " \t");
        }
        copy_n(out, n, v, len);
        return true;
    }
    return false;
}

/* "19.5 GiB", "812 MiB", "0 B", "[22.0 GiB 22.0 GiB]" (summed) in GiB */
static double size_gib(const char *s)
{
    double total = 0;
    bool any = false;
    for (const char *p = s; *p;) {
        char *e;
        double v = strtod(p, &e);
        if (e == p) {
            p++;
            continue;
        }
        const char *u = wld_str_skip_space(e);
        double scale = wld_str_starts(u, "GiB")   ? 1
                       : wld_str_starts(u, "MiB") ? 1.0 / 1024
                       : wld_str_starts(u, "KiB") ? 1.0 / 1048576
                       : wld_str_starts(u, "TiB") ? 1024
                       : wld_str_starts(u, "B")   ? 1.0 / 1073741824
                                                  : 0;
        if (scale > 0 && v >= 0 && v < 1e9) {
            total += v * scale;
            any = true;
        }
        p = e;
    }
    return any ? total : -1;
}

static void o_size(const char *line, const char *key, double *out)
{
    char v[160];
    if (kv_value(line, key, v, sizeof(v)))
        *out = size_gib(v);
}

static void o_int(const char *line, const char *key, int *out)
{
    char v[32];
    int n;
    if (kv_value(line, key, v, sizeof(v)) && read_int(v, &n))
        *out = n;
}

/* ---- extractors ---- */

static struct wld_log_device *device_named(struct wld_log_facts *f, const char *name, int index)
{
    for (int i = 0; i < f->n_dev; i++)
        if ((name[0] && strcmp(f->dev[i].name, name) == 0) ||
            (!name[0] && f->dev[i].index == index && index >= 0))
            return &f->dev[i];
    if (f->n_dev == WLD_LOG_MAX)
        return NULL;
    struct wld_log_device *d = &f->dev[f->n_dev++];
    memset(d, 0, sizeof(*d));
    d->index = index;
    d->cc_major = d->cc_minor = -1;
    d->total_mib = d->free_mib = -1;
    snprintf(d->name, sizeof(d->name), "%s", name);
    return d;
}

/* "Device 0: NAME, compute capability 8.9, VMM: yes, ID: GPU-.., VRAM: 24563 MiB" */
static void ex_cc(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *dev = strstr(line, "Device ");
    int index, maj, min;
    if (!dev || !read_int(dev + 7, &index) || index < 0 || index > 999)
        return;
    const char *colon = strchr(dev, ':');
    const char *cc = line + end - strlen(" compute capability ");
    if (!colon || colon > cc || sscanf(line + end, "%d.%d", &maj, &min) != 2)
        return;
    char name[24];
    snprintf(name, sizeof(name), "CUDA%d", index);
    struct wld_log_device *d = device_named(f, name, index);
    if (!d)
        return;
    char desc[128];
    copy_n(desc, sizeof(desc), colon + 1, (size_t) (cc - colon - 1));
    set_first(d->desc, sizeof(d->desc), desc, strlen(desc));
    d->cc_major = maj;
    d->cc_minor = min;
    const char *vram = strstr(line + end, "VRAM: ");
    if (vram)
        read_num(vram + 6, &d->total_mib);
    if (!d->line)
        d->line = no;
}

/* "using device CUDA0 (NVIDIA GeForce RTX 3090) - 23306 MiB free" */
static void ex_using(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *p = line + end;
    size_t nl = strcspn(p, " (");
    if (nl == 0 || nl >= 24 || p[nl] != ' ')
        return;
    char name[24];
    copy_n(name, sizeof(name), p, nl);
    int index = -1;
    if (wld_str_starts(name, "CUDA"))
        read_int(name + 4, &index);
    struct wld_log_device *d = device_named(f, name, index);
    if (!d)
        return;
    const char *open = strchr(p + nl, '(');
    const char *close = strrchr(p + nl, ')');
    if (open && close && close > open)
        set_first(d->desc, sizeof(d->desc), open + 1, (size_t) (close - open - 1));
    const char *dash = close ? strstr(close, " - ") : NULL;
    if (dash)
        read_num(dash + 3, &d->free_mib);
    if (!d->line)
        d->line = no;
}

/* "CUDA0: NAME (24563 MiB, 23008 MiB free)" and "- CUDA0   : NAME (24020 MiB, 23625 MiB free)" */
static void ex_listed(struct wld_log_facts *f, const char *line, long no)
{
    const char *p = wld_str_skip_space(line);
    if (p[0] == '-' && p[1] == ' ')
        p = wld_str_skip_space(p + 2);
    size_t nl = strcspn(p, " :");
    const char *colon = wld_str_skip_space(p + nl);
    if (nl == 0 || nl >= 24 || *colon != ':')
        return;
    char name[24];
    copy_n(name, sizeof(name), p, nl);
    const char *open = strrchr(colon, '(');
    double total, free_mib;
    if (!open || sscanf(open, "(%lf MiB, %lf MiB free)", &total, &free_mib) != 2)
        return;
    int index = -1;
    if (wld_str_starts(name, "CUDA"))
        read_int(name + 4, &index);
    struct wld_log_device *d = device_named(f, name, index);
    if (!d)
        return;
    d->cpu = strcmp(name, "CPU") == 0;
    set_first(d->desc, sizeof(d->desc), colon + 1, (size_t) (open - colon - 1));
    d->total_mib = total;
    d->free_mib = free_mib;
    if (!d->line)
        d->line = no;
}

static void set_build(struct wld_log_facts *f, int build, const char *commit, size_t clen, long no)
{
    if (f->build >= 0 || build < 0)
        return;
    f->build = build;
    copy_n(f->commit, sizeof(f->commit), commit, clen);
    f->build_line = no;
}

/* "build: 4589 (eb7cf15a) with cc ..."; "build = 1234 (abcdef0)"; "version: 10431 (1692f9e50)";
 * "version: 0.1.2-dev (build 10525, commit 2cfdb5fc0)" */
static void ex_build(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *p = line + end;
    int b;
    const char *open = strchr(p, '(');
    if (read_int(p, &b) && open) {
        size_t cl = strcspn(open + 1, ")");
        if (b == 0 && strncmp(open + 1, "unknown", 7) == 0)
            return; /* "build = 0 (unknown)": built without git */
        set_build(f, b, open + 1, cl, no);
    } else if (open && strncmp(open, "(build ", 7) == 0 && read_int(open + 7, &b)) {
        const char *c = strstr(open, "commit ");
        set_build(f, b, c ? c + 7 : "", c ? strcspn(c + 7, ")") : 0, no);
    }
    const char *with = strstr(p, " with ");
    if (with && strstr(with, " for ") && !f->built_with[0])
        copy_n(f->built_with, sizeof(f->built_with), with + 6, strlen(with + 6));
}

static void ex_built_with(struct wld_log_facts *f, const char *line, size_t end)
{
    if (strstr(line + end, " for "))
        set_first(f->built_with, sizeof(f->built_with), line + end, strlen(line + end));
}

static void add_backend(struct wld_log_facts *f,
                        const char *name,
                        size_t nlen,
                        const char *path,
                        bool loaded,
                        const char *why,
                        long no)
{
    for (int i = 0; i < f->n_backend; i++) /* registered, then loaded: one backend */
        if (f->backend[i].loaded == loaded && strlen(f->backend[i].name) == nlen &&
            strncmp(f->backend[i].name, name, nlen) == 0) {
            if (!f->backend[i].path[0])
                copy_n(f->backend[i].path, sizeof(f->backend[i].path), path, strlen(path));
            return;
        }
    if (f->n_backend == WLD_LOG_MAX)
        return;
    struct wld_log_backend *b = &f->backend[f->n_backend++];
    copy_n(b->name, sizeof(b->name), name, nlen);
    copy_n(b->path, sizeof(b->path), path, strlen(path));
    b->loaded = loaded;
    snprintf(b->why, sizeof(b->why), "%s", why);
    b->line = no;
}

/* the backend a module's file name names: ".../libggml-cuda.so" -> "CUDA" */
static void backend_of_path(const char *path, char *out, size_t n)
{
    const char *g = strstr(path, "ggml-");
    size_t len = g ? strcspn(g + 5, ".-_") : 0;
    copy_n(out, n, g ? g + 5 : "?", g ? len : 1);
    for (char *c = out; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char) (*c - 'a' + 'A');
}

static void ex_load_backend(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *p = line + end;
    const char *from = strstr(p, " backend from ");
    char name[24];
    if (wld_str_starts(p, "loaded ") && from) {
        add_backend(f, p + 7, (size_t) (from - p - 7), from + 14, true, "", no);
    } else if (wld_str_starts(p, "failed to find ggml_backend_init in ")) {
        const char *path = p + strlen("failed to find ggml_backend_init in ");
        backend_of_path(path, name, sizeof(name));
        add_backend(f, name, strlen(name), path, false, "no ggml_backend_init", no);
    } else if (wld_str_starts(p, "failed to load ")) {
        const char *path = p + strlen("failed to load ");
        char why[80] = "";
        const char *colon = strstr(path, ": ");
        char pbuf[240];
        copy_n(pbuf, sizeof(pbuf), path, colon ? (size_t) (colon - path) : strlen(path));
        if (colon)
            copy_n(why, sizeof(why), colon + 2, strlen(colon + 2));
        backend_of_path(pbuf, name, sizeof(name));
        add_backend(f, name, strlen(name), pbuf, false, why[0] ? why : "failed to load", no);
    }
}

/* "CUDA : ARCHS = 500,610,700 | ..." */
static void ex_archs(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    if (f->n_archs > 0 || !strstr(line, "CUDA"))
        return;
    const char *p = line + end;
    while (f->n_archs < (int) WLD_ARRAY_SIZE(f->archs)) {
        int a;
        char *e;
        a = (int) strtol(p, &e, 10);
        if (e == p || a <= 0 || a > 2000)
            break;
        f->archs[f->n_archs++] = a;
        p = e;
        if (*p != ',')
            break;
        p++;
    }
    if (f->n_archs > 0)
        f->archs_line = no;
}

static void set_model_path(struct wld_log_facts *f, const char *p, size_t len, long no)
{
    if (f->model_path[0] || len == 0)
        return;
    copy_n(f->model_path, sizeof(f->model_path), p, len);
    f->model_line = no;
}

/* a key = value line of the model's description; key right before " = " */
static void meta_pair(struct wld_log_facts *f, const char *p, long no)
{
    const char *eq = strstr(p, " = ");
    if (!eq)
        return;
    char key[48];
    copy_n(key, sizeof(key), p, (size_t) (eq - p));
    const char *v = wld_str_skip_space(eq + 3);
    size_t vl = strlen(v);
    int n;
    if (strcmp(key, "arch") == 0) {
        set_first(f->arch, sizeof(f->arch), v, vl);
        if (!f->arch_line)
            f->arch_line = no;
    } else if (strcmp(key, "model type") == 0) {
        set_first(f->model_type, sizeof(f->model_type), v, vl);
    } else if (strcmp(key, "file type") == 0 || strcmp(key, "model ftype") == 0 ||
               strcmp(key, "ftype") == 0) {
        set_first(f->ftype, sizeof(f->ftype), v, vl);
    } else if ((strcmp(key, "file size") == 0 || strcmp(key, "model size") == 0) &&
               f->model_size_gib < 0) {
        double g = size_gib(v);
        if (g > 0)
            f->model_size_gib = g;
        else if (!f->model_type[0] && vl < 8) /* legacy "model size = 13B" */
            copy_n(f->model_type, sizeof(f->model_type), v, vl);
    } else if (strcmp(key, "n_layer") == 0 && read_int(v, &n) && f->n_layer < 0) {
        f->n_layer = n;
    } else if (strcmp(key, "n_ctx_train") == 0 && read_int(v, &n) && f->n_ctx_train < 0) {
        f->n_ctx_train = n;
    } else if (strcmp(key, "n_embd_k_gqa") == 0 && read_int(v, &n) && f->n_embd_k_gqa < 0) {
        f->n_embd_k_gqa = n;
    } else if (strcmp(key, "n_embd_v_gqa") == 0 && read_int(v, &n) && f->n_embd_v_gqa < 0) {
        f->n_embd_v_gqa = n;
    } else if (strcmp(key, "general.name") == 0) {
        set_first(f->model_name, sizeof(f->model_name), v, vl);
    } else if (strcmp(key, "n_ctx") == 0 && read_int(v, &n) && n > 0 && f->n_ctx < 0) {
        f->n_ctx = n; /* legacy llama_model_load_internal */
        f->ctx_line = no;
    }
}

/* "- kv   0: general.architecture str = llama" */
static void kv_line(char *out, size_t n, const char *line, size_t end, long *at, long no)
{
    const char *eq = strstr(line + end, "= ");
    if (!eq || out[0])
        return;
    copy_n(out, n, eq + 2, strlen(eq + 2));
    if (at && !*at)
        *at = no;
}

static void ex_offloaded(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    int a, b;
    if (sscanf(line + end, "%d/%d layers", &a, &b) != 2 || a < 0 || b <= 0 || a > b)
        return;
    f->offloaded = a;
    f->offload_of = b;
    f->offload_line = no;
}

static void ex_n_ctx(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *v = after_eq(line + end);
    int n;
    if (v && read_int(v, &n) && n > 0 && f->n_ctx < 0) {
        f->n_ctx = n;
        f->ctx_line = no;
    }
}

/* "DEV model buffer size = X MiB", "DEV KV buffer size =", "DEV compute buffer size =",
 * "DEV buffer size =" (2024) */
static void ex_buffer(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *v = after_eq(line + end);
    double mib;
    if (!v || !read_num(v, &mib) || f->n_buf == (int) WLD_ARRAY_SIZE(f->buf))
        return;
    const char *p = line + end - strlen(" buffer size");
    const char *kind = "model";
    /* the words before " buffer size": "[DEV] [model|KV|compute|output]" */
    const char *w = p;
    while (w > line && w[-1] != ' ' && w[-1] != ':')
        w--;
    size_t wl = (size_t) (p - w);
    const char *dev_end = p;
    if ((wl == 5 && strncmp(w, "model", 5) == 0) || (wl == 2 && strncmp(w, "KV", 2) == 0) ||
        (wl == 7 && strncmp(w, "compute", 7) == 0) || (wl == 6 && strncmp(w, "output", 6) == 0)) {
        kind = wl == 2 ? "kv" : wl == 7 ? "compute" : wl == 6 ? "output" : "model";
        dev_end = w;
        while (dev_end > line && dev_end[-1] == ' ')
            dev_end--;
    }
    const char *d = dev_end;
    while (d > line && d[-1] != ' ' && d[-1] != ':')
        d--;
    if (d == dev_end)
        return;
    struct wld_log_buffer *b = &f->buf[f->n_buf++];
    copy_n(b->device, sizeof(b->device), d, (size_t) (dev_end - d));
    snprintf(b->kind, sizeof(b->kind), "%s", kind);
    b->mib = mib;
    b->line = no;
}

/* "size = 1024.00 MiB (...), K (f16): 512.00 MiB, V (f16): 512.00 MiB"; "KV self size = ..." */
static void ex_kv_types(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *k = line + end;
    const char *v = strstr(k, "V (");
    if (f->kv_line || !v)
        return;
    copy_n(f->type_k, sizeof(f->type_k), k, strcspn(k, ")"));
    copy_n(f->type_v, sizeof(f->type_v), v + 3, strcspn(v + 3, ")"));
    const char *size = strstr(line, "size = ");
    if (size && size < k)
        read_num(size + 7, &f->kv_mib);
    f->kv_line = no;
}

/* cudaGetErrorString texts (CUDA runtime API, cudaError_t) to their codes */
static const struct {
    int code;
    const char *text;
} cuda_errors[] = {
    { 2, "out of memory" },
    { 3, "initialization error" },
    { 34, "CUDA driver is a stub library" },
    { 35, "CUDA driver version is insufficient for CUDA runtime version" },
    { 46, "all CUDA-capable devices are busy or unavailable" },
    { 100, "no CUDA-capable device is detected" },
    { 101, "invalid device ordinal" },
    { 209, "no kernel image is available for execution on the device" },
    { 218, "a PTX JIT compilation failed" },
    { 222, "the provided PTX was compiled with an unsupported toolchain" },
    { 700, "an illegal memory access was encountered" },
    { 719, "unspecified launch failure" },
    { 801, "operation not supported" },
    { 803, "system has unsupported display driver / cuda driver combination" },
    { 804, "forward compatibility was attempted on non supported HW" },
    { 999, "unknown error" },
};

static int code_of_message(const char *m)
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(cuda_errors); i++)
        if (strstr(m, cuda_errors[i].text))
            return cuda_errors[i].code;
    return -1;
}

static struct wld_log_error *add_error(struct wld_log_facts *f, long no)
{
    f->n_err_total++;
    if (f->n_err == WLD_LOG_MAX)
        return NULL;
    struct wld_log_error *e = &f->err[f->n_err++];
    memset(e, 0, sizeof(*e));
    e->code = e->device = -1;
    e->line = no;
    return e;
}

/* "CUDA error 2 at FILE:LINE: MESSAGE", "CUDA error: MESSAGE", "CUDA error (N): ..." */
static void ex_cuda_error(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *p = line + end;
    int code;
    struct wld_log_error *e;
    if (*p == ' ' && read_int(p + 1, &code)) {
        const char *at = strstr(p, " at ");
        const char *msg = at ? strstr(at, ": ") : strstr(p, ": ");
        if (!(e = add_error(f, no)))
            return;
        e->code = code;
        if (at)
            copy_n(e->where, sizeof(e->where), at + 4,
                   msg ? (size_t) (msg - at - 4) : strlen(at + 4));
        if (msg) {
            copy_n(e->message, sizeof(e->message), msg + 2, strlen(msg + 2));
            /* "...: no CUDA-capable device is detected current device: 32544" */
            char *cd = strstr(e->message, " current device:");
            if (cd)
                *cd = '\0';
        }
    } else if (*p == ':') {
        if (!(e = add_error(f, no)))
            return;
        copy_n(e->message, sizeof(e->message), p + 1, strlen(p + 1));
        e->code = code_of_message(e->message);
    }
}

static void ex_init_failed(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    struct wld_log_error *e = add_error(f, no);
    if (!e)
        return;
    copy_n(e->message, sizeof(e->message), line + end, strlen(line + end));
    e->code = code_of_message(e->message);
    snprintf(e->function, sizeof(e->function), "ggml_cuda_init");
}

/* "current device: 0, in function ggml_cuda_compute_forward at FILE:2568" */
static void ex_current_device(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    if (f->n_err == 0 || no - f->err[f->n_err - 1].line > 2)
        return;
    struct wld_log_error *e = &f->err[f->n_err - 1];
    read_int(line + end, &e->device);
    const char *fn = strstr(line, "in function ");
    if (fn) {
        const char *at = strstr(fn, " at ");
        copy_n(e->function, sizeof(e->function), fn + 12,
               at ? (size_t) (at - fn - 12) : strlen(fn + 12));
        if (at)
            copy_n(e->where, sizeof(e->where), at + 4, strlen(at + 4));
        f->pending_call = f->n_err - 1;
    }
}

void wld_log_line_begin(struct wld_log_facts *f, const char *line, size_t len, long no)
{
    (void) no;
    if (f->pending_call < 0 || len == 0)
        return;
    /* the line after "current device: ..." names the CUDA call that failed */
    struct wld_log_error *e = &f->err[f->pending_call];
    f->pending_call = -1;
    if (len < 200 && !strstr(line, ": error") && !strstr(line, "CUDA error"))
        copy_n(e->call, sizeof(e->call), line, len);
}

/* "allocating 4403.49 MiB on device 0: cudaMalloc failed: out of memory" */
static void ex_allocating(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    double mib;
    int dev;
    const char *on = strstr(line + end, " on device ");
    if (!strstr(line, "failed") || !read_num(line + end, &mib) || !on || !read_int(on + 11, &dev))
        return;
    if (f->alloc_fail_line)
        return;
    f->alloc_fail_mib = mib;
    snprintf(f->alloc_fail_device, sizeof(f->alloc_fail_device), "CUDA%d", dev);
    f->alloc_fail_line = no;
    f->alloc_pending = true; /* the next "failed to allocate" line says which buffer */
}

/* "failed to allocate CUDA0 buffer of size 4617387008"; "... of pinned memory" */
static void ex_failed_alloc(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *p = line + end;
    const char *of = strstr(p, " buffer of size ");
    double bytes;
    if (!of || !read_num(of + 16, &bytes))
        return;
    if (f->alloc_pending) { /* the cudaMalloc line before it had the size */
        f->alloc_pending = false;
        snprintf(f->alloc_fail_kind, sizeof(f->alloc_fail_kind), "%s",
                 strstr(line, "gallocr") ? "compute"
                 : strstr(line, "kv")    ? "kv"
                                         : "model");
        return;
    }
    if (f->alloc_fail_line)
        return;
    copy_n(f->alloc_fail_device, sizeof(f->alloc_fail_device), p, (size_t) (of - p));
    f->alloc_fail_mib = bytes / 1048576.0;
    snprintf(f->alloc_fail_kind, sizeof(f->alloc_fail_kind), "%s",
             strstr(line, "gallocr") ? "compute"
             : strstr(line, "kv")    ? "kv"
                                     : "model");
    f->alloc_fail_line = no;
}

static void ex_inference_compute(struct wld_log_facts *f, const char *line, long no)
{
    f->ollama = true;
    if (f->n_compute == WLD_LOG_MAX)
        return;
    struct wld_log_compute *c = &f->compute[f->n_compute++];
    memset(c, 0, sizeof(*c));
    kv_value(line, "id", c->id, sizeof(c->id));
    kv_value(line, "library", c->library, sizeof(c->library));
    kv_value(line, "compute", c->compute, sizeof(c->compute));
    kv_value(line, "driver", c->driver, sizeof(c->driver));
    if (!kv_value(line, "description", c->name, sizeof(c->name)))
        kv_value(line, "name", c->name, sizeof(c->name));
    char v[64];
    c->total_gib = kv_value(line, "total", v, sizeof(v)) ? size_gib(v) : -1;
    c->available_gib = kv_value(line, "available", v, sizeof(v)) ? size_gib(v) : -1;
    c->line = no;
}

/* llama-bench's markdown table: which column is which, from its header row */
static int bench_column(const char *header, const char *name)
{
    int col = 0;
    for (const char *p = header; (p = strchr(p, '|')) != NULL; p++, col++) {
        const char *c = wld_str_skip_space(p + 1);
        size_t n = strlen(name);
        if (strncmp(c, name, n) == 0 && (c[n] == ' ' || c[n] == '|'))
            return col;
    }
    return -1;
}

/* cell col (0: the first after the leading "|") of a table row, trimmed */
static void bench_cell(const char *row, int col, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = row;
    for (int c = 0; c <= col && p; c++)
        p = strchr(p + (c > 0), '|');
    if (!p || col < 0)
        return;
    copy_n(out, n, p + 1, strcspn(p + 1, "|"));
}

static void ex_bench_row(struct wld_log_facts *f, const char *line, long no)
{
    if (f->bench_backend_col < 0 || line[0] != '|')
        return;
    f->bench_rows++;
    if (f->bench_line)
        return;
    bench_cell(line, f->bench_backend_col, f->bench_backend, sizeof(f->bench_backend));
    bench_cell(line, f->bench_model_col, f->bench_model, sizeof(f->bench_model));
    char ngl[16];
    bench_cell(line, f->bench_ngl_col, ngl, sizeof(ngl));
    if (!read_int(ngl, &f->bench_ngl))
        f->bench_ngl = -1;
    f->bench_line = no;
}

/* the options of a command line the paste shows */
static bool looks_like_command(const char *line, bool command)
{
    return command || strstr(line, "llama-") || strstr(line, "main ") || strstr(line, "ollama ") ||
           strstr(line, "server ") || strstr(line, ".exe ") || strstr(line, "runner ");
}

static void
ex_option(struct wld_log_facts *f, int id, const char *line, size_t end, long no, bool command)
{
    if (!looks_like_command(line, command))
        return;
    const char *v = line + end;
    int n;
    if (!f->command[0] || f->command_line == no) {
        copy_n(f->command, sizeof(f->command), line, strlen(line));
        f->command_line = no;
    }
    switch (id) {
    case M_NGL:
    case M_NGL_LONG:
    case M_NGL_GPU:
        if (read_int(v, &n))
            f->cmd_ngl = n;
        break;
    case M_CTX_SHORT:
    case M_CTX_LONG:
    case M_O_CTX_SIZE:
        if (read_int(v, &n) && n >= 0)
            f->cmd_ctx = n;
        break;
    case M_MODEL_SHORT:
    case M_MODEL_LONG:
        if (!f->cmd_model[0]) {
            size_t len = *v == '"' || *v == '\'' ? strcspn(v + 1, "\"'") + 2 : strcspn(v, " \t");
            copy_n(f->cmd_model, sizeof(f->cmd_model), v, len);
        }
        break;
    case M_NO_MMAP:
        f->cmd_no_mmap = true;
        break;
    default:
        break;
    }
}

/* "verbosity = 3 (adjust with the `-lv N` CLI arg)": common_params_print_info, 2025- */
static void ex_verbosity(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    int v;
    if (f->verbosity < 0 && strstr(line + end, "-lv") && read_int(line + end, &v) && v >= 0) {
        f->verbosity = v;
        f->verbosity_line = no;
    }
}

/* The router's child on port, or NULL; with add, made when the log did not show it
 * spawned (a paste that starts later). */
static struct wld_log_child *child_on(struct wld_log_facts *f, long port, bool add, long no)
{
    if (port <= 0 || port > 65535)
        return NULL;
    for (int i = 0; i < f->n_child; i++)
        if (f->child[i].port == port)
            return &f->child[i];
    if (!add || f->n_child == (int) WLD_ARRAY_SIZE(f->child))
        return NULL;
    struct wld_log_child *c = &f->child[f->n_child++];
    memset(c, 0, sizeof(*c));
    c->port = (int) port;
    c->n_ctx_slot = -1;
    c->n_ctx_train = c->n_params = c->size_bytes = -1;
    c->line = no;
    return c;
}

/* "spawning server instance with name=tiny on port 53609" (the router's line) */
static void ex_spawn(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *p = line + end;
    const char *on = strstr(p, " on port ");
    int port;
    if (!on || !read_int(on + 9, &port) || f->line_pid > 0) /* the router's line, not a child's */
        return;
    struct wld_log_child *c = child_on(f, port, true, no);
    if (c && !c->name[0])
        copy_n(c->name, sizeof(c->name), p, (size_t) (on - p));
}

static long long json_int(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble < 1e18
                   ? (long long) v->valuedouble
                   : -1;
}

/* "[PORT] cmd_child_to_router:state:{"state":"ready","payload":{..."meta":{...}}}" */
static void
ex_child_state(struct wld_log_facts *f, const char *line, size_t len, size_t end, long no)
{
    struct wld_log_child *c = child_on(f, f->line_pid, true, no);
    cJSON *j = c ? cJSON_ParseWithLength(line + end, len - end) : NULL;
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "state");
    if (cJSON_IsString(st)) {
        snprintf(c->state, sizeof(c->state), "%s", st->valuestring);
        const cJSON *meta = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(j, "payload"), "meta");
        if (strcmp(c->state, "ready") == 0 && meta) {
            c->n_ctx_train = json_int(meta, "n_ctx_train");
            c->n_params = json_int(meta, "n_params");
            c->size_bytes = json_int(meta, "size");
            c->ready_line = no;
        }
    }
    cJSON_Delete(j);
}

/* "initializing, n_slots = 4, n_ctx_slot = 256, kv_unified = 'true'" */
static void ex_n_ctx_slot(struct wld_log_facts *f, const char *line, size_t end, long no)
{
    const char *slots = strstr(line, "n_slots = ");
    int n, ctx;
    if (!slots || !read_int(slots + 10, &n) || !read_int(line + end, &ctx) || ctx <= 0)
        return;
    struct wld_log_child *c = child_on(f, f->line_pid, false, no);
    if (c && c->n_ctx_slot < 0)
        c->n_ctx_slot = ctx;
    if (f->n_ctx_slot < 0) {
        f->n_slots = n;
        f->n_ctx_slot = ctx;
        f->slots_line = no;
    }
}

/* common/fit.cpp: "successfully fit params to free device memory", "failed to fit params
 * to free device memory: REASON", "context size reduced from 131072 to 32768 -> ..." */
static void ex_fit(struct wld_log_facts *f, int id, const char *line, size_t end, long no)
{
    const char *p = line + end;
    int from, to;
    if (id == M_FIT_CTX) {
        const char *t = strstr(p, " to ");
        if (read_int(p, &from) && t && read_int(t + 4, &to) && to > 0 && to < from) {
            f->fit_ctx_from = from;
            f->fit_ctx_to = to;
            f->fit_line = no;
        }
    } else if (strstr(line, "successfully fit params")) {
        snprintf(f->fit, sizeof(f->fit), "fit");
        f->fit_line = f->fit_line ? f->fit_line : no;
    } else if (strstr(line, "failed to fit params")) {
        if (p[0] == ':' && p[1] == ' ')
            snprintf(f->fit, sizeof(f->fit), "failed: %.100s", p + 2);
        else
            snprintf(f->fit, sizeof(f->fit), "failed");
        f->fit_line = no;
    }
}

static void note_program(struct wld_log_facts *f, const char *line)
{
    static const char *const programs[] = { "llama-server", "llama-cli", "llama-bench",
                                            "llama-box",    "llama_cpp", "ollama" };
    if (f->program[0])
        return;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(programs); i++)
        if (strstr(line, programs[i])) {
            snprintf(f->program, sizeof(f->program), "%s", programs[i]);
            return;
        }
}

static void origin(struct wld_log_facts *f, int *count, long no)
{
    (*count)++;
    if (!f->origin_line)
        f->origin_line = no;
}

void wld_log_extract(struct wld_log_facts *f,
                     int id,
                     const char *line,
                     size_t len,
                     size_t end,
                     long no,
                     unsigned flags)
{
    (void) len;
    bool command = flags & WLD_LOG_LINE_COMMAND;
    if (flags & WLD_LOG_LINE_OLLAMA)
        f->ollama = true;
    if (flags & WLD_LOG_LINE_SERVER)
        f->server_tags = true;
    const char *p = line + end;
    int n;
    switch (id) {
    case M_CC:
        ex_cc(f, line, end, no);
        break;
    case M_FOUND: {
        const char *found = strstr(line, "found ");
        if (found && found < p && read_int(found + 6, &n) && f->cuda_found < 0) {
            f->cuda_found = n;
            f->cuda_found_line = no;
            f->legacy_cublas = strstr(line, "ggml_init_cublas") != NULL;
        }
        break;
    }
    case M_USING:
        ex_using(f, line, end, no);
        break;
    case M_LISTED:
        ex_listed(f, line, no);
        break;
    case M_BUILD_COLON:
    case M_BUILD_EQ:
    case M_VERSION:
        ex_build(f, line, end, no);
        break;
    case M_BUILT_WITH:
        ex_built_with(f, line, end);
        break;
    case M_LOAD_BACKEND:
    case M_LOAD_BEST:
        ex_load_backend(f, line, end, no);
        note_program(f, line);
        break;
    case M_ARCHS:
        ex_archs(f, line, end, no);
        break;
    case M_LOADING_FROM:
    case M_LOAD_MODEL_FROM:
        set_model_path(f, p, strcspn(p, " \t"), no);
        break;
    case M_TENSORS_FROM: {
        const char *ver = strstr(p, " (version ");
        set_model_path(f, p, ver ? (size_t) (ver - p) : strlen(p), no);
        break;
    }
    case M_LOADING_Q: {
        struct wld_log_child *c = child_on(f, f->line_pid, false, no);
        if (c && !c->model_path[0])
            copy_n(c->model_path, sizeof(c->model_path), p, strcspn(p, "'"));
        set_model_path(f, p, strcspn(p, "'"), no);
        break;
    }
    case M_INFO_BUILD:
        ex_build(f, line, end, no);
        break;
    case M_VERBOSITY:
        ex_verbosity(f, line, end, no);
        break;
    case M_N_CTX_SLOT:
        ex_n_ctx_slot(f, line, end, no);
        break;
    case M_ROUTER:
        if (!f->router_line && f->line_pid == 0)
            f->router_line = no;
        break;
    case M_SPAWN:
        ex_spawn(f, line, end, no);
        break;
    case M_CHILD_STATE:
        ex_child_state(f, line, len, end, no);
        break;
    case M_FIT:
    case M_FIT_CTX:
        ex_fit(f, id, line, end, no);
        break;
    case M_GENERAL_ARCH:
        kv_line(f->arch, sizeof(f->arch), line, end, &f->arch_line, no);
        break;
    case M_GENERAL_NAME:
        kv_line(f->model_name, sizeof(f->model_name), line, end, NULL, no);
        break;
    case M_PRINT_INFO:
    case M_PRINT_META:
    case M_LEGACY_META:
        meta_pair(f, wld_str_skip_space(p), no);
        break;
    case M_OFFLOADED:
        ex_offloaded(f, line, end, no);
        break;
    case M_N_CTX:
        ex_n_ctx(f, line, end, no);
        break;
    case M_BUFFER:
        ex_buffer(f, line, end, no);
        break;
    case M_KV_TYPES:
        ex_kv_types(f, line, end, no);
        break;
    case M_CUDA_ERROR:
        ex_cuda_error(f, line, end, no);
        break;
    case M_INIT_FAILED:
        ex_init_failed(f, line, end, no);
        break;
    case M_CURRENT_DEVICE:
        ex_current_device(f, line, end, no);
        break;
    case M_ALLOCATING:
        ex_allocating(f, line, end, no);
        break;
    case M_FAILED_ALLOC:
        ex_failed_alloc(f, line, end, no);
        break;
    case M_INFERENCE_COMPUTE:
        ex_inference_compute(f, line, no);
        break;
    case M_O_LAYERS_MODEL:
        o_int(line, "layers.model", &f->o_layers_model);
        f->ollama = true;
        break;
    case M_O_LAYERS_OFFLOAD:
        o_int(line, "layers.offload", &f->o_layers_offload);
        if (!f->o_offload_line)
            f->o_offload_line = no;
        f->ollama = true;
        break;
    case M_O_KV:
        o_size(line, "memory.required.kv", &f->o_kv_gib);
        break;
    case M_O_AVAILABLE:
        o_size(line, "memory.available", &f->o_available_gib);
        break;
    case M_O_WEIGHTS:
        o_size(line, "memory.weights.total", &f->o_weights_gib);
        break;
    case M_O_GRAPH:
        o_size(line, "memory.graph.full", &f->o_graph_gib);
        break;
    case M_O_FULL:
        o_size(line, "memory.required.full", &f->o_full_gib);
        break;
    case M_O_VERSION:
        if (strstr(line, "Listening on") && !f->ollama_version[0]) {
            copy_n(f->ollama_version, sizeof(f->ollama_version), p, strcspn(p, ")"));
            f->ollama = true;
        }
        break;
    case M_O_MSG:
        if (strstr(line, "level=") || strstr(line, "source="))
            f->ollama = true;
        if (strstr(line, "starting llama server") && !f->ollama_runner[0]) {
            /* ".../runners/cuda_v12/ollama_llama_server" (2024), "ollama runner" (2025-) */
            const char *rn = strstr(line, "/runners/");
            if (rn)
                copy_n(f->ollama_runner, sizeof(f->ollama_runner), rn + 9, strcspn(rn + 9, "/ "));
            else if (strstr(line, " runner "))
                snprintf(f->ollama_runner, sizeof(f->ollama_runner), "ollama runner");
            f->ollama_runner_line = no;
        }
        if (strstr(line, "--n-gpu-layers ") || strstr(line, "--ctx-size ")) {
            const char *ngl = strstr(line, "--n-gpu-layers ");
            const char *ctx = strstr(line, "--ctx-size ");
            if (ngl)
                read_int(ngl + 15, &f->cmd_ngl);
            if (ctx && read_int(ctx + 11, &n))
                f->o_num_ctx = n;
        }
        break;
    case M_O_CTX_SIZE:
    case M_NGL:
    case M_NGL_LONG:
    case M_NGL_GPU:
    case M_MODEL_SHORT:
    case M_MODEL_LONG:
    case M_CTX_SHORT:
    case M_CTX_LONG:
    case M_NO_MMAP:
        ex_option(f, id, line, end, no, command);
        note_program(f, line);
        break;
    case M_REGISTERED: /* "register_backend: registered backend CUDA (1 devices)" */
        if (!strstr(p, "(0 devices)"))
            add_backend(f, p, strcspn(p, " ("), "", true, "", no);
        break;
    case M_O_RUNNERS: /* msg="Dynamic LLM libraries" runners="[cpu cpu_avx cuda_v12]" */
        if (!f->ollama_runners[0]) {
            const char *open = strchr(p, '[');
            const char *close = open ? strchr(open, ']') : NULL;
            if (open && close) {
                copy_n(f->ollama_runners, sizeof(f->ollama_runners), open + 1,
                       (size_t) (close - open - 1));
                f->ollama_runners_line = no;
            }
        }
        f->ollama = true;
        break;
    case M_BENCH_HEAD: /* "| model | size | params | backend | ngl | test | t/s |" */
        if (line[0] == '|' && f->bench_backend_col < 0) {
            f->bench_backend_col = bench_column(line, "backend");
            f->bench_ngl_col = bench_column(line, "ngl");
            f->bench_model_col = bench_column(line, "model");
            f->program[0] ? (void) 0
                          : (void) snprintf(f->program, sizeof(f->program), "llama-bench");
        }
        break;
    case M_BENCH_ROW:
        ex_bench_row(f, line, no);
        break;
    case M_DRIVER_VERSION:
        if (!f->driver[0] && p[0] >= '0' && p[0] <= '9') {
            copy_n(f->driver, sizeof(f->driver), p, strcspn(p, " |"));
            f->driver_line = no;
        }
        break;
    case M_WIN_DRIVE:
        if (end >= 3 && ((p[-3] >= 'A' && p[-3] <= 'Z') || (p[-3] >= 'a' && p[-3] <= 'z')))
            origin(f, &f->origin_windows, no);
        break;
    case M_WIN_USERS:
    case M_WIN_DLL:
    case M_WIN_EXE:
        origin(f, &f->origin_windows, no);
        break;
    case M_WSL_MNT:
        if (((p[0] >= 'a' && p[0] <= 'z') && (p[1] == '/' || p[1] == '\0')) ||
            wld_str_starts(p, "wsl"))
            origin(f, &f->origin_wsl, no);
        break;
    case M_WSL_LIB:
    case M_WSL_KERNEL:
        origin(f, &f->origin_wsl, no);
        break;
    case M_LINUX_HOME:
    case M_LINUX_SO:
        if (id == M_LINUX_HOME || p[0] == '\0' || p[0] == '.' || p[0] == ' ' || p[0] == ':')
            origin(f, &f->origin_linux, no);
        break;
    default:
        break;
    }
}

/* "GNU 12.2.0 for Linux x86_64 (debug)": the compiler and the target apart */
static void split_built_with(struct wld_log_facts *f)
{
    const char *w = f->built_with, *for_ = NULL;
    for (const char *p = strstr(w, " for "); p; p = strstr(p + 1, " for "))
        for_ = p;
    if (!for_)
        return;
    copy_n(f->compiler, sizeof(f->compiler), w, (size_t) (for_ - w));
    const char *t = for_ + 5;
    const char *debug = strstr(t, " (debug)");
    copy_n(f->target, sizeof(f->target), t, debug ? (size_t) (debug - t) : strlen(t));
    /* the target the binary was built for is where it ran: Linux (WSL or not), Windows */
    if (strstr(f->target, "Linux") || strstr(f->target, "linux"))
        origin(f, &f->origin_linux, f->build_line);
    else if (strstr(f->target, "Windows") || strstr(f->target, "windows") ||
             strstr(f->target, "mingw") || strstr(f->target, "win64"))
        origin(f, &f->origin_windows, f->build_line);
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
}
