/* The model a log loads, its context and its buffers (see logfacts_impl.h):
 *   llama_model_loader: loaded meta data with 29 key-value pairs and 292 tensors from PATH
 *     (version GGUF V3 (latest))
 *   llama_model_loader: - kv   0: general.architecture str = llama
 *   print_info: arch = llama / llm_load_print_meta: model ftype = Q4_K - Medium / ...
 *     file size = 4.58 GiB (4.89 BPW)
 *   load_tensors: offloaded 33/33 layers to GPU
 *   load_tensors:        CUDA0 model buffer size =  4403.49 MiB
 *   llama_kv_cache_unified: size = 1024.00 MiB (  8192 cells,  32 layers,  1/1 seqs),
 *     K (f16): 512.00 MiB, V (f16):  512.00 MiB
 *   llama_context:      CUDA0 compute buffer size =   560.00 MiB
 */
#include <stdio.h>
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"

static void set_model_path(struct wld_log_facts *f, const char *p, size_t len, long no)
{
    if (f->model_path[0] || len == 0)
        return;
    wld_log_copy(f->model_path, sizeof(f->model_path), p, len);
    f->model_line = no;
}

/* "loading model from PATH", "failed to load model from PATH" */
WLD_LOG_EXTRACTOR(wld_logx_loading_from)
{
    set_model_path(f, l->at, strcspn(l->at, " \t"), l->no);
}

/* "... 292 tensors from PATH (version GGUF V3 (latest))" */
WLD_LOG_EXTRACTOR(wld_logx_tensors_from)
{
    const char *ver = strstr(l->at, " (version ");
    set_model_path(f, l->at, ver ? (size_t) (ver - l->at) : strlen(l->at), l->no);
}

/* "loading model 'PATH'": llama-server's, a router's child's too */
WLD_LOG_EXTRACTOR(wld_logx_loading_quoted)
{
    const char *p = l->at;
    struct wld_log_child *c = wld_log_child_on(f, f->line_pid, false, l->no);
    if (c && !c->model_path[0])
        wld_log_copy(c->model_path, sizeof(c->model_path), p, strcspn(p, "'"));
    set_model_path(f, p, strcspn(p, "'"), l->no);
}

/* "- kv   0: general.architecture str = llama" */
static void kv_line(char *out, size_t n, const struct wld_log_line *l, long *at)
{
    const char *eq = strstr(l->at, "= ");
    if (!eq || out[0])
        return;
    wld_log_copy(out, n, eq + 2, strlen(eq + 2));
    if (at && !*at)
        *at = l->no;
}

WLD_LOG_EXTRACTOR(wld_logx_general_arch)
{
    kv_line(f->arch, sizeof(f->arch), l, &f->arch_line);
}

WLD_LOG_EXTRACTOR(wld_logx_general_name)
{
    kv_line(f->model_name, sizeof(f->model_name), l, NULL);
}

/* An int the model's description states once: the first kept. */
static void first_int(int *dst, const char *v)
{
    int n;
    if (*dst < 0 && wld_log_int(v, &n))
        *dst = n;
}

/* a key = value line of the model's description ("print_info: ", "llm_load_print_meta: ",
 * "llama_model_load_internal: "); key right before " = " */
WLD_LOG_EXTRACTOR(wld_logx_meta)
{
    const char *p = wld_str_skip_space(l->at);
    const char *eq = strstr(p, " = ");
    if (!eq)
        return;
    char key[48];
    wld_log_copy(key, sizeof(key), p, (size_t) (eq - p));
    const char *v = wld_str_skip_space(eq + 3);
    size_t vl = strlen(v);
    int n;
    if (strcmp(key, "arch") == 0) {
        wld_log_set_first(f->arch, sizeof(f->arch), v, vl);
        if (!f->arch_line)
            f->arch_line = l->no;
    } else if (strcmp(key, "model type") == 0) {
        wld_log_set_first(f->model_type, sizeof(f->model_type), v, vl);
    } else if (strcmp(key, "file type") == 0 || strcmp(key, "model ftype") == 0 ||
               strcmp(key, "ftype") == 0) {
        wld_log_set_first(f->ftype, sizeof(f->ftype), v, vl);
    } else if ((strcmp(key, "file size") == 0 || strcmp(key, "model size") == 0) &&
               f->model_size_gib < 0) {
        double g = wld_log_size_gib(v);
        if (g > 0)
            f->model_size_gib = g;
        else if (!f->model_type[0] && vl < 8) /* legacy "model size = 13B" */
            wld_log_copy(f->model_type, sizeof(f->model_type), v, vl);
    } else if (strcmp(key, "n_layer") == 0) {
        first_int(&f->n_layer, v);
    } else if (strcmp(key, "n_ctx_train") == 0) {
        first_int(&f->n_ctx_train, v);
    } else if (strcmp(key, "n_embd_k_gqa") == 0) {
        first_int(&f->n_embd_k_gqa, v);
    } else if (strcmp(key, "n_embd_v_gqa") == 0) {
        first_int(&f->n_embd_v_gqa, v);
    } else if (strcmp(key, "general.name") == 0) {
        wld_log_set_first(f->model_name, sizeof(f->model_name), v, vl);
    } else if (strcmp(key, "n_ctx") == 0 && wld_log_int(v, &n) && n > 0 && f->n_ctx < 0) {
        f->n_ctx = n; /* legacy llama_model_load_internal */
        f->ctx_line = l->no;
    }
}

/* "offloaded 33/33 layers to GPU" */
WLD_LOG_EXTRACTOR(wld_logx_offloaded)
{
    int a, b = 0;
    const char *slash = wld_log_int_end(l->at, &a);
    if (!slash || *slash != '/' || !wld_log_int_end(slash + 1, &b) || a < 0 || b <= 0 || a > b)
        return;
    f->offloaded = a;
    f->offload_of = b;
    f->offload_line = l->no;
}

/* "[cublas] offloading 0 layers to GPU" (llama.cpp of June 2023, which printed no
 * "offloaded N/M" line): N of the model's n_layer; a later "offloaded N/M" line wins. */
WLD_LOG_EXTRACTOR(wld_logx_cublas_offloading)
{
    int a;
    const char *end = wld_log_int_end(l->at, &a);
    if (!end || strncmp(end, " layers to GPU", 14) != 0 || a < 0 || f->offload_line ||
        f->n_layer <= 0 || a > f->n_layer)
        return;
    f->offloaded = a;
    f->offload_of = f->n_layer;
    f->offload_line = l->no;
}

/* "n_ctx      = 4096" */
WLD_LOG_EXTRACTOR(wld_logx_n_ctx)
{
    const char *v = wld_log_after_eq(l->at);
    int n;
    if (v && wld_log_int(v, &n) && n > 0 && f->n_ctx < 0) {
        f->n_ctx = n;
        f->ctx_line = l->no;
    }
}

/* "DEV model buffer size = X MiB", "DEV KV buffer size =", "DEV compute buffer size =",
 * "DEV buffer size =" (2024) */
WLD_LOG_EXTRACTOR(wld_logx_buffer)
{
    const char *line = l->s;
    const char *v = wld_log_after_eq(l->at);
    double mib;
    if (!v || !wld_log_num(v, &mib) || f->n_buf == (int) WLD_ARRAY_SIZE(f->buf))
        return;
    const char *p = l->at - strlen(" buffer size");
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
    wld_log_copy(b->device, sizeof(b->device), d, (size_t) (dev_end - d));
    snprintf(b->kind, sizeof(b->kind), "%s", kind);
    b->mib = mib;
    b->line = l->no;
}

/* "size = 1024.00 MiB (...), K (f16): 512.00 MiB, V (f16): 512.00 MiB"; "KV self size = ..." */
WLD_LOG_EXTRACTOR(wld_logx_kv_types)
{
    const char *k = l->at;
    const char *v = strstr(k, "V (");
    if (f->kv_line || !v)
        return;
    wld_log_copy(f->type_k, sizeof(f->type_k), k, strcspn(k, ")"));
    wld_log_copy(f->type_v, sizeof(f->type_v), v + 3, strcspn(v + 3, ")"));
    const char *size = strstr(l->s, "size = ");
    if (size && size < k)
        wld_log_num(size + 7, &f->kv_mib);
    f->kv_line = l->no;
}

/* Whether a path is where models live: a models directory, ollama's store, Hugging Face's
 * or llama.cpp's cache, or a model file. */
static bool model_place(const char *p, size_t n)
{
    static const char *const words[] = { "models", "/.ollama",      "/blobs",      "/manifests",
                                         ".gguf",  "/huggingface/", "/llama.cpp/", "lmstudio" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(words); i++)
        if (memmem(p, n, words[i], strlen(words[i])))
            return true;
    return false;
}

/* "mkdir /home/u/.ollama/models: permission denied" (Go), "failed to open
 * /m/x.gguf: Permission denied" (llama.cpp), "Permission denied: '/m/x.gguf'" (Python): a
 * model's place the program may not read or write. */
WLD_LOG_EXTRACTOR(wld_logx_permission)
{
    if (f->perm_line)
        return;
    const char *path, *end;
    if (l->at[-1] == '\'') { /* Python's: the path follows, quoted */
        path = l->at;
        end = strchr(path, '\'');
    } else { /* the path ends where the marker starts */
        end = l->at - strlen(": permission denied");
        path = end;
        while (path > l->s && path[-1] != ' ' && path[-1] != '"' && path[-1] != '\'')
            path--;
    }
    if (!end || end <= path || *path != '/')
        return;
    /* ollama's "Error: mkdir DIR: permission denied" at its start: the models directory */
    bool mkdir = path - l->s >= 6 && memcmp(path - 6, "mkdir ", 6) == 0;
    if (!model_place(path, (size_t) (end - path)) && !mkdir)
        return;
    wld_log_copy(f->perm_path, sizeof(f->perm_path), path, (size_t) (end - path));
    f->perm_line = l->no;
    f->perm_mkdir_only = !model_place(path, (size_t) (end - path));
}
