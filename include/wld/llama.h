/* The llama.cpp build the user runs: finding its binary, and what the build contains
 * (shared by llama.build, llama.arch, llama.runtime, llama.devices and cuda.libs). */
#ifndef WLD_LLAMA_H
#define WLD_LLAMA_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "wld/host.h"
#include "wld/settings.h"

/* --llama-server, else the binary of --llama-build DIR, else llama-server / llama-cli on
 * PATH, else the usual build directories under $HOME. Returns 0 with the host path
 * (caller frees) and a static description of how it was found, or -ENOENT. */
int wld_llama_find(const struct wld_host *h,
                   const struct wld_options *o,
                   char **ret_path,
                   const char **ret_how);

/* Inspects the build behind the binary located (wld_llama_locate) without running
 * anything, into facts:
 *   binary, found_by, binary_exists, elf ("ok", "not_elf", or an errno name)
 *   binary_real: the file the binary's path leads to, when it is a symlink; the tree is
 *     looked for there
 *   tree: "cmake" (build_dir, cmake_cache, source_dir, and cuda_compiler {file,
 *     cmake_version, version, native_archs} from CMakeFiles/<v>/CMakeCUDACompiler.cmake),
 *     "makefile" (source_dir: a binary
 *     in a source root built by the old Makefile), or "unknown" (an installed binary)
 *   cmake: the CMakeCache.txt values the checks use (GGML_CUDA, CMAKE_CUDA_ARCHITECTURES,
 *     GGML_NATIVE, CMAKE_CUDA_COMPILER_VERSION, GGML_BACKEND_DL, ...), when present
 *   libs: [{name, needed_by, path|null, real?}]: llama.cpp's own libraries, followed
 *     through DT_NEEDED as the loader resolves them (RPATH, LD_LIBRARY_PATH, RUNPATH with
 *     $ORIGIN, ld.so.conf, default directories), and the CUDA libraries they need
 *   cuda: "linked" (libggml-cuda.so is loaded with the binary), "module" (a backend module
 *     beside the binary, loaded at run time by GGML_BACKEND_DL builds), "builtin" (CUDA
 *     code inside another of the build's files), or "none"
 *   cuda_files: the files that hold the CUDA code (their .nv_fatbin)
 *   runtime: {needed: "libcudart.so.12", major, path?, real?, version?} when a CUDA file
 *     needs libcudart (version from the resolved file name, "12.6.77")
 *   other_backends: other ggml backends present ("vulkan", "hip", ...)
 * ldirs is the loader's search (wld_ldpath_dirs with LD_LIBRARY_PATH).
 * Returns 0 when a binary was found, -ENOENT when none was (facts then stay empty). */
int wld_llama_inspect(const struct wld_host *h,
                      const cJSON *located,
                      const cJSON *ldirs,
                      cJSON *facts);

/* The build tree around bin (a host path, its links followed), into facts: tree, build_dir,
 * cmake_cache, cmake, cuda_compiler, source_dir as wld_llama_inspect() describes them, and
 * build_info {file, build, commit, built_with?} from BUILD/common/build-info.cpp. */
void wld_llama_find_tree(const struct wld_host *h, const char *bin, cJSON *facts);

/* The binary to judge, as facts: binary, found_by, binary_exists (an executable file);
 * nothing when none was found. --llama-server or --llama-build first, then a running
 * llama-server's executable (servers: wld_servers_find's facts, or NULL), then the
 * llama-server a systemd unit runs (services: wld_services_find's facts, or NULL), then
 * wld_llama_find()'s search. What wld_llama_inspect() starts from, and all that a probe
 * which runs the binary needs. */
void wld_llama_locate(const struct wld_host *h,
                      const struct wld_options *o,
                      const cJSON *servers,
                      const cJSON *services,
                      cJSON *facts);

/* Whether a DT_NEEDED name is one of CUDA's libraries (runtime, cuBLAS, NCCL, NVRTC, the
 * driver's libcuda and libnvidia-*) or llama.cpp's CUDA backend. */
bool wld_llama_is_cuda_lib(const char *name);

struct wld_proc_result;
struct wld_llama_devices;
/* What a run of the binary printed (stdout, then stderr), read as llama.cpp's output
 * (wld_llama_devices_parse: device listings, --version, failures), with a fixture's root
 * taken out of the text first. */
void wld_llama_parse_run(const struct wld_host *h,
                         const struct wld_proc_result *r,
                         struct wld_llama_devices *d);

struct wld_finding;
/* The variables a fix uses to rebuild the user's own tree, from facts filled by
 * wld_llama_inspect(): source_dir (else ~/llama.cpp), build_dir (the tree the binary came
 * from, else SOURCE/build) and configure, "cmake -S SOURCE -B BUILD" with the paths
 * shell-quoted where they need it. A fix built from them reconfigures the tree the binary
 * lives in, never a second tree beside it. */
void wld_llama_tree_vars(const cJSON *facts, struct wld_finding *f);

/* The CUDA version a build was made with, from facts filled by wld_llama_inspect() (and
 * llama.build's load probe): the libcudart it loads (the version in its file name), that
 * runtime's cudaRuntimeGetVersion() (load.cuda_runtime), the compiler in CMakeCache.txt
 * or CMakeFiles/<v>/CMakeCUDACompiler.cmake (CMAKE_CUDA_COMPILER_VERSION), or the bare
 * major of the libcudart SONAME, in that order, or the compiler first when compiler_first
 * (what produced its PTX). *from (may be NULL) names where it was read; a bare major is
 * written into buf. NULL when unknown. */
const char *wld_llama_cuda_version(
        const cJSON *facts, bool compiler_first, const char **from, char *buf, size_t n);

#endif
