/* The `fit` command's table (src/fit/fit_cmd.c): a renderer over a models.fit report. */
#ifndef WLD_FIT_CMD_H
#define WLD_FIT_CMD_H

#include <stdio.h>

#include "wld/pipeline.h"
#include "wld/settings.h"

/* Prints the table for the first model of rep's models.fit facts in o->format. Returns 0,
 * or -1 when the report has no models.fit result. */
int wld_fit_cmd(const struct wld_report *rep, const struct wld_options *o, FILE *out);

#endif
