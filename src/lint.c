/* The lint command: which files, of which kind, and the report (see wld/lint.h). */
#include "wld/lint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/check.h"
#include "wld/host.h"
#include "wld/parse.h"
#include "wld/util.h"
#include "wld/yaml.h"

#include "lint_impl.h"

#define MAX_FILES 10000
#define NOT_BY_NAME                                                                          \
    "its name is not one of a .wslconfig, wsl.conf, systemd unit, daemon.json, CDI spec or " \
    "compose file"
#define MAX_DEPTH 32

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

/* ---- the walk ---- */

struct walk {
    const struct wld_rules *rules;
    enum wld_lint_kind forced;
    struct wld_lint_report *r;
    unsigned seen;
};

static struct wld_lint_file *new_file(struct walk *w, const char *path)
{
    struct wld_lint_report *r = w->r;
    r->files = wld_xrealloc(r->files, (r->n + 1) * sizeof(*r->files));
    struct wld_lint_file *f = &r->files[r->n++];
    *f = (struct wld_lint_file){ .path = wld_xstrdup(path) };
    return f;
}

static void skip(struct walk *w, const char *path, const char *why)
{
    struct wld_lint_file *f = new_file(w, path);
    f->skipped = wld_xstrdup(why);
}

/* A file judged as a whole by the rules' common outcome (lint_unreadable...), with vars. */
static void whole_file(struct walk *w,
                       const char *path,
                       enum wld_lint_kind kind,
                       const char *from,
                       const char *outcome,
                       const cJSON *vars)
{
    struct wld_lint_file *f = new_file(w, path);
    f->kind = kind;
    f->kind_from = from;
    wld_lint_common(f, w->rules, outcome, vars);
}

/* Lints a file's bytes as kind (none: as its text says, else it is skipped). */
static void lint_bytes(struct walk *w,
                       const char *path,
                       enum wld_lint_kind kind,
                       const char *from,
                       bool named,
                       const struct wld_buf *b)
{
    if (!kind) { /* named, or nvidia*.yaml: its text may say */
        char *text = wld_text_decode(b->data, b->len, NULL);
        kind = wld_lint_kind_of_text(w->rules, text);
        from = "content";
        free(text);
    }
    if (!named && kind != WLD_LINT_CDI) {
        skip(w, path, NOT_BY_NAME);
        return;
    }
    if (!kind) {
        skip(w, path,
             "neither its name nor its text is a .wslconfig's, wsl.conf's, systemd unit's, "
             "daemon.json's, CDI spec's or compose file's: name the kind with --kind");
        return;
    }
    struct wld_lint_file *f = new_file(w, path);
    f->kind_from = from;
    wld_lint_text(w->rules, kind, b->data, b->len, b->truncated, f);
}

/* Lints path; named: the user named it (its text may say its kind; no kind is said). */
static void lint_file(struct walk *w, const char *path, bool named)
{
    enum wld_lint_kind kind = w->forced ? w->forced : wld_lint_kind_of_name(path);
    const char *from = w->forced ? "--kind" : "name";
    /* nvidia*.yaml found in a walk: a CDI spec when its text says so */
    bool sniff = named || (!kind && wld_lint_name_may_be_cdi(path));
    if (!kind && !sniff) {
        skip(w, path, NOT_BY_NAME);
        return;
    }
    cJSON *v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "path", path);
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    int r = fd < 0 || fstat(fd, &st) < 0 ? -errno : 0;
    if (r < 0) {
        char *why = wld_xasprintf("%s (%s)", strerror(-r), wld_errno_name(r));
        cJSON_AddStringToObject(v, "error", why);
        free(why);
        whole_file(w, path, kind, from, "lint_unreadable", v);
    } else if (!S_ISREG(st.st_mode) && !named && !w->forced) {
        char *why = wld_xasprintf("%s, not a file", wld_file_type_name(st.st_mode));
        skip(w, path, why);
        free(why);
    } else if (!S_ISREG(st.st_mode)) {
        cJSON_AddStringToObject(v, "what", wld_file_type_name(st.st_mode));
        whole_file(w, path, kind, from, "lint_not_file", v);
    } else {
        struct wld_buf b;
        wld_buf_init(&b, WLD_CAP_FILE);
        r = wld_read_fd(fd, 0, &b); /* a regular file: never waits */
        if (r < 0) {
            cJSON_AddStringToObject(v, "error", strerror(-r));
            whole_file(w, path, kind, from, "lint_unreadable", v);
        } else {
            lint_bytes(w, path, kind, from, named || kind, &b);
        }
        wld_buf_release(&b);
    }
    if (fd >= 0)
        close(fd);
    cJSON_Delete(v);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void walk_dir(struct walk *w, const char *dir, unsigned depth)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, NULL, by_name);
    if (n < 0) {
        struct wld_lint_file *f = new_file(w, dir);
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "path", dir);
        cJSON_AddStringToObject(v, "error", strerror(errno));
        wld_lint_common(f, w->rules, "lint_unreadable", v);
        cJSON_Delete(v);
        return;
    }
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        bool dots = strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
        if (dots || strcmp(name, ".git") == 0 || w->seen >= MAX_FILES) {
            w->r->truncated_walk += !dots && w->seen >= MAX_FILES;
            free(list[i]);
            continue;
        }
        /* "lint ." gives paths as the repository has them, for annotations */
        char *path = strcmp(dir, ".") == 0   ? wld_xstrdup(name)
                     : strcmp(dir, "/") == 0 ? wld_xasprintf("/%s", name)
                                             : wld_xasprintf("%s/%s", dir, name);
        struct stat st, to;
        bool known = lstat(path, &st) == 0;
        if (known && S_ISDIR(st.st_mode)) {
            if (depth < MAX_DEPTH)
                walk_dir(w, path, depth + 1);
            else
                w->r->truncated_walk++;
        } else if (known && S_ISLNK(st.st_mode) && stat(path, &to) == 0 && S_ISDIR(to.st_mode)) {
            skip(w, path, "a link to a directory (not followed)");
        } else {
            w->seen++;
            lint_file(w, path, false);
        }
        free(path);
        free(list[i]);
    }
    free(list);
}

/* Findings in the order of the file: line, then column (the file as a whole first). */
static int by_place(const void *a, const void *b)
{
    const struct wld_lint_finding *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

static void finding_free(struct wld_lint_finding *x)
{
    free(x->rule);
    free(x->message);
    free(x->fix);
    cJSON_Delete(x->sources);
}

/* The first WLD_LINT_SHOWN findings in file order are listed, the rest counted; where the
 * reading stopped (cut_read, cut_parse) is always among those listed. */
static void keep_first(struct wld_lint_file *f)
{
    if (f->n <= WLD_LINT_SHOWN)
        return;
    size_t slot = WLD_LINT_SHOWN;
    for (size_t k = f->n; k-- > WLD_LINT_SHOWN && slot > 0;)
        if (strstr(f->findings[k].rule, "/cut_")) {
            struct wld_lint_finding t = f->findings[--slot];
            f->findings[slot] = f->findings[k];
            f->findings[k] = t;
        }
    for (size_t k = WLD_LINT_SHOWN; k < f->n; k++)
        finding_free(&f->findings[k]);
    f->more = (unsigned) (f->n - WLD_LINT_SHOWN);
    f->n = WLD_LINT_SHOWN;
}

int wld_lint_run(char *const *paths,
                 enum wld_lint_kind kind,
                 const struct wld_rules *rules,
                 bool fail_on_warn,
                 struct wld_lint_report **ret,
                 char **err)
{
    for (char *const *p = paths; *p; p++) {
        struct stat st;
        if (stat(*p, &st) < 0 && lstat(*p, &st) < 0)
            return wld_errorf(err, -errno, "lint: %s: %s", *p, strerror(errno));
    }
    struct wld_lint_report *r = wld_xcalloc(1, sizeof(*r));
    r->rules = rules;
    struct walk w = { .rules = rules, .forced = kind, .r = r };
    for (char *const *p = paths; *p; p++) {
        struct stat st;
        /* "dir/" is walked as "dir": paths in the report have one slash */
        char *path = wld_xstrdup(*p);
        size_t len = strlen(path);
        while (len > 1 && path[len - 1] == '/')
            path[--len] = '\0';
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            walk_dir(&w, path, 0);
        else
            lint_file(&w, path, true);
        free(path);
    }
    for (size_t i = 0; i < r->n; i++) {
        struct wld_lint_file *f = &r->files[i];
        if (f->n > 1)
            qsort(f->findings, f->n, sizeof(*f->findings), by_place);
        keep_first(f);
        if (f->skipped) {
            r->skipped++;
            continue;
        }
        r->linted++;
        for (int s = 0; s < WLD_STATUS_COUNT; s++)
            r->counts[s] += f->counts[s];
        /* the worst finding decides, kept or past WLD_LINT_SHOWN */
        if (wld_status_fails(f->status, fail_on_warn))
            r->exit_code = 1;
    }
    *ret = r;
    return 0;
}

void wld_lint_report_free(struct wld_lint_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        struct wld_lint_file *f = &r->files[i];
        for (size_t k = 0; k < f->n; k++)
            finding_free(&f->findings[k]);
        free(f->findings);
        free(f->path);
        free(f->skipped);
    }
    free(r->files);
    free(r);
}

cJSON *wld_lint_report_json(const struct wld_lint_report *r)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "schema", "wsl-llm-doctor/lint@1");
    cJSON_AddStringToObject(doc, "tool", "wsl-llm-doctor " WLD_VERSION);
    cJSON_AddStringToObject(doc, "rules", r->rules->version);
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    for (int s = 0; s < WLD_STATUS_COUNT; s++)
        cJSON_AddNumberToObject(sum, wld_status_name((enum wld_status) s), r->counts[s]);
    cJSON_AddNumberToObject(sum, "files", r->linted);
    cJSON_AddNumberToObject(sum, "skipped", r->skipped);
    if (r->truncated_walk)
        cJSON_AddNumberToObject(sum, "not_walked", r->truncated_walk);
    cJSON_AddNumberToObject(doc, "exit_code", r->exit_code);
    cJSON *files = cJSON_AddArrayToObject(doc, "files");
    cJSON *skipped = cJSON_AddArrayToObject(doc, "skipped");
    for (size_t i = 0; i < r->n; i++) {
        const struct wld_lint_file *f = &r->files[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", f->path);
        if (f->skipped) {
            cJSON_AddStringToObject(o, "why", f->skipped);
            cJSON_AddItemToArray(skipped, o);
            continue;
        }
        cJSON_AddStringToObject(o, "kind", wld_lint_kind_name(f->kind));
        cJSON_AddStringToObject(o, "kind_from", f->kind_from ? f->kind_from : "name");
        cJSON_AddStringToObject(o, "status", wld_status_name(f->status));
        if (f->not_judged)
            cJSON_AddStringToObject(o, "not_judged", f->not_judged);
        if (f->more)
            cJSON_AddNumberToObject(o, "more_findings", f->more);
        cJSON *list = cJSON_AddArrayToObject(o, "findings");
        for (size_t k = 0; k < f->n; k++) {
            const struct wld_lint_finding *x = &f->findings[k];
            cJSON *y = cJSON_CreateObject();
            cJSON_AddNumberToObject(y, "line", x->line);
            cJSON_AddNumberToObject(y, "col", x->col);
            cJSON_AddStringToObject(y, "rule", x->rule);
            cJSON_AddStringToObject(y, "status", wld_status_name(x->status));
            cJSON_AddStringToObject(y, "message", x->message ? x->message : "");
            if (x->fix)
                cJSON_AddStringToObject(y, "fix", x->fix);
            cJSON_AddItemToObject(y, "sources", cJSON_Duplicate(x->sources, true));
            cJSON_AddItemToArray(list, y);
        }
        cJSON_AddItemToArray(files, o);
    }
    return doc;
}
