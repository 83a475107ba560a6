/* systemd unit files, read the way systemd reads them (see wld/parse.h): sections,
 * "Key=Value" assignments, '#' and ';' comment lines, a backslash at the end of a line
 * continuing it, and an empty assignment resetting a list ("ExecStart=" in a drop-in).
 * Specifiers (%h, %u) are left as they are. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

#define MAX_LINE (64 * 1024)

static void problem(cJSON *problems, unsigned line, const char *code, const char *text)
{
    if (!problems || cJSON_GetArraySize(problems) >= 256)
        return;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "line", line);
    cJSON_AddStringToObject(p, "code", code);
    char *s = wld_str_printable(text, strnlen(text, 200));
    cJSON_AddStringToObject(p, "text", s);
    free(s);
    cJSON_AddItemToArray(problems, p);
}

/* One logical line from *p on (continuations joined with a space), in a new string;
 * *line advanced past the physical lines it used. NULL at the end. */
static char *logical_line(const char **p, unsigned *line)
{
    if (!**p)
        return NULL;
    struct wld_buf b;
    wld_buf_init(&b, MAX_LINE);
    for (;;) {
        const char *s = *p, *nl = strchr(s, '\n');
        size_t n = nl ? (size_t) (nl - s) : strlen(s);
        *p = nl ? nl + 1 : s + n;
        (*line)++;
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        /* comment lines inside a continuation are dropped, as systemd does */
        const char *t = wld_str_skip_space(s);
        bool comment = b.len && (*t == '#' || *t == ';');
        bool more = n && s[n - 1] == '\\' && !comment;
        if (!comment) {
            wld_buf_append(&b, s, more ? n - 1 : n);
            if (more)
                wld_buf_append(&b, " ", 1);
        }
        if ((!more && !comment) || !**p)
            break;
    }
    return wld_buf_detach(&b);
}

/* where[name] as an object, made when absent. */
static cJSON *object_in(cJSON *where, const char *name)
{
    cJSON *o = cJSON_GetObjectItemCaseSensitive(where, name);
    return o ? o : cJSON_AddObjectToObject(where, name);
}

void wld_unit_parse(const char *text, cJSON *unit, cJSON *problems)
{
    wld_unit_parse_at(text, unit, problems, NULL);
}

void wld_unit_parse_at(const char *text, cJSON *unit, cJSON *problems, cJSON *where)
{
    const char *p = text;
    unsigned line = 0;
    char *l;
    cJSON *section = NULL;
    for (unsigned at = 1; (l = logical_line(&p, &line)) != NULL; at = line + 1) {
        char *s = (char *) wld_str_skip_space(l);
        wld_str_trim(s);
        if (!*s || *s == '#' || *s == ';') {
            free(l);
            continue;
        }
        if (*s == '[') {
            char *close = strchr(s, ']');
            if (!close || close[1]) {
                problem(problems, at, "bad_section", s);
                section = NULL;
            } else {
                *close = '\0';
                section = cJSON_GetObjectItemCaseSensitive(unit, s + 1);
                if (!section)
                    section = cJSON_AddObjectToObject(unit, s + 1);
                cJSON *lines = where ? object_in(where, "sections") : NULL;
                if (lines && !cJSON_GetObjectItemCaseSensitive(lines, s + 1))
                    cJSON_AddNumberToObject(lines, s + 1, at);
            }
            free(l);
            continue;
        }
        char *eq = strchr(s, '=');
        if (!eq || eq == s) {
            problem(problems, at, "not_assignment", s);
            free(l);
            continue;
        }
        if (!section) {
            problem(problems, at, "no_section", s);
            free(l);
            continue;
        }
        *eq = '\0';
        char *key = s, *value = (char *) wld_str_skip_space(eq + 1);
        wld_str_trim(key);
        /* systemd keeps "# text" after a value as part of it */
        if (strstr(value, " #") || strstr(value, "\t#"))
            problem(problems, at, "inline_comment", value);
        cJSON *list = cJSON_GetObjectItemCaseSensitive(section, key);
        if (!list)
            list = cJSON_AddArrayToObject(section, key);
        cJSON *pos = NULL;
        if (where) {
            cJSON *keys = object_in(object_in(where, "keys"), section->string);
            pos = cJSON_GetObjectItemCaseSensitive(keys, key);
            if (!pos)
                pos = cJSON_AddArrayToObject(keys, key);
        }
        if (!*value) { /* an empty assignment resets the list */
            while (cJSON_GetArraySize(list) > 0)
                cJSON_DeleteItemFromArray(list, 0);
            while (cJSON_GetArraySize(pos) > 0)
                cJSON_DeleteItemFromArray(pos, 0);
        } else if (cJSON_GetArraySize(list) < 256) {
            cJSON_AddItemToArray(list, cJSON_CreateString(value));
            if (pos) {
                /* offsets in l, the logical line, hold on its first physical line */
                double at3[3] = { at, (double) (key - l) + 1, (double) (value - l) + 1 };
                cJSON_AddItemToArray(pos, cJSON_CreateDoubleArray(at3, 3));
            }
        }
        free(l);
    }
}

const char *wld_unit_last(const cJSON *unit, const char *section, const char *key)
{
    const cJSON *list =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(unit, section), key);
    const cJSON *last = cJSON_GetArrayItem(list, cJSON_GetArraySize(list) - 1);
    return cJSON_IsString(last) ? last->valuestring : NULL;
}

char **wld_unit_words(const char *value)
{
    /* words set apart by spaces; "double" and 'single' quotes group, a backslash escapes */
    size_t n = 0, cap = 8;
    char **v = wld_xcalloc(cap + 1, sizeof(char *));
    const char *p = value ? value : "";
    for (;;) {
        p = wld_str_skip_space(p);
        if (!*p || n >= 4096)
            break;
        struct wld_buf w;
        wld_buf_init(&w, MAX_LINE);
        char quote = 0;
        for (; *p && (quote || (*p != ' ' && *p != '\t')); p++) {
            if (quote && *p == quote) {
                quote = 0;
            } else if (!quote && (*p == '"' || *p == '\'')) {
                quote = *p;
            } else if (*p == '\\' && p[1]) {
                wld_buf_append(&w, ++p, 1);
            } else {
                wld_buf_append(&w, p, 1);
            }
        }
        if (n == cap) {
            cap *= 2;
            v = wld_xrealloc(v, (cap + 1) * sizeof(char *));
        }
        v[n++] = wld_buf_detach(&w);
        v[n] = NULL;
    }
    return v;
}
