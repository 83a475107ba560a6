/* The report for a GitHub issue or discussion: a line about the host, a table of
 * verdicts with their fixes, every check's evidence folded in <details>, and what was
 * redacted. GitHub-flavoured Markdown; nothing in it runs or loads anything. */
#include <stdio.h>
#include <string.h>

#include "wld/pipeline.h"
#include "wld/util.h"

static const char *const marks[WLD_STATUS_COUNT] = { "✅ pass", "⚠️ warn", "❌ fail",
                                                     "⏭️ skip", "💥 error" };

/* Text for a table cell: no line breaks, no '|' that would end the cell, no HTML. */
static const char *const cell_escapes[256] = {
    ['|'] = "\\|", ['\n'] = "<br>", ['\r'] = "", ['<'] = "&lt;", ['>'] = "&gt;", ['&'] = "&amp;",
};

static void put_cell(FILE *out, const char *s)
{
    wld_put_escaped(out, s, cell_escapes, false);
}

/* A code fence longer than any run of backticks in text, so the text cannot close it. */
static void put_fence(FILE *out, const char *text)
{
    size_t run = 0, longest = 0;
    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    for (size_t i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
        fputc('`', out);
}

static void put_host_line(FILE *out, const cJSON *host)
{
    const char *platform = wld_fact_str(host, "platform");
    const char *distro = wld_fact_str(host, "distro");
    const char *kernel = wld_fact_str(host, "kernel");
    const char *driver = wld_fact_str(host, "driver");
    const char *cuda = wld_fact_str(host, "driver_cuda");
    if (platform)
        fprintf(out, " · %s",
                strcmp(platform, "wsl2") == 0   ? "WSL2"
                : strcmp(platform, "wsl1") == 0 ? "WSL1"
                                                : "native Linux");
    if (distro)
        fprintf(out, " · %s", distro);
    if (kernel)
        fprintf(out, " · kernel `%s`", kernel);
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(host, "gpus"))
    {
        fprintf(out, " · %s", wld_fact_str(g, "name"));
    }
    if (driver)
        fprintf(out, " · driver %s", driver);
    if (cuda)
        fprintf(out, " (CUDA %s)", cuda);
}

void wld_render_markdown(const struct wld_report *r, FILE *out)
{
    cJSON *host = wld_report_host(r);
    fprintf(out, "### wsl-llm-doctor report\n\n`wsl-llm-doctor %s` · rules %s", WLD_VERSION,
            r->rules->version);
    put_host_line(out, host);
    cJSON_Delete(host);
    fprintf(out, "\n\n**%u failed, %u warned**, %u passed, %u skipped, %u error%s · exit %d\n\n",
            r->counts[WLD_FAIL], r->counts[WLD_WARN], r->counts[WLD_PASS], r->counts[WLD_SKIP],
            r->counts[WLD_ERROR], r->counts[WLD_ERROR] == 1 ? "" : "s", r->exit_code);

    fputs("| status | check | finding | fix |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        fprintf(out, "| %s | `%s` | ", marks[res->status], res->check->id);
        put_cell(out, res->summary);
        fputs(" | ", out);
        if (res->status != WLD_PASS && res->status != WLD_SKIP)
            put_cell(out, res->fix);
        fputs(" |\n", out);
    }

    fprintf(out, "\n<details><summary>Evidence (%zu check%s, %.0f ms)</summary>\n", r->n,
            r->n == 1 ? "" : "s", r->total_ms);
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_result *res = &r->results[i];
        char *json = cJSON_Print(res->evidence);
        fprintf(out, "\n#### `%s` (%s, %.1f ms)\n\n", res->check->id, wld_status_name(res->status),
                res->duration_ms);
        put_fence(out, json);
        fputs("json\n", out);
        fputs(json, out);
        fputc('\n', out);
        put_fence(out, json);
        fputc('\n', out);
        cJSON_free(json);
    }
    fputs("\n</details>\n", out);
    if (r->redacted_text)
        fprintf(out,
                "\n<sub>Redacted: %s; each is replaced everywhere by the same token "
                "(`user1`, `host0001`, ...).</sub>\n",
                r->redacted_text);
    else if (r->redacted)
        fputs("\n<sub>Redacted: no personal values were found.</sub>\n", out);
}
