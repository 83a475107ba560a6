/* Error codes in a log: NVIDIA's tables as rules data (the rules' "error_codes",
 * rules/codes.json: the CUDA runtime's cudaError_t, the driver API's CUresult, NVML's
 * nvmlReturn_t and cuBLAS's cublasStatus_t, each code with NVIDIA's description, what it
 * means, the check that covers its causes and a status) and the shapes programs print
 * them in (src/parse/errcodes.c says which). The log reader records each code a line states
 * (wld/logscan.h's facts); the signature that observes "error_codes" makes a finding of
 * each one no more specific finding explains (src/log/logdiag_codes.c). */
#ifndef WLD_LOGCODES_H
#define WLD_LOGCODES_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

enum wld_code_api {
    WLD_API_CUDART, /* cudaError_t */
    WLD_API_CU,     /* CUresult */
    WLD_API_NVML,   /* nvmlReturn_t */
    WLD_API_CUBLAS, /* cublasStatus_t */
    WLD_API_COUNT
};

/* How a line gave the code. */
enum wld_code_how { WLD_CODE_NUMBER, WLD_CODE_NAME, WLD_CODE_TEXT };

/* The type's name ("cudaError_t", ...) as the rules' "apis" key it; "?" out of range. */
const char *wld_code_api_name(int api);
/* The API whose type name is name ("CUresult"), or -1. */
int wld_code_api_of(const char *name);
/* "number", "name", "text". */
const char *wld_code_how_name(int how);

/* One code a line states. */
struct wld_code_seen {
    int api; /* enum wld_code_api */
    int code;
    int how;          /* enum wld_code_how */
    const cJSON *row; /* its row in the table (borrowed), NULL when the table has none */
    bool tried;       /* said where a program tries a library and goes on (ollama's GPU
                       * discovery): not a failure by itself when another one works */
};

struct wld_codetab;

/* The table of a rules document's "error_codes" section (wld_rules_section), compiled once;
 * read-only afterwards, so readers may share it. Rows the reader cannot use are left out (the
 * rules loader refuses them: wld_codetab_validate). The rows point into the section, which
 * must outlive it. */
struct wld_codetab *wld_codetab_new(const cJSON *error_codes);
void wld_codetab_free(struct wld_codetab *t);
/* How many rows it has. */
size_t wld_codetab_size(const struct wld_codetab *t);
/* Whether doc's "error_codes" (if any) is a table the reader can use: known APIs with a
 * label and a known source, each row an API, a code in 1..9999 once per API, a name of its
 * API's form once, a meaning, a check id and the checks to run, a status warn or fail,
 * texts and sources. 0, or -EINVAL with why (caller frees). For the rules loader. */
int wld_codetab_validate(const cJSON *doc, char **why);
/* The row of code in api, or NULL. */
const cJSON *wld_codetab_row(const struct wld_codetab *t, int api, int code);

/* The codes line[0..n) states, by the shapes of src/parse/errcodes.c, into out (at most max),
 * each API's code once; how many. */
int wld_codetab_match(const struct wld_codetab *t,
                      const char *line,
                      size_t n,
                      struct wld_code_seen *out,
                      int max);

#endif
