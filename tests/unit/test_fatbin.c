/* Fatbinary scanning on ELF files written here with the structure nvcc produces
 * (../shared/reference/fatbin.md): entry headers of 64 and 112 bytes, duplicate
 * architectures across containers, zero padding between containers; and hostile ones. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/fatbin.h"

struct out {
    unsigned char b[8192];
    size_t n;
};

static void put(struct out *o, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        o->b[o->n++] = (unsigned char) (v >> (8 * i));
}

static void zeros(struct out *o, size_t n)
{
    memset(o->b + o->n, 0, n);
    o->n += n;
}

/* An entry: kind, header size, payload size, sm. */
static void entry(struct out *o, unsigned kind, unsigned hdr, unsigned payload, unsigned sm)
{
    size_t start = o->n;
    put(o, kind, 2);
    put(o, 0x0101, 2);
    put(o, hdr, 4);
    put(o, payload, 8);
    put(o, 0, 4);
    put(o, payload, 4);
    put(o, 0, 4);
    put(o, sm, 4);
    zeros(o, hdr - (o->n - start));
    memset(o->b + o->n, 0xab, payload); /* a payload that is not a header */
    o->n += payload;
}

static size_t container_start(struct out *o)
{
    size_t at = o->n;
    put(o, 0xBA55ED50u, 4);
    put(o, 1, 2);
    put(o, 16, 2);
    put(o, 0, 8); /* size, patched by container_end */
    return at;
}

static void container_end(struct out *o, size_t at)
{
    uint64_t size = o->n - at - 16;
    for (int i = 0; i < 8; i++)
        o->b[at + 8 + (size_t) i] = (unsigned char) (size >> (8 * i));
}

/* The fatbin of a libggml-cuda.so built for 86 (SASS + PTX) and 89, across containers. */
static void sample_fatbin(struct out *o)
{
    size_t c = container_start(o);
    entry(o, 2, 64, 40, 86);
    entry(o, 1, 64, 24, 86);
    container_end(o, c);
    zeros(o, 16);
    c = container_start(o);
    entry(o, 2, 112, 48, 89);
    entry(o, 2, 64, 16, 86);
    container_end(o, c);
}

/* ELF64 LE with sections: null, .shstrtab, .nv_fatbin (holding fat). */
static void elf_with(struct out *elf, const struct out *fat)
{
    static const char names[] = "\0.shstrtab\0.nv_fatbin\0";
    elf->n = 0;
    put(elf, 0x464c457f, 4);
    put(elf, 2, 1); /* ELFCLASS64 */
    put(elf, 1, 1); /* little-endian */
    put(elf, 1, 1);
    zeros(elf, 9);
    put(elf, 3, 2);    /* ET_DYN */
    put(elf, 0x3e, 2); /* x86-64 */
    put(elf, 1, 4);
    put(elf, 0, 8);
    put(elf, 0, 8);
    size_t shoff_at = elf->n;
    put(elf, 0, 8); /* e_shoff, patched */
    put(elf, 0, 4);
    put(elf, 64, 2);
    put(elf, 0, 2);
    put(elf, 0, 2);
    put(elf, 64, 2); /* e_shentsize */
    put(elf, 3, 2);  /* e_shnum */
    put(elf, 1, 2);  /* e_shstrndx */
    size_t fat_off = elf->n;
    memcpy(elf->b + elf->n, fat->b, fat->n);
    elf->n += fat->n;
    size_t str_off = elf->n;
    memcpy(elf->b + elf->n, names, sizeof(names));
    elf->n += sizeof(names);
    size_t shoff = elf->n;
    for (int i = 0; i < 8; i++)
        elf->b[shoff_at + (size_t) i] = (unsigned char) (shoff >> (8 * i));
    zeros(elf, 64); /* SHT_NULL */
    size_t s = elf->n;
    put(elf, 1, 4); /* .shstrtab */
    put(elf, 3, 4);
    zeros(elf, 16);
    put(elf, str_off, 8);
    put(elf, sizeof(names), 8);
    zeros(elf, 64 - (elf->n - s));
    s = elf->n;
    put(elf, 11, 4); /* .nv_fatbin */
    put(elf, 1, 4);
    zeros(elf, 16);
    put(elf, fat_off, 8);
    put(elf, fat->n, 8);
    zeros(elf, 64 - (elf->n - s));
}

static void architectures_from_elf(void **state)
{
    (void) state;
    struct out fat = { .n = 0 }, elf;
    sample_fatbin(&fat);
    elf_with(&elf, &fat);
    struct wld_reader r;
    wld_reader_mem(&r, elf.b, elf.n);
    uint64_t off = 0, size = 0;
    assert_int_equal(wld_elf_section(&r, ".nv_fatbin", &off, &size), 0);
    assert_int_equal(size, fat.n);
    assert_int_equal(wld_elf_section(&r, ".nvFatBinSegment", &off, &size), -ENOENT);
    assert_int_equal(wld_elf_section(&r, ".nv_fatbin", &off, &size), 0);
    struct wld_fatbin fb;
    assert_int_equal(wld_fatbin_scan(&r, off, size, &fb), 0);
    assert_int_equal(fb.containers, 2);
    assert_int_equal(fb.entries, 4);
    assert_int_equal(fb.n_sass, 2); /* 86 twice, 89: deduplicated and sorted */
    assert_int_equal(fb.sass[0], 86);
    assert_int_equal(fb.sass[1], 89);
    assert_int_equal(fb.n_ptx, 1);
    assert_int_equal(fb.ptx[0], 86);
    assert_false(fb.stopped_early);
}

static void hostile_fatbins(void **state)
{
    (void) state;
    struct out fat = { .n = 0 };
    struct wld_reader r;
    struct wld_fatbin fb;
    /* an entry whose payload runs past its container: what came before still counts */
    size_t c = container_start(&fat);
    entry(&fat, 2, 64, 8, 75);
    size_t bad = fat.n;
    entry(&fat, 2, 64, 8, 80);
    container_end(&fat, c);
    fat.b[bad + 8] = 0xff;
    fat.b[bad + 15] = 0x7f;
    wld_reader_mem(&r, fat.b, fat.n);
    assert_int_equal(wld_fatbin_scan(&r, 0, fat.n, &fb), 0);
    assert_true(fb.stopped_early);
    assert_int_equal(fb.n_sass, 1);
    assert_int_equal(fb.sass[0], 75);
    /* a zero header size must not loop */
    fat.b[bad + 4] = 0;
    fat.b[bad + 8] = 8;
    fat.b[bad + 15] = 0;
    assert_int_equal(wld_fatbin_scan(&r, 0, fat.n, &fb), 0);
    assert_true(fb.stopped_early);
    /* a container claiming more bytes than the section has */
    fat.b[c + 15] = 0x40;
    assert_int_equal(wld_fatbin_scan(&r, 0, fat.n, &fb), -EINVAL);
    /* no magic at all; a range outside the data */
    unsigned char junk[64];
    memset(junk, 0x5a, sizeof(junk));
    wld_reader_mem(&r, junk, sizeof(junk));
    assert_int_equal(wld_fatbin_scan(&r, 0, sizeof(junk), &fb), -EINVAL);
    assert_int_equal(wld_fatbin_scan(&r, 60, 100, &fb), -EINVAL);
}

static void hostile_elves(void **state)
{
    (void) state;
    struct out fat = { .n = 0 }, elf;
    sample_fatbin(&fat);
    elf_with(&elf, &fat);
    struct wld_reader r;
    uint64_t off, size;
    /* truncated before the section headers */
    wld_reader_mem(&r, elf.b, elf.n - 100);
    assert_int_equal(wld_elf_section(&r, ".nv_fatbin", &off, &size), -EINVAL);
    /* 32-bit class */
    elf.b[4] = 1;
    wld_reader_mem(&r, elf.b, elf.n);
    assert_int_equal(wld_elf_section(&r, ".nv_fatbin", &off, &size), -EINVAL);
    elf.b[4] = 2;
    /* the string table index out of range */
    elf.b[0x3E] = 9;
    assert_int_equal(wld_elf_section(&r, ".nv_fatbin", &off, &size), -EINVAL);
    elf.b[0x3E] = 1;
    /* a section pointing past the end of the file */
    elf.b[elf.n - 64 + 0x20 + 7] = 0x10;
    assert_int_equal(wld_elf_section(&r, ".nv_fatbin", &off, &size), -EINVAL);
    /* too short for an ELF header */
    wld_reader_mem(&r, elf.b, 10);
    assert_int_equal(wld_elf_section(&r, ".nv_fatbin", &off, &size), -EINVAL);
}

/* The dynamic section of a file the real toolchain made: this test program itself. */
static void dynamic_of_real_elf(void **state)
{
    (void) state;
    struct wld_host *h = NULL;
    struct wld_file_reader f;
    struct wld_elf_dynamic dyn;
    assert_int_equal(wld_host_new_live(&h), 0);
    assert_int_equal(wld_reader_open(h, "/proc/self/exe", &f), 0);
    assert_int_equal(wld_elf_dynamic(&f.r, &dyn), 0);
    bool libc = false, cmocka = false;
    for (size_t i = 0; i < dyn.n_needed; i++) {
        libc = libc || strcmp(dyn.needed[i], "libc.so.6") == 0;
        cmocka = cmocka || strncmp(dyn.needed[i], "libcmocka.so", 12) == 0;
    }
    assert_true(libc);
    assert_true(cmocka);
    /* the same file cut short at every 4 KiB, and with bytes flipped in its headers:
     * never a crash, never a read outside the bytes given */
    size_t n = (size_t) f.r.size;
    unsigned char *copy = malloc(n);
    assert_int_equal(f.r.read(&f.r, 0, copy, n), (int) n);
    wld_reader_close(&f);
    for (size_t cut = 0; cut < n; cut += 4096) {
        struct wld_reader r;
        wld_reader_mem(&r, copy, cut);
        int rc = wld_elf_dynamic(&r, &dyn);
        assert_true(rc == 0 || rc == -EINVAL || rc == -ENOENT);
    }
    for (size_t at = 0x20; at < 0x40; at++) {
        struct wld_reader r;
        unsigned char saved = copy[at];
        copy[at] ^= 0xff;
        wld_reader_mem(&r, copy, n);
        int rc = wld_elf_dynamic(&r, &dyn);
        assert_true(rc == 0 || rc == -EINVAL || rc == -ENOENT);
        copy[at] = saved;
    }
    free(copy);
    wld_host_free(h);
}

/* A directory or a missing file is refused by the file reader, not read. */
static void file_reader_refuses(void **state)
{
    (void) state;
    struct wld_host *h = NULL;
    struct wld_file_reader f;
    assert_int_equal(wld_host_new_live(&h), 0);
    assert_int_equal(wld_reader_open(h, "/", &f), -EISDIR);
    assert_int_equal(wld_reader_open(h, "/nonexistent/libggml-cuda.so", &f), -ENOENT);
    wld_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dynamic_of_real_elf),    cmocka_unit_test(file_reader_refuses),
        cmocka_unit_test(architectures_from_elf), cmocka_unit_test(hostile_fatbins),
        cmocka_unit_test(hostile_elves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
