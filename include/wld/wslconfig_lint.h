/* Linting a .wslconfig's entries against the rules' schema (wsl.wslconfig): unknown and
 * misspelt keys, keys of /etc/wsl.conf, removed keys, bad values and units; every problem
 * in the rules' words, counted and listed. Pure: it reads facts and rule parameters. */
#ifndef WLD_WSLCONFIG_LINT_H
#define WLD_WSLCONFIG_LINT_H

#include <cjson/cJSON.h>

#include "wld/check.h"
#include "wld/util.h"

/* Problems listed in the summary; the rest are counted ("and N more"), never dropped. */
#define SHOWN_PROBLEMS 50

struct wld_lint {
    const struct wld_eval_ctx *ctx;
    const cJSON *messages;
    struct wld_buf list;
    unsigned count;
    struct wld_buf unknown; /* configured settings whose effect could not be read, and why */
    /* When not NULL (set it after wld_lint_begin), each problem is also appended here as
     * {key, vars}: the message key and its variables, for `lint`. */
    cJSON *items;
};

struct wld_wslconfig_set {
    double memory, swap, processors; /* -1 when not set validly */
    const char *networking;
    const char *localhost;
};

/* WSL's size syntax (memory=16GB): decimal digits and an optional exact-case binary
 * suffix (B, K, KB, M, MB, G, GB, T, TB); false when v is not one. */
bool wld_wsl_size_parse(const char *v, double *bytes);

/* Starts a lint of ctx's facts with the rules' messages; end it with wld_lint_end(). */
void wld_lint_begin(struct wld_lint *l, const struct wld_eval_ctx *ctx);
/* Ends a lint: sets f's {problems} (the first SHOWN_PROBLEMS, then "and N more"), {count}
 * and {unknown}, and frees l. Returns whether a setting's effect was unknown. */
bool wld_lint_end(struct wld_lint *l, struct wld_finding *f);

/* A problem, as the rules' message msg_key rendered with vars (taken over). */
void wld_lint_problem(struct wld_lint *l, const char *msg_key, cJSON *vars);
/* A setting whose effect is unknown: never reported as in effect. */
void wld_lint_unknown_effect(struct wld_lint *l,
                             const char *setting,
                             const char *source,
                             const char *why);
/* Lints the check's entries (facts "entries"), filling cfg with the settings whose value
 * was valid. */
void wld_wslconfig_lint_entries(struct wld_lint *l, struct wld_wslconfig_set *cfg);
/* The lines the reader cut (facts "cut"), as problems. */
void wld_wslconfig_lint_cut(struct wld_lint *l);
/* localhostForwarding=false where Windows then cannot reach a server in WSL (not with
 * networkingMode=mirrored), as the problem localhost_off at its line. */
void wld_wslconfig_lint_localhost(struct wld_lint *l, const struct wld_wslconfig_set *cfg);

#endif
