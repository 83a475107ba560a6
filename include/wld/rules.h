/* Rules: the data every verdict is judged against (rules/ (JSON), embedded at build
 * time, overridable with --rules FILE). Loading validates the whole document against
 * the registered checks, so a broken rules file is a clear error and never a silently
 * empty verdict. */
#ifndef WLD_RULES_H
#define WLD_RULES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "wld/check.h"

#define WLD_RULES_SCHEMA "wsl-llm-doctor/rules@1"

/* The rules in force. The embedded ones may still be loading in a thread when a command
 * starts (wld_rules_load_in_force): the host's probes need no rules, so they start at once,
 * and the document is waited for where it is first read. Read it only through
 * wld_rules_doc and wld_rules_version. */
struct wld_rules_loader;
struct wld_rules_lazy;
struct wld_rules {
    cJSON *doc_;                     /* merged document; owned; wld_rules_doc */
    const char *version_;            /* borrowed from doc; wld_rules_version */
    char sha256[65];                 /* cache: read it through wld_rules_sha256 */
    char *origin;                    /* "embedded rules" or the file path; owned */
    struct wld_rules_loader *loader; /* while the embedded rules load, else NULL */
    struct wld_rules_lazy *lazy;     /* embedded rules loaded a file at a time, else NULL */
    bool in_arena; /* doc_ is all in the JSON arena (wld/jsonarena.h): not freed node by node */
};

/* The document and its version, once loaded (this waits for the loading thread). */
const cJSON *wld_rules_doc(const struct wld_rules *r);
const char *wld_rules_version(const struct wld_rules *r);
/* One top-level section of the document ("signatures", "error_codes", "common"...), or NULL:
 * what a command that reads a section whole asks for, so that rules loaded a file at a time
 * parse only the file that holds it. */
const cJSON *wld_rules_section(const struct wld_rules *r, const char *name);

/* A finding in words, as every command reports it: check, lint and log make each of
 * theirs with wld_verdict_make, from a rules entry (a check's outcome, a lint finding, a
 * log signature) and the variables its template is filled with. */
struct wld_verdict {
    enum wld_status status; /* the entry's "status"; warn when it has none */
    char *summary;          /* its "summary" (or "message") filled: one printable line */
    char *fix;              /* its "fix" filled, or NULL when it has none */
    cJSON *sources;         /* the entry's sources, else the check's, as URLs */
};

/* Each loader returns 0, or a negative errno with *err set to a one-line explanation
 * (caller frees). Loading includes validation against the check registry. */
int wld_rules_load_embedded(struct wld_rules **ret, char **err);
/* The same, loaded in a thread: returns at once; wld_rules_doc waits for it. With
 * fingerprint, the thread takes their sha256 too (wld_rules_sha256), for a report that
 * prints it. */
int wld_rules_load_embedded_async(bool fingerprint, struct wld_rules **ret, char **err);
/* What a command will look up in the rules: the checks it judges and the sections it reads
 * whole (wld_rules_section), each NULL-terminated or NULL. */
struct wld_rules_need {
    const char *const *checks;
    const char *const *sections;
};
/* The embedded rules a file at a time: a thread parses at once the files that hold what
 * need names (borrowed until wld_rules_free), and a lookup parses any other file it reaches;
 * wld_rules_doc and wld_rules_sha256 parse the whole. For a command that reads a few
 * entries (fit, lint, log, explain), not a check of the whole host. Returns 0. */
int wld_rules_load_embedded_lazy(const struct wld_rules_need *need, struct wld_rules **ret);
/* A regular file, or a pipe or FIFO read until its writer closes it, for at most
 * timeout_ms; anything else (a directory, a device) is refused. */
int wld_rules_load_file(const char *path, double timeout_ms, struct wld_rules **ret, char **err);
/* Parses one or more JSON documents (merged in order); origin names them in errors. */
int wld_rules_load_texts(const char *const *texts,
                         const size_t *lens,
                         const char *const *names,
                         size_t n,
                         const char *origin,
                         struct wld_rules **ret,
                         char **err);
void wld_rules_free(struct wld_rules *r);
/* The sha256 (hex) of the canonical (unformatted) document, taken on the first call (only
 * reports need it; a start should not pay for it); borrowed from r. Not for two threads
 * at once. */
const char *wld_rules_sha256(const struct wld_rules *r);

/* Where `rules update` installs bundles: $XDG_DATA_HOME/wsl-llm-doctor, else
 * ~/.local/share/wsl-llm-doctor (the doctor's own environment, never a fixture's); NULL
 * when neither is set. Caller frees. */
char *wld_rules_installed_dir(void);
/* The rules in force: --rules FILE when given; else the installed bundle (rules.json in
 * that directory) when it loads and is not older than the built-in rules; else the
 * built-in rules. *note (caller frees) says why an installed bundle was passed over.
 * fingerprint: the report will print their sha256 (taken beside the probes when it can).
 * need: what the command looks up, when it reads a few entries (the built-in rules are
 * then loaded a file at a time); NULL: it judges every check. */
int wld_rules_load_in_force(const char *rules_path,
                            double timeout_ms,
                            bool fingerprint,
                            const struct wld_rules_need *need,
                            struct wld_rules **ret,
                            char **err,
                            char **note);
/* `rules show`: the version and sha256 in force and where they came from. */
void wld_rules_show(const struct wld_rules *r, FILE *out);
/* `rules update`: fetches url (https or file; NULL: the build's WLD_RULES_URL), checks it
 * against sha256 (NULL: the first word of URL.sha256), loads and validates it, requires a
 * version newer than in_force's, and installs it atomically as rules.json, keeping the
 * previous one as rules.json.prev. Anything wrong changes nothing. Returns 0, or -errno
 * with *err saying why (-EINVAL without a URL). Says what it did on out. */
int wld_rules_update(const char *url,
                     const char *sha256,
                     double timeout_ms,
                     const struct wld_rules *in_force,
                     FILE *out,
                     char **err);

/* Lookups; borrowed pointers or NULL. */
const cJSON *wld_rules_check(const struct wld_rules *r, const char *id);
const cJSON *wld_rules_outcome(const struct wld_rules *r, const char *id, const char *outcome);
const cJSON *wld_rules_common(const struct wld_rules *r, const char *outcome);
const cJSON *wld_rules_source(const struct wld_rules *r, const char *key);
/* The URLs of the sources keys (an array of source keys) names, in its order; keys
 * without a source or a URL are left out. Caller deletes. */
cJSON *wld_rules_source_urls(const struct wld_rules *r, const cJSON *keys);

/* Renders "{name}" placeholders from vars (strings, numbers, booleans); unknown names
 * are kept as written. Caller frees. */
char *wld_template_render(const char *tmpl, const cJSON *vars);

/* Fills v from entry (check: the check's rules entry, for its sources when entry has
 * none; NULL for none) with vars. The caller owns v's members: wld_verdict_clear. */
void wld_verdict_make(const struct wld_rules *r,
                      const cJSON *check,
                      const cJSON *entry,
                      const cJSON *vars,
                      struct wld_verdict *v);
void wld_verdict_clear(struct wld_verdict *v);

/* The embedded rules files (generated at build time by cmake/embed.cmake), each with its
 * index: "\tname\t..." lists of its top-level sections, its check ids and its source keys. */
struct wld_embedded_file {
    const char *name;
    const unsigned char *data;
    size_t len;
    const char *sections, *checks, *sources;
};
extern const struct wld_embedded_file wld_embedded_rules[];
extern const size_t wld_embedded_rules_count;
extern const char wld_embedded_rules_version[]; /* the "version" they hold */

#endif
