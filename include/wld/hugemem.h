/* Memory a run writes at start and keeps to its end (the log reader's automata and its
 * ring of blocks, the rules' JSON): mapped aligned to 2 MiB and advised MADV_HUGEPAGE, so
 * that where the kernel gives transparent huge pages a few hundred KiB to a few MiB cost
 * one page fault instead of hundreds (on the 2-core VM, which shadows page tables, a 4 KiB
 * page's first write costs over ten microseconds; a huge page 0.1 to 0.2 ms).
 * Zero-filled. Under AddressSanitizer it is malloc'ed memory, so that overruns are still
 * found. Aborts on out-of-memory as wld_xmalloc does. */
#ifndef WLD_HUGEMEM_H
#define WLD_HUGEMEM_H

#include <stddef.h>

#if defined(__SANITIZE_ADDRESS__)
#    define WLD_HUGEMEM_MALLOC 1
#elif defined(__has_feature)
#    if __has_feature(address_sanitizer)
#        define WLD_HUGEMEM_MALLOC 1
#    endif
#endif

void *wld_huge_alloc(size_t n);
void wld_huge_free(void *p, size_t n);

#endif
