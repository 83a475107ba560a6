/* Parsers for what hosts print and store. Each takes bytes that may be hostile (truncated,
 * garbage, another encoding) and either returns a result or a negative errno; none of
 * them reads the host. Every one has a fuzz target in tests/fuzz/. */
#ifndef WLD_PARSE_H
#define WLD_PARSE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- text as Windows writes it ---- */

/* data (n bytes) as UTF-8 text: a UTF-8 BOM dropped, UTF-16LE/BE (with a BOM, or
 * recognised by its NUL bytes) converted, anything else up to its first NUL byte. The
 * encoding found ("utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom", "utf-16le",
 * "utf-16be") in *encoding when not NULL. Never NULL; caller frees. */
char *wld_text_decode(const char *data, size_t n, const char **encoding);

/* ---- .wslconfig / wsl.conf, parsed the way WSL's configfile.cpp does ---- */

struct wld_ini_entry {
    char *section; /* "" before any [section] */
    char *key;     /* as written (WSL compares case-insensitively) */
    char *value;   /* unquoted, escapes applied, trailing space trimmed */
    unsigned line;
    /* 'b', 'n' or 't' when the value used that escape (a backspace, newline or tab):
     * in a Windows path, a single backslash ("C:\temp") that WSL read as one; else 0 */
    char control_escape;
};

/* A line WSL would warn about and skip. code is one of: invalid_key, invalid_section,
 * expected_bracket, expected_eol, expected_eq, invalid_escape, unterminated_quote,
 * semicolon_comment. */
struct wld_ini_diag {
    unsigned line;
    const char *code;
    char *text; /* the offending line, printable */
};

struct wld_ini {
    const char *encoding; /* utf-8, utf-8-bom, utf-16le-bom, utf-16be-bom, utf-16le, utf-16be */
    bool wsl_readable;    /* false when WSL would read the bytes as something else */
    bool invalid_utf8;
    struct wld_ini_entry *entries;
    size_t n_entries;
    struct wld_ini_diag *diags;
    size_t n_diags;
    /* The first line the parse did not keep whole (past 4096 settings or diagnostics, or a
     * value over 64 KiB), 0 when everything was kept: a cut file is never judged whole. */
    unsigned cut_line;
};

int wld_ini_parse(const char *data, size_t n, struct wld_ini **ret);
void wld_ini_free(struct wld_ini *ini);

/* ---- nvidia-smi ---- */

#define WLD_NVSMI_MAX_GPUS 16

struct wld_nvsmi_gpu {
    char name[128];
    char bus_id[40];
    char driver_model[16]; /* "WDDM", "TCC", "MCDM" (Windows only), or "" */
    double mem_total_mib;  /* -1 when unknown */
    double mem_used_mib;
};

struct wld_nvsmi {
    char smi_version[32];    /* "NVIDIA-SMI 545.36": the Linux-side build on WSL */
    char driver_version[32]; /* "Driver Version" / "KMD Version": Windows driver on WSL */
    char cuda_version[32];   /* "CUDA Version" / "CUDA UMD Version"; may be "ERR!" */
    unsigned n_gpus;
    struct wld_nvsmi_gpu gpus[WLD_NVSMI_MAX_GPUS];
};

/* The table nvidia-smi prints with no arguments (any driver generation, leading prompts,
 * indentation and cut-off tables tolerated). -EINVAL when no header line is found. */
int wld_nvsmi_parse_table(const char *text, struct wld_nvsmi *ret);
/* nvidia-smi.exe's answer to
 * `--query-gpu=index,name,driver_version,driver_model.current,pci.bus_id --format=csv,noheader`
 * (the Windows driver, and the driver model of each GPU). -EINVAL unless every line has
 * that shape with one driver version. Memory is not asked: -1. */
int wld_nvsmi_parse_csv(const char *text, struct wld_nvsmi *ret);

/* A driver package's .inf text (decoded, wld_text_decode): the date and version of its
 * "DriverVer = 11/18/2024,32.0.15.6636" line. -ENOENT without one, -EINVAL when it is
 * not a date and a four-part version. */
int wld_inf_driver_ver(const char *text, char *date, size_t dn, char *version, size_t vn);
/* NVIDIA's version of a Windows driver version X.Y.C.D: ((C - 10) * 10000 + D) / 100
 * (32.0.15.6636 is 566.36). -EINVAL when winver is not a four-part version with C >= 10. */
int wld_nvidia_version_of_windows(const char *winver, char *out, size_t n);

/* ---- systemd unit files ---- */

/* Adds what a unit file's text says to unit (an object: section -> key -> [values], in
 * order), as systemd reads it: '#'/';' comment lines, a trailing backslash continuing a
 * line, an empty assignment ("ExecStart=") resetting the key's list. Call it again on the
 * same object for each drop-in, in order. Lines systemd would complain about, and values
 * holding a "# comment" (systemd keeps it as part of the value), go to problems (an array,
 * or NULL) as {line, code, text}: bad_section, not_assignment, no_section, inline_comment. */
void wld_unit_parse(const char *text, cJSON *unit, cJSON *problems);
/* The same, also saying where each thing is, for `lint`: where (an object, or NULL) gets
 * sections {name: line of its first header} and keys {section: {key: [[line, key column,
 * value column], ...]}}, parallel to unit's values (reset with them). Columns count bytes
 * from 1 on the assignment's first physical line. */
void wld_unit_parse_at(const char *text, cJSON *unit, cJSON *problems, cJSON *where);
/* The last value of [section] key, or NULL. Borrowed from unit. */
const char *wld_unit_last(const cJSON *unit, const char *section, const char *key);
/* A command line or Environment= value split into words as systemd does (spaces part
 * them; quotes group; a backslash escapes). NULL-terminated; free with wld_strv_free. */
char **wld_unit_words(const char *value);

/* ---- the kernel log ---- */

struct wld_oom_kill {
    char process[64]; /* the victim's name as the kernel printed it (comm, 15 bytes) */
    long pid;
    double anon_rss_kib, file_rss_kib, total_vm_kib; /* -1 when not printed */
    double at_s;                                     /* seconds since boot, -1 unknown */
    bool cgroup; /* "Memory cgroup out of memory": a cgroup's limit, not the VM's RAM */
};
/* Every OOM killer victim ("Killed process PID (NAME) total-vm:..kB, anon-rss:..kB, ...")
 * in a kernel log: /dev/kmsg records or dmesg lines, in order, at most 256. *ret (free())
 * may be NULL when there are none. Returns 0. */
int wld_oom_kills_parse(const char *text, struct wld_oom_kill **ret, size_t *n);

/* ---- Windows programs run through interop (labels localized, console code pages) ---- */

/* `reg.exe query KEY /v NAME`: the data of value name (matched without case) as printed
 * ("22631", "0xd0c") in out, its type ("REG_DWORD") in type when not NULL. -ENOENT when
 * the text has no such value, -E2BIG when out is too small. */
int wld_reg_query_value(
        const char *text, const char *name, char *out, size_t n, char *type, size_t tn);

struct wld_winver {
    unsigned major, minor, build, ubr;
    bool has_ubr;
};
/* `cmd.exe /c ver` ("Microsoft Windows [Version 10.0.19045.3693]", in any language): the
 * first 10.0.BUILD[.UBR] standing alone (Windows 10 and 11 are NT 10.0). -EINVAL if none. */
int wld_winver_parse(const char *text, struct wld_winver *ret);

struct wld_wsl_version {
    char wsl[32];     /* "2.3.26.0" */
    char kernel[64];  /* "5.15.167.4-1", or "" */
    char windows[32]; /* "10.0.22631.4460", or "" (a cut or older output) */
};
/* `wsl.exe --version` decoded to UTF-8 (wld_text_decode): values by position from the first
 * "label: version" line and by shape, never by the localized labels. -EINVAL when no line
 * holds a version: the inbox wsl.exe, which does not know --version, prints its usage. */
int wld_wsl_version_parse(const char *text, struct wld_wsl_version *ret);

/* ---- /proc/self/mountinfo (or /proc/mounts) ---- */

struct wld_mount {
    char *mount_point; /* octal escapes decoded */
    char *fstype;
    char *source;
    char *options; /* super options (mountinfo) or options (mounts) */
};

int wld_mounts_parse(const char *text, struct wld_mount **ret, size_t *ret_n);
void wld_mounts_free(struct wld_mount *m, size_t n);
/* The mount holding path (longest mount-point prefix; the later of equal ones). */
const struct wld_mount *wld_mount_for_path(const struct wld_mount *m, size_t n, const char *path);

/* ---- dpkg status ---- */

/* Names of the packages /var/lib/dpkg/status marks "install ok installed" whose name
 * starts with one of prefixes (NULL-terminated). Returns a NULL-terminated array (free
 * with wld_strv_free from wld/host.h), never NULL. */
char **wld_dpkg_installed(const char *text, const char *const *prefixes);

/* ---- os-release ---- */

/* Value of KEY in an os-release file (quotes and escapes removed), or -ENOENT. */
int wld_osrelease_get(const char *text, const char *key, char *out, size_t n);

/* ---- CUDA toolkit version strings ---- */

/* "Cuda compilation tools, release 12.2, V12.2.140" -> "12.2.140". */
int wld_nvcc_version_parse(const char *text, char *out, size_t n);
/* version.json {"cuda":{"version":"12.6.3"}} or version.txt "CUDA Version 11.0.228". */
int wld_cuda_version_file_parse(const char *text, char *out, size_t n);

/* ---- ldd ---- */

struct wld_ldd_lib {
    char *name; /* SONAME as requested */
    char *path; /* resolved file, or NULL for "not found" */
};
/* -EINVAL for "not a dynamic executable" or output with no library line. */
int wld_ldd_parse(const char *text, struct wld_ldd_lib **ret, size_t *ret_n);
void wld_ldd_free(struct wld_ldd_lib *libs, size_t n);

/* ---- /proc/meminfo ---- */

/* The most memory a figure of /proc/meminfo can stand for: 4 PiB, x86-64's 52-bit physical
 * address space (5-level paging). A larger one is a corrupt or forged file. */
#define WLD_MEMINFO_MAX_KIB 4398046511104.0 /* 2^42 kB */

/* The kB figure of a "Key:   1234 kB" line (key without the colon, at a line start).
 * Returns 0, -ENOENT when the line is missing or holds no number, -ERANGE when the figure
 * is past WLD_MEMINFO_MAX_KIB. */
int wld_meminfo_kib(const char *text, const char *key, double *ret);

/* ---- CMakeCache.txt ---- */

/* The value of a cache entry "NAME:TYPE=VALUE" (any TYPE). Returns 0, or -ENOENT. */
int wld_cmake_cache_get(const char *text, const char *name, char *out, size_t n);
/* A CMake boolean as if() reads it: true for 1, ON, YES, TRUE, Y; false for 0, OFF, NO,
 * FALSE, N, IGNORE, NOTFOUND, "" and *-NOTFOUND; fallback for anything else or NULL. */
bool wld_cmake_bool(const char *value, bool fallback);

/* The value of a line `set(NAME "VALUE")` (or unquoted) of a CMake script such as
 * CMakeFiles/<version>/CMakeCUDACompiler.cmake. Returns 0, or -ENOENT. */
int wld_cmake_set_get(const char *text, const char *name, char *out, size_t n);

/* ---- llama.cpp device listings and startup logs (src/log/llamalog.c) ---- */

#define WLD_LLAMA_MAX_DEVICES 16

/* "Available devices:" then "  CUDA0: NVIDIA GeForce RTX 4090 (24563 MiB, 23008 MiB free)" */
struct wld_llama_device {
    char name[64];              /* CUDA0, Vulkan0 */
    char desc[256];             /* the GPU's name */
    double total_mib, free_mib; /* -1 when not printed */
};

/* "ggml_cuda_init: found 1 CUDA devices:" then
 * "  Device 0: NVIDIA GeForce RTX 4070, compute capability 8.9, VMM: yes[, VRAM: N MiB]" */
struct wld_llama_cuda_device {
    int index;
    char name[256];
    int cc_major, cc_minor;
    int vmm;         /* 1 yes, 0 no, -1 not printed */
    double vram_mib; /* -1 when not printed */
};

struct wld_llama_devices {
    bool listing;     /* "Available devices:" was printed */
    bool listed_none; /* ... followed by "(none)" */
    struct wld_llama_device dev[WLD_LLAMA_MAX_DEVICES];
    size_t n_dev;
    int cuda_found; /* N of "found N CUDA devices", -1 when not printed */
    struct wld_llama_cuda_device cuda[WLD_LLAMA_MAX_DEVICES];
    size_t n_cuda;
    char cuda_failure[512];    /* "failed to initialize CUDA: ...", "no CUDA devices found",
                                * "CUDA error ...": the first such line, trimmed */
    char backend_failure[512]; /* "load_backend: failed to ...", or ggml_backend_load_best's */
    char loader_error[512];    /* "error while loading shared libraries: ..." */
    bool unknown_option;       /* the build predates --list-devices */
    /* "emulating 4 virtual device(s) on 1 physical device(s) (GGML_CUDA_DEVICES)": the
     * Device lines are virtual devices then, not GPUs; -1 when not printed */
    int cuda_virtual, cuda_physical;
    /* `--version`: "version: 10431 (1692f9e50)" and "built with cc ... for x86_64-..." */
    int build; /* -1 when not printed */
    char commit[48];
    char built_with[256];
};

/* A llama.cpp build's identity: "version: 10431 (1692f9e50)", "built with cc ... for ...". */
struct wld_llama_version {
    int build;
    char commit[48];
    char built_with[256]; /* "COMPILER for TARGET", or "" */
};

/* Parses the build-info.cpp llama.cpp's CMake generates (common/build-info.cpp.in:
 * LLAMA_BUILD_NUMBER, LLAMA_COMMIT, LLAMA_COMPILER, LLAMA_BUILD_TARGET). Returns 0, or
 * -EINVAL when it holds no build number and commit. */
int wld_llama_build_info_parse(const char *text, struct wld_llama_version *ret);

/* Parses the combined output of `llama-server --list-devices` (or a startup log): any
 * llama.cpp version since 2024, with or without log prefixes (timestamps, "I ", "E ").
 * Never fails; what is not recognised is ignored. */
void wld_llama_devices_parse(const char *text, struct wld_llama_devices *ret);

#endif
