/* A recording's commands (wld/record.h): the script the recorder writes for each, and how a
 * replay answers one. A script of exactly the recorder's shape says all the command did
 * (print KEY.out and KEY.err, end as it ended), so the replay answers it from those files
 * without a shell: a replay never depends on how loaded the machine is (a hang answers
 * "timed out" at once, a quick command cannot miss its deadline). A script of any other
 * shape (a fixture's fake that reads its arguments or files) runs as it is. */
#include "proc_replay.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/proc.h"

/* What a script keeps at most: its comment names the arguments, the rest is four lines. */
#define SCRIPT_CAP (256u * 1024u)
#define HANG_LINE  "exec sleep 2147483647"

static void put_comment_arg(struct wld_buf *b, const char *a)
{
    wld_buf_puts(b, " ");
    for (const char *p = a; *p; p++)
        wld_buf_append(b, *p == '\n' || *p == '\r' ? " " : p, 1);
}

void wld_proc_replay_script(struct wld_buf *s,
                            const char *key,
                            const char *const *argv,
                            const struct wld_proc_result *r)
{
    wld_buf_puts(s, "#!/bin/sh\n# recorded by wsl-llm-doctor " WLD_VERSION ":");
    for (size_t i = 0; argv[i]; i++)
        put_comment_arg(s, argv[i]);
    wld_buf_printf(s, "\nd=\"$WLD_ROOT/.doctor/commands/%s\"\ncat \"$d.out\"\ncat \"$d.err\" >&2\n",
                   key);
    if (r->spawn_errno) {
        /* it never started: the replay reads the errno from KEY.spawn instead */
    } else if (r->timed_out) {
        wld_buf_printf(s, "# still running when killed at the deadline, %.0f ms\n" HANG_LINE "\n",
                       r->duration_ms);
    } else if (r->signal) {
        wld_buf_printf(s, "# killed by %s after %.1f ms\nkill -%d $$\n", wld_signal_name(r->signal),
                       r->duration_ms, r->signal);
    } else {
        wld_buf_printf(s, "# exit %d after %.1f ms\nexit %d\n", r->exit_code, r->duration_ms,
                       r->exit_code);
    }
}

/* A signal whose default action ends the shell that sends it to itself: the only kind a
 * recorded command can have died of. */
static bool ends_shell(int sig)
{
    return sig != SIGCHLD && sig != SIGCONT && sig != SIGSTOP && sig != SIGTSTP && sig != SIGTTIN &&
           sig != SIGTTOU && sig != SIGURG && sig != SIGWINCH;
}

/* The ending line of a recorder's script into res; false for any other line (the number
 * must be spelt as the recorder spells it). */
static bool parse_ending(const char *line, struct wld_proc_result *res, double timeout_ms)
{
    char canon[32];
    if (strcmp(line, HANG_LINE) == 0) {
        /* as the command would end at the deadline: killed with its group */
        res->timed_out = true;
        res->exit_code = -1;
        res->signal = SIGKILL;
        res->duration_ms = timeout_ms;
        return true;
    }
    if (strncmp(line, "exit ", 5) == 0) {
        long n = strtol(line + 5, NULL, 10);
        snprintf(canon, sizeof(canon), "exit %ld", n);
        res->exit_code = (int) n;
        return n >= 0 && n <= 255 && strcmp(line, canon) == 0;
    }
    if (strncmp(line, "kill -", 6) == 0) {
        long n = strtol(line + 6, NULL, 10);
        snprintf(canon, sizeof(canon), "kill -%ld $$", n);
        res->exit_code = -1;
        res->signal = (int) n;
        return n > 0 && n <= SIGRTMAX && ends_shell((int) n) && strcmp(line, canon) == 0;
    }
    return false;
}

/* True when script (NUL-terminated) is the recorder's for key, nothing but comments beside
 * its four lines; its ending goes into res. */
static bool
recorder_shape(char *script, const char *key, struct wld_proc_result *res, double timeout_ms)
{
    char d[64];
    snprintf(d, sizeof(d), "d=\"$WLD_ROOT/.doctor/commands/%s\"", key);
    const char *want[] = { d, "cat \"$d.out\"", "cat \"$d.err\" >&2" };
    size_t k = 0; /* lines that are not comments, so far */
    bool ended = false;
    if (strncmp(script, "#!/bin/sh\n", 10) != 0)
        return false;
    for (char *line = script, *next; *line; line = next) {
        char *nl = strchr(line, '\n');
        if (!nl)
            return false; /* the recorder ends every line */
        *nl = '\0';
        next = nl + 1;
        if (line[0] == '#')
            continue;
        if (ended || (k < 3 && strcmp(line, want[k]) != 0))
            return false;
        if (k++ == 3 && !(ended = parse_ending(line, res, timeout_ms)))
            return false;
    }
    return ended;
}

/* Reads DIR/.doctor/commands/KEY.SUFFIX, a regular file, into b (appended within its cap). */
static int read_part(const char *script, const char *suffix, struct wld_buf *b)
{
    struct wld_buf part;
    unsigned mode = 0;
    char *p = wld_xasprintf("%s.%s", script, suffix);
    int r = wld_read_named_file(p, b->cap, 0, &part, &mode);
    free(p);
    if (r < 0)
        return r;
    if (S_ISREG(mode))
        wld_buf_append(b, part.data, part.len);
    wld_buf_release(&part);
    return S_ISREG(mode) ? 0 : -EINVAL;
}

/* Answers res from the script at path when it has the recorder's shape. */
static bool
answer(const char *path, const char *key, double timeout_ms, struct wld_proc_result *res)
{
    struct wld_buf s;
    unsigned mode = 0;
    if (wld_read_named_file(path, SCRIPT_CAP, 0, &s, &mode) < 0)
        return false;
    struct wld_proc_result end = { .exit_code = 0 };
    bool ok = S_ISREG(mode) && strlen(s.data) == s.len &&
              recorder_shape(s.data, key, &end, timeout_ms);
    wld_buf_release(&s);
    if (!ok || read_part(path, "out", &res->out) < 0 || read_part(path, "err", &res->err) < 0) {
        res->out.len = res->err.len = 0; /* run the script instead, from a clean start */
        res->out.truncated = res->err.truncated = false;
        return false;
    }
    res->timed_out = end.timed_out;
    res->exit_code = end.exit_code;
    res->signal = end.signal;
    res->duration_ms = end.duration_ms;
    return true;
}

bool wld_proc_replay_(const struct wld_host *h,
                      const char *key,
                      double timeout_ms,
                      struct wld_proc_result *res,
                      char **script)
{
    char *path = wld_xasprintf("%s/.doctor/commands/%s", h->root, key);
    char *spawn = wld_xasprintf("%s.spawn", path);
    struct wld_buf b;
    struct stat st;
    *script = NULL;
    if (wld_host_read(h, spawn + strlen(h->root), 32, &b) == 0) {
        /* it could not start when recorded */
        res->spawn_errno = atoi(b.data) > 0 ? atoi(b.data) : ENOEXEC;
        res->exit_code = -1;
        wld_buf_release(&b);
    }
    free(spawn);
    bool answered = res->spawn_errno != 0;
    if (!answered && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        !(answered = answer(path, key, timeout_ms, res))) {
        *script = path; /* some other script: it runs in the command's place */
        return 0;
    }
    free(path);
    return answered;
}
