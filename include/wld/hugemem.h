/* Memory for the large tables a run builds at start and reads to its end (the log
 * reader's Aho-Corasick transitions, the rules' JSON): mapped aligned to 2 MiB and
 * advised MADV_HUGEPAGE, so that where the kernel gives transparent huge pages a table of
 * a few MiB costs one page fault instead of hundreds (each several microseconds in a VM).
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
