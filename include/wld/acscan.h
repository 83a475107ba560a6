/* Many fixed strings found in one pass (Aho-Corasick): the log reader's way to see, in
 * time linear in the text, which of its markers a line holds, whatever their number. */
#ifndef WLD_ACSCAN_H
#define WLD_ACSCAN_H

#include <stddef.h>

struct wld_ac;

struct wld_ac *wld_ac_new(void);
void wld_ac_free(struct wld_ac *a);
/* Adds a pattern (len > 0 bytes) reported as id (>= 0); the same bytes may be added under
 * several ids. Only before wld_ac_build. */
void wld_ac_add(struct wld_ac *a, const char *pat, size_t len, int id);
/* Computes the automaton; after it the matcher is read-only (safe to share). */
void wld_ac_build(struct wld_ac *a);
/* Calls hit(ctx, id, end) for every occurrence of every pattern in s[0..n), end being the
 * offset just past it, in order of end. */
void wld_ac_scan(const struct wld_ac *a,
                 const char *s,
                 size_t n,
                 void (*hit)(void *ctx, int id, size_t end),
                 void *ctx);

#endif
