/* The Windows side of a WSL host, read from inside it through interop (see wld/windows.h):
 * reg.exe, cmd.exe, wsl.exe and nvidia-smi.exe where Windows has them, and wslinfo. */
#include "wld/windows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/parse.h"
#include "wld/proc.h"
#include "wld/version.h"
#include "wld/wslfile.h"

#define EXCERPT          400
#define WSLINFO          "/usr/bin/wslinfo"
#define CURRENT_VERSION  "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
#define GRAPHICS_DRIVERS "HKLM\\SYSTEM\\CurrentControlSet\\Control\\GraphicsDrivers"
#define SMI_QUERY        "--query-gpu=index,name,driver_version,driver_model.current,pci.bus_id"

/* The calls, in the order they are started. */
enum call {
    REG_BUILD,
    REG_UBR,
    REG_HAGS,
    VER,
    WSLINFO_VERSION,
    WSLINFO_NET,
    WSL_VERSION,
    NVIDIA_SMI,
    N_CALLS,
};

static const char *const call_names[N_CALLS] = {
    [REG_BUILD] = "reg_build",
    [REG_UBR] = "reg_ubr",
    [REG_HAGS] = "reg_hags",
    [VER] = "ver",
    [WSLINFO_VERSION] = "wslinfo_version",
    [WSLINFO_NET] = "wslinfo_networking",
    [WSL_VERSION] = "wsl_version",
    [NVIDIA_SMI] = "nvidia_smi",
};

struct calls {
    const char *argv[N_CALLS][8];
    bool want[N_CALLS];
    bool done[N_CALLS];
    struct wld_proc_result res[N_CALLS];
    char *text[N_CALLS]; /* stdout decoded to UTF-8, when the call ran */
};

static char *program(const struct wld_host *h, cJSON *found, const char *root, const char *rel)
{
    char *path = rel[0] == '/' ? wld_xstrdup(rel) : wld_xasprintf("%s%s", root, rel);
    if (wld_host_is_executable(h, path)) {
        cJSON_AddStringToObject(found, strrchr(path, '/') + 1, path);
        return path;
    }
    free(path);
    return NULL;
}

static void set_argv(struct calls *c, enum call i, const char *const *argv)
{
    for (size_t k = 0; argv[k] && k + 1 < WLD_ARRAY_SIZE(c->argv[i]); k++)
        c->argv[i][k] = argv[k];
    c->want[i] = true;
}

/* Runs the calls wanted and not yet done, all at once, each under timeout_ms. Returns how
 * long the longest took (ms), as the commands say: a replay answers a recorded hang at
 * once, with the deadline as its duration, so what is left for the fallbacks is the same
 * as when it was recorded, however loaded the machine. */
static double
run_wave(const struct wld_host *h, struct calls *c, const char *const *wsl_env, double timeout_ms)
{
    struct wld_proc_spec specs[N_CALLS];
    struct wld_proc_result res[N_CALLS];
    enum call which[N_CALLS];
    size_t n = 0;
    for (int i = 0; i < N_CALLS; i++) {
        if (!c->want[i] || c->done[i])
            continue;
        specs[n] = (struct wld_proc_spec){ .argv = c->argv[i],
                                           .timeout_ms = timeout_ms,
                                           .out_cap = 256 * 1024,
                                           .env = i == WSL_VERSION ? wsl_env : NULL };
        which[n++] = (enum call) i;
    }
    double longest = 0;
    if (n == 0)
        return longest;
    wld_proc_run_many(h, specs, res, n);
    for (size_t k = 0; k < n; k++) {
        enum call i = which[k];
        if (res[k].duration_ms > longest)
            longest = res[k].duration_ms;
        c->res[i] = res[k];
        c->done[i] = true;
        if (res[k].spawn_errno == 0 && !res[k].timed_out && res[k].signal == 0) {
            /* Windows ends lines with CRLF */
            char *t = wld_text_decode(res[k].out.data, res[k].out.len, NULL), *w = t;
            for (const char *r = t; *r; r++)
                if (*r != '\r')
                    *w++ = *r;
            *w = '\0';
            c->text[i] = t;
        }
    }
    return longest;
}

/* The call's fact: how it ended, and the start of what it printed. */
static void call_fact(cJSON *calls, struct calls *c, enum call i)
{
    const char *ending = wld_proc_ending(&c->res[i]);
    cJSON *o = wld_fact_proc(calls, call_names[i], ending ? ending : "ok", &c->res[i]);
    struct wld_buf cmd;
    wld_buf_init(&cmd, 128);
    const char *base = strrchr(c->argv[i][0], '/');
    wld_buf_puts(&cmd, base ? base + 1 : c->argv[i][0]);
    for (size_t k = 1; c->argv[i][k]; k++)
        wld_buf_printf(&cmd, " %s", c->argv[i][k]);
    cJSON_AddStringToObject(o, "command", cmd.data);
    wld_buf_release(&cmd);
    if (c->text[i]) {
        char *s = wld_str_printable(c->text[i], strnlen(c->text[i], EXCERPT));
        cJSON_AddStringToObject(o, "stdout", s);
        free(s);
    }
}

static bool reg_value(struct calls *c, enum call i, const char *name, unsigned long *out)
{
    char v[64];
    if (!c->text[i] || wld_reg_query_value(c->text[i], name, v, sizeof(v), NULL, 0) < 0)
        return false;
    char *end = NULL;
    *out = strtoul(v, &end, 0);
    return end != v && *end == '\0';
}

static void
windows_fact(cJSON *facts, unsigned long build, unsigned long ubr, bool has_ubr, const char *source)
{
    cJSON *w = cJSON_AddObjectToObject(facts, "windows");
    cJSON_AddNumberToObject(w, "build", (double) build);
    if (has_ubr)
        cJSON_AddNumberToObject(w, "ubr", (double) ubr);
    cJSON_AddStringToObject(w, "source", source);
}

static bool parse_ver(struct calls *c, cJSON *facts)
{
    struct wld_winver w;
    if (!c->text[VER] || wld_winver_parse(c->text[VER], &w) < 0)
        return false;
    windows_fact(facts, w.build, w.ubr, w.has_ubr, "cmd.exe /c ver");
    return true;
}

static bool parse_wsl_version(struct calls *c, cJSON *facts, bool want_windows)
{
    struct wld_wsl_version v;
    if (!c->text[WSL_VERSION] || wld_wsl_version_parse(c->text[WSL_VERSION], &v) < 0)
        return false;
    cJSON_AddStringToObject(facts, "wsl_version", v.wsl);
    cJSON_AddStringToObject(facts, "wsl_version_source", "wsl.exe --version");
    if (v.kernel[0])
        cJSON_AddStringToObject(facts, "wsl_kernel", v.kernel);
    struct wld_winver w;
    if (want_windows && v.windows[0] && wld_winver_parse(v.windows, &w) == 0)
        windows_fact(facts, w.build, w.ubr, w.has_ubr, "wsl.exe --version");
    return true;
}

static void parse_smi(struct calls *c, cJSON *facts)
{
    struct wld_nvsmi s;
    if (!c->text[NVIDIA_SMI] || wld_nvsmi_parse_csv(c->text[NVIDIA_SMI], &s) < 0)
        return;
    cJSON_AddStringToObject(facts, "windows_driver", s.driver_version);
    cJSON *gpus = cJSON_AddArrayToObject(facts, "gpus");
    for (unsigned i = 0; i < s.n_gpus; i++) {
        cJSON *g = cJSON_CreateObject();
        cJSON_AddStringToObject(g, "name", s.gpus[i].name);
        cJSON_AddStringToObject(g, "driver_model", s.gpus[i].driver_model);
        cJSON_AddStringToObject(g, "bus_id", s.gpus[i].bus_id);
        cJSON_AddItemToArray(gpus, g);
    }
}

static char *first_line(const char *text)
{
    if (!text)
        return NULL;
    const char *s = wld_str_skip_space(text);
    size_t n = strcspn(s, "\r\n");
    return n ? wld_str_printable(s, n) : NULL;
}

/* Whether interop runs Windows programs here: binfmt_misc's WSLInterop entry (or
 * WSLInterop-late, registered by WSL's init when systemd runs) says "enabled". */
void wld_windows_interop(const struct wld_host *h, const cJSON *wsl_conf, cJSON *facts)
{
    static const char *const entries[] = { "/proc/sys/fs/binfmt_misc/WSLInterop",
                                           "/proc/sys/fs/binfmt_misc/WSLInterop-late" };
    const char *state = "absent";
    for (size_t i = 0; i < WLD_ARRAY_SIZE(entries) && strcmp(state, "enabled") != 0; i++) {
        struct wld_buf b;
        if (wld_host_read(h, entries[i], 4096, &b) < 0)
            continue;
        state = strncmp(b.data, "enabled", 7) == 0 ? "enabled" : "disabled";
        wld_buf_release(&b);
        cJSON_DeleteItemFromObjectCaseSensitive(facts, "binfmt");
        cJSON_AddStringToObject(facts, "binfmt", entries[i]);
    }
    cJSON_AddStringToObject(facts, "interop", state);
    char *root = wld_wsl_drive_root(wsl_conf);
    cJSON_AddStringToObject(facts, "drive_root", root);
    free(root);
}

void wld_windows_read(const struct wld_host *h, const char *root, double timeout_ms, cJSON *facts)
{
    cJSON *found = cJSON_AddObjectToObject(facts, "programs");
    char *reg = program(h, found, root, "c/Windows/System32/reg.exe");
    char *cmd = program(h, found, root, "c/Windows/System32/cmd.exe");
    char *wsl = program(h, found, root, "c/Windows/System32/wsl.exe");
    char *wslinfo = program(h, found, root, WSLINFO);
    /* NVIDIA's DCH drivers put nvidia-smi.exe in System32; older ones under NVSMI */
    char *smi = program(h, found, root, "c/Windows/System32/nvidia-smi.exe");
    if (!smi)
        smi = program(h, found, root, "c/Program Files/NVIDIA Corporation/NVSMI/nvidia-smi.exe");

    struct calls c;
    memset(&c, 0, sizeof(c));
    if (reg) {
        set_argv(&c, REG_BUILD,
                 (const char *[]){ reg, "query", CURRENT_VERSION, "/v", "CurrentBuild", NULL });
        set_argv(&c, REG_UBR, (const char *[]){ reg, "query", CURRENT_VERSION, "/v", "UBR", NULL });
        set_argv(&c, REG_HAGS,
                 (const char *[]){ reg, "query", GRAPHICS_DRIVERS, "/v", "HwSchMode", NULL });
    } else if (cmd) {
        set_argv(&c, VER, (const char *[]){ cmd, "/c", "ver", NULL });
    }
    if (wslinfo) {
        set_argv(&c, WSLINFO_VERSION, (const char *[]){ wslinfo, "--version", NULL });
        set_argv(&c, WSLINFO_NET, (const char *[]){ wslinfo, "--networking-mode", NULL });
    } else if (wsl) {
        set_argv(&c, WSL_VERSION, (const char *[]){ wsl, "--version", NULL });
    }
    if (smi)
        set_argv(&c, NVIDIA_SMI, (const char *[]){ smi, SMI_QUERY, "--format=csv,noheader", NULL });
    /* wsl.exe writes UTF-16LE to a pipe unless WSL_UTF8=1 reaches it (WSLENV passes it) */
    const char *wslenv = wld_host_getenv(h, "WSLENV");
    char *wslenv_var = wslenv && *wslenv ? wld_xasprintf("WSLENV=%s:WSL_UTF8", wslenv)
                                         : wld_xstrdup("WSLENV=WSL_UTF8");
    const char *wsl_env[] = { "WSL_UTF8=1", wslenv_var, NULL };

    cJSON_AddNumberToObject(facts, "deadline_ms", timeout_ms);
    double waited = run_wave(h, &c, wsl_env, timeout_ms);

    unsigned long build = 0, ubr = 0;
    bool have_ubr = reg_value(&c, REG_UBR, "UBR", &ubr);
    bool have_build = reg_value(&c, REG_BUILD, "CurrentBuild", &build);
    if (have_build)
        windows_fact(facts, build, ubr, have_ubr, "reg.exe");
    char *wsl_version = first_line(c.text[WSLINFO_VERSION]);
    struct wld_version parsed;
    if (wsl_version && (wld_version_parse(wsl_version, &parsed, NULL) < 0 || parsed.n < 3)) {
        free(wsl_version);
        wsl_version = NULL;
    }
    if (wsl_version) {
        cJSON_AddStringToObject(facts, "wsl_version", wsl_version);
        cJSON_AddStringToObject(facts, "wsl_version_source", "wslinfo --version");
    }
    /* the fallbacks, only where the first answer did not come, in what is left of the
     * deadline: the whole check never waits longer than one call may */
    double left = timeout_ms - waited;
    if (!have_build && cmd && left > 0)
        set_argv(&c, VER, (const char *[]){ cmd, "/c", "ver", NULL });
    if (!wsl_version && wsl && left > 0)
        set_argv(&c, WSL_VERSION, (const char *[]){ wsl, "--version", NULL });
    run_wave(h, &c, wsl_env, left);
    if (!have_build)
        have_build = parse_ver(&c, facts);
    parse_wsl_version(&c, facts, !have_build);
    char *net = first_line(c.text[WSLINFO_NET]);
    if (net)
        cJSON_AddStringToObject(facts, "networking_mode", net);
    free(net);
    unsigned long hags = 0;
    if (reg_value(&c, REG_HAGS, "HwSchMode", &hags))
        cJSON_AddNumberToObject(facts, "hw_sched_mode", (double) hags);
    parse_smi(&c, facts);

    cJSON *calls = cJSON_AddObjectToObject(facts, "calls");
    for (int i = 0; i < N_CALLS; i++) {
        if (c.done[i])
            call_fact(calls, &c, (enum call) i);
        free(c.text[i]);
        if (c.done[i])
            wld_proc_result_release(&c.res[i]);
    }
    free(wsl_version);
    free(wslenv_var);
    free(reg);
    free(cmd);
    free(wsl);
    free(wslinfo);
    free(smi);
}
