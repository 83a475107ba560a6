/* Private to the command runner: how src/host/proc.c answers a command on a fixture host
 * from its recording (src/host/proc_replay.c). */
#ifndef WLD_PROC_REPLAY_H
#define WLD_PROC_REPLAY_H

#include "wld/host.h"
#include "wld/proc.h"

/* Looks up the command whose recording key is key (wld_proc_key of its host argv) under
 * the fixture's .doctor/commands. Returns true when the recording answered it into res
 * (its output appended to res's buffers, how it ended, or the errno it could not start
 * with): no process is started. Else false, with *script the script to run in its place
 * (caller frees), or NULL when the fixture has no record of the command. */
bool wld_proc_replay_(const struct wld_host *h,
                      const char *key,
                      double timeout_ms,
                      struct wld_proc_result *res,
                      char **script);

#endif
