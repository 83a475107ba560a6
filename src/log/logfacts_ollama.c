/* ollama's server log (see logfacts_impl.h):
 *   time=... level=INFO source=types.go:131 msg="inference compute" id=GPU-.. library=cuda
 *     compute=8.9 driver=12.4 name="..." total="24.0 GiB" available="22.5 GiB"
 *   time=... msg=offload library=cuda layers.requested=-1 layers.model=81 layers.offload=44 ...
 *     memory.required.kv="19.5 GiB"
 *   msg="Dynamic LLM libraries" runners="[cpu cpu_avx cuda_v12]"
 *   msg="starting llama server" cmd=".../runners/cuda_v12/ollama_llama_server ..."
 *   Listening on 127.0.0.1:11434 (version 0.5.7)
 */
#include <stdio.h>
#include <string.h>

#include "wld/util.h"

#include "logfacts_impl.h"

WLD_LOG_EXTRACTOR(wld_logx_inference_compute)
{
    const char *line = l->s;
    f->ollama = true;
    if (f->n_compute == WLD_LOG_MAX)
        return;
    struct wld_log_compute *c = &f->compute[f->n_compute++];
    memset(c, 0, sizeof(*c));
    wld_log_kv(line, "id", c->id, sizeof(c->id));
    wld_log_kv(line, "library", c->library, sizeof(c->library));
    wld_log_kv(line, "compute", c->compute, sizeof(c->compute));
    wld_log_kv(line, "driver", c->driver, sizeof(c->driver));
    if (!wld_log_kv(line, "description", c->name, sizeof(c->name)))
        wld_log_kv(line, "name", c->name, sizeof(c->name));
    char v[64];
    c->total_gib = wld_log_kv(line, "total", v, sizeof(v)) ? wld_log_size_gib(v) : -1;
    c->available_gib = wld_log_kv(line, "available", v, sizeof(v)) ? wld_log_size_gib(v) : -1;
    c->line = l->no;
}

static void o_size(const char *line, const char *key, double *out)
{
    char v[160];
    if (wld_log_kv(line, key, v, sizeof(v)))
        *out = wld_log_size_gib(v);
}

static void o_int(const char *line, const char *key, int *out)
{
    char v[32];
    int n;
    if (wld_log_kv(line, key, v, sizeof(v)) && wld_log_int(v, &n))
        *out = n;
}

WLD_LOG_EXTRACTOR(wld_logx_o_layers_model)
{
    o_int(l->s, "layers.model", &f->o_layers_model);
    f->ollama = true;
}

WLD_LOG_EXTRACTOR(wld_logx_o_layers_offload)
{
    char lib[16];
    o_int(l->s, "layers.offload", &f->o_layers_offload);
    if (f->o_layers_offload > 0 && wld_log_kv(l->s, "library", lib, sizeof(lib)) &&
        !wld_str_eq_nocase(lib, "cpu"))
        f->o_offload_gpu = true;
    if (!f->o_offload_line)
        f->o_offload_line = l->no;
    f->ollama = true;
}

WLD_LOG_EXTRACTOR(wld_logx_o_kv)
{
    o_size(l->s, "memory.required.kv", &f->o_kv_gib);
}

WLD_LOG_EXTRACTOR(wld_logx_o_available)
{
    o_size(l->s, "memory.available", &f->o_available_gib);
}

WLD_LOG_EXTRACTOR(wld_logx_o_weights)
{
    o_size(l->s, "memory.weights.total", &f->o_weights_gib);
}

WLD_LOG_EXTRACTOR(wld_logx_o_graph)
{
    o_size(l->s, "memory.graph.full", &f->o_graph_gib);
}

WLD_LOG_EXTRACTOR(wld_logx_o_full)
{
    o_size(l->s, "memory.required.full", &f->o_full_gib);
}

/* "Listening on 127.0.0.1:11434 (version 0.5.7)" */
WLD_LOG_EXTRACTOR(wld_logx_o_version)
{
    if (strstr(l->s, "Listening on") && !f->ollama_version[0]) {
        wld_log_copy(f->ollama_version, sizeof(f->ollama_version), l->at, strcspn(l->at, ")"));
        f->ollama = true;
    }
}

/* Any " msg=": ollama's own line; "starting llama server" names the runner and its options */
WLD_LOG_EXTRACTOR(wld_logx_o_msg)
{
    const char *line = l->s;
    if (strstr(line, "level=") || strstr(line, "source="))
        f->ollama = true;
    if (strstr(line, "starting llama server") && !f->ollama_runner[0]) {
        /* ".../runners/cuda_v12/ollama_llama_server" (2024), "ollama runner" (2025-) */
        const char *rn = strstr(line, "/runners/");
        if (rn)
            wld_log_copy(f->ollama_runner, sizeof(f->ollama_runner), rn + 9, strcspn(rn + 9, "/ "));
        else if (strstr(line, " runner "))
            snprintf(f->ollama_runner, sizeof(f->ollama_runner), "ollama runner");
        f->ollama_runner_line = l->no;
    }
    const char *ngl = strstr(line, "--n-gpu-layers ");
    const char *ctx = strstr(line, "--ctx-size ");
    int n;
    if (ngl)
        wld_log_int(ngl + 15, &f->cmd_ngl);
    if (ctx && wld_log_int(ctx + 11, &n))
        f->o_num_ctx = n;
}

/* msg="discovered GPU libraries" paths="[/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01]":
 * ollama looks for libnvidia-ml, libcuda and its own libcudart in turn, so one empty list
 * ("paths=[]", 0.1's "Discovered GPU libraries: []") is not yet no GPU */
WLD_LOG_EXTRACTOR(wld_logx_o_libs)
{
    const char *open = strchr(l->at, '[');
    if (open && open[1] != ']' && !strstr(l->at, ": ]"))
        f->ollama_libs_found++;
    f->ollama = true;
}

/* msg="Dynamic LLM libraries" runners="[cpu cpu_avx cuda_v12]" */
WLD_LOG_EXTRACTOR(wld_logx_o_runners)
{
    if (!f->ollama_runners[0]) {
        const char *open = strchr(l->at, '[');
        const char *close = open ? strchr(open, ']') : NULL;
        if (open && close) {
            wld_log_copy(f->ollama_runners, sizeof(f->ollama_runners), open + 1,
                         (size_t) (close - open - 1));
            f->ollama_runners_line = l->no;
        }
    }
    f->ollama = true;
}

/* "Error: llama runner process has terminated: ...", ".../runners/cuda_v12/ollama_llama_server",
 * systemd's "Started ollama.service": ollama's words for its runner and its unit, whatever
 * else the line says */
WLD_LOG_EXTRACTOR(wld_logx_o_runner_process)
{
    (void) l;
    f->ollama = true;
}

/* msg=system CPU.0.SSE3=1 ... CUDA.0.ARCHS=500,...,1200 compiler=cgo(gcc); older:
 * msg=system info="CPU : LLAMAFILE = 1 | CUDA : ARCHS = ... | cgo(clang)" */
WLD_LOG_EXTRACTOR(wld_logx_o_system)
{
    static const char *const gpu[] = { "CUDA.", "CUDA :", "ROCm.", "ROCm :", "Vulkan." };
    if (!strstr(l->s, "source=") && !strstr(l->s, "level="))
        return; /* ollama's slog line, not a word in another program's */
    f->ollama = true;
    if (!f->o_system_line)
        f->o_system_line = l->no;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(gpu); i++)
        f->o_system_gpu |= strstr(l->s, gpu[i]) != NULL;
}
