/* Writing text into the formats every renderer shares (see wld/render.h): a table of
 * escapes per byte, XML, GitHub workflow commands, indented JSON. */
#include "wld/render.h"

#include <stdlib.h>

void wld_put_escaped(FILE *out, const char *s, const char *const table[256], bool drop_controls)
{
    for (const unsigned char *p = (const unsigned char *) (s ? s : ""); *p; p++) {
        if (table[*p])
            fputs(table[*p], out);
        else if (!drop_controls || *p >= 0x20 || *p == '\t' || *p == '\n')
            fputc(*p, out);
    }
}

/* XML 1.0 text or attribute value: markup escaped, and the control characters XML cannot
 * carry at all left out. */
static const char *const xml_escapes[256] = {
    ['&'] = "&amp;",  ['<'] = "&lt;",    ['>'] = "&gt;",
    ['"'] = "&quot;", ['\''] = "&apos;", ['\r'] = "&#13;",
};

void wld_put_xml(FILE *out, const char *s)
{
    wld_put_escaped(out, s, xml_escapes, true);
}

/* A workflow command's message escapes "%", CR and LF; a property value also ":", ",". */
static const char *const gh_message[256] = { ['%'] = "%25", ['\r'] = "%0D", ['\n'] = "%0A" };
static const char *const gh_property[256] = {
    ['%'] = "%25", ['\r'] = "%0D", ['\n'] = "%0A", [':'] = "%3A", [','] = "%2C"
};

void wld_put_gh(FILE *out, const char *s, bool property)
{
    wld_put_escaped(out, s, property ? gh_property : gh_message, false);
}

void wld_put_json(const cJSON *doc, FILE *out)
{
    char *s = cJSON_Print(doc);
    if (!s)
        abort();
    fputs(s, out);
    fputc('\n', out);
    free(s);
}
