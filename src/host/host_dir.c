/* The host's directories, device nodes and commands (see wld/host.h): sorted listings
 * with entry types, what a device node is and whether it opens (a fixture's stand-in
 * file says), and executables found on the host's PATH. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/host.h"
#include "wld/util.h"

/* PATH when the host's environment has none (as a login shell would set it) */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#define MAX_DIR_ENTRIES (1u << 20)

static int cmp_dirent(const void *a, const void *b)
{
    return strcmp(((const struct wld_dirent *) a)->name, ((const struct wld_dirent *) b)->name);
}

void wld_dirents_free(struct wld_dirent *e, size_t n)
{
    for (size_t i = 0; e && i < n; i++)
        free(e[i].name);
    free(e);
}

/* Whether a walk for directories keeps entry e: a directory, a link or an entry of
 * unknown type (either may be one), or one of the names also asks for. */
static bool dir_or_named(const struct dirent *e, const char *const *also)
{
    if (e->d_type == DT_DIR || e->d_type == DT_LNK || e->d_type == DT_UNKNOWN)
        return true;
    for (; also && *also; also++)
        if (strcmp(e->d_name, *also) == 0)
            return true;
    return false;
}

/* The listing behind wld_host_list_entries and wld_host_list_dirs: every entry is read
 * (up to MAX_DIR_ENTRIES) and counted in *read before any is dropped, so which ones are
 * kept does not depend on the file system's order (a recording lists in another order than
 * its source); only what the walk keeps is copied and sorted. */
static int list(const struct wld_host *h,
                const char *path,
                size_t max,
                bool dirs_only,
                const char *const *also,
                struct wld_dirent **ret,
                size_t *ret_n,
                size_t *read,
                bool *cut)
{
    char *real = NULL;
    if (h->layer)
        h->layer->listed(h->layer->ctx, path);
    int r = wld_host_real_path(h, path, &real);
    if (r < 0)
        return r;
    DIR *d = opendir(real);
    free(real);
    if (!d)
        return -errno;
    size_t n = 0, seen = 0, alloc = 16;
    struct wld_dirent *v = wld_xcalloc(alloc, sizeof(*v));
    struct dirent *e;
    bool more = false;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (seen == MAX_DIR_ENTRIES) {
            more = true;
            break;
        }
        seen++;
        if (dirs_only && !dir_or_named(e, also))
            continue;
        if (n == alloc) {
            alloc *= 2;
            v = wld_xrealloc(v, alloc * sizeof(*v));
        }
        v[n].name = wld_xstrdup(e->d_name);
        v[n].type = e->d_type;
        n++;
    }
    closedir(d);
    qsort(v, n, sizeof(*v), cmp_dirent);
    if (seen > max)
        more = true;
    if (n > max) {
        for (size_t i = max; i < n; i++)
            free(v[i].name);
        n = max;
    }
    *ret = v;
    *ret_n = n;
    if (read)
        *read = seen > max ? max : seen;
    if (cut)
        *cut = more;
    return 0;
}

int wld_host_list_entries(const struct wld_host *h,
                          const char *path,
                          size_t max,
                          struct wld_dirent **ret,
                          size_t *ret_n,
                          bool *cut)
{
    return list(h, path, max, false, NULL, ret, ret_n, NULL, cut);
}

int wld_host_list_dirs(const struct wld_host *h,
                       const char *path,
                       size_t max,
                       const char *const *also,
                       struct wld_dirent **ret,
                       size_t *ret_n,
                       size_t *read,
                       bool *cut)
{
    return list(h, path, max, true, also, ret, ret_n, read, cut);
}

int wld_host_list(const struct wld_host *h, const char *path, size_t max, char ***ret)
{
    struct wld_dirent *e = NULL;
    size_t n = 0;
    int r = wld_host_list_entries(h, path, max, &e, &n, NULL);
    if (r < 0)
        return r;
    char **v = wld_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        v[i] = e[i].name; /* handed over */
    free(e);
    *ret = v;
    return 0;
}

static int errno_from_name(const char *s)
{
    static const struct {
        const char *name;
        int value;
    } names[] = {
        { "EACCES", EACCES }, { "EPERM", EPERM },   { "ENODEV", ENODEV },
        { "ENXIO", ENXIO },   { "ENOENT", ENOENT }, { "EBUSY", EBUSY },
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (strcmp(s, names[i].name) == 0)
            return names[i].value;
    return EIO;
}

static const char *const node_names[] = {
    [WLD_NODE_MISSING] = "missing", [WLD_NODE_CHAR] = "char",       [WLD_NODE_BLOCK] = "block",
    [WLD_NODE_DIR] = "dir",         [WLD_NODE_REGULAR] = "regular", [WLD_NODE_FIFO] = "fifo",
    [WLD_NODE_SOCKET] = "socket",   [WLD_NODE_OTHER] = "other",
};

const char *wld_node_kind_name(enum wld_node_kind k)
{
    return (size_t) k < WLD_ARRAY_SIZE(node_names) ? node_names[k] : "other";
}

enum wld_node_kind wld_node_kind_of(unsigned mode)
{
    return S_ISCHR(mode)    ? WLD_NODE_CHAR
           : S_ISBLK(mode)  ? WLD_NODE_BLOCK
           : S_ISDIR(mode)  ? WLD_NODE_DIR
           : S_ISREG(mode)  ? WLD_NODE_REGULAR
           : S_ISFIFO(mode) ? WLD_NODE_FIFO
           : S_ISSOCK(mode) ? WLD_NODE_SOCKET
                            : WLD_NODE_OTHER;
}

static void parse_standin(const char *text, struct wld_device *dev)
{
    char line[128];
    for (const char *p = text; *p;) {
        wld_str_line(p, line, sizeof(line));
        wld_str_trim(line);
        if (wld_str_starts(line, "kind=")) {
            dev->kind = WLD_NODE_OTHER;
            for (size_t k = WLD_NODE_CHAR; k < WLD_ARRAY_SIZE(node_names); k++)
                if (strcmp(line + 5, node_names[k]) == 0)
                    dev->kind = (enum wld_node_kind) k;
        } else if (wld_str_starts(line, "open=")) {
            dev->open_errno = strcmp(line + 5, "ok") == 0 ? 0 : errno_from_name(line + 5);
        } else if (wld_str_starts(line, "mode=")) {
            dev->mode = (unsigned) strtoul(line + 5, NULL, 8) & 07777u;
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
}

static int probe_device(const struct wld_host *h, const char *path, struct wld_device *ret)
{
    struct wld_device dev = { .kind = WLD_NODE_MISSING, .mode = 0, .open_errno = ENOENT };
    struct stat st;
    int r = wld_host_stat(h, path, true, &st);
    if (r == -ENOENT || r == -ENOTDIR) {
        *ret = dev;
        return 0;
    }
    if (r < 0)
        return r;
    dev.mode = (unsigned) st.st_mode & 07777u;
    if (h->fixture && S_ISREG(st.st_mode)) {
        struct wld_buf b;
        dev.kind = WLD_NODE_CHAR;
        dev.open_errno = 0;
        dev.mode = 0666;
        if (wld_host_read(h, path, 4096, &b) == 0) {
            parse_standin(b.data, &dev);
            wld_buf_release(&b);
        }
        *ret = dev;
        return 0;
    }
    dev.kind = wld_node_kind_of(st.st_mode);
    dev.open_errno = 0;
    if (dev.kind == WLD_NODE_CHAR) {
        char *real = NULL;
        if (wld_host_real_path(h, path, &real) == 0) {
            int fd = open(real, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
            if (fd < 0)
                dev.open_errno = errno;
            else
                close(fd);
            free(real);
        }
    }
    *ret = dev;
    return 0;
}

int wld_host_probe_device(const struct wld_host *h, const char *path, struct wld_device *ret)
{
    int r = probe_device(h, path, ret);
    if (r == 0 && h->layer)
        h->layer->probed(h->layer->ctx, path, ret);
    return r;
}

bool wld_host_is_executable(const struct wld_host *h, const char *path)
{
    char *real = NULL;
    struct stat st;
    bool ok = false;
    if (h->layer)
        h->layer->looked_at(h->layer->ctx, path);
    if (wld_host_real_path(h, path, &real) < 0)
        return false;
    if (stat(real, &st) == 0 && S_ISREG(st.st_mode) && access(real, X_OK) == 0)
        ok = true;
    free(real);
    return ok;
}

/* Whether the host path names a regular file that the host can run (executable), or any
 * regular file (!executable). */
static bool candidate(const struct wld_host *h, const char *path, bool executable)
{
    struct stat st;
    if (executable)
        return wld_host_is_executable(h, path);
    return wld_host_stat(h, path, true, &st) == 0 && S_ISREG(st.st_mode);
}

static int which(const struct wld_host *h, const char *name, bool executable, char **ret)
{
    if (strchr(name, '/')) {
        if (!candidate(h, name, executable))
            return -ENOENT;
        *ret = wld_xstrdup(name);
        return 0;
    }
    const char *path = wld_host_getenv(h, "PATH");
    if (!path)
        path = DEFAULT_PATH;
    char *copy = wld_xstrdup(path);
    char *save = NULL;
    int r = -ENOENT;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        if (dir[0] != '/')
            continue; /* relative PATH entries depend on a cwd we do not have */
        char *cand = wld_xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, name);
        if (candidate(h, cand, executable)) {
            *ret = cand;
            r = 0;
            break;
        }
        free(cand);
    }
    free(copy);
    return r;
}

int wld_host_find_command(const struct wld_host *h, const char *name, char **ret)
{
    return which(h, name, true, ret);
}

int wld_host_find_file(const struct wld_host *h, const char *name, char **ret)
{
    return which(h, name, false, ret);
}

void wld_host_capture_each(
        const struct wld_host *h, const char *dir, const char *const *files, size_t n, size_t cap)
{
    char **names = NULL;
    if (!h->layer || wld_host_list(h, dir, 1024, &names) < 0)
        return;
    for (char **e = names; *e; e++)
        for (size_t i = 0; i < n; i++) {
            char *p = wld_xasprintf("%s/%s/%s", dir, *e, files[i]);
            wld_host_capture(h, p, cap);
            free(p);
        }
    wld_strv_free(names);
}
