/* A fake llama-server for fixture hosts: a real ELF executable, linked like a llama.cpp
 * build (DT_NEEDED libggml.so, RUNPATH $ORIGIN), so the doctor inspects it as it would a
 * real one, and running it replays recorded output. tests/tools/stage-hosts.sh puts it
 * over each fixture file that starts with "#!fake llama" and keeps that text beside it
 * as FILE.fake, which this program reads (found through /proc/self/exe). Lines:
 *   out: TEXT     a line for stdout      err: TEXT   a line for stderr
 *   exit=N        exit status (default 0)
 *   signal=N      raise signal N after the output (a crash)
 *   sleep=S       sleep S seconds there (a hang; what came before is flushed first)
 *   ver: TEXT     with --version, only these lines are printed (to stderr, as llama.cpp
 *                 prints its version); a fake without them replays the rest for --version
 * The output is replayed for any other arguments. When the file $WLD_ROOT.commands exists
 * (tests/commands.sh), the run appends "llama-server ARGS" to it, as the fixture's shell
 * commands do, so a test can count the commands a run executed.
 *
 * Built three ways: llama-server linked to libggml.so (a static libllama, the table in the
 * binary); FAKE_LLAMA_SHARED, linked to libllama.so and libggml.so as a BUILD_SHARED_LIBS
 * build is; FAKE_OLLAMA, an ollama binary (llama.cpp linked in, no ggml library needed,
 * and a .gopclntab for its Go engine's function names). Each keeps a room for the
 * architecture table a fixture asks for with archs=BUILD (archtab_room.h). */
#define _DEFAULT_SOURCE /* readlink */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "archtab_room.h"

#if defined(FAKE_OLLAMA)
GOPCLNTAB_ROOM_DEFINE();
#    define LINKED() 0
#elif defined(FAKE_LLAMA_SHARED)
int llama_fake_version(void); /* from the fake libllama.so */
int ggml_fake_version(void);
#    define LINKED() (llama_fake_version() + ggml_fake_version())
#else
int ggml_fake_version(void); /* from the fake libggml.so: keeps DT_NEEDED honest */
#    define LINKED() ggml_fake_version()
#endif
#if !defined(FAKE_LLAMA_SHARED)
ARCHTAB_ROOM_DEFINE();
#endif

static void log_command(int argc, char **argv)
{
    const char *root = getenv("WLD_ROOT");
    char path[4200];
    if (!root || snprintf(path, sizeof(path), "%s.commands", root) >= (int) sizeof(path) ||
        access(path, F_OK) != 0)
        return;
    FILE *log = fopen(path, "a");
    if (!log)
        return;
    const char *slash = strrchr(argv[0], '/');
    fputs(slash ? slash + 1 : argv[0], log);
    for (int i = 1; i < argc; i++)
        fprintf(log, " %s", argv[i]);
    fputc('\n', log);
    fclose(log);
}

/* --version: the "ver: " lines only, when the fake has any. */
static int print_version(FILE *f)
{
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, "ver: ", 5) == 0) {
            fputs(line + 5, stderr);
            found = 1;
        }
    rewind(f);
    return found;
}

int main(int argc, char **argv)
{
    char self[4096], path[4200], line[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0)
        return 120;
    self[n] = '\0';
    log_command(argc, argv);
    snprintf(path, sizeof(path), "%s.fake", self);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "fake llama: no %s\n", path);
        return 121;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0 && print_version(f)) {
        fclose(f);
        return 0;
    }
    int status = 0, sig = 0;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "out: ", 5) == 0)
            fputs(line + 5, stdout);
        else if (strncmp(line, "err: ", 5) == 0)
            fputs(line + 5, stderr);
        else if (strncmp(line, "exit=", 5) == 0)
            status = atoi(line + 5);
        else if (strncmp(line, "signal=", 7) == 0)
            sig = atoi(line + 7);
        else if (strncmp(line, "sleep=", 6) == 0 && fflush(stdout) == 0)
            sleep((unsigned) atoi(line + 6));
    }
    fclose(f);
    fflush(stdout);
    fflush(stderr);
    if (sig) {
        signal(sig, SIG_DFL); /* a sanitizer's handler would turn the crash into an exit */
        raise(sig);
    }
    return status + 0 * LINKED();
}
