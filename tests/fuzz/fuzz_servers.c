/* Server discovery (src/inventory/servers.c) and secret scrubbing (src/base/secrets.c) on hostile
 * /proc files: the input, split at its first three NUL bytes, is a fixture host's /proc/net/tcp,
 * /proc/net/tcp6 and /proc/PID/stat of a process named llama-server, and the rest its
 * /proc/PID/cmdline (NUL bytes and all); its fd 3 is a socket. The same bytes are then
 * scrubbed of secrets, which never changes their length. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wld/host.h"
#include "wld/secrets.h"
#include "wld/servers.h"

static void put(const char *dir, const char *name, const uint8_t *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (n && fwrite(data, 1, n, f) != n)
        abort();
    fclose(f);
}

/* The next piece up to a NUL (or the end): its length; *data and *size move past it. */
static size_t piece(const uint8_t **data, size_t *size, const uint8_t **start)
{
    const uint8_t *nul = memchr(*data, 0, *size);
    size_t n = nul ? (size_t) (nul - *data) : *size;
    *start = *data;
    *data += n + (nul != NULL);
    *size -= n + (nul != NULL);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[] = "/tmp/fuzz-servers-XXXXXX";
    static bool made;
    if (!made) {
        if (!mkdtemp(dir))
            abort();
        static const char *const dirs[] = { "proc", "proc/net", "proc/4242", "proc/4242/fd" };
        char path[256];
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
            mkdir(path, 0700);
        }
        put(dir, "proc/4242/comm", (const uint8_t *) "llama-server\n", 13);
        snprintf(path, sizeof(path), "%s/proc/4242/fd/3", dir);
        if (symlink("socket:[12345]", path) < 0)
            abort();
        made = true;
    }
    const uint8_t *orig = data, *p;
    size_t orig_size = size, n;
    n = piece(&data, &size, &p);
    put(dir, "proc/net/tcp", p, n);
    n = piece(&data, &size, &p);
    put(dir, "proc/net/tcp6", p, n);
    n = piece(&data, &size, &p);
    put(dir, "proc/4242/stat", p, n);
    put(dir, "proc/4242/cmdline", data, size);

    struct wld_host *h = NULL;
    if (wld_host_new_fixture(dir, &h) == 0) {
        cJSON *v = cJSON_CreateObject();
        wld_servers_find(h, v);
        char *s = cJSON_PrintUnformatted(v);
        free(s);
        cJSON_Delete(v);
        wld_host_free(h);
    }

    char *copy = malloc(orig_size + 1);
    memcpy(copy, orig, orig_size);
    copy[orig_size] = '\0';
    wld_secrets_scrub(copy, orig_size);
    if (copy[orig_size] != '\0')
        abort();
    wld_secrets_scrub_str(copy);
    free(copy);
    return 0;
}
