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
    if (f->n_cases)
        f->cases[f->n_cases - 1].n++;
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
    *f = (struct wld_findings){ 0 };
}

enum wld_status wld_case_status(const struct wld_findings *f, const struct wld_case *c)
{
    enum wld_status worst = WLD_PASS;
    for (size_t i = c->first; i < c->first + c->n; i++) {
        enum wld_status s = f->items[i].status;
        /* error is as bad as fail; skip says nothing about the case */
        if (s == WLD_ERROR || (s == WLD_FAIL && worst != WLD_ERROR) ||
            (s == WLD_WARN && worst == WLD_PASS))
            worst = s;
    }
    return worst;
}
