/* One file's text judged as a Docker daemon.json, a CDI spec or a compose file (see
 * wld/lint.h), by the readers container.gpu's gather uses (wld/engine_files.h,
 * wld/compose.h) and the words of its rules (rules/container.json: its outcomes, and its
 * "lint" param for what only a file shows). */
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/compose.h"
#include "wld/engine_files.h"
#include "wld/util.h"

#include "lint_impl.h"

#define CHECK "container.gpu"

/* The line of a parser's "line N" in err, or 0. */
static unsigned err_line(const char *err)
{
    const char *at = err ? strstr(err, "line ") : NULL;
    unsigned long n = at ? strtoul(at + 5, NULL, 10) : 0;
    return n < 1000000000ul ? (unsigned) n : 0;
}

static unsigned line_at_offset(const char *text, size_t off)
{
    unsigned line = 1;
    for (size_t i = 0; i < off && text[i]; i++)
        line += text[i] == '\n';
    return line;
}

/* Where the JSON string "s" (as a key when key, followed by ':') first appears in text at
 * or after *from: its line, or 0; *from moves past it. Good enough for a file as people
 * write it: the same key under two parents is told apart by starting after the parent. */
static unsigned json_find(const char *text, const char *s, bool key, size_t *from)
{
    size_t n = strlen(s);
    for (const char *p = strchr(text + *from, '"'); p; p = strchr(p + 1, '"')) {
        if (strncmp(p + 1, s, n) != 0 || p[n + 1] != '"')
            continue;
        const char *after = wld_str_skip_space(p + n + 2);
        if (key && *after != ':')
            continue;
        *from = (size_t) (p - text) + n + 2;
        return line_at_offset(text, (size_t) (p - text));
    }
    return 0;
}

static unsigned json_key_line(const char *text, const char *key)
{
    size_t from = 0;
    return json_find(text, key, true, &from);
}

/* What every kind does first: says what it cannot judge (the kind's own sentence from the
 * lint param, else the check's), and a file past the WLD_CAP_FILE lint reads (the rest is
 * said, never judged as if it were absent). Returns true when nothing more is judged. */
static bool begin(struct wld_lint_file *f,
                  const struct wld_rules *rules,
                  const char *text,
                  const char *kind,
                  bool truncated)
{
    const cJSON *lint = wld_lint_param(rules, CHECK);
    const char *own = wld_fact_str(cJSON_GetObjectItemCaseSensitive(lint, "kinds"), kind);
    f->not_judged = own ? own : wld_fact_str(lint, "not_judged");
    if (!truncated)
        return false;
    cJSON *v = cJSON_CreateObject();
    unsigned line = line_at_offset(text, strlen(text));
    cJSON_AddNumberToObject(v, "line", line);
    wld_lint_rule(f, rules, text, CHECK, "cut_read", line, v);
    cJSON_Delete(v);
    return true;
}

/* A file its reader refused: key's finding, at the line the reader's error names. */
static void refused(struct wld_lint_file *f,
                    const struct wld_rules *rules,
                    const char *text,
                    const char *key,
                    const char *err,
                    cJSON *vars)
{
    cJSON_AddStringToObject(vars, "error", err);
    wld_lint_rule(f, rules, text, CHECK, key, err_line(err), vars);
}

/* ---- daemon.json ---- */

static void
runtimes(const struct wld_rules *rules, const char *text, const cJSON *doc, struct wld_lint_file *f)
{
    const cJSON *all = cJSON_GetObjectItemCaseSensitive(doc, "runtimes"), *rt;
    size_t from = 0;
    unsigned at = json_find(text, "runtimes", true, &from);
    if (!all)
        return;
    if (!cJSON_IsObject(all)) {
        wld_lint_rule(f, rules, text, CHECK, "daemon_runtimes_not_object", at, NULL);
        return;
    }
    cJSON_ArrayForEach(rt, all)
    {
        size_t here = from;
        unsigned line = json_find(text, rt->string, true, &here);
        /* dockerd runs a runtime by its path, or a containerd shim by its runtimeType */
        if (wld_fact_str(rt, "path") || wld_fact_str(rt, "runtimeType"))
            continue;
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "runtime", rt->string);
        wld_lint_rule(f, rules, text, CHECK, "daemon_runtime_no_path", line ? line : at, v);
        cJSON_Delete(v);
    }
}

void wld_lint_daemon_json(const struct wld_rules *rules,
                          const char *text,
                          size_t n,
                          bool truncated,
                          struct wld_lint_file *f)
{
    cJSON *doc = NULL, *facts = cJSON_CreateObject(), *v = cJSON_CreateObject();
    char *err = NULL;
    if (begin(f, rules, text, "daemon-json", truncated))
        goto out;
    if (wld_engine_json_object(text, n, &doc, &err) < 0) {
        refused(f, rules, text, "daemon_json_invalid", err, v);
        goto out;
    }
    wld_engine_daemon_facts(doc, facts);
    const char *def = wld_engine_default_unknown(facts);
    if (def) {
        cJSON_AddStringToObject(v, "runtime", def);
        wld_lint_rule(f, rules, text, CHECK, "default_runtime_unknown",
                      json_key_line(text, "default-runtime"), v);
    }
    runtimes(rules, text, doc, f);
out:
    free(err);
    cJSON_Delete(v);
    cJSON_Delete(facts);
    cJSON_Delete(doc);
}

/* ---- CDI specs ---- */

/* The first path in the spec (any string: hostPath, a hook's path or argument) that lies
 * in a WSL driver-store folder; *folder set (caller frees). */
static const cJSON *store_path(const cJSON *node, char **folder)
{
    const cJSON *x;
    if (cJSON_IsString(node))
        return wld_engine_store_folder(node->valuestring, folder) ? node : NULL;
    cJSON_ArrayForEach(x, node)
    {
        const cJSON *found = store_path(x, folder);
        if (found)
            return found;
    }
    return NULL;
}

/* A node's line: the YAML reader's, else (JSON) where its key or value is in the text. */
static unsigned node_line(const char *text, const cJSON *node, const char *key)
{
    if (node && node->valueint > 0)
        return (unsigned) node->valueint;
    size_t from = 0;
    return key ? json_find(text, key, !node || !cJSON_IsString(node), &from) : 0;
}

static void cdi_problems(const struct wld_rules *rules,
                         const char *text,
                         const cJSON *spec,
                         struct wld_lint_file *f)
{
    cJSON *problems = wld_engine_cdi_problems(spec);
    const cJSON *p;
    const cJSON *devices = cJSON_GetObjectItemCaseSensitive(spec, "devices");
    cJSON_ArrayForEach(p, problems)
    {
        const char *key = wld_fact_str(p, "key");
        cJSON *v = cJSON_Duplicate(p, true);
        cJSON_AddStringToObject(v, "file", f->path);
        unsigned line = 0;
        if (strcmp(key, "cdi_device_no_name") == 0) {
            int i = (int) wld_fact_num(p, "device", 0);
            const cJSON *d = cJSON_GetArrayItem(devices, i);
            line = d && d->valueint > 0 ? (unsigned) d->valueint : node_line(text, NULL, "devices");
            cJSON_AddNumberToObject(v, "number", i + 1);
        } else if (cJSON_GetObjectItemCaseSensitive(spec, wld_fact_str(p, "field"))) {
            /* there, but empty or not a string */
            const char *field = wld_fact_str(p, "field");
            line = node_line(text, cJSON_GetObjectItemCaseSensitive(spec, field), field);
        }
        wld_lint_rule(f, rules, text, CHECK, key, line, v);
        cJSON_Delete(v);
    }
    cJSON_Delete(problems);
}

void wld_lint_cdi(const struct wld_rules *rules,
                  const char *text,
                  size_t n,
                  bool truncated,
                  struct wld_lint_file *f)
{
    cJSON *spec = NULL, *v = cJSON_CreateObject();
    char *err = NULL, *folder = NULL;
    cJSON_AddStringToObject(v, "file", f->path);
    if (begin(f, rules, text, "cdi", truncated))
        goto out;
    if (wld_engine_cdi_parse(f->path, text, n, &spec, &err) < 0) {
        refused(f, rules, text, "cdi_unreadable", err, v);
        goto out;
    }
    cdi_problems(rules, text, spec, f);
    const cJSON *at = store_path(spec, &folder);
    if (at) {
        /* a hook's link argument is SRC::DST: the path is SRC */
        const char *sep = strstr(at->valuestring, "::");
        char *path = sep ? wld_xstrndup(at->valuestring, (size_t) (sep - at->valuestring))
                         : wld_xstrdup(at->valuestring);
        cJSON_AddStringToObject(v, "path", path);
        free(path);
        cJSON_AddStringToObject(v, "folder", folder);
        size_t from = 0;
        unsigned line = at->valueint > 0 ? (unsigned) at->valueint
                                         : json_find(text, at->valuestring, false, &from);
        wld_lint_rule(f, rules, text, CHECK, "cdi_driver_store_pinned", line, v);
    }
out:
    free(folder);
    free(err);
    cJSON_Delete(v);
    cJSON_Delete(spec);
}

/* ---- compose files ---- */

void wld_lint_compose(const struct wld_rules *rules,
                      const char *text,
                      size_t n,
                      bool truncated,
                      struct wld_lint_file *f)
{
    cJSON *doc = NULL, *v = cJSON_CreateObject();
    char *err = NULL;
    if (begin(f, rules, text, "compose", truncated))
        goto out;
    if (wld_compose_read(text, n, &doc, &err) < 0) {
        cJSON_AddStringToObject(v, "file", f->path);
        refused(f, rules, text, "compose_unreadable", err, v);
        goto out;
    }
    const cJSON *s, *p;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "services"))
    {
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(s, "problems"))
        {
            wld_lint_rule(f, rules, text, CHECK, wld_fact_str(p, "outcome"),
                          (unsigned) wld_fact_num(p, "line", 0), p);
        }
    }
out:
    free(err);
    cJSON_Delete(v);
    cJSON_Delete(doc);
}
