/* A rules bundle as `rules update` downloads it or --rules names it: loaded and validated
 * on arbitrary bytes; one that loads has its log signatures compiled and a log read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/logdiag.h"
#include "wld/logscan.h"
#include "wld/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *) data;
    const char *name = "fuzz.json";
    struct wld_rules *r = NULL;
    char *err = NULL;
    if (wld_rules_load_texts(&text, &size, &name, 1, "fuzz", &r, &err) == 0) {
        static const char log[] = "ggml_cuda_init: found 1 CUDA devices:\n"
                                  "  Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9\n"
                                  "CUDA error: out of memory\nload_tensors: offloaded 3/33 "
                                  "layers to GPU\n";
        struct wld_logscan *s = wld_logscan_new(r);
        wld_logscan_feed(s, log, sizeof(log) - 1);
        wld_logscan_finish(s);
        wld_log_report_free(wld_log_diagnose(s, r, "fuzz.log", NULL));
        wld_logscan_free(s);
        wld_rules_free(r);
    }
    free(err);
    return 0;
}
