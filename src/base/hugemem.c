/* Large tables in huge pages (see wld/hugemem.h). */
#include "wld/hugemem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "wld/util.h"

#define HUGE_PAGE ((size_t) 2 << 20)

#ifndef WLD_HUGEMEM_MALLOC

static size_t span_of(size_t n)
{
    return (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

void *wld_huge_alloc(size_t n)
{
    size_t span = span_of(n ? n : 1), raw_len = span + HUGE_PAGE;
    unsigned char *raw =
            mmap(NULL, raw_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        fputs("wsl-llm-doctor: out of memory\n", stderr);
        abort();
    }
    /* keep the aligned span, give back the slack on either side */
    unsigned char *p = (unsigned char *) (((uintptr_t) raw + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
    if (p > raw)
        munmap(raw, (size_t) (p - raw));
    if (p + span < raw + raw_len)
        munmap(p + span, (size_t) (raw + raw_len - (p + span)));
#    ifdef MADV_HUGEPAGE
    madvise(p, span, MADV_HUGEPAGE);
#    endif
    return p;
}

void wld_huge_free(void *p, size_t n)
{
    if (p)
        munmap(p, span_of(n ? n : 1));
}

#else

void *wld_huge_alloc(size_t n)
{
    return wld_xcalloc(1, n ? n : 1);
}

void wld_huge_free(void *p, size_t n)
{
    (void) n;
    free(p);
}

#endif
