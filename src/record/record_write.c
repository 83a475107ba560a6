/* Writing a recording out as a fixture tree (see wld/record.h): files at their offsets in
 * sparse files, symlinks and directories as they were, device stand-ins, each command as
 * a script that replays it, the environment, and recording.json; redacted throughout. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/check.h"
#include "wld/proc.h"
#include "wld/record.h"
#include "wld/redact.h"
#include "wld/util.h"

#include "record_impl.h"

struct writer {
    const struct wld_host *host; /* the recorded host */
    const char *src;             /* its root ("" live) */
    char *dst;                   /* the recording's directory */
    const struct wld_redactor *red;
    unsigned files, dirs, links;
    struct {
        char *path;
        mode_t mode;
    } * modes; /* applied last, so read-only files can still be written first */
    size_t nmodes;
};

static char *redacted(const struct writer *w, const char *s)
{
    char *r = wld_xstrdup(s);
    if (w->red)
        wld_redact_str(w->red, r);
    return r;
}

/* DIR + the redacted host path. */
static char *dest(const struct writer *w, const char *host_path)
{
    char *r = redacted(w, host_path);
    char *d = wld_xasprintf("%s%s", w->dst, r);
    free(r);
    return d;
}

static void make_dir(struct writer *w, const char *host_path)
{
    char *d = dest(w, host_path);
    if (mkdir(d, 0755) == 0)
        w->dirs++;
    free(d);
}

static void make_link(struct writer *w, const char *host_path, const char *target)
{
    char *d = dest(w, host_path), *t = redacted(w, target);
    struct stat st;
    if (lstat(d, &st) < 0 && symlink(t, d) == 0)
        w->links++;
    free(d);
    free(t);
}

static void write_standin(struct writer *w, const char *host_path, const char *text)
{
    char *d = dest(w, host_path);
    int fd = open(d, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd >= 0) {
        if (write(fd, text, strlen(text)) < 0) {
            /* reported by the file's absence in the replay */
        }
        close(fd);
    }
    free(d);
}

/* The leaf as the source has it: a directory, a sparse file of its size and mode, or a
 * stand-in for a device node. */
static void make_leaf(struct writer *w, const char *host_path, const struct stat *st)
{
    if (S_ISDIR(st->st_mode)) {
        make_dir(w, host_path);
        return;
    }
    if (!S_ISREG(st->st_mode)) {
        char text[64];
        snprintf(text, sizeof(text), "kind=%s\nmode=%04o\nopen=ok\n",
                 wld_node_kind_name(wld_node_kind_of(st->st_mode)),
                 (unsigned) st->st_mode & 07777u);
        write_standin(w, host_path, text);
        return;
    }
    char *d = dest(w, host_path);
    struct stat have;
    if (lstat(d, &have) == 0) {
        free(d);
        return;
    }
    int fd = open(d, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        if (ftruncate(fd, st->st_size) < 0) {
            /* the file stays empty: its size is lost, not the report */
        }
        close(fd);
        w->files++;
        w->modes = wld_xrealloc(w->modes, (w->nmodes + 1) * sizeof(*w->modes));
        w->modes[w->nmodes].path = d;
        w->modes[w->nmodes++].mode = st->st_mode & 07777u;
        return;
    }
    free(d);
}

struct materializing {
    struct writer *w;
    bool reached; /* the path's final component exists */
};

static void materialize_one(
        void *ctx, const char *path, const struct stat *st, const char *link_target, bool last)
{
    struct materializing *m = ctx;
    if (link_target) {
        make_link(m->w, path, link_target);
    } else if (last) {
        make_leaf(m->w, path, st);
        m->reached = true;
    } else {
        make_dir(m->w, path);
    }
}

/* Recreates every component of a host path in the recording as the host has it (its
 * directories, its symlinks as symlinks, the file itself), following links as the host
 * does (wld_host_walk). Returns the resolved host path, or NULL when the path does not
 * exist on the host; caller frees. */
static char *materialize(struct writer *w, const char *path)
{
    struct materializing m = { .w = w };
    char *resolved = NULL;
    if (wld_host_walk(w->host, path, materialize_one, &m, &resolved) < 0)
        return NULL;
    if (!m.reached) {
        free(resolved);
        return NULL;
    }
    return resolved;
}

/* A listed directory: every entry as the source has it, symlinks not followed. */
static void write_listing(struct writer *w, const char *path)
{
    char *dir = materialize(w, path);
    if (!dir)
        return;
    char *src = wld_xasprintf("%s%s", w->src, dir);
    DIR *d = opendir(src);
    struct dirent *e;
    size_t count = 0;
    while (d && (e = readdir(d)) && count < MAX_LISTED) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        count++;
        char *host = wld_xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, e->d_name);
        char *s = wld_xasprintf("%s%s", w->src, host);
        struct stat st;
        char target[PATH_MAX];
        ssize_t n;
        if (lstat(s, &st) == 0) {
            if (S_ISLNK(st.st_mode) && (n = readlink(s, target, sizeof(target) - 1)) >= 0) {
                target[n] = '\0';
                make_link(w, host, target);
            } else if (!S_ISLNK(st.st_mode)) {
                make_leaf(w, host, &st);
            }
        }
        free(s);
        free(host);
    }
    if (d)
        closedir(d);
    free(src);
    free(dir);
}

static void write_data(struct writer *w, const struct ent *e)
{
    char *path = materialize(w, e->path);
    if (!path)
        return;
    char *d = dest(w, path);
    int fd = open(d, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        char *copy = wld_xmalloc(e->n ? e->n : 1);
        memcpy(copy, e->data, e->n);
        if (w->red)
            wld_redact_bytes(w->red, copy, e->n);
        bool ok = pwrite(fd, copy, e->n, (off_t) e->off) == (ssize_t) e->n;
        if (ok && e->eof && ftruncate(fd, (off_t) (e->off + e->n)) < 0)
            ok = false;
        (void) ok; /* a short write shows as a different replay, not a crash */
        free(copy);
        close(fd);
    }
    free(d);
    free(path);
}

static void write_device(struct writer *w, const struct ent *e)
{
    if (e->dev.kind == WLD_NODE_MISSING)
        return;
    const char *kind = wld_node_kind_name(e->dev.kind);
    char *parent = wld_path_dirname(e->path);
    free(materialize(w, parent));
    free(parent);
    char text[128];
    snprintf(text, sizeof(text), "kind=%s\nmode=%04o\nopen=%s\n", kind, e->dev.mode,
             e->dev.open_errno == 0 ? "ok" : wld_errno_name(e->dev.open_errno));
    if (e->dev.kind == WLD_NODE_DIR) {
        make_dir(w, e->path);
        return;
    }
    write_standin(w, e->path, text);
}

static int write_file(const char *path, const void *data, size_t n, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return -errno;
    int r = write(fd, data, n) == (ssize_t) n ? 0 : -EIO;
    close(fd);
    return r;
}

/* A word for a shell comment: no line breaks. */
/* DIR/.doctor/http/KEY.json: an HTTP exchange (status, Content-Type, body, how the
 * transfer ended and how long it took), as wld_host_fetch replays it. */
static int write_exchange(struct writer *w, const struct xfer *x)
{
    char *url = redacted(w, x->url);
    const char *argv[] = { "GET", url, NULL };
    char key[17];
    wld_proc_key(argv, key);
    char *body = wld_xstrndup(x->body, x->body_n);
    if (w->red)
        wld_redact_str(w->red, body);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "url", url);
    cJSON_AddNumberToObject(o, "status", (double) x->status);
    cJSON_AddStringToObject(o, "content_type", x->content_type);
    cJSON_AddNumberToObject(o, "errno", -x->result);
    cJSON_AddStringToObject(o, "error", x->error);
    cJSON_AddNumberToObject(o, "ms", x->ms);
    cJSON_AddStringToObject(o, "body", body);
    char *text = cJSON_Print(o);
    char *p = wld_xasprintf("%s/.doctor/http/%s.json", w->dst, key);
    int r = write_file(p, text, strlen(text), 0644);
    free(p);
    free(text);
    cJSON_Delete(o);
    free(body);
    free(url);
    return r;
}

/* DIR/.doctor/commands/KEY: prints what the command printed, ends as it ended. */
static int write_command(struct writer *w, const struct cmd *c, cJSON *list)
{
    size_t n = 0;
    while (c->argv[n])
        n++;
    char **argv = wld_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        argv[i] = redacted(w, c->argv[i]);
    char key[17];
    wld_proc_key((const char *const *) argv, key);
    char *base = wld_xasprintf("%s/.doctor/commands/%s", w->dst, key);
    char *out = wld_xmemdup(c->out, c->out_n), *err = wld_xmemdup(c->err, c->err_n);
    if (w->red) {
        wld_redact_bytes(w->red, out, c->out_n);
        wld_redact_bytes(w->red, err, c->err_n);
    }
    char *p = wld_xasprintf("%s.out", base);
    int r = write_file(p, out, c->out_n, 0644);
    free(p);
    p = wld_xasprintf("%s.err", base);
    if (r == 0)
        r = write_file(p, err, c->err_n, 0644);
    free(p);
    struct wld_buf s;
    wld_buf_init(&s, 1u << 20);
    struct wld_proc_result ending = { .exit_code = c->exit_code,
                                      .signal = c->signal,
                                      .spawn_errno = c->spawn_errno,
                                      .timed_out = c->timed_out,
                                      .duration_ms = c->ms };
    wld_proc_replay_script(&s, key, (const char *const *) argv, &ending);
    if (c->spawn_errno) {
        /* it never started: the replay reads the errno from KEY.spawn */
        char num[16];
        snprintf(num, sizeof(num), "%d\n", c->spawn_errno);
        p = wld_xasprintf("%s.spawn", base);
        if (r == 0)
            r = write_file(p, num, strlen(num), 0644);
        free(p);
    }
    if (r == 0)
        r = write_file(base, s.data, s.len, 0755);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key", key);
    cJSON *a = cJSON_AddArrayToObject(o, "argv");
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(argv[i]));
    if (c->spawn_errno)
        cJSON_AddStringToObject(o, "spawn_errno", wld_errno_name(c->spawn_errno));
    cJSON_AddNumberToObject(o, "exit_code", c->exit_code);
    if (c->signal)
        cJSON_AddStringToObject(o, "signal", wld_signal_name(c->signal));
    cJSON_AddBoolToObject(o, "timed_out", c->timed_out);
    cJSON_AddNumberToObject(o, "ms", (double) (long) (c->ms * 10) / 10.0);
    cJSON_AddItemToArray(list, o);
    wld_buf_release(&s);
    free(out);
    free(err);
    free(base);
    wld_strv_free(argv);
    return r;
}

/* DIR/.doctor/env: the variables the checks read, and those on the allowlist. */
static int write_env(struct writer *w, const struct wld_recorder *rec, const struct wld_host *h)
{
    struct wld_buf b;
    wld_buf_init(&b, 1u << 20);
    wld_buf_puts(&b, "# environment recorded by wsl-llm-doctor " WLD_VERSION "\n");
    for (char **e = h->env; *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!eq || strchr(*e, '\n'))
            continue;
        char *key = wld_xstrndup(*e, (size_t) (eq - *e));
        bool read = false;
        for (size_t i = 0; i < rec->nenv && !read; i++)
            read = strcmp(rec->env[i], key) == 0;
        if (read || wld_redact_env_allowed(key)) {
            char *line = redacted(w, *e);
            wld_buf_printf(&b, "%s\n", line);
            free(line);
        }
        free(key);
    }
    char *p = wld_xasprintf("%s/.doctor/env", w->dst);
    int r = write_file(p, b.data, b.len, 0644);
    free(p);
    wld_buf_release(&b);
    return r;
}

static int prepare_dir(const char *dir, char **err)
{
    if (mkdir(dir, 0755) < 0) {
        int r = -errno;
        DIR *d = r == -EEXIST ? opendir(dir) : NULL;
        struct dirent *e;
        bool empty = d != NULL;
        while (d && (e = readdir(d)))
            empty &= strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
        if (d)
            closedir(d);
        if (!empty) {
            *err = wld_xasprintf("%s: %s", dir,
                                 r == -EEXIST ? "exists and is not empty (a recording never "
                                                "writes over files)"
                                              : strerror(-r));
            return r == -EEXIST ? -ENOTEMPTY : r;
        }
    }
    char *p = wld_xasprintf("%s/.doctor", dir);
    int r = mkdir(p, 0755) < 0 ? -errno : 0;
    free(p);
    p = wld_xasprintf("%s/.doctor/http", dir);
    if (r == 0 && mkdir(p, 0755) < 0)
        r = -errno;
    free(p);
    p = wld_xasprintf("%s/.doctor/commands", dir);
    if (r == 0 && mkdir(p, 0755) < 0)
        r = -errno;
    free(p);
    if (r < 0)
        *err = wld_xasprintf("%s/.doctor: %s", dir, strerror(-r));
    return r;
}

int wld_recorder_write(const struct wld_recorder *rec,
                       const struct wld_host *src,
                       const struct wld_redactor *red,
                       const char *dir,
                       const cJSON *meta,
                       char **err)
{
    *err = NULL;
    int r = prepare_dir(dir, err);
    if (r < 0)
        return r;
    struct writer w = { .host = src, .src = src->root, .dst = realpath(dir, NULL), .red = red };
    if (!w.dst) {
        r = -errno;
        *err = wld_xasprintf("%s: %s", dir, strerror(-r));
        return r;
    }
    /* listings first, then the paths looked at, then the bytes read, then the devices:
     * each may refine what the one before wrote */
    for (int kind = ENT_LIST; kind <= ENT_DATA; kind++)
        for (size_t i = 0; i < rec->n; i++) {
            const struct ent *e = &rec->e[i];
            if ((int) e->kind != kind)
                continue;
            if (kind == ENT_LIST)
                write_listing(&w, e->path);
            else if (kind == ENT_PATH)
                free(materialize(&w, e->path));
            else
                write_data(&w, e);
        }
    for (size_t i = 0; i < rec->n; i++)
        if (rec->e[i].kind == ENT_DEVICE)
            write_device(&w, &rec->e[i]);
    for (size_t i = 0; i < w.nmodes; i++) {
        if (chmod(w.modes[i].path, w.modes[i].mode) < 0) {
            /* the file keeps 0600: only is_executable could notice */
        }
        free(w.modes[i].path);
    }
    free(w.modes);

    cJSON *doc = cJSON_Duplicate(meta, true);
    cJSON *cmds = cJSON_AddArrayToObject(doc, "commands");
    for (size_t i = 0; i < rec->nc && r == 0; i++)
        r = write_command(&w, &rec->c[i], cmds);
    for (size_t i = 0; i < rec->nx && r == 0; i++)
        r = write_exchange(&w, &rec->x[i]);
    if (r == 0)
        r = write_env(&w, rec, src);
    cJSON *stats = wld_recorder_stats(rec);
    cJSON_AddNumberToObject(stats, "files_written", w.files);
    cJSON_AddNumberToObject(stats, "symlinks_written", w.links);
    cJSON_AddItemToObject(doc, "recorded", stats);
    if (red)
        cJSON_AddItemToObject(doc, "redacted", wld_redactor_kinds_json(red));
    char *text = cJSON_Print(doc);
    char *p = wld_xasprintf("%s/.doctor/recording.json", w.dst);
    if (r == 0)
        r = write_file(p, text, strlen(text), 0644);
    if (r < 0)
        *err = wld_xasprintf("%s: %s", dir, strerror(-r));
    free(p);
    free(text);
    cJSON_Delete(doc);
    free(w.dst);
    return r;
}
