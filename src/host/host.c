/* The host: live machine or fixture tree (see wld/host.h). This file and proc.c are the
 * only places that touch the filesystem and environment on behalf of checks. */
#include "wld/host.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#define MAX_LINKS 40
#define MAX_ENV   65536       /* variables of a fixture's .doctor/env */
#define CAP_ENV   (16u << 20) /* bytes of a fixture's .doctor/env */

/* The variables of a .doctor/env; NULL when it holds more than MAX_ENV. */
static char **env_from_text(const char *text)
{
    size_t n = 0, alloc = 16;
    char **env = wld_xcalloc(alloc, sizeof(char *));
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen(p);
        char *line = wld_xstrndup(p, len);
        wld_str_trim(line);
        if (line[0] && line[0] != '#' && strchr(line, '=') && line[0] != '=') {
            if (n == MAX_ENV) {
                free(line);
                env[n] = NULL;
                wld_strv_free(env);
                return NULL;
            }
            if (n + 2 > alloc) {
                alloc *= 2;
                env = wld_xrealloc(env, alloc * sizeof(char *));
            }
            env[n++] = line;
        } else {
            free(line);
        }
        p = nl ? nl + 1 : p + len;
    }
    env[n] = NULL;
    return env;
}

int wld_host_new_live(struct wld_host **ret)
{
    struct wld_host *h = wld_xcalloc(1, sizeof(*h));
    size_t n = 0;
    while (environ && environ[n]) /* already in memory: taken whole */
        n++;
    h->env = wld_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        h->env[i] = wld_xstrdup(environ[i]);
    h->root = wld_xstrdup("");
    h->fixture = false;
    *ret = h;
    return 0;
}

int wld_host_new_fixture(const char *dir, struct wld_host **ret)
{
    struct stat st;
    char *abs = realpath(dir, NULL);
    if (!abs)
        return -errno;
    if (stat(abs, &st) < 0 || !S_ISDIR(st.st_mode)) {
        free(abs);
        return -ENOTDIR;
    }
    struct wld_host *h = wld_xcalloc(1, sizeof(*h));
    if (strcmp(abs, "/") == 0)
        abs[0] = '\0';
    h->root = abs;
    h->fixture = true;
    struct wld_buf b;
    if (wld_host_read(h, "/.doctor/env", CAP_ENV, &b) == 0) {
        /* an environment cut short would be judged as if the later variables were unset */
        h->env = b.truncated ? NULL : env_from_text(b.data);
        wld_buf_release(&b);
        if (!h->env) {
            wld_host_free(h);
            return -EFBIG;
        }
    } else {
        h->env = wld_xcalloc(1, sizeof(char *));
    }
    *ret = h;
    return 0;
}

void wld_host_free(struct wld_host *h)
{
    if (!h)
        return;
    wld_strv_free(h->env);
    free(h->root);
    free(h);
}

const char *wld_host_getenv(const struct wld_host *h, const char *key)
{
    size_t kl = strlen(key);
    if (h->layer)
        h->layer->asked_env(h->layer->ctx, key);
    for (char **p = h->env; *p; p++)
        if (strncmp(*p, key, kl) == 0 && (*p)[kl] == '=')
            return *p + kl + 1;
    return NULL;
}

const char *wld_host_home(const struct wld_host *h)
{
    const char *home = wld_host_getenv(h, "HOME");
    return home && home[0] == '/' ? home : NULL;
}

/* Pops the first component of *rest into comp (NUL-terminated, at most n bytes). */
static bool next_component(const char **rest, char *comp, size_t n)
{
    const char *p = *rest;
    while (*p == '/')
        p++;
    if (!*p) {
        *rest = p;
        return false;
    }
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t) (e - p) : strlen(p);
    if (len >= n)
        len = n - 1;
    memcpy(comp, p, len);
    comp[len] = '\0';
    *rest = e ? e : p + strlen(p);
    return true;
}

static void pop_last(char *path)
{
    char *slash = strrchr(path, '/');
    if (slash)
        *slash = '\0';
}

/* Whether rest holds another component. */
static bool more_components(const char *rest)
{
    while (*rest == '/')
        rest++;
    return *rest != '\0';
}

int wld_host_resolve(const struct wld_host *h, const char *path, char **ret)
{
    return wld_host_walk(h, path, NULL, NULL, ret);
}

int wld_host_walk(
        const struct wld_host *h, const char *path, wld_host_visit visit, void *ctx, char **ret)
{
    struct wld_buf out;
    char comp[256];
    int links = 0, r = 0;
    wld_buf_init(&out, 4096);
    char *rest_owned = wld_xstrdup(path);
    const char *rest = rest_owned;
    bool exists = true;
    /* the host path under the root, rebuilt in place for each component's lstat */
    size_t root_len = strlen(h->root);
    char real[PATH_MAX];
    if (root_len >= sizeof(real)) {
        free(rest_owned);
        wld_buf_release(&out);
        return -ENAMETOOLONG;
    }
    memcpy(real, h->root, root_len);

    while (next_component(&rest, comp, sizeof(comp))) {
        if (strcmp(comp, ".") == 0)
            continue;
        if (strcmp(comp, "..") == 0) {
            pop_last(out.data);
            out.len = strlen(out.data);
            continue;
        }
        size_t before = out.len;
        wld_buf_puts(&out, "/");
        wld_buf_puts(&out, comp);
        if (out.truncated) {
            r = -ENAMETOOLONG;
            goto done;
        }
        if (!exists)
            continue;
        if (root_len + out.len >= sizeof(real)) {
            r = -ENAMETOOLONG;
            goto done;
        }
        memcpy(real + root_len, out.data, out.len + 1);
        struct stat st;
        if (lstat(real, &st) < 0) {
            exists = false; /* the rest is appended lexically */
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlink(real, target, sizeof(target) - 1);
            if (n < 0 || ++links > MAX_LINKS) {
                r = n < 0 ? -errno : -ELOOP;
                goto done;
            }
            target[n] = '\0';
            if (visit)
                visit(ctx, out.data, &st, target, false);
            char *next = wld_xasprintf("%s/%s", target, rest);
            free(rest_owned);
            rest_owned = next;
            rest = rest_owned;
            out.len = before;
            out.data[before] = '\0';
            if (target[0] == '/') {
                out.len = 0;
                out.data[0] = '\0';
            }
            continue;
        }
        if (visit)
            visit(ctx, out.data, &st, NULL, !more_components(rest));
    }
done:
    free(rest_owned);
    if (r < 0) {
        wld_buf_release(&out);
        return r;
    }
    if (out.len == 0)
        wld_buf_puts(&out, "/");
    *ret = wld_buf_detach(&out);
    return 0;
}

int wld_host_real_path(const struct wld_host *h, const char *path, char **ret)
{
    if (!h->fixture) {
        *ret = wld_xstrdup(path);
        return 0;
    }
    char *resolved = NULL;
    int r = wld_host_resolve(h, path, &resolved);
    if (r < 0)
        return r;
    *ret = wld_xasprintf("%s%s", h->root, strcmp(resolved, "/") == 0 ? "" : resolved);
    if (!(*ret)[0]) {
        free(*ret);
        *ret = wld_xstrdup("/");
    }
    free(resolved);
    return 0;
}

void wld_host_unroot(const struct wld_host *h, char *s)
{
    size_t rl = strlen(h->root);
    if (!h->fixture || rl == 0)
        return;
    for (char *p = strstr(s, h->root); p; p = strstr(p, h->root))
        memmove(p, p + rl, strlen(p + rl) + 1);
}

/* Opens a host path for reading without blocking on a device (O_NONBLOCK), told to the
 * layer; its type in *mode. Returns the fd or -errno (-EISDIR for a directory). */
static int open_nonblock(const struct wld_host *h, const char *path, unsigned *mode)
{
    char *real = NULL;
    if (h->layer)
        h->layer->looked_at(h->layer->ctx, path);
    int r = wld_host_real_path(h, path, &real);
    if (r < 0)
        return r;
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    free(real);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        r = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
        close(fd);
        return r;
    }
    *mode = st.st_mode;
    return fd;
}

int wld_host_open(const struct wld_host *h, const char *path)
{
    unsigned mode = 0;
    int fd = open_nonblock(h, path, &mode);
    if (fd >= 0 && !S_ISREG(mode)) {
        close(fd);
        return -EINVAL;
    }
    return fd;
}

/* Reads up to out->cap bytes from offset on; consumes fd. */
static int read_from(int fd, off_t offset, struct wld_buf *out)
{
    char chunk[16384];
    for (;;) {
        ssize_t n = pread(fd, chunk, sizeof(chunk), offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int r = -errno;
            wld_buf_release(out);
            close(fd);
            return r;
        }
        if (n == 0)
            break;
        offset += n;
        wld_buf_append(out, chunk, (size_t) n);
        if (out->truncated)
            break;
    }
    close(fd);
    return 0;
}

int wld_host_read(const struct wld_host *h, const char *path, size_t cap, struct wld_buf *out)
{
    int fd = wld_host_open(h, path);
    if (fd < 0)
        return fd;
    wld_buf_init(out, cap);
    int r = read_from(fd, 0, out);
    if (r == 0 && h->layer)
        h->layer->read(h->layer->ctx, path, 0, out->data, out->len, !out->truncated);
    return r;
}

int wld_host_read_range(const struct wld_host *h,
                        const char *path,
                        uint64_t offset,
                        size_t len,
                        struct wld_buf *out)
{
    if (offset > (uint64_t) INT64_MAX)
        return -EINVAL;
    int fd = wld_host_open(h, path);
    if (fd < 0)
        return fd;
    wld_buf_init(out, len);
    int r = read_from(fd, (off_t) offset, out);
    if (r == 0 && h->layer)
        h->layer->read(h->layer->ctx, path, offset, out->data, out->len, out->len < len);
    return r;
}

int wld_host_read_log(const struct wld_host *h, const char *path, size_t cap, struct wld_buf *out)
{
    unsigned mode = 0;
    int r = 0, fd = open_nonblock(h, path, &mode);
    if (fd < 0)
        return fd;
    if (S_ISREG(mode)) { /* a fixture's stand-in, or a saved log */
        close(fd);
        return wld_host_read(h, path, cap, out);
    }
    if (!S_ISCHR(mode)) {
        close(fd);
        return -EINVAL;
    }
    /* /dev/kmsg: one record per read(), EAGAIN once the buffer is read; EPIPE when the
     * kernel overwrote the record about to be read (the next read goes on) */
    wld_buf_init(out, cap);
    char rec[8192];
    for (;;) {
        ssize_t n = read(fd, rec, sizeof(rec));
        if (n < 0 && (errno == EINTR || errno == EPIPE))
            continue;
        if (n < 0 && errno != EAGAIN) {
            r = -errno;
            break;
        }
        if (n <= 0)
            break;
        if (out->len + (size_t) n + 1 > cap) {
            out->truncated = true;
            break;
        }
        wld_buf_append(out, rec, (size_t) n);
        if (rec[n - 1] != '\n')
            wld_buf_append(out, "\n", 1);
    }
    close(fd);
    if (r < 0) {
        wld_buf_release(out);
        return r;
    }
    if (h->layer)
        h->layer->read(h->layer->ctx, path, 0, out->data, out->len, !out->truncated);
    return 0;
}

void wld_host_capture(const struct wld_host *h, const char *path, size_t cap)
{
    struct wld_buf b;
    if (h->layer && wld_host_read(h, path, cap, &b) == 0)
        wld_buf_release(&b);
}

/* The path on this machine of a host path whose last component is not followed (a
 * symlink itself): its parent resolved, the name appended. */
static int real_path_of_link(const struct wld_host *h, const char *path, char **ret)
{
    const char *slash = strrchr(path, '/');
    char *parent_real = NULL;
    char *parent =
            slash && slash != path ? wld_xstrndup(path, (size_t) (slash - path)) : wld_xstrdup("/");
    int r = wld_host_real_path(h, parent, &parent_real);
    free(parent);
    if (r < 0)
        return r;
    *ret = wld_xasprintf("%s/%s", parent_real, slash ? slash + 1 : path);
    free(parent_real);
    return 0;
}

int wld_host_stat(const struct wld_host *h, const char *path, bool follow, struct stat *ret)
{
    char *real = NULL;
    int r;
    if (h->layer)
        h->layer->looked_at(h->layer->ctx, path);
    r = h->fixture && !follow ? real_path_of_link(h, path, &real)
                              : wld_host_real_path(h, path, &real);
    if (r < 0)
        return r;
    r = follow ? stat(real, ret) : lstat(real, ret);
    r = r < 0 ? -errno : 0;
    free(real);
    return r;
}

bool wld_host_exists(const struct wld_host *h, const char *path)
{
    struct stat st;
    return wld_host_stat(h, path, true, &st) == 0;
}

bool wld_host_is_dir(const struct wld_host *h, const char *path)
{
    struct stat st;
    return wld_host_stat(h, path, true, &st) == 0 && S_ISDIR(st.st_mode);
}

int wld_host_readlink(const struct wld_host *h, const char *path, char **ret)
{
    struct stat st;
    int r = wld_host_stat(h, path, false, &st);
    if (r < 0)
        return r;
    if (!S_ISLNK(st.st_mode))
        return -EINVAL;
    char *real = NULL;
    r = real_path_of_link(h, path, &real);
    if (r < 0)
        return r;
    char target[4096];
    ssize_t n = readlink(real, target, sizeof(target) - 1);
    free(real);
    if (n < 0)
        return -errno;
    target[n] = '\0';
    *ret = wld_xstrdup(target);
    return 0;
}

/* Entries read from one directory at most: past it a listing is reported as cut. */
