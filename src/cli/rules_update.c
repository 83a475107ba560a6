/* Rules that outlive the binary (see wld/rules.h): the bundle `rules update` installs,
 * which rules are in force, and where they came from. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wld/fetch.h"
#include "wld/output.h"
#include "wld/rules.h"
#include "wld/sha256.h"
#include "wld/util.h"
#include "wld/version.h"

#ifndef WLD_RULES_URL
#    define WLD_RULES_URL ""
#endif

#define BUNDLE_CAP (16u * 1024u * 1024u)

char *wld_rules_installed_dir(void)
{
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')
        return wld_xasprintf("%s/wsl-llm-doctor", xdg);
    if (home && home[0] == '/')
        return wld_xasprintf("%s/.local/share/wsl-llm-doctor", home);
    return NULL;
}

static char *installed_file(const char *name)
{
    char *dir = wld_rules_installed_dir();
    char *p = dir ? wld_xasprintf("%s/%s", dir, name) : NULL;
    free(dir);
    return p;
}

int wld_rules_load_in_force(const char *rules_path,
                            double timeout_ms,
                            bool fingerprint,
                            const struct wld_rules_need *need,
                            struct wld_rules **ret,
                            char **err,
                            char **note)
{
    *note = NULL;
    if (rules_path)
        return wld_rules_load_file(rules_path, timeout_ms, ret, err);
    char *path = installed_file("rules.json");
    struct stat st;
    if (!path || stat(path, &st) < 0) {
        /* no bundle to weigh against them: the built-in rules load beside the probes, a
         * file at a time where the command reads a few entries and no fingerprint */
        free(path);
        if (need && !fingerprint)
            return wld_rules_load_embedded_lazy(need, ret);
        return wld_rules_load_embedded_async(fingerprint, ret, err);
    }
    int r = wld_rules_load_embedded(ret, err);
    if (r < 0) {
        free(path);
        return r;
    }
    struct wld_rules *inst = NULL;
    char *why = NULL;
    if (wld_rules_load_file(path, timeout_ms, &inst, &why) < 0) {
        *note = wld_xasprintf("the installed rules %s are unusable (%s): using the built-in "
                              "rules; `wsl-llm-doctor rules update` installs new ones",
                              path, why);
        free(why);
    } else if (wld_version_cmp_str(wld_rules_version(inst), wld_rules_version(*ret)) < 0) {
        *note = wld_xasprintf("the installed rules %s (%s) are older than this binary's (%s): "
                              "using the binary's",
                              path, wld_rules_version(inst), wld_rules_version(*ret));
        wld_rules_free(inst);
    } else {
        wld_rules_free(*ret);
        *ret = inst;
    }
    free(path);
    return 0;
}

void wld_rules_show(const struct wld_rules *r, FILE *out)
{
    fprintf(out, "rules %s (sha256 %s)\n", wld_rules_version(r), wld_rules_sha256(r));
    char *installed = installed_file("rules.json");
    if (wld_str_starts(r->origin, "embedded")) {
        fprintf(out, "from: built into this binary\n");
    } else if (installed && strcmp(r->origin, installed) == 0) {
        fprintf(out, "from: %s, installed by `rules update`", r->origin);
        char *src = installed_file("rules.json.source");
        struct wld_buf b;
        unsigned mode = 0;
        if (src && wld_read_named_file(src, 4096, 1000, &b, &mode) == 0) {
            cJSON *meta = cJSON_Parse(b.data);
            const cJSON *url = cJSON_GetObjectItemCaseSensitive(meta, "url");
            const cJSON *when = cJSON_GetObjectItemCaseSensitive(meta, "installed");
            if (cJSON_IsString(url) && cJSON_IsString(when))
                fprintf(out, " from %s on %s", url->valuestring, when->valuestring);
            cJSON_Delete(meta);
            wld_buf_release(&b);
        }
        free(src);
        fputc('\n', out);
    } else {
        fprintf(out, "from: %s (--rules)\n", r->origin);
    }
    if (installed && strcmp(r->origin, installed) != 0 && access(installed, F_OK) == 0)
        fprintf(out, "installed but not in force: %s\n", installed);
    free(installed);
}

static int mkdirs(const char *dir)
{
    char *p = wld_xstrdup(dir);
    int r = 0;
    for (char *s = p + 1; r == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST)
            r = -errno;
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return r;
}

/* https and file URLs; plain http only to this machine's loopback address (a mirror or a
 * test server on 127.0.0.1), since the bundle is checked against its sha256 anyway. */
static const char *protocols_for(const char *url)
{
    static const char *const loopback[] = { "http://127.0.0.1:", "http://127.0.0.1/",
                                            "http://localhost:", "http://localhost/",
                                            "http://[::1]:",     "http://[::1]/" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(loopback); i++)
        if (wld_str_starts(url, loopback[i]))
            return "http,https,file";
    return "https,file";
}

/* The published checksum: the first word of URL.sha256 ("HEX  rules.json"). */
static int published_sha256(const char *url, double timeout_ms, char out[65], char **err)
{
    char *sum_url = wld_xasprintf("%s.sha256", url);
    struct wld_fetch f;
    int r = wld_fetch_url(sum_url, protocols_for(url), 4096, timeout_ms, NULL, &f);
    if (r == 0 && f.status != 0 && f.status != 200)
        r = wld_errorf(err, -ENOENT, "no checksum: %s answered HTTP %ld (give --sha256)", sum_url,
                       f.status);
    else if (r < 0)
        r = wld_errorf(err, r, "no checksum from %s: %s (give --sha256)", sum_url, f.error);
    else if (strspn(f.body.data, "0123456789abcdefABCDEF") != 64)
        r = wld_errorf(err, -EINVAL, "%s does not start with a sha256 (64 hex digits)", sum_url);
    else {
        memcpy(out, f.body.data, 64);
        out[64] = '\0';
    }
    wld_buf_release(&f.body);
    free(sum_url);
    return r;
}

int wld_rules_update(const char *url,
                     const char *sha256,
                     double timeout_ms,
                     const struct wld_rules *in_force,
                     FILE *out,
                     char **err)
{
    if (!url || !*url)
        url = WLD_RULES_URL;
    if (!*url)
        return wld_errorf(err, -EINVAL,
                          "rules update needs --url URL: this build names no rules URL "
                          "(CMake option WLD_RULES_URL)");
    char *dir = wld_rules_installed_dir();
    if (!dir)
        return wld_errorf(err, -EINVAL, "rules update: neither XDG_DATA_HOME nor HOME is set");
    struct wld_fetch f;
    int r = wld_fetch_url(url, protocols_for(url), BUNDLE_CAP, timeout_ms, NULL, &f);
    char want[65], got[65];
    struct wld_rules *bundle = NULL;
    char *why = NULL;
    if (r < 0) {
        r = wld_errorf(err, r, "%s: %s; nothing changed", url, f.error);
        goto out;
    }
    if (f.status != 0 && f.status != 200) {
        r = wld_errorf(err, -ENOENT, "%s answered HTTP %ld; nothing changed", url, f.status);
        goto out;
    }
    if (sha256) {
        snprintf(want, sizeof(want), "%s", sha256);
    } else if ((r = published_sha256(url, timeout_ms, want, &why)) < 0) {
        r = wld_errorf(err, r, "%s; nothing changed", why);
        goto out;
    }
    wld_sha256_hex(f.body.data, f.body.len, got);
    if (strcasecmp(want, got) != 0) {
        r = wld_errorf(err, -EINVAL,
                       "%s: sha256 %s, expected %s (a truncated or altered download); nothing "
                       "changed",
                       url, got, want);
        goto out;
    }
    const char *text = f.body.data;
    size_t len = f.body.len;
    if (wld_rules_load_texts(&text, &len, &url, 1, url, &bundle, &why) < 0) {
        r = wld_errorf(err, -EINVAL,
                       "%s is not a rules bundle this doctor can use: %s; nothing "
                       "changed",
                       url, why);
        goto out;
    }
    if (wld_version_cmp_str(wld_rules_version(bundle), wld_rules_version(in_force)) <= 0) {
        r = wld_errorf(err, -EALREADY,
                       "%s holds rules %s, not newer than the %s in force; nothing changed", url,
                       wld_rules_version(bundle), wld_rules_version(in_force));
        goto out;
    }
    char *path = wld_xasprintf("%s/rules.json", dir), *prev = wld_xasprintf("%s.prev", path);
    char *meta_path = wld_xasprintf("%s.source", path);
    struct stat st;
    if ((r = mkdirs(dir)) < 0) {
        r = wld_errorf(err, r, "cannot create %s: %s", dir, strerror(-r));
    } else if (stat(path, &st) == 0 &&
               ((unlink(prev) < 0 && errno != ENOENT) || link(path, prev) < 0)) {
        r = wld_errorf(err, -errno, "cannot keep the previous rules as %s: %s; nothing changed",
                       prev, strerror(errno));
    } else if ((r = wld_output_write(path, f.body.data, f.body.len, timeout_ms, &why)) < 0) {
        /* a temporary file renamed over it: the bundle is the old one or the new one */
        r = wld_errorf(err, r, "%s; nothing changed", why);
    } else {
        char when[32];
        time_t now = time(NULL);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
        cJSON *meta = cJSON_CreateObject();
        cJSON_AddStringToObject(meta, "url", url);
        cJSON_AddStringToObject(meta, "sha256", got);
        cJSON_AddStringToObject(meta, "version", wld_rules_version(bundle));
        cJSON_AddStringToObject(meta, "installed", when);
        char *m = cJSON_Print(meta), *ignored = NULL;
        wld_output_write(meta_path, m, strlen(m), timeout_ms, &ignored);
        free(ignored);
        free(m);
        cJSON_Delete(meta);
        fprintf(out, "installed rules %s from %s as %s (sha256 %s)\n", wld_rules_version(bundle),
                url, path, got);
        if (stat(prev, &st) == 0)
            fprintf(out, "the previous rules are kept as %s\n", prev);
    }
    free(path);
    free(prev);
    free(meta_path);
out:
    free(why);
    wld_rules_free(bundle);
    wld_buf_release(&f.body);
    free(dir);
    return r;
}
