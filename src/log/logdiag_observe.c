/* What the rules' signatures may ask of a log's facts (see logdiag_impl.h), each a row
 * looked up by the name the rules use: observations on the whole log ("observe", host_* ones
 * held to this host's report under check --log) and the evidence whose lines a finding
 * cites. The conditions ("if", "unless") are logdiag_conditions.c's. Adding one: its
 * function and a row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/logdiag.h"
#include "wld/util.h"

#include "logdiag_impl.h"

/* ---- observations ---- */

/* Adds a line showing the observation; true, for the observation holds. */
static bool obs_line(struct wld_log_obs *o, long line)
{
    if (line > 0 && o->n_lines < 4)
        o->lines[o->n_lines++] = line;
    return true;
}

/* Whether a "Dynamic LLM libraries" list ("cpu cpu_avx2 cuda_v12", "cpu, cuda_v11") holds a
 * runner for a GPU: every runner but the cpu ones is one (cuda_v12, rocm_v6, ...). */
static bool ollama_gpu_runner(const char *runners)
{
    for (const char *p = runners; *p;) {
        p += strspn(p, " ,");
        size_t n = strcspn(p, " ,");
        if (n && strncmp(p, "cpu", 3) != 0)
            return true;
        p += n;
    }
    return false;
}

static int min_arch(const struct wld_log_facts *f)
{
    int m = 0;
    for (int i = 0; i < f->n_archs; i++)
        if (!m || f->archs[i] < m)
            m = f->archs[i];
    return m;
}

/* A device's compute capability on the scale of floor: ggml's __CUDA_ARCH_LIST__ (and so
 * system_info's ARCHS) counts 7.5 as 750, CMake's architectures count it as 75. */
static int cc_scaled(const struct wld_log_device *d, int floor)
{
    return floor >= 300 ? d->cc_major * 100 + d->cc_minor * 10 : d->cc_major * 10 + d->cc_minor;
}

/* The first device below what was compiled, or NULL. */
static const struct wld_log_device *device_below(const struct wld_log_facts *f, int floor)
{
    for (int i = 0; i < f->n_dev; i++) {
        const struct wld_log_device *d = &f->dev[i];
        if (d->cc_major >= 0 && floor > 0 && cc_scaled(d, floor) < floor)
            return d;
    }
    return NULL;
}

static bool offload_zero(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    if (f->offload_of > 0 && f->offloaded == 0)
        return obs_line(o, f->offload_line);
    if (f->o_layers_model > 0 && f->o_layers_offload == 0)
        return obs_line(o, f->o_offload_line);
    return false;
}

static bool offload_partial(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    return f->offload_of > 0 && f->offloaded > 0 && f->offloaded < f->offload_of &&
           obs_line(o, f->offload_line);
}

static bool ollama_offload_partial(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    return f->o_layers_model > 0 && f->o_layers_offload > 0 &&
           f->o_layers_offload < f->o_layers_model && obs_line(o, f->o_offload_line);
}

static bool ollama_cpu(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    return f->n_compute > 0 && !wld_log_ollama_gpu_found(f) && obs_line(o, f->compute[0].line);
}

/* ollama's runner said which backends it loaded ("msg=system"), or ggml's loader did
 * ("load_backend: loaded CPU backend from .../lib/ollama/..."), none of them a GPU's */
static bool ollama_no_gpu_backend(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    if (!f->ollama || f->o_system_gpu)
        return false;
    if (f->o_system_line)
        return obs_line(o, f->o_system_line);
    long cpu_line = 0;
    for (int i = 0; i < f->n_backend; i++) {
        if (f->backend[i].loaded && strcmp(f->backend[i].name, "CPU") != 0)
            return false; /* another backend (Vulkan, ROCm) runs it */
        if (f->backend[i].loaded && !cpu_line)
            cpu_line = f->backend[i].line;
    }
    return cpu_line && obs_line(o, cpu_line);
}

static bool ollama_cpu_runner(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    return wld_str_starts(f->ollama_runner, "cpu") && f->cmd_ngl > 0 &&
           obs_line(o, f->ollama_runner_line);
}

static bool ollama_no_gpu_runner(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    return wld_log_ollama_gpu_found(f) && f->ollama_runners[0] &&
           !ollama_gpu_runner(f->ollama_runners) && obs_line(o, f->ollama_runners_line);
}

/* ollama listed its runners, none for a GPU, and the log shows no GPU it found: what it can
 * run on, whatever the machine has */
static bool ollama_cpu_runners_only(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    if (wld_log_ollama_gpu_found(f) || !f->ollama_runners[0] ||
        ollama_gpu_runner(f->ollama_runners))
        return false;
    wld_log_var(in->vars, "runners", f->ollama_runners);
    return obs_line(o, f->ollama_runners_line);
}

/* The build's own lines name its backends, none of them a GPU's (the condition
 * "build_names_no_gpu"): the line that shows it, and {backends} and {shown_by}. */
static bool build_no_gpu_backend(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    if (!wld_log_condition(f, "build_names_no_gpu"))
        return false;
    bool sysinfo = f->sysinfo_line > 0;
    wld_log_var(in->vars, "backends", sysinfo ? f->sysinfo_backends : f->cmake_backends);
    wld_log_var(in->vars, "shown_by",
                sysinfo ? "its system info lists" : "CMake's configure included");
    return obs_line(o, sysinfo ? f->sysinfo_line : f->cmake_line);
}

/* A Linux driver's library (named by its version) in a log that shows WSL: a Linux driver
 * installed in the distro, whose libcuda shadows the one in /usr/lib/wsl/lib. */
static bool driver_lib_in_wsl(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    if (!wld_log_condition(f, "driver_lib_in_wsl"))
        return false;
    wld_log_var(in->vars, "driver_lib", f->driver_lib);
    wld_log_var(in->vars, "driver_lib_version", f->driver_lib_version);
    obs_line(o, f->driver_lib_line);
    return obs_line(o, f->wsl_line);
}

/* The program was denied a model's place: {perm_path} */
static bool model_permission(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    if (!f->perm_line || (f->perm_mkdir_only && !f->ollama))
        return false;
    wld_log_var(in->vars, "perm_path", f->perm_path);
    return obs_line(o, f->perm_line);
}

/* The Windows build a WSL log shows is older than GPU compute in WSL needs
 * (signature_params' min_windows_build_gpu) */
static bool windows_too_old_for_wsl_gpu(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(in->params, "min_windows_build_gpu"), "value");
    if (!f->windows_build_line || !cJSON_IsNumber(v) || f->windows_build >= v->valueint ||
        (!f->wsl_line && !f->wsl_named_line))
        return false;
    wld_log_varf(in->vars, "windows_build", "%d", f->windows_build);
    wld_log_varf(in->vars, "min_build", "%d", v->valueint);
    return obs_line(o, f->windows_build_line);
}

/* A GPU in TCC mode in a log that shows or names WSL: WSL 2 sees WDDM GPUs only */
static bool tcc_gpu_for_wsl(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    if (!f->tcc_line || (!f->wsl_line && !f->wsl_named_line))
        return false;
    wld_log_var(in->vars, "tcc_gpu", f->tcc_gpu);
    return obs_line(o, f->tcc_line);
}

/* llama-bench asked for GPU layers and ran on the CPU backend alone */
static bool bench_cpu_offload(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    const char *b = f->bench_backend;
    return f->bench_line && f->bench_ngl > 0 &&
           (strcmp(b, "CPU") == 0 || strcmp(b, "BLAS") == 0 || strcmp(b, "CPU,BLAS") == 0) &&
           obs_line(o, f->bench_line);
}

static bool model_on_windows_drive(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const char *p = in->f->model_path;
    return wld_str_starts(p, "/mnt/") && p[5] >= 'a' && p[5] <= 'z' && p[6] == '/' &&
           obs_line(o, in->f->model_line);
}

static bool startup_not_logged(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const char *names[4];
    return wld_log_not_shown(in->f, names) > 0 && obs_line(o, in->f->verbosity_line);
}

static bool cc_below_archs(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_device *d = device_below(in->f, min_arch(in->f));
    return d && obs_line(o, d->line) && obs_line(o, in->f->archs_line);
}

static bool cc_below_legacy_default(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(in->params, "legacy_min_arch"), "value");
    const struct wld_log_device *d = f->n_archs == 0 && wld_log_legacy(f) && cJSON_IsNumber(v)
                                             ? device_below(f, v->valueint)
                                             : NULL;
    return d && obs_line(o, d->line);
}

/* ---- observations held to this host (check --log) ---- */

/* Whether a build's code list ("compute_50 (PTX), sm_86, sm_89") runs on compute
 * capability maj.min: a cubin of the same major and a minor not above it, or PTX of an
 * architecture not above it (NVIDIA's binary compatibility rules). */
static bool built_covers(const char *built, int maj, int min)
{
    int cc = maj * 10 + min;
    for (const char *p = built; (p = strpbrk(p, "sc")) != NULL; p++) {
        int a;
        if (wld_str_starts(p, "sm_") && sscanf(p + 3, "%d", &a) == 1 && a / 10 == maj &&
            a % 10 <= min)
            return true;
        if (wld_str_starts(p, "compute_") && sscanf(p + 8, "%d", &a) == 1 && a <= cc &&
            strstr(p, "PTX") && (!strchr(p, ',') || strstr(p, "PTX") < strchr(p, ',')))
            return true;
    }
    return false;
}

/* dotted versions: <0, 0, >0 */
static int version_cmp(const char *a, const char *b)
{
    while (*a || *b) {
        char *ea, *eb;
        long x = strtol(a, &ea, 10), y = strtol(b, &eb, 10);
        if (x != y)
            return x < y ? -1 : 1;
        if (ea == a || eb == b)
            return 0;
        a = *ea == '.' ? ea + 1 : ea;
        b = *eb == '.' ? eb + 1 : eb;
        if (!*ea || !*eb)
            return (*ea != 0) - (*eb != 0);
    }
    return 0;
}

const char *const wld_log_host_checks[] = { "llama.arch", "llama.build", "gpu.driver", NULL };

static void host_binary(cJSON *vars, const cJSON *facts)
{
    const char *bin = wld_fact_str(facts, "binary");
    wld_log_var(vars, "host_binary", bin ? bin : "this host's llama.cpp");
}

/* a device the log shows that this host's llama.cpp was not built for */
static bool host_arch_missing(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    const cJSON *arch = cJSON_GetObjectItemCaseSensitive(in->host, "llama.arch");
    const char *built = wld_fact_str(arch, "built");
    for (int i = 0; built && i < f->n_dev; i++) {
        const struct wld_log_device *d = &f->dev[i];
        if (d->cc_major < 0 || built_covers(built, d->cc_major, d->cc_minor))
            continue;
        obs_line(o, d->line);
        wld_log_var(in->vars, "device", d->desc[0] ? d->desc : d->name);
        wld_log_varf(in->vars, "cc", "%d.%d", d->cc_major, d->cc_minor);
        wld_log_varf(in->vars, "cc_archs", "%d%d", d->cc_major, d->cc_minor);
        wld_log_var(in->vars, "host_built", built);
        /* judged per runtime: the llama.cpp build's binary */
        const cJSON *rt = wld_runtime_facts(arch, "llama.cpp", NULL);
        host_binary(in->vars, rt ? rt : arch);
        return true;
    }
    return false;
}

static bool host_build_differs(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    const cJSON *build = wld_runtime_facts(
            cJSON_GetObjectItemCaseSensitive(in->host, "llama.build"), "llama.cpp", NULL);
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(build, "version");
    long long hb = wld_fact_int(ver, "build", 0, 100000000, -1);
    if (f->build < 0 || hb < 0 || hb == f->build)
        return false;
    obs_line(o, f->build_line);
    wld_log_varf(in->vars, "host_build", "%lld (%s)", hb,
                 wld_fact_str(ver, "commit") ? wld_fact_str(ver, "commit") : "?");
    host_binary(in->vars, build);
    return true;
}

static bool host_driver_newer(const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    const struct wld_log_facts *f = in->f;
    const char *hd =
            wld_fact_str(cJSON_GetObjectItemCaseSensitive(in->host, "gpu.driver"), "driver");
    if (!f->driver[0] || !hd || version_cmp(f->driver, hd) >= 0)
        return false;
    obs_line(o, f->driver_line);
    wld_log_var(in->vars, "log_driver", f->driver);
    wld_log_var(in->vars, "host_driver", hd);
    return true;
}

static const struct {
    const char *name;
    bool host; /* a claim held to this host: off without its report */
    bool (*holds)(const struct wld_log_obs_in *in, struct wld_log_obs *o);
} observations[] = {
    { "offload_zero", false, offload_zero },
    { "offload_partial", false, offload_partial },
    { "ollama_offload_partial", false, ollama_offload_partial },
    { "ollama_cpu", false, ollama_cpu },
    { "ollama_cpu_runner", false, ollama_cpu_runner },
    { "ollama_no_gpu_backend", false, ollama_no_gpu_backend },
    { "ollama_no_gpu_runner", false, ollama_no_gpu_runner },
    { "ollama_cpu_runners_only", false, ollama_cpu_runners_only },
    { "bench_cpu_offload", false, bench_cpu_offload },
    { "build_no_gpu_backend", false, build_no_gpu_backend },
    { "driver_lib_in_wsl", false, driver_lib_in_wsl },
    { "model_permission", false, model_permission },
    { "windows_too_old_for_wsl_gpu", false, windows_too_old_for_wsl_gpu },
    { "tcc_gpu_for_wsl", false, tcc_gpu_for_wsl },
    { "model_on_windows_drive", false, model_on_windows_drive },
    { "startup_not_logged", false, startup_not_logged },
    { "crash_in_driver", false, wld_log_crash_in_driver },
    { "crash_in_ggml_cuda", false, wld_log_crash_in_ggml_cuda },
    { "crash_in_loader", false, wld_log_crash_in_loader },
    { "cc_below_archs", false, cc_below_archs },
    { "cc_below_legacy_default", false, cc_below_legacy_default },
    { "host_arch_missing", true, host_arch_missing },
    { "host_build_differs", true, host_build_differs },
    { "host_driver_newer", true, host_driver_newer },
};

void wld_log_observe(const char *name, const struct wld_log_obs_in *in, struct wld_log_obs *o)
{
    memset(o, 0, sizeof(*o));
    for (size_t i = 0; i < WLD_ARRAY_SIZE(observations); i++)
        if (wld_str_is(name, observations[i].name)) {
            o->on = (!observations[i].host || in->host) && observations[i].holds(in, o);
            return;
        }
}

/* ---- evidence ---- */

static int ev_device(const struct wld_log_facts *f, long *lines)
{
    int n = 0;
    for (int i = 0; i < f->n_dev && i < 4; i++)
        lines[n++] = f->dev[i].line;
    return n;
}

static int ev_offload(const struct wld_log_facts *f, long *lines)
{
    lines[0] = f->offload_line ? f->offload_line : f->o_offload_line;
    return 1;
}

static int ev_backend(const struct wld_log_facts *f, long *lines)
{
    int n = 0;
    for (int i = 0; i < f->n_backend && n < 4; i++)
        if (f->backend[i].loaded && strcmp(f->backend[i].name, "CUDA") == 0)
            lines[n++] = f->backend[i].line;
    return n;
}

/* the lines that asked for the GPU (the condition gpu_asked) */
static int ev_gpu_asked(const struct wld_log_facts *f, long *lines)
{
    int n = 0;
    const long asked[] = { f->cmd_ngl > 0 ? f->command_line : 0, f->py_gpu_layers_line,
                           f->build_cuda_line, f->driver[0] ? f->driver_line : 0 };
    for (size_t i = 0; i < WLD_ARRAY_SIZE(asked) && n < 4; i++)
        if (asked[i] > 0)
            lines[n++] = asked[i];
    return n;
}

static const struct {
    const char *name;
    int (*lines)(const struct wld_log_facts *f, long *lines); /* NULL: the fact's one line */
    size_t line;                                              /* offsetof that line */
} evidence[] = {
    { "device", ev_device, 0 },
    { "build", NULL, offsetof(struct wld_log_facts, build_line) },
    { "model", NULL, offsetof(struct wld_log_facts, model_line) },
    { "offload", ev_offload, 0 },
    { "backend", ev_backend, 0 },
    { "driver", NULL, offsetof(struct wld_log_facts, driver_line) },
    { "alloc", NULL, offsetof(struct wld_log_facts, alloc_fail_line) },
    { "command", NULL, offsetof(struct wld_log_facts, command_line) },
    { "archs", NULL, offsetof(struct wld_log_facts, archs_line) },
    { "ctx", NULL, offsetof(struct wld_log_facts, ctx_line) },
    { "gpu_asked", ev_gpu_asked, 0 },
};

int wld_log_evidence(const struct wld_log_facts *f, const char *name, long lines[4])
{
    for (size_t i = 0; i < WLD_ARRAY_SIZE(evidence); i++) {
        if (!wld_str_is(name, evidence[i].name))
            continue;
        if (evidence[i].lines)
            return evidence[i].lines(f, lines);
        memcpy(&lines[0], (const char *) f + evidence[i].line, sizeof(long));
        return 1;
    }
    return 0;
}
