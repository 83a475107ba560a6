/* Fetching a URL with libcurl, bounded: only the protocols the caller allows (redirects
 * included), a connect and a total deadline, a cap on the body. A server that stalls,
 * streams forever or answers too much ends the transfer with a reason, never a hang.
 * libcurl is loaded on the first fetch (dlopen "libcurl.so.4"), not at start: a machine
 * without it runs everything that asks nothing over HTTP. */
#ifndef WLD_FETCH_H
#define WLD_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/util.h"

struct wld_fetch {
    long status;            /* HTTP status (0 for file://, or when no answer came) */
    char content_type[128]; /* the Content-Type header, or "" */
    struct wld_buf body;
    char error[256]; /* why the transfer failed, when it did */
    double ms;       /* how long it took */
};

/* NULL unless a fetch of this process found libcurl missing; then one sentence saying why
 * and what needs it, for main to say once at the end of the run. Loads nothing. */
const char *wld_fetch_unavailable(void);

/* GETs url when its scheme is one of protocols ("https,file"; "http+unix" for an API on a
 * Unix socket, "http+unix://%2Fvar%2Frun%2Fdocker.sock/info", the socket's path
 * percent-encoded in place of the host, never redirected), at most cap bytes, within
 * timeout_ms, with "Authorization: Bearer KEY" when bearer is not NULL. Returns 0 when the
 * transfer completed (whatever the status), else -errno (-EPROTONOSUPPORT, -ETIMEDOUT,
 * -ECONNREFUSED when nothing listens, -EACCES for a socket this user may not connect to,
 * -EHOSTUNREACH for a name or route that leads nowhere, -EFBIG for a body over cap,
 * -ENOSYS when libcurl cannot be loaded, -EIO otherwise) with ret->error saying why.
 * ret->body is initialised either way; release it. */
int wld_fetch_url(const char *url,
                  const char *protocols,
                  size_t cap,
                  double timeout_ms,
                  const char *bearer,
                  struct wld_fetch *ret);

struct wld_host;
/* wld_fetch_url as the host sees it. A fixture host answers from its recording
 * (DIR/.doctor/http/KEY.json, KEY as wld_proc_key of {"GET", url}) when it holds the
 * exchange; otherwise the network is asked only when live_ok (a URL the user named), else
 * -ENOENT ("not in the recording"). A layer (the recorder) is told of every exchange. */
int wld_host_fetch(const struct wld_host *h,
                   const char *url,
                   const char *protocols,
                   size_t cap,
                   double timeout_ms,
                   const char *bearer,
                   bool live_ok,
                   struct wld_fetch *ret);

#endif
