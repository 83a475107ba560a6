/* The backend-module load probe's helper side (see wld/dlprobe.h); the parent's reading of
 * its events is src/host/dlprobe_parse.c. */
#include "wld/dlprobe.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wld/proc.h"
#include "wld/util.h"

static void emit(cJSON *o)
{
    char *s = cJSON_PrintUnformatted(o);
    if (s) {
        printf("%s\n", s);
        fflush(stdout);
        free(s);
    }
    cJSON_Delete(o);
}

int wld_dlopen_probe_main(int argc, char **argv)
{
    wld_proc_helper_init();
    if (argc < 3) {
        fprintf(stderr, "usage: %s %s LIB...\n", argv[0], WLD_DLOPEN_PROBE_ARG);
        _exit(2);
    }
    for (int i = 2; i < argc; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", argv[i]);
        dlerror();
        void *h = dlopen(argv[i], RTLD_NOW | RTLD_LOCAL);
        if (!h) {
            const char *e = dlerror();
            cJSON_AddStringToObject(o, "ev", "load_error");
            cJSON_AddStringToObject(o, "error", e ? e : "dlopen failed");
            emit(o);
            continue;
        }
        struct link_map *lm = NULL;
        cJSON_AddStringToObject(o, "ev", "loaded");
        if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm && lm->l_name && lm->l_name[0])
            cJSON_AddStringToObject(o, "file", lm->l_name);
        cJSON_AddBoolToObject(o, "ggml_backend_init", dlsym(h, "ggml_backend_init") != NULL);
        cJSON_AddBoolToObject(o, "ggml_backend_score", dlsym(h, "ggml_backend_score") != NULL);
        /* the CUDA runtime the module loaded (its libcudart, found through its own
         * dependencies): its version says more than a file name such as libcudart.so.12;
         * cudaRuntimeGetVersion needs no driver and no device */
        void *sym = dlsym(h, "cudaRuntimeGetVersion");
        int (*runtime_version)(int *) = NULL;
        int v = 0;
        memcpy(&runtime_version, &sym, sizeof(runtime_version));
        if (runtime_version && runtime_version(&v) == 0 && v > 0)
            cJSON_AddNumberToObject(o, "cuda_runtime_version", v);
        emit(o);
    }
    cJSON *done = cJSON_CreateObject();
    cJSON_AddStringToObject(done, "ev", "done");
    emit(done);
    /* Leave without running the library's destructors: the report is already out. */
    _exit(0);
}
