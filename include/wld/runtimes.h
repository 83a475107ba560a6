/* The runtimes that run models on this host: a llama.cpp build, ollama, llama-cpp-python in
 * each Python environment. Found once per run (the inventory items WLD_INV_LLAMA_RUNTIME,
 * WLD_INV_OLLAMA and WLD_INV_PYENVS, wld_inventory_runtime_source) by a bounded walk of known
 * places, never a crawl of the disk; the llama.* checks judge each runtime found, name it in every
 * line, and report the worst.
 *
 * A runtime is a cJSON object. Every kind has:
 *   kind      "llama.cpp" | "ollama" | "python"
 *   id        unique in the run and stable between runs: "llama.cpp", "ollama",
 *             "python:/home/alice/.venv" (what --runtime matches, with kind and paths)
 *   name      how a line names it: "llama.cpp build 6123", "ollama 0.12.3",
 *             "llama-cpp-python 0.3.8 in ~/.venv"
 *   found_by  in words: "PATH", "systemd unit ollama.service", "the active venv"
 *   version   the runtime's own version when known ("0.12.3", "0.3.8", "6123")
 *   build     the facts the llama.* checks judge, in wld_llama_inspect()'s shape (binary,
 *             binary_exists, elf, tree, libs, cuda, cuda_files, runtime, ...): for llama.cpp
 *             its binary; for llama-cpp-python its llama_cpp/lib/libllama.so; for ollama the
 *             CUDA backend ollama will load (see below)
 * ollama adds (src/inventory/ollama.c):
 *   binary, lib_dir, layout ("lib/ollama", "runners", ...), version_from,
 *   backends [{name "cuda_v12", dir, cuda_major, build {wld_llama_inspect() of its
 *   libggml-cuda.so, libs resolved bundled-first}, fatbin [wld_fatbin_file_facts() of
 *   each of its cuda_files]}], env {NAME: {value, from}}
 * python adds (src/inventory/pyenvs.c):
 *   prefix, env_kind ("venv", "conda", "pipx", "user", "system"), python, site_packages,
 *   package_dir, lib_dir, dist_info, files (names in lib_dir) */
#ifndef WLD_RUNTIMES_H
#define WLD_RUNTIMES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "wld/host.h"
#include "wld/settings.h"

/* At most this many runtimes of each kind are kept (the walk says when it stopped). */
#define WLD_RUNTIMES_MAX 16

/* The ollama installs on h, appended to runtimes: the binary a running `ollama serve`
 * executes (servers: wld_servers_find's facts, or NULL), a unit's ExecStart (services:
 * wld_services_find's facts, or NULL), PATH, /usr/local/bin, /usr/bin; its library
 * directory as ollama resolves it; its version; each backend. ldirs: the loader's search.
 * timeout_ms bounds `ollama --version` when the version cannot be read without it. */
void wld_ollama_find(const struct wld_host *h,
                     const cJSON *servers,
                     const cJSON *services,
                     const cJSON *ldirs,
                     double timeout_ms,
                     cJSON *runtimes);

/* The llama-cpp-python installs in the user's Python environments, appended to runtimes;
 * walk gets what the bounded walk looked at ({dirs, stopped?}). ldirs: the loader's
 * search. */
void wld_pyenvs_find(const struct wld_host *h, const cJSON *ldirs, cJSON *runtimes, cJSON *walk);

/* The llama.cpp build wld_llama_inspect() described (build, {} when no binary was found),
 * appended to runtimes as the runtime of kind "llama.cpp". */
void wld_runtime_llama(const cJSON *build, cJSON *runtimes);

/* What names runtime r in a check's facts: {id, kind, name, version?}. Caller owns it. */
cJSON *wld_runtime_label(const cJSON *r);

/* Whether runtime r is one --runtime asks for (NULL or empty: all). A word matches a
 * kind ("ollama", "llama.cpp", "python"), an id, or a path the runtime lives under. */
bool wld_runtime_selected(const cJSON *r, char *const *wanted);

/* The backend of ollama runtime r (wld_ollama_find's object) that this ollama version
 * loads on a driver of CUDA major.minor, following that version's own choice (rules/
 * llama.json, params.ollama.pick): the index in r's backends, or -1 when it runs on the CPU
 * (no backend it would try can start on that driver, OLLAMA_LLM_LIBRARY names a CPU
 * library, or it ships none). *why (may be NULL) gets a static sentence naming the rule.
 * The GPU's compute capability is not known here: see wld_ollama_pick_gpu. */
int wld_ollama_pick(const cJSON *r,
                    unsigned driver_cuda_major,
                    unsigned driver_cuda_minor,
                    const char **why);

/* As wld_ollama_pick, with the compute capability of the GPU (lowest of the GPUs) that
 * versions 0.3-0.5.12 and 0.12.0-0.12.3 choose by, and that 0.12.4 and later start each
 * backend on: one whose fatbin (read) has no kernel for it is passed over for the next
 * older (cc_major 0: unknown, not used). */
int wld_ollama_pick_gpu(const cJSON *r,
                        unsigned driver_cuda_major,
                        unsigned driver_cuda_minor,
                        unsigned cc_major,
                        unsigned cc_minor,
                        const char **why);

/* The main module's version in a Go binary's .go.buildinfo section (data, n bytes; Go 1.18
 * and later): "0.12.3" for a `go install github.com/ollama/ollama@v0.12.3` build. Release
 * builds set their version with -ldflags -X and -trimpath, which buildinfo does not keep:
 * their module version is "(devel)", and this returns -ENOENT. 0 with out filled, or
 * -ENOENT / -EINVAL. */
int wld_ollama_buildinfo_version(const unsigned char *data, size_t n, char *out, size_t outn);

struct wld_gather_ctx;
/* llama.build's facts of the ollama runtime ctx->runtime: facts.ollama, what the inventory
 * found (less its journal), each backend with load {file, results, helper}: its
 * libggml-cuda dlopen()ed in a helper as ollama loads it (its directory and lib_dir first
 * on the loader's path), all at once under the probe deadline. */
void wld_ollama_gather_build(const struct wld_gather_ctx *ctx, cJSON *facts);

/* The index in ollama.backends (llama.build's facts.ollama) of the backend ollama will
 * load on the driver and GPUs of facts (every check's facts: gpu.cuda, gpu.driver), or -1
 * when it falls back to the CPU; *why says why, *driver the driver's CUDA version (NULL
 * when unknown). */
int wld_ollama_choose(const cJSON *facts,
                      const cJSON *ollama,
                      const char **why,
                      const char **driver);

/* The settings ollama loads a model with, for models.fit. */
struct wld_ollama_load {
    uint32_t num_ctx;  /* cells per sequence, capped at the trained context where it is */
    uint32_t parallel; /* sequences: ollama allocates num_ctx x parallel cells */
    int kv_type;       /* ggml type id of K and V */
    char said[512];    /* in words, with where each came from: "ollama's -c 4096 (ollama
                        * 0.12.3's default; OLLAMA_CONTEXT_LENGTH unset)" */
};
struct wld_gguf;
/* From an ollama model's runs_with.ollama ({version?, env}: wld_models_find), models.fit's
 * rules (params.ollama: defaults per version, vram_num_ctx, kv_cache_types, ...), the
 * model's header and the GPUs' total memory (bytes, 0 when none). */
void wld_ollama_load_settings(const cJSON *with,
                              const cJSON *rules,
                              const struct wld_gguf *g,
                              uint64_t vram_total,
                              struct wld_ollama_load *ret);

/* The lowest compute capability among the GPUs gpu.cuda saw in facts (every check's), as
 * major and minor; 0 and 0 when none is known. ollama's choice is bounded by it. */
void wld_ollama_lowest_cc(const cJSON *facts, unsigned *major, unsigned *minor);

/* llama.build's facts.ollama of a runtime's entry, or NULL when it is not ollama's. */
const cJSON *wld_ollama_of(const cJSON *build_facts);

#endif
