/* Rules loading and lookup (see wld/rules.h): the embedded rules, a --rules file or pipe,
 * or texts merged in order into one document, validated whole (src/pipeline/rules_validate.c;
 * the embedded rules when the binary is built, not on every start) and fingerprinted only
 * when a report asks (wld_rules_sha256); then the lookups every
 * verdict is made from, and the rendering of a rules template with its variables. */
#include "wld/rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/jsonarena.h"
#include "wld/sha256.h"
#include "wld/util.h"

#include "rules_impl.h"

#define RULES_CAP (4u * 1024u * 1024u)

/* Moves src's object members into dst's (src is left without them); a key defined twice
 * is an error (unless trusted: the embedded rules, whose build checked it; the lookup is a
 * walk of dst, 45,000 string compares for the sources alone). Moving, not copying: the
 * embedded rules are parsed on every start. */
static int
merge_object(cJSON *dst, cJSON *src, const char *what, const char *name, bool trusted, char **err)
{
    cJSON *item = src->child;
    while (item) {
        cJSON *next = item->next;
        if (!trusted && cJSON_GetObjectItemCaseSensitive(dst, item->string))
            return wld_errorf(err, -EINVAL, "%s: %s \"%s\" is defined twice", name, what,
                              item->string);
        cJSON_AddItemToObject(dst, item->string, cJSON_DetachItemViaPointer(src, item));
        item = next;
    }
    return 0;
}

/* Moves part's members into doc (part keeps what was not moved; caller deletes it). */
static int merge_into(cJSON *doc, cJSON *part, const char *name, bool trusted, char **err)
{
    if (!cJSON_IsObject(part))
        return wld_errorf(err, -EINVAL, "%s: the top level must be a JSON object", name);
    cJSON *item = part->child;
    while (item) {
        cJSON *next = item->next;
        cJSON *have = cJSON_GetObjectItemCaseSensitive(doc, item->string);
        if (cJSON_IsObject(item) &&
            (strcmp(item->string, "sources") == 0 || strcmp(item->string, "checks") == 0 ||
             strcmp(item->string, "common") == 0 || strcmp(item->string, "signatures") == 0 ||
             strcmp(item->string, "signature_params") == 0)) {
            if (!have)
                have = cJSON_AddObjectToObject(doc, item->string);
            int r = merge_object(have, item, item->string, name, trusted, err);
            if (r < 0)
                return r;
        } else if (have) {
            if (!cJSON_Compare(have, item, true))
                return wld_errorf(err, -EINVAL, "%s: \"%s\" disagrees with an earlier rules file",
                                  name, item->string);
        } else {
            cJSON_AddItemToObject(doc, item->string, cJSON_DetachItemViaPointer(part, item));
        }
        item = next;
    }
    return 0;
}

/* trusted: the embedded rules, validated when the binary was built (CMakeLists.txt runs
 * `wsl-llm-doctor --rules` on them after linking), are not validated again on every start:
 * that is a third of loading them. Any other text is. */
static int load_texts(const char *const *texts,
                      const size_t *lens,
                      const char *const *names,
                      size_t n,
                      const char *origin,
                      bool trusted,
                      struct wld_rules **ret,
                      char **err)
{
    wld_json_arena_begin();
    cJSON *doc = cJSON_CreateObject();
    int r = 0;
    for (size_t i = 0; i < n; i++) {
        const char *end = NULL;
        cJSON *part = cJSON_ParseWithLengthOpts(texts[i], lens[i], &end, false);
        if (!part) {
            size_t off = end && end >= texts[i] ? (size_t) (end - texts[i]) : 0;
            size_t line = 1;
            for (size_t k = 0; k < off && k < lens[i]; k++)
                line += texts[i][k] == '\n';
            r = wld_errorf(err, -EINVAL, "%s: not valid JSON (near line %zu)", names[i], line);
            goto out;
        }
        r = merge_into(doc, part, names[i], trusted, err);
        cJSON_Delete(part);
        if (r < 0)
            goto out;
    }
    r = trusted ? 0 : wld_rules_validate(doc, err);
    if (r < 0) {
        char *inner = *err;
        *err = wld_xasprintf("%s: %s", origin, inner);
        free(inner);
        goto out;
    }
    struct wld_rules *rules = wld_xcalloc(1, sizeof(*rules));
    rules->doc_ = doc;
    rules->version_ = wld_fact_str(doc, "version");
    rules->origin = wld_xstrdup(origin);
    wld_json_arena_end();
    rules->in_arena = wld_json_arena_held_all();
    *ret = rules;
    return 0;
out:
    cJSON_Delete(doc);
    wld_json_arena_end();
    return r;
}

int wld_rules_load_texts(const char *const *texts,
                         const size_t *lens,
                         const char *const *names,
                         size_t n,
                         const char *origin,
                         struct wld_rules **ret,
                         char **err)
{
    return load_texts(texts, lens, names, n, origin, false, ret, err);
}

int wld_rules_load_embedded(struct wld_rules **ret, char **err)
{
    size_t n = wld_embedded_rules_count;
    const char **texts = wld_xcalloc(n, sizeof(char *));
    const char **names = wld_xcalloc(n, sizeof(char *));
    size_t *lens = wld_xcalloc(n, sizeof(size_t));
    for (size_t i = 0; i < n; i++) {
        texts[i] = (const char *) wld_embedded_rules[i].data;
        lens[i] = wld_embedded_rules[i].len;
        names[i] = wld_embedded_rules[i].name;
    }
    int r = load_texts(texts, lens, names, n, "embedded rules", true, ret, err);
    free(texts);
    free(names);
    free(lens);
    return r;
}

/* Reads the whole of fd into b: a regular file as it is, a pipe or FIFO (`--rules
 * <(...)`) until its writer closes it or the deadline passes, so a FIFO nobody writes to
 * cannot hang the doctor. Returns 0 or -errno (-ETIMEDOUT). */
int wld_rules_load_file(const char *path, double timeout_ms, struct wld_rules **ret, char **err)
{
    struct wld_buf b;
    unsigned mode = 0;
    int r = wld_read_named_file(path, RULES_CAP, timeout_ms, &b, &mode);
    if (r == -EISDIR || r == -EINVAL)
        return wld_errorf(err, r, "rules file %s is %s, not a JSON file", path,
                          wld_file_type_name(mode));
    if (r < 0)
        return wld_errorf(err, r, "cannot read rules file %s: %s", path,
                          r == -ETIMEDOUT ? "nothing finished writing it before the deadline"
                          : r == -EFBIG   ? "larger than 4 MiB"
                                          : strerror(-r));
    if (b.len == 0) {
        wld_buf_release(&b);
        return wld_errorf(err, -EINVAL, "rules file %s is empty%s", path,
                          S_ISFIFO(mode) ? " (no process is writing to the FIFO)" : "");
    }
    const char *texts[1] = { b.data };
    size_t lens[1] = { b.len };
    const char *names[1] = { path };
    r = wld_rules_load_texts(texts, lens, names, 1, path, ret, err);
    wld_buf_release(&b);
    return r;
}

const char *wld_rules_sha256(const struct wld_rules *r)
{
    /* A cache in a struct the loader allocated (never a const object), so filling it
     * through a cast is sound; the document is not changed after loading, so the digest
     * is the one loading would have taken. */
    struct wld_rules *m = wld_rules_ready_(r); /* the loader may have taken it */
    if (!m->sha256[0]) {
        char *canon = cJSON_PrintUnformatted(wld_rules_doc(m));
        if (!canon)
            abort();
        wld_sha256_hex(canon, strlen(canon), m->sha256);
        free(canon);
    }
    return m->sha256;
}

const cJSON *wld_rules_doc(const struct wld_rules *r)
{
    return r->lazy ? wld_rules_lazy_doc_(r) : wld_rules_ready_(r)->doc_;
}

const char *wld_rules_version(const struct wld_rules *r)
{
    return wld_rules_ready_(r)->version_;
}

const cJSON *wld_rules_section(const struct wld_rules *r, const char *name)
{
    bool whole = true;
    const cJSON *got = r->lazy ? wld_rules_lazy_section_(r, name, &whole) : NULL;
    return whole ? cJSON_GetObjectItemCaseSensitive(wld_rules_doc(r), name) : got;
}

void wld_rules_free(struct wld_rules *r)
{
    if (!r)
        return;
    wld_rules_embedded_free_(r);
    /* 25,000 nodes walked to free nothing, at the end of every command, when all are in
     * the arena (whose frees do nothing); the arena's block lives as long as the process */
    if (!r->in_arena)
        cJSON_Delete(r->doc_);
    free(r->origin);
    free(r);
}

const cJSON *wld_rules_check(const struct wld_rules *r, const char *id)
{
    if (r->lazy)
        return wld_rules_lazy_check_(r, id);
    return cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(wld_rules_doc(r), "checks"), id);
}

const cJSON *wld_rules_outcome(const struct wld_rules *r, const char *id, const char *outcome)
{
    const cJSON *c = wld_rules_check(r, id);
    return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c, "outcomes"),
                                            outcome);
}

const cJSON *wld_rules_common(const struct wld_rules *r, const char *outcome)
{
    return cJSON_GetObjectItemCaseSensitive(wld_rules_section(r, "common"), outcome);
}

const cJSON *wld_rules_source(const struct wld_rules *r, const char *key)
{
    if (r->lazy)
        return wld_rules_lazy_source_(r, key);
    return cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(wld_rules_doc(r), "sources"), key);
}

cJSON *wld_rules_source_urls(const struct wld_rules *r, const cJSON *keys)
{
    cJSON *urls = cJSON_CreateArray();
    const cJSON *k;
    cJSON_ArrayForEach(k, keys)
    {
        const cJSON *src = cJSON_IsString(k) ? wld_rules_source(r, k->valuestring) : NULL;
        const cJSON *url = cJSON_GetObjectItemCaseSensitive(src, "url");
        if (cJSON_IsString(url))
            cJSON_AddItemToArray(urls, cJSON_CreateString(url->valuestring));
    }
    return urls;
}

char *wld_template_render(const char *tmpl, const cJSON *vars)
{
    struct wld_buf b;
    wld_buf_init(&b, 64 * 1024);
    const char *p = tmpl;
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open) {
            wld_buf_puts(&b, p);
            break;
        }
        wld_buf_append(&b, p, (size_t) (open - p));
        const char *close = strchr(open + 1, '}');
        size_t len = close ? (size_t) (close - open - 1) : 0;
        char name[64];
        const cJSON *v = NULL;
        if (close && len > 0 && len < sizeof(name)) {
            memcpy(name, open + 1, len);
            name[len] = '\0';
            v = cJSON_GetObjectItemCaseSensitive(vars, name);
        }
        if (cJSON_IsString(v)) {
            wld_buf_puts(&b, v->valuestring);
        } else if (cJSON_IsNumber(v)) {
            wld_buf_printf(&b, "%g", v->valuedouble);
        } else if (cJSON_IsBool(v)) {
            wld_buf_puts(&b, cJSON_IsTrue(v) ? "true" : "false");
        } else {
            wld_buf_append(&b, open, close ? len + 2 : 1);
            p = close ? close + 1 : open + 1;
            continue;
        }
        p = close + 1;
    }
    return wld_buf_detach(&b);
}
