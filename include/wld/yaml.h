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
 * empty plain scalar (`key:` with no value) and an alias null. An empty document is an empty
 * object. Lines: every node's valueint is a line of text, from 1, for findings to point at: a
 * mapping's member holds the line of its key (`deploy:` for the deploy mapping below it),
 * a sequence's item and the root the line where the node starts. cJSON ignores valueint
 * for these types, so printing and comparing the tree are as before. Returns 0 and *ret (caller
 * deletes), or -EINVAL with *err ("line N: what libyaml says"; caller frees) for text that is not
 * YAML, -E2BIG past the bounds above. */
int wld_yaml_parse(const char *text, size_t len, cJSON **ret, char **err);

#endif
