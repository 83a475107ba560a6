/* models.storage: where the model files live, by the filesystem that holds them.
 *
 * Guards against the most expensive silent slowdown on WSL2: GGUF files on /mnt/c are read
 * over 9p (drvfs), which Microsoft documents as much slower than the distro's own ext4; the
 * setup guide measured a 70B load at 340 s vs 12 s. A symlink from an ext4 home into
 * /mnt/c hides the same trap, so every path is resolved before its mount is looked up. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/iobench.h"
#include "wld/models.h"
#include "wld/option.h"
#include "wld/parse.h"
#include "wld/settings.h"

static void
describe(const struct wld_host *h, cJSON *model, const struct wld_mount *mounts, size_t n_mounts)
{
    const char *path = wld_fact_str(model, "path");
    char *resolved = NULL;
    struct stat st;
    bool exists = wld_host_stat(h, path, true, &st) == 0;
    cJSON_AddBoolToObject(model, "exists", exists);
    if (exists)
        cJSON_AddNumberToObject(model, "bytes", (double) st.st_size);
    if (wld_host_resolve(h, path, &resolved) < 0)
        return;
    if (strcmp(resolved, path) != 0)
        cJSON_AddStringToObject(model, "resolved", resolved);
    const struct wld_mount *m = wld_mount_for_path(mounts, n_mounts, resolved);
    if (m) {
        cJSON_AddStringToObject(model, "mount_point", m->mount_point);
        cJSON_AddStringToObject(model, "fstype", m->fstype);
        cJSON_AddStringToObject(model, "mount_source", m->source);
    }
    free(resolved);
}

/* --bench-io: the file's own read speed, each file under the probe deadline. */
static void bench(const struct wld_gather_ctx *ctx, cJSON *model)
{
    struct wld_iobench b;
    int r = wld_iobench_file(ctx->host, wld_fact_str(model, "path"), WLD_IOBENCH_SAMPLE,
                             ctx->timeout_ms, &b);
    cJSON *io = cJSON_AddObjectToObject(model, "io");
    if (r < 0) {
        wld_fact_errno(io, "error", -r);
        return;
    }
    cJSON_AddStringToObject(io, "cache", b.cache);
    cJSON_AddNumberToObject(io, "read_bytes", (double) b.read_bytes);
    cJSON_AddNumberToObject(io, "read_ms", b.read_ms);
    cJSON_AddNumberToObject(io, "mmap_bytes", (double) b.mmap_bytes);
    cJSON_AddNumberToObject(io, "mmap_ms", b.mmap_ms);
    if (b.read_ms > 0)
        cJSON_AddNumberToObject(io, "read_mb_s", (double) (int) (b.read_bytes / b.read_ms / 1e3));
    if (b.mmap_ms > 0)
        cJSON_AddNumberToObject(io, "mmap_mb_s", (double) (int) (b.mmap_bytes / b.mmap_ms / 1e3));
    cJSON_AddBoolToObject(io, "cut_short", b.cut_short);
}

/* " (measured: read 812 MB/s, mmap 640 MB/s)", or "" without --bench-io. */
static void measured(struct wld_finding *f, const cJSON *model)
{
    const cJSON *io = cJSON_GetObjectItemCaseSensitive(model, "io");
    double rd = wld_fact_num(io, "read_mb_s", -1), mm = wld_fact_num(io, "mmap_mb_s", -1);
    if (!io) {
        wld_finding_var(f, "measured", "");
    } else if (wld_fact_str(io, "error")) {
        wld_finding_varf(f, "measured", " (read speed not measured: %s)",
                         wld_fact_str(io, "error"));
    } else {
        char m[48] = "";
        if (mm >= 0)
            snprintf(m, sizeof(m), ", mmap %.0f MB/s", mm);
        wld_finding_varf(f, "measured", " (measured: read %.0f MB/s%s, page cache %s)", rd, m,
                         wld_fact_str(io, "cache"));
    }
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    /* the models the run's inventory found; this check adds where each one lives */
    const cJSON *found = wld_inventory_get(ctx->inv, WLD_INV_MODELS);
    cJSON *models = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(found, "models"), true);
    cJSON_AddItemToObject(facts, "models", models);
    cJSON_AddItemToObject(facts, "scan",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(found, "scan"), true));

    struct wld_buf b;
    struct wld_mount *mounts = NULL;
    size_t n_mounts = 0;
    if (wld_host_read(h, "/proc/self/mountinfo", WLD_CAP_FILE, &b) == 0 ||
        wld_host_read(h, "/proc/mounts", WLD_CAP_FILE, &b) == 0) {
        if (wld_mounts_parse(b.data, &mounts, &n_mounts) < 0)
            cJSON_AddStringToObject(facts, "mount_table", "unparsable");
        wld_buf_release(&b);
    } else {
        cJSON_AddStringToObject(facts, "mount_table", "unreadable");
    }
    cJSON *m;
    cJSON_ArrayForEach(m, models)
    {
        describe(h, m, mounts, n_mounts);
    }
    wld_mounts_free(mounts, n_mounts);
    cJSON_ArrayForEach(m, models)
    {
        if (ctx->opts && ctx->opts->bench_io && wld_fact_bool(m, "exists", false))
            bench(ctx, m);
    }
    return 0;
}

static bool in_list(const cJSON *list, const char *s)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        if (cJSON_IsString(e) && s && strcmp(e->valuestring, s) == 0)
            return true;
    }
    return false;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *models = cJSON_GetObjectItemCaseSensitive(ctx->mine, "models");
    const cJSON *slow = wld_param(ctx, "slow_fs"), *caution = wld_param(ctx, "caution_fs");
    const cJSON *fast = wld_param(ctx, "fast_fs");
    const cJSON *m;
    const char *verdict = NULL;
    int n = 0;

    cJSON_ArrayForEach(m, models)
    {
        const char *path = wld_fact_str(m, "path");
        const char *fs = wld_fact_str(m, "fstype");
        const char *resolved = wld_fact_str(m, "resolved");
        const char *why = NULL;
        n++;
        if (!wld_fact_bool(m, "exists", false))
            why = "missing";
        else if (!fs)
            why = "unknown_mount";
        else if (in_list(slow, fs))
            why = resolved ? "symlink_to_windows" : "on_windows_drive";
        else if (in_list(caution, fs))
            why = "on_virtiofs";
        else if (!in_list(fast, fs))
            why = "unknown_fs";
        if (!why)
            continue;
        /* the worst problem decides: order of the outcomes list below */
        static const char *const rank[] = {
            "symlink_to_windows", "on_windows_drive", "missing",
            "on_virtiofs",        "unknown_fs",       "unknown_mount"
        };
        size_t ri = 0, rv = WLD_ARRAY_SIZE(rank);
        for (size_t i = 0; i < WLD_ARRAY_SIZE(rank); i++) {
            if (strcmp(rank[i], why) == 0)
                ri = i;
            if (verdict && strcmp(rank[i], verdict) == 0)
                rv = i;
        }
        if (ri < rv) {
            verdict = why;
            wld_finding_var(f, "path", path);
            wld_finding_var(f, "resolved", resolved ? resolved : path);
            wld_finding_var(f, "fstype", fs ? fs : "unknown");
            wld_finding_var(f, "mount_point", wld_fact_str(m, "mount_point"));
            wld_finding_var(f, "origin", wld_fact_str(m, "origin"));
            measured(f, m);
        }
    }
    wld_finding_var_num(f, "count", n);
    if (verdict) {
        wld_finding_outcome(f, verdict);
        return;
    }
    /* a search cut short found only some of the models: never "all on ext4" or "none" */
    if (wld_models_scan_cut(ctx->mine, f)) {
        wld_finding_outcome(f, "scan_cut");
        return;
    }
    if (n == 0) {
        wld_finding_outcome(f, "none_found");
        return;
    }
    const cJSON *first = cJSON_GetArrayItem(models, 0);
    wld_finding_var(f, "fstype", wld_fact_str(first, "fstype"));
    measured(f, first);
    wld_finding_outcome(f, "ok");
}

static const char *const outcomes[] = {
    "ok",         "none_found",    "on_windows_drive", "symlink_to_windows", "on_virtiofs",
    "unknown_fs", "unknown_mount", "missing",          "scan_cut",           NULL
};
static const char *const params[] = { "slow_fs", "caution_fs", "fast_fs", NULL };

static const char *const fact_keys[] = { "models", "scan", NULL };

/* the command line's options that only this check reads */
static const struct wld_cli_option options[] = {
    { "bench-io", 0, NULL, WLD_VAL_NONE, NULL, NULL, WLD_FOR_HOST, WLD_REPLAY_KEEP,
      "time each model's reads", WLD_OPT_FLAG(bench_io) },
};

const struct wld_check wld_check_models_storage = {
    .id = "models.storage",
    .title = "Where model files live",
    .looks_at = "--model, LLAMA_ARG_MODEL, ~/models, ~/.models, ~/.cache/llama.cpp, "
                "~/.cache/huggingface/hub, ~/.ollama/models, ~/.lmstudio/models; symlinks "
                "resolved; filesystem from /proc/self/mountinfo; --bench-io: read speed",
    .outcomes = outcomes,
    .params = params,
    .facts = fact_keys,
    .gather = gather,
    .evaluate = evaluate,
    .options = options,
    .n_options = WLD_ARRAY_SIZE(options),
};
