/* Bounded URL fetches with libcurl (see wld/fetch.h). libcurl is loaded on the first fetch
 * (dlopen of its soname), not linked: it pulls in some thirty libraries (TLS, Kerberos,
 * LDAP, SSH) whose loading every start would pay, and only a few commands ask anything
 * over HTTP. curl's headers give the types; the functions come from this table. */
#include "wld/fetch.h"

#define CURL_DISABLE_TYPECHECK /* the functions are called through pointers */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/dynlib.h"

#define CURL_SONAME "libcurl.so.4"

/* The few functions used, by the names libcurl exports. */
struct curl_api {
    CURLcode (*global_init)(long flags);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
    CURLcode (*easy_perform)(CURL *c);
    CURLcode (*easy_getinfo)(CURL *c, CURLINFO info, ...);
    void (*easy_cleanup)(CURL *c);
    const char *(*easy_strerror)(CURLcode code);
    struct curl_slist *(*slist_append)(struct curl_slist *list, const char *s);
    void (*slist_free_all)(struct curl_slist *list);
};

#define SYM(f) WLD_DYNSYM(struct curl_api, "curl_", f)
static const struct wld_dynsym curl_syms[] = {
    SYM(global_init),   SYM(easy_init),    SYM(easy_setopt),
    SYM(easy_perform),  SYM(easy_getinfo), SYM(easy_cleanup),
    SYM(easy_strerror), SYM(slist_append), SYM(slist_free_all),
};
#undef SYM

static struct curl_api api;

/* curl_global_init once, when loaded, so no caller has to, and before any transfer */
static void global_init(void *table)
{
    ((struct curl_api *) table)->global_init(CURL_GLOBAL_DEFAULT);
}

static struct wld_dynlib curl_lib = { .soname = CURL_SONAME,
                                      .syms = curl_syms,
                                      .n_syms = WLD_ARRAY_SIZE(curl_syms),
                                      .table = &api,
                                      .after = global_init,
                                      .mu = PTHREAD_MUTEX_INITIALIZER };

/* The table, or NULL when libcurl cannot be used (wld_fetch_unavailable says why). */
static const struct curl_api *loaded_curl(void)
{
    return wld_dynlib_load(&curl_lib) ? NULL : &api;
}

const char *wld_fetch_unavailable(void)
{
    static char note[512];
    const char *load_error = wld_dynlib_error(&curl_lib);
    if (!load_error)
        return NULL;
    snprintf(note, sizeof(note),
             "libcurl could not be loaded (%s): server.health's query of a server, the "
             "container engines' API and `rules update` need it (Debian, Ubuntu: the libcurl4 "
             "package)",
             load_error);
    return note;
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
    const struct curl_api *cu = loaded_curl();
    if (!cu) {
        snprintf(ret->error, sizeof(ret->error), "libcurl (%s) could not be loaded", CURL_SONAME);
        return -ENOSYS;
    }
    CURL *c = cu->easy_init();
    if (!c) {
        snprintf(ret->error, sizeof(ret->error), "libcurl could not start");
        return -ENOMEM;
    }
    struct sink s = { .f = ret, .cap = cap };
    char errbuf[CURL_ERROR_SIZE] = "", sock[256], http[2048];
    long ms = timeout_ms > 1 ? (long) timeout_ms : 1;
    bool over_unix = unix_url(url, sock, sizeof(sock), http, sizeof(http));
    if (over_unix) { /* an engine's API on its socket: plain HTTP, no redirect */
        cu->easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, sock);
        cu->easy_setopt(c, CURLOPT_URL, http);
    } else {
        cu->easy_setopt(c, CURLOPT_URL, url);
    }
#if LIBCURL_VERSION_NUM >= 0x075500
    cu->easy_setopt(c, CURLOPT_PROTOCOLS_STR, over_unix ? "http" : protocols);
    cu->easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#endif
    cu->easy_setopt(c, CURLOPT_FOLLOWLOCATION, over_unix ? 0L : 1L);
    cu->easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    cu->easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    cu->easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
    cu->easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
    cu->easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    cu->easy_setopt(c, CURLOPT_WRITEDATA, &s);
    cu->easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    cu->easy_setopt(c, CURLOPT_USERAGENT, "wsl-llm-doctor");
    struct curl_slist *headers = NULL;
    if (bearer) {
        char *auth = wld_xasprintf("Authorization: Bearer %s", bearer);
        headers = cu->slist_append(NULL, auth);
        free(auth);
        cu->easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    }
    double start = wld_now_ms();
    CURLcode rc = cu->easy_perform(c);
    ret->ms = wld_now_ms() - start;
    cu->easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
    char *type = NULL;
    if (cu->easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type)
        snprintf(ret->content_type, sizeof(ret->content_type), "%s", type);
    long os_errno = 0;
    cu->easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
    cu->easy_cleanup(c);
    cu->slist_free_all(headers);
    if (rc == CURLE_OK)
        return 0;
    if (s.over) {
        snprintf(ret->error, sizeof(ret->error), "the answer is larger than %zu bytes", cap);
        return -EFBIG;
    }
    snprintf(ret->error, sizeof(ret->error), "%s", errbuf[0] ? errbuf : cu->easy_strerror(rc));
    if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(ret->error, sizeof(ret->error), "no complete answer within %.1f s (%.180s)",
                 timeout_ms / 1000.0, errbuf[0] ? errbuf : cu->easy_strerror(rc));
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
