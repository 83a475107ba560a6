/* models.fit: will the model fit, with the settings the user runs it with?
 *
 * The question users bring most is "why does my 70B at 8192 context OOM or crawl?". The
 * answer needs the model's own header: its weights per layer, its attention layout, and
 * llama.cpp's exact KV-cache rule (the setup guide's table is off by up to 5x). Each model
 * found is read (src/parse/gguf.c), its header kept as evidence, and judged against the free
 * memory of the GPUs (gpu.cuda, else nvidia-smi, else --vram) and the VM's RAM; a model
 * that does not fit comes with settings that do, computed (src/fit/fit.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fit.h"
#include "wld/inventory.h"
#include "wld/models.h"
#include "wld/parse.h"
#include "wld/runtimes.h"
#include "wld/settings.h"
#include "wld/util.h"

#define MIB (1024ull * 1024ull)

/* MemTotal and MemAvailable from the run's reading of /proc/meminfo. */
static void gather_meminfo(struct wld_inventory *inv, cJSON *facts)
{
    const cJSON *mi = wld_inventory_get(inv, WLD_INV_MEMINFO), *k;
    if (wld_fact_str(mi, "read_error")) {
        cJSON_AddStringToObject(facts, "meminfo", "unreadable");
        return;
    }
    const char *keys[] = { "MemTotal", "MemAvailable" };
    const char *names[] = { "mem_total_kib", "mem_available_kib" };
    for (size_t i = 0; i < 2; i++) {
        double kib = wld_fact_num(mi, keys[i], 0);
        if (kib > 0)
            cJSON_AddNumberToObject(facts, names[i], kib);
    }
    /* a figure no machine has: not used as one */
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(mi, "impossible"))
    {
        if (cJSON_IsString(k) &&
            (strcmp(k->valuestring, "MemTotal") == 0 ||
             strcmp(k->valuestring, "MemAvailable") == 0) &&
            !cJSON_HasObjectItem(facts, "meminfo"))
            cJSON_AddStringToObject(facts, "meminfo", "impossible");
    }
}

static void gather_settings(const struct wld_options *o, cJSON *facts)
{
    cJSON *s = cJSON_AddObjectToObject(facts, "settings");
    struct wld_options def;
    wld_options_defaults(&def);
    if (!o)
        o = &def;
    cJSON_AddNumberToObject(s, "ctx", o->ctx);
    cJSON_AddBoolToObject(s, "ctx_given", o->ctx_given);
    cJSON_AddNumberToObject(s, "ngl", o->ngl);
    cJSON_AddStringToObject(s, "ctk", wld_ggml_type(o->ctk)->name);
    cJSON_AddStringToObject(s, "ctv", wld_ggml_type(o->ctv)->name);
    cJSON_AddNumberToObject(s, "parallel", o->parallel ? o->parallel : 1);
    if (o->vram_gib > 0)
        cJSON_AddNumberToObject(s, "vram_gib", o->vram_gib);
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    gather_settings(ctx->opts, facts);
    gather_meminfo(ctx->inv, facts);
    /* the models the run's inventory found; this check adds what each one's header says */
    const cJSON *found = wld_inventory_get(ctx->inv, WLD_INV_MODELS);
    cJSON *models = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(found, "models"), true), *m;
    cJSON_AddItemToObject(facts, "models", models);
    cJSON_AddItemToObject(facts, "scan",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(found, "scan"), true));
    cJSON_ArrayForEach(m, models)
    {
        struct wld_gguf g;
        double t0 = wld_now_ms();
        wld_gguf_read(h, wld_fact_str(m, "path"), &g);
        cJSON_AddStringToObject(m, "state", wld_gguf_state_name(g.state));
        if (g.state != WLD_GGUF_OK)
            cJSON_AddStringToObject(m, "reason", g.reason);
        if (g.kind[0])
            cJSON_AddStringToObject(m, "kind", g.kind);
        if (g.arch[0] && g.state != WLD_GGUF_NOT_GGUF)
            wld_gguf_to_facts(&g, cJSON_AddObjectToObject(m, "gguf"));
        cJSON_AddNumberToObject(m, "read_ms", (double) (int) ((wld_now_ms() - t0) * 100) / 100);
        wld_gguf_release(&g);
    }
    return 0;
}

/* Outcomes from worst to best: the worst model decides the verdict. */
static const char *const outcomes[] = { "not_gguf",     "unreadable", "truncated", "loader_refuses",
                                        "bad_settings", "too_big",    "ram_short", "thin",
                                        "old_mla",      "over_train", "fits",      "cpu_only",
                                        "scan_cut",     "none_found", NULL };

static void var_bytes(struct wld_finding *f, const char *name, uint64_t v)
{
    char b[32];
    wld_fmt_bytes(v, b, sizeof(b));
    wld_finding_var(f, name, b);
}

/* "Q3_K_M or smaller" from the rules' quant table: the biggest that fits max_bpw. */
static const char *quant_for(const struct wld_eval_ctx *ctx, double max_bpw, double now_bpw)
{
    const cJSON *q, *list = wld_param(ctx, "quant_bpw");
    double mix = wld_param_num(ctx, "quant_mix_bpw", 0);
    cJSON_ArrayForEach(q, list)
    {
        const cJSON *name = cJSON_GetArrayItem(q, 0), *bpw = cJSON_GetArrayItem(q, 1);
        if (cJSON_IsString(name) && cJSON_IsNumber(bpw) && bpw->valuedouble + mix <= max_bpw &&
            bpw->valuedouble + mix < now_bpw)
            return name->valuestring;
    }
    return NULL;
}

static void advise(const struct wld_eval_ctx *ctx,
                   const struct wld_gguf *g,
                   const struct wld_fit_settings *s,
                   const struct wld_fit_capacity *cap,
                   uint64_t budget,
                   uint32_t ollama,
                   struct wld_finding *f)
{
    struct wld_fit_advice a;
    struct wld_buf b;
    uint64_t ram = cap->ram_total ? cap->ram_total : UINT64_MAX;
    wld_buf_init(&b, 256);
    wld_fit_advise(g, s, cap->n_gpus, budget, ram, &a);
    const char *sep = "";
    if (a.max_ctx >= 256 && a.max_ctx < (s->n_ctx ? s->n_ctx : g->n_ctx_train)) {
        if (ollama) /* ollama's context is per sequence */
            wld_buf_printf(&b, "set OLLAMA_CONTEXT_LENGTH=%u (the largest context that fits)",
                           a.max_ctx / ollama / 256 * 256);
        else
            wld_buf_printf(&b, "use `-c %u` (the largest context that fits)", a.max_ctx);
        sep = "; or ";
    }
    if (a.kv_type >= 0) {
        const char *t = wld_ggml_type(a.kv_type)->name;
        if (ollama)
            wld_buf_printf(&b,
                           "%squantize the KV cache: OLLAMA_FLASH_ATTENTION=1 and "
                           "OLLAMA_KV_CACHE_TYPE=%s in ollama's environment",
                           sep, t);
        else
            wld_buf_printf(&b, "%squantize the KV cache: `-ctk %s -ctv %s`", sep, t, t);
        sep = "; or ";
    }
    if (ollama && a.max_ngl >= 0 && a.max_ngl <= (int) g->n_layer && a.max_ngl_ram_ok) {
        wld_buf_printf(&b,
                       "%slet ollama put %d of %u layers on the GPU (it does so by itself; the "
                       "rest run on the CPU, slower)",
                       sep, a.max_ngl, g->n_layer + 1);
        sep = "; or ";
    } else if (a.max_ngl >= 0 && a.max_ngl <= (int) g->n_layer && a.max_ngl_ram_ok) {
        wld_buf_printf(&b,
                       "%s`-ngl %d` (%d of %u layers on the GPU; the rest run on the CPU, slower)",
                       sep, a.max_ngl, a.max_ngl, g->n_layer + 1);
        sep = "; or ";
    }
    double now_bpw = g->n_params ? (double) g->tensor_bytes * 8.0 / (double) g->n_params : 0;
    const char *q = quant_for(ctx, a.max_bpw, now_bpw);
    if (q) {
        wld_buf_printf(&b,
                       "%suse a smaller quant: %s or below (at most %.1f bits per weight fit; "
                       "this file has %.1f)",
                       sep, q, a.max_bpw, now_bpw);
        sep = "; or ";
    }
    if (!sep[0])
        wld_buf_puts(&b, "nothing about this model fits: use a smaller model, or a GPU with more "
                         "memory");
    wld_finding_var(f, "advice", b.data);
    wld_buf_release(&b);
}

/* The settings a model is run with, unless the user's options say others: a model a
 * running llama-server loads at its -c; an ollama blob at the context, parallel sequences
 * and KV cache type ollama gives it (its version's defaults, its environment), the
 * variable "at" saying so and where each came from. Returns ollama's parallel sequences
 * when its context is the one judged, else 0. */
static uint32_t runs_with(const struct wld_eval_ctx *ctx,
                          const cJSON *m,
                          const struct wld_gguf *g,
                          const struct wld_fit_capacity *cap,
                          struct wld_fit_settings *s,
                          struct wld_finding *f)
{
    const cJSON *with = cJSON_GetObjectItemCaseSensitive(m, "runs_with");
    const cJSON *settings = cJSON_GetObjectItemCaseSensitive(ctx->mine, "settings");
    bool ctx_given = wld_fact_bool(settings, "ctx_given", false);
    const cJSON *ollama = cJSON_GetObjectItemCaseSensitive(with, "ollama");
    if (!ollama) {
        if (with && !ctx_given)
            s->n_ctx = (uint32_t) wld_fact_int(with, "ctx", 0, UINT32_MAX, s->n_ctx);
        return 0;
    }
    struct wld_ollama_load o;
    wld_ollama_load_settings(ollama, wld_param(ctx, "ollama"), g, cap->vram_total, &o);
    /* --ctk/--ctv other than f16 are the user's; f16 may be the default */
    bool kv_given = s->type_k != WLD_GGML_F16 || s->type_v != WLD_GGML_F16;
    if (!ctx_given) {
        s->n_ctx = o.num_ctx * o.parallel;
        s->n_parallel = o.parallel;
    }
    if (!kv_given)
        s->type_k = s->type_v = o.kv_type;
    if (!ctx_given && !kv_given)
        wld_finding_var(f, "at", o.said);
    return ctx_given ? 0 : o.parallel;
}

/* One model's verdict, its template variables in f (a scratch finding). */
static const char *judge(const struct wld_eval_ctx *ctx, const cJSON *m, struct wld_finding *f)
{
    const char *state = wld_fact_str(m, "state");
    const cJSON *gf = cJSON_GetObjectItemCaseSensitive(m, "gguf");
    if (!wld_fact_str(m, "path"))
        return "unreadable";
    wld_finding_var(f, "path", wld_fact_str(m, "path"));
    wld_finding_var(f, "origin", wld_fact_str(m, "origin"));
    wld_finding_var(f, "reason", wld_fact_str(m, "reason"));
    if (state && strcmp(state, "truncated") == 0)
        return "truncated";
    if (state && strcmp(state, "not_gguf") == 0) {
        /* what the file is instead, and its fix, from the rules' file_kinds */
        const cJSON *kinds = wld_param(ctx, "file_kinds");
        const char *kind = wld_fact_str(m, "kind");
        const cJSON *k = cJSON_GetObjectItemCaseSensitive(kinds, kind ? kind : "binary");
        if (!k)
            k = cJSON_GetObjectItemCaseSensitive(kinds, "binary");
        wld_finding_var(f, "looks_like", wld_fact_str(k, "is"));
        wld_finding_var(f, "kind_fix", wld_fact_str(k, "fix"));
        return "not_gguf";
    }
    if (!state || strcmp(state, "ok") != 0)
        return "unreadable";
    if (wld_fact_str(gf, "wrong_type_key")) {
        wld_finding_var(f, "key", wld_fact_str(gf, "wrong_type_key"));
        return "loader_refuses";
    }
    struct wld_gguf g;
    if (wld_gguf_from_facts(gf, &g) < 0) {
        wld_finding_var(f, "reason", "the header facts are incomplete");
        return "unreadable";
    }
    struct wld_fit_settings s;
    struct wld_fit_capacity cap;
    struct wld_fit_estimate e;
    char why[200];
    const char *verdict;
    wld_fit_settings_from_facts(ctx->mine, &s);
    /* MiB in [0, 1 TiB]: a rules file past that is ignored, never converted */
    uint64_t margin;
    wld_fit_rule_params(ctx, &s, &margin);
    wld_fit_capacity(ctx->facts, ctx->mine, &cap);
    uint32_t ollama = runs_with(ctx, m, &g, &cap, &s, f);

    const char *quant = wld_llama_ftype_name(g.file_type);
    const char *path = wld_fact_str(m, "path"), *base = strrchr(path, '/');
    wld_finding_var(f, "model", base ? base + 1 : path);
    wld_finding_var(f, "quant", quant ? quant : g.arch);
    var_bytes(f, "size", g.tensor_bytes);
    wld_finding_var(f, "gpus", cap.gpus);
    wld_finding_var(f, "source", cap.vram_source);
    if (wld_fit_estimate(&g, &s, cap.n_gpus, &e, why, sizeof(why)) < 0) {
        wld_finding_var(f, "reason", why);
        wld_gguf_release(&g);
        return "bad_settings";
    }
    uint64_t gpu = wld_fit_gpu_total(&e), ram = wld_fit_ram_total(&e);
    wld_finding_var_num(f, "ctx", e.n_ctx);
    if (!cJSON_GetObjectItemCaseSensitive(f->vars, "at"))
        wld_finding_varf(f, "at", "-c %u", e.n_ctx);
    wld_finding_var_num(f, "n_ctx_train", g.n_ctx_train);
    var_bytes(f, "need", gpu);
    var_bytes(f, "weights", e.gpu_weights);
    var_bytes(f, "kv", e.kv.k_bytes + e.kv.v_bytes + e.kv.state_bytes);
    var_bytes(f, "compute", e.gpu_compute + e.gpu_overhead);
    var_bytes(f, "free", cap.vram_free);
    var_bytes(f, "total", cap.vram_total);
    var_bytes(f, "ram_need", ram);
    if (cap.ram_total)
        var_bytes(f, "ram_total", cap.ram_total);
    else /* never "0 B": say that it is not known, and why */
        wld_finding_varf(f, "ram_total", "an unknown total (/proc/meminfo %s)",
                         wld_fact_str(ctx->mine, "meminfo") ? wld_fact_str(ctx->mine, "meminfo")
                                                            : "has no MemTotal");
    var_bytes(f, "margin", margin);
    var_bytes(f, "headroom", cap.vram_free > gpu ? cap.vram_free - gpu : 0);
    char layers[32];
    snprintf(layers, sizeof(layers), "%u/%u", e.layers_gpu + e.output_gpu, g.n_layer + 1);
    wld_finding_var(f, "layers", layers);

    /* Only the GPU verdicts need GPU memory: the RAM, the cache layout and the trained
     * context are judged on a host without a GPU too. */
    enum wld_fit_room room = wld_fit_room(gpu, ram, &cap, margin);
    if (room == WLD_FIT_GPU_SHORT)
        verdict = "too_big";
    else if (room == WLD_FIT_RAM_SHORT)
        verdict = "ram_short";
    else if (room == WLD_FIT_THIN)
        verdict = "thin";
    else if (e.kv.old_mla)
        verdict = "old_mla";
    else if (wld_fit_over_train(&g, &e))
        verdict = "over_train";
    else
        verdict = cap.n_gpus ? "fits" : "cpu_only";
    /* advice leaves the margin free, as llama.cpp's --fit does, so following it passes */
    if (strcmp(verdict, "too_big") == 0 || strcmp(verdict, "thin") == 0 ||
        strcmp(verdict, "ram_short") == 0)
        advise(ctx, &g, &s, &cap, cap.vram_free > margin ? cap.vram_free - margin : 0, ollama, f);
    wld_gguf_release(&g);
    return verdict;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(ctx->mine, "models"), *m;
    const char *worst = NULL;
    cJSON *worst_vars = NULL;
    int n = 0;
    cJSON_ArrayForEach(m, models)
    {
        const char *state = wld_fact_str(m, "state");
        if (state && strcmp(state, "not_gguf") == 0 && wld_fact_bool(m, "blob", false))
            continue; /* ollama keeps manifests and licences beside the models */
        n++;
        struct wld_finding one = { .vars = cJSON_CreateObject() };
        const char *v = judge(ctx, m, &one);
        wld_finding_keep_worst(&worst, &worst_vars, v, one.vars, outcomes);
    }
    if (worst) { /* the worst model's variables become the finding's */
        cJSON_Delete(f->vars);
        f->vars = worst_vars;
    }
    wld_finding_var_num(f, "count", n);
    /* a search cut short found only some of the models: not "fits" or "none found" */
    bool passing = !worst || strcmp(worst, "fits") == 0 || strcmp(worst, "cpu_only") == 0;
    if (passing && wld_models_scan_cut(ctx->mine, f)) {
        wld_finding_outcome(f, "scan_cut");
        return;
    }
    wld_finding_outcome(f, worst ? worst : "none_found");
}

static const char *const params[] = {
    "cuda_overhead_mib", "fit_margin_mib", "quant_bpw", "quant_mix_bpw",
    "file_kinds",        "ollama",         NULL
};
static const char *const needs[] = { "gpu.cuda", "gpu.driver", NULL };

/* --vram replaces what the GPUs report: then no GPU is asked (no CUDA probe, no
 * nvidia-smi), and `fit MODEL --vram N` starts no process at all. */
static bool reads(const struct wld_options *o, const char *need)
{
    (void) need;
    return !(o && o->vram_gib > 0);
}

static const char *const fact_keys[] = { "models", "scan", "settings", NULL };

const struct wld_check wld_check_models_fit = {
    .id = "models.fit",
    .title = "Whether the model fits in VRAM and RAM",
    .looks_at = "each model's GGUF header (weights per layer, attention layout), --ctx/--ngl/"
                "--ctk/--ctv/--parallel (else a running server's -c, or for ollama's models "
                "its context, parallel and KV cache type by version and environment), GPU "
                "memory from gpu.cuda or nvidia-smi (or --vram), /proc/meminfo",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .reads = reads,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
