/* What wrote the log (see logfacts_impl.h), from the log's own lines only: whether it ran
 * in a container (docker, podman, the NVIDIA Container Toolkit's nvidia-container-cli,
 * Kubernetes, containerd, or a shell prompt whose host is a container's 12-hex id:
 * "root@098b49afe624:/#"), and its producer: a program that embeds llama.cpp (ollama,
 * LM Studio, koboldcpp, llamafile, llama-cpp-python) before llama.cpp's own llama-server
 * and command-line tools, whose lines the wrappers print too. A model path under
 * ~/.lmstudio is no LM Studio log: llama-server is often pointed at LM Studio's models. */
#include <stdio.h>
#include <string.h>

#include "wld/logpattern.h"
#include "wld/util.h"

#include "logdiag_impl.h"
#include "logfacts_impl.h"
#include "logscan_impl.h"

/* In the order a producer is chosen: the wrapper before the llama.cpp it embeds. */
static const struct {
    const char *name;      /* facts' "producer" */
    const char *condition; /* the rules' condition */
} producers[WLD_LOG_PRODUCERS] = {
    [WLD_PROD_OLLAMA] = { "ollama", "producer_ollama" },
    [WLD_PROD_LM_STUDIO] = { "lm-studio", "producer_lm_studio" },
    [WLD_PROD_KOBOLDCPP] = { "koboldcpp", "producer_koboldcpp" },
    [WLD_PROD_LLAMAFILE] = { "llamafile", "producer_llamafile" },
    [WLD_PROD_LLAMA_CPP_PYTHON] = { "llama-cpp-python", "producer_llama_cpp_python" },
    [WLD_PROD_LLAMA_SERVER] = { "llama-server", "producer_llama_server" },
    [WLD_PROD_LLAMA_CLI] = { "llama-cli", "producer_llama_cli" },
};

_Static_assert(WLD_LOG_PRODUCERS <= 8, "producer_lines holds 8");

static void seen(struct wld_log_facts *f, int id, long no)
{
    if (!(f->producer_seen & (1u << id)))
        f->producer_lines[id] = no;
    f->producer_seen |= 1u << id;
}

WLD_LOG_EXTRACTOR(wld_logx_koboldcpp)
{
    seen(f, WLD_PROD_KOBOLDCPP, l->no);
}

WLD_LOG_EXTRACTOR(wld_logx_llamafile)
{
    seen(f, WLD_PROD_LLAMAFILE, l->no);
}

/* "LM Studio", "[LM STUDIO SERVER]" */
WLD_LOG_EXTRACTOR(wld_logx_lm_studio)
{
    seen(f, WLD_PROD_LM_STUDIO, l->no);
}

/* "site-packages/llama_cpp/llama.py", "from llama_cpp import", "llama-cpp-python" */
WLD_LOG_EXTRACTOR(wld_logx_llama_cpp_python)
{
    char c = l->at[0];
    if (c == '\0' || c == '/' || c == '\\' || c == '.' || c == ' ' || c == '_' || c == '-')
        seen(f, WLD_PROD_LLAMA_CPP_PYTHON, l->no);
}

/* a Go panic's frames in ollama's own packages: "github.com/ollama/ollama/llama.(*Context)" */
WLD_LOG_EXTRACTOR(wld_logx_ollama_source)
{
    seen(f, WLD_PROD_OLLAMA, l->no);
    f->ollama = true;
}

/* ---- containers ---- */

static void container(struct wld_log_facts *f, const char *what, long no)
{
    if (!f->container++) {
        snprintf(f->container_what, sizeof(f->container_what), "%s", what);
        f->container_line = no;
    }
}

/* "docker run --gpus all", "docker: Error response from daemon", "/.dockerenv" */
WLD_LOG_EXTRACTOR(wld_logx_docker)
{
    container(f, "docker", l->no);
}

WLD_LOG_EXTRACTOR(wld_logx_podman)
{
    container(f, "podman", l->no);
}

/* "nvidia-container-cli: initialization error", "nvidia-container-runtime" */
WLD_LOG_EXTRACTOR(wld_logx_nvidia_container)
{
    container(f, "nvidia-container-toolkit", l->no);
}

/* "Container image Copyright (c) 2016-2023, NVIDIA CORPORATION & AFFILIATES", and "WARNING:
 * The NVIDIA Driver was not detected. ... Use the NVIDIA Container Toolkit to start this
 * container with GPU support": the entrypoint of NVIDIA's CUDA (and NGC) images */
WLD_LOG_EXTRACTOR(wld_logx_cuda_image)
{
    container(f, "NVIDIA CUDA image", l->no);
}

/* "kubectl exec", "kubelet", "kubernetes.io", kubectl describe's events ("Failed to create pod
 * sandbox", "FailedScheduling", "Insufficient nvidia.com/gpu"), kubectl logs' "in pod" */
WLD_LOG_EXTRACTOR(wld_logx_kube)
{
    container(f, "kubernetes", l->no);
}

WLD_LOG_EXTRACTOR(wld_logx_containerd)
{
    container(f, "containerd", l->no);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Under WSL a prompt shows Windows: "user@DESKTOP-61FF5OF:/mnt/e/LLaMA$ " (the distribution
 * takes Windows' host name; its drives are /mnt/<letter>); the prompt is cut from the line
 * the markers see, so it is read here. */
static bool wsl_prompt(const char *at, const char *end)
{
    const char *colon = memchr(at, ':', (size_t) (end - at));
    if (end - at > 9 && memcmp(at + 1, "DESKTOP-", 8) == 0)
        return true;
    return colon && end - colon >= 8 && memcmp(colon + 1, "/mnt/", 5) == 0 && colon[6] >= 'a' &&
           colon[6] <= 'z' && colon[7] == '/';
}

void wld_log_note_prompt(struct wld_log_facts *f, const char *raw, size_t n, long no)
{
    const char *at = memchr(raw, '@', n < 64 ? n : 64);
    if (!at)
        return;
    const char *end = raw + (n < 160 ? n : 160);
    if (wsl_prompt(at, end))
        wld_log_note_origin(f, &f->origin_wsl, no);
    /* a container's host name is its id's first 12 hex digits: "root@098b49afe624:/# " */
    if ((size_t) (at - raw) + 14 > n)
        return;
    for (int i = 1; i <= 12; i++)
        if (!is_hex(at[i]))
            return;
    if (at[13] == ':')
        container(f, "container prompt", no);
}

/* ---- the producer ---- */

void wld_log_producer_finish(struct wld_log_facts *f)
{
    if (f->ollama)
        seen(f, WLD_PROD_OLLAMA, f->ollama_runner_line);
    if (wld_str_is(f->program, "llama_cpp"))
        seen(f, WLD_PROD_LLAMA_CPP_PYTHON, f->command_line);
    if (wld_str_is(f->program, "llama-server") || f->server_tags || f->router_line)
        seen(f, WLD_PROD_LLAMA_SERVER, f->command_line ? f->command_line : f->build_line);
    if (wld_str_is(f->program, "llama-cli") || wld_str_is(f->program, "llama-bench"))
        seen(f, WLD_PROD_LLAMA_CLI, f->command_line ? f->command_line : f->build_line);
    for (int i = 0; i < WLD_LOG_PRODUCERS; i++)
        if (f->producer_seen & (1u << i)) {
            snprintf(f->producer, sizeof(f->producer), "%s", producers[i].name);
            f->producer_line = f->producer_lines[i];
            return;
        }
}

/* -1 when name is no producer's condition */
static int producer_of(const char *name)
{
    for (int i = 0; i < WLD_LOG_PRODUCERS; i++)
        if (wld_str_is(name, producers[i].condition))
            return i;
    return -1;
}

bool wld_log_producer_known(const char *name)
{
    return producer_of(name) >= 0 || wld_str_is(name, "container");
}

bool wld_log_producer_holds(const struct wld_log_facts *f, const char *name)
{
    if (wld_str_is(name, "container"))
        return f->container > 0;
    int id = producer_of(name);
    return id >= 0 && wld_str_is(f->producer, producers[id].name);
}
