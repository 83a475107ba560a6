/* The backend-module load probe (see wld/dlprobe.h). */
#include "wld/dlprobe.h"

#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "wld/check.h"
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

void wld_dlopen_probe_parse(const char *out, cJSON *facts)
{
    cJSON *results = cJSON_AddArrayToObject(facts, "results");
    bool done = false;
    for (const char *line = out; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t) (nl - line) : strlen(line);
        cJSON *ev = cJSON_ParseWithLength(line, len);
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(ev, "ev");
        if (cJSON_IsString(kind) && strcmp(kind->valuestring, "done") == 0) {
            done = true;
        } else if (cJSON_IsString(kind) && (strcmp(kind->valuestring, "loaded") == 0 ||
                                            strcmp(kind->valuestring, "load_error") == 0)) {
            cJSON *r = cJSON_Duplicate(ev, true);
            cJSON_DeleteItemFromObjectCaseSensitive(r, "ev");
            cJSON_AddBoolToObject(r, "loaded", strcmp(kind->valuestring, "loaded") == 0);
            cJSON_AddItemToArray(results, r);
            /* 12060 is CUDA 12.6; anything else a broken library said is left out */
            long long v = wld_fact_int(ev, "cuda_runtime_version", 1000, 999999, 0);
            if (v && !cJSON_GetObjectItemCaseSensitive(facts, "cuda_runtime")) {
                char s[24];
                snprintf(s, sizeof(s), "%lld.%lld", v / 1000, v % 1000 / 10);
                cJSON_AddStringToObject(facts, "cuda_runtime", s);
            }
        }
        cJSON_Delete(ev);
        line = nl ? nl + 1 : NULL;
    }
    cJSON_AddBoolToObject(facts, "done", done);
}
