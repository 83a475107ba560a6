/* systemd unit files and their command lines, on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/host.h"
#include "wld/parse.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wld_xstrndup((const char *) data, size);
    cJSON *unit = cJSON_CreateObject(), *problems = cJSON_CreateArray();
    wld_unit_parse(text, unit, problems);
    wld_unit_parse(text, unit, NULL); /* as a drop-in over itself */
    wld_strv_free(wld_unit_words(wld_unit_last(unit, "Service", "ExecStart")));
    wld_strv_free(wld_unit_words(text));
    cJSON_Delete(unit);
    cJSON_Delete(problems);
    free(text);
    return 0;
}
