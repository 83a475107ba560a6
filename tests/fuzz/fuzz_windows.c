/* What Windows programs and files say, on arbitrary bytes: the UTF-16 decoder wsl.exe's
 * output goes through, reg.exe's values, `ver`, `wsl.exe --version` and a driver .inf's
 * DriverVer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wld/parse.h"
#include "wld/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = wld_text_decode((const char *) data, size, NULL);
    char v[64], type[16];
    (void) wld_reg_query_value(text, "CurrentBuild", v, sizeof(v), type, sizeof(type));
    (void) wld_reg_query_value(text, "UBR", v, sizeof(v), NULL, 0);
    struct wld_winver w;
    (void) wld_winver_parse(text, &w);
    struct wld_wsl_version wv;
    (void) wld_wsl_version_parse(text, &wv);
    char date[32], ver[32], nv[16];
    if (wld_inf_driver_ver(text, date, sizeof(date), ver, sizeof(ver)) == 0)
        (void) wld_nvidia_version_of_windows(ver, nv, sizeof(nv));
    free(text);
    return 0;
}
