/* Host facts that several checks use, each gathered at most once per run: on the first
 * gather that asks, while any other asking at the same time waits for it. The loader's
 * search path is read by four checks, the llama.cpp build is inspected by two and the
 * model directories are walked by two; with the inventory each happens once, and every
 * check that uses a fact keeps it as its own evidence.
 *
 * Items are cJSON values owned by the inventory, read-only for every caller (cJSON reads
 * are safe from several threads), valid until the inventory is freed. */
#ifndef WLD_INVENTORY_H
#define WLD_INVENTORY_H

#include <cjson/cJSON.h>

#include "wld/host.h"
#include "wld/settings.h"

enum wld_inv_item {
    /* {"search": [...], "cache": [...]}: the loader's directories with and without
     * LD_LIBRARY_PATH (wld/ldpath.h) */
    WLD_INV_LDPATH,
    /* the llama.cpp binary: binary, found_by, binary_exists (wld_llama_locate) */
    WLD_INV_LLAMA_BINARY,
    /* the llama.cpp build behind it (wld_llama_inspect), {} when none was found */
    WLD_INV_LLAMA,
    /* {"models": [...], "scan": {...}}: the model files found (wld/models.h) */
    WLD_INV_MODELS,
    /* {pci_bus, adapters | error}: the PCI bus's display controllers (wld/pci.h) */
    WLD_INV_PCI,
    /* the CUDA toolkits and the nvcc in use (wld/toolkit.h) */
    WLD_INV_TOOLKIT,
    /* /etc/wsl.conf: exists, and what wld_wsl_file_read() makes of it (wld/wslfile.h) */
    WLD_INV_WSL_CONF,
    /* /proc/meminfo: {MemTotal, MemAvailable, SwapTotal, SwapFree} in kB, each present when
     * read; read_error (an errno name) when the file was not, impossible [keys] for a
     * figure past any machine's (wld_meminfo_kib's -ERANGE), never used as one */
    WLD_INV_MEMINFO,
    /* the model servers' systemd units and whether systemd runs (wld/services.h) */
    WLD_INV_SERVICES,
    /* whether interop runs Windows programs, and the drive root (wld_windows_interop) */
    WLD_INV_INTEROP,
    /* the llama-server and ollama processes running here, where each listens, what it
     * loads; never the doctor's own (wld/servers.h) */
    WLD_INV_SERVERS,
    /* {"runtimes": [...]}: the llama.cpp build alone (wld_runtime_llama), none when no
     * binary was found */
    WLD_INV_LLAMA_RUNTIME,
    /* {"runtimes": [...]}: the ollama installs alone (wld_ollama_find), which the models
     * inventory asks for without waiting on the Python environments */
    WLD_INV_OLLAMA,
    /* {"runtimes": [...], "python_walk": {...}}: llama-cpp-python in the Python
     * environments (wld_pyenvs_find), the one source that walks the home */
    WLD_INV_PYENVS,
    /* {"archs": {PATH: {arch} | {arch_error}}}: each model's general.architecture, its
     * header peeked once (wld_gguf_peek_arch) however many runtimes load it */
    WLD_INV_MODEL_ARCHS,
    WLD_INV_COUNT,
};

struct wld_inventory;

/* The runtime sources (the llama.cpp build, ollama, the Python environments), in the
 * order the reports list runtimes: a per-runtime check starts each
 * source's runtimes as soon as that source is gathered (a llama.cpp build's probe need not
 * wait for the walk of the home). */
#define WLD_INV_RUNTIME_SOURCES 3

/* An empty inventory for one run of the checks on h with options o (both borrowed). */
struct wld_inventory *wld_inventory_new(const struct wld_host *h, const struct wld_options *o);
void wld_inventory_free(struct wld_inventory *inv);

/* Starts gathering item on a thread of its own, ahead of the first ask, when nothing has
 * asked for it yet: an item that waits on none of the others (the Python environments'
 * walk) need not wait for the item asked before it. wld_inventory_free joins the thread. */
void wld_inventory_prefetch(struct wld_inventory *inv, enum wld_inv_item item);

/* The i-th runtime source's runtimes (i < WLD_INV_RUNTIME_SOURCES), gathered on first ask;
 * an empty list for every source but the llama.cpp build's when the run judges model
 * files only (`fit`). Stable for the inventory's life, like any item. */
const cJSON *wld_inventory_runtime_source(struct wld_inventory *inv, size_t i);

/* The item, gathered now when no one has yet. Borrowed, read-only. */
const cJSON *wld_inventory_get(struct wld_inventory *inv, enum wld_inv_item item);

/* Shorthands: the loader's search directories (with_env: with LD_LIBRARY_PATH). */
const cJSON *wld_inventory_ldpath(struct wld_inventory *inv, bool with_env);

#endif
