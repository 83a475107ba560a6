/* `check --for PROJECT` (wld/issue.h): the fields a project's bug template asks for, in
 * its order and words, filled from the report; then the findings, folded. Evidence is cut
 * to stay under GitHub's limit, findings never. */
#include <stdlib.h>
#include <string.h>

#include "wld/findings.h"
#include "wld/issue.h"
#include "wld/pipeline.h"
#include "wld/util.h"

#include "report_issue_impl.h"
#include "report_md_impl.h"

#define NOT_FOUND "not found by wsl-llm-doctor"

/* A fact of a check: its evidence when reported, else what it gathered for another. */
static const cJSON *facts_of(const struct wld_report *r, const char *check)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->results[i].check->id, check) == 0 && !r->results[i].from)
            return r->results[i].evidence;
    return cJSON_GetObjectItemCaseSensitive(r->facts, check);
}

/* Text that is the user's machine's, on one line of a list: code spans stay code. */
static void put_value(FILE *out, const char *s)
{
    wld_put_md_cell(out, s ? s : NOT_FOUND);
}

static void put_llama_version(FILE *out, const struct wld_report *r)
{
    const cJSON *b = wld_runtime_facts(facts_of(r, "llama.build"), "llama.cpp", NULL);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "version");
    if (wld_fact_num(v, "build", -1) < 0) {
        fputs(NOT_FOUND "\n", out);
        return;
    }
    /* as `llama-cli --version` prints it, which is what the template asks for */
    fprintf(out, "```\nversion: %.0f (%s)\n", wld_fact_num(v, "build", 0),
            wld_fact_str(v, "commit") ? wld_fact_str(v, "commit") : "?");
    if (wld_fact_str(v, "built_with"))
        fprintf(out, "built with %s\n", wld_fact_str(v, "built_with"));
    fputs("```\n", out);
    if (wld_fact_str(b, "binary")) {
        fputs("\nbinary: `", out);
        fputs(wld_fact_str(b, "binary"), out);
        fputs("`\n", out);
    }
}

static const char *platform_words(const cJSON *host)
{
    const char *p = wld_fact_str(host, "platform");
    return !p                       ? NULL
           : strcmp(p, "wsl2") == 0 ? "WSL2 on Windows"
           : strcmp(p, "wsl1") == 0 ? "WSL1 on Windows"
                                    : "native Linux";
}

static void put_os(FILE *out, const cJSON *host, bool ollama)
{
    const char *p = wld_fact_str(host, "platform");
    if (!p) {
        fputs(NOT_FOUND "\n", out);
        return;
    }
    /* the dropdown's option first, as GitHub writes a chosen option */
    bool wsl2 = ollama && strcmp(p, "wsl2") == 0; /* ollama lists WSL2 itself */
    fputs(wsl2 ? "WSL2 (" : "Linux (", out);
    if (!wsl2)
        fprintf(out, "%s, ", platform_words(host));
    put_value(out, wld_fact_str(host, "distro"));
    if (wld_fact_str(host, "kernel"))
        fprintf(out, ", kernel `%s`", wld_fact_str(host, "kernel"));
    fputs(")\n", out);
}

/* The template's option names for ggml's backend modules (libggml-<name>.so). */
static const char *backend_option(const char *module)
{
    static const char *const names[][2] = { { "vulkan", "Vulkan" }, { "hip", "HIP" },
                                            { "sycl", "SYCL" },     { "opencl", "OpenCL" },
                                            { "musa", "Musa" },     { "rpc", "RPC" } };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (wld_str_is(module, names[i][0]))
            return names[i][1];
    return module;
}

static void put_backends(FILE *out, const struct wld_report *r)
{
    const cJSON *b = wld_runtime_facts(facts_of(r, "llama.build"), "llama.cpp", NULL);
    const char *mode = wld_fact_str(b, "cuda");
    if (!b || !wld_fact_str(b, "binary") || !mode) {
        fputs(NOT_FOUND "\n", out);
        return;
    }
    /* the CPU backend is always there; CUDA as the build holds it */
    fputs(strcmp(mode, "none") == 0 ? "CPU" : "CPU, CUDA", out);
    const cJSON *o;
    cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(b, "other_backends"))
    {
        if (cJSON_IsString(o))
            fprintf(out, ", %s", backend_option(o->valuestring));
    }
    const cJSON *rt = cJSON_GetObjectItemCaseSensitive(b, "runtime");
    if (strcmp(mode, "none") != 0) {
        fprintf(out, " (CUDA backend %s",
                strcmp(mode, "module") == 0 ? "as a loadable module" : mode);
        if (wld_fact_str(rt, "version"))
            fprintf(out, ", CUDA runtime %s", wld_fact_str(rt, "version"));
        fputc(')', out);
    }
    fputc('\n', out);
}

static void put_gpus(FILE *out, const cJSON *host)
{
    const cJSON *g;
    int n = 0;
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(host, "gpus"))
    {
        fputs(n++ ? "; " : "", out);
        put_value(out, wld_fact_str(g, "name"));
        if (wld_fact_num(g, "memory_mib", -1) >= 0)
            fprintf(out, ", %.0f MiB VRAM", wld_fact_num(g, "memory_mib", 0));
        if (wld_fact_str(g, "cc"))
            fprintf(out, ", compute capability %s", wld_fact_str(g, "cc"));
    }
    if (!n)
        fputs(NOT_FOUND, out);
}

static void put_hardware(FILE *out, const cJSON *host, bool python)
{
    if (python)
        fputs("* Physical (or virtual) hardware you are using, e.g. for Linux:\n\n", out);
    fputs("- CPU: " NOT_FOUND "\n- GPU: ", out);
    put_gpus(out, host);
    fputs("\n- driver: ", out);
    put_value(out, wld_fact_str(host, "driver"));
    if (wld_fact_str(host, "driver_cuda"))
        fprintf(out, " (supports CUDA up to %s)", wld_fact_str(host, "driver_cuda"));
    if (wld_fact_num(host, "memory_kib", -1) >= 0)
        fprintf(out, "\n- RAM: %.1f GiB", wld_fact_num(host, "memory_kib", 0) / 1048576.0);
    fputc('\n', out);
    if (!python)
        return;
    fputs("\n* Operating System, e.g. for Linux:\n\n- ", out);
    put_os(out, host, false);
    fputs("\n* SDK version, e.g. for Linux:\n\n", out);
    const cJSON *rt;
    bool any = false;
    cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(host, "runtimes"))
    {
        if (!wld_str_is(wld_fact_str(rt, "kind"), "python"))
            continue;
        fputs("- ", out);
        put_value(out, wld_fact_str(rt, "name"));
        if (wld_fact_str(rt, "version"))
            fprintf(out, " %s", wld_fact_str(rt, "version"));
        fputc('\n', out);
        any = true;
    }
    if (!any)
        fputs("- llama-cpp-python: " NOT_FOUND "\n", out);
    fputs("- CUDA toolkit: ", out);
    put_value(out, wld_fact_str(host, "toolkit"));
    fputs("\n- python3, make, g++: " NOT_FOUND
          " <!-- `python3 --version`, `make --version`, `g++ --version` -->\n",
          out);
}

/* One of the dropdown's options for the GPUs' maker, then their names. */
static void put_gpu_vendor(FILE *out, const cJSON *host)
{
    const char *name = wld_fact_str(
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(host, "gpus"), 0), "name");
    if (!name) {
        fputs(NOT_FOUND "\n", out);
        return;
    }
    fputs(strstr(name, "NVIDIA") || strstr(name, "GeForce") || strstr(name, "Quadro") ? "Nvidia"
          : strstr(name, "AMD") || strstr(name, "Radeon")                             ? "AMD"
          : strstr(name, "Intel")                                                     ? "Intel"
                                                                                      : "Other",
          out);
    fputs(" (", out);
    put_gpus(out, host);
    fputs(")\n", out);
}

static void put_ollama_version(FILE *out, const cJSON *host)
{
    const cJSON *rt;
    cJSON_ArrayForEach(rt, cJSON_GetObjectItemCaseSensitive(host, "runtimes"))
    {
        if (wld_str_is(wld_fact_str(rt, "kind"), "ollama") && wld_fact_str(rt, "version")) {
            fprintf(out, "%s\n", wld_fact_str(rt, "version"));
            return;
        }
    }
    fputs(NOT_FOUND "\n", out);
}

/* The models found, by file name, with what GGUF says of them. */
static void put_models(FILE *out, const struct wld_report *r)
{
    const cJSON *m;
    int n = 0;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(facts_of(r, "models.fit"), "models"))
    {
        const char *path = wld_fact_str(m, "path");
        if (!path)
            continue;
        const cJSON *g = cJSON_GetObjectItemCaseSensitive(m, "gguf");
        fputs("- `", out);
        fputs(strrchr(path, '/') ? strrchr(path, '/') + 1 : path, out);
        fputc('`', out);
        const char *words[] = { wld_fact_str(g, "name"), wld_fact_str(g, "quant"),
                                wld_fact_str(g, "arch") };
        for (size_t i = 0; i < WLD_ARRAY_SIZE(words); i++)
            if (words[i]) {
                fputs(i == 0 || (!words[0] && i == 1) ? ": " : ", ", out);
                put_value(out, words[i]);
            }
        fputc('\n', out);
        n++;
    }
    if (!n)
        fputs(NOT_FOUND "\n", out);
}

/* A fence longer than any backtick run in text. */
static void put_fence(FILE *out, const char *text, const char *info)
{
    size_t run = 0, longest = 2;
    for (const char *p = text; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    for (size_t i = 0; i <= longest; i++)
        fputc('`', out);
    fputs(info, out);
    fputc('\n', out);
}

static void put_log(FILE *out, const struct field *f, const char *tail, bool details)
{
    if (details)
        fputs("<details>\n<summary>Logs</summary>\n", out);
    if (!tail) {
        if (f->ask)
            fprintf(out, "<!-- %s -->\n", f->ask);
        fputs("<!-- Paste the log here; `wsl-llm-doctor log FILE` diagnoses one, and "
              "`wsl-llm-doctor check --log FILE --for ...` puts its end here. -->\n",
              out);
        if (details)
            fputs("\n```shell\n\n```\n</details>\n", out);
        return;
    }
    fputs("<!-- the end of the log given to check --log, redacted as the report is -->\n\n", out);
    put_fence(out, tail, "shell");
    fputs(tail, out);
    if (tail[0] && tail[strlen(tail) - 1] != '\n')
        fputc('\n', out);
    put_fence(out, tail, "");
    if (details)
        fputs("</details>\n", out);
}

static void put_field(FILE *out,
                      const struct issue_template *t,
                      const struct field *f,
                      const struct wld_report *r,
                      const cJSON *host,
                      const char *tail)
{
    fprintf(out, "%s %s\n\n", t->heading, f->label);
    switch (f->fill) {
    case ASK:
        fprintf(out, "<!-- %s -->\n", f->ask);
        break;
    case LLAMA_VERSION:
        put_llama_version(out, r);
        break;
    case OS:
        put_os(out, host, false);
        break;
    case OS_OLLAMA:
        put_os(out, host, true);
        break;
    case BACKENDS:
        put_backends(out, r);
        break;
    case HARDWARE:
        put_hardware(out, host, t->heading[1] == '\0');
        break;
    case GPU_VENDOR:
        put_gpu_vendor(out, host);
        break;
    case CHECKLIST:
        fprintf(out,
                "%s\n\n- [ ] I am running the latest code. Development is very rapid so there "
                "are no tagged versions as of now.\n- [ ] I carefully followed the "
                "[README.md](https://github.com/abetlen/llama-cpp-python/blob/main/README.md).\n"
                "- [ ] I searched using keywords relevant to my issue to make sure that I am "
                "creating a new issue that is not already open (or closed).\n- [ ] I reviewed "
                "the [Discussions](https://github.com/abetlen/llama-cpp-python/discussions), and "
                "have a new bug or useful enhancement to share.\n",
                f->ask);
        break;
    case CPU_VENDOR:
        fputs(NOT_FOUND "\n", out);
        break;
    case OLLAMA_VERSION:
        put_ollama_version(out, host);
        break;
    case MODELS:
        put_models(out, r);
        break;
    case LOG:
        put_log(out, f, tail, false);
        break;
    case LOG_DETAILS:
        put_log(out, f, tail, true);
        break;
    }
    fputc('\n', out);
}

/* Characters, as GitHub counts them: UTF-8 sequences, not bytes. */
static size_t chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char) s[i] & 0xC0) != 0x80;
    return c;
}

/* The fields, the findings' heading and table: what is never cut (but the log's tail). */
static char *
put_head(const struct issue_template *t, const struct wld_report *r, const char *tail, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (!out)
        abort();
    cJSON *host = wld_report_host(r);
    fprintf(out,
            "<!-- Made by wsl-llm-doctor --for %s: the fields of %s in its order, filled from "
            "this host where it could; write the fields left as comments yourself. -->\n\n",
            t->project, t->url);
    for (size_t i = 0; i < WLD_ARRAY_SIZE(t->fields) && t->fields[i].label; i++)
        put_field(out, t, &t->fields[i], r, host, tail);
    cJSON_Delete(host);
    fprintf(out,
            "%s wsl-llm-doctor\n\n<details><summary>%u failed, %u warned, %u passed: what "
            "wsl-llm-doctor found on this host</summary>\n\n",
            t->heading, r->counts[WLD_FAIL] + r->counts[WLD_ERROR], r->counts[WLD_WARN],
            r->counts[WLD_PASS]);
    wld_put_md_findings(r, out);
    fclose(out);
    return text;
}

void wld_render_issue(const struct wld_report *r,
                      enum wld_issue_for target,
                      const char *log_tail,
                      size_t max_chars,
                      FILE *out)
{
    const struct issue_template *t = wld_issue_template(target > 0 ? (size_t) target - 1 : 0);
    size_t head_len = 0;
    char *head = put_head(t, r, log_tail, &head_len);
    /* room kept for the closing lines and a note of what was cut */
    size_t reserve = 1024, used = chars(head, head_len);
    bool tail_cut = false;
    if (log_tail && used + reserve > max_chars) { /* the log is evidence too */
        free(head);
        head = put_head(t, r, NULL, &head_len);
        used = chars(head, head_len);
        tail_cut = true;
    }
    fwrite(head, 1, head_len, out);
    free(head);
    fputs("\n<details><summary>Evidence</summary>\n", out);
    size_t left_out = 0;
    for (size_t i = 0; i < r->n; i++) {
        char *ev = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&ev, &n);
        if (!f)
            abort();
        wld_put_md_evidence(f, &r->results[i], false);
        fclose(f);
        size_t c = chars(ev, n);
        if (used + c + reserve <= max_chars) {
            fwrite(ev, 1, n, out);
            used += c;
        } else {
            left_out++;
        }
        free(ev);
    }
    fputs("\n</details>\n", out);
    if (left_out || tail_cut)
        fprintf(out,
                "\n**Cut to stay under GitHub's %d-character limit:** %s%zu %s "
                "evidence left out; every finding is above. `wsl-llm-doctor --format json` "
                "has it all: attach that file.\n",
                WLD_ISSUE_MAX_CHARS, tail_cut ? "the log's tail and " : "", left_out,
                left_out == 1 ? "check's" : "checks'");
    wld_put_md_redacted(r, out);
    fputs("\n</details>\n", out);
}
