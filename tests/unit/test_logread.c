/* The log reader's bounds (wld_log_read): it stops at its cap and says where, judges what
 * it read, and reads all of a log under the cap. `log` uses a cap of WLD_LOG_CAP (4 GiB),
 * too large to feed a test; the same code runs with a small one here. And the reader's two
 * threads (src/log/logpipe.c) judge a log as the serial reader (wld_logscan_feed) does:
 * every fixture log, and one larger than the ring of blocks, with lines the first stage
 * keeps apart (a shell prompt's raw line, a line cut at WLD_LOG_LINE_KEEP). */
/* cmocka.h needs these first */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
// clang-format on

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "wld/log_cmd.h"
#include "wld/logdiag.h"
#include "wld/rules.h"

#include "../../src/log/logfacts_impl.h"

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

static char *report_text(struct wld_log_report *r)
{
    cJSON *j = wld_log_report_json(r);
    char *t = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    wld_log_report_free(r);
    return t;
}

/* The serial reader's report on file, fed in pieces of 4093 bytes (a prime: lines and
 * UTF-16 units split across pieces). */
static char *serial_report(const char *file)
{
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    struct wld_logscan *s = wld_logscan_new(rules);
    char buf[4093];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        wld_logscan_feed(s, buf, n);
    fclose(f);
    wld_logscan_finish(s);
    struct wld_log_report *r = wld_log_diagnose(s, rules, file, NULL);
    wld_logscan_free(s);
    return report_text(r);
}

static void same_as_serial(const char *file)
{
    struct wld_log_report *r = NULL;
    char *err = NULL;
    assert_int_equal(wld_log_read(file, rules, NULL, WLD_LOG_CAP, &r, &err), 0);
    char *piped = report_text(r), *serial = serial_report(file);
    if (strcmp(piped, serial) != 0)
        fail_msg("%s: the two-thread reader's report differs from the serial one's", file);
    free(piped);
    free(serial);
}

static void two_threads_judge_each_fixture_log_as_one(void **st)
{
    (void) st;
    DIR *d = opendir(FIXTURES "/../logs");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".log") != 0)
            continue;
        char file[512];
        snprintf(file, sizeof(file), "%s/../logs/%s", FIXTURES, e->d_name);
        same_as_serial(file);
        n++;
    }
    closedir(d);
    assert_true(n > 100);
}

/* Every fixture log after the other, three times (2.3 MB: many rings of blocks), with a
 * shell prompt's line and a line longer than the reader keeps between them, and the first
 * time lines dense with markers. */
static void two_threads_judge_a_large_log_as_one(void **st)
{
    (void) st;
    char big[64];
    snprintf(big, sizeof(big), "/tmp/wld-logread-big-XXXXXX");
    int fd = mkstemp(big);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    assert_non_null(out);
    int dense = 8 * 400; /* after the first eight logs */
    for (int round = 0; round < 3; round++) {
        DIR *d = opendir(FIXTURES "/../logs");
        assert_non_null(d);
        for (struct dirent *e; (e = readdir(d));) {
            size_t len = strlen(e->d_name);
            if (len < 5 || strcmp(e->d_name + len - 4, ".log") != 0)
                continue;
            char file[512], buf[8192];
            snprintf(file, sizeof(file), "%s/../logs/%s", FIXTURES, e->d_name);
            FILE *in = fopen(file, "rb");
            assert_non_null(in);
            size_t n;
            while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
                fwrite(buf, 1, n, out);
            fclose(in);
            fputs("\nuser@box:~/llama.cpp$ ./llama-server -m /models/x.gguf --api-key sk-1\n", out);
            for (int k = 0; k < 1200; k++)
                fputs("CUDA error 2 at ggml-cuda.cu:359: out of memory ", out);
            fputc('\n', out);
            /* blocks with more markers than a block holds before it goes to malloc */
            for (int k = 0; round == 0 && k < 400 && dense > 0; k++, dense--)
                fputs("ggml_cuda_init: found 1 CUDA devices: CUDA error: out of memory; "
                      "cudaMalloc failed: out of memory; CUDA0 model buffer size\n",
                      out);
        }
        closedir(d);
    }
    fclose(out);
    same_as_serial(big);
    unlink(big);
}

/* The extractors' numbers, read digit by digit, are the numbers strtod, strtol and sscanf
 * read: the same value, ending at the same byte, for plain numbers and for all the rest. */
static void numbers_read_as_the_c_library_reads_them(void **st)
{
    (void) st;
    static const char *const nums[] = {
        "9120.00 MiB",
        "0.5",
        "12282",
        "  3310.42,",
        "8.6, VMM",
        "1.",
        ".5",
        "-3.5",
        "+7",
        "1e3",
        "2E-2",
        "0x1f",
        "inf",
        "nan",
        "123456789012345.5",
        "0.1234567890123456789",
        "99999999999999999999",
        "007",
        "1.25e",
        "\t42 x",
        "abc",
        "",
        ".",
        "5.x",
        "0.1",
        "4503599627370497",
        "0.30000000000000004",
        "24563 MiB)",
        "1/1",
    };
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        const char *s = nums[i];
        char *e;
        double want = strtod(s, &e), got = -1;
        const char *end = wld_log_num_end(s, &got);
        if (e == s) {
            assert_null(end);
            continue;
        }
        assert_ptr_equal(end, e);
        if (want == want) /* nan is not equal to itself */
            assert_memory_equal(&got, &want, sizeof(got));
        long w = strtol(s, &e, 10);
        int n = 0;
        end = wld_log_int_end(s, &n);
        if (e == s || w < -1000000000L || w > 1000000000L) {
            assert_null(end);
            continue;
        }
        assert_ptr_equal(end, e);
        assert_int_equal(n, w);
    }
    /* every value a log prints with two decimals, to 100000.00, rounds as strtod rounds it */
    char buf[32];
    for (int v = 0; v <= 10000000; v += 7) {
        snprintf(buf, sizeof(buf), "%d.%02d", v / 100, v % 100);
        double got = -1;
        assert_non_null(wld_log_num_end(buf, &got));
        assert_true(got == strtod(buf, NULL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stops_at_its_cap_and_says_where),
        cmocka_unit_test(reads_all_of_a_log_under_the_cap),
        cmocka_unit_test(two_threads_judge_each_fixture_log_as_one),
        cmocka_unit_test(two_threads_judge_a_large_log_as_one),
        cmocka_unit_test(numbers_read_as_the_c_library_reads_them),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
