/* YAML read into the same cJSON tree a JSON file gives (libyaml's parser), for the files
 * that are YAML: CDI specs, compose files. */
#ifndef WLD_YAML_H
#define WLD_YAML_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* nesting deeper than this is refused, as are more nodes than WLD_YAML_MAX_NODES */
#define WLD_YAML_MAX_DEPTH 64
#define WLD_YAML_MAX_NODES 200000

/* The first document of text (len bytes; need not be NUL-terminated) as cJSON: mappings
 * become objects (a repeated key: the last wins, as YAML loaders do), sequences arrays,
 * scalars strings (never numbers or booleans: the caller knows what a key holds), an
 * alias null. An empty document is an empty object. Returns 0 and *ret (caller deletes),
 * or -EINVAL with *err ("line N: what libyaml says"; caller frees) for text that is not
 * YAML, -E2BIG past the bounds above. */
int wld_yaml_parse(const char *text, size_t len, cJSON **ret, char **err);

#endif
