/* One file's text judged as a systemd unit (see wld/lint.h), by the unit reader with where
 * each key is (wld_unit_parse_at) and the rules of service.systemd: the reader's problems,
 * ExecStart= (a variable, a relative or bare program, no model server), Environment=
 * (CUDA_VISIBLE_DEVICES hiding the GPU, a literal '$'), a template's placeholders, and for
 * a server's unit as systemd loads it with its drop-ins, Restart= and [Install]. A
 * .wslconfig and wsl.conf are judged in src/lint/lint_files.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/services.h"
#include "wld/util.h"

#include "lint_impl.h"

/* arr[i] as a line or column: 0 when absent or not a number in range. */
static unsigned num_at(const cJSON *arr, int i)
{
    const cJSON *x = cJSON_GetArrayItem(arr, i);
    return cJSON_IsNumber(x) && x->valuedouble >= 0 && x->valuedouble < 1e9
                   ? (unsigned) x->valuedouble
                   : 0;
}

struct unit_lint {
    const struct wld_rules *rules;
    const cJSON *lint;  /* the lint param's value */
    const cJSON *where; /* wld_unit_parse_at's */
    const char *text;
    struct wld_lint_file *f;
    cJSON *vars; /* unit, path, scope, systemctl, user */
};

/* [line, key column, value column] of the last (or first) value of [section] key. */
static void where_of(const struct unit_lint *u,
                     const char *section,
                     const char *key,
                     bool last,
                     unsigned *line,
                     unsigned *kcol,
                     unsigned *vcol)
{
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(u->where, "keys"),
                                             section),
            key);
    const cJSON *at = cJSON_GetArrayItem(pos, last ? cJSON_GetArraySize(pos) - 1 : 0);
    *line = num_at(at, 0);
    *kcol = num_at(at, 1);
    *vcol = num_at(at, 2);
}

static unsigned section_line(const struct unit_lint *u, const char *section)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(u->where, "sections"), section);
    return cJSON_IsNumber(s) ? (unsigned) s->valuedouble : 0;
}

/* A finding of the lint param's own (exec_variable...), with extra vars (taken). */
static void unit_finding(struct unit_lint *u, const char *id, unsigned line, unsigned col, cJSON *v)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(u->lint, "findings"), id);
    const cJSON *x;
    cJSON_ArrayForEach(x, u->vars)
    {
        if (!cJSON_GetObjectItemCaseSensitive(v, x->string))
            cJSON_AddItemToObject(v, x->string, cJSON_Duplicate(x, true));
    }
    wld_lint_say(u->f, u->rules, "service.systemd", id, o, line, col, v);
    cJSON_Delete(v);
}

static cJSON *vars1(const char *name, const char *value)
{
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, name, value ? value : "");
    return v;
}

static const char *base_of(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Why the program is no model server, or NULL when it is llama-server or ollama serve. */
static const char *not_server(char **words, const char *prog)
{
    const char *b = base_of(prog);
    if (strcmp(b, "llama-server") == 0 || strcmp(b, "server") == 0)
        return NULL;
    if (strcmp(b, "ollama") == 0) {
        for (char **w = words + 1; *w; w++)
            if (strcmp(*w, "serve") == 0)
                return NULL;
        return ", not `ollama serve`: any other ollama command exits (or waits on a terminal) "
               "instead of serving";
    }
    if (strcmp(b, "llama-cli") == 0 || strcmp(b, "main") == 0 || strcmp(b, "llama-run") == 0)
        return ", llama.cpp's interactive program, not llama-server: it reads a terminal and "
               "exits, serving nothing";
    if (wld_str_ends(b, ".sh") || strcmp(b, "sh") == 0 || strcmp(b, "bash") == 0 ||
        strcmp(b, "env") == 0)
        return ", a wrapper: which server, model and GPU options it starts cannot be seen "
               "here, and none of it is judged";
    return ", neither llama-server nor `ollama serve`: the server this unit seems to be for "
           "is not what it starts";
}

/* A template's placeholder in value ("/path/to/", "your_name", "<user>"), or NULL. */
static const char *placeholder(const char *value, char *out, size_t n)
{
    static const char *const marks[] = { "/path/to/", "your_",    "YOUR_",
                                         "your-",     "CHANGEME", "changeme" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(marks); i++) {
        const char *p = strstr(value, marks[i]);
        if (p) {
            size_t len = strcspn(p + (marks[i][0] == '/' ? 1 : 0), " \t\"'=:");
            snprintf(out, n, "%.*s", (int) len + (marks[i][0] == '/' ? 1 : 0), p);
            return out;
        }
    }
    const char *lt = strchr(value, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt && gt - lt > 1 && gt - lt < 40 && !memchr(lt, ' ', (size_t) (gt - lt))) {
        snprintf(out, n, "%.*s", (int) (gt - lt + 1), lt);
        return out;
    }
    return NULL;
}

/* A unit people write for an LLM server says so in its Description when its name and
 * ExecStart do not (a wrapper script): "Qwen LLM Server (llama.cpp)". */
static bool described_as_server(const char *desc)
{
    return desc && (strcasestr(desc, "llama") || strcasestr(desc, "ollama") || strstr(desc, "LLM"));
}

static void lint_exec(struct unit_lint *u, const cJSON *unit, bool server)
{
    const char *exec = wld_unit_last(unit, "Service", "ExecStart");
    if (!exec)
        return;
    unsigned line, kcol, vcol;
    where_of(u, "Service", "ExecStart", true, &line, &kcol, &vcol);
    char **w = wld_unit_words(exec);
    const char *prog = wld_unit_program(w);
    if (!prog) {
        wld_strv_free(w);
        return;
    }
    unsigned pcol = vcol + (unsigned) (strstr(exec, prog) ? strstr(exec, prog) - exec : 0);
    if (strchr(prog, '$') || strchr(prog, '%'))
        unit_finding(u, "exec_variable", line, pcol, vars1("program", prog));
    else if (prog[0] != '/' && strchr(prog, '/'))
        unit_finding(u, "exec_relative", line, pcol, vars1("program", prog));
    else if (server && prog[0] != '/')
        unit_finding(u, "exec_bare_name", line, pcol, vars1("program", prog));
    const char *why = server ? not_server(w, prog) : NULL;
    if (why) {
        cJSON *v = vars1("program", prog);
        cJSON_AddStringToObject(v, "why", why);
        unit_finding(u, "exec_not_server", line, pcol, v);
    }
    const char *model = wld_unit_model(w);
    if (model && (wld_str_starts(model, "/mnt/") && model[5] && model[6] == '/')) {
        const char *at = strstr(exec, model);
        unit_finding(u, "model_on_windows", line, vcol + (unsigned) (at ? at - exec : 0),
                     vars1("model", model));
    }
    wld_strv_free(w);
}

/* Environment= lines: CUDA_VISIBLE_DEVICES that hides the GPU, '$' taken literally. */
static void lint_environment(struct unit_lint *u, const cJSON *unit, const cJSON *hiding)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(unit, "Service"), "Environment");
    const cJSON *pos = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(u->where, "keys"),
                                             "Service"),
            "Environment");
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        const cJSON *at = cJSON_GetArrayItem(pos, i++);
        unsigned line = num_at(at, 0), vcol = num_at(at, 2);
        if (!at || !cJSON_IsString(e))
            continue;
        char **w = wld_unit_words(e->valuestring);
        for (char **a = w; *a; a++) {
            const char *eq = strchr(*a, '=');
            if (!eq)
                continue;
            const char *found = strstr(e->valuestring, *a);
            unsigned col = vcol + (unsigned) (found ? found - e->valuestring : 0);
            char *name = wld_xstrndup(*a, (size_t) (eq - *a));
            if (strcmp(name, "CUDA_VISIBLE_DEVICES") == 0) {
                if (wld_unit_hides_gpu(eq + 1, hiding)) {
                    cJSON *v = cJSON_Duplicate(u->vars, true);
                    cJSON_AddStringToObject(v, "devices", eq + 1);
                    wld_lint_outcome(u->f, u->rules, "service.systemd", "gpu_hidden", line,
                                     col ? col : 1, v);
                    cJSON_Delete(v);
                }
            } else if (strchr(eq + 1, '$')) {
                cJSON *v = vars1("name", name);
                cJSON_AddStringToObject(v, "value", eq + 1);
                unit_finding(u, "env_dollar", line, col, v);
            }
            free(name);
        }
        wld_strv_free(w);
    }
}

/* Values still holding a template's placeholders. */
static void lint_placeholders(struct unit_lint *u, const cJSON *unit)
{
    const cJSON *sec, *key, *val;
    cJSON_ArrayForEach(sec, unit)
    {
        cJSON_ArrayForEach(key, sec)
        {
            int i = 0;
            cJSON_ArrayForEach(val, key)
            {
                char ph[64];
                const cJSON *pos = cJSON_GetObjectItemCaseSensitive(
                        cJSON_GetObjectItemCaseSensitive(
                                cJSON_GetObjectItemCaseSensitive(u->where, "keys"), sec->string),
                        key->string);
                const cJSON *at = cJSON_GetArrayItem(pos, i++);
                unsigned line = num_at(at, 0), vcol = num_at(at, 2);
                if (!at || !cJSON_IsString(val) || !placeholder(val->valuestring, ph, sizeof(ph)))
                    continue;
                const char *p = strstr(val->valuestring, ph);
                cJSON *v = vars1("key", key->string);
                cJSON_AddStringToObject(v, "value", val->valuestring);
                cJSON_AddStringToObject(v, "placeholder", ph);
                unit_finding(u, "placeholder", line,
                             vcol + (unsigned) (p ? p - val->valuestring : 0), v);
            }
        }
    }
}

/* Whether the path is a user unit's (~/.config/systemd/user, /etc/systemd/user...). */
static bool user_unit(const char *path)
{
    return strstr(path, "systemd/user/") != NULL;
}

void wld_lint_unit(const struct wld_rules *rules,
                   const char *text,
                   char *const *dropins,
                   bool truncated,
                   struct wld_lint_file *f)
{
    cJSON *unit = cJSON_CreateObject(), *problems = cJSON_CreateArray();
    cJSON *where = cJSON_CreateObject(), *merged = NULL;
    wld_unit_parse_at(text, unit, problems, where);
    const cJSON *chk = wld_rules_check(rules, "service.systemd");
    struct wld_eval_ctx ctx = { .params = cJSON_GetObjectItemCaseSensitive(chk, "params") };
    const char *path = f->path;
    /* NAME.service.d/x.conf: a drop-in of NAME.service */
    const char *dot_d = strstr(path, ".service.d/");
    bool dropin = dot_d && !strchr(dot_d + strlen(".service.d/"), '/');
    char *unit_name = dropin ? wld_xstrndup(path, (size_t) (dot_d - path) + strlen(".service"))
                             : wld_xstrdup(path);
    struct unit_lint u = { .rules = rules,
                           .lint = wld_param(&ctx, "lint"),
                           .where = where,
                           .text = text,
                           .f = f,
                           .vars = cJSON_CreateObject() };
    bool user = user_unit(path);
    cJSON_AddStringToObject(u.vars, "unit", base_of(unit_name));
    cJSON_AddStringToObject(u.vars, "path", path);
    cJSON_AddStringToObject(u.vars, "files", path);
    cJSON_AddStringToObject(u.vars, "scope", user ? "user" : "system");
    cJSON_AddStringToObject(u.vars, "systemctl", wld_unit_systemctl(user));
    f->not_judged = wld_fact_str(u.lint, "not_judged");

    const cJSON *fixes = cJSON_GetObjectItemCaseSensitive(u.lint, "fixes");
    const cJSON *messages = wld_param(&ctx, "messages");
    const cJSON *unit_problems = wld_rules_outcome(rules, "service.systemd", "unit_problems");
    const cJSON *p;
    if (cJSON_GetArraySize(unit) == 0 && cJSON_GetArraySize(where) == 0) {
        unit_finding(&u, "not_a_unit", 0, 0, cJSON_CreateObject());
        goto out;
    }
    cJSON_ArrayForEach(p, problems)
    {
        const char *code = wld_fact_str(p, "code");
        unsigned line = (unsigned) wld_fact_num(p, "line", 1);
        const char *fix = wld_fact_str(fixes, code);
        unsigned col = strcmp(code, "inline_comment") == 0 ? wld_lint_value_col(text, line)
                                                           : wld_lint_first_col(text, line);
        if (strcmp(code, "inline_comment") == 0) { /* at the '#' */
            size_t len = 0;
            const char *l = wld_lint_line_at(text, line, &len);
            for (size_t i = col; l && i < len; i++)
                if (l[i] == '#' && (l[i - 1] == ' ' || l[i - 1] == '\t')) {
                    col = (unsigned) i + 1;
                    break;
                }
        }
        struct wld_verdict said;
        wld_verdict_make(rules, chk, unit_problems, NULL, &said);
        free(said.summary);
        free(said.fix);
        wld_lint_add(
                f, line, col, "service.systemd", code, said.status,
                wld_xstrdup(wld_fact_str(messages, code) ? wld_fact_str(messages, code) : code),
                fix ? wld_xstrdup(fix) : NULL, said.sources);
    }
    merged = cJSON_Duplicate(unit, true);
    /* the unit as systemd loads it: a Restart= or WantedBy= set in a drop-in counts */
    for (size_t i = 0; !dropin && dropins && dropins[i]; i++)
        wld_unit_parse(dropins[i], merged, NULL);
    const char *desc = wld_unit_last(merged, "Unit", "Description");
    const char *exec = wld_unit_last(merged, "Service", "ExecStart");
    bool server = wld_unit_server_name(base_of(unit_name)) || wld_unit_server_command(merged) ||
                  described_as_server(desc);
    if (truncated) {
        /* what was not read is never judged as if it were not there: no "no Restart=" */
        unsigned lines = 1;
        for (const char *c = text; *c; c++)
            lines += *c == '\n';
        cJSON *v = cJSON_CreateObject();
        cJSON_AddNumberToObject(v, "line", lines);
        unit_finding(&u, "cut_read", lines, 1, v);
    }
    if (!dropin && !truncated && !cJSON_GetObjectItemCaseSensitive(merged, "Service")) {
        unit_finding(&u, "no_service_section", 1, 1, cJSON_CreateObject());
        goto out;
    }
    if (!dropin && !truncated && !exec)
        unit_finding(&u, "no_exec", section_line(&u, "Service"), 1, cJSON_CreateObject());
    lint_exec(&u, unit, server);
    lint_environment(&u, unit, wld_param(&ctx, "hiding_visible_devices"));
    lint_placeholders(&u, unit);
    if (!server || dropin || truncated)
        goto out;
    /* Restart=: as service.systemd judges it */
    const char *restart = wld_unit_last(merged, "Service", "Restart");
    if (!wld_unit_restarts(restart, wld_param(&ctx, "restarting"))) {
        unsigned line, kcol, vcol;
        where_of(&u, "Service", "Restart", true, &line, &kcol, &vcol);
        cJSON *v = cJSON_Duplicate(u.vars, true);
        cJSON_AddStringToObject(v, "restart", restart ? restart : "no");
        wld_lint_outcome(f, rules, "service.systemd", "no_restart",
                         line ? line : section_line(&u, "Service"), line ? vcol : 1, v);
        cJSON_Delete(v);
    }
    /* [Install]: what `systemctl enable` links it to */
    const char *install = wld_unit_last(merged, "Install", "WantedBy");
    if (!wld_unit_install_starts(install, user)) {
        unsigned line, kcol, vcol;
        where_of(&u, "Install", "WantedBy", true, &line, &kcol, &vcol);
        cJSON *v = cJSON_CreateObject();
        char *why = !install ? wld_xstrdup("no [Install] WantedBy=")
                             : wld_xasprintf("a user unit wanted by %s, which a user's "
                                             "systemd never starts",
                                             install);
        cJSON_AddStringToObject(v, "why", why);
        cJSON_AddStringToObject(v, "target", user ? "default.target" : "multi-user.target");
        cJSON_AddStringToObject(v, "user", user ? " --user" : "");
        free(why);
        unit_finding(&u, "not_installable", line ? line : section_line(&u, "Install"),
                     line ? vcol : 1, v);
    }
out:
    free(unit_name);
    cJSON_Delete(merged);
    cJSON_Delete(u.vars);
    cJSON_Delete(where);
    cJSON_Delete(problems);
    cJSON_Delete(unit);
}
