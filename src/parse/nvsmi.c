/* nvidia-smi output parsing. The table changed across driver generations (column widths,
 * "CUDA Version" -> "CUDA UMD Version", "Driver Version" -> "KMD Version") and users paste
 * it with prompts, indentation and cut-off rows, so the table parser keys on labels,
 * never on column positions. The CSV query form is stable and preferred. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"
#include "wld/version.h"

/* Copies the token after label (skipping spaces) into out; false when label is absent. */
static bool token_after(const char *line, const char *label, char *out, size_t n)
{
    const char *p = strstr(line, label);
    if (!p || n == 0)
        return false;
    p = wld_str_skip_space(p + strlen(label));
    size_t i = 0;
    while (*p && !isspace((unsigned char) *p) && *p != '|' && *p != '`' && i + 1 < n)
        out[i++] = *p++;
    out[i] = '\0';
    return i > 0;
}

static bool is_version(const char *s)
{
    struct wld_version v;
    const char *end = NULL;
    return wld_version_parse(s, &v, &end) == 0 && *end == '\0' && v.n >= 2;
}

/* "|   0  NVIDIA GeForce ... WDDM  | 00000000:0A:00.0  On |" -> index row. */
static bool parse_gpu_row(const char *line, struct wld_nvsmi_gpu *g)
{
    const char *p = wld_str_skip_space(line);
    if (*p != '|')
        return false;
    p = wld_str_skip_space(p + 1);
    if (!isdigit((unsigned char) *p))
        return false;
    while (isdigit((unsigned char) *p))
        p++;
    if (*p != ' ' && *p != '\t')
        return false;
    const char *cell_end = strchr(p, '|');
    if (!cell_end)
        return false;
    char cell[160];
    size_t len = (size_t) (cell_end - p);
    if (len >= sizeof(cell))
        len = sizeof(cell) - 1;
    memcpy(cell, p, len);
    cell[len] = '\0';
    wld_str_trim(cell);
    /* drop the trailing Persistence-M / TCC-WDDM token */
    char *last = strrchr(cell, ' ');
    if (last && (strcmp(last + 1, "On") == 0 || strcmp(last + 1, "Off") == 0 ||
                 strcmp(last + 1, "WDDM") == 0 || strcmp(last + 1, "TCC") == 0 ||
                 strcmp(last + 1, "N/A") == 0)) {
        *last = '\0';
        wld_str_trim(cell);
    }
    memset(g, 0, sizeof(*g));
    snprintf(g->name, sizeof(g->name), "%.127s", cell);
    const char *bus = wld_str_skip_space(cell_end + 1);
    size_t i = 0;
    while (*bus && !isspace((unsigned char) *bus) && *bus != '|' && i + 1 < sizeof(g->bus_id))
        g->bus_id[i++] = *bus++;
    g->bus_id[i] = '\0';
    g->mem_total_mib = g->mem_used_mib = -1;
    return true;
}

static void parse_memory(const char *line, struct wld_nvsmi_gpu *g)
{
    const char *p = strstr(line, "MiB /");
    if (!p)
        return;
    const char *q = p;
    while (q > line && isdigit((unsigned char) q[-1]))
        q--;
    if (q == p)
        return;
    g->mem_used_mib = strtod(q, NULL);
    g->mem_total_mib = strtod(wld_str_skip_space(p + 5), NULL);
}

int wld_nvsmi_parse_table(const char *text, struct wld_nvsmi *ret)
{
    struct wld_nvsmi r;
    char line[512];
    bool header = false, in_gpus = false, want_mem = false;
    memset(&r, 0, sizeof(r));
    for (const char *p = text; *p;) {
        wld_str_line(p, line, sizeof(line));
        if (!header && strstr(line, "NVIDIA-SMI ")) {
            token_after(line, "NVIDIA-SMI ", r.smi_version, sizeof(r.smi_version));
            if (!token_after(line, "Driver Version:", r.driver_version, sizeof(r.driver_version)))
                token_after(line, "KMD Version:", r.driver_version, sizeof(r.driver_version));
            if (!token_after(line, "CUDA UMD Version:", r.cuda_version, sizeof(r.cuda_version)))
                token_after(line, "CUDA Version:", r.cuda_version, sizeof(r.cuda_version));
            header = is_version(r.driver_version) || is_version(r.smi_version);
        } else if (header && strstr(line, "|====")) {
            in_gpus = !strstr(line, "Processes") && r.n_gpus == 0 ? true : in_gpus;
        } else if (header && strstr(line, "Processes:")) {
            in_gpus = false;
        } else if (in_gpus && r.n_gpus < WLD_NVSMI_MAX_GPUS &&
                   parse_gpu_row(line, &r.gpus[r.n_gpus])) {
            r.n_gpus++;
            want_mem = true;
        } else if (want_mem && r.n_gpus > 0) {
            parse_memory(line, &r.gpus[r.n_gpus - 1]);
            want_mem = false;
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    if (!header || !is_version(r.driver_version))
        return -EINVAL;
    *ret = r;
    return 0;
}

static double csv_number(const char *s)
{
    char *end = NULL;
    double v = strtod(s, &end);
    return end != s && *wld_str_skip_space(end) == '\0' && v >= 0 ? v : -1;
}

int wld_nvsmi_parse_csv(const char *text, struct wld_nvsmi *ret)
{
    struct wld_nvsmi r;
    char line[512];
    memset(&r, 0, sizeof(r));
    for (const char *p = text; *p;) {
        wld_str_line(p, line, sizeof(line));
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
        wld_str_trim(line);
        if (!line[0])
            continue;
        /* index, name, driver_version, driver_model.current, pci.bus_id */
        char *field[5];
        int nf = 0;
        char *s = line;
        for (;;) {
            field[nf++] = s;
            char *comma = strchr(s, ',');
            if (!comma)
                break;
            if (nf == 5)
                return -EINVAL; /* more fields than asked for */
            *comma = '\0';
            s = comma + 1;
        }
        if (nf != 5)
            return -EINVAL;
        for (int i = 0; i < 5; i++)
            wld_str_trim(field[i]);
        if (csv_number(field[0]) < 0 || !field[1][0] || !is_version(field[2]))
            return -EINVAL;
        if (r.driver_version[0] && strcmp(r.driver_version, field[2]) != 0)
            return -EINVAL;
        /* a "version" too long for the field is not one nvidia-smi prints */
        if (wld_str_copy(r.driver_version, sizeof(r.driver_version), field[2]))
            return -EINVAL;
        if (r.n_gpus < WLD_NVSMI_MAX_GPUS) {
            struct wld_nvsmi_gpu *g = &r.gpus[r.n_gpus++];
            wld_str_copy(g->name, sizeof(g->name), field[1]); /* a cut name ends in "..." */
            wld_str_copy(g->driver_model, sizeof(g->driver_model), field[3]);
            wld_str_copy(g->bus_id, sizeof(g->bus_id), field[4]);
            g->mem_total_mib = -1;
            g->mem_used_mib = -1;
        }
    }
    if (r.n_gpus == 0)
        return -EINVAL;
    *ret = r;
    return 0;
}
