/* Where the rules' JSON lives: the ~25,000 small cJSON nodes that parsing the rules makes
 * come from one block of memory, backed by a huge page where the kernel gives one, instead
 * of one malloc each on pages faulted in one at a time. Parsing the rules at start-up cost
 * 3.8 ms on the 2-core machine, 2.8 of them page faults; from the block, 1.0 ms
 * (bench/run's rows for fit, lint and log).
 *
 * wld_json_arena_install() is called once, before any thread starts: it makes cJSON
 * allocate through the arena's hooks. The first wld_json_arena_begin() of the process
 * claims the block: until its wld_json_arena_end(), cJSON allocations of that thread come
 * from it, and from malloc once it is full; a later or concurrent load (another thread's
 * included) allocates with malloc. Any thread's frees of the block's memory do nothing,
 * and the block lives as long as the process. Under AddressSanitizer
 * the hooks are not installed, so that the rules' memory is checked as all other memory. */
#ifndef WLD_JSONARENA_H
#define WLD_JSONARENA_H

#include <stdbool.h>

void wld_json_arena_install(void);
void wld_json_arena_begin(void);
/* The same for loads that one lock orders, one at a time (the built-in rules parsed a file
 * at a time, src/pipeline/rules_embedded.c): the first claims the block, as begin does; each
 * later one goes on filling it where the last stopped. */
void wld_json_arena_begin_serial(void);
void wld_json_arena_end(void);
/* Whether everything the calling thread's last begin..end allocated is in the block (it
 * claimed the block and never overflowed into malloc): what it made then may be dropped
 * without freeing node by node, as freeing it does nothing. False under AddressSanitizer. */
bool wld_json_arena_held_all(void);

#endif
