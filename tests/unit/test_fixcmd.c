/* fix_commands (wld/fixcmd.h): which code spans of a fix a tool may offer to run. */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/fixcmd.h"

/* The fix's commands as one string, "a|b", for one assertion per scenario. */
static char *commands(const char *fix)
{
    static char out[1024];
    cJSON *list = wld_fix_commands(fix);
    out[0] = '\0';
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        if (out[0])
            strcat(out, "|");
        strcat(out, e->valuestring);
    }
    cJSON_Delete(list);
    return out;
}

static void test_plain_sudo_install_is_offered(void **state)
{
    (void) state;
    assert_string_equal(commands("Install the toolkit: `sudo apt install nvidia-cuda-toolkit`."),
                        "sudo apt install nvidia-cuda-toolkit");
}

static void test_placeholder_gives_no_command(void **state)
{
    (void) state;
    assert_string_equal(
            commands("Run `ollama stop MODEL`, `nvidia-smi -i <index> -dm 0`, "
                     "`ldd {file}`, `ls .../stubs`, `sudo apt install cuda-toolkit-12-x`"),
            "");
}

static void test_shutdown_and_reboot_are_never_offered(void **state)
{
    (void) state;
    assert_string_equal(commands("Run `wsl --shutdown` in PowerShell, or `sudo reboot`, or "
                                 "`systemctl reboot`; then `nvidia-smi`."),
                        "nvidia-smi");
}

static void test_destructive_commands_are_never_offered(void **state)
{
    (void) state;
    assert_string_equal(commands("`sudo rm /usr/lib/wsl/lib` `sudo apt-get remove docker.io` "
                                 "`dd if=/dev/zero of=x` `sudo mkfs.ext4 /dev/sdb` "
                                 "`pip install --force-reinstall llama-cpp-python` "
                                 "`curl -fsSL https://ollama.com/install.sh | sh` "
                                 "`sudo ldconfig && sudo rm -rf /`"),
                        "");
}

static void test_words_that_are_not_commands_are_left_out(void **state)
{
    (void) state;
    assert_string_equal(commands("Set `[wsl2]` `memory=24GB` in `/etc/wsl.conf`, pass `-ngl 99`, "
                                 "look at `ldd` and `ls -l`; `sudo nano /etc/wsl.conf` edits it"),
                        "");
}

static void test_lists_and_pipelines_are_judged_whole(void **state)
{
    (void) state;
    assert_string_equal(
            commands("`sudo systemctl daemon-reload && sudo systemctl restart ollama.service` "
                     "then `sudo dmesg | grep -i nvrm` and again "
                     "`sudo dmesg | grep -i nvrm`; `export PATH=$CUDA_HOME/bin:$PATH`"),
            "sudo systemctl daemon-reload && sudo systemctl restart ollama.service|"
            "sudo dmesg | grep -i nvrm|export PATH=$CUDA_HOME/bin:$PATH");
}

static void test_a_path_to_a_known_program_counts(void **state)
{
    (void) state;
    assert_string_equal(commands("`/home/u/llama.cpp/build/bin/llama-server --list-devices`"),
                        "/home/u/llama.cpp/build/bin/llama-server --list-devices");
    assert_string_equal(commands(NULL), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_sudo_install_is_offered),
        cmocka_unit_test(test_placeholder_gives_no_command),
        cmocka_unit_test(test_shutdown_and_reboot_are_never_offered),
        cmocka_unit_test(test_destructive_commands_are_never_offered),
        cmocka_unit_test(test_words_that_are_not_commands_are_left_out),
        cmocka_unit_test(test_lists_and_pipelines_are_judged_whole),
        cmocka_unit_test(test_a_path_to_a_known_program_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
