/* Golden-report runner: runs the doctor on one fixture host and compares what a user
 * sees (each check's status, summary and fix, the finding it follows from, the summary
 * counts and the exit code)
 * with tests/golden/<host>.json. WLD_UPDATE_GOLDEN=1 rewrites the file from the run
 * (review the diff before committing it). */
#include <cjson/cJSON.h>
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "wld/host.h"
#include "wld/proc.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct wld_buf b;
    wld_buf_init(&b, 1 << 22);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        wld_buf_append(&b, chunk, n);
    fclose(f);
    return wld_buf_detach(&b);
}

static int compare_field(
        const char *host, const char *id, const char *field, const cJSON *want, const cJSON *got)
{
    if (cJSON_Compare(want, got, true))
        return 0;
    char *w = cJSON_PrintUnformatted(want), *g = cJSON_PrintUnformatted(got);
    fprintf(stderr, "%s: %s.%s differs\n  expected: %s\n  actual:   %s\n", host, id, field,
            w ? w : "(missing)", g ? g : "(missing)");
    free(w);
    free(g);
    return 1;
}

/* A "{name}" left in text a user reads: a template variable the check never set. */
static bool unrendered(const char *s)
{
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_0123456789");
        if (n > 0 && p[1 + n] == '}')
            return true;
    }
    return false;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: golden DOCTOR FIXTURE_DIR GOLDEN_JSON\n");
        return 2;
    }
    const char *host_name = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
    char *text = slurp(argv[3]);
    cJSON *golden = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!golden) {
        fprintf(stderr, "%s: cannot read golden file %s\n", host_name, argv[3]);
        return 2;
    }
    /* A host whose verdict rests on a library being absent cannot be replayed on a machine
     * that has it system-wide: the real loader would find it there. Skip, saying why. */
    const cJSON *lib;
    cJSON_ArrayForEach(lib, cJSON_GetObjectItemCaseSensitive(golden, "needs_absent"))
    {
        void *h = cJSON_IsString(lib) ? dlopen(lib->valuestring, RTLD_LAZY | RTLD_LOCAL) : NULL;
        if (h) {
            printf("%s: skipped: %s is installed on this machine\n", host_name, lib->valuestring);
            dlclose(h);
            cJSON_Delete(golden);
            return 77;
        }
    }
    const char *args[32] = { argv[1], "--root", argv[2], "--format", "json" };
    size_t na = 5;
    const cJSON *a;
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(golden, "args"))
    {
        if (na < 31 && cJSON_IsString(a))
            args[na++] = a->valuestring;
    }
    args[na] = NULL;
    struct wld_host *live = NULL;
    wld_host_new_live(&live);
    /* a guard against a hang, not a bound on speed: ctest has its own timeout */
    struct wld_proc_spec spec = { .argv = args, .timeout_ms = 600000 };
    struct wld_proc_result res;
    wld_proc_run(live, &spec, &res);
    cJSON *report = cJSON_Parse(res.out.data);
    if (!report) {
        fprintf(stderr, "%s: the doctor did not print a JSON report (exit %d)\nstderr: %s\n",
                host_name, res.exit_code, res.err.data);
        return 1;
    }
    int bad = 0;
    /* Evidence may quote host paths, never where the fixture lies on this machine. */
    if (strstr(res.out.data, argv[2])) {
        fprintf(stderr, "%s: the report contains the fixture's real path %s\n", host_name, argv[2]);
        bad = 1;
    }
    cJSON *got = cJSON_CreateObject();
    cJSON_AddItemToObject(got, "args",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(golden, "args"), true));
    if (cJSON_GetObjectItemCaseSensitive(golden, "needs_absent"))
        cJSON_AddItemToObject(
                got, "needs_absent",
                cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(golden, "needs_absent"), true));
    cJSON_AddNumberToObject(got, "exit_code", res.exit_code);
    cJSON_AddItemToObject(
            got, "summary",
            cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(report, "summary"), true));
    cJSON *checks = cJSON_AddObjectToObject(got, "checks");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "checks"))
    {
        /* a finding of a log or of ollama's journal sits after its check's own result, under
         * a key of its own: "models.fit (journal)" */
        const char *id = cJSON_GetObjectItemCaseSensitive(c, "id")->valuestring;
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(c, "from");
        char key[160];
        snprintf(key, sizeof(key), cJSON_IsString(from) ? "%s (%s)" : "%s%s", id,
                 cJSON_IsString(from) ? from->valuestring : "");
        cJSON *e = cJSON_AddObjectToObject(checks, key);
        static const char *const fields[] = { "status", "summary", "fix" };
        for (size_t i = 0; i < 3; i++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(c, fields[i]);
            cJSON_AddItemToObject(e, fields[i], cJSON_Duplicate(v, true));
            if (cJSON_IsString(v) && unrendered(v->valuestring)) {
                fprintf(stderr, "%s: %s.%s has an unrendered placeholder: %s\n", host_name,
                        e->string, fields[i], v->valuestring);
                bad = 1;
            }
        }
        /* a check that follows another's finding: which, and what it would have been; the
         * fix's commands a tool may offer to run, when there are some */
        static const char *const links[] = { "caused_by", "own_status", "fix_commands" };
        for (size_t i = 0; i < 3; i++)
            if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(c, links[i])) > 0 ||
                (i < 2 && cJSON_GetObjectItemCaseSensitive(c, links[i])))
                cJSON_AddItemToObject(
                        e, links[i],
                        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, links[i]), true));
    }
    const char *update = getenv("WLD_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        char *s = cJSON_Print(got);
        FILE *f = fopen(argv[3], "w");
        if (f) {
            fprintf(f, "%s\n", s);
            fclose(f);
        }
        free(s);
    } else {
        bad |= compare_field(host_name, "report", "exit_code",
                             cJSON_GetObjectItemCaseSensitive(golden, "exit_code"),
                             cJSON_GetObjectItemCaseSensitive(got, "exit_code"));
        bad |= compare_field(host_name, "report", "summary",
                             cJSON_GetObjectItemCaseSensitive(golden, "summary"),
                             cJSON_GetObjectItemCaseSensitive(got, "summary"));
        const cJSON *want_checks = cJSON_GetObjectItemCaseSensitive(golden, "checks");
        if (cJSON_GetArraySize(want_checks) != cJSON_GetArraySize(checks)) {
            fprintf(stderr, "%s: expected %d checks, got %d\n", host_name,
                    cJSON_GetArraySize(want_checks), cJSON_GetArraySize(checks));
            bad = 1;
        }
        cJSON_ArrayForEach(c, want_checks)
        {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(checks, c->string);
            static const char *const fields[] = { "status",    "summary",    "fix",
                                                  "caused_by", "own_status", "fix_commands" };
            for (size_t i = 0; i < 6; i++) {
                const cJSON *want = cJSON_GetObjectItemCaseSensitive(c, fields[i]);
                const cJSON *have = cJSON_GetObjectItemCaseSensitive(g, fields[i]);
                /* the last three only on a check that follows another, or has commands */
                if (want || have)
                    bad |= compare_field(host_name, c->string, fields[i], want, have);
            }
        }
    }
    cJSON_Delete(got);
    cJSON_Delete(report);
    cJSON_Delete(golden);
    wld_proc_result_release(&res);
    wld_host_free(live);
    return bad;
}
