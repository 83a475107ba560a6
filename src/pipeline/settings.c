/* The run's settings (see wld/settings.h): their defaults, their release, and what they
 * imply. Below the command line, which fills them, and every reader. */
#include "wld/settings.h"

#include <stdlib.h>
#include <string.h>

#include "wld/gguf.h"
#include "wld/host.h"

void wld_options_defaults(struct wld_options *o)
{
    *o = (struct wld_options){ .command = WLD_CMD_CHECK,
                               .format = WLD_FORMAT_TEXT,
                               .fail_on = WLD_FAIL,
                               .timeout_s = WLD_DEFAULT_TIMEOUT_S,
                               .ctx = WLD_DEFAULT_CTX,
                               .ngl = -1,
                               .ctk = WLD_GGML_F16,
                               .ctv = WLD_GGML_F16,
                               .parallel = 1,
                               .vram_gib = -1 };
}

bool wld_options_redact(const struct wld_options *o)
{
    if (o->redact != WLD_REDACT_DEFAULT)
        return o->redact == WLD_REDACT_ON;
    return o->command == WLD_CMD_RECORD || o->format == WLD_FORMAT_MARKDOWN ||
           o->format == WLD_FORMAT_GITHUB;
}

void wld_options_release(struct wld_options *o)
{
    if (!o)
        return;
    free(o->explain_id);
    free(o->rules_action);
    free(o->rules_url);
    free(o->rules_sha256);
    wld_strv_free(o->only);
    wld_strv_free(o->skip);
    free(o->root);
    free(o->output);
    free(o->record_dir);
    free(o->rules_path);
    free(o->facts_path);
    free(o->log_path);
    free(o->lint_kind);
    wld_strv_free(o->lint_paths);
    wld_strv_free(o->models);
    wld_strv_free(o->composes);
    wld_strv_free(o->servers);
    wld_strv_free(o->runtimes);
    free(o->server_key_file);
    if (o->server_key)
        memset(o->server_key, 0, strlen(o->server_key));
    free(o->server_key);
    free(o->llama_server);
    free(o->llama_build);
    wld_strv_free(o->gpu_cc);
    free(o->wslconfig);
    free(o->generate);
    memset(o, 0, sizeof(*o));
}
