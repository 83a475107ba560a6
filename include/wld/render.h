/* What every renderer of every command (check, lint, log) shares: its options and the
 * escaping of text into XML, GitHub workflow commands and JSON. Below the reports, so a
 * command's renderer needs nothing of another's. */
#ifndef WLD_RENDER_H
#define WLD_RENDER_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>

#include "wld/settings.h" /* enum wld_format */

struct wld_render_opts {
    bool color;
    bool verbose;
    bool fail_on_warn; /* junit: a warning is a failure (--fail-on warn) */
};

/* Writes s with each byte c that has a table[c] replaced by it; drop_controls also leaves
 * out control characters other than tab and line feed (XML cannot hold them). */
void wld_put_escaped(FILE *out, const char *s, const char *const table[256], bool drop_controls);

/* s escaped for XML text and attributes (controls dropped); for a GitHub workflow
 * command's message, or with property for one of its properties (title=, file=). */
void wld_put_xml(FILE *out, const char *s);
void wld_put_gh(FILE *out, const char *s, bool property);
/* A JSON document, indented, and a newline. */
void wld_put_json(const cJSON *doc, FILE *out);

#endif
