/* Finding the llama.cpp binary (see wld/llama.h). */
#include "wld/llama.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int wld_llama_find(const struct wld_host *h,
                   const struct wld_options *o,
                   char **ret_path,
                   const char **ret_how)
{
    static const char *const names[] = { "llama-server", "llama-cli" };
    static const char *const dirs[] = { "llama.cpp/build/bin", "llama.cpp/build/bin/Release",
                                        "llama.cpp" };
    if (o && o->llama_server) {
        *ret_path = wld_xstrdup(o->llama_server);
        *ret_how = "--llama-server";
        return 0;
    }
    for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++)
        if (wld_host_find_command(h, names[i], ret_path) == 0) {
            *ret_how = "PATH";
            return 0;
        }
    const char *home = wld_host_home(h);
    for (size_t d = 0; home && d < WLD_ARRAY_SIZE(dirs); d++)
        for (size_t i = 0; i < WLD_ARRAY_SIZE(names); i++) {
            char *p = wld_xasprintf("%s/%s/%s", home, dirs[d], names[i]);
            if (wld_host_is_executable(h, p)) {
                *ret_path = p;
                *ret_how = "common build directory";
                return 0;
            }
            free(p);
        }
    return -ENOENT;
}
