/* The machine being examined: the live host ("/") or a fixture tree (--root DIR).
 * Every read of the host goes through these functions, with a size cap; checks never
 * open files, read the environment or spawn commands themselves. Paths given to these
 * functions are host paths ("/proc/version"); under a fixture they resolve inside DIR,
 * and absolute symlinks inside DIR resolve inside DIR: nothing escapes it. */
#ifndef WLD_HOST_H
#define WLD_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "wld/util.h"

struct wld_host_layer;

struct wld_host {
    char *root;   /* "" for the live host, else the fixture directory (no trailing '/') */
    bool fixture; /* true under --root */
    char **env;   /* "KEY=VALUE" strings, NULL-terminated; owned */
    /* When set, a layer over the host told of every operation (the recorder of
     * `record`, wld/record.h); borrowed. */
    const struct wld_host_layer *layer;
};

struct wld_device;
struct wld_proc_result;
struct wld_fetch;

/* A layer over a host (live or fixture): after each operation of the checks, the host
 * calls the layer's hook with what the operation saw, so a layer can keep it (the
 * recorder) without the host knowing what it does. Hooks are called from several threads
 * and must all be set. Paths are host paths. */
struct wld_host_layer {
    void *ctx;
    /* a path looked at (stat, readlink, exists, opened for a library that reads it) */
    void (*looked_at)(void *ctx, const char *path);
    /* bytes read at offset; eof: the read met the file's end */
    void (*read)(
            void *ctx, const char *path, uint64_t offset, const void *data, size_t n, bool eof);
    void (*listed)(void *ctx, const char *path);
    void (*probed)(void *ctx, const char *path, const struct wld_device *dev);
    void (*asked_env)(void *ctx, const char *key);
    /* a command in host paths, its output with a fixture's root taken out (wld/proc.h) */
    void (*ran)(void *ctx, const char *const *argv, const struct wld_proc_result *r);
    /* an HTTP exchange (wld_host_fetch): what came back, and how the transfer ended */
    void (*fetched)(void *ctx, const char *url, const struct wld_fetch *f, int result);
};

/* Size caps for host reads, in bytes. */
#define WLD_CAP_SMALL (64u * 1024u)
#define WLD_CAP_FILE  (1024u * 1024u)

/* Creates the live host (root "/", the process environment). */
int wld_host_new_live(struct wld_host **ret);
/* Creates a fixture host rooted at dir; its environment comes from dir/.doctor/env.
 * Returns -ENOENT/-ENOTDIR when dir is not a directory, -EFBIG when .doctor/env is larger
 * than 16 MiB or holds more than 65536 variables (never read in part). */
int wld_host_new_fixture(const char *dir, struct wld_host **ret);
void wld_host_free(struct wld_host *h);

/* Environment lookup; returns a borrowed pointer or NULL. */
const char *wld_host_getenv(const struct wld_host *h, const char *key);
/* $HOME of the host (environment), or NULL. Borrowed. */
const char *wld_host_home(const struct wld_host *h);

/* Resolves every symlink in path (relative links, absolute links re-rooted, "..")
 * and returns the canonical host path; caller frees. The last component need not
 * exist (then it is appended as is). Returns -ELOOP after 40 links. */
int wld_host_resolve(const struct wld_host *h, const char *path, char **ret);
/* Told of each component wld_host_walk() finds on its way: the host path so far, its
 * lstat(), and for a symlink the target as stored (then followed); last is set for the
 * path's final component. */
typedef void (*wld_host_visit)(void *ctx,
                               const char *host_path,
                               const struct stat *st,
                               const char *link_target,
                               bool last);
/* wld_host_resolve(), telling visit (may be NULL) of every existing component. */
int wld_host_walk(
        const struct wld_host *h, const char *path, wld_host_visit visit, void *ctx, char **ret);
/* The path on this machine's filesystem for a host path (root + resolved path);
 * caller frees. Used to exec fixture commands and to hand paths to libraries. */
int wld_host_real_path(const struct wld_host *h, const char *path, char **ret);

/* The inverse of wld_host_real_path for text a helper printed: on a fixture host every
 * "DIR/x" in s becomes "/x" (in place; s only shrinks), so reports name host paths, never
 * where the fixture lies on this machine. Does nothing on the live host. */
void wld_host_unroot(const struct wld_host *h, char *s);

/* Opens a host path for reading (O_RDONLY | O_CLOEXEC), only a regular file: a FIFO or
 * a device would block. Returns the fd (caller closes) or -errno (-EISDIR, -EINVAL). */
int wld_host_open(const struct wld_host *h, const char *path);
/* Reads at most cap bytes of a file into out (initialised here; caller releases).
 * out->truncated tells whether the file was longer. Returns 0 or -errno. */
int wld_host_read(const struct wld_host *h, const char *path, size_t cap, struct wld_buf *out);
/* Reads a record device (/dev/kmsg) as it stands now, one record per line, without
 * waiting for new ones; a regular file (a fixture's stand-in, a saved log) is read as
 * wld_host_read does. At most cap bytes, out->truncated when there was more. Returns 0 or
 * -errno (-EPERM: the kernel log is restricted to root, kernel.dmesg_restrict). */
int wld_host_read_log(const struct wld_host *h, const char *path, size_t cap, struct wld_buf *out);
/* Reads at most len bytes from offset on (a section of a large binary, a GGUF header);
 * out is initialised here, the caller releases it. Returns 0 or -errno. */
int wld_host_read_range(const struct wld_host *h,
                        const char *path,
                        uint64_t offset,
                        size_t len,
                        struct wld_buf *out);
/* stat() (follow=true) or lstat() of a host path. */
int wld_host_stat(const struct wld_host *h, const char *path, bool follow, struct stat *ret);
bool wld_host_exists(const struct wld_host *h, const char *path);
bool wld_host_is_dir(const struct wld_host *h, const char *path);
/* Target of a symlink as stored (not re-rooted); caller frees. */
int wld_host_readlink(const struct wld_host *h, const char *path, char **ret);
/* Sorted entry names of a directory (no "." or ".."): the first max by name, whatever
 * order the file system keeps them in. *ret is a NULL-terminated array; free with
 * wld_strv_free. */
int wld_host_list(const struct wld_host *h, const char *path, size_t max, char ***ret);

/* A directory entry with its type as the file system reports it (DT_DIR, DT_REG,
 * DT_LNK..., or DT_UNKNOWN when it does not: then stat it), so a walk need not stat every
 * file to find directories. */
struct wld_dirent {
    char *name;
    unsigned char type;
};
/* As wld_host_list, with types: *ret (n entries, free with wld_dirents_free) holds the
 * first max by name; *cut (when not NULL) tells whether there were more. */
int wld_host_list_entries(const struct wld_host *h,
                          const char *path,
                          size_t max,
                          struct wld_dirent **ret,
                          size_t *n,
                          bool *cut);
/* As wld_host_list_entries for a walk that looks for directories: only the entries that
 * may be one (DT_DIR, DT_LNK, DT_UNKNOWN) and those named in also (NULL-terminated, may
 * be NULL) are kept, the rest read and counted in *read (at most max) without being
 * copied; *cut tells whether the directory had more than max entries. */
int wld_host_list_dirs(const struct wld_host *h,
                       const char *path,
                       size_t max,
                       const char *const *also,
                       struct wld_dirent **ret,
                       size_t *ret_n,
                       size_t *read,
                       bool *cut);
void wld_dirents_free(struct wld_dirent *e, size_t n);

/* What a device node looks like. On a fixture host a regular file stands in for the
 * node (git cannot hold one); its optional content "kind=char|block|dir|regular" and
 * "open=ok|EACCES|EPERM|ENODEV|ENXIO|ENOENT" describes the node (docs/fixtures.md). */
enum wld_node_kind {
    WLD_NODE_MISSING,
    WLD_NODE_CHAR,
    WLD_NODE_BLOCK,
    WLD_NODE_DIR,
    WLD_NODE_REGULAR,
    WLD_NODE_FIFO,
    WLD_NODE_SOCKET,
    WLD_NODE_OTHER,
};
/* "char", "block", "dir", "regular", "fifo", "socket", "other" ("missing"): the stand-in
 * file's kind= word and the facts' name for a node. */
const char *wld_node_kind_name(enum wld_node_kind k);
/* The kind of a node of this st_mode. */
enum wld_node_kind wld_node_kind_of(unsigned mode);
struct wld_device {
    enum wld_node_kind kind;
    unsigned mode;  /* permission bits */
    int open_errno; /* 0 when open(O_RDWR) succeeded, else the errno */
};
int wld_host_probe_device(const struct wld_host *h, const char *path, struct wld_device *ret);

/* For what the doctor hands to a library that reads the host itself (libpci reads
 * sysfs): with a layer, reads up to cap bytes of the file so that the layer sees them;
 * otherwise does nothing. */
void wld_host_capture(const struct wld_host *h, const char *path, size_t cap);
/* The same for files[0..n) in every entry of dir (at most 1024 entries). */
void wld_host_capture_each(
        const struct wld_host *h, const char *dir, const char *const *files, size_t n, size_t cap);

/* Finds an executable: a name with '/' is checked as is, otherwise looked up in the
 * host's PATH. Returns the host path (caller frees) or -ENOENT. */
int wld_host_find_command(const struct wld_host *h, const char *name, char **ret);
/* The first regular file of that name in PATH, executable or not: for saying "ldd is there
 * but cannot be run" rather than "not installed". Host path (caller frees) or -ENOENT. */
int wld_host_find_file(const struct wld_host *h, const char *name, char **ret);
/* true when the host path names an executable regular file. */
bool wld_host_is_executable(const struct wld_host *h, const char *path);

#endif
