/* OOM kills in the kernel log (see wld/parse.h): the "Killed process" line the kernel
 * prints for every victim of the OOM killer, global or of a memory cgroup, as /dev/kmsg
 * records ("3,1234,518050606,-;Out of memory: ...") or as dmesg prints them ("[  518.05]
 * Out of memory: ..."). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/parse.h"
#include "wld/util.h"

#define MAX_KILLS 256

/* The kB figure after "name:" in s ("anon-rss:14095848kB"), or -1. */
static double kib_after(const char *s, const char *name)
{
    const char *p = strstr(s, name);
    if (!p)
        return -1;
    p += strlen(name);
    char *end = NULL;
    double v = strtod(p, &end);
    return end != p && strncmp(end, "kB", 2) == 0 && v >= 0 && v < 1e15 ? v : -1;
}

/* Seconds since boot of a line: the /dev/kmsg record's microseconds, or dmesg's
 * "[  518.050606]"; -1 when the line has neither (dmesg -T's wall clock). */
static double line_time(const char *line, const char *text_start)
{
    if (line[0] >= '0' && line[0] <= '9') {
        /* PRIO,SEQ,USEC,FLAGS;TEXT */
        const char *c1 = strchr(line, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
        if (c2 && c2 < text_start) {
            char *end = NULL;
            double us = strtod(c2 + 1, &end);
            if (end != c2 + 1 && *end == ',' && us >= 0)
                return us / 1e6;
        }
    }
    const char *b = strchr(line, '[');
    if (b && b < text_start) {
        char *end = NULL;
        double s = strtod(b + 1, &end);
        if (end != b + 1 && *wld_str_skip_space(end) == ']' && s >= 0)
            return s;
    }
    return -1;
}

int wld_oom_kills_parse(const char *text, struct wld_oom_kill **ret, size_t *ret_n)
{
    struct wld_oom_kill *kills = NULL;
    size_t n = 0;
    char line[2048];
    for (const char *p = text; *p;) {
        wld_str_line(p, line, sizeof(line));
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
        const char *k = strstr(line, "Killed process ");
        if (!k || n >= MAX_KILLS)
            continue;
        /* "Killed process 6154 (python) total-vm:...": the name may hold spaces and
         * parentheses ("(sd-pam)"), so it ends at the last ") " */
        char *end = NULL;
        long pid = strtol(k + 15, &end, 10);
        if (end == k + 15 || pid <= 0 || strncmp(end, " (", 2) != 0)
            continue;
        const char *name = end + 2, *close = NULL;
        for (const char *q = name; (q = strstr(q, ") ")) != NULL; q++)
            close = q;
        if (!close) {
            size_t l = strlen(name);
            close = l && name[l - 1] == ')' ? name + l - 1 : NULL;
        }
        if (!close || close == name)
            continue;
        kills = wld_xrealloc(kills, (n + 1) * sizeof(*kills));
        struct wld_oom_kill *o = &kills[n++];
        memset(o, 0, sizeof(*o));
        size_t nl_len = (size_t) (close - name);
        char *printable = wld_str_printable(name, nl_len);
        wld_str_copy(o->process, sizeof(o->process), printable);
        free(printable);
        o->pid = pid;
        o->cgroup = strstr(line, "Memory cgroup out of memory") != NULL;
        o->anon_rss_kib = kib_after(close, "anon-rss:");
        o->file_rss_kib = kib_after(close, "file-rss:");
        o->total_vm_kib = kib_after(close, "total-vm:");
        o->at_s = line_time(line, k);
    }
    *ret = kills;
    *ret_n = n;
    return 0;
}
