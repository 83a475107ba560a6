/* A WSL configuration file read into facts (see wld/wslfile.h). */
#include "wld/wslfile.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/parse.h"
#include "wld/util.h"

void wld_wsl_file_read(const struct wld_host *h, const char *path, cJSON *facts)
{
    struct wld_buf b;
    int r = wld_host_read(h, path, WLD_CAP_FILE, &b);
    if (r < 0) {
        wld_fact_errno(facts, "read_error", r);
        return;
    }
    wld_wsl_file_parse(b.data, b.len, b.truncated, facts);
    wld_buf_release(&b);
}

void wld_wsl_file_parse(const char *data, size_t n, bool truncated, cJSON *facts)
{
    struct wld_ini *ini = NULL;
    wld_ini_parse(data, n, &ini);
    if (truncated || ini->cut_line) {
        /* what was not read or not kept is never judged as if it were not there */
        cJSON *cut = cJSON_AddObjectToObject(facts, "cut");
        if (truncated) {
            unsigned lines = 1;
            for (size_t i = 0; i < n; i++)
                lines += data[i] == '\n';
            cJSON_AddNumberToObject(cut, "cap_bytes", WLD_CAP_FILE);
            cJSON_AddNumberToObject(cut, "line", lines);
        }
        if (ini->cut_line)
            cJSON_AddNumberToObject(cut, "parse_line", ini->cut_line);
    }
    cJSON_AddStringToObject(facts, "encoding", ini->encoding);
    cJSON_AddBoolToObject(facts, "wsl_readable", ini->wsl_readable);
    cJSON *entries = cJSON_AddArrayToObject(facts, "entries");
    for (size_t i = 0; i < ini->n_entries; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "line", ini->entries[i].line);
        cJSON_AddStringToObject(e, "section", ini->entries[i].section);
        cJSON_AddStringToObject(e, "key", ini->entries[i].key);
        char *v = wld_str_printable(ini->entries[i].value, strlen(ini->entries[i].value));
        cJSON_AddStringToObject(e, "value", v);
        free(v);
        if (ini->entries[i].control_escape) {
            char esc[3] = { '\\', ini->entries[i].control_escape, '\0' };
            cJSON_AddStringToObject(e, "control_escape", esc);
        }
        cJSON_AddItemToArray(entries, e);
    }
    cJSON *diags = cJSON_AddArrayToObject(facts, "skipped_lines");
    for (size_t i = 0; i < ini->n_diags; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "line", ini->diags[i].line);
        cJSON_AddStringToObject(d, "code", ini->diags[i].code);
        cJSON_AddStringToObject(d, "text", ini->diags[i].text);
        cJSON_AddItemToArray(diags, d);
    }
    wld_ini_free(ini);
}

const cJSON *wld_wsl_entry(const cJSON *file, const char *section, const char *key)
{
    const cJSON *e;
    if (!wld_str_is(wld_fact_str(file, "encoding"), "utf-8"))
        return NULL;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(file, "entries"))
    {
        if (wld_str_eq_nocase(wld_fact_str(e, "section"), section) &&
            wld_str_eq_nocase(wld_fact_str(e, "key"), key))
            return e;
    }
    return NULL;
}

const cJSON *wld_wsl_gpu_disabled(const cJSON *wsl_conf)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(wsl_conf, "entries"))
    {
        if (wld_str_eq_nocase(wld_fact_str(e, "section"), "gpu") &&
            wld_str_eq_nocase(wld_fact_str(e, "key"), "enabled"))
            return wld_wsl_bool(wld_fact_str(e, "value")) == 0 ? e : NULL;
    }
    return NULL;
}

char *wld_wsl_drive_root(const cJSON *wsl_conf)
{
    const char *root = wld_fact_str(wld_wsl_entry(wsl_conf, "automount", "root"), "value");
    if (!root || root[0] != '/')
        root = "/mnt/"; /* WslDistributionConfig's default; a relative root is not a path */
    size_t n = strlen(root);
    return n && root[n - 1] == '/' ? wld_xstrdup(root) : wld_xasprintf("%s/", root);
}

char *wld_wsl_windows_path(const char *root, const char *win)
{
    if (!win || !isalpha((unsigned char) win[0]) || win[1] != ':')
        return NULL;
    char *out = wld_xasprintf("%s%c%s", root, tolower((unsigned char) win[0]), win + 2);
    for (char *p = out; *p; p++)
        if (*p == '\\')
            *p = '/';
    return out;
}

int wld_wsl_bool(const char *v)
{
    if (wld_str_eq_nocase(v, "true") || wld_str_is(v, "1"))
        return 1;
    if (wld_str_eq_nocase(v, "false") || wld_str_is(v, "0"))
        return 0;
    return -1;
}
