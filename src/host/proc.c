/* Command runner with deadlines (see wld/proc.h). posix_spawn keeps this safe while
 * check gatherers run in threads; every descriptor is O_CLOEXEC. */
#include "wld/proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wld/sha256.h"
#include "wld/trace.h"

#include "proc_group.h"
#include "proc_replay.h"

#define DEFAULT_CAP   (1024u * 1024u)
#define CHILD_PATH    "PATH=/usr/local/bin:/usr/bin:/bin"
#define MAX_CHILD_ENV 4096

struct running {
    pid_t pid;
    int fd[2]; /* stdout, stderr read ends; -1 once closed */
    double deadline;
    double start;
    double exited; /* when the command itself ended (ms), 0 while it runs */
    int status;    /* its wait status, once it ended */
    bool reaped;
};

/* How often a command with open pipes is checked for having ended, and how long its
 * output is still read after it did: a daemon it started may hold the pipes open, and the
 * command's answer must not wait for the daemon. */
#define EXIT_CHECK_MS 100.0
#define DRAIN_MS      100.0

/* The child's environment: the live environment with LC_ALL=C (so tools do not
 * localise what we parse), or for a fixture the fixture's variables plus a real PATH
 * and WLD_ROOT so recorded scripts can find their data. */
static char **child_env(const struct wld_host *h)
{
    size_t n = 0;
    while (h->env[n] && n < MAX_CHILD_ENV)
        n++;
    char **env = wld_xcalloc(n + 4, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (wld_str_starts(h->env[i], "LC_ALL=") || wld_str_starts(h->env[i], "WLD_ROOT="))
            continue;
        /* A fixture's PATH and loader variables name the recorded host's directories;
         * on this machine they would change what the doctor's own helpers load. */
        if (h->fixture &&
            (wld_str_starts(h->env[i], "PATH=") || wld_str_starts(h->env[i], "LD_LIBRARY_PATH=") ||
             wld_str_starts(h->env[i], "LD_PRELOAD=")))
            continue;
        env[k++] = wld_xstrdup(h->env[i]);
    }
    env[k++] = wld_xstrdup("LC_ALL=C");
    if (h->fixture) {
        env[k++] = wld_xstrdup(CHILD_PATH);
        env[k++] = wld_xasprintf("WLD_ROOT=%s", h->root);
    }
    env[k] = NULL;
    return env;
}

/* argv in host paths: a fixture's root taken out of every argument; free with
 * wld_strv_free. */
static char **host_argv(const struct wld_host *h, const char *const *argv)
{
    size_t n = 0;
    while (argv[n])
        n++;
    char **v = wld_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        v[i] = wld_xstrdup(argv[i]);
        wld_host_unroot(h, v[i]);
    }
    return v;
}

/* The arguments a fixture's command gets: each host path of spec->host_paths as the file
 * on this machine (wld_host_real_path), the rest as they are. The command's identity, for
 * a recording and its replay, stays the host spelling in spec->argv. */
static char **real_args(const struct wld_host *h, const struct wld_proc_spec *spec)
{
    size_t n = 0;
    while (spec->argv[n])
        n++;
    char **v = wld_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        char *p = NULL;
        bool path = i > 0 && i < 64 && (spec->host_paths >> i & 1) && spec->argv[i][0] == '/';
        if (!path || wld_host_real_path(h, spec->argv[i], &p) < 0)
            p = path ? wld_xasprintf("%s%s", h->root, spec->argv[i]) : wld_xstrdup(spec->argv[i]);
        v[i] = p;
    }
    return v;
}

/* The environment of one command: the run's env (borrowed), with the spec's variables and,
 * for a fixture's binary, its LD_LIBRARY_PATH on top. NULL when env serves as it is;
 * else a copy the caller frees with wld_strv_free. */
static char **spec_env(const struct wld_host *h, const struct wld_proc_spec *spec, char **env)
{
    bool ld = h->fixture && spec->fixture_ld_path;
    if (!ld && !spec->env)
        return NULL;
    size_t n = 0, extra = ld ? 1 : 0;
    while (env[n])
        n++;
    for (const char *const *e = spec->env; e && *e; e++)
        extra++;
    char **out = wld_xcalloc(n + extra + 1, sizeof(char *));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bool replaced = ld && wld_str_starts(env[i], "LD_LIBRARY_PATH=");
        for (const char *const *e = spec->env; e && *e && !replaced; e++) {
            size_t name = strcspn(*e, "=");
            replaced = strncmp(env[i], *e, name + 1) == 0;
        }
        if (!replaced)
            out[k++] = wld_xstrdup(env[i]);
    }
    for (const char *const *e = spec->env; e && *e; e++)
        out[k++] = wld_xstrdup(*e);
    if (ld)
        out[k++] = wld_xasprintf("LD_LIBRARY_PATH=%s", spec->fixture_ld_path);
    out[k] = NULL;
    return out;
}

/* Starts spec, or on a fixture host the recording's script (owned, freed here) in its
 * place. Returns 0 or the errno it could not start with. */
static int spawn_one(const struct wld_host *h,
                     const struct wld_proc_spec *spec,
                     char **env,
                     char *script,
                     struct running *run)
{
    int out[2] = { -1, -1 }, err[2] = { -1, -1 };
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char *real = NULL;
    char **paths = NULL; /* argv with its host paths made real, for a fixture's command */
    int r = 0;
    const char *replay_argv[3] = { "sh", NULL, NULL };
    const char *const *argv = spec->argv;
    if (script) {
        real = wld_xstrdup("/bin/sh");
        replay_argv[1] = script;
        argv = replay_argv;
    } else if (spec->exec_path) {
        real = wld_xstrdup(strcmp(spec->exec_path, WLD_PROC_SELF) == 0 ? wld_proc_helper_path()
                                                                       : spec->exec_path);
    } else if ((r = wld_host_real_path(h, spec->argv[0], &real)) < 0) {
        return -r;
    }
    if (!script && h->fixture && spec->host_paths) {
        paths = real_args(h, spec);
        argv = (const char *const *) paths;
    }
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
        r = errno;
        goto fail;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawnattr_init(&attr);
    sigset_t none, dflt;
    sigemptyset(&none);
    sigemptyset(&dflt);
    sigaddset(&dflt, SIGPIPE);
    sigaddset(&dflt, SIGINT);
    sigaddset(&dflt, SIGTERM);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                            POSIX_SPAWN_SETSIGDEF);
    char **own_env = spec_env(h, spec, env);
    r = posix_spawn(&run->pid, real, &fa, &attr, (char *const *) argv, own_env ? own_env : env);
    free(script);
    script = NULL;
    wld_strv_free(paths);
    paths = NULL;
    wld_strv_free(own_env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (r != 0)
        goto fail;
    close(out[1]);
    close(err[1]);
    wld_proc_show_(run->pid, run->start, spec->argv);
    run->fd[0] = out[0];
    run->fd[1] = err[0];
    free(real);
    return 0;
fail:
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (err[i] >= 0)
            close(err[i]);
    }
    free(script);
    wld_strv_free(paths);
    free(real);
    return r;
}

static void close_fds(struct running *run)
{
    for (int i = 0; i < 2; i++)
        if (run->fd[i] >= 0) {
            close(run->fd[i]);
            run->fd[i] = -1;
        }
}

static void record_status(struct wld_proc_result *res, int status)
{
    if (WIFEXITED(status)) {
        res->exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        res->exit_code = -1;
        res->signal = WTERMSIG(status);
    }
}

static void kill_group(struct running *run)
{
    kill(-run->pid, SIGKILL);
    kill(run->pid, SIGKILL);
}

/* Tells the recorder how a command ended, in host paths. */
static void record_command(const struct wld_host *h,
                           const struct wld_proc_spec *spec,
                           const struct wld_proc_result *res)
{
    char **argv = host_argv(h, spec->argv);
    struct wld_proc_result copy = *res;
    wld_buf_init(&copy.out, res->out.cap);
    wld_buf_init(&copy.err, res->err.cap);
    wld_buf_append(&copy.out, res->out.data ? res->out.data : "", res->out.len);
    wld_buf_append(&copy.err, res->err.data ? res->err.data : "", res->err.len);
    struct wld_buf *bufs[2] = { &copy.out, &copy.err };
    for (int k = 0; k < 2; k++)
        if (!memchr(bufs[k]->data, '\0', bufs[k]->len)) { /* text: unroot it */
            wld_host_unroot(h, bufs[k]->data);
            bufs[k]->len = strlen(bufs[k]->data);
        }
    h->layer->ran(h->layer->ctx, (const char *const *) argv, &copy);
    wld_proc_result_release(&copy);
    wld_strv_free(argv);
}

/* A fixture's recorded answer for spec (see proc_replay.h), looked up by its host argv. */
static bool replayed(const struct wld_host *h,
                     const struct wld_proc_spec *spec,
                     struct wld_proc_result *res,
                     char **script)
{
    char key[17];
    char **v = host_argv(h, spec->argv);
    wld_proc_key((const char *const *) v, key);
    wld_strv_free(v);
    return wld_proc_replay_(h, key, spec->timeout_ms, res, script);
}

int wld_proc_run_many(const struct wld_host *h,
                      const struct wld_proc_spec *specs,
                      struct wld_proc_result *results,
                      size_t n)
{
    wld_proc_become_subreaper_();
    struct running *runs = wld_xcalloc(n, sizeof(*runs));
    char **env = child_env(h);
    size_t active = 0;

    for (size_t i = 0; i < n; i++) {
        struct wld_proc_result *res = &results[i];
        memset(res, 0, sizeof(*res));
        size_t cap = specs[i].out_cap ? specs[i].out_cap : DEFAULT_CAP;
        wld_buf_init(&res->out, cap);
        wld_buf_init(&res->err, cap);
        runs[i].fd[0] = runs[i].fd[1] = -1;
        runs[i].start = wld_now_ms();
        runs[i].deadline = runs[i].start + specs[i].timeout_ms;
        char *script = NULL;
        if (h->fixture && replayed(h, &specs[i], res, &script)) {
            runs[i].reaped = true; /* the recording said all it did: nothing to start */
            continue;
        }
        int e = spawn_one(h, &specs[i], env, script, &runs[i]);
        if (e) {
            res->spawn_errno = e;
            res->exit_code = -1;
            runs[i].reaped = true;
            continue;
        }
        active++;
    }

    while (active > 0) {
        struct pollfd pfd[64];
        size_t owner[64];
        nfds_t np = 0;
        double now = wld_now_ms(), next_deadline = now + 60000.0;
        bool waiting_exit = false;
        for (size_t i = 0; i < n; i++) {
            if (runs[i].reaped)
                continue;
            if (now >= runs[i].deadline && !runs[i].exited) {
                kill_group(&runs[i]);
                close_fds(&runs[i]);
                while (waitpid(runs[i].pid, NULL, 0) < 0 && errno == EINTR) {
                }
                wld_proc_reap_children_(runs[i].pid); /* a timeout is rare: look for the rest */
                /* ended by the doctor's kill, whatever it was doing: one that exited on its
                 * own just as the deadline passed must not look otherwise (its replay
                 * answers a timeout so) */
                results[i].exit_code = -1;
                results[i].signal = SIGKILL;
                wld_proc_unshow_(runs[i].pid);
                results[i].timed_out = true;
                results[i].duration_ms = now - runs[i].start;
                runs[i].reaped = true;
                active--;
                continue;
            }
            if (!runs[i].exited && waitpid(runs[i].pid, &runs[i].status, WNOHANG) == runs[i].pid) {
                runs[i].exited = now;
                results[i].duration_ms = now - runs[i].start;
                wld_proc_unshow_(runs[i].pid);
            }
            bool open = runs[i].fd[0] >= 0 || runs[i].fd[1] >= 0;
            if (runs[i].exited && (!open || now - runs[i].exited >= DRAIN_MS)) {
                /* ended, and its output read (or held open by something it left running) */
                close_fds(&runs[i]);
                record_status(&results[i], runs[i].status);
                /* a group member left behind (a daemonised grandchild) must not outlive
                 * the doctor; one in a session of its own is wld_proc_sweep()'s */
                if (kill(-runs[i].pid, SIGKILL) == 0) /* the group was not empty */
                    wld_proc_reap_children_(runs[i].pid);
                runs[i].reaped = true;
                active--;
                continue;
            }
            if (!open) {
                waiting_exit = true; /* pipes closed, the command not yet ended */
                continue;
            }
            double check = runs[i].exited ? runs[i].exited + DRAIN_MS : now + EXIT_CHECK_MS;
            if (check < next_deadline)
                next_deadline = check;
            if (runs[i].deadline < next_deadline)
                next_deadline = runs[i].deadline;
            for (int k = 0; k < 2; k++) {
                if (runs[i].fd[k] >= 0 && np < WLD_ARRAY_SIZE(pfd)) {
                    pfd[np].fd = runs[i].fd[k];
                    pfd[np].events = POLLIN;
                    pfd[np].revents = 0;
                    owner[np] = i * 2 + (size_t) k;
                    np++;
                }
            }
        }
        if (active == 0)
            break;
        double wait = next_deadline - wld_now_ms();
        if (waiting_exit && wait > 1.0)
            wait = 1.0;
        if (wait < 0)
            wait = 0;
        if (np == 0) {
            struct timespec ts = { 0, (long) (wait * 1e6) };
            nanosleep(&ts, NULL);
            continue;
        }
        int pr = poll(pfd, np, (int) wait + 1);
        if (pr < 0 && errno != EINTR)
            break;
        for (nfds_t j = 0; j < np && pr > 0; j++) {
            if (!pfd[j].revents)
                continue;
            size_t i = owner[j] / 2;
            int k = (int) (owner[j] % 2);
            char chunk[8192];
            ssize_t got = read(pfd[j].fd, chunk, sizeof(chunk));
            if (got > 0) {
                wld_buf_append(k == 0 ? &results[i].out : &results[i].err, chunk, (size_t) got);
            } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
                close(runs[i].fd[k]);
                runs[i].fd[k] = -1;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        close_fds(&runs[i]);
        if (runs[i].pid > 0)
            wld_proc_unshow_(runs[i].pid);
    }
    for (size_t i = 0; h->layer && i < n; i++)
        record_command(h, &specs[i], &results[i]);
    for (size_t i = 0; wld_trace_on() && i < n; i++) {
        /* the command's name, and for the doctor's own helpers which helper */
        const char *name = strrchr(specs[i].argv[0], '/');
        char what[128];
        snprintf(what, sizeof(what), "%s%s%s", name ? name + 1 : specs[i].argv[0],
                 specs[i].exec_path && specs[i].argv[1] ? " " : "",
                 specs[i].exec_path && specs[i].argv[1] ? specs[i].argv[1] : "");
        wld_trace_span(what, runs[i].start, runs[i].start + results[i].duration_ms);
    }
    wld_strv_free(env);
    free(runs);
    return 0;
}

int wld_proc_run(const struct wld_host *h,
                 const struct wld_proc_spec *spec,
                 struct wld_proc_result *result)
{
    return wld_proc_run_many(h, spec, result, 1);
}

void wld_proc_result_release(struct wld_proc_result *r)
{
    if (!r)
        return;
    wld_buf_release(&r->out);
    wld_buf_release(&r->err);
}

void wld_proc_key(const char *const *argv, char out[17])
{
    struct wld_buf b;
    char hex[65];
    wld_buf_init(&b, SIZE_MAX / 2);
    for (size_t i = 0; argv[i]; i++)
        wld_buf_append(&b, argv[i], strlen(argv[i]) + 1);
    wld_sha256_hex(b.data, b.len, hex);
    wld_buf_release(&b);
    memcpy(out, hex, 16);
    out[16] = '\0';
}
