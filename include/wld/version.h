/* Dotted numeric versions: kernels (5.15.153.1), drivers (560.94, 570.124.06),
 * CUDA (12.6, 12.6.3). Compared field by field, numerically; a missing field is 0. */
#ifndef WLD_VERSION_H
#define WLD_VERSION_H

#include <stddef.h>

#define WLD_VERSION_MAX_PARTS 6

struct wld_version {
    unsigned n;
    unsigned long part[WLD_VERSION_MAX_PARTS];
};

/* Parses the leading dotted number of s (leading spaces allowed), e.g. "5.15.90.1-microsoft"
 * gives 5.15.90.1. *ret_end (optional) points past the number. Returns 0, or -EINVAL when s
 * does not start with a digit or a field overflows. */
int wld_version_parse(const char *s, struct wld_version *ret, const char **ret_end);
/* <0, 0, >0 like strcmp. */
int wld_version_cmp(const struct wld_version *a, const struct wld_version *b);
/* Convenience: compares two strings; an unparsable side sorts first. */
int wld_version_cmp_str(const char *a, const char *b);
/* Writes "5.15.90.1" into out. */
void wld_version_format(const struct wld_version *v, char *out, size_t n);

#endif
