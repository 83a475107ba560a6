/* Loading a library the way llama.cpp loads a backend module, in a helper process: the
 * probe helper program (wld_proc_helper_path) run as `wsl-llm-doctor __dlopen-probe
 * LIB...`. ggml_backend_load_best() dlopen()s libggml-cuda.so with RTLD_NOW | RTLD_LOCAL
 * and looks up ggml_backend_init; in release builds a failure is silent and llama.cpp runs
 * on the CPU. The helper reports the loader's own words instead. One JSON object per line
 * on stdout:
 *   loaded     {path, file, ggml_backend_init: bool, ggml_backend_score: bool}
 *   load_error {path, error}                     dlerror(), verbatim
 *   done       {}
 */
#ifndef WLD_DLPROBE_H
#define WLD_DLPROBE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define WLD_DLOPEN_PROBE_ARG "__dlopen-probe"

/* The helper: argv = { exe, "__dlopen-probe", LIB... }. Returns the exit status. */
int wld_dlopen_probe_main(int argc, char **argv);

/* Parent side: the events of the helper's output as facts: "results" [{path, loaded,
 * error?, file?, ggml_backend_init?, ggml_backend_score?}], "done". Never fails. */
void wld_dlopen_probe_parse(const char *out, cJSON *facts);

#endif
