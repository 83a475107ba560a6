/* A model file's header: downloaded from anywhere, possibly cut short or crafted. The
 * reader must refuse it cleanly, and whatever it accepts must survive the fit arithmetic
 * (huge layer counts, zero heads, absurd windows) and the facts round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/fit.h"
#include "wld/gguf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct wld_reader r;
    struct wld_gguf g, back;
    wld_reader_mem(&r, data, size);
    wld_gguf_parse(&r, &g);
    if (g.state == WLD_GGUF_OK || g.state == WLD_GGUF_TRUNCATED) {
        struct wld_fit_settings s;
        struct wld_fit_estimate e;
        struct wld_fit_advice a;
        char why[160];
        wld_fit_defaults(&s, 4096);
        (void) wld_fit_estimate(&g, &s, 1, &e, why, sizeof(why));
        wld_fit_advise(&g, &s, 1, 8ull << 30, 16ull << 30, &a);
        cJSON *facts = cJSON_CreateObject();
        wld_gguf_to_facts(&g, facts);
        if (wld_gguf_from_facts(facts, &back) == 0)
            wld_gguf_release(&back);
        cJSON_Delete(facts);
    }
    wld_gguf_release(&g);
    return 0;
}
