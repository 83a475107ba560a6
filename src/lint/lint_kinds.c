/* Which kind of file lint judges: the --kind words, and a file's kind from its name or
 * its text (see wld/lint.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/lint.h"
#include "wld/util.h"
#include "wld/yaml.h"

static const char *const kind_names[] = { [WLD_LINT_NONE] = "none",
                                          [WLD_LINT_WSLCONFIG] = "wslconfig",
                                          [WLD_LINT_WSL_CONF] = "wsl-conf",
                                          [WLD_LINT_UNIT] = "unit",
                                          [WLD_LINT_DAEMON_JSON] = "daemon-json",
                                          [WLD_LINT_CDI] = "cdi",
                                          [WLD_LINT_COMPOSE] = "compose" };

const char *wld_lint_kind_name(enum wld_lint_kind k)
{
    return kind_names[k];
}

const char *wld_lint_kind_words(enum wld_lint_kind k)
{
    static const char *const words[] = { [WLD_LINT_NONE] = "unknown",
                                         [WLD_LINT_WSLCONFIG] = ".wslconfig",
                                         [WLD_LINT_WSL_CONF] = "wsl.conf",
                                         [WLD_LINT_UNIT] = "systemd unit",
                                         [WLD_LINT_DAEMON_JSON] = "daemon.json",
                                         [WLD_LINT_CDI] = "CDI spec",
                                         [WLD_LINT_COMPOSE] = "compose file" };
    return words[k];
}

int wld_lint_kind_parse(const char *s, enum wld_lint_kind *ret)
{
    for (size_t i = WLD_LINT_WSLCONFIG; i < WLD_ARRAY_SIZE(kind_names); i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *ret = (enum wld_lint_kind) i;
            return 0;
        }
    return -EINVAL;
}

/* Whether base is prefix and a suffix that leaves it the file it was (wsl.conf.example,
 * .wslconfig.laptop), not a document or script about it (wsl.conf.md, wslconfig.ps1). */
static bool copy_of(const char *base, const char *prefix)
{
    static const char *const other[] = { "md",  "txt", "rst",  "html", "adoc", "org", "sh",
                                         "ps1", "py",  "json", "yml",  "yaml", "j2",  "tmpl" };
    if (!wld_str_starts(base, prefix) || !base[strlen(prefix)])
        return false;
    const char *ext = strrchr(base, '.') + 1;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(other); i++)
        if (strcmp(ext, other[i]) == 0)
            return false;
    return true;
}

/* compose.yaml, docker-compose.yml, compose.gpu.yaml, docker-compose.nvidia.yml, and
 * copies: compose.yaml.example */
static bool compose_name(const char *base)
{
    static const char *const names[] = { "compose.yaml", "compose.yml", "docker-compose.yaml",
                                         "docker-compose.yml" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++) {
        char *copy = wld_xasprintf("%s.", names[i]);
        bool is = strcmp(base, names[i]) == 0 || copy_of(base, copy);
        free(copy);
        if (is)
            return true;
    }
    bool yaml = wld_str_ends(base, ".yaml") || wld_str_ends(base, ".yml");
    return yaml && (wld_str_starts(base, "compose.") || wld_str_starts(base, "docker-compose."));
}

bool wld_lint_name_may_be_cdi(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return wld_str_starts(base, "nvidia") &&
           (wld_str_ends(base, ".yaml") || wld_str_ends(base, ".yml"));
}

enum wld_lint_kind wld_lint_kind_of_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    /* .wslconfig, wslconfig, work.wslconfig, .wslconfig.laptop; not wslconfig.md */
    if (strcmp(base, ".wslconfig") == 0 || strcmp(base, "wslconfig") == 0 ||
        wld_str_ends(base, ".wslconfig") || copy_of(base, ".wslconfig.") ||
        copy_of(base, "wslconfig."))
        return WLD_LINT_WSLCONFIG;
    /* wsl.conf, ubuntu.wsl.conf, wsl.conf.example; not wsl.conf.md */
    if (strcmp(base, "wsl.conf") == 0 || wld_str_ends(base, ".wsl.conf") ||
        copy_of(base, "wsl.conf."))
        return WLD_LINT_WSL_CONF;
    if (wld_str_ends(base, ".service"))
        return WLD_LINT_UNIT;
    /* daemon.json, rootless.daemon.json, daemon.json.example */
    if (strcmp(base, "daemon.json") == 0 || wld_str_ends(base, ".daemon.json") ||
        copy_of(base, "daemon.json."))
        return WLD_LINT_DAEMON_JSON;
    if (compose_name(base))
        return WLD_LINT_COMPOSE;
    /* cdi/nvidia.yaml: the folder engines read specs from (/etc/cdi, /var/run/cdi) */
    size_t dlen = (size_t) (base - path);
    bool spec_ext = wld_str_ends(base, ".yaml") || wld_str_ends(base, ".yml") ||
                    wld_str_ends(base, ".json");
    if (spec_ext && dlen >= 4 && strncmp(base - 4, "cdi/", 4) == 0 &&
        (dlen == 4 || base[-5] == '/'))
        return WLD_LINT_CDI;
    /* NAME.service.d/x.conf */
    size_t dir_len = (size_t) (base - path);
    if (wld_str_ends(base, ".conf") && dir_len > strlen(".service.d/") &&
        strncmp(base - strlen(".service.d/"), ".service.d/", strlen(".service.d/")) == 0)
        return WLD_LINT_UNIT;
    return WLD_LINT_NONE;
}

/* Whether name is a section (or, with keys, a key of any section) of the check's schema,
 * case aside; a section one edit away counts ([wls2]). */
static bool in_schema(const cJSON *schema, const char *name, bool keys)
{
    const cJSON *s, *k;
    cJSON_ArrayForEach(s, schema)
    {
        if (!keys && (wld_str_eq_nocase(s->string, name) || wld_str_distance(s->string, name) <= 1))
            return true;
        if (keys)
            cJSON_ArrayForEach(k, s) if (wld_str_eq_nocase(k->string, name)) return true;
    }
    return false;
}

static const cJSON *schema_of(const struct wld_rules *rules, const char *check)
{
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(wld_rules_check(rules, check), "params"), "schema");
    return cJSON_GetObjectItemCaseSensitive(p, "value");
}

/* A CDI spec (top-level cdiVersion and kind) or a compose file (services: whose entries
 * have image: or build:), from the YAML (or JSON) it is; WLD_LINT_NONE otherwise. */
static enum wld_lint_kind kind_of_yaml(const char *text)
{
    if (!strstr(text, "cdiVersion") && !strstr(text, "services"))
        return WLD_LINT_NONE;
    cJSON *doc = NULL;
    char *err = NULL;
    enum wld_lint_kind kind = WLD_LINT_NONE;
    if (wld_yaml_parse(text, strlen(text), &doc, &err) == 0 && cJSON_IsObject(doc)) {
        const cJSON *services = cJSON_GetObjectItemCaseSensitive(doc, "services"), *s;
        if (wld_fact_str(doc, "cdiVersion") && wld_fact_str(doc, "kind"))
            kind = WLD_LINT_CDI;
        cJSON_ArrayForEach(s, (cJSON_IsObject(services) ? services : NULL))
        {
            if (cJSON_IsObject(s) && (cJSON_GetObjectItemCaseSensitive(s, "image") ||
                                      cJSON_GetObjectItemCaseSensitive(s, "build")))
                kind = kind ? kind : WLD_LINT_COMPOSE;
        }
    }
    free(err);
    cJSON_Delete(doc);
    return kind;
}

enum wld_lint_kind wld_lint_kind_of_text(const struct wld_rules *rules, const char *text)
{
    enum wld_lint_kind yaml = kind_of_yaml(text);
    if (yaml)
        return yaml;
    static const char *const unit_sections[] = { "Unit",  "Service", "Install", "Socket",
                                                 "Timer", "Path",    "Mount" };
    const cJSON *wslconfig = schema_of(rules, "wsl.wslconfig");
    const cJSON *conf = schema_of(rules, "wsl.wsl-conf");
    unsigned score[4] = { 0 };
    unsigned lines = 0;
    for (const char *p = text; *p && lines < 4096; lines++) {
        size_t len = strcspn(p, "\n");
        char *l = wld_xstrndup(p, len);
        p += len + (p[len] == '\n');
        char *s = (char *) wld_str_skip_space(l);
        wld_str_trim(s);
        char *close = s[0] == '[' ? strchr(s, ']') : NULL;
        char *eq = strchr(s, '=');
        if (close) {
            *close = '\0';
            for (size_t i = 0; i < WLD_ARRAY_SIZE(unit_sections); i++)
                score[WLD_LINT_UNIT] += strcmp(s + 1, unit_sections[i]) == 0 ? 3 : 0;
            /* a section both files have ([general]) says neither */
            bool a = in_schema(wslconfig, s + 1, false), b = in_schema(conf, s + 1, false);
            score[WLD_LINT_WSLCONFIG] += a && !b ? 2 : 0;
            score[WLD_LINT_WSL_CONF] += b && !a ? 2 : 0;
        } else if (eq && s[0] != '#' && s[0] != ';') {
            *eq = '\0';
            wld_str_trim(s);
            bool a = in_schema(wslconfig, s, true), b = in_schema(conf, s, true);
            score[WLD_LINT_WSLCONFIG] += a && !b;
            score[WLD_LINT_WSL_CONF] += b && !a;
            score[WLD_LINT_UNIT] += strcmp(s, "ExecStart") == 0 || strcmp(s, "WantedBy") == 0;
        }
        free(l);
    }
    enum wld_lint_kind best = WLD_LINT_NONE;
    bool tie = false;
    for (int k = WLD_LINT_WSLCONFIG; k <= WLD_LINT_UNIT; k++) {
        if (score[k] > score[best]) {
            best = (enum wld_lint_kind) k;
            tie = false;
        } else if (score[k] && score[k] == score[best]) {
            tie = true;
        }
    }
    return tie ? WLD_LINT_NONE : best;
}
