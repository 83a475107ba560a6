/* ELF reading (see wld/elf.h). */
#include "wld/elf.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/util.h"

#define ELF_SHDR_SIZE  64u
#define MAX_NAME_TABLE (1u << 20)
#define SHT_DYNAMIC_   6u
#define DYN_ENTRY      16u
#define MAX_DYN        4096u
#define DT_NULL_       0
#define DT_NEEDED_     1
#define DT_SONAME_     14
#define DT_RPATH_      15
#define DT_RUNPATH_    29

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

static int fd_read(const struct wld_reader *r, uint64_t offset, void *buf, size_t len)
{
    const struct wld_file_reader *f = r->ctx;
    size_t done = 0;
    if (len > INT_MAX)
        return -EINVAL;
    while (done < len && offset + done < r->size) {
        ssize_t n = pread(f->fd, (char *) buf + done, len - done, (off_t) (offset + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        done += (size_t) n;
    }
    if (f->path)
        f->h->layer->read(f->h->layer->ctx, f->path, offset, buf, done, offset + done >= r->size);
    return (int) done;
}

int wld_reader_open(const struct wld_host *h, const char *path, struct wld_file_reader *ret)
{
    struct stat st;
    memset(ret, 0, sizeof(*ret));
    ret->fd = -1;
    int fd = wld_host_open(h, path);
    if (fd < 0)
        return fd;
    if (fstat(fd, &st) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    ret->fd = fd;
    ret->h = h;
    ret->path = h->layer ? wld_xstrdup(path) : NULL; /* only a layer needs it */
    ret->r.read = fd_read;
    ret->r.ctx = ret;
    ret->r.size = (uint64_t) st.st_size;
    return 0;
}

void wld_reader_close(struct wld_file_reader *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    free(f->path);
    f->path = NULL;
}

bool wld_reader_exact(const struct wld_reader *r, uint64_t offset, void *buf, size_t len)
{
    if (offset > r->size || len > r->size - offset)
        return false;
    return r->read(r, offset, buf, len) == (int) len;
}

/* The section header table, checked against the file. */
struct shtab {
    uint64_t off;
    uint16_t num, strndx;
};

static int section_table(const struct wld_reader *r, struct shtab *t)
{
    unsigned char eh[64];
    if (!wld_reader_exact(r, 0, eh, sizeof(eh)) || memcmp(eh, "\177ELF", 4) != 0 || eh[4] != 2 ||
        eh[5] != 1)
        return -EINVAL; /* only ELFCLASS64, little-endian: what CUDA ships for x86_64 */
    t->off = wld_le64(eh + 0x28);
    uint16_t entsize = wld_le16(eh + 0x3A);
    t->num = wld_le16(eh + 0x3C);
    t->strndx = wld_le16(eh + 0x3E);
    if (entsize != ELF_SHDR_SIZE || t->num == 0 || t->strndx >= t->num || t->off > r->size ||
        (uint64_t) t->num * ELF_SHDR_SIZE > r->size - t->off)
        return -EINVAL;
    return 0;
}

/* Section i's header; its contents [offset, offset + size) must lie within the file
 * (SHT_NOBITS sections excepted: they have no contents). */
static int section(const struct wld_reader *r, const struct shtab *t, uint16_t i, unsigned char *sh)
{
    if (i >= t->num ||
        !wld_reader_exact(r, t->off + (uint64_t) i * ELF_SHDR_SIZE, sh, ELF_SHDR_SIZE))
        return -EINVAL;
    uint64_t off = wld_le64(sh + 0x18), size = wld_le64(sh + 0x20);
    if (wld_le32(sh + 4) != 8 /* SHT_NOBITS */ && (off > r->size || size > r->size - off))
        return -EINVAL;
    return 0;
}

int wld_elf_section(const struct wld_reader *r,
                    const char *name,
                    uint64_t *ret_offset,
                    uint64_t *ret_size)
{
    struct shtab t;
    unsigned char sh[ELF_SHDR_SIZE];
    int rc = section_table(r, &t);
    if (rc < 0 || (rc = section(r, &t, t.strndx, sh)) < 0)
        return rc;
    uint64_t str_off = wld_le64(sh + 0x18), str_size = wld_le64(sh + 0x20);
    if (str_size == 0 || str_size > MAX_NAME_TABLE)
        return -EINVAL;
    size_t want = strlen(name) + 1;
    char found[64];
    if (want > sizeof(found))
        return -ENOENT;
    for (uint16_t i = 0; i < t.num; i++) {
        if (section(r, &t, i, sh) < 0)
            return -EINVAL;
        uint32_t name_off = wld_le32(sh);
        if (name_off >= str_size || str_size - name_off < want)
            continue;
        if (!wld_reader_exact(r, str_off + name_off, found, want) || memcmp(found, name, want) != 0)
            continue;
        *ret_offset = wld_le64(sh + 0x18);
        *ret_size = wld_le64(sh + 0x20);
        return 0;
    }
    return -ENOENT;
}

/* A NUL-terminated string at off of a string table; false when it does not fit in n. */
static bool table_string(const struct wld_reader *r,
                         uint64_t tab,
                         uint64_t tab_size,
                         uint64_t off,
                         char *out,
                         size_t n)
{
    if (off >= tab_size)
        return false;
    uint64_t left = tab_size - off;
    size_t want = left < n ? (size_t) left : n;
    int got = r->read(r, tab + off, out, want);
    if (got <= 0)
        return false;
    void *nul = memchr(out, '\0', (size_t) got);
    return nul != NULL;
}

int wld_elf_dynamic(const struct wld_reader *r, struct wld_elf_dynamic *ret)
{
    struct shtab t;
    unsigned char sh[ELF_SHDR_SIZE], d[DYN_ENTRY];
    char rpath[sizeof(ret->runpath)] = "";
    memset(ret, 0, sizeof(*ret));
    int rc = section_table(r, &t);
    if (rc < 0)
        return rc;
    uint16_t i = 0;
    for (; i < t.num; i++) {
        if (section(r, &t, i, sh) < 0)
            return -EINVAL;
        if (wld_le32(sh + 4) == SHT_DYNAMIC_)
            break;
    }
    if (i == t.num)
        return -ENOENT;
    uint64_t dyn_off = wld_le64(sh + 0x18), dyn_size = wld_le64(sh + 0x20);
    uint32_t link = wld_le32(sh + 0x28);
    if (link > UINT16_MAX || section(r, &t, (uint16_t) link, sh) < 0)
        return -EINVAL;
    uint64_t str_off = wld_le64(sh + 0x18), str_size = wld_le64(sh + 0x20);
    uint64_t count = dyn_size / DYN_ENTRY;
    if (count > MAX_DYN)
        count = MAX_DYN;
    for (uint64_t k = 0; k < count; k++) {
        if (!wld_reader_exact(r, dyn_off + k * DYN_ENTRY, d, sizeof(d)))
            return -EINVAL;
        uint64_t tag = wld_le64(d), val = wld_le64(d + 8);
        if (tag == DT_NULL_)
            break;
        if (tag == DT_NEEDED_ && ret->n_needed < WLD_ELF_MAX_NEEDED) {
            if (table_string(r, str_off, str_size, val, ret->needed[ret->n_needed],
                             WLD_ELF_NAME_MAX))
                ret->n_needed++;
        } else if (tag == DT_SONAME_) {
            if (!table_string(r, str_off, str_size, val, ret->soname, sizeof(ret->soname)))
                ret->soname[0] = '\0';
        } else if (tag == DT_RUNPATH_) {
            if (!table_string(r, str_off, str_size, val, ret->runpath, sizeof(ret->runpath)))
                ret->runpath[0] = '\0';
        } else if (tag == DT_RPATH_) {
            if (!table_string(r, str_off, str_size, val, rpath, sizeof(rpath)))
                rpath[0] = '\0';
        }
    }
    /* the loader ignores DT_RPATH when DT_RUNPATH is present */
    if (!ret->runpath[0] && rpath[0]) {
        memcpy(ret->runpath, rpath, sizeof(rpath));
        ret->runpath_is_rpath = true;
    }
    return 0;
}
