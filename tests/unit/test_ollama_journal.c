/* ollama's own verdict from the journal, through a fake journalctl that answers as
 * systemd's does (tests/fixtures/journal/fake-journalctl.sh): the lines it gives, the
 * notices it prints when the user may not read the system's journal or there is none. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/check.h"
#include "wld/logdiag.h"
#include "wld/ollama_journal.h"
#include "wld/rules.h"

/* The journal of the fixture root tests/fixtures/journal/NAME, as the doctor reads it. */
static cJSON *journal_of(const char *name, double timeout_ms)
{
    char root[512];
    struct wld_host *h = NULL;
    snprintf(root, sizeof(root), "%s/journal/%s", FIXTURES, name);
    assert_int_equal(wld_host_new_fixture(root, &h), 0);
    cJSON *out = cJSON_CreateObject();
    wld_ollama_journal(h, "ollama.service", timeout_ms, out);
    wld_host_free(h);
    return out;
}

static const char *state(const cJSON *out)
{
    return wld_fact_str(cJSON_GetObjectItemCaseSensitive(out, "cmd"), "state");
}

static void gpu_found_by_ollama_0_12_is_its_verdict(void **st)
{
    (void) st;
    cJSON *out = journal_of("gpu", 5000);
    assert_string_equal(state(out), "ok");
    assert_string_equal(wld_fact_str(out, "access"), "all");
    assert_string_equal(wld_fact_str(out, "command"),
                        "journalctl -u ollama.service -b --no-pager -o short-iso --no-hostname "
                        "-n 400");
    /* this boot only: the CPU line of the boot before is not read */
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "lines")), 6);
    assert_int_equal((int) wld_fact_num(out, "run_from", -2), 2);
    assert_string_equal(wld_fact_str(out, "verdict"), "gpu");
    assert_string_equal(wld_fact_str(out, "said_at"), "2025-10-06T10:42:01+0200");
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(out, "observations"), "ollama");
    assert_string_equal(wld_fact_str(o, "version"), "0.12.3");
    const cJSON *c =
            cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o, "inference_compute"), 0);
    assert_string_equal(wld_fact_str(c, "name"), "NVIDIA GeForce RTX 4070");
    assert_string_equal(wld_fact_str(c, "compute"), "8.9");
    cJSON_Delete(out);
}

static void proxy_password_in_server_config_is_scrubbed(void **st)
{
    (void) st;
    cJSON *out = journal_of("gpu", 5000);
    char *text = cJSON_PrintUnformatted(out);
    assert_null(strstr(text, "hunter2secret"));
    assert_non_null(strstr(text, "proxy.corp:3128"));
    cJSON_free(text);
    cJSON_Delete(out);
}

static void no_compatible_gpus_is_a_cpu_verdict_and_a_finding(void **st)
{
    (void) st;
    cJSON *out = journal_of("cpu", 5000);
    assert_string_equal(state(out), "ok");
    assert_string_equal(wld_fact_str(out, "verdict"), "cpu");
    assert_string_equal(wld_fact_str(out, "said_at"), "2025-04-14T09:08:45+0200");
    /* why, in ollama's words: what it said after "looking for compatible GPUs" */
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(out, "why");
    assert_int_equal(cJSON_GetArraySize(why), 1);
    assert_string_equal(cJSON_GetArrayItem(why, 0)->valuestring,
                        "no compatible GPUs were discovered");
    struct wld_rules *rules = NULL;
    char *err = NULL;
    assert_int_equal(wld_rules_load_embedded(&rules, &err), 0);
    struct wld_log_report *rep = wld_ollama_journal_judge(out, rules, NULL);
    assert_non_null(rep);
    assert_int_equal(rep->n, 1);
    assert_string_equal(rep->findings[0].signature, "ollama-no-gpu");
    assert_string_equal(rep->findings[0].check, "gpu.cuda");
    assert_int_equal(rep->findings[0].status, WLD_FAIL);
    wld_log_report_free(rep);
    wld_rules_free(rules);
    cJSON_Delete(out);
}

static void user_outside_systemd_journal_sees_no_entries(void **st)
{
    (void) st;
    cJSON *out = journal_of("not-in-group", 5000);
    assert_string_equal(state(out), "no_permission");
    assert_string_equal(wld_fact_str(out, "access"), "own_only");
    assert_string_equal(wld_fact_str(out, "verdict"), "none");
    cJSON_Delete(out);
}

static void volatile_journal_without_permission_fails(void **st)
{
    (void) st;
    cJSON *out = journal_of("denied", 5000);
    assert_string_equal(state(out), "no_permission");
    assert_string_equal(wld_fact_str(out, "access"), "none");
    assert_int_equal(
            (int) wld_fact_num(cJSON_GetObjectItemCaseSensitive(out, "cmd"), "exit_code", 0), 1);
    cJSON_Delete(out);
}

static void no_journal_at_all(void **st)
{
    (void) st;
    cJSON *out = journal_of("no-journal", 5000);
    assert_string_equal(state(out), "no_journal");
    assert_null(wld_ollama_journal_judge(out, NULL, NULL));
    cJSON_Delete(out);
}

static void no_journalctl_on_the_host(void **st)
{
    (void) st;
    cJSON *out = journal_of("no-journalctl", 5000);
    assert_string_equal(state(out), "missing");
    assert_string_equal(wld_fact_str(out, "verdict"), "none");
    cJSON_Delete(out);
}

static void hanging_journalctl_is_cut_at_the_deadline(void **st)
{
    (void) st;
    cJSON *out = journal_of("hang", 300);
    assert_string_equal(state(out), "timeout");
    assert_true(wld_fact_num(cJSON_GetObjectItemCaseSensitive(out, "cmd"), "ms", 1e9) < 5000);
    cJSON_Delete(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gpu_found_by_ollama_0_12_is_its_verdict),
        cmocka_unit_test(proxy_password_in_server_config_is_scrubbed),
        cmocka_unit_test(no_compatible_gpus_is_a_cpu_verdict_and_a_finding),
        cmocka_unit_test(user_outside_systemd_journal_sees_no_entries),
        cmocka_unit_test(volatile_journal_without_permission_fails),
        cmocka_unit_test(no_journal_at_all),
        cmocka_unit_test(no_journalctl_on_the_host),
        cmocka_unit_test(hanging_journalctl_is_cut_at_the_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
