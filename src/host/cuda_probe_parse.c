/* The CUDA driver probe's parent side (see wld/cuda_probe.h): the helper's events, one
 * JSON object a line, folded into gpu.cuda's facts; src/host/cuda_probe.c is the helper. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/cuda_probe.h"
#include "wld/util.h"

static cJSON *array_member(cJSON *facts, const char *name)
{
    cJSON *a = cJSON_GetObjectItemCaseSensitive(facts, name);
    return a ? a : cJSON_AddArrayToObject(facts, name);
}

/* The device entry for index i, created on first use (events may arrive out of order). */
static cJSON *device_entry(cJSON *facts, int i)
{
    cJSON *devs = array_member(facts, "devices"), *d;
    cJSON_ArrayForEach(d, devs)
    {
        if (wld_fact_int(d, "index", 0, WLD_CUDA_MAX_DEVICES - 1, -1) == i)
            return d;
    }
    d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "index", i);
    cJSON_AddItemToArray(devs, d);
    return d;
}

static void set_member(cJSON *o, const char *name, cJSON *v)
{
    if (cJSON_GetObjectItemCaseSensitive(o, name))
        cJSON_ReplaceItemInObjectCaseSensitive(o, name, v);
    else
        cJSON_AddItemToObject(o, name, v);
}

static void copy_member(cJSON *to, const cJSON *from, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, name);
    if (v)
        set_member(to, name, cJSON_Duplicate(v, true));
}

static double mib(double bytes)
{
    return floor(bytes / (1024.0 * 1024.0));
}

static void fold(cJSON *facts, const cJSON *e, const char *ev)
{
    if (strcmp(ev, "load_error") == 0) {
        cJSON *l = cJSON_CreateObject();
        copy_member(l, e, "path");
        copy_member(l, e, "error");
        cJSON_AddItemToArray(array_member(facts, "load_errors"), l);
    } else if (strcmp(ev, "loaded") == 0) {
        cJSON *l = cJSON_CreateObject();
        copy_member(l, e, "path");
        copy_member(l, e, "file");
        set_member(facts, "loaded", l);
    } else if (strcmp(ev, "missing") == 0) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "symbols");
        if (cJSON_IsArray(s))
            set_member(facts, "missing_symbols", cJSON_Duplicate(s, true));
    } else if (strcmp(ev, "call") == 0) {
        cJSON *c = cJSON_CreateObject();
        copy_member(c, e, "fn");
        copy_member(c, e, "device");
        set_member(facts, "pending_call", c);
    } else if (strcmp(ev, "ret") == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(facts, "pending_call");
        const char *fn = wld_fact_str(e, "fn");
        double code = wld_fact_num(e, "code", -1);
        cJSON *r = cJSON_CreateObject();
        copy_member(r, e, "fn");
        copy_member(r, e, "code");
        copy_member(r, e, "name");
        copy_member(r, e, "device");
        if (fn && strcmp(fn, "cuInit") == 0)
            set_member(facts, "init", r);
        else if (code != 0)
            cJSON_AddItemToArray(array_member(facts, "failed_calls"), r);
        else
            cJSON_Delete(r);
    } else if (strcmp(ev, "driver") == 0) {
        double v = wld_fact_num(e, "cuda_version", -1);
        if (v > 0 && v < 1e6) {
            char s[32];
            int iv = (int) v;
            snprintf(s, sizeof(s), "%d.%d", iv / 1000, (iv % 1000) / 10);
            set_member(facts, "driver_cuda_version", cJSON_CreateString(s));
            set_member(facts, "driver_cuda_version_raw", cJSON_CreateNumber(iv));
        }
    } else if (strcmp(ev, "count") == 0) {
        set_member(facts, "device_count",
                   cJSON_CreateNumber((double) wld_fact_int(e, "value", 0, INT_MAX, 0)));
    } else if (strcmp(ev, "device") == 0) {
        int i = (int) wld_fact_int(e, "index", 0, WLD_CUDA_MAX_DEVICES - 1, -1);
        if (i < 0)
            return;
        cJSON *d = device_entry(facts, i);
        copy_member(d, e, "name");
        copy_member(d, e, "pci_bus_id");
        int major = (int) wld_fact_int(e, "cc_major", 0, 99, -1);
        int minor = (int) wld_fact_int(e, "cc_minor", 0, 99, -1);
        if (major >= 0 && minor >= 0) {
            char cc[24]; /* two ints, whatever the compiler can prove of their range */
            snprintf(cc, sizeof(cc), "%d.%d", major, minor);
            set_member(d, "cc", cJSON_CreateString(cc));
        }
        double total = wld_fact_num(e, "total_bytes", -1);
        if (total >= 0 && total < 0x1p63) { /* bytes, as a u64 could hold */
            set_member(d, "total_bytes", cJSON_CreateNumber(total));
            set_member(d, "total_mib", cJSON_CreateNumber(mib(total)));
        }
    } else if (strcmp(ev, "memory") == 0) {
        int i = (int) wld_fact_int(e, "index", 0, WLD_CUDA_MAX_DEVICES - 1, -1);
        double free_b = wld_fact_num(e, "free_bytes", -1);
        if (i < 0 || !(free_b >= 0 && free_b < 0x1p63))
            return;
        cJSON *d = device_entry(facts, i);
        set_member(d, "free_bytes", cJSON_CreateNumber(free_b));
        set_member(d, "free_mib", cJSON_CreateNumber(mib(free_b)));
        const char *source = wld_fact_str(e, "source");
        if (source)
            set_member(d, "free_source", cJSON_CreateString(source));
    } else if (strcmp(ev, "nvml") == 0) {
        cJSON *n = cJSON_GetObjectItemCaseSensitive(facts, "nvml");
        if (!n)
            n = cJSON_AddObjectToObject(facts, "nvml");
        copy_member(n, e, "path");
        copy_member(n, e, "error");
        copy_member(n, e, "load_errors");
        copy_member(n, e, "driver_version");
    } else if (strcmp(ev, "functional") == 0) {
        cJSON *f = cJSON_Duplicate(e, true);
        cJSON_DeleteItemFromObjectCaseSensitive(f, "ev");
        cJSON_AddItemToArray(array_member(facts, "functional"), f);
    } else if (strcmp(ev, "done") == 0) {
        set_member(facts, "done", cJSON_CreateTrue());
    }
}

void wld_cuda_probe_parse(const char *out, size_t n, cJSON *facts)
{
    int garbage = 0;
    size_t events = 0;
    for (size_t pos = 0; pos < n;) {
        const char *line = out + pos;
        const char *nl = memchr(line, '\n', n - pos);
        size_t len = nl ? (size_t) (nl - line) : n - pos;
        pos += len + (nl ? 1 : 0);
        if (len == 0)
            continue;
        cJSON *e = cJSON_ParseWithLength(line, len);
        const char *ev = cJSON_IsObject(e) ? wld_fact_str(e, "ev") : NULL;
        if (ev && events < 4096) {
            fold(facts, e, ev);
            events++;
        } else {
            garbage++;
        }
        cJSON_Delete(e);
    }
    if (!cJSON_GetObjectItemCaseSensitive(facts, "done"))
        cJSON_AddFalseToObject(facts, "done");
    if (garbage)
        cJSON_AddNumberToObject(facts, "garbage_lines", garbage);
}
