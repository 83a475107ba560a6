/* gpu.driver: the host NVIDIA driver version against the driver matrix.
 *
 * Guards against a driver too old for CUDA on WSL (R495+), too old for the installed CUDA
 * toolkit ("CUDA driver version is insufficient for CUDA runtime version"), and against the
 * many ways nvidia-smi itself fails. On WSL the version that matters is the Windows one,
 * which nvidia-smi prints as "Driver Version"; "NVIDIA-SMI" there is the Linux-side build. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/gpu.h"
#include "wld/inventory.h"
#include "wld/parse.h"
#include "wld/platform.h"
#include "wld/proc.h"
#include "wld/rules.h"
#include "wld/version.h"

#define WSL_SMI "/usr/lib/wsl/lib/nvidia-smi"
/* What of nvidia-smi's output is kept: the start of a table, or enough of a failure for
 * evaluate() to find nvidia-smi's message in it. */
#define EXCERPT        600
#define FAILED_EXCERPT 4096

static void add_excerpt(cJSON *o, const char *name, const struct wld_buf *b, size_t cap)
{
    char *s = wld_str_printable(b->data, b->len < cap ? b->len : cap);
    cJSON_AddStringToObject(o, name, s);
    free(s);
}

static void add_parsed(cJSON *facts, const struct wld_nvsmi *s, const char *source)
{
    cJSON_AddStringToObject(facts, "driver_version", s->driver_version);
    cJSON_AddStringToObject(facts, "source", source);
    if (s->cuda_version[0])
        cJSON_AddStringToObject(facts, "cuda_version", s->cuda_version);
    if (s->smi_version[0])
        cJSON_AddStringToObject(facts, "nvidia_smi_version", s->smi_version);
    cJSON *gpus = cJSON_AddArrayToObject(facts, "gpus");
    for (unsigned i = 0; i < s->n_gpus; i++) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "name", s->gpus[i].name);
        if (s->gpus[i].mem_total_mib >= 0)
            cJSON_AddNumberToObject(g, "memory_total_mib", s->gpus[i].mem_total_mib);
        if (s->gpus[i].mem_used_mib >= 0)
            cJSON_AddNumberToObject(g, "memory_used_mib", s->gpus[i].mem_used_mib);
        cJSON_AddItemToArray(gpus, g);
    }
}

static void
record_probe(cJSON *facts, const char *name, const struct wld_proc_result *r, bool parsed)
{
    cJSON *p = wld_fact_proc(facts, name, wld_proc_ending(r) ? wld_proc_ending(r) : "ok", r);
    add_excerpt(p, "stdout", &r->out, parsed ? EXCERPT : FAILED_EXCERPT);
    if (r->err.len)
        add_excerpt(p, "stderr", &r->err, parsed ? EXCERPT : FAILED_EXCERPT);
}

static void gather_proc_version(const struct wld_host *h, cJSON *facts)
{
    struct wld_buf b;
    if (wld_host_read(h, "/proc/driver/nvidia/version", 4096, &b) < 0)
        return;
    /* "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 ..." */
    const char *p = strstr(b.data, "Kernel Module");
    struct wld_version v;
    if (p && wld_version_parse(p + strlen("Kernel Module"), &v, NULL) == 0 && v.n >= 2) {
        char s[32];
        wld_version_format(&v, s, sizeof(s));
        cJSON_AddStringToObject(facts, "proc_driver_version", s);
    }
    wld_buf_release(&b);
}

static void gather_smi(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    char *smi = NULL;
    gather_proc_version(h, facts);
    if (wld_host_is_executable(h, WSL_SMI))
        smi = wld_xstrdup(WSL_SMI);
    else if (wld_host_find_command(h, "nvidia-smi", &smi) < 0)
        smi = NULL;
    if (!smi) {
        cJSON_AddStringToObject(facts, "probe", "missing");
        const char *v = wld_fact_str(facts, "proc_driver_version");
        if (v) {
            cJSON_AddStringToObject(facts, "driver_version", v);
            cJSON_AddStringToObject(facts, "source", "/proc/driver/nvidia/version");
        }
        return;
    }
    cJSON_AddStringToObject(facts, "nvidia_smi", smi);
    cJSON_AddNumberToObject(facts, "deadline_ms", ctx->timeout_ms);
    /* The table alone: it states the driver, the CUDA version and every GPU with its
     * memory, so nvidia-smi runs once. What a failure means is evaluate()'s to say. */
    const char *table[] = { smi, NULL };
    struct wld_proc_spec spec = { .argv = table, .timeout_ms = ctx->timeout_ms };
    struct wld_proc_result res;
    wld_proc_run(h, &spec, &res);
    struct wld_nvsmi t;
    bool parsed = !res.timed_out && wld_nvsmi_parse_table(res.out.data, &t) == 0;
    record_probe(facts, "table", &res, parsed);
    if (parsed) {
        add_parsed(facts, &t, "nvidia-smi");
        cJSON_AddStringToObject(facts, "probe", "ok");
    } else {
        cJSON_AddStringToObject(facts, "probe", "failed");
    }
    wld_proc_result_release(&res);
    free(smi);
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    gather_smi(ctx, facts);
    /* the toolkit whose minimum driver applies, once nvidia-smi has run (cuda.toolkit's
     * gather runs nvcc meanwhile) */
    const char *tk = wld_fact_str(wld_inventory_get(ctx->inv, WLD_INV_TOOLKIT), "version");
    if (tk)
        cJSON_AddStringToObject(facts, "toolkit_version", tk);
    return 0;
}

/* The toolkit's row of NVIDIA's table: the newest row not newer than the toolkit within
 * its major.minor (so 12.6.2 matches "12.6.1"/"12.6.2", not "12.6.3"). */
static const cJSON *table_row(const cJSON *table, const char *toolkit)
{
    struct wld_version tv;
    const cJSON *best = NULL, *row;
    struct wld_version bv = { 0 };
    if (wld_version_parse(toolkit, &tv, NULL) < 0 || tv.n < 2)
        return NULL;
    cJSON_ArrayForEach(row, table)
    {
        struct wld_version rv;
        if (wld_version_parse(wld_fact_str(row, "cuda"), &rv, NULL) < 0 || rv.n < 2)
            continue;
        if (rv.part[0] != tv.part[0] || rv.part[1] != tv.part[1] || wld_version_cmp(&rv, &tv) > 0)
            continue;
        if (!best || wld_version_cmp(&rv, &bv) > 0) {
            best = row;
            bv = rv;
        }
    }
    return best;
}

static const char *guide_outcome(const struct wld_eval_ctx *ctx, const char *driver)
{
    const cJSON *row;
    struct wld_version d;
    if (wld_version_parse(driver, &d, NULL) < 0)
        return NULL;
    cJSON_ArrayForEach(row, wld_param(ctx, "guide_rows"))
    {
        const char *max = wld_fact_str(row, "at_most");
        double branch = wld_fact_num(row, "branch", -1);
        if ((max && wld_version_cmp_str(driver, max) <= 0) ||
            (branch >= 0 && (double) d.part[0] == branch))
            return wld_fact_str(row, "outcome");
    }
    return NULL;
}

static bool says(const cJSON *probe, const char *stream, const char *text)
{
    const char *s = wld_fact_str(probe, stream);
    return s && strstr(s, text);
}

/* Why nvidia-smi printed no table: its deadline, one of its messages (the rules'
 * smi_messages, first match), a crash, a failed start, or output that is none of these. */
static const char *smi_failure(const struct wld_eval_ctx *ctx)
{
    const cJSON *table = cJSON_GetObjectItemCaseSensitive(ctx->mine, "table");
    const char *state = wld_fact_str(table, "state");
    if (state && strcmp(state, "timeout") == 0)
        return state;
    const cJSON *m;
    cJSON_ArrayForEach(m, wld_param(ctx, "smi_messages"))
    {
        const char *text = wld_fact_str(m, "text");
        if (text && (says(table, "stdout", text) || says(table, "stderr", text)))
            return wld_fact_str(m, "state");
    }
    if (state && (strcmp(state, "crashed") == 0 || strcmp(state, "spawn_failed") == 0))
        return state;
    return "garbage";
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    enum wld_platform p = ctx->platform;
    bool wsl = p == WLD_PLATFORM_WSL2;
    const char *probe = wld_fact_str(ctx->mine, "probe");
    /* The merged view (nvidia-smi or /proc for the driver, libcuda for the CUDA version,
     * NVML when there is no nvidia-smi). A failing nvidia-smi is reported as itself. */
    struct wld_gpu_driver gpu;
    wld_gpu_driver_of(ctx->facts, &gpu);
    bool smi_failed = probe && strcmp(probe, "failed") == 0;
    const char *driver = smi_failed ? NULL : gpu.driver;
    const char *cuda = smi_failed ? NULL : gpu.cuda;
    const char *smi_cuda = wld_fact_str(ctx->mine, "cuda_version");
    if (driver)
        wld_finding_var(f, "driver_source", gpu.driver_source);
    if (cuda)
        wld_finding_var(f, "cuda_source", gpu.cuda_source);
    /* the toolkit this check saw (a report before it: cuda.toolkit's) */
    const char *toolkit = wld_fact_str(ctx->mine, "toolkit_version");
    if (!toolkit)
        toolkit = wld_fact_str(wld_facts_of(ctx, "cuda.toolkit"), "version");
    const char *column = wsl ? "windows" : "linux";

    wld_finding_var(f, "driver", driver ? driver : "unknown");
    wld_finding_var(f, "where", wsl ? "Windows" : "Linux");
    wld_finding_var(f, "cuda", cuda ? cuda : "unknown");
    wld_finding_var(f, "nvidia_smi", wld_fact_str(ctx->mine, "nvidia_smi"));
    wld_finding_var_num(f, "deadline_s", wld_fact_num(ctx->mine, "deadline_ms", 0) / 1000.0);
    wld_finding_var_num(
            f, "ms", wld_fact_num(cJSON_GetObjectItemCaseSensitive(ctx->mine, "table"), "ms", 0));
    if (p == WLD_PLATFORM_WSL1) {
        wld_finding_outcome(f, "not_applicable_wsl1");
        return;
    }
    if (!driver) {
        const char *why = smi_failed ? smi_failure(ctx) : NULL;
        if (why && strcmp(why, "spawn_failed") == 0) {
            /* found, but exec failed: ENOENT here is a missing interpreter or loader (a
             * NixOS-WSL binary), not a missing nvidia-smi */
            const cJSON *table = cJSON_GetObjectItemCaseSensitive(ctx->mine, "table");
            const char *err = wld_fact_str(table, "errno");
            wld_finding_var(f, "errno", err ? err : "spawn failed");
            wld_finding_outcome(f, "smi_cannot_run");
            return;
        }
        if (why) {
            char key[48];
            snprintf(key, sizeof(key), "smi_%s%s", why,
                     strcmp(why, "no_driver") == 0 && wsl ? "_wsl" : "");
            wld_finding_outcome(f, key);
            return;
        }
        wld_finding_outcome(f, wsl ? "missing_wsl" : "missing_native");
        return;
    }
    if (wsl && wld_version_cmp_str(driver, wld_param_str(ctx, "wsl_min_driver")) < 0) {
        wld_finding_var(f, "min", wld_param_str(ctx, "wsl_min_driver"));
        wld_finding_outcome(f, "too_old_for_wsl");
        return;
    }
    if (toolkit) {
        const cJSON *row = table_row(wld_param(ctx, "cuda_driver_table"), toolkit);
        char major[16];
        snprintf(major, sizeof(major), "%lu", strtoul(toolkit, NULL, 10));
        const cJSON *fam =
                cJSON_GetObjectItemCaseSensitive(wld_param(ctx, "family_minimum"), major);
        const char *fam_min = wld_fact_str(fam, column);
        const char *row_min = wld_fact_str(row, column);
        wld_finding_var(f, "toolkit", toolkit);
        if (fam_min && wld_version_cmp_str(driver, fam_min) < 0) {
            wld_finding_var(f, "min", fam_min);
            wld_finding_var(f, "major", major);
            wld_finding_outcome(f, "below_family_minimum");
            return;
        }
        if (row_min && wld_version_cmp_str(driver, row_min) < 0) {
            wld_finding_var(f, "min", row_min);
            wld_finding_var(f, "row", wld_fact_str(row, "cuda"));
            wld_finding_outcome(f, "below_toolkit_minimum");
            return;
        }
    }
    if (smi_cuda && strcmp(smi_cuda, "ERR!") == 0) {
        wld_finding_outcome(f, "cuda_err");
        return;
    }
    const char *guide = wsl ? guide_outcome(ctx, driver) : NULL;
    if (guide) {
        wld_finding_outcome(f, guide);
        return;
    }
    wld_finding_var(f, "toolkit", toolkit ? toolkit : "");
    /* The note is itself a template ("enough for CUDA {toolkit}"): render it first. */
    char *note = toolkit ? wld_template_render(wld_param_str(ctx, "toolkit_ok_note"), f->vars)
                         : wld_xstrdup("");
    wld_finding_var(f, "toolkit_note", note);
    free(note);
    wld_finding_outcome(f, "ok");
}

static const char *const outcomes[] = {
    "ok",
    "missing_wsl",
    "missing_native",
    "smi_timeout",
    "smi_no_driver",
    "smi_no_driver_wsl",
    "smi_blocked",
    "smi_no_devices",
    "smi_nvml_failed",
    "smi_crashed",
    "smi_cannot_run",
    "smi_garbage",
    "too_old_for_wsl",
    "below_family_minimum",
    "below_toolkit_minimum",
    "cuda_err",
    "not_applicable_wsl1",
    "guide_red",
    "guide_yellow",
    "guide_insider",
    NULL,
};
static const char *const params[] = { "wsl_min_driver",
                                      "cuda_driver_table",
                                      "family_minimum",
                                      "guide_rows",
                                      "toolkit_ok_note",
                                      "smi_messages",
                                      NULL };
static const char *const needs[] = { "wsl.platform", "gpu.cuda", NULL };

static const char *const fact_keys[] = { "probe", NULL };

const struct wld_check wld_check_gpu_driver = {
    .id = "gpu.driver",
    .title = "Host NVIDIA driver",
    .looks_at = "nvidia-smi's table (/usr/lib/wsl/lib first on WSL), "
                "/proc/driver/nvidia/version; with no nvidia-smi, NVML's driver version; the "
                "highest CUDA version from libcuda (gpu.cuda)",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
};
