/* Which kind of host this is, derived from wsl.platform's facts. Pure, so every check's
 * evaluate() can ask it without touching the machine. */
#ifndef WLD_PLATFORM_H
#define WLD_PLATFORM_H

#include <cjson/cJSON.h>
#include <stddef.h>

enum wld_platform {
    WLD_PLATFORM_NATIVE,
    WLD_PLATFORM_WSL1,
    WLD_PLATFORM_WSL2,
};

/* Kernel release markers: "-microsoft-standard[-WSL2]" is WSL2, "-Microsoft" (capital)
 * is WSL1, anything else says nothing. */
enum wld_kernel_marker {
    WLD_KERNEL_PLAIN,
    WLD_KERNEL_WSL1,
    WLD_KERNEL_WSL2,
};
enum wld_kernel_marker wld_kernel_marker_of(const char *release);

/* Decides from the facts of wsl.platform; writes which signals decided into
 * decided_by (comma-separated). facts may be NULL (then: native). */
enum wld_platform wld_platform_of(const cJSON *platform_facts, char *decided_by, size_t n);
const char *wld_platform_name(enum wld_platform p);

#endif
