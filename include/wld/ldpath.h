/* Where the dynamic loader looks for a library, read from a host: LD_LIBRARY_PATH, the
 * directories of /etc/ld.so.conf (and the files it includes, in the order ldconfig reads
 * them), then the default directories. Used to find which libcuda a program would load
 * and what shadows /usr/lib/wsl/lib. */
#ifndef WLD_LDPATH_H
#define WLD_LDPATH_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "wld/host.h"

/* Appends the search directories to dirs (a cJSON array), in search order, each as
 * {"dir": "/usr/lib/wsl/lib", "from": "/etc/ld.so.conf.d/ld.wsl.conf"}; "from" is
 * "LD_LIBRARY_PATH", the conf file, or "default". A directory is listed once, at its
 * first place. with_env=false leaves out LD_LIBRARY_PATH (what ldconfig's cache holds). */
void wld_ldpath_dirs(const struct wld_host *h, bool with_env, cJSON *dirs);

/* The search with LD_LIBRARY_PATH from the list without it (cache, as filled above with
 * with_env=false): what wld_ldpath_dirs(h, true, dirs) gives, without reading the
 * loader's configuration again. */
void wld_ldpath_with_env(const struct wld_host *h, const cJSON *cache, cJSON *dirs);

/* true when dirs (as filled above) lists dir. */
bool wld_ldpath_has(const cJSON *dirs, const char *dir);

/* For a fixture host: the directories of dirs that exist in the fixture, as real paths
 * joined with ':' (a child's LD_LIBRARY_PATH, wld_proc_spec.fixture_ld_path); NULL on the
 * live host or when none exists. Caller frees. */
char *wld_ldpath_real(const struct wld_host *h, const cJSON *dirs);

#endif
