/* Fatbinary scanning (see wld/fatbin.h). */
#include "wld/fatbin.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wld/check.h"

#define FATBIN_MAGIC  0xBA55ED50u
#define CONTAINER_HDR 16u
#define ENTRY_MIN     32u /* the fields read here end at byte 32 of an entry header */
#define ENTRY_MAX     4096u
#define KIND_PTX      1u
#define KIND_ELF      2u
#define KIND_ELF_ALT  0x10u
#define MAX_ENTRIES   (1u << 20)

static void add_arch(unsigned *list, size_t *n, unsigned sm)
{
    size_t i = 0;
    while (i < *n && list[i] < sm)
        i++;
    if ((i < *n && list[i] == sm) || *n >= WLD_FATBIN_MAX_ARCHS)
        return;
    memmove(list + i + 1, list + i, (*n - i) * sizeof(*list));
    list[i] = sm;
    (*n)++;
}

/* One container at pos (its header already checked); returns false if it is malformed. */
static bool
scan_container(const struct wld_reader *r, uint64_t pos, uint64_t end, struct wld_fatbin *fb)
{
    unsigned char e[ENTRY_MIN];
    while (pos < end) {
        if (end - pos < ENTRY_MIN || !wld_reader_exact(r, pos, e, sizeof(e)))
            return false;
        uint16_t kind = wld_le16(e);
        uint32_t hdr = wld_le32(e + 4);
        uint64_t payload = wld_le64(e + 8);
        uint32_t sm = wld_le32(e + 28);
        if (hdr < ENTRY_MIN || hdr > ENTRY_MAX || hdr > end - pos || payload > end - pos - hdr ||
            fb->entries >= MAX_ENTRIES)
            return false;
        if (sm > 0 && sm < 1000) {
            if (kind == KIND_PTX) {
                add_arch(fb->ptx, &fb->n_ptx, sm);
                unsigned minor = wld_le16(e + 24), major = wld_le16(e + 26);
                if (major > fb->ptx_isa_major ||
                    (major == fb->ptx_isa_major && minor > fb->ptx_isa_minor)) {
                    fb->ptx_isa_major = major;
                    fb->ptx_isa_minor = minor;
                }
            } else if (kind == KIND_ELF || kind == KIND_ELF_ALT)
                add_arch(fb->sass, &fb->n_sass, sm);
        }
        fb->entries++;
        pos += hdr + payload; /* hdr >= 32: always progress */
    }
    return true;
}

int wld_fatbin_scan(const struct wld_reader *r,
                    uint64_t offset,
                    uint64_t size,
                    struct wld_fatbin *ret)
{
    memset(ret, 0, sizeof(*ret));
    if (offset > r->size || size > r->size - offset)
        return -EINVAL;
    uint64_t pos = offset, end = offset + size;
    unsigned char h[CONTAINER_HDR];
    while (end - pos >= CONTAINER_HDR) {
        if (!wld_reader_exact(r, pos, h, sizeof(h))) {
            ret->stopped_early = true;
            break;
        }
        uint32_t magic = wld_le32(h);
        uint16_t hsize = wld_le16(h + 6);
        uint64_t fat = wld_le64(h + 8);
        if (magic != FATBIN_MAGIC && wld_le64(h) == 0 && fat == 0) {
            pos += CONTAINER_HDR; /* zero padding between containers (section alignment) */
            continue;
        }
        /* hsize >= 16, so every container moves pos forward */
        if (magic != FATBIN_MAGIC || hsize < CONTAINER_HDR || hsize > end - pos ||
            fat > end - pos - hsize) {
            ret->stopped_early = true;
            break;
        }
        ret->containers++; /* its entries up to a bad one still count */
        if (!scan_container(r, pos + hsize, pos + hsize + fat, ret)) {
            ret->stopped_early = true;
            break;
        }
        pos += hsize + fat;
    }
    return ret->containers > 0 ? 0 : -EINVAL;
}

/* ---- as facts ---- */

static cJSON *int_array(const unsigned *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

void wld_fatbin_file_facts(const struct wld_host *h, const char *path, cJSON *list)
{
    struct wld_file_reader f;
    struct wld_fatbin fb;
    uint64_t off = 0, size = 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "file", path);
    cJSON_AddItemToArray(list, o);
    int r = wld_reader_open(h, path, &f);
    if (r == 0) {
        r = wld_elf_section(&f.r, ".nv_fatbin", &off, &size);
        if (r == 0)
            r = wld_fatbin_scan(&f.r, off, size, &fb);
        wld_reader_close(&f);
    }
    if (r < 0) {
        cJSON_AddStringToObject(o, "error",
                                r == -ENOENT   ? "no .nv_fatbin section"
                                : r == -EINVAL ? "not a readable ELF/fatbinary"
                                               : wld_errno_name(-r));
        return;
    }
    cJSON_AddItemToObject(o, "sass", int_array(fb.sass, fb.n_sass));
    cJSON_AddItemToObject(o, "ptx", int_array(fb.ptx, fb.n_ptx));
    if (fb.n_ptx) {
        char isa[32];
        snprintf(isa, sizeof(isa), "%u.%u", fb.ptx_isa_major, fb.ptx_isa_minor);
        cJSON_AddStringToObject(o, "ptx_isa", isa);
    }
    cJSON_AddNumberToObject(o, "containers", (double) fb.containers);
    cJSON_AddNumberToObject(o, "entries", (double) fb.entries);
    if (fb.stopped_early)
        cJSON_AddBoolToObject(o, "stopped_early", true);
}

bool wld_fatbin_facts_run_on(const cJSON *list, unsigned cc, bool *known)
{
    const cJSON *fb, *v;
    *known = false;
    cJSON_ArrayForEach(fb, list)
    {
        if (!cJSON_GetObjectItemCaseSensitive(fb, "sass"))
            continue; /* unread: says nothing */
        *known = true;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fb, "sass"))
        {
            unsigned sm = cJSON_IsNumber(v) ? (unsigned) v->valuedouble : 0;
            if (sm / 10 == cc / 10 && sm % 10 <= cc % 10)
                return true;
        }
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(fb, "ptx"))
        {
            if (cJSON_IsNumber(v) && v->valuedouble > 0 && (unsigned) v->valuedouble <= cc)
                return true;
        }
    }
    return false;
}
