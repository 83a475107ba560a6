/* cuda.libs: every CUDA library the llama.cpp binary needs resolves, and from where.
 *
 * Guards against "error while loading shared libraries: libcudart.so.12: cannot open
 * shared object file" (a stale loader cache, or a toolkit outside the search path), a
 * backend module (libggml-cuda.so) whose CUDA libraries are missing so llama.cpp silently
 * runs on the CPU, and libraries resolved from a different toolkit than CUDA_HOME. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"
#include "wld/inventory.h"
#include "wld/ldpath.h"
#include "wld/llama.h"
#include "wld/parse.h"
#include "wld/proc.h"

/* Where a missing library exists on disk, if anywhere we know to look. */
static void
locate_missing(const struct wld_host *h, const char *name, const cJSON *ldirs, cJSON *entry)
{
    const char *home = wld_host_getenv(h, "CUDA_HOME");
    cJSON *where = cJSON_CreateArray();
    const cJSON *d;
    cJSON_ArrayForEach(d, ldirs)
    {
        char *p = wld_xasprintf("%s/%s", wld_fact_str(d, "dir"), name);
        if (wld_host_exists(h, p))
            cJSON_AddItemToArray(where, cJSON_CreateString(p));
        free(p);
    }
    char **entries = NULL;
    char *extra[40];
    size_t ne = 0;
    if (home && home[0])
        extra[ne++] = wld_xasprintf("%s/lib64", home);
    extra[ne++] = wld_xstrdup("/usr/lib/wsl/lib");
    if (wld_host_list(h, "/usr/local", 256, &entries) == 0) {
        for (char **e = entries; *e && ne < WLD_ARRAY_SIZE(extra); e++)
            if (strcmp(*e, "cuda") == 0 || wld_str_starts(*e, "cuda-"))
                extra[ne++] = wld_xasprintf("/usr/local/%s/lib64", *e);
        wld_strv_free(entries);
    }
    for (size_t i = 0; i < ne; i++) {
        char *p = wld_xasprintf("%s/%s", extra[i], name);
        if (!wld_ldpath_has(ldirs, extra[i]) && wld_host_exists(h, p))
            cJSON_AddItemToArray(where, cJSON_CreateString(p));
        free(p);
        free(extra[i]);
    }
    cJSON_AddItemToObject(entry, "exists_at", where);
}

static bool listed(const cJSON *list, const char *name, const char *needed_by)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        if (wld_str_is(wld_fact_str(e, "name"), name) &&
            wld_str_is(wld_fact_str(e, "needed_by"), needed_by))
            return true;
    }
    return false;
}

/* Whether line (up to its end) is a header of ldd's: the file name and ':' with no
 * indent. ldd indents every line it prints for a file. */
static bool ldd_header(const char *line)
{
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t) (nl - line) : strlen(line);
    return len > 1 && line[0] != '\t' && line[0] != ' ' && line[len - 1] == ':';
}

/* The lines ldd printed for the i-th of n files: with several files, glibc's ldd heads
 * each file's lines with "FILE:" in the order given (the name as the command got it,
 * which on a fixture is the file on this machine), with one the whole output is its.
 * NULL when ldd printed no such header (hostile output). Caller frees. */
static char *ldd_section(const char *out, size_t n, size_t i)
{
    if (n == 1)
        return wld_xstrdup(out);
    size_t seen = 0;
    for (const char *p = out; *p;) {
        const char *nl = strchr(p, '\n');
        const char *next = nl ? nl + 1 : p + strlen(p);
        if (ldd_header(p) && seen++ == i) {
            const char *end = next;
            while (*end && !ldd_header(end))
                end = strchr(end, '\n') ? strchr(end, '\n') + 1 : end + strlen(end);
            return wld_xstrndup(next, (size_t) (end - next));
        }
        p = next;
    }
    return NULL;
}

/* One file's part of ldd's answer: facts.ldd gets {file, state, exit_code, ms} (the run's
 * ending, or "unparsable"), facts.libs the CUDA libraries its lines name. */
static void record_libs(const struct wld_host *h,
                        cJSON *facts,
                        const char *needed_by,
                        const struct wld_proc_result *r,
                        const char *lines,
                        const cJSON *ldirs)
{
    struct wld_ldd_lib *libs = NULL;
    size_t n = 0;
    cJSON *probes = cJSON_GetObjectItemCaseSensitive(facts, "ldd");
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "file", needed_by);
    /* ldd's exit status says no more than its output, which is read below */
    const char *ended = wld_proc_ending(r);
    cJSON_AddStringToObject(p, "state", ended && strcmp(ended, "exit_nonzero") != 0 ? ended : "ok");
    if (r->spawn_errno)
        wld_fact_errno(p, "errno", r->spawn_errno);
    cJSON_AddNumberToObject(p, "exit_code", r->exit_code);
    cJSON_AddNumberToObject(p, "ms", round(r->duration_ms));
    cJSON_AddItemToArray(probes, p);
    if (r->timed_out || r->spawn_errno || !lines || wld_ldd_parse(lines, &libs, &n) < 0) {
        if (!r->timed_out && !r->spawn_errno)
            cJSON_ReplaceItemInObject(p, "state", cJSON_CreateString("unparsable"));
        return;
    }
    cJSON *list = cJSON_GetObjectItemCaseSensitive(facts, "libs");
    for (size_t i = 0; i < n; i++) {
        if (!wld_llama_is_cuda_lib(libs[i].name) || listed(list, libs[i].name, needed_by))
            continue; /* ldd names each library once; hostile output may not */
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", libs[i].name);
        cJSON_AddStringToObject(e, "needed_by", needed_by);
        if (libs[i].path) {
            cJSON_AddStringToObject(e, "path", libs[i].path);
        } else {
            cJSON_AddNullToObject(e, "path");
            locate_missing(h, libs[i].name, ldirs, e);
        }
        cJSON_AddItemToArray(list, e);
    }
    wld_ldd_free(libs, n);
}

static int gather(const struct wld_gather_ctx *ctx, cJSON *facts)
{
    const struct wld_host *h = ctx->host;
    /* the binary, and the CUDA module beside its file, as the run's inventory found them */
    const cJSON *build = wld_inventory_get(ctx->inv, WLD_INV_LLAMA);
    const char *bin = wld_fact_str(build, "binary"), *module = wld_fact_str(build, "module");
    char *ldd = NULL;
    if (!bin)
        return 0;
    cJSON_AddStringToObject(facts, "binary", bin);
    cJSON_AddStringToObject(facts, "found_by", wld_fact_str(build, "found_by"));
    cJSON_AddBoolToObject(facts, "binary_exists", wld_host_exists(h, bin));
    /* who needs what, from the DT_NEEDED walk: ldd only knows the file it ran on */
    const cJSON *elf = cJSON_GetObjectItemCaseSensitive(build, "libs");
    if (elf)
        cJSON_AddItemToObject(facts, "elf_libs", cJSON_Duplicate(elf, true));
    bool has_module = module && wld_host_exists(h, module);
    if (has_module)
        cJSON_AddStringToObject(facts, "cuda_module", module);
    cJSON_AddArrayToObject(facts, "ldd");
    cJSON_AddNumberToObject(facts, "deadline_ms", ctx->timeout_ms);
    cJSON_AddArrayToObject(facts, "libs");
    cJSON *ldirs = cJSON_Duplicate(wld_inventory_ldpath(ctx->inv, false), true);
    cJSON_AddItemToObject(facts, "ldconfig_dirs", ldirs);
    if (wld_host_find_command(h, "ldd", &ldd) < 0) {
        if (wld_host_find_file(h, "ldd", &ldd) == 0) { /* there, but not executable */
            cJSON_AddStringToObject(facts, "ldd_not_executable", ldd);
            goto out;
        }
        cJSON_AddStringToObject(facts, "ldd_missing", "ldd not found on PATH");
        goto out;
    }
    cJSON_AddStringToObject(facts, "ldd_path", ldd);
    /* One ldd for the binary and the module: host paths as found, links and all (the
     * command a recording keys is the live one). */
    const char *files[] = { bin, module };
    size_t n = has_module ? 2 : 1;
    const char *argv[] = { ldd, bin, has_module ? module : NULL, NULL };
    struct wld_proc_spec spec = { .argv = argv,
                                  .host_paths = 1u << 1 | 1u << 2,
                                  .timeout_ms = ctx->timeout_ms };
    struct wld_proc_result res;
    wld_proc_run(h, &spec, &res);
    for (size_t i = 0; i < n; i++) {
        char *lines = ldd_section(res.out.data, n, i);
        record_libs(h, facts, files[i], &res, lines, ldirs);
        free(lines);
    }
    wld_proc_result_release(&res);
out:
    free(ldd);
    return 0;
}

/* Which object needs lib. ldd lists what a file needs through all its dependencies, so
 * its answer is only the file ldd ran on; the walk of DT_NEEDED (elf_libs) knows the
 * object (libcuda.so.1 is needed by libggml-cuda.so.0, not by llama-server). */
static const char *needer(const struct wld_eval_ctx *ctx, const cJSON *lib)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ctx->mine, "elf_libs"))
    {
        if (wld_str_is(wld_fact_str(e, "name"), wld_fact_str(lib, "name")))
            return wld_fact_str(e, "needed_by");
    }
    return wld_fact_str(lib, "needed_by");
}

/* Whether a library of lib's name comes earlier in list. */
static bool named_before(const cJSON *list, const cJSON *lib)
{
    for (const cJSON *e = list->child; e && e != lib; e = e->next)
        if (wld_str_is(wld_fact_str(e, "name"), wld_fact_str(lib, "name")))
            return true;
    return false;
}

static bool dir_in_ldconfig(const cJSON *ldirs, const char *path)
{
    char *dir = wld_path_dirname(path);
    bool r = wld_ldpath_has(ldirs, dir);
    free(dir);
    return r;
}

static void evaluate(const struct wld_eval_ctx *ctx, struct wld_finding *f)
{
    const cJSON *m = ctx->mine;
    const char *bin = wld_fact_str(m, "binary");
    const cJSON *ldirs = cJSON_GetObjectItemCaseSensitive(m, "ldconfig_dirs");
    const cJSON *libs = cJSON_GetObjectItemCaseSensitive(m, "libs");
    const char *cuda_home = wld_fact_str(wld_facts_of(ctx, "cuda.toolkit"), "cuda_home_resolved");
    const cJSON *probe, *lib;

    wld_finding_var(f, "binary", bin ? bin : "");
    if (!bin) {
        wld_finding_outcome(f, "no_binary");
        return;
    }
    if (!wld_fact_bool(m, "binary_exists", false)) {
        wld_finding_outcome(f, "binary_missing");
        return;
    }
    if (wld_fact_str(m, "ldd_missing")) {
        wld_finding_outcome(f, "ldd_missing");
        return;
    }
    if (wld_fact_str(m, "ldd_not_executable")) {
        wld_finding_var(f, "ldd", wld_fact_str(m, "ldd_not_executable"));
        wld_finding_var(f, "error", "it is not executable");
        wld_finding_outcome(f, "ldd_cannot_run");
        return;
    }
    cJSON_ArrayForEach(probe, cJSON_GetObjectItemCaseSensitive(m, "ldd"))
    {
        const char *state = wld_fact_str(probe, "state");
        wld_finding_var(f, "file", wld_fact_str(probe, "file"));
        wld_finding_var_num(f, "deadline_s", wld_fact_num(m, "deadline_ms", 0) / 1000.0);
        if (state && strcmp(state, "timeout") == 0) {
            wld_finding_outcome(f, "ldd_timeout");
            return;
        }
        if (state && strcmp(state, "spawn_failed") == 0) {
            wld_finding_var(f, "ldd", wld_fact_str(m, "ldd_path"));
            wld_finding_varf(f, "error", "exec fails with %s", wld_fact_str(probe, "errno"));
            wld_finding_outcome(f, "ldd_cannot_run");
            return;
        }
        if (state && strcmp(state, "ok") != 0) {
            wld_finding_var(f, "state", state);
            wld_finding_outcome(f, "ldd_failed");
            return;
        }
    }
    int n = 0;
    cJSON_ArrayForEach(lib, libs)
    {
        const char *name = wld_fact_str(lib, "name");
        const cJSON *where = cJSON_GetObjectItemCaseSensitive(lib, "exists_at");
        n += !named_before(libs, lib); /* the binary and its module share libraries */
        if (wld_fact_str(lib, "path"))
            continue;
        wld_finding_var(f, "lib", name);
        wld_finding_var(f, "needed_by", needer(ctx, lib));
        const cJSON *first = cJSON_GetArrayItem(where, 0);
        if (!first) {
            wld_finding_outcome(f, wld_str_starts(name, "libcuda.") ? "libcuda_missing"
                                                                    : "missing_everywhere");
            return;
        }
        char *dir = wld_path_dirname(first->valuestring);
        wld_finding_var(f, "found_at", first->valuestring);
        wld_finding_var(f, "dir", dir);
        free(dir);
        wld_finding_outcome(f, dir_in_ldconfig(ldirs, first->valuestring) ? "stale_cache"
                                                                          : "not_in_search_path");
        return;
    }
    wld_finding_var_num(f, "count", n);
    if (n == 0) {
        wld_finding_outcome(f, "no_cuda_libs");
        return;
    }
    cJSON_ArrayForEach(lib, libs)
    {
        /* the toolkit's stub only links: every call fails with CUDA_ERROR_STUB_LIBRARY */
        const char *path = wld_fact_str(lib, "path");
        if (wld_str_starts(wld_fact_str(lib, "name"), "libcuda.") && strstr(path, "/stubs/")) {
            char *dir = wld_path_dirname(path);
            wld_finding_var(f, "lib", wld_fact_str(lib, "name"));
            wld_finding_var(f, "path", path);
            wld_finding_var(f, "dir", dir);
            free(dir);
            wld_finding_outcome(f, "libcuda_stub");
            return;
        }
    }
    cJSON_ArrayForEach(lib, libs)
    {
        const char *path = wld_fact_str(lib, "path");
        bool toolkit_lib = wld_str_starts(path, "/usr/local/cuda") || strstr(path, "/cuda-");
        if (cuda_home && toolkit_lib && !wld_str_starts(path, cuda_home) &&
            !wld_str_starts(path, "/usr/lib/wsl/")) {
            wld_finding_var(f, "lib", wld_fact_str(lib, "name"));
            wld_finding_var(f, "path", path);
            wld_finding_var(f, "cuda_home", cuda_home);
            wld_finding_outcome(f, "other_toolkit");
            return;
        }
    }
    const cJSON *first = cJSON_GetArrayItem(libs, 0);
    cJSON_ArrayForEach(lib, libs)
    {
        if (!wld_str_starts(wld_fact_str(lib, "name"), "libggml")) {
            first = lib;
            break;
        }
    }
    wld_finding_varf(f, "example", "%s => %s", wld_fact_str(first, "name"),
                     wld_fact_str(first, "path"));
    wld_finding_outcome(f, "ok");
}

static const char *const outcomes[] = { "ok",
                                        "no_binary",
                                        "binary_missing",
                                        "ldd_missing",
                                        "ldd_cannot_run",
                                        "ldd_timeout",
                                        "ldd_failed",
                                        "stale_cache",
                                        "not_in_search_path",
                                        "missing_everywhere",
                                        "libcuda_missing",
                                        "no_cuda_libs",
                                        "other_toolkit",
                                        "libcuda_stub",
                                        NULL };
static const char *const needs[] = { "cuda.toolkit", NULL };

const struct wld_check wld_check_cuda_libs = {
    .id = "cuda.libs",
    .title = "CUDA libraries of the llama.cpp binary",
    .looks_at = "ldd of llama-server (and libggml-cuda.so beside it), /etc/ld.so.conf.d, "
                "CUDA_HOME/lib64, /usr/local/cuda*/lib64, /usr/lib/wsl/lib",
    .outcomes = outcomes,
    .needs = needs,
    .gather = gather,
    .evaluate = evaluate,
};
