/* Secrets out of everything the doctor writes (see wld/secrets.h). */
#include "wld/secrets.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* Names after which a value is a secret: "--api-key sk-1", "--api-key=sk-1",
 * "LLAMA_API_KEY=sk-1", "api-key = sk-1" (a router preset), "Authorization: Bearer sk-1",
 * "X-Api-Key: sk-1", JSON `"--api-key","sk-1"`. Matched without regard to case; "--api-key-
 * file PATH" names a file, not a key, and is left alone (the name must end at a separator). */
static const char *const names[] = { "api-key",   "api_key",       "apikey",
                                     "x-api-key", "authorization", "bearer" };

#define UPPER                                                                               \
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, \
    ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, \
    ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, \
    ['Y'] = 1, ['Z'] = 1
static const unsigned char starts_secret[256] = {
    UPPER, [':'] = 1, ['a'] = 1, ['b'] = 1, ['x'] = 1
};
#undef UPPER
/* the same without the upper-case letters, for a line without '=' (no environment
 * assignment); A, B and X still start the names */
static const unsigned char starts_secret_no_env[256] = {
    ['A'] = 1, ['B'] = 1, ['X'] = 1, [':'] = 1, ['a'] = 1, ['b'] = 1, ['x'] = 1
};

static bool is_name_byte(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '_';
}

/* Bytes that may stand between a name and its value. */
static bool is_sep(unsigned char c)
{
    return c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\0' || c == '"' || c == '\'' ||
           c == ',';
}

/* Bytes that end a value. */
static bool ends_value(unsigned char c)
{
    return c == '\0' || c == '"' || c == '\'' || c == ',' || c == ' ' || c == '\t' || c == '\n' ||
           c == '\r' || c == ';' || c == '}' || c == ']' || c == '&';
}

static bool is_literal(const char *v, size_t n)
{
    static const char *const lit[] = { "true", "false", "null", "none" };
    for (size_t i = 0; i < sizeof(lit) / sizeof(lit[0]); i++)
        if (n == strlen(lit[i]) && strncasecmp(v, lit[i], n) == 0)
            return true;
    return false;
}

/* Masks the value that starts at buf[i] (past separators, at most 64 of them); returns the
 * index past it. A value of "Bearer X" is X; "k1,k2" is one value (llama-server takes a
 * comma-separated list). JSON literals are no key. */
static size_t mask_value(char *buf, size_t n, size_t i, size_t *hidden)
{
    size_t seps = 0;
    while (i < n && is_sep((unsigned char) buf[i]) && seps++ < 64)
        i++;
    if (i + 7 <= n && strncasecmp(buf + i, "bearer ", 7) == 0)
        i += 7;
    size_t start = i;
    /* "--api-key k1,k2": several keys; a comma followed by a quote or a space ends it */
    while (i < n && (!ends_value((unsigned char) buf[i]) ||
                     (buf[i] == ',' && i + 1 < n && !ends_value((unsigned char) buf[i + 1]))))
        i++;
    if (i > start && !is_literal(buf + start, i - start)) {
        bool masked = true;
        for (size_t k = start; k < i; k++)
            masked &= buf[k] == '*';
        if (!masked)
            ++*hidden;
        memset(buf + start, '*', i - start);
    }
    return i;
}

/* scheme://user:password@host: the password. */
static size_t mask_userinfo(char *buf, size_t n, size_t i, size_t *hidden)
{
    size_t colon = 0, k = i;
    for (; k < n && !ends_value((unsigned char) buf[k]) && buf[k] != '/' && buf[k] != '@'; k++)
        if (buf[k] == ':' && !colon)
            colon = k;
    if (k < n && buf[k] == '@' && colon && k > colon + 1) {
        bool masked = true;
        for (size_t j = colon + 1; j < k; j++)
            masked &= buf[j] == '*';
        if (!masked)
            ++*hidden;
        memset(buf + colon + 1, '*', k - colon - 1);
    }
    return k;
}

/* An environment assignment whose name says it holds a secret: HF_TOKEN=...,
 * OPENAI_API_KEY=..., AWS_SECRET_ACCESS_KEY=..., DB_PASSWORD=... (upper case, as the
 * environment spells them, so a log's "EOS token = 2" is no secret). The index past the
 * value, or i when there is none at i. */
static size_t env_secret(char *buf, size_t n, size_t i, size_t *hidden)
{
    static const char *const ends[] = { "_TOKEN", "_KEY", "_SECRET", "_PASSWORD", "_PASSWD" };
    static const char *const within[] = { "_SECRET_", "_TOKEN_", "_PASSWORD_" };
    size_t k = i;
    while (k < n &&
           ((buf[k] >= 'A' && buf[k] <= 'Z') || (buf[k] >= '0' && buf[k] <= '9') || buf[k] == '_'))
        k++;
    if (k == i || k >= n || buf[k] != '=' || k - i > 128)
        return i;
    bool secret = false;
    for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]) && !secret; e++) {
        size_t l = strlen(ends[e]);
        secret = k - i >= l && memcmp(buf + k - l, ends[e], l) == 0;
    }
    for (size_t e = 0; e < sizeof(within) / sizeof(within[0]) && !secret; e++)
        secret = memmem(buf + i, k - i, within[e], strlen(within[e])) != NULL;
    if (!secret)
        return i;
    size_t start = k + 1, end = start;
    while (end < n && buf[end] != '\0' && buf[end] != '\n' && buf[end] != '\r' && buf[end] != '"' &&
           buf[end] != '\'' && buf[end] != ' ')
        end++;
    bool masked = true;
    for (size_t j = start; j < end; j++)
        masked &= buf[j] == '*';
    if (end > start && !masked)
        ++*hidden;
    memset(buf + start, '*', end - start);
    return end;
}

/* Whether buf holds "_T", "_K", "_S" or "_P", as every name env_secret takes does. */
static bool env_name_may(const char *buf, size_t n)
{
    for (const char *p = memchr(buf, '_', n); p; p = memchr(p, '_', n - (size_t) (p - buf))) {
        p++;
        if (p < buf + n && (*p == 'T' || *p == 'K' || *p == 'S' || *p == 'P'))
            return true;
    }
    return false;
}

/* Whether the name that may start at buf[i] (an a, b or x) has the second byte one does:
 * "ap"i-key, "au"thorization, "be"arer, "x-"api-key. Most words of a log line fail here. */
static bool name_may_start(const char *buf, size_t n, size_t i)
{
    if (i + 1 >= n)
        return false;
    char c = (char) (buf[i] | 0x20), d = (char) (buf[i + 1] | 0x20);
    return c == 'a' ? d == 'p' || d == 'u' : c == 'b' ? d == 'e' : buf[i + 1] == '-';
}

size_t wld_secrets_scrub(char *buf, size_t n)
{
    size_t hidden = 0;
    /* an environment assignment needs its '=', and its name an '_' before one of T, K, S,
     * P (env_secret's endings): without both, upper-case letters start none. A log's '='
     * lines ("n_ctx = 4096", "CUDA0 KV buffer size = ...") mostly lack the second. */
    const unsigned char *starts =
            memchr(buf, '=', n) && env_name_may(buf, n) ? starts_secret : starts_secret_no_env;
    const unsigned char *u = (const unsigned char *) buf;
    for (size_t i = 0; i < n; i++) {
        /* the bytes that can start a secret: an upper-case letter (an environment name),
         * ':' (a URL's "://"), a, b or x in either case (the names); a log line is mostly
         * other bytes, passed here at a test each */
        while (i + 4 <= n &&
               !(starts[u[i]] | starts[u[i + 1]] | starts[u[i + 2]] | starts[u[i + 3]]))
            i += 4; /* four tests a step: no branch a byte */
        while (i < n && !starts[u[i]])
            i++;
        if (i == n)
            break;
        if (starts == starts_secret && buf[i] >= 'A' && buf[i] <= 'Z' &&
            (i == 0 || !is_name_byte((unsigned char) buf[i - 1]))) {
            size_t past = env_secret(buf, n, i, &hidden);
            if (past != i) {
                i = past;
                continue;
            }
        }
        if (buf[i] == ':' && i + 2 < n && buf[i + 1] == '/' && buf[i + 2] == '/') {
            i = mask_userinfo(buf, n, i + 3, &hidden);
            continue;
        }
        /* every name starts with a, b or x: the rest of the bytes are passed at once */
        char c = (char) (buf[i] | 0x20);
        if ((c != 'a' && c != 'b' && c != 'x') || !name_may_start(buf, n, i))
            continue;
        if (i > 0 && is_name_byte((unsigned char) buf[i - 1]) && buf[i - 1] != '-' &&
            buf[i - 1] != '_')
            continue; /* inside a word: "myapikey" is no name */
        for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
            size_t l = strlen(names[k]);
            if (i + l >= n || strncasecmp(buf + i, names[k], l) != 0 ||
                !is_sep((unsigned char) buf[i + l]))
                continue;
            i = mask_value(buf, n, i + l, &hidden);
            break;
        }
    }
    return hidden;
}

size_t wld_secrets_scrub_str(char *s)
{
    return s ? wld_secrets_scrub(s, strlen(s)) : 0;
}

static bool secret_member(const char *name)
{
    static const char *const keys[] = { "api_key", "apikey",        "api-key", "password",
                                        "token",   "authorization", "secret" };
    for (size_t i = 0; name && i < sizeof(keys) / sizeof(keys[0]); i++)
        if (strcasecmp(name, keys[i]) == 0)
            return true;
    return false;
}

static size_t mask_whole(char *s)
{
    size_t n = strlen(s);
    if (n == 0 || strspn(s, "*") == n)
        return 0;
    memset(s, '*', n);
    return 1;
}

size_t wld_secrets_scrub_json(cJSON *item)
{
    size_t hidden = 0;
    bool after_flag = false;
    for (cJSON *it = item; it; it = it->next) {
        if (cJSON_IsString(it) && it->valuestring) {
            if (after_flag || secret_member(it->string))
                hidden += mask_whole(it->valuestring);
            else
                hidden += wld_secrets_scrub_str(it->valuestring);
            after_flag = strcasecmp(it->valuestring, "--api-key") == 0;
            continue;
        }
        after_flag = false;
        if (it->child)
            hidden += wld_secrets_scrub_json(it->child);
    }
    return hidden;
}
