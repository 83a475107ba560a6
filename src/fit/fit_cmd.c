/* `wsl-llm-doctor fit MODEL`: the setup guide's "context length vs VRAM budget" table,
 * computed for the real model. It runs models.fit (and the GPU checks it needs) through
 * the pipeline, then tabulates the same estimate across context sizes from 2048 up to
 * the model's trained context, marking where it stops fitting. */
#include "wld/fit_cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/fit.h"
#include "wld/util.h"

#define MIB (1024ull * 1024ull)

struct row {
    uint32_t ctx;
    uint64_t kv, gpu, ram;
    const char *verdict; /* "fits", "thin", "no" */
    int ngl;             /* for "no": the -ngl that fits, or -1 */
    bool over_train;     /* beyond the trained context, as models.fit's over_train */
};

static void fill_row(const struct wld_gguf *g,
                     struct wld_fit_settings s,
                     const struct wld_fit_capacity *cap,
                     uint64_t margin,
                     uint32_t ctx,
                     struct row *r)
{
    struct wld_fit_estimate e;
    char why[160];
    s.n_ctx = ctx;
    *r = (struct row){ .ctx = ctx, .verdict = "no", .ngl = -1 };
    if (wld_fit_estimate(g, &s, cap->n_gpus, &e, why, sizeof(why)) < 0)
        return;
    r->kv = e.kv.k_bytes + e.kv.v_bytes + e.kv.state_bytes;
    r->gpu = wld_fit_gpu_total(&e);
    r->ram = wld_fit_ram_total(&e);
    r->over_train = wld_fit_over_train(g, &e);
    uint64_t ram_cap = cap->ram_total ? cap->ram_total : UINT64_MAX;
    enum wld_fit_room room = wld_fit_room(r->gpu, r->ram, cap, margin);
    if (room == WLD_FIT_THIN || room == WLD_FIT_ROOM)
        r->verdict = room == WLD_FIT_THIN ? "thin" : "fits";
    if (strcmp(r->verdict, "no") == 0 && cap->n_gpus) {
        bool ram_ok;
        /* the same budget as models.fit's advice: the margin stays free */
        int ngl = wld_fit_max_ngl(g, &s, cap->n_gpus,
                                  cap->vram_free > margin ? cap->vram_free - margin : 0, ram_cap,
                                  &ram_ok);
        r->ngl = ram_ok ? ngl : -1;
    }
}

/* 2048, 4096, ... up to the trained context, plus the trained and the asked context. */
static size_t contexts(const struct wld_gguf *g, uint32_t asked, uint32_t *out, size_t max)
{
    size_t n = 0;
    uint32_t top = g->n_ctx_train ? g->n_ctx_train : 131072;
    for (uint64_t c = 2048; c <= top && n < max; c *= 2)
        out[n++] = (uint32_t) c;
    uint32_t extra[2] = { top, asked };
    for (size_t k = 0; k < 2 && n < max; k++) {
        bool have = false;
        for (size_t i = 0; i < n; i++)
            have |= out[i] == extra[k];
        if (!have && extra[k])
            out[n++] = extra[k];
    }
    for (size_t i = 1; i < n; i++) /* insertion sort: a handful of entries */
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            uint32_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return n;
}

static void print_text(const struct wld_gguf *g,
                       const struct wld_fit_capacity *cap,
                       const struct wld_fit_settings *s,
                       const struct row *rows,
                       size_t n,
                       const struct wld_result *res,
                       FILE *out)
{
    char b1[32], b2[32], b3[32];
    const char *q = wld_llama_ftype_name(g->file_type);
    wld_fmt_bytes(g->tensor_bytes, b1, sizeof(b1));
    wld_fmt_params(g->n_params, b2, sizeof(b2));
    fprintf(out, "%s: %s, %s, %s parameters, %s of weights, %u layers, trained context %u\n",
            g->name[0] ? g->name : "model", g->arch, q ? q : "unknown quant", b2, b1, g->n_layer,
            g->n_ctx_train);
    if (cap->n_gpus) {
        wld_fmt_bytes(cap->vram_free, b1, sizeof(b1));
        wld_fmt_bytes(cap->vram_total, b2, sizeof(b2));
        fprintf(out, "GPU: %s, %s free of %s (from %s)\n", cap->gpus, b1, b2, cap->vram_source);
    } else {
        fputs("GPU: none found (give --vram GIB to plan for one)\n", out);
    }
    if (cap->ram_total) {
        wld_fmt_bytes(cap->ram_total, b1, sizeof(b1));
        wld_fmt_bytes(cap->ram_available, b2, sizeof(b2));
        fprintf(out, "RAM: %s%s%s%s\n", b1, cap->ram_available ? " (" : "",
                cap->ram_available ? b2 : "", cap->ram_available ? " available)" : "");
    }
    fprintf(out, "KV cache %s/%s, -ngl %s, %u sequence(s)\n\n", wld_ggml_type(s->type_k)->name,
            wld_ggml_type(s->type_v)->name, s->n_gpu_layers < 0 ? "all" : "as given",
            s->n_parallel);
    fprintf(out, "%10s  %12s  %12s  %12s  %s\n", "context", "KV cache", "GPU needs", "RAM needs",
            "verdict");
    for (size_t i = 0; i < n; i++) {
        wld_fmt_bytes(rows[i].kv, b1, sizeof(b1));
        wld_fmt_bytes(rows[i].gpu, b2, sizeof(b2));
        wld_fmt_bytes(rows[i].ram, b3, sizeof(b3));
        char verdict[96];
        if (strcmp(rows[i].verdict, "no") == 0 && rows[i].ngl >= 0)
            snprintf(verdict, sizeof(verdict), "does not fit (-ngl %d would)", rows[i].ngl);
        else
            snprintf(verdict, sizeof(verdict), "%s",
                     strcmp(rows[i].verdict, "fits") == 0   ? "fits"
                     : strcmp(rows[i].verdict, "thin") == 0 ? "fits, little headroom"
                                                            : "does not fit");
        if (rows[i].over_train)
            snprintf(verdict + strlen(verdict), sizeof(verdict) - strlen(verdict),
                     ", beyond the trained %u", g->n_ctx_train);
        bool last_fit = strcmp(rows[i].verdict, "no") != 0 &&
                        (i + 1 == n || strcmp(rows[i + 1].verdict, "no") == 0);
        fprintf(out, "%10u  %12s  %12s  %12s  %s%s\n", rows[i].ctx, b1, b2, b3, verdict,
                last_fit && i + 1 < n ? "   <- largest that fits" : "");
    }
    fprintf(out, "\nAt -c %u: %s %s\n", s->n_ctx ? s->n_ctx : g->n_ctx_train,
            wld_status_name(res->status), res->summary);
    if (res->fix)
        fprintf(out, "fix: %s\n", res->fix);
    fputs("\nKV cache by llama.cpp's rule; compute buffer and CUDA context approximate. Confirm "
          "on the host with `llama-fit-params -m MODEL -c N -fitp on`.\n",
          out);
}

static void print_json(const struct wld_gguf *g,
                       const cJSON *model,
                       const struct wld_fit_capacity *cap,
                       const struct row *rows,
                       size_t n,
                       const struct wld_result *res,
                       FILE *out)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "schema", "wsl-llm-doctor/fit@1");
    cJSON_AddItemToObject(doc, "model", cJSON_Duplicate(model, true));
    cJSON *c = cJSON_AddObjectToObject(doc, "capacity");
    cJSON_AddNumberToObject(c, "gpus", cap->n_gpus);
    cJSON_AddNumberToObject(c, "vram_free_bytes", (double) cap->vram_free);
    cJSON_AddNumberToObject(c, "vram_total_bytes", (double) cap->vram_total);
    if (cap->vram_source)
        cJSON_AddStringToObject(c, "vram_source", cap->vram_source);
    cJSON_AddNumberToObject(c, "ram_total_bytes", (double) cap->ram_total);
    cJSON_AddNumberToObject(c, "ram_available_bytes", (double) cap->ram_available);
    cJSON *arr = cJSON_AddArrayToObject(doc, "rows");
    uint32_t max_fit = 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddNumberToObject(r, "ctx", rows[i].ctx);
        cJSON_AddNumberToObject(r, "kv_bytes", (double) rows[i].kv);
        cJSON_AddNumberToObject(r, "gpu_bytes", (double) rows[i].gpu);
        cJSON_AddNumberToObject(r, "ram_bytes", (double) rows[i].ram);
        cJSON_AddStringToObject(r, "verdict", rows[i].verdict);
        cJSON_AddBoolToObject(r, "beyond_trained", rows[i].over_train);
        if (rows[i].ngl >= 0)
            cJSON_AddNumberToObject(r, "ngl_that_fits", rows[i].ngl);
        if (strcmp(rows[i].verdict, "no") != 0)
            max_fit = rows[i].ctx;
        cJSON_AddItemToArray(arr, r);
    }
    cJSON_AddNumberToObject(doc, "largest_row_that_fits", max_fit);
    cJSON_AddNumberToObject(doc, "n_ctx_train", g->n_ctx_train);
    cJSON *v = cJSON_AddObjectToObject(doc, "verdict");
    cJSON_AddStringToObject(v, "status", wld_status_name(res->status));
    cJSON_AddStringToObject(v, "outcome", res->outcome);
    cJSON_AddStringToObject(v, "summary", res->summary);
    if (res->fix)
        cJSON_AddStringToObject(v, "fix", res->fix);
    else
        cJSON_AddNullToObject(v, "fix");
    char *s = cJSON_Print(doc);
    fprintf(out, "%s\n", s);
    free(s);
    cJSON_Delete(doc);
}

int wld_fit_cmd(const struct wld_report *rep, const struct wld_options *o, FILE *out)
{
    const struct wld_result *res = NULL;
    for (size_t i = 0; i < rep->n; i++)
        if (strcmp(rep->results[i].check->id, "models.fit") == 0)
            res = &rep->results[i];
    const cJSON *mine = cJSON_GetObjectItemCaseSensitive(rep->facts, "models.fit");
    const cJSON *model = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(mine, "models"), 0);
    const cJSON *gf = cJSON_GetObjectItemCaseSensitive(model, "gguf");
    struct wld_gguf g;
    if (!res)
        return -1;
    bool table = gf && strcmp(res->outcome, "unreadable") != 0 &&
                 strcmp(res->outcome, "truncated") != 0 && wld_gguf_from_facts(gf, &g) == 0;
    if (!table) {
        /* nothing to tabulate: the verdict says why */
        if (o->format == WLD_FORMAT_JSON)
            fprintf(out,
                    "{\"schema\": \"wsl-llm-doctor/fit@1\", \"verdict\": {\"status\": "
                    "\"%s\", \"outcome\": \"%s\"}}\n",
                    wld_status_name(res->status), res->outcome);
        else
            fprintf(out, "%s %s\n%s%s\n", wld_status_name(res->status), res->summary,
                    res->fix ? "fix: " : "", res->fix ? res->fix : "");
        return 0;
    }
    struct wld_fit_settings s;
    struct wld_fit_capacity cap;
    wld_fit_settings_from_facts(mine, &s);
    uint64_t margin;
    struct wld_eval_ctx ctx = { .params = cJSON_GetObjectItemCaseSensitive(
                                        wld_rules_check(rep->rules, "models.fit"), "params") };
    wld_fit_rule_params(&ctx, &s, &margin);
    wld_fit_capacity(rep->facts, mine, &cap);
    uint32_t ctxs[32];
    struct row rows[32];
    size_t n = contexts(&g, s.n_ctx, ctxs, 32);
    for (size_t i = 0; i < n; i++)
        fill_row(&g, s, &cap, margin, ctxs[i], &rows[i]);
    if (o->format == WLD_FORMAT_JSON)
        print_json(&g, gf, &cap, rows, n, res, out);
    else
        print_text(&g, &cap, &s, rows, n, res, out);
    wld_gguf_release(&g);
    return 0;
}
