/* --output (see wld/output.h). The doctor often runs as root: replacing /dev/full or
 * /dev/stdout with a regular file would break the machine for every other process, so
 * the kind of file decides how it is written, and system trees are never written into. */
#include "wld/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "wld/util.h"

#define MAX_LINKS 40

/* *why is the system's word for the error r (-errno); returns r. */
static int say_errno(char **why, int r)
{
    return wld_errorf(why, r, "%s", strerror(-r));
}

/* Writes all of data to fd. A reader that went away is EPIPE here, never a SIGPIPE that
 * would end the doctor before it could say so. */
static int write_all(int fd, const void *data, size_t len)
{
    sigset_t pipe_set, old;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int r = 0;
    for (size_t done = 0; done < len && r == 0;) {
        ssize_t n = write(fd, (const char *) data + done, len - done);
        if (n < 0 && errno != EINTR)
            r = -errno;
        else if (n > 0)
            done += (size_t) n;
    }
    if (r == -EPIPE) { /* take the pending signal before unblocking it */
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r;
}

/* "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1": the descriptor itself, as shells do, so
 * a pipe or a socket on stdout works and nothing is reopened. -1 for other paths. */
static int named_fd(const char *path)
{
    static const char *const prefixes[] = { "/dev/fd/", "/proc/self/fd/" };
    if (strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(prefixes); i++) {
        size_t pl = strlen(prefixes[i]);
        if (strncmp(path, prefixes[i], pl) != 0 || !path[pl])
            continue;
        char *end = NULL;
        long fd = strtol(path + pl, &end, 10);
        if (*end == '\0' && fd >= 0 && fd <= INT_MAX && fcntl((int) fd, F_GETFD) >= 0)
            return (int) fd;
    }
    return -1;
}

/* Follows symlinks to the path that is finally written (it need not exist). */
static int follow_links(const char *path, char **ret)
{
    char *p = wld_xstrdup(path);
    for (int hops = 0;; hops++) {
        struct stat st;
        if (lstat(p, &st) < 0 || !S_ISLNK(st.st_mode)) {
            *ret = p;
            return 0;
        }
        char target[PATH_MAX];
        ssize_t n = readlink(p, target, sizeof(target) - 1);
        if (n < 0 || hops >= MAX_LINKS) {
            int r = n < 0 ? -errno : -ELOOP;
            free(p);
            return r;
        }
        target[n] = '\0';
        char *next;
        if (target[0] == '/') {
            next = wld_xstrdup(target);
        } else {
            char *dir = wld_path_dirname(p);
            next = wld_xasprintf("%s/%s", dir, target);
            free(dir);
        }
        free(p);
        p = next;
    }
}

/* The kernel's trees: whatever a path there is, a report file is not it. */
static const char *system_tree(const char *canonical)
{
    static const char *const trees[] = { "/dev", "/proc", "/sys" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(trees); i++) {
        size_t n = strlen(trees[i]);
        if (strncmp(canonical, trees[i], n) == 0 && (canonical[n] == '/' || !canonical[n]))
            return trees[i];
    }
    return NULL;
}

/* The canonical form of a path whose last component may not exist. */
static char *canonical(const char *path)
{
    char *full = realpath(path, NULL);
    if (full)
        return full;
    char *dir = wld_path_dirname(path);
    char *cdir = realpath(dir, NULL);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *out = cdir ? wld_xasprintf("%s/%s", strcmp(cdir, "/") == 0 ? "" : cdir, base)
                     : wld_xstrdup(path);
    free(dir);
    free(cdir);
    return out;
}

/* A FIFO: opened without blocking, so a FIFO nobody reads cannot hang the doctor; a reader
 * that arrives within the deadline is waited for. */
static int open_fifo(const char *path, double timeout_ms)
{
    double deadline = wld_now_ms() + timeout_ms;
    for (;;) {
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0) {
            int fl = fcntl(fd, F_GETFL);
            if (fl >= 0)
                fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
            return fd;
        }
        if (errno != ENXIO || wld_now_ms() >= deadline)
            return -errno;
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

static int open_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof(addr.sun_path))
        return -ENAMETOOLONG;
    memcpy(addr.sun_path, path, strlen(path) + 1);
    static const int types[] = { SOCK_STREAM, SOCK_DGRAM };
    int r = -ENOTSOCK;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(types); i++) {
        int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return -errno;
        if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) == 0)
            return fd;
        r = -errno;
        close(fd);
        if (r != -EPROTOTYPE)
            break;
    }
    return r;
}

/* Writes into what is there: a device, a FIFO, a socket. */
static int write_into(const char *path,
                      const struct stat *st,
                      const void *data,
                      size_t len,
                      double timeout_ms,
                      char **why)
{
    int fd;
    if (S_ISFIFO(st->st_mode)) {
        fd = open_fifo(path, timeout_ms);
    } else if (S_ISSOCK(st->st_mode)) {
        fd = open_socket(path);
    } else {
        fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        fd = fd < 0 ? -errno : fd;
    }
    if (fd == -ENXIO && S_ISFIFO(st->st_mode))
        return wld_errorf(why, -ENXIO, "no process opened the FIFO for reading within %.1f s",
                          timeout_ms / 1000);
    if (fd < 0)
        return say_errno(why, fd);
    int r = write_all(fd, data, len);
    if (close(fd) < 0 && r == 0 && errno != EINTR)
        r = -errno;
    return r < 0 ? say_errno(why, r) : 0;
}

/* A regular file, or a new one: written beside it and renamed over it, keeping the old
 * file's mode and (where allowed) owner. Where the directory is not writable but the file
 * is, it is rewritten in place, as a shell's `>` would. */
static int
replace_file(const char *path, const struct stat *old, const void *data, size_t len, char **why)
{
    char *dir = wld_path_dirname(path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *tmp = wld_xasprintf("%s/.%s.XXXXXX", dir, base);
    free(dir);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        if (old && (e == EACCES || e == EPERM || e == EROFS)) {
            int in = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
            if (in < 0)
                return say_errno(why, -errno);
            int r = write_all(in, data, len);
            if (r == 0 && fsync(in) < 0 && errno != EINVAL)
                r = -errno;
            if (close(in) < 0 && r == 0)
                r = -errno;
            return r < 0 ? say_errno(why, r) : 0;
        }
        return say_errno(why, -e);
    }
    mode_t mask = umask(0);
    umask(mask);
    mode_t mode = old ? (old->st_mode & 07777) : (0666 & ~mask);
    int r = write_all(fd, data, len);
    if (r == 0 && old && fchown(fd, old->st_uid, old->st_gid) < 0 && errno != EPERM)
        r = -errno;
    /* mkostemp made it 0600; a report is for others to read, as the old file was */
    if (r == 0 && (fchmod(fd, mode) < 0 || fsync(fd) < 0))
        r = -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r == 0 && rename(tmp, path) < 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    free(tmp);
    return r < 0 ? say_errno(why, r) : 0;
}

int wld_output_fd(int fd, const void *data, size_t len, char **why)
{
    *why = NULL;
    int r = write_all(fd, data, len);
    return r < 0 ? say_errno(why, r) : 0;
}

int wld_output_write(const char *path, const void *data, size_t len, double timeout_ms, char **why)
{
    *why = NULL;
    int fd = named_fd(path);
    if (fd >= 0)
        return wld_output_fd(fd, data, len, why);
    char *target = NULL;
    int r = follow_links(path, &target);
    if (r < 0)
        return say_errno(why, r);
    char *canon = canonical(target);
    struct stat st;
    bool exists = stat(target, &st) == 0;
    const char *tree = system_tree(canon);
    if (!exists && errno != ENOENT) {
        r = say_errno(why, -errno);
    } else if (exists && S_ISDIR(st.st_mode)) {
        r = wld_errorf(why, -EISDIR, "is a directory; name a file in it");
    } else if (exists && S_ISBLK(st.st_mode)) {
        r = wld_errorf(why, -EPERM,
                       "is a block device (a disk); a report is never written onto one");
    } else if (exists && !S_ISREG(st.st_mode)) {
        r = write_into(target, &st, data, len, timeout_ms, why);
    } else if (tree) {
        r = wld_errorf(
                why, -EPERM,
                "%s is the kernel's; the doctor creates or replaces no file under /dev, /proc "
                "or /sys (write the report elsewhere)",
                tree);
    } else {
        r = replace_file(target, exists ? &st : NULL, data, len, why);
    }
    free(canon);
    free(target);
    return r;
}
