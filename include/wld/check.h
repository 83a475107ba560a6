/* The check-module interface. A check gathers facts from the host (I/O only, a failed
 * read becomes a fact) and evaluates them against its rules (pure: no I/O, no printing).
 * Severity, thresholds and prose live in rules/, looked up by the check id and the
 * outcome key that evaluate() picks. */
#ifndef WLD_CHECK_H
#define WLD_CHECK_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "wld/host.h"
#include "wld/platform.h"
#include "wld/status.h"

const char *wld_status_name(enum wld_status s);
/* The same in capitals, as text reports mark a line: "PASS", "WARN". */
const char *wld_status_upper(enum wld_status s);
int wld_status_parse(const char *s, enum wld_status *ret);
/* warn, fail or error: what needs a person's attention, and what a cause can be. */
bool wld_status_is_problem(enum wld_status s);
/* The one rule of --fail-on for every command: fail and error fail the run, warn does
 * with fail_on_warn (--fail-on warn). */
bool wld_status_fails(enum wld_status s, bool fail_on_warn);
/* Whether findings counted by status (WLD_STATUS_COUNT of them) fail the run. */
bool wld_counts_fail(const unsigned *counts, bool fail_on_warn);

struct wld_options;
struct wld_cli_option;

struct wld_inventory;

/* What gather() may use: the host, the user's options, the probe deadline, and the run's
 * shared host facts (wld/inventory.h), which a gather asks for before it reads the host
 * itself. */
struct wld_gather_ctx {
    const struct wld_host *host;
    const struct wld_options *opts;
    double timeout_ms;
    struct wld_inventory *inv;
    /* A check judged per runtime: the runtime this gather is for (wld/runtimes.h), or NULL
     * when no runtime was found. NULL for the other checks. */
    const cJSON *runtime;
};

/* What evaluate() sees: every check's facts (by id), its own facts, its rule params, and
 * the platform wsl.platform's facts say (decided once per run; native without them). */
struct wld_eval_ctx {
    const cJSON *facts;
    const cJSON *mine;
    const cJSON *params;
    enum wld_platform platform;
    /* A check judged per runtime: the id of the runtime judged now; wld_facts_of() then
     * answers the facts other per-runtime checks gathered for the same runtime. */
    const char *runtime_id;
};

/* evaluate()'s answer: the outcome key in the rules, and the variables its summary and
 * fix templates use ("{release}"). vars is owned by the finding. */
struct wld_finding {
    char outcome[48];
    cJSON *vars;
};

struct wld_check {
    const char *id;              /* stable forever: users put it in --skip and CI configs */
    const char *title;           /* one line for reports */
    const char *looks_at;        /* for `list` */
    const char *const *outcomes; /* NULL-terminated; each must exist in the rules */
    const char *const *params;   /* NULL-terminated; each must exist in the rules */
    const char *const *needs;    /* checks whose facts evaluate() reads; gathered too */
    /* Facts gather() always writes (NULL-terminated, or NULL): a saved report without one
     * of them came from an older doctor, and --facts says which instead of judging. */
    const char *const *facts;
    /* Whether, with these options, evaluate() reads the facts of need (one of needs);
     * NULL means always. A need it will not read is not gathered (fit --vram N asks no
     * GPU). */
    bool (*reads)(const struct wld_options *o, const char *need);
    /* Judged once per runtime (wld/runtimes.h): gather() is called for each runtime the
     * user asked about with ctx->runtime set, its facts kept as {"runtimes": [{"for_runtime":
     * {id, kind, name, version}, ...}]}, evaluate() called for each, and the report shows
     * the worst, naming the runtime, with every runtime's verdict beside it. */
    bool per_runtime;
    /* Fills facts (an object owned by the pipeline); NULL for a check that only judges
     * the facts of the checks it needs. Returns 0, or -errno when the
     * doctor itself broke; host failures are facts, not errors. */
    int (*gather)(const struct wld_gather_ctx *ctx, cJSON *facts);
    void (*evaluate)(const struct wld_eval_ctx *ctx, struct wld_finding *f);
    /* The command-line options only this check reads (wld/option.h: --functional,
     * --server...), declared here beside its code; the command line takes them after its
     * own, in registry order. n_options rows, or NULL and 0. */
    const struct wld_cli_option *options;
    size_t n_options;
};

/* The registry, in report order (src/pipeline/registry.c). */
extern const struct wld_check *const wld_checks[];
extern const size_t wld_checks_count;
const struct wld_check *wld_check_find(const char *id);

/* Finding helpers for evaluate(). */
void wld_finding_outcome(struct wld_finding *f, const char *outcome);
void wld_finding_var(struct wld_finding *f, const char *name, const char *value);
void wld_finding_varf(struct wld_finding *f, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void wld_finding_var_num(struct wld_finding *f, const char *name, double value);

/* For a check judging several things (units, models) and reporting the worst: keeps
 * (v, vars) in (*worst, *worst_vars) when *worst is NULL or v comes before it in order
 * (NULL-terminated, worst first; an outcome not in it ranks last). Takes vars either way. */
void wld_finding_keep_worst(const char **worst,
                            cJSON **worst_vars,
                            const char *v,
                            cJSON *vars,
                            const char *const *order);

/* Rule parameter lookup: the "value" of params[name], or NULL. Borrowed. */
const cJSON *wld_param(const struct wld_eval_ctx *ctx, const char *name);
const char *wld_param_str(const struct wld_eval_ctx *ctx, const char *name);
double wld_param_num(const struct wld_eval_ctx *ctx, const char *name, double fallback);
/* A whole-number parameter in [lo, hi] (wld_fact_int's rules); fallback otherwise. */
long long wld_param_int(const struct wld_eval_ctx *ctx,
                        const char *name,
                        long long lo,
                        long long hi,
                        long long fallback);

/* Fact helpers (NULL-safe; return fallback when absent or of another type). */
const char *wld_fact_str(const cJSON *obj, const char *name);
double wld_fact_num(const cJSON *obj, const char *name, double fallback);
/* obj[name] as a whole number in [lo, hi]; fallback when absent, not a number, not whole
 * or outside (a hostile 1e38 is never converted to an int). */
long long
wld_fact_int(const cJSON *obj, const char *name, long long lo, long long hi, long long fallback);
bool wld_fact_bool(const cJSON *obj, const char *name, bool fallback);
/* facts[check_id], or NULL; for a check judged per runtime, while a runtime is judged, the
 * facts it gathered for that runtime. */
const cJSON *wld_facts_of(const struct wld_eval_ctx *ctx, const char *check_id);
/* Of a per-runtime check's facts (check_facts), the entry of the first runtime of that
 * kind ("llama.cpp"), or with that id when kind is NULL; facts saved flat by an older
 * doctor are a llama.cpp runtime's. NULL when there is none. */
const cJSON *wld_runtime_facts(const cJSON *check_facts, const char *kind, const char *id);

struct wld_proc_result;
/* How a command ended, in the facts' words: "spawn_failed", "timeout", "crashed",
 * "exit_nonzero", or NULL when it exited 0 (the caller then judges what it printed). */
const char *wld_proc_ending(const struct wld_proc_result *r);
/* Gather helper: how a probe command ended, as obj[name] = {state, errno?, exit_code,
 * signal?, ms}. state is the caller's word for it ("ok", "timeout", ...). Returns the new
 * object (owned by obj) so the caller can add output excerpts. */
cJSON *
wld_fact_proc(cJSON *obj, const char *name, const char *state, const struct wld_proc_result *r);

/* Gather helper for the doctor's own helper processes (the CUDA probe, the module load
 * probe): obj[name] as wld_fact_proc() with the state "ok" when the helper reported it was
 * done, else "spawn_failed", "timeout", "crashed" or "failed", and the start of its stderr
 * (unrooted). Returns the new object. */
cJSON *wld_fact_helper(const struct wld_host *h,
                       cJSON *obj,
                       const char *name,
                       const struct wld_proc_result *r,
                       bool done);

/* Gather helper: wld_host_unroot() on every string in item, recursively, so facts name
 * host paths, never the fixture's real ones. */
void wld_fact_unroot(const struct wld_host *h, cJSON *item);

/* Gather helpers: store an errno as a fact ("ENOENT"). */
void wld_fact_errno(cJSON *obj, const char *name, int err);
const char *wld_errno_name(int err);

#endif
