/* Private to the command runner: the bookkeeping of the doctor's children
 * (src/host/proc_group.c) that src/host/proc.c uses while it runs commands. */
#ifndef WLD_PROC_GROUP_H
#define WLD_PROC_GROUP_H

#include <sys/types.h>

/* A command started at start (ms) as argv, for wld_proc_longest(); and its end. */
void wld_proc_show_(pid_t pid, double start, const char *const *argv);
void wld_proc_unshow_(pid_t pid);
/* Kills and reaps the doctor's children in process group pgid, or every child when
 * pgid is 0. Returns how many. */
unsigned wld_proc_reap_children_(pid_t pgid);
/* Makes the doctor the subreaper of its commands' orphans (once per process). */
void wld_proc_become_subreaper_(void);

#endif
