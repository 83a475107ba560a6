/* A set of files by device and inode (see wld/nodeset.h). */
#include "wld/nodeset.h"

#include <stdlib.h>

#include "wld/util.h"

bool wld_nodeset_add(struct wld_nodeset *set, const struct stat *st)
{
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].dev == st->st_dev && set->v[i].ino == st->st_ino)
            return false;
    if (set->n == set->alloc) {
        set->alloc = set->alloc ? set->alloc * 2 : 32;
        set->v = wld_xrealloc(set->v, set->alloc * sizeof(*set->v));
    }
    set->v[set->n++] = (struct wld_node){ st->st_dev, st->st_ino };
    return true;
}

void wld_nodeset_release(struct wld_nodeset *set)
{
    free(set->v);
    *set = (struct wld_nodeset){ 0 };
}
