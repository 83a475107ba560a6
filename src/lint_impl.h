/* Between the lint command's walk and report (src/lint.c, src/lint_render.c) and its
 * per-kind judging (src/lint_files.c). */
#ifndef WLD_LINT_IMPL_H
#define WLD_LINT_IMPL_H

#include "wld/lint.h"

/* A finding for the file as a whole, from the rules' common outcome (lint_not_text,
 * lint_not_file, lint_unreadable) rendered with vars. */
void wld_lint_common(struct wld_lint_file *f,
                     const struct wld_rules *rules,
                     const char *outcome,
                     const cJSON *vars);

#endif
