/* The log reader's bounds (wld_log_read): it stops at its cap and says where, judges what
 * it read, and reads all of a log under the cap. `log` uses a cap of WLD_LOG_CAP (4 GiB),
 * too large to feed a test; the same code runs with a small one here. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wld/log_cmd.h"
#include "wld/rules.h"

static char path[64];
static struct wld_rules *rules;

/* A log whose first line is a CUDA out-of-memory error, then 1,000 lines of noise. */
static int setup(void **st)
{
    (void) st;
    char *err = NULL;
    if (wld_rules_load_embedded(&rules, &err) != 0)
        return -1;
    snprintf(path, sizeof(path), "/tmp/wld-logread-XXXXXX");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f)
        return -1;
    fputs("CUDA error: out of memory\n", f);
    for (int i = 0; i < 1000; i++)
        fprintf(f, "llama_model_loader: - kv %4d: noise\n", i);
    fclose(f);
    return 0;
}

static int teardown(void **st)
{
    (void) st;
    unlink(path);
    wld_rules_free(rules);
    return 0;
}

static void stops_at_its_cap_and_says_where(void **st)
{
    (void) st;
    struct wld_log_report *r = NULL;
    char *err = NULL;
    assert_int_equal(wld_log_read(path, rules, NULL, 4096, &r, &err), 0);
    assert_int_equal(r->cut_at, 4096);
    /* what was read is judged: the first line's error is a finding */
    assert_true(r->n > 0);
    wld_log_report_free(r);
}

static void reads_all_of_a_log_under_the_cap(void **st)
{
    (void) st;
    struct wld_log_report *r = NULL;
    char *err = NULL;
    assert_int_equal(wld_log_read(path, rules, NULL, WLD_LOG_CAP, &r, &err), 0);
    assert_int_equal(r->cut_at, 0);
    wld_log_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stops_at_its_cap_and_says_where),
        cmocka_unit_test(reads_all_of_a_log_under_the_cap),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
