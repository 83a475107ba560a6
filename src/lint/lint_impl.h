/* Between the lint command's walk and report (src/lint/lint.c, src/lint/lint_render.c), its kinds
 * (src/lint/lint_kinds.c), its findings (src/lint/lint_finding.c) and its per-kind judging
 * (src/lint/lint_files.c: .wslconfig, wsl.conf; src/lint/lint_unit.c: units;
 * src/lint/lint_containers.c: daemon.json, CDI specs, compose files). The walk calls the
 * judges, the judges make findings: no loop. */
#ifndef WLD_LINT_IMPL_H
#define WLD_LINT_IMPL_H

#include "wld/lint.h"

/* Adds a finding (message, fix and sources, an array of URLs, owned by f from here) and
 * keeps the file's worst status and counts; an error counts as a fail for the file. */
void wld_lint_add(struct wld_lint_file *f,
                  unsigned line,
                  unsigned col,
                  const char *check,
                  const char *id,
                  enum wld_status st,
                  char *message,
                  char *fix,
                  cJSON *sources);
/* Adds the finding a rules entry says (wld_verdict_make: status, summary or message, fix,
 * sources) filled with vars, as check/id (check NULL: lint's own, "lint/id"). */
void wld_lint_say(struct wld_lint_file *f,
                  const struct wld_rules *rules,
                  const char *check,
                  const char *id,
                  const cJSON *entry,
                  unsigned line,
                  unsigned col,
                  const cJSON *vars);

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
/* The start of line n (from 1) of text, and its length in *len; NULL past the end. */
const char *wld_lint_line_at(const char *text, unsigned n, size_t *len);
/* The column (from 1) of the value on key=value line n of text: past '=' and blanks; the
 * first non-blank character's when the line has no '='. */
unsigned wld_lint_value_col(const char *text, unsigned n);

/* A .wslconfig or wsl.conf (check "wsl.wslconfig" or "wsl.wsl-conf"; text decoded from
 * the n bytes of data), and a systemd unit, judged by their checks' readers and rules. */
void wld_lint_wsl(const struct wld_rules *rules,
                  const char *check,
                  const char *text,
                  const char *data,
                  size_t n,
                  bool truncated,
                  struct wld_lint_file *f);
/* A unit is judged with its drop-ins' texts (NULL-terminated, or NULL), which the walk
 * read: no judge opens a file. */
void wld_lint_unit(const struct wld_rules *rules,
                   const char *text,
                   char *const *dropins,
                   bool truncated,
                   struct wld_lint_file *f);

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
