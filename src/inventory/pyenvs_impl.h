/* Shared by src/inventory/pyenvs.c (where Python environments are) and
 * src/inventory/pyenv_package.c (what one llama_cpp package in them is). Not a public interface. */
#ifndef WLD_PYENVS_IMPL_H
#define WLD_PYENVS_IMPL_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "wld/host.h"

/* One site-packages directory that holds a llama_cpp package, and the environment it
 * belongs to; all host paths, borrowed. */
struct wld_pyenv_site {
    const char *prefix;   /* the environment's root: /home/alice/.venv, /usr/local */
    const char *env_kind; /* "venv", "conda", "pipx", "user", "system" */
    const char *found_by; /* in words */
    const char *site;     /* .../lib/python3.12/site-packages */
    const char *pyver;    /* "3.12", from the lib/python3.12 directory; may be "" */
    const char *package;  /* site/llama_cpp */
};

/* The runtime object (wld/runtimes.h, kind "python") of the package in s, its build
 * inspected with wld_llama_inspect() against the loader's search ldirs. *listed counts
 * the directories read on the way (the walk's budget). Caller owns the result. */
cJSON *wld_pyenv_package(const struct wld_host *h,
                         const cJSON *ldirs,
                         const struct wld_pyenv_site *s,
                         size_t *listed);

#endif
