/* llama.devices: llama.cpp itself lists the GPU.
 *
 * Guards against the last silent failure, the one every other check can miss: the build
 * looks right, the driver answers, and llama.cpp still runs on the CPU. Runs
 * `llama-server --list-devices` (llama.cpp since November 2024) under the probe deadline
 * and reads every format llama.cpp has printed (wld_llama_devices_parse): the device
 * listing, the ggml_cuda_init / ggml_init_cublas lines, and its failure lines, which are
 * quoted as llama.cpp wrote them.
 *
 * ollama has no such program, but it says the same thing itself: when its GPU discovery
 * ends it logs "inference compute" with the GPU it will use, or library=cpu. When ollama
 * runs as a systemd unit, that line is in the journal of this boot (wld/ollama_journal.h,
 * one journalctl with a deadline and a line cap), and what ollama said beats what
 * llama.build infers from its files: the report says when the two differ. */
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/llama.h"
#include "wld/ollama_journal.h"
#include "wld/parse.h"
#include "wld/proc.h"
#include "wld/runtimes.h"
#include "wld/util.h"

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

/* ---- ollama: its own verdict, from the journal ---- */

/* Whether path (a unit's ExecStart program) is the binary the runtime runs: the same file
 * once both are resolved. */
static bool same_binary(const struct wld_host *h, const char *path, const char *real)
{
    char *r = NULL;
    bool same = path && real && wld_host_resolve(h, path, &r) == 0 && strcmp(r, real) == 0;
    free(r);
    return same;
}

/* The system unit that runs ollama runtime rt: the unit it was found by, or one whose
 * ExecStart runs its binary; NULL when none. A user unit's lines are in the user's own
 * journal, which `journalctl -u` does not read: ollama's install script writes a system
 * unit. */
static const cJSON *unit_of(const struct wld_host *h, const cJSON *rt, const cJSON *services)
{
    const char *by = wld_fact_str(rt, "found_by");
    const char *name = by && strncmp(by, "systemd unit ", 13) == 0 ? by + 13 : NULL;
    char *real = NULL;
    const char *bin = wld_fact_str(rt, "binary_real") ? wld_fact_str(rt, "binary_real")
                                                      : wld_fact_str(rt, "binary");
    if (bin && wld_host_resolve(h, bin, &real) < 0)
        real = NULL;
    const cJSON *u, *found = NULL;
    cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(services, "units"))
    {
        if (!wld_str_is(wld_fact_str(u, "scope"), "system"))
            continue;
        if (wld_str_is(wld_fact_str(u, "name"), name) ||
            same_binary(h, wld_fact_str(u, "exec"), real)) {
            found = u;
            break;
        }
    }
    free(real);
    return found;
}

/* facts.ollama {binary, found_by, unit?, systemd_runs?} and, when a system unit runs it
 * and systemd runs, facts.journal: what ollama said at its last start (wld_ollama_journal). */
static void gather_ollama(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const cJSON *rt = ctx->runtime;
    const cJSON *services = wld_inventory_get(ctx->inv, WLD_INV_SERVICES);
    cJSON *o = cJSON_AddObjectToObject(facts, "ollama");
    cJSON_AddStringToObject(o, "binary", wld_fact_str(rt, "binary"));
    cJSON_AddStringToObject(o, "found_by", wld_fact_str(rt, "found_by"));
    const cJSON *unit = unit_of(ctx->host, rt, services);
    if (!unit)
        return;
    cJSON_AddStringToObject(o, "unit", wld_fact_str(unit, "name"));
    const cJSON *sd = cJSON_GetObjectItemCaseSensitive(services, "systemd");
    const char *pid1 = wld_fact_str(sd, "pid1");
    bool runs = wld_str_is(pid1, "systemd") || wld_fact_bool(sd, "run_systemd_system", false);
    cJSON_AddStringToObject(o, "pid1", pid1 ? pid1 : "unknown");
    cJSON_AddBoolToObject(o, "systemd_runs", runs);
    /* without systemd the unit does not run and there is no journal to ask */
    if (runs)
        wld_ollama_journal(ctx->host, wld_fact_str(unit, "name"), ctx->timeout_ms,
                           cJSON_AddObjectToObject(facts, "journal"));
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    /* the binary alone: the run starts it without waiting for the build's inspection */
    const char *kind = wld_fact_str(ctx->runtime, "kind");
    if (wld_str_is(kind, "ollama")) {
        gather_ollama(ctx, facts);
        return 0;
    }
    if (kind && strcmp(kind, "llama.cpp") != 0) {
        /* llama-cpp-python has no program that lists llama.cpp's devices */
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

/* What llama.build infers from ollama's files for this runtime: 1 a GPU backend (named in
 * *backend), 0 the CPU, -1 unknown (llama.build not gathered: --only llama.devices, or a
 * saved report without it). llama.build is not a need: a report saved before ollama's
 * journal was read, without llama.build's facts, still judges its llama.cpp builds. */
static int files_say_gpu(const struct wld_eval_ctx *ctx, const char **backend)
{
    const cJSON *o = wld_ollama_of(wld_facts_of(ctx, "llama.build"));
    if (!o)
        return -1;
    const cJSON *backends = cJSON_GetObjectItemCaseSensitive(o, "backends");
    const char *why = NULL, *driver = NULL;
    int i = cJSON_GetArraySize(backends) ? wld_ollama_choose(ctx->facts, o, &why, &driver) : -1;
    *backend = i < 0 ? NULL : wld_fact_str(cJSON_GetArrayItem(backends, i), "name");
    return i >= 0;
}

/* The devices of ollama's verdict: "NVIDIA GeForce RTX 4090 (compute 8.9, cuda, 22.3 GiB
 * free)", one per "inference compute" line. */
static void add_said_devices(const cJSON *journal, struct wld_finding *f)
{
    const cJSON *c;
    struct wld_buf list;
    wld_buf_init(&list, 256);
    cJSON_ArrayForEach(
            c, cJSON_GetObjectItemCaseSensitive(
                       cJSON_GetObjectItemCaseSensitive(
                               cJSON_GetObjectItemCaseSensitive(journal, "observations"), "ollama"),
                       "inference_compute"))
    {
        if (wld_str_eq_nocase(wld_fact_str(c, "library"), "cpu"))
            continue;
        const char *name = wld_fact_str(c, "name"), *cc = wld_fact_str(c, "compute");
        wld_buf_printf(&list, "%s%s (compute %s, %s", list.len ? "; " : "",
                       name && *name ? name : wld_fact_str(c, "id"), cc && *cc ? cc : "unknown",
                       wld_fact_str(c, "library"));
        if (wld_fact_num(c, "available_gib", -1) >= 0)
            wld_buf_printf(&list, ", %.1f GiB free", wld_fact_num(c, "available_gib", 0));
        wld_buf_printf(&list, ")");
    }
    wld_finding_var(f, "devices", list.len ? list.data : "a GPU");
    wld_buf_release(&list);
}

/* ollama's verdict (journal.verdict "gpu" or "cpu") held against its files' */
static void
evaluate_verdict(const struct wld_eval_ctx *ctx, const cJSON *journal, struct wld_finding *f)
{
    const char *verdict = wld_fact_str(journal, "verdict");
    const char *said_at = wld_fact_str(journal, "said_at");
    wld_finding_var(f, "said_at", said_at ? said_at : "its start");
    const char *backend = NULL;
    int files = files_say_gpu(ctx, &backend);
    wld_finding_var(f, "backend", backend ? backend : "");
    if (wld_str_is(verdict, "gpu")) {
        add_said_devices(journal, f);
        wld_finding_outcome(f, files == 0 ? "ollama_says_gpu_unlike_files" : "ollama_says_gpu");
        return;
    }
    struct wld_buf why;
    wld_buf_init(&why, 256);
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(journal, "why"))
    {
        wld_buf_printf(&why, "%s\"%s\"", why.len ? ", then " : "", w->valuestring);
    }
    wld_finding_var(f, "reason", why.len ? why.data : "no GPU it can use");
    wld_buf_release(&why);
    wld_finding_outcome(f, files == 1 ? "ollama_says_cpu_unlike_files" : "ollama_says_cpu");
}

/* Journal states that are not ollama's words: no journal, no right to read it, or a
 * journalctl that did not answer. */
static bool evaluate_journal_state(const cJSON *journal, struct wld_finding *f)
{
    const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(journal, "cmd");
    const char *state = wld_fact_str(cmd, "state");
    wld_finding_var(f, "command", wld_fact_str(journal, "command"));
    wld_finding_var(f, "state", state ? state : "unknown");
    if (wld_str_is(state, "ok"))
        return false;
    if (wld_str_is(state, "no_permission"))
        wld_finding_outcome(f, "journal_unreadable");
    else if (wld_str_is(state, "no_journal"))
        wld_finding_outcome(f, "no_journal");
    else if (wld_str_is(state, "no_entries"))
        wld_finding_outcome(f, "unit_not_started");
    else
        wld_finding_outcome(f, "journal_failed");
    return true;
}

static void evaluate_ollama(const struct wld_eval_ctx *ctx, const cJSON *o, struct wld_finding *f)
{
    const char *unit = wld_fact_str(o, "unit");
    const char *by = wld_fact_str(o, "found_by");
    wld_finding_var(f, "binary", wld_fact_str(o, "binary"));
    wld_finding_var(f, "found_by", by ? by : "unknown");
    wld_finding_var(f, "unit", unit ? unit : "");
    if (!unit) {
        wld_finding_outcome(f, "ollama_not_a_unit");
        return;
    }
    wld_finding_var(f, "pid1", wld_fact_str(o, "pid1"));
    const cJSON *journal = cJSON_GetObjectItemCaseSensitive(ctx->mine, "journal");
    if (!wld_fact_bool(o, "systemd_runs", false) || !journal) {
        wld_finding_outcome(f, "unit_no_systemd");
        return;
    }
    if (evaluate_journal_state(journal, f))
        return;
    if (wld_str_is(wld_fact_str(journal, "verdict"), "none"))
        wld_finding_outcome(f, "ollama_silent");
    else
        evaluate_verdict(ctx, journal, f);
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(m, "ollama"))) {
        evaluate_ollama(ctx, cJSON_GetObjectItemCaseSensitive(m, "ollama"), f);
        return;
    }
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
                                        "ollama_says_gpu",
                                        "ollama_says_gpu_unlike_files",
                                        "ollama_says_cpu",
                                        "ollama_says_cpu_unlike_files",
                                        "ollama_silent",
                                        "ollama_not_a_unit",
                                        "unit_no_systemd",
                                        "unit_not_started",
                                        "no_journal",
                                        "journal_unreadable",
                                        "journal_failed",
                                        NULL };

const struct wld_check wld_check_llama_devices = {
    .id = "llama.devices",
    .title = "llama.cpp sees the GPU",
    .looks_at = "`llama-server --list-devices` (stdout and stderr), run with the probe deadline; "
                "for ollama run by a systemd unit, its discovery lines in the journal of this "
                "boot (`journalctl -u UNIT -b`, once, with the probe deadline)",
    .outcomes = outcomes,
    .gather = gather,
    .per_runtime = true,
    .evaluate = evaluate,
};
