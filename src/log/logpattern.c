/* Log signature patterns (see wld/logpattern.h). */
#include "wld/logpattern.h"

#include <errno.h>
#include <string.h>

#include "wld/util.h"

int wld_logpat_compile(const char *pattern, struct wld_logpat *ret, char **why)
{
    memset(ret, 0, sizeof(*ret));
    ret->anchor = -1;
    size_t len = strlen(pattern);
    /* each segment's text is NUL-terminated in buf: at most one NUL per byte */
    ret->buf = wld_xmalloc(2 * len + 2);
    char *w = ret->buf;
    const char *p = pattern;
    if (*p == '^') {
        ret->anchored_start = true;
        p++;
    }
    const char *end = pattern + len;
    if (end > p && end[-1] == '$') {
        ret->anchored_end = true;
        end--;
    }
    while (p < end) {
        if (ret->n == WLD_LOGPAT_MAX_SEGS) {
            wld_logpat_release(ret);
            return wld_errorf(why, -EINVAL, "more than %d parts", WLD_LOGPAT_MAX_SEGS);
        }
        struct wld_logpat_seg *s = &ret->seg[ret->n];
        if (*p == '{') {
            const char *close = memchr(p, '}', (size_t) (end - p));
            if (!close || close == p + 1) {
                wld_logpat_release(ret);
                return wld_errorf(why, -EINVAL, "a \"{\" without a capture name and \"}\"");
            }
            if (ret->n > 0 && ret->seg[ret->n - 1].capture) {
                wld_logpat_release(ret);
                return wld_errorf(why, -EINVAL, "two captures with no text between them");
            }
            size_t nlen = (size_t) (close - p - 1);
            const char *colon = memchr(p + 1, ':', nlen);
            s->capture = true;
            if (colon) {
                if ((size_t) (close - colon - 1) != 3 || strncmp(colon + 1, "int", 3) != 0) {
                    wld_logpat_release(ret);
                    return wld_errorf(why, -EINVAL, "a capture's type can only be \":int\"");
                }
                s->digits = true;
                nlen = (size_t) (colon - p - 1);
            }
            memcpy(w, p + 1, nlen);
            s->text = w;
            s->len = nlen;
            w += nlen;
            *w++ = '\0';
            p = close + 1;
        } else {
            const char *next = memchr(p, '{', (size_t) (end - p));
            size_t n = (size_t) ((next ? next : end) - p);
            memcpy(w, p, n);
            s->text = w;
            s->len = n;
            w += n;
            *w++ = '\0';
            if (ret->anchor < 0)
                ret->anchor = ret->n;
            p += n;
        }
        ret->n++;
    }
    if (ret->anchor < 0 || ret->seg[ret->anchor].len < 3) {
        wld_logpat_release(ret);
        return wld_errorf(why, -EINVAL, "the first literal text must be at least 3 bytes");
    }
    return 0;
}

void wld_logpat_release(struct wld_logpat *p)
{
    free(p->buf);
    p->buf = NULL;
    p->n = 0;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static void add_capture(cJSON *caps, const struct wld_logpat_seg *s, const char *v, size_t n)
{
    while (n > 0 && (*v == ' ' || *v == '\t' || *v == '\'' || *v == '"')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\'' || v[n - 1] == '"'))
        n--;
    if (!caps || cJSON_GetObjectItemCaseSensitive(caps, s->text))
        return;
    char *val = wld_xstrndup(v, n < 512 ? n : 512);
    cJSON_AddStringToObject(caps, s->text, val);
    free(val);
}

/* Finds needle in line[from..n) */
static const char *find(const char *line, size_t n, size_t from, const char *needle, size_t nl)
{
    if (from > n || n - from < nl)
        return NULL;
    return memmem(line + from, n - from, needle, nl);
}

struct span {
    const struct wld_logpat_seg *s;
    size_t at, len;
};

bool wld_logpat_match(
        const struct wld_logpat *p, const char *line, size_t n, size_t anchor_end, cJSON *caps)
{
    const struct wld_logpat_seg *a = &p->seg[p->anchor];
    if (anchor_end < a->len || anchor_end > n)
        return false;
    size_t astart = anchor_end - a->len;
    /* what comes before the anchor: a capture from the line's start, or nothing */
    if (p->anchor == 1 && p->seg[0].capture) {
        if (p->seg[0].digits && !all_digits(line, astart))
            return false;
    } else if (p->anchored_start && astart != 0) {
        return false;
    }
    /* after it, each literal found after the capture before it */
    size_t pos = anchor_end;
    struct span got[WLD_LOGPAT_MAX_SEGS];
    int n_got = 0;
    if (p->anchor == 1)
        got[n_got++] = (struct span){ &p->seg[0], 0, astart };
    for (int i = p->anchor + 1; i < p->n; i++) {
        const struct wld_logpat_seg *s = &p->seg[i];
        if (!s->capture) {
            if (pos + s->len > n || memcmp(line + pos, s->text, s->len) != 0)
                return false;
            pos += s->len;
            continue;
        }
        size_t cend;
        if (i + 1 < p->n) {
            const struct wld_logpat_seg *lit = &p->seg[i + 1];
            const char *f = find(line, n, pos, lit->text, lit->len);
            if (s->digits) { /* the digits, then the literal right after them */
                size_t d = pos;
                while (d < n && line[d] >= '0' && line[d] <= '9')
                    d++;
                if (d == pos || d + lit->len > n || memcmp(line + d, lit->text, lit->len) != 0)
                    return false;
                f = line + d;
            }
            if (!f)
                return false;
            cend = (size_t) (f - line);
        } else {
            cend = n;
            if (s->digits) {
                size_t d = pos;
                while (d < n && line[d] >= '0' && line[d] <= '9')
                    d++;
                if (d == pos || (p->anchored_end && d != n))
                    return false;
                cend = d;
            }
        }
        if (cend == pos && !s->digits && i + 1 == p->n)
            return false; /* a trailing capture of nothing */
        got[n_got++] = (struct span){ s, pos, cend - pos };
        pos = cend;
    }
    if (p->anchored_end && pos != n)
        return false;
    for (int i = 0; i < n_got; i++)
        add_capture(caps, got[i].s, line + got[i].at, got[i].len);
    return true;
}

/* The names the rules may use, one per line (clang-format keeps them so, for diffs). */
/* clang-format off */
static const char *const conditions[] = {
    "origin_windows",
    "origin_wsl",
    "origin_native",
    "cuda_device",
    "cuda_backend_loaded",
    "legacy_cuda_log",
    "ollama",
    "gpu_offload",
    "file_model_format",
    "ollama_gpu_library_found",
    "host_alloc_only",
    "ollama_gpu_seen",
    "gpu_asked",
    "build_names_no_gpu",
    "driver_lib_in_wsl",
    "container_gpu_lost",
    "wsl_shown",
    NULL,
};
static const char *const observations[] = {
    "offload_zero",
    "offload_partial",
    "ollama_offload_partial",
    "ollama_cpu",
    "ollama_cpu_runner",
    "ollama_no_gpu_runner",
    "ollama_cpu_runners_only",
    "ollama_no_gpu_backend",
    "bench_cpu_offload",
    "build_no_gpu_backend",
    "driver_lib_in_wsl",
    "model_permission",
    "windows_too_old_for_wsl_gpu",
    "tcc_gpu_for_wsl",
    "model_on_windows_drive",
    "cc_below_archs",
    "cc_below_legacy_default",
    "startup_not_logged",
    "crash_in_driver",
    "crash_in_ggml_cuda",
    "crash_in_loader",
    "host_arch_missing",
    "host_build_differs",
    "host_driver_newer",
    "error_codes",
    NULL,
};
/* clang-format on */

static bool in_list(const char *const *list, const char *name)
{
    for (const char *const *k = list; *k; k++)
        if (wld_str_is(*k, name))
            return true;
    return false;
}

bool wld_log_condition_known(const char *name)
{
    return in_list(conditions, name) || wld_log_producer_known(name);
}

bool wld_log_observation_known(const char *name)
{
    return in_list(observations, name);
}

/* "if" names the condition; the rest replace the signature's own */
const char *const wld_log_variant_keys[] = { "if",     "check",   "summary", "fix",
                                             "proves", "sources", NULL };

cJSON *wld_log_sig_vary(const cJSON *sig, const cJSON *variant)
{
    cJSON *w = cJSON_Duplicate(sig, true);
    cJSON_DeleteItemFromObjectCaseSensitive(w, "when");
    for (const char *const *k = wld_log_variant_keys + 1; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(variant, *k);
        if (!v)
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(w, *k);
        cJSON_AddItemToObject(w, *k, cJSON_Duplicate(v, true));
    }
    return w;
}
