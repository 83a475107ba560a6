/* Shared libraries loaded on first use (see wld/dynlib.h). */
#include "wld/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* dlsym returns a data pointer; its bits are copied into the function pointer (POSIX
 * guarantees they are the same size and representation). */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function pointers");

static void load(struct wld_dynlib *l)
{
    dlerror();
    void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        snprintf(l->error, sizeof(l->error), "%s%s", e ? e : l->soname, e ? "" : ": dlopen failed");
        return;
    }
    for (size_t i = 0; i < l->n_syms; i++) {
        void *p = dlsym(h, l->syms[i].name);
        if (!p) {
            snprintf(l->error, sizeof(l->error), "%s lacks %s", l->soname, l->syms[i].name);
            return;
        }
        memcpy((char *) l->table + l->syms[i].offset, &p, sizeof(p));
    }
    if (l->after)
        l->after(l->table);
}

const char *wld_dynlib_load(struct wld_dynlib *l)
{
    pthread_mutex_lock(&l->mu);
    if (!l->tried) {
        load(l);
        l->tried = true;
    }
    pthread_mutex_unlock(&l->mu);
    return l->error[0] ? l->error : NULL;
}

const char *wld_dynlib_error(struct wld_dynlib *l)
{
    pthread_mutex_lock(&l->mu);
    const char *e = l->tried && l->error[0] ? l->error : NULL;
    pthread_mutex_unlock(&l->mu);
    return e;
}
