/* The CUDA driver probe. libcuda.so.1 (and NVML beside it) are loaded only in a helper
 * process, the probe helper program (wld_proc_helper_path) run as `wsl-llm-doctor
 * __cuda-probe ...`, so a driver that crashes or hangs takes the helper down, never the
 * doctor. The helper writes one JSON object per line to stdout, flushed before and after
 * every driver call, so the parent knows which call a crash or a hang happened in.
 *
 * Events (the "ev" member):
 *   load_error {path, error}          dlopen of a candidate failed
 *   loaded     {path, file}           the candidate that loaded, and the file it mapped
 *   missing    {symbols: [...]}       required driver-API functions absent: stop
 *   call       {fn, device?}          a driver call is about to start
 *   ret        {fn, code, name?, device?}  it returned (name from cuGetErrorName)
 *   driver     {cuda_version}         cuDriverGetVersion, e.g. 12070
 *   count      {value}                cuDeviceGetCount
 *   device     {index, name, cc_major, cc_minor, total_bytes, pci_bus_id?, uuid?}
 *   nvml       {path?, error?, driver_version?}
 *   memory     {index, free_bytes, total_bytes, source}
 *   functional {index, ok, fn?, code?, bytes, h2d_ms, d2h_ms, verify}
 *                                     fn/code: the call that failed
 *   done       {}
 */
#ifndef WLD_CUDA_PROBE_H
#define WLD_CUDA_PROBE_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define WLD_CUDA_PROBE_ARG "__cuda-probe"

/* Devices the helper reports, at most (more are left out). */
#define WLD_CUDA_MAX_DEVICES 64

/* Bytes the functional test allocates, writes, reads back and verifies per device. */
#define WLD_CUDA_FUNCTIONAL_BYTES (64u * 1024u * 1024u)

/* The helper: argv = { exe, "__cuda-probe", [--functional], [--nvml LIB]..., LIB... }.
 * Tries each LIB in order (a path, or a bare name for the loader's own search). Writes
 * events to stdout and returns the exit status (0 unless the arguments are wrong). */
int wld_cuda_probe_main(int argc, char **argv);

/* Parent side: folds the helper's output (possibly cut short by a crash or the deadline)
 * into facts: "load_errors", "loaded", "missing_symbols", "last_call", "init", "calls",
 * "driver_cuda_version", "device_count", "devices", "nvml", "functional", "done". Lines
 * that are not events are counted in "garbage_lines". Never fails. */
void wld_cuda_probe_parse(const char *out, size_t n, cJSON *facts);

#endif
