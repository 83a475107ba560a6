/* Facts from a saved report (see wld/facts.h). */
#include "wld/facts.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "wld/pipeline.h"
#include "wld/util.h"

#define MAX_REPORT (64u * 1024u * 1024u)

/* facts[id] = a copy of obj without the keys derived names (what evaluate() added to the
 * evidence), unless facts holds id already. */
static void add(cJSON *facts, const char *id, const cJSON *obj, const cJSON *derived)
{
    if (!id || !cJSON_IsObject(obj) || cJSON_GetObjectItemCaseSensitive(facts, id))
        return;
    cJSON *copy = cJSON_Duplicate(obj, true);
    const cJSON *d;
    cJSON_ArrayForEach(d, derived)
    {
        if (cJSON_IsString(d))
            cJSON_DeleteItemFromObjectCaseSensitive(copy, d->valuestring);
    }
    cJSON_AddItemToObject(facts, id, copy);
}

int wld_facts_load(const char *path, double timeout_ms, cJSON **ret, char **err)
{
    struct wld_buf b;
    unsigned mode = 0;
    int r = wld_read_named_file(path, MAX_REPORT, timeout_ms, &b, &mode);
    if (r == -EISDIR)
        return wld_errorf(err, r, "--facts %s: a directory, not a JSON report", path);
    if (r == -EINVAL)
        return wld_errorf(err, r, "--facts %s: %s, not a JSON report", path,
                          wld_file_type_name(mode));
    if (r < 0)
        return wld_errorf(err, r, "--facts %s: %s", path,
                          r == -ETIMEDOUT ? "nothing finished writing it before the deadline"
                          : r == -EFBIG   ? "larger than 64 MiB, not a report"
                                          : strerror(-r));
    if (b.len == 0) {
        wld_buf_release(&b);
        return wld_errorf(err, -EINVAL, "--facts %s: empty%s", path,
                          S_ISFIFO(mode) ? " (no process is writing to the FIFO)" : "");
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(b.data, b.len, &end, false);
    if (!doc) {
        r = wld_errorf(err, -EINVAL,
                       "--facts %s: not JSON (it breaks at byte %zu); give the output of "
                       "`wsl-llm-doctor --format json`",
                       path, end ? (size_t) (end - b.data) : 0);
        wld_buf_release(&b);
        return r;
    }
    wld_buf_release(&b);
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(doc, "schema");
    const cJSON *checks = cJSON_GetObjectItemCaseSensitive(doc, "checks");
    if (!cJSON_IsString(schema) || strcmp(schema->valuestring, WLD_REPORT_SCHEMA) != 0 ||
        !cJSON_IsArray(checks)) {
        r = wld_errorf(err, -EINVAL,
                       "--facts %s: JSON, but not a wsl-llm-doctor report (schema %s%s%s, "
                       "expected \"" WLD_REPORT_SCHEMA "\"); give the output of "
                       "`wsl-llm-doctor --format json`",
                       path, cJSON_IsString(schema) ? "\"" : "",
                       cJSON_IsString(schema) ? schema->valuestring : "missing",
                       cJSON_IsString(schema) ? "\"" : "");
        cJSON_Delete(doc);
        return r;
    }
    cJSON *doc_out = cJSON_CreateObject();
    cJSON *facts = cJSON_AddObjectToObject(doc_out, "facts");
    cJSON *reported = cJSON_AddArrayToObject(doc_out, "reported");
    const cJSON *c, *g;
    cJSON_ArrayForEach(c, checks)
    {
        const char *id = wld_fact_str(c, "id");
        if (cJSON_GetObjectItemCaseSensitive(c, "from"))
            continue; /* check --log: the log's findings are no facts of the host */
        add(facts, id, cJSON_GetObjectItemCaseSensitive(c, "evidence"),
            cJSON_GetObjectItemCaseSensitive(c, "derived"));
        if (id && cJSON_GetObjectItemCaseSensitive(facts, id))
            cJSON_AddItemToArray(reported, cJSON_CreateString(id));
    }
    cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(doc, "gathered"))
    {
        add(facts, g->string, g, NULL);
    }
    cJSON_Delete(doc);
    if (!facts->child) {
        cJSON_Delete(doc_out);
        return wld_errorf(err, -EINVAL, "--facts %s: a report with no check's evidence in it",
                          path);
    }
    *ret = doc_out;
    return 0;
}
