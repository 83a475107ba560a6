/* Model discovery (see wld/models.h).
 *
 * The walk reads every entry of the directories it visits, in name order, and looks
 * closer (stat) only at directories, links and names that are models, so ten thousand
 * other files in ~/models cost a listing, not ten thousand stats. Directories are visited
 * once each by device and inode (a symlink loop is a cycle, not 256 copies of a model) and
 * each model file is counted once however many paths reach it. Budgets bound the work;
 * when one is hit, facts.scan says which and where, and the checks say so. */
#include "wld/models.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/check.h"
#include "wld/gguf.h"
#include "wld/nodeset.h"
#include "wld/util.h"

#define SCAN_ENTRIES 200000 /* directory entries read, all directories together */
#define SCAN_LOOKS   20000  /* stat calls: directories, links and model names */
#define MAX_DEPTH    8

struct scan {
    const struct wld_host *h;
    cJSON *models;
    size_t dirs, entries, looks;
    struct wld_nodeset seen_dirs, seen_files;
    cJSON *facts; /* for facts.scan */
};

/* The first budget hit: why and where, in facts.scan. */
static void cut(struct scan *s, const char *why, const char *where)
{
    cJSON *scan = cJSON_GetObjectItemCaseSensitive(s->facts, "scan");
    if (cJSON_GetObjectItemCaseSensitive(scan, "cut"))
        return;
    cJSON_AddStringToObject(scan, "cut", why);
    cJSON_AddStringToObject(scan, "cut_at", where);
}

/* A later shard of a split model (K > 1): its first shard stands for it, and the GGUF
 * reader reads all of them from there. */
static bool later_shard(const char *name)
{
    unsigned k, n;
    size_t prefix;
    return wld_gguf_split_name(name, &k, &n, &prefix) && k > 1;
}

/* ollama stores models as content-addressed blobs in <models>/blobs: "sha256-<hex>"
 * ("sha256:<hex>" before 0.1.33); "-partial" downloads are not served. */
static bool is_blob_name(const char *dir, const char *name)
{
    if (!wld_str_ends(dir, "/blobs") ||
        !(wld_str_starts(name, "sha256-") || wld_str_starts(name, "sha256:")))
        return false;
    size_t hex = strspn(name + 7, "0123456789abcdef");
    return hex >= 12 && name[7 + hex] == '\0';
}

static bool is_model_name(const char *dir, const char *name)
{
    if (wld_str_ends(name, ".gguf"))
        return !later_shard(name);
    return is_blob_name(dir, name);
}

/* An ollama blob that is not a model: its chat template, parameters, licence and system
 * prompt sit beside the weights under sha256 names; only the weights start with GGUF's
 * magic. A blob that cannot be read stays a model, so the checks say why. */
static bool other_blob(struct scan *s, const char *name, const char *path, const struct stat *st)
{
    if (wld_str_ends(name, ".gguf") || !S_ISREG(st->st_mode))
        return false;
    struct wld_buf b;
    if (wld_host_read_range(s->h, path, 0, 4, &b) < 0)
        return false;
    bool other = b.len < 4 || memcmp(b.data, "GGUF", 4) != 0;
    wld_buf_release(&b);
    return other;
}

static cJSON *add_model(struct scan *s, const char *path, const char *origin)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, s->models)
    {
        if (wld_str_is(wld_fact_str(m, "path"), path))
            return NULL;
    }
    if (cJSON_GetArraySize(s->models) >= WLD_MODELS_MAX) {
        cut(s, "more than " WLD_STR(WLD_MODELS_MAX) " model files", path);
        return NULL;
    }
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "path", path);
    cJSON_AddStringToObject(e, "origin", origin);
    cJSON_AddItemToArray(s->models, e);
    return e;
}

/* Whether an entry needs a closer look: a directory to walk, a link or an entry of unknown
 * type that may be either, or a model's name. */
static bool worth_a_look(const struct wld_dirent *e, bool model_name)
{
    if (model_name)
        return true;
    if (e->name[0] == '.') /* hidden directories are caches of other tools */
        return false;
    return e->type == DT_DIR || e->type == DT_LNK || e->type == DT_UNKNOWN;
}

static void scan_dir(struct scan *s, const char *dir, int depth)
{
    struct wld_dirent *ents = NULL;
    size_t n = 0;
    bool more = false;
    if (s->entries >= SCAN_ENTRIES) {
        cut(s, "more than " WLD_STR(SCAN_ENTRIES) " directory entries", dir);
        return;
    }
    if (wld_host_list_entries(s->h, dir, SCAN_ENTRIES - s->entries, &ents, &n, &more) < 0)
        return;
    s->dirs++;
    s->entries += n;
    if (more)
        cut(s, "more than " WLD_STR(SCAN_ENTRIES) " directory entries", dir);
    for (size_t i = 0; i < n; i++) {
        bool model_name = is_model_name(dir, ents[i].name);
        if (!worth_a_look(&ents[i], model_name))
            continue;
        if (s->looks++ >= SCAN_LOOKS) {
            cut(s, "more than " WLD_STR(SCAN_LOOKS) " directories, links and model files", dir);
            break;
        }
        char *p = wld_xasprintf("%s/%s", dir, ents[i].name);
        struct stat st;
        if (wld_host_stat(s->h, p, true, &st) < 0) {
            if (model_name) /* a dangling link named like a model: reported missing */
                add_model(s, p, "scan");
        } else if (S_ISDIR(st.st_mode) && ents[i].name[0] != '.') {
            if (depth + 1 > MAX_DEPTH)
                cut(s, "directories nested deeper than " WLD_STR(MAX_DEPTH), p);
            else if (wld_nodeset_add(&s->seen_dirs, &st))
                scan_dir(s, p, depth + 1);
        } else if (model_name && !S_ISDIR(st.st_mode) && !other_blob(s, ents[i].name, p, &st) &&
                   wld_nodeset_add(&s->seen_files, &st)) {
            /* a FIFO or a device named x.gguf is reported as what it is, not passed by */
            cJSON *e = add_model(s, p, "scan");
            if (e && !wld_str_ends(ents[i].name, ".gguf")) /* ollama's other blobs */
                cJSON_AddBoolToObject(e, "blob", true);
        }
        free(p);
    }
    wld_dirents_free(ents, n);
}

/* The models running servers load (-m, LLAMA_ARG_MODEL), and the directories a router
 * (--models-dir) or ollama (OLLAMA_MODELS) serves from, walked as the usual places are. */
static void running_models(struct scan *s, const cJSON *servers)
{
    const cJSON *srv;
    /* the models first: a router's directory holds its instances' models, which are
     * judged at the settings their instance runs with */
    cJSON_ArrayForEach(srv, cJSON_GetObjectItemCaseSensitive(servers, "servers"))
    {
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(srv, "args");
        const char *model = wld_fact_str(args, "model");
        if (!model || model[0] != '/' || !wld_host_exists(s->h, model))
            continue;
        char *origin = wld_xasprintf("running %s (process %.0f)", wld_fact_str(srv, "kind"),
                                     wld_fact_num(srv, "pid", 0));
        cJSON *e = add_model(s, model, origin);
        /* the settings it runs with, which models.fit judges it at unless told others */
        const cJSON *ctx = cJSON_GetObjectItemCaseSensitive(args, "ctx");
        if (e && cJSON_IsNumber(ctx)) {
            cJSON *with = cJSON_AddObjectToObject(e, "runs_with");
            cJSON_AddNumberToObject(with, "ctx", ctx->valuedouble);
            cJSON_AddStringToObject(with, "by", origin);
        }
        free(origin);
    }
    cJSON_ArrayForEach(srv, cJSON_GetObjectItemCaseSensitive(servers, "servers"))
    {
        const char *dir = wld_fact_str(cJSON_GetObjectItemCaseSensitive(srv, "args"), "models_dir");
        struct stat st;
        if (dir && dir[0] == '/' && wld_host_stat(s->h, dir, true, &st) == 0 &&
            S_ISDIR(st.st_mode) && wld_nodeset_add(&s->seen_dirs, &st))
            scan_dir(s, dir, 0);
    }
}

/* Walks dir when it is a directory not walked yet. */
static void scan_place(struct scan *s, const char *dir)
{
    struct stat st;
    if (wld_host_stat(s->h, dir, true, &st) == 0 && S_ISDIR(st.st_mode) &&
        wld_nodeset_add(&s->seen_dirs, &st))
        scan_dir(s, dir, 0);
}

/* OLLAMA_MODELS of ollama runtime r, when it names a directory; else NULL. */
static const char *ollama_models_dir(const cJSON *r)
{
    const char *v =
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(
                                 cJSON_GetObjectItemCaseSensitive(r, "env"), "OLLAMA_MODELS"),
                         "value");
    return v && v[0] == '/' ? v : NULL;
}

/* The ollama runtime that serves blob path: the one whose OLLAMA_MODELS holds it, else
 * the first that keeps its models in the default place (~/.ollama/models of the user it
 * runs as); NULL when none. */
static const cJSON *ollama_serving(const cJSON *runtimes, const char *path)
{
    const cJSON *r, *fallback = NULL;
    cJSON_ArrayForEach(r, runtimes)
    {
        if (!wld_str_is(wld_fact_str(r, "kind"), "ollama"))
            continue;
        const char *dir = ollama_models_dir(r);
        size_t n = dir ? strlen(dir) : 0;
        if (dir && strncmp(path, dir, n) == 0 && strncmp(path + n, "/blobs/", 7) == 0)
            return r;
        if (!dir && !fallback)
            fallback = r;
    }
    return fallback;
}

/* A blob is judged at the settings ollama loads it with: its version and the environment
 * that decides the context, the parallel sequences and the KV cache (models.fit turns
 * them into settings with its rules). */
static void ollama_runs_with(const cJSON *runtimes, cJSON *m)
{
    static const char *const names[] = { "OLLAMA_CONTEXT_LENGTH", "OLLAMA_NUM_PARALLEL",
                                         "OLLAMA_KV_CACHE_TYPE", "OLLAMA_FLASH_ATTENTION" };
    const cJSON *r = ollama_serving(runtimes, wld_fact_str(m, "path"));
    if (!r)
        return;
    cJSON *with = cJSON_AddObjectToObject(m, "runs_with");
    cJSON_AddStringToObject(with, "by", wld_fact_str(r, "name"));
    cJSON *o = cJSON_AddObjectToObject(with, "ollama");
    cJSON_AddStringToObject(o, "runtime", wld_fact_str(r, "id"));
    if (wld_fact_str(r, "version"))
        cJSON_AddStringToObject(o, "version", wld_fact_str(r, "version"));
    cJSON *env = cJSON_AddObjectToObject(o, "env");
    const cJSON *from = cJSON_GetObjectItemCaseSensitive(r, "env");
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(from, names[i]);
        if (e)
            cJSON_AddItemToObject(env, names[i], cJSON_Duplicate(e, true));
    }
}

/* The models directories of the ollama runtimes (OLLAMA_MODELS), walked as the usual
 * places are. */
static void ollama_models(struct scan *s, const cJSON *runtimes)
{
    const cJSON *r;
    cJSON_ArrayForEach(r, runtimes)
    {
        const char *dir =
                wld_str_is(wld_fact_str(r, "kind"), "ollama") ? ollama_models_dir(r) : NULL;
        if (dir) {
            char *blobs = wld_xasprintf("%s/blobs", dir);
            scan_place(s, blobs);
            free(blobs);
        }
    }
}

void wld_models_find(const struct wld_host *h,
                     const struct wld_options *opts,
                     const cJSON *servers,
                     const cJSON *services,
                     const cJSON *runtimes,
                     cJSON *facts)
{
    static const char *const places[] = { "models",
                                          ".models",
                                          ".cache/llama.cpp",
                                          ".cache/huggingface/hub",
                                          ".ollama/models/blobs",
                                          ".lmstudio/models" };
    struct scan s = { .h = h, .models = cJSON_AddArrayToObject(facts, "models"), .facts = facts };
    cJSON *scan = cJSON_AddObjectToObject(facts, "scan");
    for (char **m = opts ? opts->models : NULL; m && *m; m++)
        add_model(&s, *m, "--model");
    if (!opts || !opts->models_only) {
        const char *env = wld_host_getenv(h, "LLAMA_ARG_MODEL");
        if (env && env[0] == '/')
            add_model(&s, env, "LLAMA_ARG_MODEL");
        running_models(&s, servers);
        /* the model a service loads */
        const cJSON *u;
        cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(services, "units"))
        {
            const cJSON *m = cJSON_GetObjectItemCaseSensitive(u, "model");
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(u, "name");
            if (cJSON_IsString(m) && cJSON_IsString(name) &&
                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(u, "model_exists"))) {
                char *origin = wld_xasprintf("systemd unit %s", name->valuestring);
                add_model(&s, m->valuestring, origin);
                free(origin);
            }
        }
        ollama_models(&s, runtimes);
        const char *home = wld_host_home(h);
        for (size_t i = 0; home && i < WLD_ARRAY_SIZE(places); i++) {
            char *dir = wld_xasprintf("%s/%s", home, places[i]);
            scan_place(&s, dir);
            free(dir);
        }
        /* ollama's service: install.sh makes its user's home /usr/share/ollama */
        scan_place(&s, "/usr/share/ollama/.ollama/models/blobs");
        cJSON *m;
        cJSON_ArrayForEach(m, s.models)
        {
            if (wld_fact_bool(m, "blob", false))
                ollama_runs_with(runtimes, m);
        }
    }
    cJSON_AddNumberToObject(scan, "directories", (double) s.dirs);
    cJSON_AddNumberToObject(scan, "entries", (double) s.entries);
    wld_nodeset_release(&s.seen_dirs);
    wld_nodeset_release(&s.seen_files);
}

bool wld_models_scan_cut(const cJSON *facts, struct wld_finding *f)
{
    const cJSON *scan = cJSON_GetObjectItemCaseSensitive(facts, "scan");
    if (!wld_fact_str(scan, "cut"))
        return false;
    wld_finding_var(f, "scan_why", wld_fact_str(scan, "cut"));
    wld_finding_var(f, "scan_at", wld_fact_str(scan, "cut_at"));
    return true;
}
