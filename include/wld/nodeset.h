/* A set of files by device and inode: what a walk has visited, so that a symlink loop is a
 * cycle visited once and a second path to a file is the same file. */
#ifndef WLD_NODESET_H
#define WLD_NODESET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct wld_nodeset {
    struct wld_node {
        dev_t dev;
        ino_t ino;
    } * v;
    size_t n, alloc;
};

/* Adds st's (dev, ino) to set unless it is there; false when it was. Linear: the walks
 * that use it see a few hundred directories before their budgets stop them. */
bool wld_nodeset_add(struct wld_nodeset *set, const struct stat *st);
/* Frees what set holds (not set itself); set is empty afterwards. */
void wld_nodeset_release(struct wld_nodeset *set);

#endif
