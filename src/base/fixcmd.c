/* Which code spans of a fix are commands a tool may offer to run as they stand (see
 * wld/fixcmd.h for the rule, docs/report.md for it in words). Two tables decide: the
 * programs a fix's commands start with, and what is never offered even from those. A
 * span that is not a command (a file name, a setting, a flag) and a command that is
 * unsafe are both left out; the prose of the fix is unchanged either way. */
#include "wld/fixcmd.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

/* The programs a fix's commands run, and whether one needs an operand (a word not starting
 * with '-') to mean anything: `ls -l`, `ldd` or `dpkg -S` alone are words about a command,
 * not one to run. A path to a program counts as its name (build/bin/llama-server); a
 * trailing '*' matches any name that starts so (python3.12). */
static const struct {
    const char *name;
    bool operand;
} programs[] = {
    { "apt", true },
    { "apt-get", true },
    { "cat", true },
    { "cd", true },
    { "chmod", true },
    { "cmake", true },
    { "command", true },
    { "curl", true },
    { "df", false },
    { "dkms", true },
    { "dmesg", false },
    { "docker", true },
    { "dpkg", true },
    { "echo", false },
    { "env", true },
    { "export", true },
    { "file", true },
    { "free", false },
    { "git", true },
    { "grep", true },
    { "gunzip", true },
    { "head", true },
    { "huggingface-cli", true },
    { "iconv", true },
    { "journalctl", false },
    { "ldconfig", false },
    { "ldd", true },
    { "llama-cli", false },
    { "llama-server", false },
    { "loginctl", true },
    { "ls", true },
    { "lsmod", false },
    { "mkdir", true },
    { "mv", true },
    { "nproc", false },
    { "nvcc", false },
    { "nvidia-ctk", true },
    { "nvidia-smi", false },
    { "ollama", true },
    { "pip", true },
    { "pip3", true },
    { "python", true },
    { "python3*", true },
    { "sed", true },
    { "systemctl", true },
    { "tee", true },
    { "ubuntu-drivers", true },
    { "uname", false },
    { "unset", true },
    { "update-alternatives", true },
    { "usermod", true },
    { "wsl-llm-doctor", false },
};

/* Never offered, whatever the fix says: the program (a trailing '*' matches any name that
 * starts so; "*" any program), the word among its arguments that makes it so (NULL: any
 * use), and why. */
static const struct {
    const char *program, *arg, *why;
} unsafe[] = {
    { "reboot", NULL, "restarts the machine" },
    { "shutdown", NULL, "stops the machine" },
    { "poweroff", NULL, "stops the machine" },
    { "halt", NULL, "stops the machine" },
    { "systemctl", "reboot", "restarts the machine" },
    { "systemctl", "poweroff", "stops the machine" },
    { "wsl", NULL, "a Windows command; wsl --shutdown and --terminate end this session" },
    { "wsl.exe", NULL, "a Windows command; wsl --shutdown and --terminate end this session" },
    { "rm", NULL, "deletes files" },
    { "dd", NULL, "overwrites a device or file" },
    { "mkfs*", NULL, "makes a file system over what is there" },
    { "shred", NULL, "destroys a file" },
    { "wipefs", NULL, "erases a disk's signatures" },
    { "fdisk", NULL, "repartitions a disk" },
    { "parted", NULL, "repartitions a disk" },
    { "apt", "remove", "uninstalls packages" },
    { "apt", "purge", "uninstalls packages" },
    { "apt", "autoremove", "uninstalls packages" },
    { "apt-get", "remove", "uninstalls packages" },
    { "apt-get", "purge", "uninstalls packages" },
    { "apt-get", "autoremove", "uninstalls packages" },
    { "dpkg", "-r", "uninstalls packages" },
    { "dpkg", "-P", "uninstalls packages" },
    { "dpkg", "--remove", "uninstalls packages" },
    { "dpkg", "--purge", "uninstalls packages" },
    { "pip", "uninstall", "uninstalls packages" },
    { "pip3", "uninstall", "uninstalls packages" },
    { "*", "--force-reinstall", "replaces installed packages, their dependencies too" },
    { "cp", "--remove-destination", "deletes the file it replaces" },
    { "git", "clean", "deletes files" },
    { "git", "reset", "discards changes" },
    { "sh", NULL, "runs a script it was handed" },
    { "bash", NULL, "runs a script it was handed" },
    { "nano", NULL, "waits for a person (an editor)" },
    { "vi", NULL, "waits for a person (an editor)" },
    { "vim", NULL, "waits for a person (an editor)" },
    { "systemctl", "edit", "waits for a person (an editor)" },
    { "update-alternatives", "--config", "waits for a person (a menu)" },
    { "newgrp", NULL, "starts a new shell" },
    { "huggingface-cli", "login", "waits for a person (a token)" },
};

/* Words that stand for something the user must fill in ("ollama stop MODEL"). */
static const char *const placeholders[] = { "FILE", "PATH", "DIR",  "MODEL",   "MODEL_DIR",
                                            "REPO", "NAME", "URL",  "VERSION", "DISTRO",
                                            "OLD",  "NEW",  "USER", "HOST",    "ID" };

/* Whether s holds something to fill in: "{var}", "<distro>", "...", a placeholder word
 * (not a $VARIABLE, not the name in NAME=value), or a version ending in ".x"/"-x". */
static bool has_placeholder(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '{' || *p == '<') {
            char close = *p == '{' ? '}' : '>';
            size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_- ");
            if (n > 0 && p[1 + n] == close)
                return true;
        }
        if (strncmp(p, "...", 3) == 0)
            return true;
        if (!isalnum((unsigned char) *p) && *p != '_')
            continue;
        size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
        const char *e = p + n; /* "cuda-toolkit-12-x": a version to fill in */
        if (isdigit((unsigned char) e[-1]) && (*e == '-' || *e == '.') && e[1] == 'x' &&
            !isalnum((unsigned char) e[2]))
            return true;
        bool variable = p > s && p[-1] == '$';
        for (size_t i = 0; !variable && p[n] != '=' && i < WLD_ARRAY_SIZE(placeholders); i++)
            if (strlen(placeholders[i]) == n && memcmp(placeholders[i], p, n) == 0)
                return true;
        p += n - 1;
    }
    return false;
}

/* The words of one command, quotes kept; at most 64. */
struct words {
    char *w[64];
    size_t n;
};

static void split_words(char *seg, struct words *ws)
{
    ws->n = 0;
    char *p = seg;
    while (*p && ws->n < WLD_ARRAY_SIZE(ws->w)) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        ws->w[ws->n++] = p;
        char quote = 0;
        for (; *p && (quote || (*p != ' ' && *p != '\t')); p++)
            if (quote ? *p == quote : (*p == '\'' || *p == '"'))
                quote = quote ? 0 : *p;
    }
}

/* A word as a program's name: quotes off, a path's last part. */
static void program_name(const char *word, char *out, size_t size)
{
    size_t k = 0;
    for (const char *p = word; *p && k + 1 < size; p++)
        if (*p != '\'' && *p != '"')
            out[k++] = *p;
    out[k] = '\0';
    char *slash = strrchr(out, '/');
    if (slash)
        memmove(out, slash + 1, strlen(slash + 1) + 1);
}

static bool name_matches(const char *pattern, const char *name)
{
    size_t n = strlen(pattern);
    if (n && pattern[n - 1] == '*')
        return strncmp(pattern, name, n - 1) == 0;
    return strcmp(pattern, name) == 0;
}

/* One command (no &&, ;, |): NULL when it may be offered, else why not. */
static const char *judge_command(char *seg)
{
    struct words ws;
    split_words(seg, &ws);
    size_t i = 0;
    while (i < ws.n && strchr(ws.w[i], '=') && ws.w[i][0] != '-') /* CMAKE_ARGS=... cmake */
        i++;
    if (i < ws.n && strcmp(ws.w[i], "sudo") == 0)
        for (i++; i < ws.n && ws.w[i][0] == '-'; i++)
            ;
    if (i >= ws.n)
        return "not a command";
    char name[128];
    program_name(ws.w[i], name, sizeof(name));
    for (size_t u = 0; u < WLD_ARRAY_SIZE(unsafe); u++) {
        if (strcmp(unsafe[u].program, "*") != 0 && !name_matches(unsafe[u].program, name))
            continue;
        if (!unsafe[u].arg)
            return unsafe[u].why;
        for (size_t a = i + 1; a < ws.n; a++)
            if (strcmp(ws.w[a], unsafe[u].arg) == 0)
                return unsafe[u].why;
    }
    for (size_t k = 0; k < WLD_ARRAY_SIZE(programs); k++) {
        if (!name_matches(programs[k].name, name))
            continue;
        if (!programs[k].operand)
            return NULL;
        for (size_t a = i + 1; a < ws.n; a++)
            if (ws.w[a][0] != '-')
                return NULL;
        return "a program without what it acts on";
    }
    return "not a command";
}

bool wld_fix_command_safe(const char *cmd, const char **why)
{
    const char *no = NULL;
    if (!cmd || !cmd[0] || strlen(cmd) > 1024 || strpbrk(cmd, "\n\r`"))
        no = "not a command";
    else if (has_placeholder(cmd))
        no = "leaves something to fill in";
    char *copy = no ? NULL : wld_xstrdup(cmd);
    /* each command of a list or a pipeline, split where no quote is open */
    char *seg = copy, quote = 0;
    for (char *p = copy; p && !no; p++) {
        if (quote) {
            quote = *p == quote ? 0 : quote;
            if (!*p)
                no = "an unclosed quote";
            continue;
        }
        if (*p == '\'' || *p == '"') {
            quote = *p;
            continue;
        }
        if (*p && *p != '&' && *p != '|' && *p != ';')
            continue;
        bool end = !*p;
        size_t op = *p && (p[1] == '&' || p[1] == '|') ? 2 : 1;
        if (*p == '&' && p > copy && (p[-1] == '>' || p[-1] == '<'))
            continue; /* 2>&1 */
        if (*p == '&' && p[1] != '&') {
            no = "runs in the background";
            break;
        }
        *p = '\0';
        no = judge_command(seg);
        if (end)
            break;
        p += op - 1;
        seg = p + 1;
    }
    free(copy);
    if (no && why)
        *why = no;
    return !no;
}

cJSON *wld_fix_commands(const char *fix)
{
    cJSON *list = cJSON_CreateArray();
    const char *p = fix ? strchr(fix, '`') : NULL;
    while (p) {
        size_t n = strspn(p, "`");
        /* the closing run of as many backticks, as GitHub's code spans */
        const char *close = strchr(p + n, '`');
        while (close && strspn(close, "`") != n)
            close = strchr(close + strspn(close, "`"), '`');
        if (!close)
            break;
        char *span = wld_xstrndup(p + n, (size_t) (close - p - n));
        wld_str_trim(span);
        bool seen = false;
        const cJSON *e;
        cJSON_ArrayForEach(e, list)
        {
            seen |= strcmp(e->valuestring, span) == 0;
        }
        if (!seen && wld_fix_command_safe(span, NULL))
            cJSON_AddItemToArray(list, cJSON_CreateString(span));
        free(span);
        p = strchr(close + n, '`');
    }
    return list;
}
