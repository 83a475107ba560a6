/* The facts a log states as JSON (the log@1 "facts"), and the two judgements of them that
 * the JSON and the findings share: where the log was made, and what a current
 * llama-server log below verbosity 4 leaves out (see wld/logscan.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/logcodes.h"
#include "wld/logscan.h"
#include "wld/util.h"

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v && v[0]) {
        char *fixed = wld_utf8_fix(v, true);
        cJSON_AddStringToObject(o, k, fixed);
        free(fixed);
    }
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (v >= 0)
        cJSON_AddNumberToObject(o, k, v);
}

const char *wld_log_origin(const struct wld_log_facts *f)
{
    if (f->origin_wsl > 0)
        return "wsl";
    if (f->origin_windows > 0 && f->origin_linux == 0)
        return "windows";
    if (f->origin_linux > 0 && f->origin_windows == 0)
        return "linux";
    return f->origin_windows > 0 ? "mixed" : "unknown";
}

/* Each error code the log states, with the table's name and meaning when it knows it. */
static void codes_json(const struct wld_log_facts *f, cJSON *o)
{
    if (!f->n_codes)
        return;
    cJSON *a = cJSON_AddArrayToObject(o, "error_codes");
    for (int i = 0; i < f->n_codes; i++) {
        const struct wld_log_code *c = &f->codes[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "api", wld_code_api_name(c->api));
        cJSON_AddNumberToObject(j, "code", c->code);
        add_str(j, "name", wld_fact_str(c->row, "name"));
        add_str(j, "meaning", wld_fact_str(c->row, "meaning"));
        add_str(j, "check", wld_fact_str(c->row, "check"));
        cJSON_AddStringToObject(j, "how", wld_code_how_name(c->how));
        if (c->tried)
            cJSON_AddBoolToObject(j, "tried", true);
        cJSON_AddNumberToObject(j, "count", (double) c->count);
        cJSON *l = cJSON_AddArrayToObject(j, "lines");
        for (int k = 0; k < c->n_lines; k++)
            cJSON_AddItemToArray(l, cJSON_CreateNumber((double) c->lines[k]));
        cJSON_AddNumberToObject(j, "line", (double) c->lines[0]);
        cJSON_AddItemToArray(a, j);
    }
    if (f->n_codes_total > f->n_codes)
        cJSON_AddNumberToObject(o, "error_codes_total", f->n_codes_total);
}

static void router_json(const struct wld_log_facts *f, cJSON *o)
{
    if (!f->router_line && !f->n_child)
        return;
    cJSON *r = cJSON_AddObjectToObject(o, "router");
    if (f->router_line)
        cJSON_AddNumberToObject(r, "line", (double) f->router_line);
    cJSON *a = cJSON_AddArrayToObject(r, "children");
    for (int i = 0; i < f->n_child; i++) {
        const struct wld_log_child *c = &f->child[i];
        cJSON *j = cJSON_CreateObject();
        add_str(j, "name", c->name);
        cJSON_AddNumberToObject(j, "port", c->port);
        add_str(j, "model", c->model_path);
        add_num(j, "n_ctx_slot", c->n_ctx_slot);
        add_str(j, "state", c->state);
        add_num(j, "n_ctx_train", (double) c->n_ctx_train);
        add_num(j, "n_params", (double) c->n_params);
        add_num(j, "size_bytes", (double) c->size_bytes);
        cJSON_AddNumberToObject(j, "line", (double) c->line);
        cJSON_AddItemToArray(a, j);
    }
}

/* What a current llama-server log below verbosity 4 does not show (libllama's and ggml's
 * INFO lines and common_params_print_info's build and devices are logged at 4, "trace"):
 * each item's name into names, 0 when the log shows its verbosity at 4 or above, shows
 * any of it, or is no llama-server log of that era. */
int wld_log_not_shown(const struct wld_log_facts *f, const char *names[4])
{
    int n = 0;
    bool devices = f->n_dev > 0 || f->n_backend > 0 || f->cuda_found >= 0;
    if (f->verbosity < 0 || f->verbosity >= 4 || !wld_str_is(f->program, "llama-server") ||
        f->build >= 0 || devices || f->offload_of > 0)
        return 0;
    names[n++] = "build";
    names[n++] = "devices";
    names[n++] = "backends";
    names[n++] = "offload";
    return n;
}

static void not_shown_json(const struct wld_log_facts *f, cJSON *o)
{
    const char *names[4];
    int n = wld_log_not_shown(f, names);
    if (n == 0)
        return;
    cJSON *a = cJSON_AddArrayToObject(o, "not_shown");
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
}

/* What wrote the log: its producer, a container, a crash's frames and where it died. */
static void writer_json(const struct wld_log_facts *f, cJSON *o)
{
    if (f->producer[0]) {
        cJSON *p = cJSON_AddObjectToObject(o, "producer");
        add_str(p, "name", f->producer);
        if (f->producer_line > 0)
            cJSON_AddNumberToObject(p, "line", (double) f->producer_line);
    }
    if (f->container) {
        cJSON *c = cJSON_AddObjectToObject(o, "container");
        add_str(c, "shown_by", f->container_what);
        cJSON_AddNumberToObject(c, "lines", f->container);
        cJSON_AddNumberToObject(c, "line", (double) f->container_line);
    }
    if (!f->crash[0])
        return;
    cJSON *c = cJSON_AddObjectToObject(o, "crash");
    add_str(c, "kind", f->crash);
    cJSON_AddNumberToObject(c, "line", (double) f->crash_line);
    add_str(c, "died_in", f->died_in);
    add_str(c, "frame", f->died_frame);
    if (f->died_line > 0)
        cJSON_AddNumberToObject(c, "frame_line", (double) f->died_line);
    cJSON_AddNumberToObject(c, "frames_total", (double) f->n_frames_total);
    cJSON *a = cJSON_AddArrayToObject(c, "frames");
    for (int i = 0; i < f->n_frames; i++) {
        cJSON *x = cJSON_CreateObject();
        add_str(x, "function", f->frame[i].func);
        add_str(x, "module", f->frame[i].module);
        cJSON_AddNumberToObject(x, "line", (double) f->frame[i].line);
        cJSON_AddItemToArray(a, x);
    }
}

/* o[key] = { k1: v1, k2: v2 (when k2), "line": line }: what one line of the log states */
static void line_fact(cJSON *o,
                      const char *key,
                      const char *k1,
                      const char *v1,
                      const char *k2,
                      const char *v2,
                      long line)
{
    cJSON *d = cJSON_AddObjectToObject(o, key);
    add_str(d, k1, v1);
    if (k2)
        add_str(d, k2, v2);
    cJSON_AddNumberToObject(d, "line", (double) line);
}

/* "ARCHS" aside, what the build's own lines name: "system_info" and "cmake" (space-separated
 * names into arrays) */
static void names_json(cJSON *o, const char *key, const char *names, long line, long done)
{
    if (!line)
        return;
    cJSON *j = cJSON_AddObjectToObject(o, key);
    cJSON *a = cJSON_AddArrayToObject(j, "backends");
    for (const char *p = names; *p;) {
        size_t n = strcspn(p, " ");
        char name[24];
        snprintf(name, sizeof(name), "%.*s", (int) n, p);
        cJSON_AddItemToArray(a, cJSON_CreateString(name));
        p += n + (p[n] == ' ');
    }
    if (done >= 0)
        cJSON_AddBoolToObject(j, "configured", done > 0);
    cJSON_AddNumberToObject(j, "line", (double) line);
}

cJSON *wld_log_facts_json(const struct wld_log_facts *f)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *in = cJSON_AddObjectToObject(o, "input");
    cJSON_AddNumberToObject(in, "lines", (double) f->lines);
    cJSON_AddNumberToObject(in, "bytes", (double) f->bytes);
    if (f->cut_lines)
        cJSON_AddNumberToObject(in, "lines_cut", (double) f->cut_lines);
    if (f->utf16)
        cJSON_AddStringToObject(in, "encoding", "UTF-16LE");
    cJSON_AddStringToObject(o, "origin", wld_log_origin(f));
    add_str(o, "program", f->ollama && !f->program[0] ? "ollama" : f->program);
    writer_json(f, o);
    if (f->build >= 0 || f->built_with[0]) {
        cJSON *b = cJSON_AddObjectToObject(o, "build");
        if (f->build >= 0)
            cJSON_AddNumberToObject(b, "number", f->build);
        add_str(b, "commit", f->commit);
        add_str(b, "built_with", f->built_with);
        add_str(b, "compiler", f->compiler);
        add_str(b, "target", f->target);
        if (f->build_line)
            cJSON_AddNumberToObject(b, "line", (double) f->build_line);
    }
    if (f->n_backend) {
        cJSON *a = cJSON_AddArrayToObject(o, "backends");
        for (int i = 0; i < f->n_backend; i++) {
            cJSON *b = cJSON_CreateObject();
            add_str(b, "name", f->backend[i].name);
            add_str(b, "path", f->backend[i].path);
            cJSON_AddBoolToObject(b, "loaded", f->backend[i].loaded);
            add_str(b, "error", f->backend[i].why);
            cJSON_AddNumberToObject(b, "line", (double) f->backend[i].line);
            cJSON_AddItemToArray(a, b);
        }
    }
    if (f->cuda_found >= 0)
        cJSON_AddNumberToObject(o, "cuda_devices_found", f->cuda_found);
    if (f->n_dev) {
        cJSON *a = cJSON_AddArrayToObject(o, "devices");
        for (int i = 0; i < f->n_dev; i++) {
            const struct wld_log_device *d = &f->dev[i];
            cJSON *j = cJSON_CreateObject();
            add_str(j, "name", d->name);
            add_str(j, "description", d->desc);
            if (d->cpu)
                cJSON_AddStringToObject(j, "kind", "cpu");
            if (d->cc_major >= 0) {
                char cc[16];
                snprintf(cc, sizeof(cc), "%d.%d", d->cc_major, d->cc_minor);
                cJSON_AddStringToObject(j, "compute_capability", cc);
            }
            add_num(j, d->cpu ? "memory_mib" : "vram_mib", d->total_mib);
            add_num(j, "free_mib", d->free_mib);
            cJSON_AddNumberToObject(j, "line", (double) d->line);
            cJSON_AddItemToArray(a, j);
        }
    }
    if (f->n_archs) {
        cJSON *a = cJSON_AddArrayToObject(o, "cuda_archs");
        for (int i = 0; i < f->n_archs; i++)
            cJSON_AddItemToArray(a, cJSON_CreateNumber(f->archs[i]));
    }
    names_json(o, "system_info", f->sysinfo_backends, f->sysinfo_line, -1);
    names_json(o, "cmake", f->cmake_backends, f->cmake_line, f->cmake_done_line);
    if (f->build_cuda_line)
        cJSON_AddNumberToObject(o, "build_asks_cuda_line", (double) f->build_cuda_line);
    if (f->n_err) {
        cJSON *a = cJSON_AddArrayToObject(o, "cuda_errors");
        for (int i = 0; i < f->n_err; i++) {
            const struct wld_log_error *e = &f->err[i];
            cJSON *j = cJSON_CreateObject();
            if (e->code >= 0)
                cJSON_AddNumberToObject(j, "code", e->code);
            add_str(j, "message", e->message);
            add_str(j, "function", e->function);
            add_str(j, "call", e->call);
            add_str(j, "at", e->where);
            if (e->device >= 0)
                cJSON_AddNumberToObject(j, "device", e->device);
            cJSON_AddNumberToObject(j, "line", (double) e->line);
            cJSON_AddItemToArray(a, j);
        }
        if (f->n_err_total > f->n_err)
            cJSON_AddNumberToObject(o, "cuda_errors_total", f->n_err_total);
    }
    codes_json(f, o);
    if (f->model_path[0] || f->arch[0]) {
        cJSON *m = cJSON_AddObjectToObject(o, "model");
        add_str(m, "path", f->model_path);
        add_str(m, "name", f->model_name);
        add_str(m, "architecture", f->arch);
        add_str(m, "type", f->model_type);
        add_str(m, "quantization", f->ftype);
        add_num(m, "size_gib", f->model_size_gib);
        add_num(m, "n_layer", f->n_layer);
        add_num(m, "n_ctx_train", f->n_ctx_train);
        if (f->model_line)
            cJSON_AddNumberToObject(m, "line", (double) f->model_line);
    }
    if (f->bench_line) {
        cJSON *b = cJSON_AddObjectToObject(o, "bench");
        add_str(b, "model", f->bench_model);
        add_str(b, "backend", f->bench_backend);
        if (f->bench_ngl >= 0)
            cJSON_AddNumberToObject(b, "ngl", f->bench_ngl);
        cJSON_AddNumberToObject(b, "rows", (double) f->bench_rows);
        cJSON_AddNumberToObject(b, "line", (double) f->bench_line);
    }
    add_num(o, "n_ctx", f->n_ctx);
    if (f->slots_line) {
        cJSON *j = cJSON_AddObjectToObject(o, "slots");
        cJSON_AddNumberToObject(j, "n", f->n_slots);
        cJSON_AddNumberToObject(j, "n_ctx", f->n_ctx_slot);
        cJSON_AddNumberToObject(j, "line", (double) f->slots_line);
    }
    if (f->verbosity_line) {
        cJSON *j = cJSON_AddObjectToObject(o, "verbosity");
        cJSON_AddNumberToObject(j, "level", f->verbosity);
        cJSON_AddNumberToObject(j, "line", (double) f->verbosity_line);
    }
    if (f->fit_line) {
        cJSON *j = cJSON_AddObjectToObject(o, "fit");
        add_str(j, "result", f->fit);
        if (f->fit_ctx_to > 0) {
            cJSON_AddNumberToObject(j, "n_ctx_from", f->fit_ctx_from);
            cJSON_AddNumberToObject(j, "n_ctx_to", f->fit_ctx_to);
        }
        cJSON_AddNumberToObject(j, "line", (double) f->fit_line);
    }
    router_json(f, o);
    not_shown_json(f, o);
    if (f->driver[0])
        line_fact(o, "driver", "version", f->driver, NULL, NULL, f->driver_line);
    if (f->windows_build_line) {
        cJSON *d = cJSON_AddObjectToObject(o, "windows");
        cJSON_AddNumberToObject(d, "build", f->windows_build);
        cJSON_AddNumberToObject(d, "line", (double) f->windows_build_line);
    }
    if (f->tcc_line)
        line_fact(o, "tcc_gpu", "name", f->tcc_gpu, NULL, NULL, f->tcc_line);
    if (f->perm_line)
        line_fact(o, "permission_denied", "path", f->perm_path, NULL, NULL, f->perm_line);
    if (f->driver_lib_line)
        line_fact(o, "driver_library", "path", f->driver_lib, "version", f->driver_lib_version,
                  f->driver_lib_line);
    if (f->file_kind) { /* a file named by its first bytes or its text (logfacts_magic.c) */
        cJSON *d = cJSON_AddObjectToObject(o, "file");
        add_str(d, "kind", f->file_kind);
        add_str(d, "format", f->file_format);
        add_str(d, "magic", f->file_magic);
        cJSON_AddNumberToObject(d, "line", (double) f->file_line);
    }
    if (f->nul_bytes)
        cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(o, "input"), "nul_bytes",
                                (double) f->nul_bytes);
    if (f->offload_of > 0) {
        cJSON *l = cJSON_AddObjectToObject(o, "offload");
        cJSON_AddNumberToObject(l, "layers", f->offloaded);
        cJSON_AddNumberToObject(l, "of", f->offload_of);
        cJSON_AddNumberToObject(l, "line", (double) f->offload_line);
    }
    if (f->kv_line) {
        cJSON *k = cJSON_AddObjectToObject(o, "kv_cache");
        add_num(k, "mib", f->kv_mib);
        add_str(k, "type_k", f->type_k);
        add_str(k, "type_v", f->type_v);
        cJSON_AddNumberToObject(k, "line", (double) f->kv_line);
    }
    if (f->n_buf) {
        cJSON *a = cJSON_AddArrayToObject(o, "buffers");
        for (int i = 0; i < f->n_buf; i++) {
            cJSON *j = cJSON_CreateObject();
            add_str(j, "device", f->buf[i].device);
            add_str(j, "kind", f->buf[i].kind);
            cJSON_AddNumberToObject(j, "mib", f->buf[i].mib);
            cJSON_AddNumberToObject(j, "line", (double) f->buf[i].line);
            cJSON_AddItemToArray(a, j);
        }
    }
    if (f->alloc_fail_line) {
        cJSON *a = cJSON_AddObjectToObject(o, "failed_allocation");
        add_num(a, "mib", round(f->alloc_fail_mib * 100) / 100);
        add_str(a, "device", f->alloc_fail_device);
        add_str(a, "kind", f->alloc_fail_kind);
        add_str(a, "memory", wld_log_host_buffer(f->alloc_fail_device) ? "host" : "gpu");
        cJSON_AddNumberToObject(a, "line", (double) f->alloc_fail_line);
    }
    if (f->command[0]) {
        cJSON *c = cJSON_AddObjectToObject(o, "command");
        add_str(c, "text", f->command);
        if (f->cmd_ngl != -1)
            cJSON_AddNumberToObject(c, "ngl", f->cmd_ngl);
        add_num(c, "ctx", f->cmd_ctx);
        add_str(c, "model", f->cmd_model);
        if (f->cmd_no_mmap)
            cJSON_AddBoolToObject(c, "no_mmap", true);
        cJSON_AddNumberToObject(c, "line", (double) f->command_line);
    }
    if (f->ollama) {
        cJSON *j = cJSON_AddObjectToObject(o, "ollama");
        add_str(j, "version", f->ollama_version);
        add_str(j, "runner", f->ollama_runner);
        add_str(j, "runners", f->ollama_runners);
        if (f->n_compute) {
            cJSON *a = cJSON_AddArrayToObject(j, "inference_compute");
            for (int i = 0; i < f->n_compute; i++) {
                const struct wld_log_compute *c = &f->compute[i];
                cJSON *x = cJSON_CreateObject();
                add_str(x, "id", c->id);
                add_str(x, "library", c->library);
                add_str(x, "compute", c->compute);
                add_str(x, "driver", c->driver);
                add_str(x, "name", c->name);
                add_num(x, "total_gib", c->total_gib);
                add_num(x, "available_gib", c->available_gib);
                cJSON_AddNumberToObject(x, "line", (double) c->line);
                cJSON_AddItemToArray(a, x);
            }
        }
        if (f->o_layers_model > 0) {
            cJSON *x = cJSON_AddObjectToObject(j, "offload");
            cJSON_AddNumberToObject(x, "layers_model", f->o_layers_model);
            add_num(x, "layers_offload", f->o_layers_offload);
            add_num(x, "kv_gib", f->o_kv_gib);
            add_num(x, "weights_gib", f->o_weights_gib);
            add_num(x, "graph_gib", f->o_graph_gib);
            add_num(x, "required_full_gib", f->o_full_gib);
            add_num(x, "available_gib", f->o_available_gib);
            add_num(x, "num_ctx", f->o_num_ctx);
            cJSON_AddNumberToObject(x, "line", (double) f->o_offload_line);
        }
    }
    return o;
}
