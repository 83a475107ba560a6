/* Shared libraries that only some commands need, loaded on first use (dlopen of their
 * soname) instead of linked: every start would pay for loading them and what they pull in
 * (libcurl's TLS and Kerberos, libpci's libudev and zlib), and a machine without one still
 * runs every check that does not need it. The library's headers give the types; a table of
 * function pointers, filled by name, gives the functions. */
#ifndef WLD_DYNLIB_H
#define WLD_DYNLIB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* One function: its exported name, and where its pointer goes in the library's table. */
struct wld_dynsym {
    const char *name;
    size_t offset;
};
/* The entry of member f of the table type api, exported as prefix f:
 * WLD_DYNSYM(struct curl_api, "curl_", easy_init) is "curl_easy_init". */
#define WLD_DYNSYM(api, prefix, f)  \
    {                               \
        prefix #f, offsetof(api, f) \
    }

/* One library, as a static object with its soname, syms, n_syms, table, after and mu
 * (PTHREAD_MUTEX_INITIALIZER) set; the rest is filled on the first load. after (or NULL) runs
 * once, when the functions are in the table: the library's own global set-up. */
struct wld_dynlib {
    const char *soname;
    const struct wld_dynsym *syms;
    size_t n_syms;
    void *table;
    void (*after)(void *table);
    pthread_mutex_t mu;
    bool tried;
    char error[256]; /* why it could not be loaded; "" when it was */
};

/* Loads the library and its functions into its table, once per process (any thread;
 * never unloaded). Returns NULL when they are there, else the reason (the loader's error,
 * or the function it lacks), borrowed from l. */
const char *wld_dynlib_load(struct wld_dynlib *l);
/* The reason of a load that was tried and failed, else NULL (nothing is loaded). */
const char *wld_dynlib_error(struct wld_dynlib *l);

#endif
