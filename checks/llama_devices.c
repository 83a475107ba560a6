/* llama.devices: llama.cpp itself lists the GPU.
 *
 * Guards against the last silent failure, the one every other check can miss: the build
 * looks right, the driver answers, and llama.cpp still runs on the CPU. Runs
 * `llama-server --list-devices` (llama.cpp since November 2024) under the probe deadline
 * and reads every format llama.cpp has printed (wld_llama_devices_parse): the device
 * listing, the ggml_cuda_init / ggml_init_cublas lines, and its failure lines, which are
 * quoted as llama.cpp wrote them. */
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/llama.h"
#include "wld/parse.h"
#include "wld/proc.h"

#define OUT_CAP (256 * 1024)

static void add_parsed(const struct wld_llama_devices *d, cJSON *facts)
{
    cJSON *list = cJSON_AddArrayToObject(facts, "devices");
    for (size_t i = 0; i < d->n_dev; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", d->dev[i].name);
        cJSON_AddStringToObject(o, "description", d->dev[i].desc);
        if (d->dev[i].total_mib >= 0) {
            cJSON_AddNumberToObject(o, "total_mib", d->dev[i].total_mib);
            cJSON_AddNumberToObject(o, "free_mib", d->dev[i].free_mib);
        }
        cJSON_AddItemToArray(list, o);
    }
    cJSON_AddBoolToObject(facts, "listing", d->listing);
    if (d->cuda_found >= 0)
        cJSON_AddNumberToObject(facts, "cuda_found", d->cuda_found);
    cJSON *cuda = cJSON_AddArrayToObject(facts, "cuda_init_devices");
    for (size_t i = 0; i < d->n_cuda; i++) {
        char cc[16];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", d->cuda[i].index);
        cJSON_AddStringToObject(o, "name", d->cuda[i].name);
        snprintf(cc, sizeof(cc), "%d.%d", d->cuda[i].cc_major, d->cuda[i].cc_minor);
        cJSON_AddStringToObject(o, "cc", cc);
        if (d->cuda[i].vmm >= 0)
            cJSON_AddBoolToObject(o, "vmm", d->cuda[i].vmm == 1);
        cJSON_AddItemToArray(cuda, o);
    }
    if (d->cuda_failure[0])
        cJSON_AddStringToObject(facts, "cuda_failure", d->cuda_failure);
    if (d->backend_failure[0])
        cJSON_AddStringToObject(facts, "backend_failure", d->backend_failure);
    if (d->loader_error[0])
        cJSON_AddStringToObject(facts, "loader_error", d->loader_error);
    if (d->unknown_option)
        cJSON_AddBoolToObject(facts, "unknown_option", true);
    if (d->cuda_virtual >= 0 && d->cuda_physical >= 0) {
        cJSON_AddNumberToObject(facts, "cuda_virtual", d->cuda_virtual);
        cJSON_AddNumberToObject(facts, "cuda_physical", d->cuda_physical);
    }
}

/* The last non-empty line of the output, for a failure llama.cpp did not name. */
static void last_line(const struct wld_buf *b, char *out, size_t n)
{
    out[0] = '\0';
    if (!b->len)
        return;
    size_t end = b->len;
    while (end > 0 && (b->data[end - 1] == '\n' || b->data[end - 1] == '\r'))
        end--;
    size_t start = end;
    while (start > 0 && b->data[start - 1] != '\n')
        start--;
    snprintf(out, n, "%.*s", (int) (end - start), b->data + start);
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    /* the binary alone: the run starts it without waiting for the build's inspection */
    const char *kind = wld_fact_str(ctx->runtime, "kind");
    if (kind && strcmp(kind, "llama.cpp") != 0) {
        /* ollama and llama-cpp-python have no program that lists llama.cpp's devices */
        cJSON_AddStringToObject(facts, "not_listed", kind);
        return 0;
    }
    const cJSON *found = cJSON_GetObjectItemCaseSensitive(ctx->runtime, "build");
    const char *bin = wld_fact_str(found, "binary");
    if (!bin)
        return 0;
    cJSON_AddStringToObject(facts, "binary", bin);
    if (!wld_fact_bool(found, "binary_exists", false)) {
        cJSON_AddBoolToObject(facts, "binary_exists", false);
        return 0;
    }
    char *ld = wld_ldpath_real(h, wld_inventory_ldpath(ctx->inv, true));
    const char *argv[] = { bin, "--list-devices", NULL };
    struct wld_proc_spec spec = {
        .argv = argv, .fixture_ld_path = ld, .timeout_ms = ctx->timeout_ms, .out_cap = OUT_CAP
    };
    struct wld_proc_result r;
    wld_proc_run(h, &spec, &r);
    struct wld_llama_devices d;
    wld_llama_parse_run(h, &r, &d);
    add_parsed(&d, facts);
    const char *ended = wld_proc_ending(&r);
    cJSON *run = wld_fact_proc(facts, "run", ended ? ended : "ok", &r);
    char line[512];
    last_line(&r.err, line, sizeof(line));
    if (!line[0])
        last_line(&r.out, line, sizeof(line));
    wld_host_unroot(h, line);
    char *printable = wld_str_printable(line, strlen(line));
    cJSON_AddStringToObject(run, "last_line", printable);
    free(printable);
    cJSON_AddNumberToObject(facts, "deadline_ms", ctx->timeout_ms);
    wld_proc_result_release(&r);
    free(ld);
    return 0;
}

/* ---- evaluate ---- */

static bool is_cuda_name(const char *name)
{
    return name && strncmp(name, "CUDA", 4) == 0;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    const char *bin = wld_fact_str(m, "binary");
    const cJSON *run = cJSON_GetObjectItemCaseSensitive(m, "run");
    wld_finding_var(f, "binary", bin ? bin : "");
    if (wld_fact_str(m, "not_listed")) {
        wld_finding_outcome(f, "not_listed");
        return;
    }
    if (!bin || !run) {
        wld_finding_outcome(f, bin ? "binary_missing" : "no_binary");
        return;
    }
    const char *state = wld_fact_str(run, "state");
    wld_finding_var_num(f, "deadline_s", wld_fact_num(m, "deadline_ms", 0) / 1000.0);
    wld_finding_var(f, "last_line", wld_fact_str(run, "last_line"));
    /* llama.cpp's own list first: whatever the exit, a CUDA device listed is the answer */
    struct wld_buf list;
    wld_buf_init(&list, 2048);
    int cuda = 0;
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(m, "devices"))
    {
        const char *name = wld_fact_str(d, "name");
        if (!is_cuda_name(name))
            continue;
        cuda++;
        wld_buf_printf(&list, "%s%s: %s", list.len ? "; " : "", name,
                       wld_fact_str(d, "description"));
        if (wld_fact_num(d, "total_mib", -1) >= 0)
            wld_buf_printf(&list, " (%.0f MiB, %.0f MiB free)", wld_fact_num(d, "total_mib", 0),
                           wld_fact_num(d, "free_mib", 0));
    }
    if (cuda == 0)
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(m, "cuda_init_devices"))
        {
            cuda++;
            wld_buf_printf(&list, "%sDevice %.0f: %s, compute capability %s", list.len ? "; " : "",
                           wld_fact_num(d, "index", 0), wld_fact_str(d, "name"),
                           wld_fact_str(d, "cc"));
        }
    /* GGML_CUDA_DEVICES splits a GPU into virtual devices: each is listed, the GPUs are
     * fewer */
    double virt = wld_fact_num(m, "cuda_virtual", -1), phys = wld_fact_num(m, "cuda_physical", -1);
    if (virt >= 0 && phys >= 0 && virt != phys) {
        wld_finding_var_num(f, "count", phys);
        wld_finding_varf(f, "emulated",
                         " (%.0f virtual devices on %.0f GPU(s): GGML_CUDA_DEVICES is set)", virt,
                         phys);
    } else {
        wld_finding_var_num(f, "count", cuda);
        wld_finding_var(f, "emulated", "");
    }
    wld_finding_var(f, "devices", list.len ? list.data : "");
    /* a listing from a run that then hung or crashed is not an answer: llama-server that
     * cannot finish --list-devices will not serve either */
    if (cuda > 0)
        wld_finding_varf(f, "listed", " after listing %s", list.data);
    else
        wld_finding_var(f, "listed", "");
    wld_buf_release(&list);
    if (state && strcmp(state, "timeout") == 0) {
        wld_finding_outcome(f, "timeout");
        return;
    }
    if (state && strcmp(state, "crashed") == 0) {
        wld_finding_var(f, "signal", wld_signal_name((int) wld_fact_int(run, "signal", 0, 64, 0)));
        wld_finding_outcome(f, "crashed");
        return;
    }
    if (cuda > 0) {
        wld_finding_outcome(f, "ok");
        return;
    }
    if (wld_fact_str(m, "loader_error")) {
        wld_finding_var(f, "error", wld_fact_str(m, "loader_error"));
        wld_finding_outcome(f, "loader_error");
        return;
    }
    if (wld_fact_bool(m, "unknown_option", false)) {
        wld_finding_outcome(f, "no_list_devices");
        return;
    }
    if (wld_fact_str(m, "cuda_failure")) {
        wld_finding_var(f, "error", wld_fact_str(m, "cuda_failure"));
        wld_finding_outcome(f, "cuda_init_failed");
        return;
    }
    if (wld_fact_str(m, "backend_failure")) {
        wld_finding_var(f, "error", wld_fact_str(m, "backend_failure"));
        wld_finding_outcome(f, "backend_not_loaded");
        return;
    }
    if (wld_fact_bool(m, "listing", false)) {
        struct wld_buf other;
        wld_buf_init(&other, 1024);
        cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(m, "devices"))
        {
            wld_buf_printf(&other, "%s%s", other.len ? ", " : "", wld_fact_str(d, "name"));
        }
        wld_finding_var(f, "others", other.len ? other.data : "none");
        wld_buf_release(&other);
        wld_finding_outcome(f, "no_cuda_device");
        return;
    }
    wld_finding_var(f, "state", state ? state : "unknown");
    wld_finding_outcome(f, "unrecognised");
}

static const char *const outcomes[] = { "ok",
                                        "not_listed",
                                        "no_binary",
                                        "binary_missing",
                                        "timeout",
                                        "crashed",
                                        "loader_error",
                                        "no_list_devices",
                                        "cuda_init_failed",
                                        "backend_not_loaded",
                                        "no_cuda_device",
                                        "unrecognised",
                                        NULL };

const struct wld_check wld_check_llama_devices = {
    .id = "llama.devices",
    .title = "llama.cpp sees the GPU",
    .looks_at = "`llama-server --list-devices` (stdout and stderr), run with the probe deadline",
    .outcomes = outcomes,
    .gather = gather,
    .per_runtime = true,
    .evaluate = evaluate,
};
