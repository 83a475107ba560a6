/* Fatbinary and ELF section reading (see wld/fatbin.h). */
#include "wld/fatbin.h"

#include <errno.h>
#include <string.h>

#define FATBIN_MAGIC   0xBA55ED50u
#define CONTAINER_HDR  16u
#define ENTRY_MIN      32u /* the fields read here end at byte 32 of an entry header */
#define ENTRY_MAX      4096u
#define KIND_PTX       1u
#define KIND_ELF       2u
#define KIND_ELF_ALT   0x10u
#define MAX_ENTRIES    (1u << 20)
#define ELF_SHDR_SIZE  64u
#define MAX_SECTIONS   65535u
#define MAX_NAME_TABLE (1u << 20)

static int mem_read(const struct wld_reader *r, uint64_t offset, void *buf, size_t len)
{
    if (offset >= r->size)
        return 0;
    size_t left = (size_t) (r->size - offset), k = left < len ? left : len;
    memcpy(buf, (const unsigned char *) r->ctx + offset, k);
    return (int) k;
}

void wld_reader_mem(struct wld_reader *r, const void *data, size_t n)
{
    r->read = mem_read;
    r->ctx = data;
    r->size = n;
}

/* Reads exactly len bytes at offset, or fails. */
static bool read_exact(const struct wld_reader *r, uint64_t offset, void *buf, size_t len)
{
    if (offset > r->size || len > r->size - offset)
        return false;
    return r->read(r, offset, buf, len) == (int) len;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32;
}

int wld_elf_section(const struct wld_reader *r,
                    const char *name,
                    uint64_t *ret_offset,
                    uint64_t *ret_size)
{
    unsigned char eh[64], sh[ELF_SHDR_SIZE];
    if (!read_exact(r, 0, eh, sizeof(eh)) || memcmp(eh, "\177ELF", 4) != 0 || eh[4] != 2 ||
        eh[5] != 1)
        return -EINVAL; /* only ELFCLASS64, little-endian: what CUDA ships for x86_64 */
    uint64_t shoff = le64(eh + 0x28);
    uint16_t shentsize = le16(eh + 0x3A), shnum = le16(eh + 0x3C), shstrndx = le16(eh + 0x3E);
    if (shentsize != ELF_SHDR_SIZE || shnum == 0 || shstrndx >= shnum || shoff > r->size ||
        (uint64_t) shnum * ELF_SHDR_SIZE > r->size - shoff)
        return -EINVAL;
    if (!read_exact(r, shoff + (uint64_t) shstrndx * ELF_SHDR_SIZE, sh, sizeof(sh)))
        return -EINVAL;
    uint64_t str_off = le64(sh + 0x18), str_size = le64(sh + 0x20);
    if (str_size == 0 || str_size > MAX_NAME_TABLE || str_off > r->size ||
        str_size > r->size - str_off)
        return -EINVAL;
    size_t want = strlen(name) + 1;
    char found[64];
    if (want > sizeof(found))
        return -ENOENT;
    for (uint16_t i = 0; i < shnum; i++) {
        if (!read_exact(r, shoff + (uint64_t) i * ELF_SHDR_SIZE, sh, sizeof(sh)))
            return -EINVAL;
        uint32_t name_off = le32(sh);
        if (name_off >= str_size || str_size - name_off < want)
            continue;
        if (!read_exact(r, str_off + name_off, found, want) || memcmp(found, name, want) != 0)
            continue;
        uint64_t off = le64(sh + 0x18), size = le64(sh + 0x20);
        if (off > r->size || size > r->size - off)
            return -EINVAL;
        *ret_offset = off;
        *ret_size = size;
        return 0;
    }
    return -ENOENT;
}

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
        if (end - pos < ENTRY_MIN || !read_exact(r, pos, e, sizeof(e)))
            return false;
        uint16_t kind = le16(e);
        uint32_t hdr = le32(e + 4);
        uint64_t payload = le64(e + 8);
        uint32_t sm = le32(e + 28);
        if (hdr < ENTRY_MIN || hdr > ENTRY_MAX || hdr > end - pos || payload > end - pos - hdr ||
            fb->entries >= MAX_ENTRIES)
            return false;
        if (sm > 0 && sm < 1000) {
            if (kind == KIND_PTX)
                add_arch(fb->ptx, &fb->n_ptx, sm);
            else if (kind == KIND_ELF || kind == KIND_ELF_ALT)
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
        if (!read_exact(r, pos, h, sizeof(h))) {
            ret->stopped_early = true;
            break;
        }
        uint32_t magic = le32(h);
        uint16_t hsize = le16(h + 6);
        uint64_t fat = le64(h + 8);
        if (magic != FATBIN_MAGIC && le64(h) == 0 && fat == 0) {
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
