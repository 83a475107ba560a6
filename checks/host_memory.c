/* host.memory: the memory the VM (or machine) really has, against the models.
 *
 * Guards against the "Killed" users paste: a model server the OOM killer ended, a VM
 * smaller than the user thinks (WSL's default is half of Windows' memory; a .wslconfig
 * memory= not applied yet), and --no-mmap, which turns the page cache a model lives in by
 * default into process memory the OOM killer counts. The arithmetic per model is
 * models.fit's (wld/fit.h): this check only says what it means for host memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fit.h"
#include "wld/inventory.h"
#include "wld/parse.h"
#include "wld/platform.h"
#include "wld/wslconfig_lint.h"
#include "wld/wslfile.h"

#define KMSG_CAP (4u * 1024u * 1024u)

static void gather_kernel_log(const struct wld_host *h, cJSON *facts)
{
    struct wld_buf b;
    int r = wld_host_read_log(h, "/dev/kmsg", KMSG_CAP, &b);
    if (r < 0) {
        wld_fact_errno(facts, "kmsg_error", -r);
        return;
    }
    struct wld_oom_kill *kills = NULL;
    size_t n = 0;
    wld_oom_kills_parse(b.data, &kills, &n);
    cJSON *arr = cJSON_AddArrayToObject(facts, "oom_kills");
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "process", kills[i].process);
        cJSON_AddNumberToObject(o, "pid", (double) kills[i].pid);
        if (kills[i].anon_rss_kib >= 0)
            cJSON_AddNumberToObject(o, "anon_rss_kib", kills[i].anon_rss_kib);
        if (kills[i].file_rss_kib >= 0)
            cJSON_AddNumberToObject(o, "file_rss_kib", kills[i].file_rss_kib);
        if (kills[i].at_s >= 0)
            cJSON_AddNumberToObject(o, "at_s", kills[i].at_s);
        if (kills[i].cgroup)
            cJSON_AddBoolToObject(o, "cgroup", true);
        cJSON_AddItemToArray(arr, o);
    }
    if (b.truncated)
        cJSON_AddNumberToObject(facts, "kmsg_cut_bytes", KMSG_CAP);
    free(kills);
    wld_buf_release(&b);
    /* how long ago "at_s" was */
    if (wld_host_read(h, "/proc/uptime", 256, &b) == 0) {
        char *end = NULL;
        double up = strtod(b.data, &end);
        if (end != b.data && up >= 0)
            cJSON_AddNumberToObject(facts, "uptime_s", up);
        wld_buf_release(&b);
    }
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    cJSON_AddItemToObject(facts, "meminfo",
                          cJSON_Duplicate(wld_inventory_get(ctx->inv, WLD_INV_MEMINFO), true));
    gather_kernel_log(ctx->host, facts);
    /* llama.cpp reads --mmap / --no-mmap from the environment too (common/arg.cpp) */
    const char *no_mmap = wld_host_getenv(ctx->host, "LLAMA_ARG_NO_MMAP");
    const char *mmap = wld_host_getenv(ctx->host, "LLAMA_ARG_MMAP");
    if (no_mmap)
        cJSON_AddStringToObject(facts, "llama_arg_no_mmap", no_mmap);
    if (mmap)
        cJSON_AddStringToObject(facts, "llama_arg_mmap", mmap);
    return 0;
}

static bool is_false(const char *v)
{
    return wld_str_is(v, "0") || wld_str_eq_nocase(v, "false") || wld_str_eq_nocase(v, "off") ||
           wld_str_eq_nocase(v, "no") || !v[0];
}

static void var_bytes(struct wld_finding *f, const char *name, double bytes)
{
    char s[32];
    wld_fmt_bytes(bytes > 0 ? (uint64_t) bytes : 0, s, sizeof(s));
    wld_finding_var(f, name, s);
}

/* A model server's OOM kill: the name (comm, cut at 15 bytes) starts as one of the rules'. */
static const cJSON *server_kill(const struct wld_eval_ctx *ctx)
{
    const cJSON *k, *last = NULL, *p;
    cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(ctx->mine, "oom_kills"))
    {
        const char *name = wld_fact_str(k, "process");
        cJSON_ArrayForEach(p, wld_param(ctx, "oom_processes"))
        {
            if (name && cJSON_IsString(p) && wld_str_starts(name, p->valuestring))
                last = k;
        }
    }
    return last;
}

/* What the VM was given, in the words of the summary: {config}. */
static void config_note(const struct wld_eval_ctx *ctx,
                        enum wld_platform p,
                        double total,
                        struct wld_finding *f)
{
    char buf[200];
    if (p != WLD_PLATFORM_WSL2) {
        wld_finding_var(f, "config", "");
        return;
    }
    const cJSON *mem = wld_wsl_entry(wld_facts_of(ctx, "wsl.wslconfig"), "wsl2", "memory");
    double want = 0;
    if (mem && wld_wsl_size_parse(wld_fact_str(mem, "value"), &want) && want > 0) {
        const cJSON *tol = wld_param(ctx, "memory_tolerance");
        bool in_effect = total >= want * wld_fact_num(tol, "low", 0.85) &&
                         total <= want * wld_fact_num(tol, "high", 1.02);
        snprintf(buf, sizeof(buf), " (.wslconfig memory=%s%s)", wld_fact_str(mem, "value"),
                 in_effect ? "" : ", not in effect yet (`wsl --shutdown` applies it)");
        wld_finding_var(f, "config", buf);
        return;
    }
    /* WSL's default: half of Windows' memory (facts.md 4.4: ullTotalPhys / 2) */
    char windows[32];
    wld_fmt_bytes((uint64_t) (total * 2), windows, sizeof(windows));
    snprintf(buf, sizeof(buf),
             " (no memory= in .wslconfig: WSL gives the VM half of Windows' memory, so Windows "
             "has about %s)",
             windows);
    wld_finding_var(f, "config", buf);
}

/* The model whose no-mmap need is largest, and its figures; every model's in f's {each}.
 * Returns false when no model could be estimated. */
static bool largest_model(const struct wld_eval_ctx *ctx,
                          struct wld_fit_host *ret,
                          const char **path,
                          struct wld_finding *f)
{
    struct wld_buf each;
    wld_buf_init(&each, 4096);
    const cJSON *fit = wld_facts_of(ctx, "models.fit"), *m;
    struct wld_fit_settings s;
    struct wld_fit_capacity cap;
    bool any = false;
    wld_fit_settings_from_facts(fit, &s);
    s.cuda_overhead = 0; /* the GPUs' share does not change the host's */
    wld_fit_capacity(ctx->facts, fit, &cap);
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(fit, "models"))
    {
        struct wld_gguf g;
        struct wld_fit_estimate e;
        struct wld_fit_host hm;
        char why[200];
        if (!wld_str_is(wld_fact_str(m, "state"), "ok") ||
            wld_gguf_from_facts(cJSON_GetObjectItemCaseSensitive(m, "gguf"), &g) < 0)
            continue;
        if (wld_fit_estimate(&g, &s, cap.n_gpus, &e, why, sizeof(why)) == 0) {
            wld_fit_host_memory(&e, g.file_bytes, &hm);
            char a[32], b[32], c[32];
            const char *p = wld_fact_str(m, "path"), *base = strrchr(p, '/');
            wld_fmt_bytes(hm.mmap_process, a, sizeof(a));
            wld_fmt_bytes(hm.mmap_cached, b, sizeof(b));
            wld_fmt_bytes(hm.no_mmap, c, sizeof(c));
            wld_buf_printf(&each, "%s%s: %s + %s page cache with mmap, %s with --no-mmap",
                           each.len ? "; " : "", base ? base + 1 : p, a, b, c);
            if (!any || hm.no_mmap > ret->no_mmap) {
                *ret = hm;
                *path = wld_fact_str(m, "path");
            }
            any = true;
        }
        wld_gguf_release(&g);
    }
    if (each.len)
        wld_finding_var(f, "each", each.data);
    wld_buf_release(&each);
    return any;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    const cJSON *mi = cJSON_GetObjectItemCaseSensitive(m, "meminfo");
    enum wld_platform p = ctx->platform;
    double total = wld_fact_num(mi, "MemTotal", -1) * 1024.0;
    double swap = wld_fact_num(mi, "SwapTotal", 0) * 1024.0;
    if (total <= 0) {
        wld_finding_var(f, "error",
                        wld_fact_str(mi, "read_error") ? wld_fact_str(mi, "read_error")
                                                       : "no MemTotal line");
        wld_finding_outcome(f, "meminfo_unreadable");
        return;
    }
    var_bytes(f, "ram", total);
    if (swap > 0)
        var_bytes(f, "swap", swap);
    else
        wld_finding_var(f, "swap", "no");
    /* what is free for a new process now: available memory and free swap */
    double avail = (wld_fact_num(mi, "MemAvailable", -1) >= 0 ? wld_fact_num(mi, "MemAvailable", 0)
                                                              : wld_fact_num(mi, "MemTotal", 0)) *
                   1024.0;
    double swap_free = wld_fact_num(mi, "SwapFree", 0) * 1024.0;
    var_bytes(f, "available", avail + swap_free);
    config_note(ctx, p, total, f);

    const cJSON *kill = server_kill(ctx);
    if (kill) {
        wld_finding_var(f, "process", wld_fact_str(kill, "process"));
        wld_finding_var_num(f, "pid", wld_fact_num(kill, "pid", 0));
        var_bytes(f, "rss",
                  (wld_fact_num(kill, "anon_rss_kib", 0) + wld_fact_num(kill, "file_rss_kib", 0)) *
                          1024.0);
        double at = wld_fact_num(kill, "at_s", -1), up = wld_fact_num(m, "uptime_s", -1);
        if (at >= 0 && up >= at)
            wld_finding_varf(f, "when", "%.0f min ago", (up - at) / 60.0);
        else
            wld_finding_var(f, "when", "since the VM started");
        wld_finding_var(f, "limit",
                        wld_fact_bool(kill, "cgroup", false)
                                ? "its memory cgroup's limit (a systemd MemoryMax= or a "
                                  "container's) was reached"
                                : "the VM ran out of memory");
        wld_finding_outcome(f, "oom_killed");
        return;
    }
    struct wld_fit_host hm;
    const char *path = NULL;
    bool have_model = largest_model(ctx, &hm, &path, f);
    /* LLAMA_ARG_NO_MMAP=1, or LLAMA_ARG_MMAP=0: llama.cpp's booleans from the environment */
    const char *no_mmap = wld_fact_str(m, "llama_arg_no_mmap");
    const char *mmap = wld_fact_str(m, "llama_arg_mmap");
    bool no_mmap_on = (no_mmap && !is_false(no_mmap)) || (mmap && is_false(mmap));
    if (have_model) {
        const char *base = strrchr(path, '/');
        wld_finding_var(f, "model", base ? base + 1 : path);
        var_bytes(f, "process_mem", (double) hm.mmap_process);
        var_bytes(f, "cached", (double) hm.mmap_cached);
        var_bytes(f, "no_mmap", (double) hm.no_mmap);
        var_bytes(f, "load", (double) hm.load_cache);
        if (no_mmap_on && (double) hm.no_mmap > avail + swap_free) {
            bool by_no = no_mmap && !is_false(no_mmap);
            const char *name = by_no ? "LLAMA_ARG_NO_MMAP" : "LLAMA_ARG_MMAP";
            wld_finding_var(f, "env_name", name);
            wld_finding_varf(f, "env", "%s=%s", name, by_no ? no_mmap : mmap);
            wld_finding_outcome(f, "no_mmap_oom");
            return;
        }
        wld_finding_var(f, "mmap_note",
                        (double) hm.no_mmap > avail + swap_free
                                ? " (more than the memory available now: keep mmap on)"
                                : "");
    }
    /* the kernel log is root's when kernel.dmesg_restrict is set */
    const char *kmsg = wld_fact_str(m, "kmsg_error");
    if (!kmsg)
        wld_finding_var(f, "oom_note", "; no OOM kill in the kernel log");
    else
        wld_finding_varf(f, "oom_note",
                         "; the kernel log cannot be read (%s): OOM kills not checked%s", kmsg,
                         wld_str_is(kmsg, "EPERM") || wld_str_is(kmsg, "EACCES")
                                 ? " (root's only: run the doctor with sudo to check them)"
                                 : "");
    wld_finding_outcome(f, have_model ? "ok" : "ok_no_model");
}

/* --vram replaces what the GPUs report, as for models.fit. */
static bool reads(const struct wld_options *o, const char *need)
{
    return !(o && o->vram_gib > 0) ||
           (strcmp(need, "gpu.cuda") != 0 && strcmp(need, "gpu.driver") != 0);
}

static const char *const outcomes[] = { "ok",          "ok_no_model",        "oom_killed",
                                        "no_mmap_oom", "meminfo_unreadable", NULL };
static const char *const params[] = { "oom_processes", "memory_tolerance", NULL };
static const char *const needs[] = { "wsl.platform", "wsl.wslconfig", "models.fit",
                                     "gpu.cuda",     "gpu.driver",    NULL };
static const char *const fact_keys[] = { "meminfo", NULL };

const struct wld_check wld_check_host_memory = {
    .id = "host.memory",
    .title = "Memory of the VM",
    .looks_at = "/proc/meminfo, the kernel log (/dev/kmsg) for OOM kills, .wslconfig memory= "
                "(wsl.wslconfig), LLAMA_ARG_NO_MMAP, each model's host part (models.fit)",
    .outcomes = outcomes,
    .params = params,
    .needs = needs,
    .facts = fact_keys,
    .reads = reads,
    .gather = gather,
    .evaluate = evaluate,
};
