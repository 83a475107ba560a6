/* Host containment and the command runner's deadline. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
// clang-format on

#include "wld/host.h"
#include "wld/proc.h"

static void fixture_symlinks_stay_inside_root(void **state)
{
    (void) state;
    struct wld_host *h = NULL;
    char *r = NULL;
    assert_int_equal(wld_host_new_fixture(FIXTURES "/hosts/wsl2-model-symlink-to-mnt-c", &h), 0);
    assert_int_equal(wld_host_resolve(h, "/home/alice/models/qwen2.5-32b-instruct-q4_k_m.gguf", &r),
                     0);
    assert_string_equal(r, "/mnt/c/Models/qwen2.5-32b-instruct-q4_k_m.gguf");
    free(r);
    assert_int_equal(wld_host_resolve(h, "/../../../etc/passwd", &r), 0);
    assert_string_equal(r, "/etc/passwd");
    free(r);
    /* the fixture has no /etc/passwd: the real one must not leak in */
    assert_false(wld_host_exists(h, "/../../../etc/passwd"));
    assert_string_equal(wld_host_getenv(h, "HOME"), "/home/alice");
    assert_null(wld_host_getenv(h, "NOT_SET"));
    wld_host_free(h);
}

static void fixture_device_standin(void **state)
{
    (void) state;
    struct wld_host *h = NULL;
    struct wld_device d;
    assert_int_equal(wld_host_new_fixture(FIXTURES "/hosts/wsl2-healthy", &h), 0);
    assert_int_equal(wld_host_probe_device(h, "/dev/dxg", &d), 0);
    assert_int_equal(d.kind, WLD_NODE_CHAR);
    assert_int_equal(d.open_errno, 0);
    assert_int_equal(wld_host_probe_device(h, "/dev/nothing", &d), 0);
    assert_int_equal(d.kind, WLD_NODE_MISSING);
    wld_host_free(h);
}

static void hanging_command_is_killed_at_deadline(void **state)
{
    (void) state;
    struct wld_host *h = NULL;
    wld_host_new_live(&h);
    const char *argv[] = { "/bin/sh", "-c", "sleep 30 & sleep 30", NULL };
    struct wld_proc_spec spec = { .argv = argv, .timeout_ms = 200 };
    struct wld_proc_result r;
    double t0 = wld_now_ms();
    wld_proc_run(h, &spec, &r);
    double took = wld_now_ms() - t0;
    assert_true(r.timed_out);
    assert_true(took < 5000); /* bounded by the deadline, not by sleep 30 */
    /* no zombie left behind */
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    wld_proc_result_release(&r);
    wld_host_free(h);
}

static void output_exit_and_signal(void **state)
{
    (void) state;
    struct wld_host *h = NULL;
    wld_host_new_live(&h);
    const char *ok[] = { "/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL };
    const char *crash[] = { "/bin/sh", "-c", "kill -SEGV $$", NULL };
    const char *missing[] = { "/nonexistent/tool", NULL };
    struct wld_proc_spec specs[3] = { { .argv = ok, .timeout_ms = 5000 },
                                      { .argv = crash, .timeout_ms = 5000 },
                                      { .argv = missing, .timeout_ms = 5000 } };
    struct wld_proc_result r[3];
    wld_proc_run_many(h, specs, r, 3);
    assert_string_equal(r[0].out.data, "out\n");
    assert_string_equal(r[0].err.data, "err\n");
    assert_int_equal(r[0].exit_code, 3);
    assert_int_equal(r[1].signal, SIGSEGV);
    assert_int_equal(r[2].spawn_errno, ENOENT);
    for (int i = 0; i < 3; i++)
        wld_proc_result_release(&r[i]);
    wld_host_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixture_symlinks_stay_inside_root),
        cmocka_unit_test(fixture_device_standin),
        cmocka_unit_test(hanging_command_is_killed_at_deadline),
        cmocka_unit_test(output_exit_and_signal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
