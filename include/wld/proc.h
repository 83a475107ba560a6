/* Running host commands with deadlines. Each command runs in its own process group
 * with stdin from /dev/null and LC_ALL=C; stdout and stderr are captured up to a cap.
 * A command that outlives its deadline is killed with its whole process group and
 * reaped: no zombie is left, and the caller gets a result either way. */
#ifndef WLD_PROC_H
#define WLD_PROC_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/host.h"
#include "wld/util.h"

/* exec_path of the doctor's helpers, argv { "wsl-llm-doctor", "__cuda-probe", ... }. */
#define WLD_PROC_SELF "/proc/self/exe"

struct wld_proc_spec {
    const char *const *argv; /* argv[0] is a host path (see wld_host_find_command) */
    /* When set, the file on this machine to execute instead of the host path argv[0]:
     * WLD_PROC_SELF for the doctor's own helpers, which are not part of the host (run by
     * wld_proc_helper_path()). */
    const char *exec_path;
    /* Fixture hosts only: the child's LD_LIBRARY_PATH, the fixture's loader directories
     * as real paths (wld_ldpath_real), so a fixture binary's libraries resolve inside the
     * fixture as they would on the recorded host. Ignored on the live host, whose
     * environment and loader cache the child sees as they are. */
    const char *fixture_ld_path;
    /* NULL, or "KEY=VALUE" strings (NULL-terminated) the child gets on top of its
     * environment, replacing a variable of the same name (wsl.exe's WSL_UTF8=1). */
    const char *const *env;
    /* Bit i set: argv[i] (i >= 1) is a host path. On a fixture host the command is given the
     * file on this machine, while a recording keys the command by the host path as spelt,
     * as the live run did (a libggml-cuda.so reached through .so -> .so.0 -> .so.0.19.0
     * replays from its record, not by loading the recorded sparse copy). */
    unsigned long long host_paths;
    double timeout_ms;
    size_t out_cap; /* 0 = 1 MiB */
};

struct wld_proc_result {
    int spawn_errno; /* 0 when the command started, else why it could not */
    bool timed_out;  /* killed at the deadline */
    int exit_code;   /* exit status, or -1 when killed by a signal */
    int signal;      /* terminating signal, or 0 */
    double duration_ms;
    struct wld_buf out;
    struct wld_buf err;
};

/* Runs n commands concurrently; results[i] belongs to specs[i] and must be released
 * with wld_proc_result_release. Returns 0 (failures are in the results). */
int wld_proc_run_many(const struct wld_host *h,
                      const struct wld_proc_spec *specs,
                      struct wld_proc_result *results,
                      size_t n);
int wld_proc_run(const struct wld_host *h,
                 const struct wld_proc_spec *spec,
                 struct wld_proc_result *result);
void wld_proc_result_release(struct wld_proc_result *r);

/* Ends what the commands left behind. A command's process group is killed when it ends,
 * but a grandchild that called setsid (or a daemon) is in a group of its own; the doctor
 * is the subreaper of its commands (PR_SET_CHILD_SUBREAPER), so such orphans become its
 * children, and this kills and reaps every child it still has, with its process group.
 * Call when no command runs (the pipeline does, after gathering). Returns how many. */
unsigned wld_proc_sweep(void);

/* The live note (text on a terminal) names the probe the doctor waits on. A gather thread
 * says which check it runs for (a static string); commands it starts are shown under it. */
void wld_proc_set_owner(const char *check_id);
/* The command running the longest: "nvidia-smi (gpu.driver)" in buf, its age in *ms.
 * Returns false when none runs. */
bool wld_proc_longest(char *buf, size_t n, double *ms);

/* "SIGSEGV" for the signals that end a crashed or killed probe, else "signal". */
const char *wld_signal_name(int sig);

/* The program that runs the doctor's helpers: wsl-llm-doctor-probe beside the doctor
 * (the build tree) or where `cmake --install` and the .deb put it (libexec/wsl-llm-doctor/
 * from the doctor's prefix), which loads little beyond libc; else the doctor itself
 * (WLD_PROC_SELF), which answers the same arguments. Found once per process. */
const char *wld_proc_helper_path(void);

/* First call of a helper child (the doctor re-executed to load a foreign library): a
 * crash inside that library must reach the parent as the signal it is, not be turned
 * into a report by a sanitizer's handler, and must not leave a core file behind. */
void wld_proc_helper_init(void);

/* The key of a command in a recording (wld/record.h), by which a replay finds it: 16 hex
 * digits of the SHA-256 of its argument vector in host paths; out has 17 bytes. */
void wld_proc_key(const char *const *argv, char out[17]);
/* The script a recording keeps for the command argv (host paths) that ended as r did, in
 * DIR/.doctor/commands/KEY: it prints KEY.out and KEY.err and ends as the command ended. A
 * replay answers a script of exactly this shape from those files without running it; a
 * command that never started (r->spawn_errno) has its errno in KEY.spawn instead. */
void wld_proc_replay_script(struct wld_buf *s,
                            const char *key,
                            const char *const *argv,
                            const struct wld_proc_result *r);

#endif
