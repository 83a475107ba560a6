/* What every renderer shares: the host summary, and redaction of a finished report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/pipeline.h"
#include "wld/redact.h"
#include "wld/util.h"

void wld_report_redact(struct wld_report *r, struct wld_redactor *red, const struct wld_host *h)
{
    if (h)
        wld_redactor_learn_host(red, h);
    wld_redactor_learn_json(red, r->facts);
    for (size_t i = 0; i < r->n; i++) {
        struct wld_result *res = &r->results[i];
        wld_redactor_learn_text(red, res->summary, strlen(res->summary));
        if (res->fix)
            wld_redactor_learn_text(red, res->fix, strlen(res->fix));
        wld_redactor_learn_json(red, res->evidence);
        if (res->runtimes)
            wld_redactor_learn_json(red, res->runtimes);
    }
    for (size_t i = 0; i < r->n; i++) {
        struct wld_result *res = &r->results[i];
        wld_redact_str(red, res->summary);
        wld_redact_str(red, res->fix);
        wld_redact_json(red, res->evidence);
        if (res->runtimes)
            wld_redact_json(red, res->runtimes);
    }
    wld_redact_json(red, r->facts);
    cJSON_Delete(r->redacted);
    free(r->redacted_text);
    r->redacted = wld_redactor_kinds_json(red);
    r->redacted_text = wld_redactor_summary(red);
}

const struct wld_result *wld_report_cause(const struct wld_report *r, const struct wld_result *res)
{
    for (size_t i = 0; res->cause && i < r->n; i++)
        if (r->results[i].check == res->cause && !r->results[i].from)
            return &r->results[i];
    return NULL;
}

void wld_put_skipped(FILE *out, const struct wld_report *r)
{
    fprintf(out, "%u skipped", r->counts[WLD_SKIP]);
    if (r->followers)
        fprintf(out, " (%u follow%s from another finding)", r->followers,
                r->followers == 1 ? "s" : "");
}

/* What a check found: its evidence when it was reported (facts and the finding's
 * variables), else the facts it gathered for another check. */
static const cJSON *fact(const struct wld_report *r, const char *check, const char *name)
{
    const cJSON *mine = cJSON_GetObjectItemCaseSensitive(r->facts, check);
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->results[i].check->id, check) == 0)
            mine = r->results[i].evidence;
    /* a check judged per runtime: the llama.cpp build's */
    if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(mine, "runtimes")))
        mine = wld_runtime_facts(mine, "llama.cpp", NULL);
    return cJSON_GetObjectItemCaseSensitive(mine, name);
}

/* Every runtime the llama.* checks judged: {id, kind, name, version?}. */
static void add_runtimes(cJSON *host, const struct wld_report *r)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(r->facts, "llama.build"), "runtimes"),
                *e;
    if (!cJSON_IsArray(list))
        return;
    cJSON *out = cJSON_AddArrayToObject(host, "runtimes");
    cJSON_ArrayForEach(e, list)
    {
        cJSON_AddItemToArray(
                out, cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(e, "for_runtime"), true));
    }
}

/* host[key] = facts[check][name], when it is a non-empty string or a number. */
static void copy_fact(cJSON *host,
                      const char *key,
                      const struct wld_report *r,
                      const char *check,
                      const char *name)
{
    const cJSON *v = fact(r, check, name);
    if (cJSON_GetObjectItemCaseSensitive(host, key))
        return;
    if ((cJSON_IsString(v) && v->valuestring[0]) || cJSON_IsNumber(v))
        cJSON_AddItemToObject(host, key, cJSON_Duplicate(v, false));
}

static void add_gpus(cJSON *host, const struct wld_report *r)
{
    const cJSON *list = fact(r, "gpu.cuda", "devices");
    if (cJSON_GetArraySize(list) == 0)
        list = fact(r, "gpu.driver", "gpus");
    if (cJSON_GetArraySize(list) == 0)
        return;
    cJSON *gpus = cJSON_AddArrayToObject(host, "gpus");
    const cJSON *g;
    cJSON_ArrayForEach(g, list)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(g, "name");
        if (!cJSON_IsString(name))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name->valuestring);
        const cJSON *cc = cJSON_GetObjectItemCaseSensitive(g, "cc");
        if (cJSON_IsString(cc))
            cJSON_AddStringToObject(o, "cc", cc->valuestring);
        const cJSON *mib = cJSON_GetObjectItemCaseSensitive(g, "total_mib");
        if (!cJSON_IsNumber(mib))
            mib = cJSON_GetObjectItemCaseSensitive(g, "memory_total_mib");
        if (cJSON_IsNumber(mib))
            cJSON_AddNumberToObject(o, "memory_mib", mib->valuedouble);
        cJSON_AddItemToArray(gpus, o);
    }
}

cJSON *wld_report_host(const struct wld_report *r)
{
    cJSON *host = cJSON_CreateObject();
    cJSON_AddStringToObject(host, "kind", r->live ? "live" : "fixture");
    copy_fact(host, "platform", r, "wsl.platform", "platform");
    copy_fact(host, "distro", r, "wsl.platform", "distro");
    copy_fact(host, "kernel", r, "wsl.platform", "release");
    copy_fact(host, "kernel", r, "wsl.kernel", "release");
    add_gpus(host, r);
    copy_fact(host, "driver", r, "gpu.driver", "driver");
    copy_fact(host, "driver_where", r, "gpu.driver", "where");
    copy_fact(host, "driver_cuda", r, "gpu.cuda", "driver_cuda_version");
    copy_fact(host, "driver_cuda", r, "gpu.driver", "cuda_version");
    copy_fact(host, "toolkit", r, "cuda.toolkit", "version");
    copy_fact(host, "llama_server", r, "llama.build", "binary");
    copy_fact(host, "llama_cuda", r, "llama.build", "cuda");
    /* llama.cpp's build number and commit, as `llama-server --version` printed them */
    const cJSON *v = fact(r, "llama.build", "version");
    if (wld_fact_num(v, "build", -1) >= 0) {
        char *s = wld_xasprintf("b%.0f (%s)", wld_fact_num(v, "build", 0),
                                wld_fact_str(v, "commit") ? wld_fact_str(v, "commit") : "?");
        cJSON_AddStringToObject(host, "llama_version", s);
        free(s);
    }
    add_runtimes(host, r);
    copy_fact(host, "memory_kib", r, "models.fit", "mem_total_kib");
    return host;
}

bool wld_result_other_runtime(const struct wld_result *res, int *i, struct wld_runtime_verdict *v)
{
    int n = cJSON_GetArraySize(res->runtimes);
    while (n > 1 && *i < n) {
        const cJSON *r = cJSON_GetArrayItem(res->runtimes, (*i)++);
        const char *summary = wld_fact_str(r, "summary");
        if (!summary || wld_str_is(summary, res->summary) ||
            wld_status_parse(wld_fact_str(r, "status"), &v->status) < 0)
            continue;
        v->summary = summary;
        v->fix = wld_status_is_problem(v->status) ? wld_fact_str(r, "fix") : NULL;
        return true;
    }
    return false;
}

void wld_report_findings(const struct wld_report *r, struct wld_findings *f)
{
    *f = (struct wld_findings){ .command = "check",
                                .rules_version = wld_rules_version(r->rules),
                                .exit_code = r->exit_code,
                                .started = r->started,
                                .seconds = r->total_ms / 1000.0 };
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        const char *id = res->check->id;
        /* check --log: the log's finding is a case of its own, named apart */
        char *classname = wld_xasprintf("wsl-llm-doctor.%.*s", (int) strcspn(id, "."), id);
        char *name =
                wld_xasprintf("%s%s%s", id, res->from ? " " : "", res->from ? res->outcome : "");
        struct wld_case *c = wld_findings_case(f, classname, name);
        free(classname);
        free(name);
        c->seconds = res->duration_ms / 1000.0;
        c->label = id;
        if (res->cause) {
            c->cause = res->cause->id;
            c->cause_outcome = res->cause_outcome;
        }
        const struct wld_result *cause = wld_report_cause(r, res);
        if (res->status == WLD_SKIP) /* not a failure of its own: the cause's case fails */
            c->skipped = cause ? wld_xasprintf("%s; follows from %s: %s", res->summary,
                                               cause->check->id, cause->summary)
                               : wld_xstrdup(res->summary);
        wld_findings_add(f, id, res->outcome, res->status, res->summary, res->fix, res->sources);
    }
    memcpy(f->counts, r->counts, sizeof(f->counts));
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        abort();
    fprintf(m, "%zu checks: %u passed, %u warned, %u failed, ", r->n, r->counts[WLD_PASS],
            r->counts[WLD_WARN], r->counts[WLD_FAIL]);
    wld_put_skipped(m, r);
    fprintf(m, ", %u error%s (exit %d)", r->counts[WLD_ERROR], r->counts[WLD_ERROR] == 1 ? "" : "s",
            r->exit_code);
    fclose(m);
    f->notice = text;
}
