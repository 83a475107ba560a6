/* The words of a line that name an API, for the error-code shapes (see errcodes.c): which
 * API each names ("cuInit" the driver API, "cudaMalloc" the runtime, "NVML", "cuBLAS"), and
 * whether it is a call or an enum name. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "errcodes_impl.h"

/* needle is lower case; its first letter is tested inline, as most words of a log line have
 * none of the needles' letters where they could start */
static bool has_nocase_(const char *w, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if ((w[i] | 0x20) == needle[0] && strncasecmp(w + i, needle, k) == 0)
            return true;
    return false;
}

/* "cuInit", "cudaMalloc", "nvmlInit_v2", "cublasCreate_v2": a call of an API */
static bool is_call_(const char *w, size_t n, const char *prefix, size_t k)
{
    return n > k && memcmp(w, prefix, k) == 0 && isupper((unsigned char) w[k]);
}

static bool starts_(const char *w, size_t n, const char *prefix, size_t k)
{
    return n >= k && memcmp(w, prefix, k) == 0;
}

/* the needle's length known where it is written (these run for each word that may name an
 * API, in every line that names one) */
#define has_nocase(w, n, lit) has_nocase_(w, n, lit, sizeof(lit) - 1)
#define is_call(w, n, lit)    is_call_(w, n, lit, sizeof(lit) - 1)
#define starts(w, n, lit)     starts_(w, n, lit, sizeof(lit) - 1)

/* Whether a word may name an API: each name word_api knows holds "cu" or "nvml" */
static bool may_name_api(const char *w, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        char c = (char) (w[i] | 0x20);
        if ((c == 'c' && (w[i + 1] | 0x20) == 'u') ||
            (c == 'n' && i + 4 <= n && strncasecmp(w + i, "nvml", 4) == 0))
            return true;
    }
    return false;
}

/* The API a word belongs to, or -1; *call when it is a call or an enum name. next is the
 * word after it ("CUDA driver" is the driver API). */
static int word_api(const char *w, size_t n, const char *next, size_t next_n, bool *call)
{
    *call = is_call(w, n, "cu") || is_call(w, n, "cuda") || is_call(w, n, "nvml") ||
            is_call(w, n, "cublas") || starts(w, n, "CUDA_ERROR_") || starts(w, n, "NVML_ERROR_") ||
            starts(w, n, "CUBLAS_STATUS_");
    if (has_nocase(w, n, "cublas"))
        return WLD_API_CUBLAS;
    if (has_nocase(w, n, "nvml"))
        return WLD_API_NVML;
    if (starts(w, n, "nvcuda") || (starts(w, n, "libcuda") && !starts(w, n, "libcudart")) ||
        starts(w, n, "CUresult") || starts(w, n, "CUDA_ERROR_") || is_call(w, n, "cu"))
        return has_nocase(w, n, "cudart") ? WLD_API_CUDART : WLD_API_CU;
    if (has_nocase(w, n, "cuda")) {
        bool driver = next_n == 6 && strncasecmp(next, "driver", 6) == 0 && !is_call(w, n, "cuda");
        return driver ? WLD_API_CU : WLD_API_CUDART;
    }
    return -1;
}

static void read_words(const char *s, size_t n, struct line_words *lw)
{
    lw->n = 0; /* the words are written as found: 2 KiB not cleared a line */
    memset(lw->has, 0, sizeof(lw->has));
    size_t i = 0;
    while (i < n && lw->n < MAX_WORDS) {
        while (i < n && !wld_code_word_char(s[i]))
            i++;
        size_t b = i;
        while (i < n && wld_code_word_char(s[i]))
            i++;
        if (i == b)
            break;
        if (!may_name_api(s + b, i - b)) /* most words of a line */
            continue;
        size_t nb = i;
        while (nb < n && s[nb] == ' ')
            nb++;
        size_t ne = nb;
        while (ne < n && wld_code_word_char(s[ne]))
            ne++;
        bool call;
        int api = word_api(s + b, i - b, s + nb, ne - nb, &call);
        if (api >= 0) {
            lw->w[lw->n++] = (struct ctx_word){ b, i, api, call };
            lw->has[api] = true;
        }
    }
}

const struct line_words *wld_code_words(struct words_once *z)
{
    if (!z->read)
        read_words(z->s, z->n, &z->lw);
    z->read = true;
    return &z->lw;
}

/* The API word nearest before offset at, or NULL. */
const struct ctx_word *wld_code_word_before(const struct line_words *lw, size_t at)
{
    const struct ctx_word *best = NULL;
    for (int i = 0; i < lw->n && lw->w[i].end <= at; i++)
        best = &lw->w[i];
    return best;
}
