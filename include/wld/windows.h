/* The Windows side of a WSL host, read from inside it through interop: the programs
 * Windows has under the drive root (C:\Windows\System32 as root + "c/Windows/System32")
 * and wslinfo, each started without a shell under the deadline, all at once; the
 * fallbacks (cmd.exe /c ver for the build, wsl.exe --version for the WSL version) only
 * where the first answer did not come, in what is left of the same deadline. */
#ifndef WLD_WINDOWS_H
#define WLD_WINDOWS_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* Whether interop runs Windows programs here (binfmt_misc's WSLInterop, or
 * WSLInterop-late, says "enabled"), and where the Windows drives are: facts interop
 * "enabled" | "disabled" | "absent", binfmt (the entry read), drive_root (from wsl_conf,
 * /etc/wsl.conf's facts, or NULL; "/mnt/" by default). */
void wld_windows_interop(const struct wld_host *h, const cJSON *wsl_conf, cJSON *facts);

/* Fills facts: programs {name: host path}, deadline_ms, windows {build, ubr?, source},
 * wsl_version and wsl_version_source, wsl_kernel, networking_mode, hw_sched_mode,
 * windows_driver and gpus [{name, driver_model, bus_id}] (nvidia-smi.exe), and calls
 * {name: {state, exit_code, ms, command, stdout}} for every program started. A fact whose
 * call failed is absent; how the call ended says why. root ends in '/' ("/mnt/"). */
void wld_windows_read(const struct wld_host *h, const char *root, double timeout_ms, cJSON *facts);

#endif
