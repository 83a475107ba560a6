/* The recorder as a host layer: what the checks looked at, read, listed, probed, asked
 * and ran (see wld/record.h); src/record/record_write.c writes it out as a fixture tree. */
#include "wld/record.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/check.h"
#include "wld/fetch.h"
#include "wld/proc.h"
#include "wld/redact.h"
#include "wld/secrets.h"
#include "wld/util.h"

#include "record_impl.h"

static void rec_path(void *ctx, const char *path);
static void
rec_data(void *ctx, const char *path, uint64_t offset, const void *data, size_t n, bool eof);
static void rec_list(void *ctx, const char *path);
static void rec_device(void *ctx, const char *path, const struct wld_device *dev);
static void rec_env(void *ctx, const char *key);
static void rec_command(void *ctx, const char *const *argv, const struct wld_proc_result *r);
static void rec_fetch(void *ctx, const char *url, const struct wld_fetch *f, int result);

struct wld_recorder *wld_recorder_new(void)
{
    struct wld_recorder *rec = wld_xcalloc(1, sizeof(*rec));
    pthread_mutex_init(&rec->mu, NULL);
    rec->layer = (struct wld_host_layer){ .ctx = rec,
                                          .looked_at = rec_path,
                                          .read = rec_data,
                                          .listed = rec_list,
                                          .probed = rec_device,
                                          .asked_env = rec_env,
                                          .ran = rec_command,
                                          .fetched = rec_fetch };
    return rec;
}

const struct wld_host_layer *wld_recorder_layer(struct wld_recorder *rec)
{
    return &rec->layer;
}

void wld_recorder_free(struct wld_recorder *rec)
{
    if (!rec)
        return;
    for (size_t i = 0; i < rec->n; i++) {
        free(rec->e[i].path);
        free(rec->e[i].data);
    }
    for (size_t i = 0; i < rec->nc; i++) {
        wld_strv_free(rec->c[i].argv);
        free(rec->c[i].out);
        free(rec->c[i].err);
    }
    for (size_t i = 0; i < rec->nx; i++) {
        free(rec->x[i].url);
        free(rec->x[i].body);
    }
    free(rec->x);
    for (size_t i = 0; i < rec->nenv; i++)
        free(rec->env[i]);
    free(rec->e);
    free(rec->c);
    free(rec->env);
    pthread_mutex_destroy(&rec->mu);
    free(rec);
}

static void add(struct wld_recorder *rec, struct ent e)
{
    pthread_mutex_lock(&rec->mu);
    if (rec->n == rec->alloc) {
        rec->alloc = rec->alloc ? rec->alloc * 2 : 64;
        rec->e = wld_xrealloc(rec->e, rec->alloc * sizeof(*rec->e));
    }
    if (e.kind == ENT_DATA && rec->bytes + e.n > MAX_DATA) {
        free(e.data);
        e.data = NULL;
        e.kind = ENT_PATH;
        rec->dropped = true;
    }
    rec->bytes += e.n;
    rec->e[rec->n++] = e;
    pthread_mutex_unlock(&rec->mu);
}

static void rec_path(void *ctx, const char *path)
{
    struct wld_recorder *rec = ctx;
    add(rec, (struct ent){ .kind = ENT_PATH, .path = wld_xstrdup(path) });
}

static void
rec_data(void *ctx, const char *path, uint64_t offset, const void *data, size_t n, bool eof)
{
    struct wld_recorder *rec = ctx;
    char *copy = wld_xmalloc(n ? n : 1);
    memcpy(copy, data, n);
    wld_secrets_scrub(copy, n); /* a server's --api-key in its /proc/PID/cmdline */
    add(rec, (struct ent){ .kind = ENT_DATA,
                           .path = wld_xstrdup(path),
                           .off = offset,
                           .data = copy,
                           .n = n,
                           .eof = eof });
}

static void rec_list(void *ctx, const char *path)
{
    struct wld_recorder *rec = ctx;
    add(rec, (struct ent){ .kind = ENT_LIST, .path = wld_xstrdup(path) });
}

static void rec_device(void *ctx, const char *path, const struct wld_device *dev)
{
    struct wld_recorder *rec = ctx;
    add(rec, (struct ent){ .kind = ENT_DEVICE, .path = wld_xstrdup(path), .dev = *dev });
}

static void rec_env(void *ctx, const char *key)
{
    struct wld_recorder *rec = ctx;
    pthread_mutex_lock(&rec->mu);
    bool known = false;
    for (size_t i = 0; i < rec->nenv && !known; i++)
        known = strcmp(rec->env[i], key) == 0;
    if (!known && rec->nenv < 4096) {
        rec->env = wld_xrealloc(rec->env, (rec->nenv + 1) * sizeof(char *));
        rec->env[rec->nenv++] = wld_xstrdup(key);
    }
    pthread_mutex_unlock(&rec->mu);
}

static void rec_command(void *ctx, const char *const *argv, const struct wld_proc_result *r)
{
    struct wld_recorder *rec = ctx;
    size_t n = 0;
    while (argv[n])
        n++;
    struct cmd c = { .argv = wld_xcalloc(n + 1, sizeof(char *)),
                     .out = wld_xmemdup(r->out.data ? r->out.data : "", r->out.len),
                     .out_n = r->out.len,
                     .err = wld_xmemdup(r->err.data ? r->err.data : "", r->err.len),
                     .err_n = r->err.len,
                     .exit_code = r->exit_code,
                     .signal = r->signal,
                     .spawn_errno = r->spawn_errno,
                     .timed_out = r->timed_out,
                     .ms = r->duration_ms };
    for (size_t i = 0; i < n; i++)
        wld_secrets_scrub_str(c.argv[i] = wld_xstrdup(argv[i]));
    wld_secrets_scrub(c.out, c.out_n);
    wld_secrets_scrub(c.err, c.err_n);
    pthread_mutex_lock(&rec->mu);
    if (rec->nc == rec->calloc) {
        rec->calloc = rec->calloc ? rec->calloc * 2 : 16;
        rec->c = wld_xrealloc(rec->c, rec->calloc * sizeof(*rec->c));
    }
    rec->c[rec->nc++] = c;
    pthread_mutex_unlock(&rec->mu);
}

static void rec_fetch(void *ctx, const char *url, const struct wld_fetch *f, int result)
{
    struct wld_recorder *rec = ctx;
    struct xfer x = { .url = wld_xstrdup(url),
                      .status = f->status,
                      .body = wld_xmemdup(f->body.data ? f->body.data : "", f->body.len),
                      .body_n = f->body.len,
                      .result = result,
                      .ms = f->ms };
    snprintf(x.error, sizeof(x.error), "%s", f->error);
    wld_secrets_scrub_str(x.url);
    wld_secrets_scrub(x.body, x.body_n);
    wld_secrets_scrub_str(x.error);
    snprintf(x.content_type, sizeof(x.content_type), "%s", f->content_type);
    pthread_mutex_lock(&rec->mu);
    if (rec->nx == rec->xalloc) {
        rec->xalloc = rec->xalloc ? rec->xalloc * 2 : 8;
        rec->x = wld_xrealloc(rec->x, rec->xalloc * sizeof(*rec->x));
    }
    rec->x[rec->nx++] = x;
    pthread_mutex_unlock(&rec->mu);
}

void wld_recorder_learn(const struct wld_recorder *rec, struct wld_redactor *red)
{
    for (size_t i = 0; i < rec->n; i++) {
        wld_redactor_learn_text(red, rec->e[i].path, strlen(rec->e[i].path));
        if (rec->e[i].kind == ENT_DATA)
            wld_redactor_learn_text(red, rec->e[i].data, rec->e[i].n);
    }
    for (size_t i = 0; i < rec->nc; i++) {
        for (char **a = rec->c[i].argv; *a; a++)
            wld_redactor_learn_text(red, *a, strlen(*a));
        wld_redactor_learn_text(red, rec->c[i].out, rec->c[i].out_n);
        wld_redactor_learn_text(red, rec->c[i].err, rec->c[i].err_n);
    }
    for (size_t i = 0; i < rec->nx; i++)
        wld_redactor_learn_text(red, rec->x[i].body, rec->x[i].body_n);
}

/* ---- writing the tree ---- */

cJSON *wld_recorder_stats(const struct wld_recorder *rec)
{
    unsigned paths = 0, reads = 0, lists = 0;
    for (size_t i = 0; i < rec->n; i++) {
        paths += rec->e[i].kind == ENT_PATH;
        reads += rec->e[i].kind == ENT_DATA;
        lists += rec->e[i].kind == ENT_LIST;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "paths", paths);
    cJSON_AddNumberToObject(o, "reads", reads);
    cJSON_AddNumberToObject(o, "listings", lists);
    cJSON_AddNumberToObject(o, "commands", (double) rec->nc);
    cJSON_AddNumberToObject(o, "bytes", (double) rec->bytes);
    cJSON_AddBoolToObject(o, "data_dropped", rec->dropped);
    return o;
}
