/* The built-in rules, loaded two ways (see wld/rules.h). Whole, in a thread beside the host's
 * probes: what `check` judges with, every check and the fingerprint. Or a file at a time,
 * for a command that looks up a few entries (`fit` reads one check of the 467 KB): the
 * build indexes each file's sections, check ids and source keys (cmake/embed.cmake), a
 * thread parses the files the command said it needs, and a lookup parses any other file
 * it reaches. fit's critical path was the 10.5 M instructions of parsing every file; one
 * file is 1.4 M. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/jsonarena.h"
#include "wld/rules.h"
#include "wld/util.h"

#include "rules_impl.h"

/* ---- whole, in a thread ---- */

struct wld_rules_loader {
    pthread_t thread;
    pthread_mutex_t mu;
    bool joined, fingerprint;
    struct wld_rules *got; /* what the thread loaded, or NULL and err */
    char *err;
};

static void *loader_main(void *arg)
{
    struct wld_rules_loader *l = arg;
    /* the report will print the rules' sha256: taken here too, while the probes run */
    if (wld_rules_load_embedded(&l->got, &l->err) == 0 && l->fingerprint)
        wld_rules_sha256(l->got);
    return NULL;
}

int wld_rules_load_embedded_async(bool fingerprint, struct wld_rules **ret, char **err)
{
    struct wld_rules_loader *l = wld_xcalloc(1, sizeof(*l));
    l->fingerprint = fingerprint;
    pthread_mutex_init(&l->mu, NULL);
    if (pthread_create(&l->thread, NULL, loader_main, l) != 0) {
        pthread_mutex_destroy(&l->mu);
        free(l);
        return wld_rules_load_embedded(ret, err); /* no thread to be had: load now */
    }
    struct wld_rules *r = wld_xcalloc(1, sizeof(*r));
    r->origin = wld_xstrdup("embedded rules");
    r->loader = l;
    *ret = r;
    return 0;
}

/* The built-in rules failing to load is a broken build (the build validates them): said,
 * and the run ends as for unusable rules. */
static void broken(const char *err)
{
    fprintf(stderr, "wsl-llm-doctor: unusable rules: %s\n", err ? err : "?");
    exit(2);
}

/* Waits for the loading thread once; its document becomes r's. The struct was allocated
 * by the loader (never a const object), so completing it through a cast is sound. */
struct wld_rules *wld_rules_ready_(const struct wld_rules *cr)
{
    struct wld_rules *r = (struct wld_rules *) cr;
    struct wld_rules_loader *l = r->loader;
    if (!l)
        return r;
    pthread_mutex_lock(&l->mu);
    if (!l->joined) {
        pthread_join(l->thread, NULL);
        l->joined = true;
        if (!l->got)
            broken(l->err);
        r->doc_ = l->got->doc_;
        r->version_ = l->got->version_;
        r->in_arena = l->got->in_arena;
        memcpy(r->sha256, l->got->sha256, sizeof(r->sha256));
        l->got->doc_ = NULL;
        wld_rules_free(l->got);
        l->got = NULL;
    }
    pthread_mutex_unlock(&l->mu);
    return r;
}

static void loader_free(struct wld_rules *r)
{
    wld_rules_ready_(r);
    pthread_mutex_destroy(&r->loader->mu);
    free(r->loader->err);
    free(r->loader);
}

/* ---- a file at a time ---- */

struct wld_rules_lazy {
    pthread_mutex_t mu; /* held around every parse and every lookup in parts */
    pthread_t thread;
    bool threaded;             /* the thread runs or ran, and is joined at free */
    const char *const *checks; /* the need: what the thread parses (borrowed) */
    const char *const *sections;
    cJSON **parts;           /* each file's document, once parsed */
    bool *in_arena;          /* ... and whether all of it is in the JSON arena */
    struct wld_rules *whole; /* the merged document, once a caller asks for it */
};

/* "\tname\t" in an index list (cmake/embed.cmake writes them so) */
static bool listed(const char *list, const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        return false;
    for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
        if (p[-1] == '\t' && p[n] == '\t')
            return true;
    return false;
}

/* File i's document, parsed now if it was not yet; under the lock. */
static const cJSON *part(struct wld_rules_lazy *z, size_t i)
{
    if (!z->parts[i]) {
        const struct wld_embedded_file *f = &wld_embedded_rules[i];
        wld_json_arena_begin_serial();
        z->parts[i] = cJSON_ParseWithLength((const char *) f->data, f->len);
        wld_json_arena_end();
        z->in_arena[i] = wld_json_arena_held_all();
        if (!z->parts[i])
            broken(f->name); /* the build parsed it: this is memory or a broken binary */
    }
    return z->parts[i];
}

/* The file whose index (which: its sections, checks or sources) lists name, or -1. */
static long file_of(const char *name, size_t which)
{
    for (size_t i = 0; i < wld_embedded_rules_count; i++) {
        const struct wld_embedded_file *f = &wld_embedded_rules[i];
        const char *list = which == 0 ? f->sections : which == 1 ? f->checks : f->sources;
        if (listed(list, name))
            return (long) i;
    }
    return -1;
}

/* File i parsed by the thread, the lock taken for that file alone: a caller that needs the
 * first file works with it while the thread parses the next (log's matcher is built from
 * the signatures while the error codes are parsed). */
static void prefetch(struct wld_rules_lazy *z, size_t i)
{
    pthread_mutex_lock(&z->mu);
    part(z, i);
    pthread_mutex_unlock(&z->mu);
}

/* The files that define the sources node's "sources" arrays cite, at any depth: a check's
 * verdict lists their URLs, and 00-meta.json was parsed on the main thread at the end of
 * fit (0.9 M instructions after the model was read). */
static void prefetch_sources(struct wld_rules_lazy *z, const cJSON *node)
{
    for (const cJSON *c = node ? node->child : NULL; c; c = c->next) {
        if (!c->string || strcmp(c->string, "sources") != 0 || !cJSON_IsArray(c)) {
            prefetch_sources(z, c);
            continue;
        }
        const cJSON *key;
        cJSON_ArrayForEach(key, c)
        {
            long i = cJSON_IsString(key) ? file_of(key->valuestring, 2) : -1;
            if (i >= 0)
                prefetch(z, (size_t) i);
        }
    }
}

static void *prefetch_main(void *arg)
{
    struct wld_rules_lazy *z = arg;
    for (const char *const *c = z->checks; c && *c; c++) {
        long i = file_of(*c, 1);
        if (i < 0)
            continue;
        prefetch(z, (size_t) i);
        pthread_mutex_lock(&z->mu); /* parts[i] is written under it; its tree never again */
        const cJSON *check = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(z->parts[i], "checks"), *c);
        pthread_mutex_unlock(&z->mu);
        prefetch_sources(z, check);
    }
    for (const char *const *s = z->sections; s && *s; s++)
        for (size_t i = 0; i < wld_embedded_rules_count; i++)
            if (listed(wld_embedded_rules[i].sections, *s))
                prefetch(z, i);
    return NULL;
}

int wld_rules_load_embedded_lazy(const struct wld_rules_need *need, struct wld_rules **ret)
{
    struct wld_rules_lazy *z = wld_xcalloc(1, sizeof(*z));
    z->parts = wld_xcalloc(wld_embedded_rules_count, sizeof(*z->parts));
    z->in_arena = wld_xcalloc(wld_embedded_rules_count, sizeof(*z->in_arena));
    pthread_mutex_init(&z->mu, NULL);
    z->checks = need->checks;
    z->sections = need->sections;
    if ((z->checks && *z->checks) || (z->sections && *z->sections))
        z->threaded = pthread_create(&z->thread, NULL, prefetch_main, z) == 0;
    struct wld_rules *r = wld_xcalloc(1, sizeof(*r));
    r->origin = wld_xstrdup("embedded rules");
    r->version_ = wld_embedded_rules_version;
    r->lazy = z;
    *ret = r;
    return 0;
}

/* Member key of section in the file that which's index says holds key; under the lock. */
static const cJSON *
lookup(struct wld_rules_lazy *z, const char *section, size_t which, const char *key)
{
    pthread_mutex_lock(&z->mu);
    long i = file_of(key, which);
    const cJSON *got =
            i < 0 ? NULL
                  : cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetObjectItemCaseSensitive(part(z, (size_t) i), section), key);
    pthread_mutex_unlock(&z->mu);
    return got;
}

const cJSON *wld_rules_lazy_check_(const struct wld_rules *r, const char *id)
{
    return lookup(r->lazy, "checks", 1, id);
}

const cJSON *wld_rules_lazy_source_(const struct wld_rules *r, const char *key)
{
    return lookup(r->lazy, "sources", 2, key);
}

/* The section's object when one file alone has it (the common outcomes, the signatures, the
 * error codes), else NULL: the caller takes it from the whole document. */
const cJSON *wld_rules_lazy_section_(const struct wld_rules *r, const char *name, bool *whole)
{
    struct wld_rules_lazy *z = r->lazy;
    long only = -1;
    for (size_t i = 0; i < wld_embedded_rules_count; i++)
        if (listed(wld_embedded_rules[i].sections, name)) {
            if (only >= 0) {
                *whole = true;
                return NULL;
            }
            only = (long) i;
        }
    *whole = false;
    if (only < 0)
        return NULL;
    pthread_mutex_lock(&z->mu);
    const cJSON *got = cJSON_GetObjectItemCaseSensitive(part(z, (size_t) only), name);
    pthread_mutex_unlock(&z->mu);
    return got;
}

/* The merged document, loaded apart from the files (whose entries callers may hold). */
const cJSON *wld_rules_lazy_doc_(const struct wld_rules *r)
{
    struct wld_rules_lazy *z = r->lazy;
    char *err = NULL;
    pthread_mutex_lock(&z->mu);
    if (!z->whole && wld_rules_load_embedded(&z->whole, &err) < 0)
        broken(err);
    pthread_mutex_unlock(&z->mu);
    return z->whole->doc_;
}

static void lazy_free(struct wld_rules *r)
{
    struct wld_rules_lazy *z = r->lazy;
    if (z->threaded)
        pthread_join(z->thread, NULL);
    for (size_t i = 0; i < wld_embedded_rules_count; i++)
        if (!z->in_arena[i]) /* in the arena, freeing does nothing node by node */
            cJSON_Delete(z->parts[i]);
    wld_rules_free(z->whole);
    pthread_mutex_destroy(&z->mu);
    free(z->parts);
    free(z->in_arena);
    free(z);
}

void wld_rules_embedded_free_(struct wld_rules *r)
{
    if (r->loader)
        loader_free(r);
    if (r->lazy)
        lazy_free(r);
}
