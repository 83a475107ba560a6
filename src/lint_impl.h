/* Between the lint command's walk and report (src/lint.c, src/lint_render.c) and its
 * per-kind judging (src/lint_files.c; the container files in src/lint_containers.c). */
#ifndef WLD_LINT_IMPL_H
#define WLD_LINT_IMPL_H

#include "wld/lint.h"

/* A finding for the file as a whole, from the rules' common outcome (lint_not_text,
 * lint_not_file, lint_unreadable) rendered with vars. */
void wld_lint_common(struct wld_lint_file *f,
                     const struct wld_rules *rules,
                     const char *outcome,
                     const cJSON *vars);

/* A finding from a check's outcome (status, summary, fix, sources) rendered with vars, at
 * line and col (line 0: the file as a whole). */
void wld_lint_outcome(struct wld_lint_file *f,
                      const struct wld_rules *rules,
                      const char *check,
                      const char *outcome,
                      unsigned line,
                      unsigned col,
                      const cJSON *vars);

/* A finding by key: the check's outcome of that name, else the finding of that name in its
 * "lint" param (message, fix, sources); at line's first non-blank column of text. */
void wld_lint_rule(struct wld_lint_file *f,
                   const struct wld_rules *rules,
                   const char *text,
                   const char *check,
                   const char *key,
                   unsigned line,
                   const cJSON *vars);

/* The check's "lint" param's value, or NULL. */
const cJSON *wld_lint_param(const struct wld_rules *rules, const char *check);

/* The column (from 1) of the first non-blank character of line n of text. */
unsigned wld_lint_first_col(const char *text, unsigned n);

/* A daemon.json, a CDI spec and a compose file, judged as container.gpu judges them. */
void wld_lint_daemon_json(const struct wld_rules *rules,
                          const char *text,
                          size_t n,
                          bool truncated,
                          struct wld_lint_file *f);
void wld_lint_cdi(const struct wld_rules *rules,
                  const char *text,
                  size_t n,
                  bool truncated,
                  struct wld_lint_file *f);
void wld_lint_compose(const struct wld_rules *rules,
                      const char *text,
                      size_t n,
                      bool truncated,
                      struct wld_lint_file *f);

#endif
