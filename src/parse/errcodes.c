/* Error codes recognised by shape (see wld/logcodes.h). A line is read for codes only when
 * it holds a word of one of the four APIs (logfacts.c's markers: "CUDA", "cuda", "NVML",
 * "cuBLAS", "cuInit", ...), and then in one pass for each of these shapes:
 *
 *   by number, after a key word:
 *     CUDA error 2 at ggml-cuda.cu:359: out of memory        llama.cpp 2023 (CUDA_CHECK)
 *     cuBLAS error 15 at ggml-cuda.cu:7398: ...              llama.cpp 2023 (CUBLAS_CHECK)
 *     cuda driver library init failure: 3                    ollama's GPU discovery
 *     cudart init failure: 35 / nvcuda init failure: 999     ollama 0.1.x-0.3.x
 *     cuInit err: 802 / nvmlInit_v2 err: 9                   ollama's C discovery, debug
 *     cuda driver library failed to get device context 800  ollama's C discovery (cuCtxCreate)
 *     cudaGetDeviceCount returned 35                         CUDA samples' deviceQuery
 *     code=100(cudaErrorNoDevice)                            CUDA samples' checkCudaErrors
 *     Error 804: forward compatibility was attempted ...     PyTorch's cudaGetDeviceCount
 *     CUresult 999
 *   the key words: error, err, failure, failed, status, code, returned, return, result, ret
 *   (any case), a type name (CUresult, cudaError_t, nvmlReturn_t, cublasStatus_t), or
 *   "device context"; the number stands alone (not in a version, a file:line or a hex
 *   address) and is followed by the end, punctuation or a word such as "at" or "in", never
 *   "layers" or "MiB" (or by "time=": ollama's C lines have no newline, and its next line
 *   follows the number);
 *   by number, in parentheses after a call or an enum name:
 *     Call to cuInit results in CUDA_ERROR_NO_DEVICE (100)   numba
 *   by name alone, as a whole word: CUDA_ERROR_NO_DEVICE, cudaErrorInsufficientDriver,
 *     NVML_ERROR_DRIVER_NOT_LOADED, CUBLAS_STATUS_NOT_INITIALIZED;
 *   by text, what cudaGetErrorString, cublasGetStatusString or NVML print, when the line
 *     has no number or name of a code: "CUDA error: no kernel image is available ...",
 *     "failed to initialize CUDA: unknown error", "nvml error: driver not loaded".
 *
 * Which API a number belongs to is said by the nearest word of an API before its key word:
 * a driver API call (cuInit) or "cuda driver", "nvcuda", "libcuda" say CUresult; a runtime
 * call (cudaMalloc), "cudart" or CUDA alone say cudaError_t; NVML and cuBLAS words say
 * theirs; a type name or an enum name after the number (code=35(cudaError...)) says it
 * outright. A number with no API word before it is no code: "(N)" or "code=N" count only
 * beside a CUDA, NVML or cuBLAS word on the same line. A text counts for its API when the
 * line has a word of that API, or when no text on it does ("CUDA error: " before a cuBLAS
 * status's text is ggml's way of printing it). Texts are NVIDIA's own strings (the
 * table's), numbers 1..9999 (0 is success). */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "wld/acscan.h"
#include "wld/logcodes.h"
#include "wld/util.h"

#include "errcodes_impl.h"

static const char *const api_names[WLD_API_COUNT] = { "cudaError_t", "CUresult", "nvmlReturn_t",
                                                      "cublasStatus_t" };

const char *wld_code_api_name(int api)
{
    return api >= 0 && api < WLD_API_COUNT ? api_names[api] : "?";
}

const char *wld_code_how_name(int how)
{
    return how == WLD_CODE_NAME ? "name" : how == WLD_CODE_TEXT ? "text" : "number";
}

int wld_code_api_of(const char *name)
{
    for (int a = 0; a < WLD_API_COUNT; a++)
        if (wld_str_is(name, api_names[a]))
            return a;
    return -1;
}

/* ---- the table ---- */

struct ct_row {
    int api, code;
    const cJSON *row;
};

struct ct_pat { /* a name or a text in the matcher: its row */
    int row;
    bool name;
    size_t len;
};

struct wld_codetab {
    struct ct_row *rows;
    size_t n_rows;
    struct ct_pat *pats;
    size_t n_pats;
    struct wld_ac *ac;
};

static void add_pat(struct wld_codetab *t, size_t *cap, const char *s, int row, bool name)
{
    size_t len = strlen(s);
    if (len < 4)
        return; /* the validator refuses it; a short text would match anywhere */
    if (t->n_pats == *cap) {
        *cap = *cap ? 2 * *cap : 64;
        t->pats = wld_xrealloc(t->pats, *cap * sizeof(*t->pats));
    }
    t->pats[t->n_pats] = (struct ct_pat){ row, name, len };
    wld_ac_add(t->ac, s, len, (int) t->n_pats++);
}

struct wld_codetab *wld_codetab_new(const cJSON *error_codes)
{
    struct wld_codetab *t = wld_xcalloc(1, sizeof(*t));
    t->ac = wld_ac_new();
    const cJSON *codes = cJSON_GetObjectItemCaseSensitive(error_codes, "codes");
    t->rows = wld_xcalloc((size_t) cJSON_GetArraySize(codes) + 1, sizeof(*t->rows));
    size_t cap = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, codes)
    {
        const cJSON *api = cJSON_GetObjectItemCaseSensitive(r, "api");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(r, "name");
        int a = cJSON_IsString(api) ? wld_code_api_of(api->valuestring) : -1;
        if (a < 0 || !cJSON_IsNumber(code) || code->valuedouble < 1 || code->valuedouble > 9999 ||
            !cJSON_IsString(name) || wld_codetab_row(t, a, (int) code->valuedouble))
            continue;
        int i = (int) t->n_rows++;
        t->rows[i] = (struct ct_row){ a, (int) code->valuedouble, r };
        add_pat(t, &cap, name->valuestring, i, true);
        const cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(r, "texts"))
        {
            if (cJSON_IsString(x))
                add_pat(t, &cap, x->valuestring, i, false);
        }
    }
    wld_ac_build(t->ac);
    return t;
}

void wld_codetab_free(struct wld_codetab *t)
{
    if (!t)
        return;
    wld_ac_free(t->ac);
    free(t->rows);
    free(t->pats);
    free(t);
}

size_t wld_codetab_size(const struct wld_codetab *t)
{
    return t ? t->n_rows : 0;
}

const cJSON *wld_codetab_row(const struct wld_codetab *t, int api, int code)
{
    for (size_t i = 0; t && i < t->n_rows; i++)
        if (t->rows[i].api == api && t->rows[i].code == code)
            return t->rows[i].row;
    return NULL;
}

/* ---- the shapes ---- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *const keys[] = { "error",  "err", "failure", "failed",   "status", "code",
                                    "result", "ret", "return",  "returned", "retcode" };

/* Whether s[b..e) is a key word; *api the API a type name says, else -1. */
static bool key_word(const char *s, size_t b, size_t e, int *api)
{
    *api = -1;
    for (int a = 0; a < WLD_API_COUNT; a++)
        if (e - b == strlen(api_names[a]) && strncmp(s + b, api_names[a], e - b) == 0) {
            *api = a;
            return true;
        }
    if (e - b == 8 && strncmp(s + b, "CUresult", 8) == 0) {
        *api = WLD_API_CU;
        return true;
    }
    for (size_t k = 0; k < WLD_ARRAY_SIZE(keys); k++)
        if (e - b == strlen(keys[k]) && strncasecmp(s + b, keys[k], e - b) == 0)
            return true;
    return false;
}

/* ollama's C lines end with no newline: its next slog line ("time=...") follows the code */
static bool ollama_glued(const char *s, size_t n, size_t e)
{
    return n - e >= 5 && strncmp(s + e, "time=", 5) == 0;
}

/* "device context" before the number: ollama's "cuda driver library failed to get device
 * context 800" (cuCtxCreate's CUresult), where no key word stands next to the code */
static bool device_context(const char *s, size_t b, size_t e)
{
    return e - b == 7 && strncmp(s + b, "context", 7) == 0 && b >= 7 &&
           strncmp(s + b - 7, "device ", 7) == 0;
}

/* The word that may follow a code's number: "CUDA error 2 at FILE", "returned 35 in" */
static bool follows_ok(const char *s, size_t n, size_t e)
{
    static const char *const ok[] = { "at",    "in",  "on",      "from",  "when",
                                      "while", "for", "calling", "after", "during" };
    if (e == n || ollama_glued(s, n, e))
        return true;
    char c = s[e];
    if (c == '.')
        return e + 1 == n || !isdigit((unsigned char) s[e + 1]);
    if (c != '\0' && strchr(":;,)]}\"'!(\\", c))
        return true;
    if (c != ' ' && c != '\t')
        return false;
    size_t b = e;
    while (b < n && (s[b] == ' ' || s[b] == '\t'))
        b++;
    size_t w = b;
    while (w < n && isalpha((unsigned char) s[w]))
        w++;
    if (w == b)
        return true; /* "- 0x7f" is not read here: the number before it already failed */
    for (size_t k = 0; k < WLD_ARRAY_SIZE(ok); k++)
        if (w - b == strlen(ok[k]) && strncmp(s + b, ok[k], w - b) == 0)
            return true;
    return false;
}

/* The word ending at (or before the spaces before) offset end: [*b, *e). */
static bool word_ending(const char *s, size_t end, size_t *b, size_t *e)
{
    while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t'))
        end--;
    size_t i = end;
    while (i > 0 && wld_code_word_char(s[i - 1]))
        i--;
    *b = i;
    *e = end;
    return i < end;
}

static void add_seen(struct wld_code_seen *out, int *n, int max, const struct wld_code_seen *c)
{
    for (int i = 0; i < *n; i++)
        if (out[i].api == c->api && out[i].code == c->code)
            return;
    if (*n < max)
        out[(*n)++] = *c;
}

/* A number at [b, e) in one of the number shapes: its API, or -1. */
static int number_api(const char *s, size_t n, size_t b, size_t e, struct words_once *z)
{
    if (b > 0 && (s[b - 1] == '\0' || !strchr(" \t:=([#", s[b - 1])))
        return -1;
    if (b > 0 && s[b - 1] == '(') { /* "(N)" after a call or an enum name */
        if (e >= n || s[e] != ')')
            return -1;
        size_t at = b - 1;
        while (at > 0 && s[at - 1] == ' ')
            at--;
        if (at > 0 && s[at - 1] == ')') { /* "cuInit(0) (100)": the call before its arguments */
            int depth = 0;
            while (at > 0) {
                char c = s[--at];
                depth += c == ')';
                depth -= c == '(';
                if (depth == 0)
                    break;
            }
        }
        size_t wb, we;
        int api;
        if (!word_ending(s, at, &wb, &we))
            return -1;
        const struct ctx_word *w = wld_code_word_before(wld_code_words(z), we);
        if (w && w->end == we && w->call)
            return w->api;
        if (key_word(s, wb, we, &api) && (w = wld_code_word_before(wld_code_words(z), wb)))
            return api >= 0 ? api : w->api;
        return -1;
    }
    if (!follows_ok(s, n, e))
        return -1;
    /* "error 2", "err: 999", "code=35", "returned 35": a key word before it */
    size_t at = b, gap = 0;
    while (at > 0 && s[at - 1] != '\0' && strchr(" \t:=", s[at - 1]) && gap < 3) {
        at--;
        gap++;
    }
    size_t wb, we;
    int api;
    if (at == b && b > 0)
        return -1;
    if (!word_ending(s, at, &wb, &we) || we != at)
        return -1;
    if (!key_word(s, wb, we, &api) && !device_context(s, wb, we))
        return -1;
    if (api >= 0)
        return api;
    const struct ctx_word *w = wld_code_word_before(wld_code_words(z), wb);
    return w ? w->api : -1;
}

static bool line_tried(const char *s, size_t n)
{
    return memmem(s, n, "nable to load", 13) || memmem(s, n, "init failure", 12) ||
           memmem(s, n, " err: ", 6);
}

/* A text is the whole message, not the start of a longer one ("operation not permitted" is
 * not "operation not permitted when stream is capturing"): after it the line ends, or
 * punctuation, or ggml's " current device:" follows. */
static bool text_alone(const char *s, size_t n, size_t b, size_t e)
{
    if (b > 0 && isalnum((unsigned char) s[b - 1]))
        return false;
    if (e == n || (s[e] != '\0' && strchr("\"'.,;:)]!\\", s[e])))
        return true;
    if (s[e] != ' ' && s[e] != '\t')
        return false;
    while (e < n && (s[e] == ' ' || s[e] == '\t'))
        e++;
    return e == n || !isalpha((unsigned char) s[e]) || strncmp(s + e, "current device", 14) == 0;
}

struct scan_ctx {
    const struct wld_codetab *t;
    const char *s;
    size_t n;
    struct wld_code_seen *out;
    int *n_out, max;
    int texts[8]; /* the rows of the texts the line holds */
    int n_texts;
};

static void on_pat(void *vc, int id, size_t end)
{
    struct scan_ctx *c = vc;
    const struct ct_pat *p = &c->t->pats[id];
    const struct ct_row *r = &c->t->rows[p->row];
    size_t b = end - p->len;
    if (p->name) {
        if ((b > 0 && wld_code_word_char(c->s[b - 1])) ||
            (end < c->n && wld_code_word_char(c->s[end])))
            return;
        struct wld_code_seen seen = { r->api, r->code, WLD_CODE_NAME, r->row, false };
        add_seen(c->out, c->n_out, c->max, &seen);
    } else if (text_alone(c->s, c->n, b, end) && c->n_texts < (int) WLD_ARRAY_SIZE(c->texts)) {
        c->texts[c->n_texts++] = p->row;
    }
}

/* make's "gmake[2]: *** [.../ggml-cuda.dir/build.make:80: acc.cu.o] Error 1": the exit status
 * of a recipe, whatever API the target's path names */
static bool make_error(const char *s, size_t n)
{
    const char *star = memchr(s, '*', n);
    return star && memmem(star, n - (size_t) (star - s), "*** [", 5) &&
           memmem(star, n - (size_t) (star - s), "] Error ", 8);
}

int wld_codetab_match(
        const struct wld_codetab *t, const char *s, size_t n, struct wld_code_seen *out, int max)
{
    if (make_error(s, n))
        return 0;
    int n_out = 0;
    struct words_once z = { s, n, false, { .n = 0 } };
    struct scan_ctx c = { t, s, n, out, &n_out, max, { 0 }, 0 };
    if (t)
        wld_ac_scan(t->ac, s, n, on_pat, &c);
    /* numbers: each run of digits standing alone, in a line that names an API (a key word
     * is read with the API word before it; CUresult and cudaError_t are such words) */
    for (size_t i = 0; i < n;) {
        if (!is_digit(s[i]) || (i > 0 && (wld_code_word_char(s[i - 1]) || s[i - 1] == '.'))) {
            i++;
            continue;
        }
        size_t e = i;
        while (e < n && is_digit(s[e]))
            e++;
        bool alone = e == n || !wld_code_word_char(s[e]) || ollama_glued(s, n, e);
        int api = e - i <= 4 && alone ? number_api(s, n, i, e, &z) : -1;
        if (api >= 0 && wld_code_words(&z)->n == 0)
            api = -1;
        int code = 0;
        for (size_t k = i; k < e && k < i + 4; k++)
            code = code * 10 + (s[k] - '0');
        if (api >= 0 && code > 0) {
            /* code=35(cudaErrorInsufficientDriver): the name says the API */
            for (int k = 0; k < n_out; k++)
                if (out[k].how == WLD_CODE_NAME && out[k].code == code)
                    api = out[k].api;
            struct wld_code_seen seen = { api, code, WLD_CODE_NUMBER, wld_codetab_row(t, api, code),
                                          false };
            add_seen(out, &n_out, max, &seen);
        }
        i = e;
    }
    /* texts, when the line gave no number or name: those of an API the line names */
    if (n_out == 0 && c.n_texts > 0) {
        const struct line_words *lw = wld_code_words(&z);
        bool named = false;
        for (int k = 0; k < c.n_texts; k++)
            named |= lw->has[t->rows[c.texts[k]].api];
        for (int k = 0; k < c.n_texts; k++) {
            const struct ct_row *r = &t->rows[c.texts[k]];
            if (named && !lw->has[r->api])
                continue;
            struct wld_code_seen seen = { r->api, r->code, WLD_CODE_TEXT, r->row, false };
            add_seen(out, &n_out, max, &seen);
        }
    }
    bool tried = n_out > 0 && line_tried(s, n);
    for (int k = 0; k < n_out; k++)
        out[k].tried = tried;
    return n_out;
}
