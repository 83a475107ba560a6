/* Bounded URL fetches with libcurl (see wld/fetch.h). */
#include "wld/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wld_fetch_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct sink {
    struct wld_fetch *f;
    size_t cap;
    bool over;
};

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
    struct sink *s = ctx;
    size_t len = size * n;
    if (s->f->body.len + len > s->cap) {
        s->over = true;
        return 0; /* ends the transfer: CURLE_WRITE_ERROR */
    }
    wld_buf_append(&s->f->body, data, len);
    return len;
}

/* Whether url's scheme is in the comma-separated list. */
static bool scheme_allowed(const char *url, const char *protocols)
{
    const char *colon = strstr(url, "://");
    if (!colon)
        return false;
    size_t n = (size_t) (colon - url);
    for (const char *p = protocols; *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && strncasecmp(p, url, n) == 0)
            return true;
        p += l + (p[l] == ',');
    }
    return false;
}

/* "http+unix://%2Fvar%2Frun%2Fdocker.sock/v1.43/info": the socket (percent-encoded in
 * place of the host) into sock, and the URL to ask over it into http. */
static bool unix_url(const char *url, char *sock, size_t n, char *http, size_t hn)
{
    static const char scheme[] = "http+unix://";
    if (strncasecmp(url, scheme, sizeof(scheme) - 1) != 0)
        return false;
    const char *p = url + sizeof(scheme) - 1, *path = strchr(p, '/');
    size_t k = 0;
    for (; *p && p != path && k + 1 < n; p++) {
        unsigned v;
        if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
            sock[k++] = (char) v;
            p += 2;
        } else {
            sock[k++] = *p;
        }
    }
    sock[k] = '\0';
    snprintf(http, hn, "http://localhost%s", path ? path : "/");
    return sock[0] == '/';
}

int wld_fetch_url(const char *url,
                  const char *protocols,
                  size_t cap,
                  double timeout_ms,
                  const char *bearer,
                  struct wld_fetch *ret)
{
    memset(ret, 0, sizeof(*ret));
    wld_buf_init(&ret->body, cap);
    if (!scheme_allowed(url, protocols)) {
        snprintf(ret->error, sizeof(ret->error), "only %s URLs are fetched", protocols);
        return -EPROTONOSUPPORT;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(ret->error, sizeof(ret->error), "libcurl could not start");
        return -ENOMEM;
    }
    struct sink s = { .f = ret, .cap = cap };
    char errbuf[CURL_ERROR_SIZE] = "", sock[256], http[2048];
    long ms = timeout_ms > 1 ? (long) timeout_ms : 1;
    bool over_unix = unix_url(url, sock, sizeof(sock), http, sizeof(http));
    if (over_unix) { /* an engine's API on its socket: plain HTTP, no redirect */
        curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        curl_easy_setopt(c, CURLOPT_URL, http);
    } else {
        curl_easy_setopt(c, CURLOPT_URL, url);
    }
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, over_unix ? "http" : protocols);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#endif
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, over_unix ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "wsl-llm-doctor");
    struct curl_slist *headers = NULL;
    if (bearer) {
        char *auth = wld_xasprintf("Authorization: Bearer %s", bearer);
        headers = curl_slist_append(NULL, auth);
        free(auth);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    }
    double start = wld_now_ms();
    CURLcode rc = curl_easy_perform(c);
    ret->ms = wld_now_ms() - start;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
    char *type = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
        snprintf(ret->content_type, sizeof(ret->content_type), "%s", type);
    long os_errno = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    if (rc == CURLE_OK)
        return 0;
    if (s.over) {
        snprintf(ret->error, sizeof(ret->error), "the answer is larger than %zu bytes", cap);
        return -EFBIG;
    }
    snprintf(ret->error, sizeof(ret->error), "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(ret->error, sizeof(ret->error), "no complete answer within %.1f s (%.180s)",
                 timeout_ms / 1000.0, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        return -ETIMEDOUT;
    }
    if (rc == CURLE_COULDNT_CONNECT && os_errno == EACCES) /* a socket this user may not use */
        return -EACCES;
    if (rc == CURLE_COULDNT_CONNECT)
        return -ECONNREFUSED;
    if (rc == CURLE_COULDNT_RESOLVE_HOST)
        return -EHOSTUNREACH;
    return -EIO;
}
