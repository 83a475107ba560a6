/* Locating the llama.cpp binary the user runs (shared by the checks that inspect it). */
#ifndef WLD_LLAMA_H
#define WLD_LLAMA_H

#include "wld/cli.h"
#include "wld/host.h"

/* --llama-server, else llama-server / llama-cli on PATH, else the usual build
 * directories under $HOME. Returns 0 with the host path (caller frees) and a static
 * description of how it was found, or -ENOENT. */
int wld_llama_find(const struct wld_host *h,
                   const struct wld_options *o,
                   char **ret_path,
                   const char **ret_how);

#endif
