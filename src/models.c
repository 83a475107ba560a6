/* Model discovery (see wld/models.h). */
#include "wld/models.h"

#include <string.h>
#include <sys/stat.h>

#include "wld/check.h"
#include "wld/gguf.h"
#include "wld/util.h"

#define MAX_VISITED 4000
#define MAX_DEPTH   6

struct scan {
    const struct wld_host *h;
    cJSON *models;
    unsigned visited;
};

/* A later shard of a split model (K > 1): its first shard stands for it, and the GGUF
 * reader reads all of them from there. */
static bool later_shard(const char *name)
{
    unsigned k, n;
    size_t prefix;
    return wld_gguf_split_name(name, &k, &n, &prefix) && k > 1;
}

static bool is_model_name(const char *dir, const char *name)
{
    if (wld_str_ends(name, ".gguf"))
        return !later_shard(name);
    /* ollama stores models as content-addressed blobs */
    return strstr(dir, "/.ollama/models/blobs") && wld_str_starts(name, "sha256");
}

static cJSON *add_model(struct scan *s, const char *path, const char *origin)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, s->models)
    {
        if (strcmp(wld_fact_str(m, "path"), path) == 0)
            return NULL;
    }
    if (cJSON_GetArraySize(s->models) >= WLD_MODELS_MAX)
        return NULL;
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "path", path);
    cJSON_AddStringToObject(e, "origin", origin);
    cJSON_AddItemToArray(s->models, e);
    return e;
}

static void scan_dir(struct scan *s, const char *dir, int depth)
{
    char **names = NULL;
    if (depth > MAX_DEPTH || s->visited > MAX_VISITED || wld_host_list(s->h, dir, 1024, &names) < 0)
        return;
    for (char **n = names; *n && s->visited < MAX_VISITED; n++) {
        char *p = wld_xasprintf("%s/%s", dir, *n);
        struct stat st;
        s->visited++;
        if (wld_host_stat(s->h, p, true, &st) == 0) {
            if (S_ISDIR(st.st_mode) && (*n)[0] != '.') {
                scan_dir(s, p, depth + 1);
            } else if (!S_ISDIR(st.st_mode) && is_model_name(dir, *n)) {
                /* a FIFO or a device named x.gguf is reported as what it is, not passed by */
                cJSON *e = add_model(s, p, "scan");
                if (e && !wld_str_ends(*n, ".gguf")) /* ollama keeps other blobs beside them */
                    cJSON_AddBoolToObject(e, "blob", true);
            }
        }
        free(p);
    }
    wld_strv_free(names);
}

void wld_models_find(const struct wld_host *h, const struct wld_options *opts, cJSON *models)
{
    static const char *const places[] = { "models",
                                          ".models",
                                          ".cache/llama.cpp",
                                          ".cache/huggingface/hub",
                                          ".ollama/models/blobs",
                                          ".lmstudio/models" };
    struct scan s = { .h = h, .models = models };
    for (char **m = opts ? opts->models : NULL; m && *m; m++)
        add_model(&s, *m, "--model");
    if (opts && opts->models_only)
        return;
    const char *env = wld_host_getenv(h, "LLAMA_ARG_MODEL");
    if (env && env[0] == '/')
        add_model(&s, env, "LLAMA_ARG_MODEL");
    const char *home = wld_host_home(h);
    for (size_t i = 0; home && i < WLD_ARRAY_SIZE(places); i++) {
        char *dir = wld_xasprintf("%s/%s", home, places[i]);
        scan_dir(&s, dir, 0);
        free(dir);
    }
}
