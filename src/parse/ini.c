/* .wslconfig parsing that mirrors WSL's own parser (microsoft/WSL
 * src/shared/configfile/configfile.cpp): '#' comments (also after a value), section and
 * key names start with a letter and continue alphanumeric, values unquoted with \\ \" \b
 * \n \t escapes and backslash-newline continuation, trailing space trimmed. Lines WSL
 * warns about are kept as diagnostics with their line numbers, because users need to
 * know which line WSL ignored. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

#define MAX_ENTRIES 4096
#define MAX_DIAGS   4096

static bool is_hspace(int c)
{
    return c == ' ' || c == '\t';
}

static bool valid_utf8(const unsigned char *p, size_t n)
{
    char *s = wld_str_printable((const char *) p, n);
    bool ok = true;
    /* wld_str_printable replaces invalid sequences and controls with '?': compare */
    for (size_t i = 0, j = 0; i < n && s[j]; i++, j++)
        if (s[j] == '?' && p[i] != '?' && p[i] >= 0x20 && p[i] != 0x7f) {
            ok = false;
            break;
        }
    free(s);
    return ok;
}

/* Marks line as the first one not kept whole. */
static void cut_at(struct wld_ini *ini, unsigned line)
{
    if (!ini->cut_line || line < ini->cut_line)
        ini->cut_line = line;
}

static void add_diag(struct wld_ini *ini, unsigned line, const char *code, const char *linetext)
{
    if (ini->n_diags >= MAX_DIAGS) {
        cut_at(ini, line);
        return;
    }
    ini->diags = wld_xrealloc(ini->diags, (ini->n_diags + 1) * sizeof(*ini->diags));
    char shown[160];
    wld_str_line(linetext, shown, sizeof(shown));
    ini->diags[ini->n_diags].line = line;
    ini->diags[ini->n_diags].code = code;
    ini->diags[ini->n_diags].text = wld_str_printable(shown, strlen(shown));
    ini->n_diags++;
}

static void add_entry(struct wld_ini *ini,
                      const char *section,
                      const char *key,
                      const char *value,
                      unsigned line,
                      char control_escape)
{
    if (ini->n_entries >= MAX_ENTRIES) {
        cut_at(ini, line);
        return;
    }
    ini->entries = wld_xrealloc(ini->entries, (ini->n_entries + 1) * sizeof(*ini->entries));
    struct wld_ini_entry *e = &ini->entries[ini->n_entries++];
    e->section = wld_xstrdup(section);
    e->key = wld_xstrdup(key);
    e->value = wld_xstrdup(value);
    e->line = line;
    e->control_escape = control_escape;
}

/* Parses one logical line starting at *pp; advances *pp past it and *line by the
 * physical lines consumed. */
static void
parse_line(struct wld_ini *ini, const char **pp, unsigned *line, char *section, size_t section_size)
{
    const char *start = *pp, *p = *pp;
    unsigned lineno = *line;
    const char *code = NULL;
    char key[128];
    size_t kl = 0;
    struct wld_buf value;

    while (is_hspace(*p))
        p++;
    if (*p == '\0' || *p == '\n' || *p == '\r' || *p == '#')
        goto skip_rest;
    if (*p == ';') {
        code = "semicolon_comment";
        goto skip_rest;
    }
    if (*p == '[') {
        p++;
        if (!isalpha((unsigned char) *p)) {
            code = "invalid_section";
            goto skip_rest;
        }
        while (isalnum((unsigned char) *p) && kl + 1 < sizeof(key))
            key[kl++] = *p++;
        key[kl] = '\0';
        if (*p != ']') {
            code = "expected_bracket";
            goto skip_rest;
        }
        p++;
        while (is_hspace(*p))
            p++;
        if (*p && *p != '\n' && *p != '\r' && *p != '#') {
            code = "expected_eol";
            goto skip_rest;
        }
        snprintf(section, section_size, "%s", key);
        goto skip_rest;
    }
    if (!isalpha((unsigned char) *p)) {
        code = "invalid_key";
        goto skip_rest;
    }
    while (isalnum((unsigned char) *p) && kl + 1 < sizeof(key))
        key[kl++] = *p++;
    key[kl] = '\0';
    while (is_hspace(*p))
        p++;
    if (*p != '=') {
        code = "expected_eq";
        goto skip_rest;
    }
    p++;
    while (is_hspace(*p))
        p++;
    wld_buf_init(&value, 64 * 1024);
    bool in_quote = false;
    size_t trimmed = 0;
    char control_escape = 0; /* the first \b, \n or \t: a Windows path's single backslash */
    while (*p && *p != '\n' && *p != '\r') {
        char c = *p;
        if (c == '"') {
            in_quote = !in_quote;
        } else if (c == '\\') {
            char e = p[1];
            if (e == '\\' || e == '"')
                wld_buf_append(&value, &e, 1);
            else if (e == 'b') {
                wld_buf_puts(&value, "\b");
                control_escape = control_escape ? control_escape : e;
            } else if (e == 'n') {
                wld_buf_puts(&value, "\n");
                control_escape = control_escape ? control_escape : e;
            } else if (e == 't') {
                wld_buf_puts(&value, "\t");
                control_escape = control_escape ? control_escape : e;
            } else if (e == '\n' || (e == '\r' && p[2] == '\n')) {
                p += e == '\r' ? 1 : 0; /* line continuation: both characters skipped */
                (*line)++;
            } else {
                code = "invalid_escape";
                wld_buf_release(&value);
                goto skip_rest;
            }
            p++; /* now on the last character of the escape; the loop steps past it */
        } else if (c == '#' && !in_quote) {
            break;
        } else {
            wld_buf_append(&value, &c, 1);
        }
        if (!is_hspace(c))
            trimmed = value.len;
        if (*p)
            p++;
    }
    if (in_quote) {
        code = "unterminated_quote";
        wld_buf_release(&value);
        goto skip_rest;
    }
    value.data[trimmed] = '\0';
    if (value.truncated)
        cut_at(ini, lineno);
    add_entry(ini, section, key, value.data, lineno, control_escape);
    wld_buf_release(&value);
skip_rest:
    if (code)
        add_diag(ini, lineno, code, start);
    while (*p && *p != '\n' && *p != '\r')
        p++;
    if (*p == '\r')
        p++;
    if (*p == '\n')
        p++;
    (*line)++;
    *pp = p;
}

int wld_ini_parse(const char *data, size_t n, struct wld_ini **ret)
{
    struct wld_ini *ini = wld_xcalloc(1, sizeof(*ini));
    char *text = wld_text_decode(data, n, &ini->encoding);
    /* WSL opens .wslconfig with the MSVC runtime, which honours a UTF-16LE BOM and
     * nothing else: other UTF-16 reaches it as bytes */
    ini->wsl_readable =
            !wld_str_starts(ini->encoding, "utf-16") || strcmp(ini->encoding, "utf-16le-bom") == 0;
    ini->invalid_utf8 = !valid_utf8((const unsigned char *) text, strlen(text));

    char section[128] = "";
    unsigned line = 1;
    const char *p = text;
    while (*p)
        parse_line(ini, &p, &line, section, sizeof(section));
    free(text);
    *ret = ini;
    return 0;
}

void wld_ini_free(struct wld_ini *ini)
{
    if (!ini)
        return;
    for (size_t i = 0; i < ini->n_entries; i++) {
        free(ini->entries[i].section);
        free(ini->entries[i].key);
        free(ini->entries[i].value);
    }
    for (size_t i = 0; i < ini->n_diags; i++)
        free(ini->diags[i].text);
    free(ini->entries);
    free(ini->diags);
    free(ini);
}
