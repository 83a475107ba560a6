/* wsl-llm-doctor-probe: the doctor's helper processes (wld/cuda_probe.h, wld/dlprobe.h),
 * a program of their own so that each probe loads only what it needs (libc, libdl, cJSON)
 * before the foreign library it is there to load, not the doctor's every dependency. The
 * doctor runs it with its own argv, { "wsl-llm-doctor", "__cuda-probe", ... }, so a
 * recording keys the command as before; the doctor answers the same arguments itself when
 * this program is not installed beside it (wld_proc_helper_path). */
#include <stdio.h>
#include <string.h>

#include "wld/cuda_probe.h"
#include "wld/dlprobe.h"

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], WLD_CUDA_PROBE_ARG) == 0)
        return wld_cuda_probe_main(argc, argv);
    if (argc >= 2 && strcmp(argv[1], WLD_DLOPEN_PROBE_ARG) == 0)
        return wld_dlopen_probe_main(argc, argv);
    fprintf(stderr, "usage: %s %s|%s ARGS...: the wsl-llm-doctor's probe helper\n", argv[0],
            WLD_CUDA_PROBE_ARG, WLD_DLOPEN_PROBE_ARG);
    return 2;
}
