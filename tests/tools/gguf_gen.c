/* gguf-gen OUT PRESET [KEY=VALUE...]: writes a model file as llama.cpp's converter would
 * lay it out (tests/tools/ggufw.c), tensor data as a hole, for fixture hosts (stage-hosts.sh
 * "#!fake gguf PRESET ...") and the benchmark. Presets: ggufw_preset().
 *   KEY: ftype (15 Q4_K_M, 17 Q5_K_M, 18 Q6_K, 7 Q8_0, 2 Q4_0, 1 F16), ctx (trained),
 *        layers, vocab, cut (keep only this many bytes: a truncated download), v1, be,
 *        u64 (hparams as u64), vocab-strings, split=N (write OUT-0000K-of-0000N.gguf). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggufw.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: gguf-gen OUT PRESET [KEY=VALUE...]\n");
        return 2;
    }
    const struct ggufw_model *p = ggufw_preset(argv[2]);
    if (!p) {
        fprintf(stderr, "gguf-gen: unknown preset '%s'\n", argv[2]);
        return 2;
    }
    struct ggufw_model m = *p;
    uint64_t cut = (uint64_t) -1;
    bool v1 = false, be = false;
    unsigned split = 0;
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        unsigned long long v = eq ? strtoull(eq + 1, NULL, 10) : 0;
        if (strncmp(a, "ftype=", 6) == 0)
            m.ftype = (int) v;
        else if (strncmp(a, "ctx=", 4) == 0)
            m.n_ctx_train = (uint32_t) v;
        else if (strncmp(a, "layers=", 7) == 0)
            m.n_layer = (uint32_t) v;
        else if (strncmp(a, "vocab=", 6) == 0)
            m.n_vocab = (uint32_t) v;
        else if (strncmp(a, "cut=", 4) == 0)
            cut = v;
        else if (strncmp(a, "split=", 6) == 0)
            split = (unsigned) v;
        else if (strcmp(a, "v1") == 0)
            v1 = true;
        else if (strcmp(a, "be") == 0)
            be = true;
        else if (strcmp(a, "u64") == 0)
            m.u64_hparams = true;
        else if (strcmp(a, "vocab-strings") == 0)
            m.vocab_strings = true;
        else if (strcmp(a, "no-mla-keys") == 0)
            m.no_mla_keys = true;
        else {
            fprintf(stderr, "gguf-gen: unknown setting '%s'\n", a);
            return 2;
        }
    }
    if (m.no_mla_keys) {
        /* old DeepSeek conversions: every head cached, K 192 and V 128 wide (gguf.md 3.4) */
        m.n_head_kv = m.n_head;
        m.key_len = m.key_mla;
        m.value_len = m.value_mla;
    }
    int r = 0;
    if (split > 1) {
        m.split_count = split;
        for (unsigned k = 1; k <= split && r == 0; k++) {
            char path[4096];
            size_t n = strlen(argv[1]);
            if (n > 5 && strcmp(argv[1] + n - 5, ".gguf") == 0)
                n -= 5;
            snprintf(path, sizeof(path), "%.*s-%05u-of-%05u.gguf", (int) n, argv[1], k, split);
            m.split_no = k;
            r = ggufw_model_file(path, &m, (uint64_t) -1, false, false);
        }
    } else {
        r = ggufw_model_file(argv[1], &m, cut, v1, be);
    }
    if (r < 0) {
        fprintf(stderr, "gguf-gen: %s: %s\n", argv[1], strerror(-r));
        return 1;
    }
    return 0;
}
