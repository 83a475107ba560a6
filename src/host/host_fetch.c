/* HTTP exchanges as the host sees them: live, or replayed from a recording (see
 * wld/fetch.h). */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/fetch.h"
#include "wld/host.h"
#include "wld/proc.h"
#include "wld/secrets.h"

/* The recorded exchange for url: 1 when found (ret and *result filled), else 0. */
static int
replay(const struct wld_host *h, const char *url, size_t cap, struct wld_fetch *ret, int *result)
{
    /* keyed by the URL as the recording holds it: without a password (wld/secrets.h) */
    char *shown = wld_xstrdup(url);
    wld_secrets_scrub_str(shown);
    const char *argv[] = { "GET", shown, NULL };
    char key[17];
    wld_proc_key(argv, key);
    free(shown);
    char *path = wld_xasprintf("/.doctor/http/%s.json", key);
    struct wld_buf b;
    int r = wld_host_read(h, path, 16u << 20, &b);
    free(path);
    if (r < 0)
        return 0;
    cJSON *x = cJSON_ParseWithLength(b.data, b.len);
    wld_buf_release(&b);
    if (!x)
        return 0;
    ret->status = (long) wld_fact_num(x, "status", 0);
    ret->ms = wld_fact_num(x, "ms", 0);
    snprintf(ret->error, sizeof(ret->error), "%s",
             wld_fact_str(x, "error") ? wld_fact_str(x, "error") : "");
    snprintf(ret->content_type, sizeof(ret->content_type), "%s",
             wld_fact_str(x, "content_type") ? wld_fact_str(x, "content_type") : "");
    const char *body = wld_fact_str(x, "body");
    if (body)
        wld_buf_append(&ret->body, body, strlen(body) < cap ? strlen(body) : cap);
    *result = -(int) wld_fact_num(x, "errno", 0);
    cJSON_Delete(x);
    return 1;
}

int wld_host_fetch(const struct wld_host *h,
                   const char *url,
                   const char *protocols,
                   size_t cap,
                   double timeout_ms,
                   const char *bearer,
                   bool live_ok,
                   struct wld_fetch *ret)
{
    int r = 0;
    if (h->fixture) {
        memset(ret, 0, sizeof(*ret));
        wld_buf_init(&ret->body, cap);
        if (replay(h, url, cap, ret, &r)) {
            if (h->layer) /* a recording of a recording keeps the exchange too */
                h->layer->fetched(h->layer->ctx, url, ret, r);
            return r;
        }
        wld_buf_release(&ret->body);
        if (!live_ok) {
            memset(ret, 0, sizeof(*ret));
            wld_buf_init(&ret->body, cap);
            snprintf(ret->error, sizeof(ret->error), "not in the recording");
            return -ENOENT;
        }
    }
    r = wld_fetch_url(url, protocols, cap, timeout_ms, bearer, ret);
    if (h->layer)
        h->layer->fetched(h->layer->ctx, url, ret, r);
    return r;
}
