/* The doctor's own documentation, rendered as reports are: `list` (every check and what
 * it looks at), `explain ID` (a check's rules, data, outcomes and sources) and `rules`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/option.h"
#include "wld/pipeline.h"

void wld_render_list(enum wld_format format, FILE *out)
{
    if (format == WLD_FORMAT_JSON) {
        cJSON *arr = cJSON_CreateArray();
        for (size_t i = 0; i < wld_checks_count; i++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddStringToObject(c, "id", wld_checks[i]->id);
            cJSON_AddStringToObject(c, "title", wld_checks[i]->title);
            cJSON_AddStringToObject(c, "looks_at", wld_checks[i]->looks_at);
            cJSON_AddItemToArray(arr, c);
        }
        char *s = cJSON_Print(arr);
        fprintf(out, "%s\n", s);
        free(s);
        cJSON_Delete(arr);
        return;
    }
    for (size_t i = 0; i < wld_checks_count; i++)
        fprintf(out, "%-16s %s\n%16s  looks at: %s\n", wld_checks[i]->id, wld_checks[i]->title, "",
                wld_checks[i]->looks_at);
}

static void print_sources(const struct wld_rules *rules, const cJSON *list, cJSON *seen, FILE *out)
{
    const cJSON *k;
    cJSON_ArrayForEach(k, list)
    {
        const cJSON *src = cJSON_IsString(k) ? wld_rules_source(rules, k->valuestring) : NULL;
        /* each source once, where the check first cites it */
        if (!src || cJSON_GetObjectItemCaseSensitive(seen, k->valuestring))
            continue;
        cJSON_AddTrueToObject(seen, k->valuestring);
        fprintf(out, "  [%s] %s (%s)\n", k->valuestring,
                cJSON_GetObjectItemCaseSensitive(src, "url")->valuestring,
                cJSON_GetObjectItemCaseSensitive(src, "authority")->valuestring);
    }
}

/* An outcome's "follows" links, as "follows from: gpu.pci (native_no_nvidia), ...": when
 * one of those findings is made, this outcome is skipped and names it as its cause. */
static void print_follows(const cJSON *links, FILE *out)
{
    const cJSON *l, *k;
    cJSON_ArrayForEach(l, links)
    {
        fprintf(out, "%s%s (", l == links->child ? "        follows from: " : ", ",
                cJSON_GetObjectItemCaseSensitive(l, "check")->valuestring);
        const char *sep = "";
        cJSON_ArrayForEach(k, cJSON_GetObjectItemCaseSensitive(l, "outcomes"))
        {
            fprintf(out, "%s%s", sep, k->valuestring);
            sep = ", ";
        }
        fputc(')', out);
    }
    if (cJSON_GetArraySize(links) > 0)
        fputc('\n', out);
}

void wld_render_explain(const struct wld_rules *rules,
                        const struct wld_check *c,
                        enum wld_format format,
                        FILE *out)
{
    const cJSON *r = wld_rules_check(rules, c->id);
    if (format == WLD_FORMAT_JSON) {
        cJSON *doc = cJSON_Duplicate(r, true);
        cJSON_AddStringToObject(doc, "id", c->id);
        cJSON_AddStringToObject(doc, "title", c->title);
        cJSON *opts = cJSON_AddArrayToObject(doc, "options");
        for (size_t i = 0; i < c->n_options; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "name", c->options[i].name);
            if (c->options[i].arg)
                cJSON_AddStringToObject(o, "arg", c->options[i].arg);
            cJSON_AddStringToObject(o, "help", c->options[i].help);
            cJSON_AddItemToArray(opts, o);
        }
        char *s = cJSON_Print(doc);
        fprintf(out, "%s\n", s);
        free(s);
        cJSON_Delete(doc);
        return;
    }
    fprintf(out, "%s: %s\n\nLooks at: %s\n\nGuards against: %s\n\nWhy: %s\n", c->id, c->title,
            c->looks_at, cJSON_GetObjectItemCaseSensitive(r, "guards")->valuestring,
            cJSON_GetObjectItemCaseSensitive(r, "why")->valuestring);
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(r, "params");
    const cJSON *p;
    if (cJSON_GetArraySize(params) > 0)
        fputs("\nRule data:\n", out);
    cJSON_ArrayForEach(p, params)
    {
        char *v = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(p, "value"));
        const cJSON *note = cJSON_GetObjectItemCaseSensitive(p, "note");
        if (strlen(v) > 160)
            strcpy(v + 150, " ...");
        fprintf(out, "  %s = %s  [%s]\n", p->string, v,
                cJSON_GetObjectItemCaseSensitive(p, "source")->valuestring);
        if (cJSON_IsString(note))
            fprintf(out, "      %s\n", note->valuestring);
        free(v);
    }
    /* the options only this check reads (its rows in the registry) */
    if (c->n_options > 0)
        fputs("\nOptions:\n", out);
    for (size_t i = 0; i < c->n_options; i++) {
        const struct wld_cli_option *o = &c->options[i];
        fprintf(out, "  --%s%s%s\n        %s\n", o->name, o->arg ? " " : "", o->arg ? o->arg : "",
                o->help);
    }
    fputs("\nOutcomes:\n", out);
    const cJSON *oc;
    cJSON_ArrayForEach(oc, cJSON_GetObjectItemCaseSensitive(r, "outcomes"))
    {
        const cJSON *fix = cJSON_GetObjectItemCaseSensitive(oc, "fix");
        fprintf(out, "  %-5s %s: %s\n", cJSON_GetObjectItemCaseSensitive(oc, "status")->valuestring,
                oc->string, cJSON_GetObjectItemCaseSensitive(oc, "summary")->valuestring);
        if (cJSON_IsString(fix))
            fprintf(out, "        fix: %s\n", fix->valuestring);
        print_follows(cJSON_GetObjectItemCaseSensitive(oc, "follows"), out);
    }
    /* what `lint` reports on a file of this check's kind, beside the outcomes above */
    const cJSON *lint = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(params, "lint"), "value");
    const cJSON *findings = cJSON_GetObjectItemCaseSensitive(lint, "findings");
    if (cJSON_GetArraySize(findings) > 0)
        fprintf(out, "\nLint findings (wsl-llm-doctor lint; rule %s/KEY, docs/lint.md):\n", c->id);
    cJSON_ArrayForEach(oc, findings)
    {
        fprintf(out, "  %-5s %s: %s\n        fix: %s\n",
                cJSON_GetObjectItemCaseSensitive(oc, "status")->valuestring, oc->string,
                cJSON_GetObjectItemCaseSensitive(oc, "message")->valuestring,
                cJSON_GetObjectItemCaseSensitive(oc, "fix")->valuestring);
    }
    fputs("\nSources:\n", out);
    cJSON *seen = cJSON_CreateObject();
    print_sources(rules, cJSON_GetObjectItemCaseSensitive(r, "sources"), seen, out);
    cJSON_ArrayForEach(oc, cJSON_GetObjectItemCaseSensitive(r, "outcomes"))
            print_sources(rules, cJSON_GetObjectItemCaseSensitive(oc, "sources"), seen, out);
    cJSON_ArrayForEach(oc, findings)
            print_sources(rules, cJSON_GetObjectItemCaseSensitive(oc, "sources"), seen, out);
    cJSON_Delete(seen);
}

void wld_render_rules(const struct wld_rules *rules, FILE *out)
{
    char *s = cJSON_Print(wld_rules_doc(rules));
    if (!s)
        abort();
    fprintf(out, "%s\n", s);
    free(s);
}
