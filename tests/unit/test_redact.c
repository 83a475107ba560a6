/* Redaction: stable same-length tokens, word boundaries, case, UUIDs, JSON, the summary. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/redact.h"
#include "wld/secrets.h"

static void tokens_keep_length_and_are_stable(void **state)
{
    (void) state;
    struct wld_redactor *r = wld_redactor_new();
    wld_redactor_add(r, WLD_REDACT_USER, "alice");
    wld_redactor_add(r, WLD_REDACT_HOST, "alice-laptop");
    wld_redactor_add(r, WLD_REDACT_WINUSER, "Bob Smith");
    char s[] = "/home/alice/x on alice-laptop, C:\\Users\\Bob Smith; ALICE again, malice stays";
    size_t len = strlen(s);
    assert_int_equal(wld_redact_str(r, s), 4);
    assert_int_equal(strlen(s), len);
    assert_string_equal(s, "/home/user1/x on host00000001, C:\\Users\\winuser01; user1 again, "
                           "malice stays");
    wld_redactor_free(r);
}

/* wsl.exe writes UTF-16LE to a pipe: "wsl: C:\\Users\\Bob Smith\\.wslconfig:2 ..." with a NUL
 * after every ASCII byte must lose the name as well. */
static void utf16le_text_is_redacted(void **state)
{
    (void) state;
    struct wld_redactor *r = wld_redactor_new();
    wld_redactor_add(r, WLD_REDACT_WINUSER, "Bob Smith");
    wld_redactor_add(r, WLD_REDACT_USER, "alice");
    const char plain[] = "C:\\Users\\BOB SMITH\\.wslconfig malice";
    char u16[2 * sizeof(plain)];
    for (size_t i = 0; i < sizeof(plain); i++) {
        u16[2 * i] = plain[i];
        u16[2 * i + 1] = 0;
    }
    assert_int_equal(wld_redact_bytes(r, u16, sizeof(u16)), 1);
    char back[sizeof(plain)];
    for (size_t i = 0; i < sizeof(plain); i++)
        back[i] = u16[2 * i];
    assert_string_equal(back, "C:\\Users\\winuser01\\.wslconfig malice");
    wld_redactor_free(r);
}

static void short_and_system_names_are_kept(void **state)
{
    (void) state;
    struct wld_redactor *r = wld_redactor_new();
    wld_redactor_add(r, WLD_REDACT_USER, "al");
    wld_redactor_add(r, WLD_REDACT_USER, "root");
    wld_redactor_add(r, WLD_REDACT_WINUSER, "Public");
    wld_redactor_add(r, WLD_REDACT_USER, "bob");
    char s[] = "/root /home/al /mnt/c/Users/Public bob";
    wld_redact_str(r, s);
    assert_string_equal(s, "/root /home/al /mnt/c/Users/Public u01");
    char *sum = wld_redactor_summary(r);
    assert_string_equal(sum, "1 Linux user name");
    free(sum);
    wld_redactor_free(r);
}

static void learns_paths_uuids_and_serials(void **state)
{
    (void) state;
    struct wld_redactor *r = wld_redactor_new();
    const char *text = "model /home/carol/m.gguf, profile C:\\\\Users\\\\Dave\\\\x, "
                       "GPU-6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7\nSerial Number : 1324021012345\n"
                       "/mnt/d/Users/erin";
    wld_redactor_learn_text(r, text, strlen(text));
    char *s = strdup(text);
    wld_redact_str(r, s);
    assert_null(strstr(s, "carol"));
    assert_null(strstr(s, "Dave"));
    assert_null(strstr(s, "erin"));
    assert_null(strstr(s, "6f1c2a3b"));
    assert_null(strstr(s, "1324021012345"));
    assert_non_null(strstr(s, "GPU-00000000-0000-0000-0000-000000000001"));
    char *sum = wld_redactor_summary(r);
    assert_string_equal(sum, "1 Linux user name, 2 Windows user names, 1 GPU or device UUID, "
                             "1 serial number");
    free(sum);
    free(s);
    wld_redactor_free(r);
}

static void unlearned_uuids_still_go(void **state)
{
    (void) state;
    struct wld_redactor *r = wld_redactor_new();
    char s[] = "MIG-aabbccdd-1122-3344-5566-778899aabbcc";
    assert_int_equal(wld_redact_str(r, s), 1);
    assert_string_equal(s, "MIG-00000000-0000-0000-0000-000000000000");
    wld_redactor_free(r);
}

static void json_strings_and_keys(void **state)
{
    (void) state;
    struct wld_redactor *r = wld_redactor_new();
    cJSON *doc = cJSON_Parse("{\"/home/frank/a\": {\"serial\": \"PX123456\", "
                             "\"list\": [\"frank\", 3, \"ok\"]}}");
    wld_redactor_learn_json(r, doc);
    wld_redact_json(r, doc);
    char *s = cJSON_PrintUnformatted(doc);
    assert_string_equal(s, "{\"/home/user1/a\":{\"serial\":\"serial01\",\"list\":[\"user1\",3,"
                           "\"ok\"]}}");
    free(s);
    cJSON_Delete(doc);
    wld_redactor_free(r);
}

static void environment_allowlist(void **state)
{
    (void) state;
    assert_true(wld_redact_env_allowed("PATH"));
    assert_true(wld_redact_env_allowed("CUDA_VISIBLE_DEVICES"));
    assert_true(wld_redact_env_allowed("LC_ALL"));
    assert_false(wld_redact_env_allowed("LLAMA_API_KEY"));
    assert_false(wld_redact_env_allowed("HF_TOKEN"));
    assert_false(wld_redact_env_allowed("SSH_CONNECTION"));
}

/* A /proc/PID/cmdline and environ block: NUL-separated words. */
static void secrets_in_a_command_line(void **state)
{
    (void) state;
    char cmd[] = "llama-server\0--api-key\0sk-abc,sk-def\0--api-key-file\0/etc/keys\0--port\0"
                 "8080\0--api-key=sk-ghi\0LLAMA_API_KEY=sk-jkl\0";
    size_t n = sizeof(cmd) - 1;
    assert_int_equal(wld_secrets_scrub(cmd, n), 3);
    assert_memory_equal(cmd,
                        "llama-server\0--api-key\0*************\0--api-key-file\0/etc/keys\0"
                        "--port\0008080\0--api-key=******\0LLAMA_API_KEY=******\0",
                        n);
    /* idempotent: nothing more to hide */
    assert_int_equal(wld_secrets_scrub(cmd, n), 0);
}

/* A server's /proc/PID/environ: the secrets by their names, nothing else. */
static void secrets_in_an_environment(void **state)
{
    (void) state;
    char env[] = "HF_TOKEN=hf_abcdef\0PATH=/usr/bin\0AWS_SECRET_ACCESS_KEY=xyz\0"
                 "LLAMA_ARG_PORT=8080\0Environment=OPENAI_API_KEY=sk-1 EOS token = 2\0";
    size_t n = sizeof(env) - 1;
    assert_int_equal(wld_secrets_scrub(env, n), 3);
    assert_memory_equal(env,
                        "HF_TOKEN=*********\0PATH=/usr/bin\0AWS_SECRET_ACCESS_KEY=***\0"
                        "LLAMA_ARG_PORT=8080\0Environment=OPENAI_API_KEY=**** EOS token = 2\0",
                        n);
}

static void secrets_in_urls_headers_and_json_text(void **state)
{
    (void) state;
    char s[] = "--server http://bob:hunter2@127.0.0.1:8080/ Authorization: Bearer tok123 "
               "{\"args\":[\"--api-key\",\"sk-1\"],\"preset\":\"api-key = sk-2\\n\"} "
               "http://127.0.0.1:8080/health myapikey=stays";
    assert_int_equal(wld_secrets_scrub_str(s), 4);
    assert_string_equal(s, "--server http://bob:*******@127.0.0.1:8080/ Authorization: Bearer "
                           "****** {\"args\":[\"--api-key\",\"****\"],\"preset\":\"api-key = "
                           "******\"} http://127.0.0.1:8080/health myapikey=stays");
}

static void secrets_in_json_words_and_members(void **state)
{
    (void) state;
    cJSON *doc = cJSON_Parse("{\"exec\": [\"/usr/bin/llama-server\", \"--api-key\", \"sk-9\", "
                             "\"-m\", \"/m.gguf\"], \"password\": \"pw\", \"protected\": true, "
                             "\"url\": \"http://u:p4ss@h/\"}");
    assert_int_equal(wld_secrets_scrub_json(doc), 3);
    char *out = cJSON_PrintUnformatted(doc);
    assert_string_equal(out, "{\"exec\":[\"/usr/bin/llama-server\",\"--api-key\",\"****\",\"-m\","
                             "\"/m.gguf\"],\"password\":\"**\",\"protected\":true,\"url\":"
                             "\"http://u:****@h/\"}");
    free(out);
    cJSON_Delete(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens_keep_length_and_are_stable),
        cmocka_unit_test(utf16le_text_is_redacted),
        cmocka_unit_test(short_and_system_names_are_kept),
        cmocka_unit_test(learns_paths_uuids_and_serials),
        cmocka_unit_test(unlearned_uuids_still_go),
        cmocka_unit_test(json_strings_and_keys),
        cmocka_unit_test(environment_allowlist),
        cmocka_unit_test(secrets_in_a_command_line),
        cmocka_unit_test(secrets_in_an_environment),
        cmocka_unit_test(secrets_in_urls_headers_and_json_text),
        cmocka_unit_test(secrets_in_json_words_and_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
