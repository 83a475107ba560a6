/* Redaction with stable, same-length tokens (see wld/redact.h). */
#include "wld/redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wld/util.h"
#include "wld/wslfile.h"

#define MAX_VALUES 512

struct value {
    enum wld_redact_kind kind;
    char *text;
    char *token; /* same length as text */
    size_t len;
};

struct wld_redactor {
    struct value v[MAX_VALUES];
    size_t n;
    unsigned per_kind[WLD_REDACT_KINDS];
};

/* Names that are not personal: system accounts, Windows' own profile folders, CI users. */
static const char *const not_personal[] = {
    "root",       "user",          "users",  "public",      "default", "default user",
    "all users",  "defaultuser0",  "admin",  "nobody",      "ubuntu",  "debian",
    "wsl",        "localhost",     "home",   "guest",       "runner",  "desktop.ini",
    "wsiaccount", "administrator", "(none)", "localdomain", "true",    "false",
};

/* Per kind, token prefixes from the most to the least readable; the first that leaves
 * room for the number is used, padded with zeros to the value's length. */
static const char *const prefixes[WLD_REDACT_KINDS][3] = {
    [WLD_REDACT_USER] = { "user", "u", NULL }, [WLD_REDACT_WINUSER] = { "winuser", "win", "w" },
    [WLD_REDACT_HOST] = { "host", "h", NULL }, [WLD_REDACT_HOME] = { "/home", "/h", NULL },
    [WLD_REDACT_UUID] = { NULL, NULL, NULL },  [WLD_REDACT_SERIAL] = { "serial", "s", NULL },
    [WLD_REDACT_ENV] = { "env", "e", NULL },
};

static const char *const kind_names[WLD_REDACT_KINDS][2] = {
    [WLD_REDACT_USER] = { "Linux user name", "Linux user names" },
    [WLD_REDACT_WINUSER] = { "Windows user name", "Windows user names" },
    [WLD_REDACT_HOST] = { "hostname", "hostnames" },
    [WLD_REDACT_HOME] = { "home path", "home paths" },
    [WLD_REDACT_UUID] = { "GPU or device UUID", "GPU or device UUIDs" },
    [WLD_REDACT_SERIAL] = { "serial number", "serial numbers" },
    [WLD_REDACT_ENV] = { "environment value", "environment values" },
};

static const char *const kind_keys[WLD_REDACT_KINDS] = { "user",       "windows_user", "hostname",
                                                         "home",       "uuid",         "serial",
                                                         "environment" };

struct wld_redactor *wld_redactor_new(void)
{
    return wld_xcalloc(1, sizeof(struct wld_redactor));
}

void wld_redactor_free(struct wld_redactor *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i].text);
        free(r->v[i].token);
    }
    free(r);
}

static bool is_word(unsigned char c)
{
    return isalnum(c) != 0;
}

/* The token for the n-th value of a kind, len bytes long. */
static char *make_token(enum wld_redact_kind kind, const char *value, unsigned n, size_t len)
{
    char *t = wld_xcalloc(len + 1, 1);
    char num[16];
    int d = snprintf(num, sizeof(num), "%u", n);
    if (kind == WLD_REDACT_UUID) {
        /* keep the shape: hex digits become 0, the number ends it */
        for (size_t i = 0; i < len; i++)
            t[i] = isxdigit((unsigned char) value[i]) ? '0' : value[i];
        if ((size_t) d <= len)
            memcpy(t + len - (size_t) d, num, (size_t) d);
        return t;
    }
    for (size_t k = 0; k < 3 && prefixes[kind][k]; k++) {
        size_t pl = strlen(prefixes[kind][k]);
        if (pl + (size_t) d > len)
            continue;
        memcpy(t, prefixes[kind][k], pl);
        memset(t + pl, '0', len - pl - (size_t) d);
        memcpy(t + len - (size_t) d, num, (size_t) d);
        return t;
    }
    memset(t, 'x', len);
    return t;
}

void wld_redactor_add(struct wld_redactor *r, enum wld_redact_kind kind, const char *value)
{
    size_t len = value ? strlen(value) : 0;
    if (len < WLD_REDACT_MIN_LEN || r->n >= MAX_VALUES)
        return;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(not_personal); i++)
        if (wld_str_eq_nocase(value, not_personal[i]))
            return;
    for (size_t i = 0; i < r->n; i++)
        if (wld_str_eq_nocase(value, r->v[i].text))
            return;
    unsigned n = ++r->per_kind[kind];
    /* longest first, so "alice-laptop" is replaced before "alice" */
    size_t at = 0;
    while (at < r->n && r->v[at].len >= len)
        at++;
    memmove(&r->v[at + 1], &r->v[at], (r->n - at) * sizeof(struct value));
    r->v[at] = (struct value){ .kind = kind,
                               .text = wld_xstrdup(value),
                               .token = make_token(kind, value, n, len),
                               .len = len };
    r->n++;
}

bool wld_redact_env_allowed(const char *key)
{
    static const char *const exact[] = {
        "PATH",
        "LD_LIBRARY_PATH",
        "LD_PRELOAD",
        "HOME",
        "USER",
        "LOGNAME",
        "SUDO_USER",
        "SHELL",
        "TERM",
        "COLORTERM",
        "TERM_PROGRAM",
        "TERM_PROGRAM_VERSION",
        "LANG",
        "LANGUAGE",
        "SHLVL",
        "PWD",
        "OLDPWD",
        "HOSTTYPE",
        "WSL_DISTRO_NAME",
        "WSL_INTEROP",
        "WSLENV",
        "WSL2_GUI_APPS_ENABLED",
        "USERPROFILE",
        "HOSTNAME",
        "NAME",
        "EDITOR",
        "VISUAL",
        "PAGER",
        "LESS",
        "LESSOPEN",
        "LESSCLOSE",
        "LS_COLORS",
        "MANPATH",
        "INFOPATH",
        "TMPDIR",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "PULSE_SERVER",
        "XDG_RUNTIME_DIR",
        "XDG_DATA_DIRS",
        "XDG_CONFIG_DIRS",
        "XDG_SESSION_TYPE",
        "CC",
        "CXX",
        "PKG_CONFIG_PATH",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "CONDA_DEFAULT_ENV",
        "PYTHONPATH",
        "HF_HOME",
        "HF_HUB_CACHE",
        "HUGGINGFACE_HUB_CACHE",
        "CI",
        "GITHUB_ACTIONS",
        "NO_COLOR",
        "_",
    };
    static const char *const prefix[] = { "LC_",    "CUDA_",   "NVIDIA_", "GGML_",
                                          "LLAMA_", "OLLAMA_", "CMAKE_" };
    static const char *const secret[] = {
        "TOKEN", "KEY", "SECRET", "PASS", "AUTH", "CRED", "COOKIE"
    };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(secret); i++)
        if (strstr(key, secret[i]))
            return false;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(exact); i++)
        if (strcmp(key, exact[i]) == 0)
            return true;
    for (size_t i = 0; i < WLD_ARRAY_SIZE(prefix); i++)
        if (wld_str_starts(key, prefix[i]))
            return true;
    return false;
}

/* An environment value worth hiding: not a path (paths are redacted by their user part,
 * and "/usr/lib" must stay readable), not a number or a switch. */
static bool env_value_personal(const char *v)
{
    if (strlen(v) < 4 || v[0] == '/' || strstr(v, ":/"))
        return false;
    bool digits = true;
    for (const char *p = v; *p; p++)
        digits &= isdigit((unsigned char) *p) != 0;
    return !digits;
}

static void learn_file_line(struct wld_redactor *r,
                            const struct wld_host *h,
                            const char *path,
                            enum wld_redact_kind kind)
{
    struct wld_buf b;
    char line[256];
    if (wld_host_read(h, path, sizeof(line), &b) < 0)
        return;
    wld_str_line(b.data, line, sizeof(line));
    wld_redactor_add(r, kind, wld_str_trim(line));
    wld_buf_release(&b);
}

void wld_redactor_learn_host(struct wld_redactor *r, const struct wld_host *h)
{
    static const char *const users[] = { "USER", "LOGNAME", "SUDO_USER" };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(users); i++)
        wld_redactor_add(r, WLD_REDACT_USER, wld_host_getenv(h, users[i]));
    const char *home = wld_host_home(h);
    if (home) {
        const char *base = strrchr(home, '/');
        if (wld_str_starts(home, "/home/") && base && !strchr(home + 6, '/'))
            wld_redactor_add(r, WLD_REDACT_USER, base + 1);
        else if (strcmp(home, "/root") != 0 && strcmp(home, "/") != 0)
            wld_redactor_add(r, WLD_REDACT_HOME, home);
    }
    learn_file_line(r, h, "/proc/sys/kernel/hostname", WLD_REDACT_HOST);
    learn_file_line(r, h, "/etc/hostname", WLD_REDACT_HOST);
    wld_redactor_add(r, WLD_REDACT_HOST, wld_host_getenv(h, "HOSTNAME"));
    wld_redactor_add(r, WLD_REDACT_HOST, wld_host_getenv(h, "NAME"));
    /* the Windows profiles, under /etc/wsl.conf's [automount] root (/mnt/c by default) */
    cJSON *conf = cJSON_CreateObject();
    wld_wsl_file_read(h, "/etc/wsl.conf", conf);
    char *root = wld_wsl_drive_root(conf);
    char *users_dir = wld_xasprintf("%sc/Users", root);
    cJSON_Delete(conf);
    free(root);
    char **names = NULL;
    int listed = wld_host_list(h, users_dir, 256, &names);
    free(users_dir);
    if (listed == 0) {
        for (char **n = names; *n; n++)
            wld_redactor_add(r, WLD_REDACT_WINUSER, *n);
        wld_strv_free(names);
    }
    /* C:\Users\NAME: the whole last component, spaces and all */
    const char *profile = wld_host_getenv(h, "USERPROFILE");
    const char *sep = profile ? strrchr(profile, '\\') : NULL;
    if (!sep && profile)
        sep = strrchr(profile, '/');
    if (sep)
        wld_redactor_add(r, WLD_REDACT_WINUSER, sep + 1);
    for (char **e = h->env; *e; e++) {
        const char *eq = strchr(*e, '=');
        char key[128];
        size_t kl = (size_t) (eq - *e);
        if (!eq || kl >= sizeof(key))
            continue;
        memcpy(key, *e, kl);
        key[kl] = '\0';
        if (!wld_redact_env_allowed(key) && env_value_personal(eq + 1))
            wld_redactor_add(r, WLD_REDACT_ENV, eq + 1);
    }
}

static bool is_uuid_at(const char *s, size_t n, size_t i)
{
    static const unsigned groups[] = { 8, 4, 4, 4, 12 };
    if (i + 36 > n || (i > 0 && is_word((unsigned char) s[i - 1])) ||
        (i + 36 < n && is_word((unsigned char) s[i + 36])))
        return false;
    size_t p = i;
    for (size_t g = 0; g < 5; g++) {
        for (unsigned k = 0; k < groups[g]; k++, p++)
            if (!isxdigit((unsigned char) s[p]))
                return false;
        if (g < 4 && s[p++] != '-')
            return false;
    }
    return true;
}

/* The path component after "at" (a user name): up to a separator; a name that runs to
 * the end of the text stops at white space. */
static void learn_component(
        struct wld_redactor *r, enum wld_redact_kind kind, const char *s, size_t n, size_t at)
{
    char name[128];
    size_t k = 0;
    bool closed = false;
    while (at + k < n && k < sizeof(name) - 1) {
        char c = s[at + k];
        if (c == '/' || c == '\\') {
            closed = true;
            break;
        }
        if (c == '"' || c == '\'' || c == '\n' || c == '\r' || c == '\0' || c == '`' || c == '<' ||
            c == '>' || c == '|')
            break;
        name[k++] = c;
    }
    name[k] = '\0';
    if (!closed)
        for (size_t i = 0; i < k; i++)
            if (isspace((unsigned char) name[i]) || name[i] == ',' || name[i] == ')' ||
                name[i] == ';' || (name[i] == '.' && i + 1 == k)) {
                name[i] = '\0';
                break;
            }
    wld_redactor_add(r, kind, name);
}

void wld_redactor_learn_text(struct wld_redactor *r, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '/' && i + 6 <= n && memcmp(s + i, "/home/", 6) == 0) {
            learn_component(r, WLD_REDACT_USER, s, n, i + 6);
        } else if ((c == '/' || c == '\\') && i + 7 <= n &&
                   strncasecmp(s + i + 1, "users", 5) == 0 &&
                   (s[i + 6] == '/' || s[i + 6] == '\\')) {
            size_t at = i + 7;
            while (at < n && s[at] == '\\')
                at++; /* "\\Users\\alice" as JSON writes it */
            learn_component(r, WLD_REDACT_WINUSER, s, n, at);
        } else if (isxdigit((unsigned char) c) && is_uuid_at(s, n, i)) {
            char uuid[37];
            memcpy(uuid, s + i, 36);
            uuid[36] = '\0';
            wld_redactor_add(r, WLD_REDACT_UUID, uuid);
            i += 35;
        } else if (c == 'S' && i + 13 <= n && memcmp(s + i, "Serial Number", 13) == 0) {
            size_t at = i + 13;
            while (at < n && (s[at] == ' ' || s[at] == '\t' || s[at] == ':'))
                at++;
            char serial[64];
            size_t k = 0;
            while (at + k < n && k < sizeof(serial) - 1 && is_word((unsigned char) s[at + k]))
                serial[k] = s[at + k], k++;
            serial[k] = '\0';
            wld_redactor_add(r, WLD_REDACT_SERIAL, serial);
        }
    }
}

void wld_redactor_learn_json(struct wld_redactor *r, const cJSON *item)
{
    if (!item)
        return;
    if (item->string)
        wld_redactor_learn_text(r, item->string, strlen(item->string));
    if (cJSON_IsString(item) && item->valuestring) {
        const char *key = item->string ? item->string : "";
        wld_redactor_learn_text(r, item->valuestring, strlen(item->valuestring));
        if (strstr(key, "serial"))
            wld_redactor_add(r, WLD_REDACT_SERIAL, item->valuestring);
        else if (strstr(key, "uuid"))
            wld_redactor_add(r, WLD_REDACT_UUID, item->valuestring);
    }
    for (const cJSON *c = item->child; c; c = c->next)
        wld_redactor_learn_json(r, c);
}

/* The value in UTF-16LE text (what wsl.exe writes to a pipe: "C:\\Users\\Mary Jones\\..."
 * with a NUL after each ASCII byte), replaced by its token the same way. */
static size_t redact_utf16le(const struct value *v, char *buf, size_t n)
{
    size_t hits = 0, w = 2 * v->len;
    for (size_t j = 0; j < v->len; j++)
        if ((unsigned char) v->text[j] >= 0x80)
            return 0; /* a non-ASCII value is not one UTF-16 unit per byte */
    for (size_t i = 0; i + w <= n; i++) {
        size_t j = 0;
        while (j < v->len && buf[i + 2 * j + 1] == 0 &&
               tolower((unsigned char) buf[i + 2 * j]) == tolower((unsigned char) v->text[j]))
            j++;
        if (j < v->len)
            continue;
        bool left = i < 2 || buf[i - 1] != 0 || !is_word((unsigned char) buf[i - 2]) ||
                    !is_word((unsigned char) v->text[0]);
        bool right = i + w + 1 >= n || buf[i + w + 1] != 0 ||
                     !is_word((unsigned char) buf[i + w]) ||
                     !is_word((unsigned char) v->text[v->len - 1]);
        if (!left || !right)
            continue;
        for (j = 0; j < v->len; j++)
            buf[i + 2 * j] = v->token[j];
        i += w - 1;
        hits++;
    }
    return hits;
}

size_t wld_redact_bytes(const struct wld_redactor *r, char *buf, size_t n)
{
    size_t hits = 0;
    for (size_t k = 0; k < r->n; k++) {
        const struct value *v = &r->v[k];
        int first = tolower((unsigned char) v->text[0]);
        for (size_t i = 0; i + v->len <= n; i++) {
            if (tolower((unsigned char) buf[i]) != first ||
                strncasecmp(buf + i, v->text, v->len) != 0)
                continue;
            bool left = i == 0 || !is_word((unsigned char) buf[i - 1]) ||
                        !is_word((unsigned char) v->text[0]);
            bool right = i + v->len == n || !is_word((unsigned char) buf[i + v->len]) ||
                         !is_word((unsigned char) v->text[v->len - 1]);
            if (!left || !right)
                continue;
            memcpy(buf + i, v->token, v->len);
            i += v->len - 1;
            hits++;
        }
        hits += redact_utf16le(v, buf, n);
    }
    /* a UUID nobody learned still goes */
    for (size_t i = 0; i + 36 <= n; i++) {
        if (!isxdigit((unsigned char) buf[i]) || !is_uuid_at(buf, n, i))
            continue;
        bool zero = true;
        for (size_t k = 0; k < 36; k++)
            zero &= buf[i + k] == '0' || buf[i + k] == '-' || isdigit((unsigned char) buf[i + k]);
        if (!zero) {
            for (size_t k = 0; k < 36; k++)
                if (buf[i + k] != '-')
                    buf[i + k] = '0';
            hits++;
        }
        i += 35;
    }
    return hits;
}

size_t wld_redact_str(const struct wld_redactor *r, char *s)
{
    return s ? wld_redact_bytes(r, s, strlen(s)) : 0;
}

void wld_redact_json(const struct wld_redactor *r, cJSON *item)
{
    if (!item)
        return;
    if (item->string && !(item->type & cJSON_StringIsConst))
        wld_redact_str(r, item->string);
    if (cJSON_IsString(item))
        wld_redact_str(r, item->valuestring);
    for (cJSON *c = item->child; c; c = c->next)
        wld_redact_json(r, c);
}

char *wld_redactor_summary(const struct wld_redactor *r)
{
    struct wld_buf b;
    wld_buf_init(&b, 1024);
    for (unsigned k = 0; k < WLD_REDACT_KINDS; k++) {
        unsigned n = r->per_kind[k];
        if (!n)
            continue;
        wld_buf_printf(&b, "%s%u %s", b.len ? ", " : "", n, kind_names[k][n == 1 ? 0 : 1]);
    }
    if (!b.len) {
        wld_buf_release(&b);
        return NULL;
    }
    return wld_buf_detach(&b);
}

cJSON *wld_redactor_kinds_json(const struct wld_redactor *r)
{
    cJSON *o = cJSON_CreateObject();
    for (unsigned k = 0; k < WLD_REDACT_KINDS; k++)
        if (r->per_kind[k])
            cJSON_AddNumberToObject(o, kind_keys[k], r->per_kind[k]);
    return o;
}
