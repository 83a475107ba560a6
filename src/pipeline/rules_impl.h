/* Between the rules' loading (src/pipeline/rules.c) and their validation: the document and
 * the checks' entries (src/pipeline/rules_validate.c), the log signatures
 * (src/pipeline/rules_signatures.c), and the outcomes and sources both hold to
 * (src/pipeline/rules_outcomes.c). Not a public interface. */
#ifndef WLD_RULES_IMPL_H
#define WLD_RULES_IMPL_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "wld/rules.h"

/* The built-in rules' two loaders (src/pipeline/rules_embedded.c). ready: r with the whole
 * document in place (waiting for the loading thread, if any); the lazy lookups, for r->lazy;
 * section: NULL and *whole when more than one file holds it; embedded_free: what either
 * loader holds in r. */
struct wld_rules *wld_rules_ready_(const struct wld_rules *r);
const cJSON *wld_rules_lazy_check_(const struct wld_rules *r, const char *id);
const cJSON *wld_rules_lazy_source_(const struct wld_rules *r, const char *key);
const cJSON *wld_rules_lazy_section_(const struct wld_rules *r, const char *name, bool *whole);
const cJSON *wld_rules_lazy_doc_(const struct wld_rules *r);
void wld_rules_embedded_free_(struct wld_rules *r);

/* Each returns 0, or -EINVAL with *err set to one line saying what is wrong and where
 * (caller frees). */

/* The whole merged document, against the registered checks. */
int wld_rules_validate(const cJSON *doc, char **err);

/* The document's "sources" object: each entry an http(s) "url" and an "authority",
 * "documented" or "field". */
int wld_rules_validate_sources(const cJSON *sources, char **err);

/* One outcome (a check's, a common one, a lint finding or a signature), named in errors by
 * where: its status, summary, fix, and sources that exist in sources and may back it. */
int wld_rules_validate_outcome(const cJSON *sources, const cJSON *o, const char *where, char **err);

/* Signature sig of the object sigs; *anchor_bytes adds up its patterns' anchors, refused
 * once all the signatures' together pass what the log reader's table holds. */
int wld_rules_validate_signature(const cJSON *sources,
                                 const cJSON *sigs,
                                 const cJSON *sig,
                                 size_t *anchor_bytes,
                                 char **err);

/* entry's "when" (absent, or a list of variants): each an object with a condition "if" the
 * log reader knows, only keys (NULL-terminated) and a "check", if set, that exists; then
 * each(variant, its condition, ctx) for what the entry's kind asks more, when not NULL. */
int wld_rules_validate_when(const cJSON *entry,
                            const char *const *keys,
                            const char *where,
                            int (*each)(const cJSON *variant, const char *cond, void *ctx),
                            void *ctx,
                            char **err);

/* Each string of list (an array, or absent) is one known(ctx, name) accepts; else -EINVAL
 * with "WHERE: unknown WHAT NAME" (src/pipeline/rules_signatures.c). */
int wld_rules_validate_names(const cJSON *list,
                             bool (*known)(const cJSON *ctx, const char *name),
                             const cJSON *ctx,
                             const char *what,
                             const char *where,
                             char **err);

#endif
