/* gguf-bench DIR: figures for the GGUF reader, printed, never asserted.
 *   1. the header of a 128k-vocabulary model (Llama-3.1-8B shape with its 128256 tokens,
 *      token types and 256512 merges: several MB of metadata): median parse time and the
 *      reader's peak heap, against the header's size;
 *   2. a directory of 200 model files (sparse, written here): all headers read, as
 *      models.fit does after the scan.
 * DIR receives the files (left there for bench/gguf-bench.sh to time the peer parser on). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/gguf.h"
#include "wld/util.h"

#include "../tests/tools/ggufw.h"

static int cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gguf-bench DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    char path[4096];
    struct wld_host *h;
    if (mkdir(dir, 0755) < 0 && access(dir, W_OK) < 0) {
        perror(dir);
        return 1;
    }
    if (wld_host_new_live(&h) < 0)
        return 1;

    struct ggufw_model m = *ggufw_preset("llama-3.1-8b");
    m.vocab_strings = true;
    snprintf(path, sizeof(path), "%s/vocab128k.gguf", dir);
    if (ggufw_model_file(path, &m, (uint64_t) -1, false, false) < 0) {
        perror(path);
        return 1;
    }
    enum { RUNS = 30 };
    double t[RUNS];
    struct wld_gguf g;
    size_t heap_before = mallinfo2().uordblks, heap_peak = 0;
    for (int i = 0; i < RUNS; i++) {
        double t0 = wld_now_ms();
        wld_gguf_read(h, path, &g);
        t[i] = wld_now_ms() - t0;
        size_t used = mallinfo2().uordblks - heap_before;
        heap_peak = used > heap_peak ? used : heap_peak;
        if (g.state != WLD_GGUF_OK) {
            fprintf(stderr, "gguf-bench: %s: %s\n", path, g.reason);
            return 1;
        }
        wld_gguf_release(&g);
    }
    wld_gguf_read(h, path, &g);
    qsort(t, RUNS, sizeof(t[0]), cmp);
    printf("128k-vocab header (%.1f MB of metadata, %llu tensors): median %.2f ms, min %.2f ms "
           "over %d reads; heap the read model holds %.1f KiB\n",
           (double) g.header_bytes / 1e6, (unsigned long long) g.n_tensors, t[RUNS / 2], t[0], RUNS,
           (double) heap_peak / 1024.0);
    wld_gguf_release(&g);

    /* 200 models of several shapes */
    static const char *const presets[] = { "llama-3.1-8b", "qwen2.5-7b", "mistral-7b", "gemma-2-9b",
                                           "deepseek-v2-lite" };
    snprintf(path, sizeof(path), "%s/models", dir);
    mkdir(path, 0755);
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "%s/models/model-%03d.gguf", dir, i);
        struct stat st;
        if (stat(path, &st) == 0)
            continue;
        if (ggufw_model_file(path, ggufw_preset(presets[i % 5]), (uint64_t) -1, false, false) < 0)
            return 1;
    }
    double t0 = wld_now_ms();
    int ok = 0;
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "%s/models/model-%03d.gguf", dir, i);
        wld_gguf_read(h, path, &g);
        ok += g.state == WLD_GGUF_OK;
        wld_gguf_release(&g);
    }
    printf("200 model headers read: %.1f ms (%d ok)\n", wld_now_ms() - t0, ok);
    wld_host_free(h);
    return 0;
}
