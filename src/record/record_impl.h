/* Private to the recorder: what src/record/record.c collects and src/record/record_write.c writes.
 */
#ifndef WLD_RECORD_IMPL_H
#define WLD_RECORD_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "wld/host.h"

/* Bytes of file data a recording keeps at most; past it, reads are not kept. */
#define MAX_DATA   (512u * 1024u * 1024u)
#define MAX_LISTED 65536

enum ent_kind { ENT_DEVICE, ENT_LIST, ENT_PATH, ENT_DATA };

struct ent {
    enum ent_kind kind;
    char *path;
    uint64_t off;
    char *data;
    size_t n;
    bool eof;
    struct wld_device dev;
};

struct cmd {
    char **argv;
    char *out, *err;
    size_t out_n, err_n;
    int exit_code, signal, spawn_errno;
    bool timed_out;
    double ms;
};

/* an HTTP exchange (wld_host_fetch) */
struct xfer {
    char *url;
    long status;
    char content_type[128];
    char *body;
    size_t body_n;
    char error[256];
    int result; /* 0, or -errno */
    double ms;
};

struct wld_recorder {
    pthread_mutex_t mu;
    struct ent *e;
    size_t n, alloc;
    struct cmd *c;
    size_t nc, calloc;
    struct xfer *x;
    size_t nx, xalloc;
    char **env;
    size_t nenv;
    uint64_t bytes;
    bool dropped; /* data past MAX_DATA was not kept */
    struct wld_host_layer layer;
};

#endif
