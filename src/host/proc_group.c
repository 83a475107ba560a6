/* The doctor's children (see wld/proc.h): which commands run now, for the live note; the
 * subreaper that adopts what they leave behind, and the sweep that ends it; the helper
 * processes' program and setup; signal names. src/host/proc.c runs the commands. */
#include "proc_group.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef WLD_PROBE_RELPATH /* set by CMake: the installed helper, from the doctor's folder */
#    define WLD_PROBE_RELPATH "../libexec/wsl-llm-doctor/wsl-llm-doctor-probe"
#endif
#define WLD_PROBE_NAME "wsl-llm-doctor-probe"

#include "wld/proc.h"

/* Commands now running, for wld_proc_longest(). */
#define MAX_SHOWN 64
static pthread_mutex_t shown_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    pid_t pid;
    double start;
    char what[96];
} shown[MAX_SHOWN];
static _Thread_local const char *current_owner;

void wld_proc_set_owner(const char *check_id)
{
    current_owner = check_id;
}

void wld_proc_show_(pid_t pid, double start, const char *const *argv)
{
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (argv[1] && strcmp(argv[1], "__cuda-probe") == 0)
        name = "libcuda (CUDA probe)";
    else if (argv[1] && strcmp(argv[1], "__dlopen-probe") == 0)
        name = "llama.cpp's CUDA backend (load probe)";
    pthread_mutex_lock(&shown_mu);
    for (size_t i = 0; i < MAX_SHOWN; i++)
        if (shown[i].pid == 0) {
            shown[i].pid = pid;
            shown[i].start = start;
            snprintf(shown[i].what, sizeof(shown[i].what), "%s%s%s%s", name,
                     current_owner ? " (" : "", current_owner ? current_owner : "",
                     current_owner ? ")" : "");
            break;
        }
    pthread_mutex_unlock(&shown_mu);
}

void wld_proc_unshow_(pid_t pid)
{
    pthread_mutex_lock(&shown_mu);
    for (size_t i = 0; i < MAX_SHOWN; i++)
        if (shown[i].pid == pid)
            shown[i].pid = 0;
    pthread_mutex_unlock(&shown_mu);
}

bool wld_proc_longest(char *buf, size_t n, double *ms)
{
    double now = wld_now_ms(), best = -1;
    pthread_mutex_lock(&shown_mu);
    for (size_t i = 0; i < MAX_SHOWN; i++)
        if (shown[i].pid && now - shown[i].start > best) {
            best = now - shown[i].start;
            snprintf(buf, n, "%s", shown[i].what);
        }
    pthread_mutex_unlock(&shown_mu);
    *ms = best;
    return best >= 0;
}

/* The parent and process group of process pid (a /proc entry name); false when gone. */
static bool parent_and_group(const char *pid, pid_t *ppid, pid_t *pgrp)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses */
    const char *close = strrchr(buf, ')');
    char state;
    int pp, pg;
    if (!close || sscanf(close + 1, " %c %d %d", &state, &pp, &pg) != 3)
        return false;
    *ppid = (pid_t) pp;
    *pgrp = (pid_t) pg;
    return true;
}

/* Kills and reaps the doctor's children in process group pgid, or every child when
 * pgid is 0: after kill(-pgid), the group's members the doctor adopted (their parent, the
 * command, is gone) are its zombies. Returns how many. */
unsigned wld_proc_reap_children_(pid_t pgid)
{
    unsigned found = 0;
    pid_t self = getpid();
    DIR *d = opendir("/proc");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        pid_t ppid, pgrp;
        if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
            !parent_and_group(e->d_name, &ppid, &pgrp) || ppid != self || (pgid && pgrp != pgid))
            continue;
        pid_t pid = (pid_t) atoi(e->d_name);
        if (!pgid)
            kill(-pid, SIGKILL); /* its own group, when it made one (setsid does) */
        kill(pid, SIGKILL);
        for (int i = 0; i < 200 && waitpid(pid, NULL, WNOHANG) == 0; i++) {
            struct timespec ts = { 0, 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        found++;
    }
    if (d)
        closedir(d);
    return found;
}

/* Orphans of the doctor's commands (a grandchild that called setsid, a daemon) are
 * reparented to the doctor instead of init, so wld_proc_sweep() can find and end them. */
static pthread_once_t reaper_once = PTHREAD_ONCE_INIT;
static void become_subreaper(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

void wld_proc_become_subreaper_(void)
{
    pthread_once(&reaper_once, become_subreaper);
}

unsigned wld_proc_sweep(void)
{
    unsigned killed = 0;
    siginfo_t si;
    /* no child at all, the usual case: nothing to look for in /proc */
    while (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0 || errno != ECHILD) {
        unsigned found = wld_proc_reap_children_(0);
        killed += found;
        if (!found) /* children that are not in /proc: nothing more to do here */
            break;
    }
    return killed;
}

/* The doctor's own file, from the kernel: where the helper is looked for. */
static char helper[4096] = WLD_PROC_SELF;
static pthread_once_t helper_once = PTHREAD_ONCE_INIT;

static bool helper_at(const char *dir, const char *rel)
{
    char path[sizeof(helper)];
    int n = snprintf(path, sizeof(path), "%s/%s", dir, rel);
    if (n < 0 || (size_t) n >= sizeof(path) || access(path, X_OK) != 0)
        return false;
    memcpy(helper, path, (size_t) n + 1);
    return true;
}

static void find_helper(void)
{
    char self[sizeof(helper)];
    ssize_t n = readlink(WLD_PROC_SELF, self, sizeof(self) - 1);
    if (n <= 0)
        return;
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash)
        return;
    *slash = '\0';
    /* the build tree, or a copy of both files; else where `cmake --install` and the .deb
     * put it; else the doctor itself */
    if (!helper_at(self, WLD_PROBE_NAME))
        helper_at(self, WLD_PROBE_RELPATH);
}

const char *wld_proc_helper_path(void)
{
    pthread_once(&helper_once, find_helper);
    return helper;
}

void wld_proc_helper_init(void)
{
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(fatal); i++)
        signal(fatal[i], SIG_DFL);
    struct rlimit no_core = { 0, 0 };
    setrlimit(RLIMIT_CORE, &no_core);
}

const char *wld_signal_name(int sig)
{
    static const char *const names[] = {
        [SIGILL] = "SIGILL",   [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS",   [SIGFPE] = "SIGFPE",
        [SIGKILL] = "SIGKILL", [SIGSEGV] = "SIGSEGV", [SIGPIPE] = "SIGPIPE", [SIGTERM] = "SIGTERM"
    };
    return sig > 0 && (size_t) sig < WLD_ARRAY_SIZE(names) && names[sig] ? names[sig] : "signal";
}
