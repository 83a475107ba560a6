/* A fixture host's own files (--root DIR, a recording a maintainer replays): the bytes
 * before the first NUL are DIR/.doctor/env, the rest DIR/.doctor/recording.json; the host
 * is opened and its environment read as the checks read it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/host.h"

static void put(const char *path, const uint8_t *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(data, 1, n, f) != n)
        abort();
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/fuzz-env-XXXXXX";
    static char env[64], rec[64];
    if (!env[0]) {
        if (!mkdtemp(dir))
            abort();
        snprintf(env, sizeof(env), "%s/.doctor", dir);
        mkdir(env, 0700);
        snprintf(rec, sizeof(rec), "%s/.doctor/recording.json", dir);
        snprintf(env, sizeof(env), "%s/.doctor/env", dir);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t n_env = nul ? (size_t) (nul - data) : size;
    put(env, data, n_env);
    if (nul)
        put(rec, nul + 1, size - n_env - 1);
    else
        unlink(rec);
    struct wld_host *h = NULL;
    if (wld_host_new_fixture(dir, &h) == 0) {
        static const char *const keys[] = {
            "HOME", "PATH", "USERPROFILE", "LLAMA_ARG_MODEL", "CUDA_VISIBLE_DEVICES", ""
        };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            (void) wld_host_getenv(h, keys[i]);
        wld_host_free(h);
    }
    return 0;
}
