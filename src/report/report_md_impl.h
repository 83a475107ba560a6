/* The parts of check's markdown report that the bug templates' markdown (--for,
 * report_issue.c) writes too, so that both say a finding and its evidence alike. */
#ifndef WLD_REPORT_MD_IMPL_H
#define WLD_REPORT_MD_IMPL_H

#include <stdbool.h>
#include <stdio.h>

#include "wld/pipeline.h"

/* The heading, the host line, the tally and the table of every check's verdict and fix. */
void wld_put_md_findings(const struct wld_report *r, FILE *out);
/* One check's evidence: a heading and its JSON in a fence; timed adds its duration. */
void wld_put_md_evidence(FILE *out, const struct wld_result *res, bool timed);
/* The line saying what redaction replaced, when the report was redacted. */
void wld_put_md_redacted(const struct wld_report *r, FILE *out);

#endif
