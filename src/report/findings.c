/* The findings every command's report becomes for the machine formats (see
 * wld/findings.h). */
#include "wld/findings.h"

#include <stdlib.h>
#include <string.h>

#include "wld/util.h"

struct wld_case *wld_findings_case(struct wld_findings *f, const char *classname, const char *name)
{
    f->cases = wld_xrealloc(f->cases, (f->n_cases + 1) * sizeof(*f->cases));
    struct wld_case *c = &f->cases[f->n_cases++];
    *c = (struct wld_case){ .classname = wld_xstrdup(classname),
                            .name = wld_xstrdup(name),
                            .seconds = -1,
                            .first = f->n_items };
    return c;
}

/* error is as bad as fail; skip says nothing about a case */
static enum wld_status worse(enum wld_status worst, enum wld_status s)
{
    if (s == WLD_ERROR || (s == WLD_FAIL && worst != WLD_ERROR) ||
        (s == WLD_WARN && worst == WLD_PASS))
        return s;
    return worst;
}

struct wld_item *wld_findings_add(struct wld_findings *f,
                                  const char *check,
                                  const char *key,
                                  enum wld_status status,
                                  const char *summary,
                                  const char *fix,
                                  const cJSON *sources)
{
    f->items = wld_xrealloc(f->items, (f->n_items + 1) * sizeof(*f->items));
    struct wld_item *x = &f->items[f->n_items++];
    *x = (struct wld_item){ .rule = wld_xasprintf("%s/%s", check, key),
                            .check = check,
                            .status = status,
                            .summary = summary ? summary : "",
                            .fix = fix,
                            .sources = sources };
    const struct wld_check *c = wld_check_find(check);
    x->title = c ? c->title : NULL;
    if (f->n_cases) {
        struct wld_case *cs = &f->cases[f->n_cases - 1];
        cs->n++;
        cs->status = worse(cs->status, status);
    }
    return x;
}

void wld_findings_free(struct wld_findings *f)
{
    for (size_t i = 0; i < f->n_items; i++) {
        free(f->items[i].rule);
        free(f->items[i].where);
    }
    for (size_t i = 0; i < f->n_cases; i++) {
        free(f->cases[i].classname);
        free(f->cases[i].name);
        free(f->cases[i].skipped);
    }
    free(f->items);
    free(f->cases);
    free(f->notice);
    free(f->title);
    free(f->context);
    free(f->lead);
    free(f->none);
    free(f->appendix);
    free(f->redacted);
    *f = (struct wld_findings){ 0 };
}
