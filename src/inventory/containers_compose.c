/* The compose files container.gpu judges: those named with --compose, else (on the live
 * host) the one `docker compose` would take from the current directory. Each is read
 * through the host, so `record` keeps it and --root replays it, and judged by the same
 * reader lint uses (wld/compose.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wld/check.h"
#include "wld/compose.h"
#include "wld/containers.h"
#include "wld/util.h"

#define COMPOSE_CAP (1024u * 1024u) /* lint's cap for a file it judges */

static void compose_file(const struct wld_host *h, const char *path, cJSON *o)
{
    struct wld_buf b;
    cJSON_AddStringToObject(o, "file", path);
    int r = wld_host_read(h, path, COMPOSE_CAP, &b);
    if (r < 0) {
        char *why = wld_xasprintf("cannot read it: %s", wld_errno_name(-r));
        cJSON_AddStringToObject(o, "error", why);
        free(why);
        return;
    }
    cJSON *doc = NULL;
    char *err = NULL;
    if (memchr(b.data, '\0', b.len))
        err = wld_xstrdup("not text");
    else if (b.truncated)
        err = wld_xstrdup("larger than 1 MiB");
    else if (wld_compose_read(b.data, b.len, &doc, &err) == 0)
        cJSON_AddItemToObject(o, "services",
                              cJSON_DetachItemFromObjectCaseSensitive(doc, "services"));
    if (err)
        cJSON_AddStringToObject(o, "error", err);
    free(err);
    cJSON_Delete(doc);
    wld_buf_release(&b);
}

void wld_containers_compose(const struct wld_host *h, char *const *files, cJSON *out)
{
    cJSON *list = cJSON_AddArrayToObject(out, "compose");
    for (char *const *f = files; f && *f && cJSON_GetArraySize(list) < 8; f++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(list, o);
        compose_file(h, *f, o);
    }
}
