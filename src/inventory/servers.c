/* The model servers running on a host (see wld/servers.h). */
#include "wld/servers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/util.h"

/* fds of one process looked at, at most: a server has a handful */
#define MAX_FDS 4096
/* parents followed up to the doctor, at most */
#define MAX_DEPTH 64

/* A process's pid, parent and start time (clock ticks after boot), from /proc/PID/stat. */
struct stat_line {
    long pid, ppid;
    unsigned long long start;
};

static int read_stat(const struct wld_host *h, const char *pid, struct stat_line *ret)
{
    char *path = wld_xasprintf("/proc/%s/stat", pid);
    struct wld_buf b;
    int r = wld_host_read(h, path, 4096, &b);
    free(path);
    if (r < 0)
        return r;
    /* "PID (COMM) S PPID ...": COMM may hold spaces and parentheses, so from the last ')' */
    const char *close = strrchr(b.data, ')');
    long fields[20] = { 0 };
    unsigned long long start = 0;
    int got = 0;
    if (close) {
        const char *p = close + 1;
        for (int i = 0; i < 20 && *p; i++) {
            while (*p == ' ')
                p++;
            char *end;
            if (i == 19)
                start = strtoull(p, &end, 10);
            else
                fields[i] = strtol(p, &end, 10);
            if (end == p && i > 0)
                break;
            got = i + 1;
            p = end + strcspn(end, " ");
        }
    }
    ret->pid = strtol(b.data, NULL, 10);
    wld_buf_release(&b);
    if (got < 20)
        return -EINVAL;
    ret->ppid = fields[1];
    ret->start = start;
    return 0;
}

/* Whether pid descends from self (the doctor): its parents are followed up to init. */
static bool in_tree_of(const struct wld_host *h, long pid, long self)
{
    for (int depth = 0; pid > 1 && depth < MAX_DEPTH; depth++) {
        if (pid == self)
            return true;
        char num[32];
        snprintf(num, sizeof(num), "%ld", pid);
        struct stat_line st;
        if (read_stat(h, num, &st) < 0)
            return false;
        pid = st.ppid;
    }
    return false;
}

/* One LISTEN socket of /proc/net/tcp or tcp6. */
struct listener {
    unsigned long long inode;
    char addr[INET6_ADDRSTRLEN];
    unsigned port;
};

struct listeners {
    struct listener *v;
    size_t n;
};

/* "0100007F:1F90" (tcp) or 32 hex digits and a port (tcp6): the kernel prints each 32-bit
 * word of the address in the host's byte order. */
static bool parse_addr(const char *hex, bool v6, char *addr, unsigned *port)
{
    size_t digits = v6 ? 32 : 8;
    if (strspn(hex, "0123456789ABCDEFabcdef") != digits || hex[digits] != ':')
        return false;
    unsigned char bytes[16];
    for (size_t w = 0; w < digits / 8; w++) {
        char word[9];
        memcpy(word, hex + w * 8, 8);
        word[8] = '\0';
        uint32_t x = (uint32_t) strtoul(word, NULL, 16);
        memcpy(bytes + w * 4, &x, 4);
    }
    *port = (unsigned) strtoul(hex + digits + 1, NULL, 16);
    return inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, addr, INET6_ADDRSTRLEN) != NULL;
}

static void read_listeners(const struct wld_host *h, const char *path, bool v6, struct listeners *l)
{
    struct wld_buf b;
    if (wld_host_read(h, path, 8u << 20, &b) < 0)
        return;
    char *save = NULL;
    for (char *line = strtok_r(b.data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[10], *fs = NULL;
        int n = 0;
        for (char *t = strtok_r(line, " \t", &fs); t && n < 10; t = strtok_r(NULL, " \t", &fs))
            f[n++] = t;
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode; 0A is LISTEN */
        if (n < 10 || strcmp(f[3], "0A") != 0 || l->n >= 65536)
            continue;
        struct listener x = { .inode = strtoull(f[9], NULL, 10) };
        if (!parse_addr(f[1], v6, x.addr, &x.port) || x.inode == 0)
            continue;
        l->v = wld_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
        l->v[l->n++] = x;
    }
    wld_buf_release(&b);
}

/* The address to ask a listener on: a wildcard is reached on loopback. */
static char *url_of(const char *addr, unsigned port)
{
    if (strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::ffff:0.0.0.0") == 0)
        addr = "127.0.0.1";
    else if (strcmp(addr, "::") == 0)
        addr = "::1";
    else if (wld_str_starts(addr, "::ffff:") && strchr(addr, '.'))
        addr += 7;
    return strchr(addr, ':') ? wld_xasprintf("http://[%s]:%u", addr, port)
                             : wld_xasprintf("http://%s:%u", addr, port);
}

/* The value of NAME=... in a NUL-separated block, or NULL. */
static const char *env_in(const struct wld_buf *b, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; b && i < b->len; i += strlen(b->data + i) + 1)
        if (strncmp(b->data + i, name, nl) == 0 && b->data[i + nl] == '=')
            return b->data + i + nl + 1;
    return NULL;
}

/* argv[i] is flag (or one of its spellings) and has a value: the value, "--flag=value" too. */
static const char *flag_value(char **argv, size_t i, const char *const *flags)
{
    for (const char *const *f = flags; *f; f++) {
        size_t l = strlen(*f);
        if (strcmp(argv[i], *f) == 0 && argv[i + 1])
            return argv[i + 1];
        if (strncmp(argv[i], *f, l) == 0 && argv[i][l] == '=' && f[0][1] == '-')
            return argv[i] + l + 1;
    }
    return NULL;
}

/* A path as the process sees it: a relative one is under its working directory. */
static void add_path(cJSON *args, const char *name, const char *value, const char *cwd)
{
    if (value[0] != '/' && cwd) {
        char *abs = wld_xasprintf("%s/%s", cwd, value);
        cJSON_AddStringToObject(args, name, abs);
        free(abs);
    } else {
        cJSON_AddStringToObject(args, name, value);
    }
}

/* What a llama-server's flags and LLAMA_ARG_* environment say; flags win, as in llama.cpp. */
static void llama_args(char **argv, const struct wld_buf *env, const char *cwd, cJSON *args)
{
    static const char *const host[] = { "--host", NULL }, *const port[] = { "--port", NULL },
                             *const model[] = { "-m", "--model", NULL },
                             *const dir[] = { "--models-dir", NULL },
                             *const ctx[] = { "-c", "--ctx-size", NULL },
                             *const alias[] = { "-a", "--alias", NULL },
                             *const key[] = { "--api-key", "--api-key-file", NULL };
    const char *h = NULL, *p = NULL, *m = NULL, *d = NULL, *c = NULL, *a = NULL;
    bool k = false;
    for (size_t i = 1; argv[i]; i++) {
        const char *v;
        if ((v = flag_value(argv, i, host)))
            h = v;
        else if ((v = flag_value(argv, i, port)))
            p = v;
        else if ((v = flag_value(argv, i, model)))
            m = v;
        else if ((v = flag_value(argv, i, dir)))
            d = v;
        else if ((v = flag_value(argv, i, ctx)))
            c = v;
        else if ((v = flag_value(argv, i, alias)))
            a = v;
        else if (flag_value(argv, i, key))
            k = true;
    }
    h = h ? h : env_in(env, "LLAMA_ARG_HOST");
    p = p ? p : env_in(env, "LLAMA_ARG_PORT");
    m = m ? m : env_in(env, "LLAMA_ARG_MODEL");
    d = d ? d : env_in(env, "LLAMA_ARG_MODELS_DIR");
    c = c ? c : env_in(env, "LLAMA_ARG_CTX_SIZE");
    a = a ? a : env_in(env, "LLAMA_ARG_ALIAS");
    k = k || env_in(env, "LLAMA_API_KEY") || env_in(env, "LLAMA_ARG_API_KEY_FILE");
    if (h)
        cJSON_AddStringToObject(args, "host", h);
    cJSON_AddStringToObject(args, "port", p ? p : "8080");
    if (m && *m)
        add_path(args, "model", m, cwd);
    if (d && *d)
        add_path(args, "models_dir", d, cwd);
    if (c && strspn(c, "0123456789") == strlen(c) && *c)
        cJSON_AddNumberToObject(args, "ctx", strtod(c, NULL));
    if (a)
        cJSON_AddStringToObject(args, "alias", a);
    cJSON_AddBoolToObject(args, "api_key", k);
}

/* OLLAMA_HOST is a host, host:port or a URL; the port is 11434 unless it says another. */
static void ollama_args(const struct wld_buf *env, cJSON *args)
{
    const char *oh = env_in(env, "OLLAMA_HOST");
    char *hostpart = NULL;
    const char *port = "11434";
    if (oh) {
        const char *s = strstr(oh, "://") ? strstr(oh, "://") + 3 : oh;
        const char *colon = strrchr(s, ':');
        if (colon && !strchr(colon, ']')) {
            hostpart = wld_xstrndup(s, (size_t) (colon - s));
            port = colon + 1;
        } else {
            hostpart = wld_xstrdup(s);
        }
        hostpart[strcspn(hostpart, "/")] = '\0';
        cJSON_AddStringToObject(args, "host", hostpart);
    }
    char digits[8] = "";
    snprintf(digits, sizeof(digits), "%.*s", (int) strspn(port, "0123456789"), port);
    cJSON_AddStringToObject(args, "port", digits[0] ? digits : "11434");
    const char *models = env_in(env, "OLLAMA_MODELS");
    if (models && models[0] == '/')
        cJSON_AddStringToObject(args, "models_dir", models);
    free(hostpart);
}

/* NUL-separated words as a NULL-terminated vector (borrowing buf). */
static char **words(struct wld_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i += strlen(b->data + i) + 1)
        n++;
    char **v = wld_xcalloc(n + 1, sizeof(char *));
    n = 0;
    for (size_t i = 0; i < b->len; i += strlen(b->data + i) + 1)
        v[n++] = b->data + i;
    return v;
}

/* Where pid listens: its sockets among the listeners; listen_error when its fds are closed
 * to us, and then the announced port if anything listens there. */
static void find_listens(const struct wld_host *h,
                         const char *pid,
                         const struct listeners *l,
                         cJSON *s,
                         const char *announced)
{
    cJSON *listens = cJSON_AddArrayToObject(s, "listens");
    char *dir = wld_xasprintf("/proc/%s/fd", pid);
    char **fds = NULL;
    int r = wld_host_list(h, dir, MAX_FDS, &fds);
    const struct listener *pick = NULL;
    if (r < 0) {
        wld_fact_errno(s, "listen_error", -r);
        for (size_t i = 0; i < l->n && !pick; i++)
            if (announced && l->v[i].port == strtoul(announced, NULL, 10))
                pick = &l->v[i];
    }
    for (char **f = fds; f && *f; f++) {
        char *path = wld_xasprintf("%s/%s", dir, *f), *target = NULL;
        unsigned long long inode = 0;
        if (wld_host_readlink(h, path, &target) == 0 &&
            sscanf(target, "socket:[%llu]", &inode) == 1)
            for (size_t i = 0; i < l->n; i++) {
                if (l->v[i].inode != inode)
                    continue;
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "addr", l->v[i].addr);
                cJSON_AddNumberToObject(x, "port", l->v[i].port);
                cJSON_AddItemToArray(listens, x);
                /* the port its flags name, else the first */
                if (!pick || (announced && l->v[i].port == strtoul(announced, NULL, 10)))
                    pick = &l->v[i];
            }
        free(target);
        free(path);
    }
    wld_strv_free(fds);
    free(dir);
    if (pick) {
        char *url = url_of(pick->addr, pick->port);
        cJSON_AddStringToObject(s, "url", url);
        free(url);
    }
}

/* The process pid when it is a model server: its facts, or NULL. */
static cJSON *
look_at(const struct wld_host *h, const char *pid, const struct stat_line *st, struct listeners *l)
{
    char *path = wld_xasprintf("/proc/%s/cmdline", pid);
    struct wld_buf cmd, env;
    int r = wld_host_read(h, path, 65536, &cmd);
    free(path);
    if (r < 0)
        return NULL;
    if (cmd.len == 0 || cmd.data[cmd.len - 1] != '\0')
        wld_buf_append(&cmd, "", 1);
    char **argv = words(&cmd);
    const char *argv0 = argv[0] && strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    bool llama = argv0 && strcmp(argv0, "llama-server") == 0;
    /* `llama-server --list-devices` (llama.devices' probe, run by any doctor), --version or
     * --help print and exit: they never serve */
    for (size_t i = 1; llama && argv[i]; i++)
        llama = strcmp(argv[i], "--list-devices") != 0 && strcmp(argv[i], "--version") != 0 &&
                strcmp(argv[i], "--help") != 0 && strcmp(argv[i], "-h") != 0;
    bool ollama = argv0 && strcmp(argv0, "ollama") == 0 && argv[1] && strcmp(argv[1], "serve") == 0;
    if (!llama && !ollama) {
        free(argv);
        wld_buf_release(&cmd);
        return NULL;
    }
    path = wld_xasprintf("/proc/%s/environ", pid);
    bool have_env = wld_host_read(h, path, 1 << 20, &env) == 0;
    free(path);
    char *cwd = NULL, *exe = NULL;
    path = wld_xasprintf("/proc/%s/cwd", pid);
    if (wld_host_readlink(h, path, &cwd) < 0)
        cwd = NULL;
    free(path);
    path = wld_xasprintf("/proc/%s/exe", pid);
    if (wld_host_readlink(h, path, &exe) == 0 && wld_str_ends(exe, " (deleted)"))
        exe[strlen(exe) - strlen(" (deleted)")] = '\0';
    free(path);

    cJSON *s = cJSON_CreateObject();
    cJSON_AddNumberToObject(s, "pid", (double) st->pid);
    cJSON_AddNumberToObject(s, "ppid", (double) st->ppid);
    cJSON_AddStringToObject(s, "kind", llama ? "llama-server" : "ollama");
    if (exe && exe[0] == '/')
        cJSON_AddStringToObject(s, "exe", exe);
    cJSON *args = cJSON_AddObjectToObject(s, "args");
    if (llama)
        llama_args(argv, have_env ? &env : NULL, cwd, args);
    else
        ollama_args(have_env ? &env : NULL, args);
    find_listens(h, pid, l, s, wld_fact_str(args, "port"));
    free(cwd);
    free(exe);
    free(argv);
    wld_buf_release(&cmd);
    if (have_env)
        wld_buf_release(&env);
    return s;
}

static void ignore(cJSON *ignored, long pid, const char *why)
{
    cJSON *x = cJSON_CreateObject();
    cJSON_AddNumberToObject(x, "pid", (double) pid);
    cJSON_AddStringToObject(x, "why", why);
    cJSON_AddItemToArray(ignored, x);
}

void wld_servers_find(const struct wld_host *h, cJSON *v)
{
    cJSON *servers = cJSON_AddArrayToObject(v, "servers");
    cJSON *ignored = cJSON_AddArrayToObject(v, "ignored");
    struct stat_line self = { .pid = -1 };
    bool know_self = read_stat(h, "self", &self) == 0;
    char **pids = NULL;
    struct listeners l = { 0 };
    bool listeners_read = false;
    if (wld_host_list(h, "/proc", 65536, &pids) < 0)
        return;
    for (char **p = pids; *p && cJSON_GetArraySize(servers) < WLD_SERVERS_MAX; p++) {
        if (strspn(*p, "0123456789") != strlen(*p))
            continue;
        /* the name first: other processes' command lines (a password on one) are never
         * read, nor kept by `record` */
        char *path = wld_xasprintf("/proc/%s/comm", *p);
        struct wld_buf comm;
        int r = wld_host_read(h, path, 64, &comm);
        free(path);
        if (r < 0)
            continue;
        comm.data[strcspn(comm.data, "\n")] = '\0';
        bool candidate = strcmp(comm.data, "llama-server") == 0 || strcmp(comm.data, "ollama") == 0;
        wld_buf_release(&comm);
        struct stat_line st;
        if (!candidate || read_stat(h, *p, &st) < 0)
            continue;
        if (know_self && st.start > self.start) {
            ignore(ignored, st.pid, "started_after");
            continue;
        }
        if (know_self && in_tree_of(h, st.pid, self.pid)) {
            ignore(ignored, st.pid, "own");
            continue;
        }
        if (!listeners_read) {
            read_listeners(h, "/proc/net/tcp", false, &l);
            read_listeners(h, "/proc/net/tcp6", true, &l);
            listeners_read = true;
        }
        cJSON *s = look_at(h, *p, &st, &l);
        if (s)
            cJSON_AddItemToArray(servers, s);
    }
    /* a router's children: llama-servers it started, one per loaded model */
    cJSON *s, *parent;
    cJSON_ArrayForEach(s, servers)
    {
        cJSON_ArrayForEach(parent, servers)
        {
            if (parent != s && wld_str_is(wld_fact_str(parent, "kind"), "llama-server") &&
                wld_fact_num(parent, "pid", -1) == wld_fact_num(s, "ppid", -2))
                cJSON_AddNumberToObject(s, "router_pid", wld_fact_num(parent, "pid", 0));
        }
    }
    free(l.v);
    wld_strv_free(pids);
}
