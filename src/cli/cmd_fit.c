/* fit MODEL...: the check run narrowed to one model's table (models.fit and the GPU
 * checks it needs, nothing else), which the renderer draws as fit's own table. */
#include "cmd_impl.h"

int wld_cmd_fit(const struct wld_options *o, const struct wld_rules *rules, FILE *out)
{
    static char *only_fit[] = { "models.fit", NULL };
    struct wld_options fit_opts = *o;
    fit_opts.only = only_fit;
    fit_opts.skip = NULL;
    fit_opts.models_only = true;
    return wld_cmd_check(&fit_opts, rules, out);
}
