/* `check --for PROJECT`: the report as the bug template of llama.cpp, ollama or
 * llama-cpp-python asks for it, each field in the template's order and words, filled from
 * the report's facts ("not found by wsl-llm-doctor" where it has none), the fields only the
 * user can fill left with a comment, then the doctor's findings folded in <details>. The
 * whole stays under GitHub's 65,536-character limit on an issue or a comment: evidence is
 * cut (and the cut said), findings never. The templates and their URLs are a table in
 * src/report/report_issue.c. */
#ifndef WLD_ISSUE_H
#define WLD_ISSUE_H

#include <stddef.h>
#include <stdio.h>

#include "wld/settings.h"

/* GitHub's limit on the body of an issue or a comment, in characters. */
#define WLD_ISSUE_MAX_CHARS 65536

struct wld_report;

/* The i-th project --for takes ("llama.cpp", "ollama", "llama-cpp-python"), the value of
 * enum wld_issue_for i + 1; NULL past the last. */
const char *wld_issue_for_name(size_t i);

/* Renders r for target's bug template. log_tail: the end of `check --log`'s file, already
 * redacted as the report is, or NULL; max_chars: the size to stay under
 * (WLD_ISSUE_MAX_CHARS; smaller in tests). */
void wld_render_issue(const struct wld_report *r,
                      enum wld_issue_for target,
                      const char *log_tail,
                      size_t max_chars,
                      FILE *out);

#endif
