/* The rules' JSON in one block (see wld/jsonarena.h). */
#include "wld/jsonarena.h"

#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/hugemem.h"

/* under AddressSanitizer (wld/hugemem.h) cJSON keeps malloc */
#ifndef WLD_HUGEMEM_MALLOC

/* One transparent huge page: all rules parsed take 0.9 MiB */
#    define BLOCK ((size_t) 2 << 20)
#    define ALIGN ((size_t) 16)

static bool installed;
/* the block, [lo, hi): written once, by the thread that maps it, read by every free */
static _Atomic uintptr_t lo, hi;
/* the block is the first load's: another (`rules update`'s bundle while the built-in
 * rules still load in their thread, an installed bundle) takes malloc */
static atomic_flag claimed = ATOMIC_FLAG_INIT;
static uintptr_t next; /* only the claiming thread, between begin and end, touches it */
static _Thread_local bool active;
/* this thread's last begin claimed the block, and nothing since overflowed into malloc */
static _Thread_local bool held_all;

static void *arena_malloc(size_t n)
{
    if (active) {
        size_t size = (n + ALIGN - 1) & ~(ALIGN - 1);
        uintptr_t end = atomic_load_explicit(&hi, memory_order_relaxed);
        if (size >= n && next && end - next >= size) {
            void *p = (void *) next;
            next += size;
            return p;
        }
        held_all = false;
    }
    return malloc(n);
}

static void arena_free(void *p)
{
    /* hi first: once it is seen set, lo is too (see map_block) */
    uintptr_t a = (uintptr_t) p, end = atomic_load_explicit(&hi, memory_order_acquire);
    if (a < end && a >= atomic_load_explicit(&lo, memory_order_relaxed))
        return;
    free(p);
}

void wld_json_arena_install(void)
{
    cJSON_Hooks hooks = { arena_malloc, arena_free };
    cJSON_InitHooks(&hooks);
    installed = true;
}

/* The block is mapped on first use, in a huge page where the kernel gives one: a command
 * that never reads the rules never maps it. */
static void map_block(void)
{
    uintptr_t start = (uintptr_t) wld_huge_alloc(BLOCK);
    next = start;
    atomic_store_explicit(&lo, start, memory_order_relaxed);
    atomic_store_explicit(&hi, start + BLOCK, memory_order_release);
}

/* Takes the block for the caller, once per process: false when a load already has it. */
static bool claim(void)
{
    if (atomic_flag_test_and_set(&claimed))
        return false;
    map_block();
    return true;
}

void wld_json_arena_begin(void)
{
    held_all = false;
    if (!installed || !claim())
        return;
    active = held_all = true;
}

/* serial loads have claimed the block: each later one goes on filling it (the callers'
 * lock orders them, and with them next) */
static bool serial;

void wld_json_arena_begin_serial(void)
{
    held_all = false;
    if (!installed || (!serial && !(serial = claim())))
        return;
    active = held_all = true;
}

void wld_json_arena_end(void)
{
    active = false;
}

bool wld_json_arena_held_all(void)
{
    return held_all;
}

#else /* under AddressSanitizer cJSON keeps malloc */

void wld_json_arena_install(void)
{
}

void wld_json_arena_begin(void)
{
}

void wld_json_arena_begin_serial(void)
{
}

void wld_json_arena_end(void)
{
}

bool wld_json_arena_held_all(void)
{
    return false;
}

#endif
