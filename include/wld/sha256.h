/* SHA-256 (FIPS 180-4), used to name the exact rules a report was judged with. */
#ifndef WLD_SHA256_H
#define WLD_SHA256_H

#include <stddef.h>

/* Writes the 64-character lowercase hex digest of data plus a NUL into hex[65]. */
void wld_sha256_hex(const void *data, size_t n, char hex[65]);

#endif
