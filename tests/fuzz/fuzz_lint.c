/* `lint` on arbitrary bytes: the first byte picks the kind and the path (a user unit, a
 * system unit, a drop-in, .wslconfig, wsl.conf, a name that says nothing, daemon.json, a
 * CDI spec in YAML or JSON, a compose file), the rest is the
 * file; the kind its text says is asked too, and the report rendered in every format. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "wld/lint.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct wld_rules *rules;
    char *err = NULL;
    if (!rules && wld_rules_load_embedded(&rules, &err) < 0)
        abort();
    if (size < 1)
        return 0;
    static const struct {
        enum wld_lint_kind kind;
        const char *path;
    } picks[] = {
        { WLD_LINT_UNIT, "home/.config/systemd/user/llama-server.service" },
        { WLD_LINT_UNIT, "etc/systemd/system/ollama.service" },
        { WLD_LINT_UNIT, "etc/systemd/system/ollama.service.d/override.conf" },
        { WLD_LINT_WSLCONFIG, ".wslconfig" },
        { WLD_LINT_WSL_CONF, "wsl.conf" },
        { WLD_LINT_UNIT, "units/llm.txt" },
        { WLD_LINT_DAEMON_JSON, "etc/docker/daemon.json" },
        { WLD_LINT_CDI, "etc/cdi/nvidia.yaml" },
        { WLD_LINT_CDI, "etc/cdi/vendor.json" },
        { WLD_LINT_COMPOSE, "compose.yaml" },
    };
    const char *text = (const char *) data + 1;
    size_t n = size - 1;
    size_t pick = data[0] % WLD_ARRAY_SIZE(picks);
    char *z = wld_xstrndup(text, n);
    wld_lint_kind_of_text(rules, z);
    free(z);
    struct wld_lint_report *r = wld_xcalloc(1, sizeof(*r));
    r->rules = rules;
    r->files = wld_xcalloc(1, sizeof(*r->files));
    r->n = 1;
    r->files[0].path = wld_xstrdup(picks[pick].path);
    wld_lint_text(rules, picks[pick].kind, text, n, data[0] & 0x80, &r->files[0]);
    for (int st = 0; st < WLD_STATUS_COUNT; st++)
        r->counts[st] = r->files[0].counts[st];
    r->linted = 1;
    FILE *out = fopen("/dev/null", "w");
    struct wld_render_opts o = { .verbose = true };
    for (int f = WLD_FORMAT_TEXT; f <= WLD_FORMAT_PROMETHEUS; f++)
        wld_render_lint(r, (enum wld_format) f, &o, out);
    fclose(out);
    wld_lint_report_free(r);
    return 0;
}
