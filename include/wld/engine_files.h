/* The container engines' own files read from their text, with no host: Docker's
 * daemon.json and CDI specs. container.gpu's gather reads them from the host through these
 * (wld/containers.h), and `lint` from a repository (src/lint/lint_containers.c), so a file is
 * judged the same way in both. Compose files have their reader in wld/compose.h. */
#ifndef WLD_ENGINE_FILES_H
#define WLD_ENGINE_FILES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* text (len bytes, need not be NUL-terminated) as one JSON object, as dockerd and the CDI
 * loader take it. Returns 0 and *ret (caller deletes), or -EINVAL with *err "not a JSON
 * object (line N)" (caller frees), N the line where the parser stopped. */
int wld_engine_json_object(const char *text, size_t len, cJSON **ret, char **err);

/* What container.gpu keeps of a parsed daemon.json, added to o: runtimes {name: path ("" when
 * none)} (a "runtimes" that is not an object names none), default_runtime when set, cdi
 * (features.cdi) when a boolean. */
void wld_engine_daemon_facts(const cJSON *doc, cJSON *o);

/* The default runtime those facts name without registering it (neither under runtimes nor
 * "runc", which dockerd has built in), or NULL: dockerd cannot run a container then. */
const char *wld_engine_default_unknown(const cJSON *facts);

/* A CDI spec's text as a tree: JSON when name ends in ".json", else YAML (each node's
 * valueint its line, wld/yaml.h). Returns 0 and *ret (caller deletes), or a negative errno
 * with *err (caller frees): "not a JSON object (line N)", "line N: <libyaml's words>", "not
 * a YAML mapping". */
int wld_engine_cdi_parse(const char *name, const char *text, size_t len, cJSON **ret, char **err);

/* What SPEC.md requires of a parsed spec and it lacks, as [{key, field, device (its index,
 * for "device_no_name")}]: key "cdi_missing_field" with field "cdiVersion", "kind" or
 * "devices" (absent, not a string, or an empty list), "cdi_device_no_name". Caller deletes. */
cJSON *wld_engine_cdi_problems(const cJSON *spec);

/* Whether path lies in a WSL driver-store folder (/usr/lib/wsl/drivers/NAME/...); *folder
 * (caller frees) is NAME when it does. */
bool wld_engine_store_folder(const char *path, char **folder);

#endif
