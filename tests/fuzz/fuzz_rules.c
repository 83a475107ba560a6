/* A rules bundle as `rules update` downloads it or --rules names it: loaded and validated
 * on arbitrary bytes; one that loads has its log signatures compiled and a log read, and
 * judges a host with no NVIDIA adapter, so its "follows" links (chains, cycles) are
 * resolved too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/logdiag.h"
#include "wld/logscan.h"
#include "wld/pipeline.h"
#include "wld/rules.h"
#include "wld/settings.h"

/* The facts of native Linux without an NVIDIA adapter or driver, saved by --format json. */
static const char host_facts[] =
        "{\"gpu.driver\":{\"probe\":\"missing\"},"
        "\"gpu.cuda\":{\"candidates\":[],\"functional_requested\":false,\"pci_adapters\":[],"
        "\"searched\":[\"/usr/lib\"],\"probe\":\"not_found\"},"
        "\"gpu.pci\":{\"pci_bus\":true,\"adapters\":[]},"
        "\"wsl.platform\":{\"osrelease\":\"6.11.0-26-generic\",\"proc_version\":\"Linux version "
        "6.11.0-26-generic\",\"signals\":{\"binfmt_wslinterop\":false,\"run_wsl\":false,"
        "\"dev_dxg\":false,\"usr_lib_wsl_lib\":false,\"mnt_wslg\":false},"
        "\"os_release\":{\"ID\":\"ubuntu\"}}}";

static void judge_host(const struct wld_rules *r)
{
    cJSON *facts = cJSON_Parse(host_facts);
    cJSON *ids = cJSON_CreateArray();
    for (size_t i = 0; i < wld_checks_count; i++)
        cJSON_AddItemToArray(ids, cJSON_CreateString(wld_checks[i]->id));
    struct wld_options o;
    wld_options_defaults(&o);
    struct wld_report *rep = NULL;
    if (wld_pipeline_judge(facts, ids, r, &o, &rep) == 0) {
        cJSON_Delete(wld_report_json(rep));
        wld_report_free(rep);
    }
    cJSON_Delete(ids);
    cJSON_Delete(facts);
}

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
        judge_host(r);
        wld_rules_free(r);
    }
    free(err);
    return 0;
}
