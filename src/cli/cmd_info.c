/* The commands that say what the doctor knows rather than what the host is: help,
 * version, the files made from the tables, list, explain and rules (show, update). */
#include <errno.h>
#include <stdlib.h>

#include "wld/pipeline.h"

#include "cmd_impl.h"

int wld_cmd_help(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    (void) o;
    (void) rules;
    wld_cli_usage(out);
    return EXIT_OK;
}

int wld_cmd_generate(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    (void) rules;
    wld_cli_generate(o, out);
    return EXIT_OK;
}

int wld_cmd_version(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    (void) o;
    (void) rules;
    fprintf(out, "wsl-llm-doctor %s\n", WLD_VERSION);
    return EXIT_OK;
}

int wld_cmd_list(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    (void) rules;
    wld_render_list(o->format, out);
    return EXIT_OK;
}

int wld_cmd_explain(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    wld_render_explain(rules, wld_check_find(o->explain_id), o->format, out);
    return EXIT_OK;
}

/* rules update: the rules in force replaced by a download, checked first */
static int rules_update(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    /* a download gets the probe deadline, and at least 30 s */
    double ms = o->timeout_s * 1000 > 30000 ? o->timeout_s * 1000 : 30000;
    if (o->timeout_set)
        ms = o->timeout_s * 1000;
    char *err = NULL;
    int r = wld_rules_update(o->rules_url, o->rules_sha256, ms, rules, out, &err);
    if (r < 0) {
        fprintf(stderr, "wsl-llm-doctor: rules update: %s\n", err);
        free(err);
    }
    return r == 0 ? EXIT_OK : r == -EINVAL && !o->rules_url ? EXIT_USAGE : EXIT_FAIL;
}

int wld_cmd_rules(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    if (wld_str_is(o->rules_action, "update"))
        return rules_update(o, rules, out);
    if (wld_str_is(o->rules_action, "show"))
        wld_rules_show(rules, out);
    else
        wld_render_rules(rules, out);
    return EXIT_OK;
}
