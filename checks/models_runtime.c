/* models.runtime: each model's architecture is known to the runtime that loads it.
 *
 * A runtime older than the model refuses it at load with "unknown model architecture:
 * 'qwen3moe'", the most common failure in real threads after "it runs on the CPU". The
 * names a runtime knows are in its own file (llama.cpp's table, wld/archnames.h), and the
 * first llama.cpp build that knows each one is rules data from llama.cpp's history, so the
 * doctor says it before any load, with the upgrade that fixes it. A model whose
 * architecture is known passes silently. */
#include <stdlib.h>
#include <string.h>

#include "wld/archnames.h"
#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/llama.h"
#include "wld/util.h"

/* Whether model m is one runtime kind loads: ollama its own blobs and what a running ollama
 * serves; a running llama-server's model its build's; any other model every runtime but
 * ollama (which loads only what it pulled or created). */
static bool loads(const cJSON *m, const char *kind)
{
    const char *path = wld_fact_str(m, "path"), *origin = wld_fact_str(m, "origin");
    bool ollamas = (path && strstr(path, "/blobs/sha256")) ||
                   (origin && wld_str_starts(origin, "running ollama"));
    if (strcmp(kind, "ollama") == 0)
        return ollamas;
    if (origin && wld_str_starts(origin, "running llama-server"))
        return strcmp(kind, "llama.cpp") == 0;
    return !ollamas;
}

static const cJSON *obj(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The libllama.so among a build's libraries, else its binary (a static build). */
static char *llama_file(const cJSON *build, const char **from)
{
    const cJSON *l;
    cJSON_ArrayForEach(l, obj(build, "libs"))
    {
        const char *name = wld_fact_str(l, "name"), *path = wld_fact_str(l, "path");
        if (name && path && wld_str_starts(name, "libllama.so")) {
            *from = "libs";
            return wld_xstrdup(path);
        }
    }
    *from = "binary";
    const char *bin = wld_fact_str(build, "binary");
    return bin ? wld_xstrdup(bin) : NULL;
}

/* The file holding the runtime's architecture table. ollama since 0.30 runs llama.cpp's own
 * llama-server from its library directory (libllama.so beside it); before, llama.cpp was
 * linked into the ollama binary. llama-cpp-python loads llama_cpp/lib/libllama.so. */
static char *table_file(const struct wld_host *h, const cJSON *r, const char **from)
{
    const char *kind = wld_fact_str(r, "kind"), *lib = wld_fact_str(r, "lib_dir");
    if (kind && strcmp(kind, "llama.cpp") == 0)
        return llama_file(obj(r, "build"), from);
    static const char *const in_lib[] = { "libllama.so", "llama-server" };
    for (size_t i = 0; lib && i < sizeof(in_lib) / sizeof(in_lib[0]); i++) {
        char *p = wld_xasprintf("%s/%s", lib, in_lib[i]);
        if (wld_host_exists(h, p)) {
            *from = "lib_dir";
            return p;
        }
        free(p);
    }
    *from = "binary";
    const char *bin = kind && strcmp(kind, "ollama") == 0 ? wld_fact_str(r, "binary") : NULL;
    return bin ? wld_xstrdup(bin) : NULL;
}

/* Whether m is one of ollama's blobs that hold no model (a template, parameters, a
 * licence, which share the store's sha256- names): no GGUF magic. */
/* Each model this runtime loads, with its architecture as the inventory read it (once,
 * however many runtimes load the model). */
static void gather_models(const struct wld_gather_ctx *ctx,
                          const char *kind,
                          cJSON *facts,
                          struct wld_archnames *a)
{
    const cJSON *found = wld_inventory_get(ctx->inv, WLD_INV_MODELS), *m;
    const cJSON *archs = obj(wld_inventory_get(ctx->inv, WLD_INV_MODEL_ARCHS), "archs");
    cJSON *models = cJSON_AddArrayToObject(facts, "models");
    cJSON_ArrayForEach(m, obj(found, "models"))
    {
        if (!loads(m, kind))
            continue;
        const char *path = wld_fact_str(m, "path");
        const cJSON *x = obj(archs, path);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(models, e);
        cJSON_AddStringToObject(e, "path", path);
        cJSON_AddStringToObject(e, "origin", wld_fact_str(m, "origin"));
        const char *arch = wld_fact_str(x, "arch");
        int rc = arch ? wld_archnames_add(a, arch) : 0;
        if (arch && rc == 0)
            cJSON_AddStringToObject(e, "arch", arch);
        else if (arch)
            wld_fact_errno(e, "arch_error", rc);
        else
            cJSON_AddStringToObject(e, "arch_error",
                                    wld_fact_str(x, "arch_error") ? wld_fact_str(x, "arch_error")
                                                                  : "ENOENT");
    }
}

static void add_scan(cJSON *facts, const struct wld_archnames *a)
{
    cJSON_AddStringToObject(facts, "where", a->where ? a->where : "none");
    cJSON_AddNumberToObject(facts, "scanned", (double) a->scanned);
    cJSON_AddBoolToObject(facts, "table", a->has_table);
    cJSON *seen = cJSON_AddObjectToObject(facts, "seen");
    for (size_t i = 0; i < a->n; i++)
        cJSON_AddStringToObject(seen, a->names[i], wld_arch_seen_name(a->seen[i]));
    if (!a->go_engine)
        return;
    cJSON *pkgs = cJSON_AddArrayToObject(facts, "go_engine");
    for (size_t i = 0; i < a->n_pkgs; i++)
        cJSON_AddItemToArray(pkgs, cJSON_CreateString(a->pkgs[i]));
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const cJSON *r = ctx->runtime;
    const char *kind = wld_fact_str(r, "kind"), *from = NULL;
    if (!r || !kind)
        return 0; /* no runtime: evaluate() says so */
    struct wld_archnames *a = wld_xcalloc(1, sizeof(*a));
    gather_models(ctx, kind, facts, a);
    char *file = table_file(ctx->host, r, &from);
    const cJSON *build = obj(r, "build");
    static const char *const tree[] = { "source_dir", "build_dir" };
    for (size_t i = 0; i < 2; i++)
        if (wld_fact_str(build, tree[i]))
            cJSON_AddStringToObject(facts, tree[i], wld_fact_str(build, tree[i]));
    if (wld_fact_str(r, "python"))
        cJSON_AddStringToObject(facts, "python", wld_fact_str(r, "python"));
    if (file && a->n) {
        cJSON_AddStringToObject(facts, "file", file);
        cJSON_AddStringToObject(facts, "file_from", from);
        int rc = wld_archnames_read(ctx->host, file, a);
        if (rc < 0)
            wld_fact_errno(facts, "error", rc);
        else
            add_scan(facts, a);
    } else if (file) {
        cJSON_AddStringToObject(facts, "file", file);
    }
    free(file);
    free(a);
    return 0;
}

/* Outcomes from worst to best: the worst model decides. */
static const char *const outcomes[] = { "arch_unknown",
                                        "arch_unknown_ollama",
                                        "arch_unknown_python",
                                        "arch_unknown_new",
                                        "unknown_no_table",
                                        "unreadable",
                                        "ok",
                                        "no_runtime_file",
                                        "no_models",
                                        "no_runtime",
                                        NULL };
static const char *const params[] = { "arch_first_build", "ollama_engine", NULL };

/* Whether ollama's own engine (ollama before 0.30) runs arch: its package is in the binary. */
static bool in_go_engine(const struct wld_eval_ctx *ctx, const cJSON *mine, const char *arch)
{
    const cJSON *pkgs = obj(wld_param(ctx, "ollama_engine"), "packages"), *p, *n;
    cJSON_ArrayForEach(p, pkgs)
    {
        cJSON_ArrayForEach(n, p)
        {
            if (!cJSON_IsString(n) || strcmp(n->valuestring, arch) != 0)
                continue;
            const cJSON *have;
            cJSON_ArrayForEach(have, obj(mine, "go_engine"))
            {
                if (cJSON_IsString(have) && strcmp(have->valuestring, p->string) == 0)
                    return true;
            }
        }
    }
    return false;
}

static const char *unknown_outcome(const char *kind)
{
    if (strcmp(kind, "ollama") == 0)
        return "arch_unknown_ollama";
    if (strcmp(kind, "python") == 0)
        return "arch_unknown_python";
    return "arch_unknown";
}

/* The verdict on one model m of the runtime: ok, or which unknown. */
static const char *
judge_model(const struct wld_eval_ctx *ctx, const char *kind, const cJSON *m, cJSON *vars)
{
    const char *arch = wld_fact_str(m, "arch"), *path = wld_fact_str(m, "path");
    const char *seen = wld_fact_str(obj(ctx->mine, "seen"), arch ? arch : "");
    if (!arch || !seen || strcmp(seen, "absent") != 0 || in_go_engine(ctx, ctx->mine, arch))
        return "ok";
    const char *base = path ? strrchr(path, '/') : NULL;
    cJSON_AddStringToObject(vars, "model", base ? base + 1 : path ? path : "?");
    cJSON_AddStringToObject(vars, "arch", arch);
    const cJSON *first = obj(wld_param(ctx, "arch_first_build"), arch);
    if (!cJSON_IsObject(first))
        return "arch_unknown_new";
    cJSON_AddNumberToObject(vars, "first_build", wld_fact_num(first, "build", 0));
    const char *date = wld_fact_str(first, "date");
    cJSON_AddStringToObject(vars, "first_date", date ? date : "?");
    return unknown_outcome(kind);
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *mine = ctx->mine, *rt = obj(mine, "for_runtime"), *m;
    const char *kind = wld_fact_str(rt, "kind");
    if (!kind) {
        wld_finding_outcome(f, "no_runtime");
        return;
    }
    wld_finding_var(f, "runtime", wld_fact_str(rt, "name") ? wld_fact_str(rt, "name") : kind);
    int n = cJSON_GetArraySize(obj(mine, "models"));
    wld_finding_var_num(f, "count", n);
    const char *file = wld_fact_str(mine, "file");
    wld_finding_var(f, "file", file ? file : "");
    if (n == 0) {
        wld_finding_outcome(f, "no_models");
        return;
    }
    if (!file) {
        wld_finding_outcome(f, "no_runtime_file");
        return;
    }
    if (wld_fact_str(mine, "error")) {
        wld_finding_var(f, "error", wld_fact_str(mine, "error"));
        wld_finding_outcome(f, "unreadable");
        return;
    }
    const char *worst = NULL;
    cJSON *worst_vars = NULL;
    cJSON_ArrayForEach(m, obj(mine, "models"))
    {
        cJSON *vars = cJSON_CreateObject();
        const char *v = judge_model(ctx, kind, m, vars);
        /* a name missing from a file without the table says nothing */
        if (strcmp(v, "ok") != 0 && !wld_fact_bool(mine, "table", false))
            v = "unknown_no_table";
        wld_finding_keep_worst(&worst, &worst_vars, v, vars, outcomes);
    }
    wld_finding_outcome(f, worst ? worst : "ok");
    cJSON *e;
    cJSON_ArrayForEach(e, worst_vars)
    {
        if (cJSON_IsString(e))
            wld_finding_var(f, e->string, e->valuestring);
        else if (cJSON_IsNumber(e))
            wld_finding_var_num(f, e->string, e->valuedouble);
    }
    if (strcmp(kind, "llama.cpp") == 0)
        wld_llama_tree_vars(mine, f);
    const char *py = wld_fact_str(mine, "python");
    wld_finding_var(f, "python", py ? py : "python3");
    cJSON_Delete(worst_vars);
}

const struct wld_check wld_check_models_runtime = {
    .id = "models.runtime",
    .title = "Each model's architecture is known to the runtime that loads it",
    .looks_at = "general.architecture of each model; the architecture names in the runtime's "
                "libllama.so, llama-server or ollama binary",
    .outcomes = outcomes,
    .params = params,
    .per_runtime = true,
    .gather = gather,
    .evaluate = evaluate,
};
