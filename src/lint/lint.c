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
#include "wld/filekind.h"
#include "wld/fixcmd.h"
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
static int conf_name(const struct dirent *e)
{
    return wld_str_ends(e->d_name, ".conf");
}

/* A unit's drop-ins beside it (the .conf files in PATH.d, in name order, at most 64 of 64 KiB
 * each), NULL-terminated, for the unit to be judged as systemd loads it. Their own lines are judged
 * when each drop-in is linted. */
static char **read_dropins(const char *path)
{
    char *dir = wld_xasprintf("%s.d", path);
    struct dirent **list = NULL;
    int n = scandir(dir, &list, conf_name, alphasort);
    char **texts = wld_xcalloc((size_t) (n > 0 ? n : 0) + 1, sizeof(*texts));
    size_t k = 0;
    for (int i = 0; i < n; i++) {
        char *p = wld_xasprintf("%s/%s", dir, list[i]->d_name);
        int fd = i < 64 ? open(p, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC) : -1;
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
            struct wld_buf b;
            wld_buf_init(&b, 65536);
            if (wld_read_fd(fd, 0, &b) == 0)
                texts[k++] = wld_buf_detach(&b);
            else
                wld_buf_release(&b);
        }
        if (fd >= 0)
            close(fd);
        free(p);
        free(list[i]);
    }
    free(list);
    free(dir);
    return texts;
}

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
    cJSON_AddStringToObject(doc, "rules", wld_rules_version(r->rules));
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
            if (x->fix) {
                cJSON_AddStringToObject(y, "fix", x->fix);
                cJSON_AddItemToObject(y, "fix_commands", wld_fix_commands(x->fix));
            }
            cJSON_AddItemToObject(y, "sources", cJSON_Duplicate(x->sources, true));
            cJSON_AddItemToArray(list, y);
        }
        cJSON_AddItemToArray(files, o);
    }
    return doc;
}

/* ---- one file's text, by its kind ---- */

void wld_lint_text(const struct wld_rules *rules,
                   enum wld_lint_kind kind,
                   const char *data,
                   size_t n,
                   bool truncated,
                   struct wld_lint_file *f)
{
    const char *enc = NULL;
    char *text = wld_text_decode(data, n, &enc);
    f->kind = kind;
    /* not text: NUL bytes in what is not UTF-16 (an ELF, a zip), or a unit in UTF-16,
     * which systemd reads as bytes */
    bool utf16 = wld_str_starts(enc, "utf-16");
    bool bytes = kind == WLD_LINT_UNIT || kind == WLD_LINT_DAEMON_JSON;
    if ((!utf16 && memchr(data, '\0', n)) || (bytes && utf16)) {
        size_t head = n < WLD_FILEKIND_HEAD ? n : WLD_FILEKIND_HEAD;
        char *what =
                utf16 ? wld_xasprintf("%s text, and %s", enc,
                                      kind == WLD_LINT_UNIT ? "systemd reads unit files as bytes"
                                                            : "dockerd reads daemon.json as UTF-8")
                      : wld_xasprintf("binary (%s), not text",
                                      wld_file_kind((const unsigned char *) data, head, n));
        cJSON *v = cJSON_CreateObject();
        cJSON_AddStringToObject(v, "what", what);
        free(what);
        cJSON_AddStringToObject(v, "kind", wld_lint_kind_words(kind));
        cJSON_AddStringToObject(v, "path", f->path);
        wld_lint_common(f, rules, "lint_not_text", v);
        cJSON_Delete(v);
    } else if (kind == WLD_LINT_UNIT) {
        char **dropins = read_dropins(f->path);
        wld_lint_unit(rules, text, dropins, truncated, f);
        for (size_t i = 0; dropins[i]; i++)
            free(dropins[i]);
        free(dropins);
    } else if (kind == WLD_LINT_DAEMON_JSON) {
        wld_lint_daemon_json(rules, text, strlen(text), truncated, f);
    } else if (kind == WLD_LINT_CDI) {
        wld_lint_cdi(rules, text, strlen(text), truncated, f);
    } else if (kind == WLD_LINT_COMPOSE) {
        wld_lint_compose(rules, text, strlen(text), truncated, f);
    } else {
        wld_lint_wsl(rules, kind == WLD_LINT_WSLCONFIG ? "wsl.wslconfig" : "wsl.wsl-conf", text,
                     data, n, truncated, f);
    }
    free(text);
}
