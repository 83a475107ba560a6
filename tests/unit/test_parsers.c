/* Parser unit tests: real shapes from users' machines (see ../shared/corpus-sample) and
 * hostile input. */
/* cmocka.h needs these first */
// clang-format off
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include "wld/acscan.h"
#include "wld/host.h"
#include "wld/parse.h"
#include "wld/rules.h"
#include "wld/sha256.h"
#include "wld/version.h"

static struct wld_ini *ini(const char *text)
{
    struct wld_ini *r = NULL;
    assert_int_equal(wld_ini_parse(text, strlen(text), &r), 0);
    return r;
}

static void ini_inline_comments_and_crlf(void **state)
{
    (void) state;
    struct wld_ini *r = ini("[wsl2]\r\nswap=4GB          # Disable swap\r\nmemory = \"32GB\" \r\n");
    assert_int_equal(r->n_entries, 2);
    assert_string_equal(r->entries[0].key, "swap");
    assert_string_equal(r->entries[0].value, "4GB");
    assert_string_equal(r->entries[1].value, "32GB");
    assert_int_equal(r->entries[1].line, 3);
    assert_int_equal(r->n_diags, 0);
    wld_ini_free(r);
}

static void ini_escapes_and_bad_escape(void **state)
{
    (void) state;
    struct wld_ini *r =
            ini("[wsl2]\nkernel=C:\\\\Users\\\\a\\\\vmlinux\nswapFile=C:\\Temp\\swap.vhdx\n");
    assert_int_equal(r->n_entries, 1);
    assert_string_equal(r->entries[0].value, "C:\\Users\\a\\vmlinux");
    assert_int_equal(r->n_diags, 1);
    assert_string_equal(r->diags[0].code, "invalid_escape");
    assert_int_equal(r->diags[0].line, 3);
    wld_ini_free(r);
}

/* \t, \n and \b are escapes WSL applies: "C:\temp\new" is a tab and a line break */
static void ini_single_backslash_escapes_are_marked(void **state)
{
    (void) state;
    struct wld_ini *r = ini("[wsl2]\nkernel=C:\\\\k\nswapFile=C:\\temp\\new.vhdx\n");
    assert_int_equal(r->n_entries, 2);
    assert_int_equal(r->entries[0].control_escape, 0);
    assert_int_equal(r->entries[1].control_escape, 't');
    assert_string_equal(r->entries[1].value, "C:\temp\new.vhdx");
    wld_ini_free(r);
}

/* where each key of a unit is: line, key column, value column; reset with the values */
static void unit_parse_at_says_where(void **state)
{
    (void) state;
    cJSON *u = cJSON_CreateObject(), *where = cJSON_CreateObject();
    wld_unit_parse_at("# x\n[Service]\n  ExecStart = /a\nExecStart=\nExecStart=/b -m m\n", u, NULL,
                      where);
    const cJSON *pos = cJSON_GetObjectItem(
            cJSON_GetObjectItem(cJSON_GetObjectItem(where, "keys"), "Service"), "ExecStart");
    assert_int_equal(cJSON_GetArraySize(pos), 1);
    const cJSON *at = cJSON_GetArrayItem(pos, 0);
    assert_int_equal(cJSON_GetArrayItem(at, 0)->valueint, 5);
    assert_int_equal(cJSON_GetArrayItem(at, 1)->valueint, 1);
    assert_int_equal(cJSON_GetArrayItem(at, 2)->valueint, 11);
    assert_int_equal(
            cJSON_GetObjectItem(cJSON_GetObjectItem(where, "sections"), "Service")->valueint, 2);
    cJSON_Delete(u);
    cJSON_Delete(where);
}

static void ini_semicolon_and_bad_keys(void **state)
{
    (void) state;
    struct wld_ini *r = ini("; comment\n[wls2]\nlocal_forwarding=true\n[9x]\nkey\n");
    assert_int_equal(r->n_entries, 0);
    assert_int_equal(r->n_diags, 4);
    assert_string_equal(r->diags[0].code, "semicolon_comment");
    assert_string_equal(r->diags[1].code, "expected_eq");
    assert_string_equal(r->diags[2].code, "invalid_section");
    assert_string_equal(r->diags[3].code, "expected_eq");
    wld_ini_free(r);
}

static void ini_utf16_detection(void **state)
{
    (void) state;
    const char le_bom[] = "\xff\xfe[\0w\0s\0l\0"
                          "2\0]\0\n\0m\0=\0"
                          "1\0\n\0";
    struct wld_ini *r = NULL;
    assert_int_equal(wld_ini_parse(le_bom, sizeof(le_bom) - 1, &r), 0);
    assert_string_equal(r->encoding, "utf-16le-bom");
    assert_true(r->wsl_readable);
    assert_int_equal(r->n_entries, 1);
    assert_string_equal(r->entries[0].section, "wsl2");
    wld_ini_free(r);
    assert_int_equal(wld_ini_parse(le_bom + 2, sizeof(le_bom) - 3, &r), 0);
    assert_string_equal(r->encoding, "utf-16le");
    assert_false(r->wsl_readable);
    wld_ini_free(r);
}

static void nvsmi_table_generations(void **state)
{
    (void) state;
    struct wld_nvsmi s;
    const char *wsl = "(base) user@host:~$ nvidia-smi\n"
                      "| NVIDIA-SMI 595.45.03              Driver Version: 595.71         CUDA "
                      "Version: 13.2     |\n"
                      "|===========+=====+\n"
                      "|   0  NVIDIA GeForce RTX 5090        On  |   00000000:01:00.0  On |\n"
                      "|  0%   38C    P8    17W /  575W |    1712MiB /  32607MiB |\n";
    assert_int_equal(wld_nvsmi_parse_table(wsl, &s), 0);
    assert_string_equal(s.driver_version, "595.71");
    assert_string_equal(s.smi_version, "595.45.03");
    assert_string_equal(s.cuda_version, "13.2");
    assert_int_equal(s.n_gpus, 1);
    assert_string_equal(s.gpus[0].name, "NVIDIA GeForce RTX 5090");
    assert_true(s.gpus[0].mem_total_mib == 32607);
    const char *umd =
            "| NVIDIA-SMI 610.43.03   KMD Version: 610.43.02   CUDA UMD Version: 13.3 |\n";
    assert_int_equal(wld_nvsmi_parse_table(umd, &s), 0);
    assert_string_equal(s.driver_version, "610.43.02");
    assert_string_equal(s.cuda_version, "13.3");
    const char *backticked = "`| NVIDIA-SMI 535.183.01             Driver Version: 535.183.01   "
                             "CUDA Version: 12.2`\n";
    assert_int_equal(wld_nvsmi_parse_table(backticked, &s), 0);
    assert_string_equal(s.cuda_version, "12.2");
}

static void nvsmi_hostile(void **state)
{
    (void) state;
    struct wld_nvsmi s;
    assert_int_equal(wld_nvsmi_parse_table("", &s), -EINVAL);
    assert_int_equal(wld_nvsmi_parse_table("| NVIDIA-SMI 560.3", &s), -EINVAL);
    assert_int_equal(wld_nvsmi_parse_table("\x01\xff garbage\n", &s), -EINVAL);
    assert_int_equal(wld_nvsmi_parse_csv("560.9", &s), -EINVAL);
    assert_int_equal(wld_nvsmi_parse_csv("0, NVIDIA GeForce RTX 4090, 566.36, WDDM, "
                                         "00000000:01:00.0\r\n",
                                         &s),
                     0);
    assert_string_equal(s.driver_version, "566.36");
    assert_string_equal(s.gpus[0].driver_model, "WDDM");
    assert_string_equal(s.gpus[0].bus_id, "00000000:01:00.0");
    assert_int_equal(wld_nvsmi_parse_csv("0, a, 566.36, WDDM, b, c\n", &s), -EINVAL);
    assert_int_equal(wld_nvsmi_parse_csv("x, a, 566.36, WDDM, b\n", &s), -EINVAL);
    /* two drivers in one answer is not what one nvidia-smi prints */
    assert_int_equal(wld_nvsmi_parse_csv("0, a, 566.36, WDDM, b\n1, c, 560.94, TCC, d\n", &s),
                     -EINVAL);
    /* NVIDIA-SMI's own failure message is no answer */
    assert_int_equal(wld_nvsmi_parse_csv("NVIDIA-SMI has failed because it couldn't communicate "
                                         "with the NVIDIA driver.\n",
                                         &s),
                     -EINVAL);
    /* a "version" longer than any driver's is refused, not cut into a plausible one */
    assert_int_equal(wld_nvsmi_parse_csv("0, RTX, 560.94.1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16, "
                                         "WDDM, b\n",
                                         &s),
                     -EINVAL);
    /* a GPU name longer than the field is kept cut, and says so */
    char csv[400];
    snprintf(csv, sizeof(csv), "0, %0300d, 560.94, TCC, 00000000:01:00.0\n", 7);
    assert_int_equal(wld_nvsmi_parse_csv(csv, &s), 0);
    assert_int_equal(strlen(s.gpus[0].name), sizeof(s.gpus[0].name) - 1);
    assert_true(wld_str_ends(s.gpus[0].name, "..."));
}

static void windows_outputs(void **state)
{
    (void) state;
    char v[64], type[16];
    const char *reg =
            "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n"
            "    CurrentBuild    REG_SZ    22631\r\n    UBR    REG_DWORD    0x1134\r\n\r\n";
    assert_int_equal(wld_reg_query_value(reg, "currentbuild", v, sizeof(v), type, sizeof(type)), 0);
    assert_string_equal(v, "22631");
    assert_string_equal(type, "REG_SZ");
    assert_int_equal(wld_reg_query_value(reg, "UBR", v, sizeof(v), NULL, 0), 0);
    assert_string_equal(v, "0x1134");
    /* the key's own line names the value's neighbour, not the value */
    assert_int_equal(wld_reg_query_value(reg, "CurrentVersion", v, sizeof(v), NULL, 0), -ENOENT);
    assert_int_equal(wld_reg_query_value("FEHLER: Der angegebene Registrierungsschlüssel wurde "
                                         "nicht gefunden.\r\n",
                                         "UBR", v, sizeof(v), NULL, 0),
                     -ENOENT);

    struct wld_winver w;
    assert_int_equal(wld_winver_parse("\r\nMicrosoft Windows [Version 10.0.19043.1526]\r\n", &w),
                     0);
    assert_int_equal(w.build, 19043);
    assert_true(w.has_ubr);
    assert_int_equal(w.ubr, 1526);
    /* Russian in cp866 around the number */
    assert_int_equal(
            wld_winver_parse("Microsoft Windows [\x82\xa5\xe0\xe1\xa8\xef 10.0.22631.2861]", &w),
            0);
    assert_int_equal(w.build, 22631);
    assert_int_equal(
            wld_winver_parse("C:\\> ver\r\n'\\\\wsl.localhost\\Ubuntu-22.04' 2024\r\n", &w),
            -EINVAL);
    assert_int_equal(wld_winver_parse("", &w), -EINVAL);
    /* DXCore's version is not Windows': the Windows line after it is */
    assert_int_equal(wld_winver_parse("DXCore: 10.0.26100.1-240331-1435.ge-release\n"
                                      "Windows: 10.0.19045.5854\n",
                                      &w),
                     0);
    assert_int_equal(w.build, 19045);
    assert_int_equal(wld_winver_parse("WSLg 1.0.66, MSRDC 1.2.6074", &w), -EINVAL);

    struct wld_wsl_version wv;
    const char *de =
            "WSL-Version: 2.7.3.0\r\nKernelversion: 6.6.114.1-1\r\nWSLg-Version: 1.0.71\r\n"
            "MSRDC-Version: 1.2.6353\r\nDirect3D-Version: 1.611.1-81528511\r\n"
            "DXCore-Version: 10.0.26100.1-240331-1435.ge-release\r\n"
            "Windows-Version: 10.0.26100.7462\r\n";
    assert_int_equal(wld_wsl_version_parse(de, &wv), 0);
    assert_string_equal(wv.wsl, "2.7.3.0");
    assert_string_equal(wv.kernel, "6.6.114.1-1");
    assert_string_equal(wv.windows, "10.0.26100.7462");
    /* a CJK label with a full-width colon */
    assert_int_equal(wld_wsl_version_parse("WSL \xe7\x89\x88\xe6\x9c\xac\xef\xbc\x9a"
                                           "2.5.7.0\n",
                                           &wv),
                     0);
    assert_string_equal(wv.wsl, "2.5.7.0");
    assert_string_equal(wv.windows, "");
    /* the inbox wsl.exe answers --version with its usage */
    assert_int_equal(wld_wsl_version_parse("Copyright (c) Microsoft Corporation. All rights "
                                           "reserved.\r\n\r\nUsage: wsl.exe [Argument] "
                                           "[Options...] [CommandLine]\r\n",
                                           &wv),
                     -EINVAL);
    assert_int_equal(wld_wsl_version_parse("", &wv), -EINVAL);

    /* a driver package's .inf, and NVIDIA's name for its version */
    char date[32], ver[32], nv[16];
    assert_int_equal(wld_inf_driver_ver("[Version]\r\nSignature = \"$Windows NT$\"\r\n"
                                        "DriverVer   = 11/18/2024,32.0.15.6636 ; 566.36\r\n",
                                        date, sizeof(date), ver, sizeof(ver)),
                     0);
    assert_string_equal(date, "11/18/2024");
    assert_string_equal(ver, "32.0.15.6636");
    assert_int_equal(wld_nvidia_version_of_windows(ver, nv, sizeof(nv)), 0);
    assert_string_equal(nv, "566.36");
    assert_int_equal(wld_nvidia_version_of_windows("31.0.15.3179", nv, sizeof(nv)), 0);
    assert_string_equal(nv, "531.79");
    assert_int_equal(wld_nvidia_version_of_windows("32.0.15.6006", nv, sizeof(nv)), 0);
    assert_string_equal(nv, "560.06");
    assert_int_equal(wld_nvidia_version_of_windows("9.18.13.4788", nv, sizeof(nv)), 0);
    assert_string_equal(nv, "347.88");
    assert_int_equal(wld_nvidia_version_of_windows("32.0.16.1017", nv, sizeof(nv)), 0);
    assert_string_equal(nv, "610.17");
    assert_int_equal(wld_nvidia_version_of_windows("566.36", nv, sizeof(nv)), -EINVAL);
    assert_int_equal(
            wld_inf_driver_ver("DriverVer = 32.0.15.6636\n", date, sizeof(date), ver, sizeof(ver)),
            -EINVAL);
    assert_int_equal(wld_inf_driver_ver("[Strings]\n", date, sizeof(date), ver, sizeof(ver)),
                     -ENOENT);

    /* wsl.exe to a pipe: UTF-16LE without a BOM; the decoder finds it by its NUL bytes */
    const char u16[] = "W\0S\0L\0 \0v\0e\0r\0s\0i\0o\0n\0:\0 \0"
                       "2\0.\0003\0.\0002\0006\0.\0000\0\r\0\n\0";
    const char *enc = NULL;
    char *t = wld_text_decode(u16, sizeof(u16) - 1, &enc);
    assert_string_equal(enc, "utf-16le");
    assert_string_equal(t, "WSL version: 2.3.26.0\r\n");
    free(t);
    t = wld_text_decode("\xff\xfe"
                        "2\0",
                        4, &enc);
    assert_string_equal(enc, "utf-16le-bom");
    assert_string_equal(t, "2");
    free(t);
}

static void oom_kills(void **state)
{
    (void) state;
    struct wld_oom_kill *k = NULL;
    size_t n = 0;
    /* /dev/kmsg records: the time is the record's microseconds since boot */
    const char *kmsg = "6,1,0,-;Linux version 5.15.153.1-microsoft-standard-WSL2\n"
                       "3,7,4865000048,-;Out of memory: Killed process 2411 (llama-server) "
                       "total-vm:41837236kB, anon-rss:23456788kB, file-rss:6144kB, shmem-rss:0kB, "
                       "UID:1000 pgtables:46204kB oom_score_adj:0\n";
    assert_int_equal(wld_oom_kills_parse(kmsg, &k, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(k[0].process, "llama-server");
    assert_int_equal(k[0].pid, 2411);
    assert_true(k[0].anon_rss_kib == 23456788 && k[0].file_rss_kib == 6144);
    assert_true(k[0].at_s > 4864.9 && k[0].at_s < 4865.1);
    assert_false(k[0].cgroup);
    free(k);
    /* dmesg's form, a cgroup's kill, a name with parentheses, and the reaper's line */
    const char *dmesg = "[  518.050606] Memory cgroup out of memory: Killed process 15784 "
                        "((sd-pam)) total-vm:11964kB, anon-rss:4288kB, file-rss:3028kB\n"
                        "[  518.053407] oom_reaper: reaped process 15784 (python3), now "
                        "anon-rss:0kB\n"
                        "[Sun Mar 24 23:54:53 2024] Out of memory: Killed process 6154 (python) "
                        "total-vm:18109076kB, anon-rss:14095848kB, file-rss:0kB\n";
    assert_int_equal(wld_oom_kills_parse(dmesg, &k, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(k[0].process, "(sd-pam)");
    assert_true(k[0].cgroup);
    assert_true(k[0].at_s > 518 && k[0].at_s < 519);
    assert_string_equal(k[1].process, "python");
    assert_true(k[1].at_s < 0); /* dmesg -T: a wall clock, not a time since boot */
    free(k);
    /* hostile: no name, no pid, a bare "Killed process" */
    assert_int_equal(wld_oom_kills_parse("Killed process \nKilled process 12 (\nKilled process "
                                         "-3 (x) \nKilled process 9 ()\n",
                                         &k, &n),
                     0);
    assert_int_equal(n, 0);
    free(k);
}

static void unit_files(void **state)
{
    (void) state;
    cJSON *u = cJSON_CreateObject(), *problems = cJSON_CreateArray();
    wld_unit_parse("# llama-server as a user service\n[Unit]\nDescription=llama.cpp\n\n"
                   "[Service]\nExecStart=/home/a/llama.cpp/build/bin/llama-server \\\n"
                   "    # a comment inside the continuation\n"
                   "    -m /home/a/models/m.gguf --port 8080\n"
                   "Environment=\"CUDA_VISIBLE_DEVICES=0\" LLAMA_ARG_CTX_SIZE=8192\n"
                   "User=your_username  # Replace with your system user\nRestart=no\n"
                   "[Install]\nWantedBy=default.target\n",
                   u, problems);
    /* a drop-in: the empty assignment resets ExecStart, Restart is replaced */
    wld_unit_parse("[Service]\nExecStart=\nExecStart=/usr/bin/llama-server -m %h/m.gguf\n"
                   "Restart=always\nstray line\n",
                   u, problems);
    assert_string_equal(wld_unit_last(u, "Service", "ExecStart"),
                        "/usr/bin/llama-server -m %h/m.gguf");
    assert_int_equal(
            cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(u, "Service"), "ExecStart")),
            1);
    assert_string_equal(wld_unit_last(u, "Service", "Restart"), "always");
    assert_string_equal(wld_unit_last(u, "Install", "WantedBy"), "default.target");
    assert_null(wld_unit_last(u, "Install", "Alias"));
    assert_int_equal(cJSON_GetArraySize(problems), 2);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(problems, 0), "code")->valuestring,
                        "inline_comment");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(problems, 0), "line")->valueint, 10);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(problems, 1), "code")->valuestring,
                        "not_assignment");
    char **w = wld_unit_words(wld_unit_last(u, "Service", "Environment"));
    assert_string_equal(w[0], "CUDA_VISIBLE_DEVICES=0");
    assert_string_equal(w[1], "LLAMA_ARG_CTX_SIZE=8192");
    assert_null(w[2]);
    wld_strv_free(w);
    /* the continuation joined, its comment line dropped */
    cJSON *first = cJSON_CreateObject();
    wld_unit_parse("[Service]\nExecStart=/bin/llama-server \\\n# c\n  -m 'a b.gguf'\n", first,
                   NULL);
    w = wld_unit_words(wld_unit_last(first, "Service", "ExecStart"));
    assert_string_equal(w[0], "/bin/llama-server");
    assert_string_equal(w[1], "-m");
    assert_string_equal(w[2], "a b.gguf");
    wld_strv_free(w);
    cJSON_Delete(first);
    cJSON_Delete(u);
    cJSON_Delete(problems);
}

static void bounded_copies_say_what_they_cut(void **state)
{
    (void) state;
    char small[8];
    assert_false(wld_str_copy(small, sizeof(small), "1234567"));
    assert_string_equal(small, "1234567");
    assert_true(wld_str_copy(small, sizeof(small), "12345678"));
    assert_string_equal(small, "1234...");
    /* never half a character: "é" is two bytes, cut before it */
    assert_true(wld_str_copy(small, sizeof(small),
                             "abc\xc3\xa9"
                             "defgh"));
    assert_string_equal(small, "abc...");
    char tiny[3];
    assert_true(wld_str_copy(tiny, sizeof(tiny), "abcdef"));
    assert_string_equal(tiny, "ab");
}

static void utf8_validity_follows_rfc3629(void **state)
{
    (void) state;
    assert_true(wld_utf8_valid("mod\xc3\xa8le \xe2\x82\xac \xf0\x9f\x98\x80"));
    assert_false(wld_utf8_valid("mod\xe8le"));        /* Latin-1 */
    assert_false(wld_utf8_valid("\xc0\xaf"));         /* overlong '/' */
    assert_false(wld_utf8_valid("\xe0\x80\xaf"));     /* overlong, 3 bytes */
    assert_false(wld_utf8_valid("\xed\xa0\x80"));     /* a UTF-16 surrogate */
    assert_false(wld_utf8_valid("\xf4\x90\x80\x80")); /* past U+10FFFF */
    assert_false(wld_utf8_valid("\xe2\x82"));         /* cut short */
    char *s = wld_utf8_fix("mod\xe8le\x1b[2J", false);
    assert_string_equal(s, "mod\xef\xbf\xbdle\x1b[2J");
    free(s);
    s = wld_utf8_fix("mod\xe8le\x1b[2J\tok\n", true); /* for a terminal: no escapes */
    assert_string_equal(s, "mod\xef\xbf\xbdle\xef\xbf\xbd[2J\tok\n");
    free(s);
}

static void shell_words_quoted_only_when_needed(void **state)
{
    (void) state;
    char *q = wld_shell_quote("/home/alice/llama.cpp/build-cpu");
    assert_string_equal(q, "/home/alice/llama.cpp/build-cpu");
    free(q);
    q = wld_shell_quote("~/llama.cpp"); /* ~ stays unquoted, so the shell expands it */
    assert_string_equal(q, "~/llama.cpp");
    free(q);
    q = wld_shell_quote("/home/Mary Jones/it's");
    assert_string_equal(q, "'/home/Mary Jones/it'\\''s'");
    free(q);
    q = wld_shell_quote("");
    assert_string_equal(q, "''");
    free(q);
}

static void cmake_cuda_compiler_script(void **state)
{
    (void) state;
    const char *text = "set(CMAKE_CUDA_COMPILER \"/usr/local/cuda-13.0/bin/nvcc\")\n"
                       "set(CMAKE_CUDA_COMPILER_ID \"NVIDIA\")\n"
                       "set(CMAKE_CUDA_COMPILER_VERSION \"13.0.88\")\n"
                       "set(CMAKE_CUDA_ARCHITECTURES_NATIVE \"89-real\")\n"
                       "  set(CMAKE_CUDA_STANDARD_COMPUTED_DEFAULT 17)\n";
    char v[64];
    assert_int_equal(wld_cmake_set_get(text, "CMAKE_CUDA_COMPILER_VERSION", v, sizeof(v)), 0);
    assert_string_equal(v, "13.0.88");
    assert_int_equal(wld_cmake_set_get(text, "CMAKE_CUDA_ARCHITECTURES_NATIVE", v, sizeof(v)), 0);
    assert_string_equal(v, "89-real");
    assert_int_equal(wld_cmake_set_get(text, "CMAKE_CUDA_STANDARD_COMPUTED_DEFAULT", v, sizeof(v)),
                     0);
    assert_string_equal(v, "17");
    assert_int_equal(wld_cmake_set_get(text, "CMAKE_CUDA", v, sizeof(v)), -ENOENT);
    assert_int_equal(wld_cmake_set_get("set(X \"unterminated", "X", v, sizeof(v)), -ENOENT);
    /* CMake's booleans, as if() reads them; what is neither keeps the caller's default */
    assert_true(wld_cmake_bool("ON", false) && wld_cmake_bool("yes", false));
    assert_false(wld_cmake_bool("OFF", true) || wld_cmake_bool("no", true) ||
                 wld_cmake_bool("CUDAToolkit-NOTFOUND", true) || wld_cmake_bool("", true));
    assert_true(wld_cmake_bool(NULL, true) && wld_cmake_bool("maybe", true));
}

static void mountinfo_and_mounts(void **state)
{
    (void) state;
    struct wld_mount *m = NULL;
    size_t n = 0;
    const char *text = "$ grep wsl /proc/self/mountinfo\n"
                       "27 1 8:48 / / rw - ext4 /dev/sdd rw\n"
                       "120 27 0:60 / /mnt/c rw,noatime - 9p C:\\134 rw,aname=drvfs;path=C:\\\n"
                       "C: /mnt/d drvfs rw,noatime,uid=1000 0 0\n"
                       "9 27 0:1 / /mnt/my\\040models rw - virtiofs x rw\n";
    assert_int_equal(wld_mounts_parse(text, &m, &n), 0);
    assert_int_equal(n, 4);
    assert_string_equal(m[1].source, "C:\\");
    assert_string_equal(wld_mount_for_path(m, n, "/mnt/c/Users/a.gguf")->fstype, "9p");
    assert_string_equal(wld_mount_for_path(m, n, "/mnt/cx/a.gguf")->fstype, "ext4");
    assert_string_equal(wld_mount_for_path(m, n, "/mnt/d/x")->fstype, "drvfs");
    assert_string_equal(wld_mount_for_path(m, n, "/mnt/my models/x")->fstype, "virtiofs");
    wld_mounts_free(m, n);
    assert_int_equal(wld_mounts_parse("garbage\n", &m, &n), -EINVAL);
}

static void osrelease_quotes(void **state)
{
    (void) state;
    char v[64];
    const char *text = "NAME=\"Fedora Linux\"\r\nVERSION_ID=37\r\nVARIANT_ID=wsl";
    assert_int_equal(wld_osrelease_get(text, "NAME", v, sizeof(v)), 0);
    assert_string_equal(v, "Fedora Linux");
    assert_int_equal(wld_osrelease_get(text, "VERSION_ID", v, sizeof(v)), 0);
    assert_string_equal(v, "37");
    assert_int_equal(wld_osrelease_get(text, "VARIANT_ID", v, sizeof(v)), 0);
    assert_string_equal(v, "wsl");
    assert_int_equal(wld_osrelease_get(text, "ID_LIKE", v, sizeof(v)), -ENOENT);
}

static void cuda_versions(void **state)
{
    (void) state;
    char v[32];
    assert_int_equal(wld_nvcc_version_parse("Cuda compilation tools, release 12.2, V12.2.140\n", v,
                                            sizeof(v)),
                     0);
    assert_string_equal(v, "12.2.140");
    assert_int_equal(wld_nvcc_version_parse("Cuda compilation tools, release 11.0, "
                                            "V11.0.167\nBuild cuda_11.0_bu.relgpu_drvr445TC445",
                                            v, sizeof(v)),
                     0);
    assert_string_equal(v, "11.0.167");
    assert_int_equal(
            wld_cuda_version_file_parse("{\"cuda\":{\"version\":\"12.6.3\"}}", v, sizeof(v)), 0);
    assert_string_equal(v, "12.6.3");
    assert_int_equal(wld_cuda_version_file_parse("CUDA Version 11.0.228\n", v, sizeof(v)), 0);
    assert_string_equal(v, "11.0.228");
    assert_int_equal(wld_cuda_version_file_parse("{]", v, sizeof(v)), -EINVAL);
}

static void ldd_output(void **state)
{
    (void) state;
    struct wld_ldd_lib *l = NULL;
    size_t n = 0;
    const char *text = "\tlinux-vdso.so.1 (0x00007ffc)\n"
                       "\tlibcudart.so.12 => not found\n"
                       "\tlibcuda.so.1 => /usr/lib/wsl/lib/libcuda.so.1 (0x00007f3a)\n"
                       "\t/lib64/ld-linux-x86-64.so.2 (0x00007f3a)\n";
    assert_int_equal(wld_ldd_parse(text, &l, &n), 0);
    assert_int_equal(n, 2);
    assert_null(l[0].path);
    assert_string_equal(l[1].path, "/usr/lib/wsl/lib/libcuda.so.1");
    wld_ldd_free(l, n);
    assert_int_equal(wld_ldd_parse("\tnot a dynamic executable\n", &l, &n), -EINVAL);
}

static void meminfo_lines(void **state)
{
    (void) state;
    const char *text = "MemTotal:       24380412 kB\nMemFree:        20123456 kB\n"
                       "MemAvailable:   21942370 kB\nSwapTotal:      0 kB\nHugePages_Total: x\n";
    double kib = -1;
    assert_int_equal(wld_meminfo_kib(text, "MemTotal", &kib), 0);
    assert_true(kib == 24380412);
    assert_int_equal(wld_meminfo_kib(text, "MemAvailable", &kib), 0);
    assert_true(kib == 21942370);
    assert_int_equal(wld_meminfo_kib(text, "SwapTotal", &kib), 0);
    assert_true(kib == 0);
    /* "Total" is not a line of its own; a value that is no number is not a figure */
    assert_int_equal(wld_meminfo_kib(text, "Total", &kib), -ENOENT);
    assert_int_equal(wld_meminfo_kib(text, "HugePages_Total", &kib), -ENOENT);
    assert_int_equal(wld_meminfo_kib("", "MemTotal", &kib), -ENOENT);
    /* 10^21 GiB is no machine's memory: refused, never used */
    assert_int_equal(
            wld_meminfo_kib("MemTotal: 1073741824000000000000000000 kB\n", "MemTotal", &kib),
            -ERANGE);
}

static void versions_compare_numerically(void **state)
{
    (void) state;
    assert_true(wld_version_cmp_str("570.124.06", "570.26") > 0);
    assert_true(wld_version_cmp_str("560.94", "561.17") < 0);
    assert_true(wld_version_cmp_str("5.15.153.1-microsoft-standard-WSL2", "4.19.121") > 0);
    assert_int_equal(wld_version_cmp_str("12.6", "12.6.0"), 0);
    struct wld_version v;
    assert_int_equal(wld_version_parse(" 6.6.114.1-1", &v, NULL), 0);
    assert_int_equal(v.n, 4);
    assert_int_equal(wld_version_parse("abc", &v, NULL), -EINVAL);
    assert_int_equal(wld_version_parse("99999999999999999999999.1", &v, NULL), -EINVAL);
}

static void template_and_sha256(void **state)
{
    (void) state;
    cJSON *vars = cJSON_CreateObject();
    cJSON_AddStringToObject(vars, "a", "x");
    cJSON_AddNumberToObject(vars, "n", 3);
    char *s = wld_template_render("{a}-{n}-{missing}-{", vars);
    assert_string_equal(s, "x-3-{missing}-{");
    free(s);
    cJSON_Delete(vars);
    char hex[65];
    wld_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    wld_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* ---- the automaton of the log reader (src/parse/acscan.c) ---- */

struct ac_hits {
    long v[4096];
    int n;
};

static void ac_on(void *ctx, int id, size_t end)
{
    struct ac_hits *h = ctx;
    if (h->n < 4096)
        h->v[h->n++] = (long) end * 1000 + id;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *) a, y = *(const long *) b;
    return (x > y) - (x < y);
}

/* Every occurrence of every pattern, as a search at every offset finds them: random
 * patterns over a small alphabet (shared prefixes, patterns inside patterns, chains far
 * deeper than the states with rows), the same bytes under two ids, and 256 patterns that
 * start with each byte value, over random texts. */
static void acscan_finds_what_a_naive_search_finds(void **st)
{
    (void) st;
    unsigned seed = 12345;
#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
    for (int round = 0; round < 200; round++) {
        char pats[64][24];
        size_t lens[64];
        int n_pats = 1 + (int) (RND() % 40);
        const char *alpha = round % 2 ? "ab" : "abcd\n\0\xff";
        size_t n_alpha = round % 2 ? 2 : 7;
        struct wld_ac *a = wld_ac_new();
        for (int i = 0; i < n_pats; i++) {
            lens[i] = 1 + RND() % (round % 3 ? 6 : 20);
            for (size_t k = 0; k < lens[i]; k++)
                pats[i][k] = alpha[RND() % n_alpha];
            if (i > 0 && RND() % 8 == 0) { /* the same bytes as another pattern */
                lens[i] = lens[i - 1];
                memcpy(pats[i], pats[i - 1], lens[i]);
            }
            wld_ac_add(a, pats[i], lens[i], i);
        }
        wld_ac_build(a);
        for (int t = 0; t < 5; t++) {
            char text[300];
            size_t n = RND() % sizeof(text);
            for (size_t k = 0; k < n; k++)
                text[k] = alpha[RND() % n_alpha];
            static struct ac_hits got, want;
            got.n = want.n = 0;
            wld_ac_scan(a, text, n, ac_on, &got);
            for (size_t e = 1; e <= n; e++)
                for (int i = 0; i < n_pats; i++)
                    if (lens[i] <= e && memcmp(text + e - lens[i], pats[i], lens[i]) == 0)
                        ac_on(&want, i, e);
            /* reported in order of end */
            for (int k = 1; k < got.n; k++)
                assert_true(got.v[k - 1] / 1000 <= got.v[k] / 1000);
            qsort(got.v, (size_t) got.n, sizeof(long), cmp_long);
            qsort(want.v, (size_t) want.n, sizeof(long), cmp_long);
            assert_int_equal(got.n, want.n);
            assert_memory_equal(got.v, want.v, (size_t) want.n * sizeof(long));
        }
        wld_ac_free(a);
    }
#undef RND
    /* the root with a child for every byte value, each a long chain */
    struct wld_ac *a = wld_ac_new();
    char pat[12];
    for (int c = 0; c < 256; c++) {
        memset(pat, 'z', sizeof(pat));
        pat[0] = (char) c;
        wld_ac_add(a, pat, sizeof(pat), c);
    }
    wld_ac_build(a);
    static struct ac_hits got;
    char text[40];
    memset(text, 'z', sizeof(text));
    text[3] = (char) 0x80;
    got.n = 0;
    wld_ac_scan(a, text, sizeof(text), ac_on, &got);
    /* 0x80 then eleven z, ending at 15 */
    int zs = 0, high = 0;
    for (int k = 0; k < got.n; k++) {
        zs += got.v[k] % 1000 == 'z';
        high += got.v[k] % 1000 == 0x80 && got.v[k] / 1000 == 15;
    }
    assert_int_equal(zs, 40 - 16 + 1); /* twelve z after offset 3: ending at 16 to 40 */
    assert_int_equal(high, 1);
    wld_ac_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(acscan_finds_what_a_naive_search_finds),
        cmocka_unit_test(ini_inline_comments_and_crlf),
        cmocka_unit_test(ini_escapes_and_bad_escape),
        cmocka_unit_test(ini_single_backslash_escapes_are_marked),
        cmocka_unit_test(unit_parse_at_says_where),
        cmocka_unit_test(ini_semicolon_and_bad_keys),
        cmocka_unit_test(ini_utf16_detection),
        cmocka_unit_test(nvsmi_table_generations),
        cmocka_unit_test(nvsmi_hostile),
        cmocka_unit_test(windows_outputs),
        cmocka_unit_test(oom_kills),
        cmocka_unit_test(unit_files),
        cmocka_unit_test(bounded_copies_say_what_they_cut),
        cmocka_unit_test(utf8_validity_follows_rfc3629),
        cmocka_unit_test(shell_words_quoted_only_when_needed),
        cmocka_unit_test(cmake_cuda_compiler_script),
        cmocka_unit_test(mountinfo_and_mounts),
        cmocka_unit_test(osrelease_quotes),
        cmocka_unit_test(cuda_versions),
        cmocka_unit_test(ldd_output),
        cmocka_unit_test(meminfo_lines),
        cmocka_unit_test(versions_compare_numerically),
        cmocka_unit_test(template_and_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
