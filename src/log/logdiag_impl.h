/* Between the log's judging (src/log/logdiag.c: signatures to findings) and what it asks of
 * the facts: the conditions, observations and evidence signatures name
 * (src/log/logdiag_observe.c, logdiag_conditions.c), the values their texts use
 * (src/log/logdiag_vars.c) and the sentence of what the log shows (src/log/logdiag_shows.c). */
#ifndef WLD_LOGDIAG_IMPL_H
#define WLD_LOGDIAG_IMPL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "wld/logscan.h"
#include "wld/util.h"

/* What an observation on the whole log found: whether it holds, and the lines showing it. */
struct wld_log_obs {
    bool on;
    long lines[4];
    int n_lines;
};

/* What an observation may read. */
struct wld_log_obs_in {
    const struct wld_log_facts *f;
    const cJSON *params; /* the rules' signature_params */
    const cJSON *host;   /* a report's facts by check id (check --log), or NULL */
    cJSON *vars;         /* the values it adds to the signature's texts (strings) */
};

/* The observation a signature's "observe" names, into o; off for a name no row has. */
void wld_log_observe(const char *name, const struct wld_log_obs_in *in, struct wld_log_obs *o);
/* Whether the condition a signature's "if" or "unless" names holds; false for an unknown
 * name. */
bool wld_log_condition(const struct wld_log_facts *f, const char *name);
/* Whether the log is llama.cpp's of 2023 (ggml_init_cublas, "CUDA error N at ggml-cuda.cu:L"),
 * and whether ollama's "inference compute" lines name anything but the CPU: conditions the
 * observations read too (logdiag_conditions.c). */
bool wld_log_legacy(const struct wld_log_facts *f);
bool wld_log_ollama_gpu_found(const struct wld_log_facts *f);
/* The last line showing a GPU (a device, ggml's "found N CUDA devices", ollama's inference
 * compute on a GPU library); 0 when none does. */
long wld_log_last_device_line(const struct wld_log_facts *f);
/* Whether a condition on what wrote the log holds ("container", "producer_NAME"); false
 * for a name that is none (src/log/logfacts_producer.c). */
bool wld_log_producer_holds(const struct wld_log_facts *f, const char *name);
/* Where a crash died, the observations "crash_in_driver", "crash_in_ggml_cuda",
 * "crash_in_loader": the frame's line and the crash's first, {crash_frame} and {crash}
 * (src/log/logdiag_crash.c). */
bool wld_log_crash_in_driver(const struct wld_log_obs_in *in, struct wld_log_obs *o);
bool wld_log_crash_in_ggml_cuda(const struct wld_log_obs_in *in, struct wld_log_obs *o);
bool wld_log_crash_in_loader(const struct wld_log_obs_in *in, struct wld_log_obs *o);
/* What would show that a signature's "needs" condition holds, for the summary of a
 * finding made as a possibility (src/log/logdiag_crash.c). */
const char *wld_log_condition_shown_by(const char *name);
/* The lines of the facts a signature's "evidence" names (0: not in the log) into lines;
 * how many, 0 for an unknown name. */
int wld_log_evidence(const struct wld_log_facts *f, const char *name, long lines[4]);

/* v[k] = s (replaced when set; made valid UTF-8). */
void wld_log_var(cJSON *v, const char *k, const char *s);
void wld_log_varf(cJSON *v, const char *k, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The values every signature's texts may use, from the facts. */
void wld_log_common_vars(const struct wld_log_facts *f, cJSON *v);
/* What an "invalid magic" line's file is (v's "magic", a capture, or what the log says of
 * the file elsewhere), its fix and its format, in models.fit's words (logdiag_vars.c). */
struct wld_rules;
void wld_log_magic_vars(const struct wld_log_facts *f, const struct wld_rules *rules, cJSON *v);
/* A path's last name, after "/" or "\". */
const char *wld_log_base_name(const char *path);

/* What the log shows, in a sentence, into b. */
void wld_log_shows(const struct wld_log_facts *f, struct wld_buf *b);

struct wld_log_report;
struct wld_log_finding;
struct wld_rules;
/* The finding of h's signature into x (src/log/logdiag_finding.c); words and check, when not NULL,
 * stand for the signature's status, texts and sources, and its check. */
void wld_log_make_finding(struct wld_log_finding *x,
                          const struct wld_log_facts *f,
                          const struct wld_rules *rules,
                          const struct wld_log_hit *h,
                          const cJSON *words,
                          const char *check,
                          const struct wld_log_obs *o,
                          const cJSON *obs_vars,
                          const cJSON *base);
/* The findings of sig, the signature observing "error_codes": one per code the table
 * knows that no finding made before explains (src/log/logdiag_codes.c). */
void wld_log_code_findings(struct wld_log_report *r,
                           const struct wld_log_facts *f,
                           const struct wld_rules *rules,
                           const cJSON *sig,
                           const cJSON *base);
/* What an error code on h's lines adds to its finding's texts: code_note (its meaning, for a
 * summary) and code_hint (the checks to run, for a fix); empty when none
 * (src/log/logdiag_finding.c, as the two below). */
void wld_log_code_note_vars(const struct wld_log_facts *f, const struct wld_log_hit *h, cJSON *v);
struct wld_buf;
/* The checks to run for a code's row, comma-separated ("llama.runtime,gpu.driver"). */
void wld_log_code_checks(const struct wld_log_facts *f, const cJSON *row, struct wld_buf *b);
/* The first of a signature's or an error code row's "when" variants whose condition the log
 * holds, or NULL: the same message has another cause there (in a container, say). */
const cJSON *wld_log_variant(const struct wld_log_facts *f, const cJSON *rule);
/* An error code row's key ("check", "checks", "fix", "meaning", "sources") as this log has
 * it: its variant's where that gives the key, else the row's. */
const cJSON *wld_log_code_item(const struct wld_log_facts *f, const cJSON *row, const char *key);
const char *wld_log_code_str(const struct wld_log_facts *f, const cJSON *row, const char *key);
/* Whether line is among lines[0..n). */
bool wld_log_has_line(const long *lines, int n, long line);

#endif
