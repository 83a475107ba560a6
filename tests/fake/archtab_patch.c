/* Writes an architecture table into the room a fake llama.cpp file keeps for it
 * (archtab_room.h): the names NUL-terminated one after another, as the compiler lays out
 * the strings of llama.cpp's LLM_ARCH_NAMES in .rodata, then "general.architecture" and
 * "%s.context_length", two of llama-arch.cpp's LLM_KV_NAMES, which a real table always has
 * beside it. The names are those rules/models.json (models.runtime's arch_first_build) says
 * llama.cpp had at the build asked for; test_archnames checks that data against the real
 * tables of builds 5091 and 9591 (tests/fixtures/archnames). A fake ollama also gets, in its
 * .gopclntab room, the Go function names of its own engine's packages, as a Go binary's
 * function name table holds them. The rooms are found by their markers, not through the
 * ELF headers, so this shares no code with the reader under test.
 * usage: archtab-patch FILE [archs=BUILD] [arch=NAME]... [go=PKG]...
 *   archs=BUILD   every name llama.cpp knew at build BUILD
 *   arch=NAME     one name more (a fork's or ollama's own patches: mllama, solar)
 *   go=PKG        ollama's engine package github.com/ollama/ollama/model/models/PKG */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archtab_room.h"

struct room {
    char *at, *end;
};

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    long size;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0) {
        rewind(f);
        data = malloc((size_t) size + 1);
        if (data && fread(data, 1, (size_t) size, f) == (size_t) size) {
            data[size] = '\0';
            *n = (size_t) size;
        } else {
            free(data);
            data = NULL;
        }
    }
    if (f)
        fclose(f);
    return data;
}

static int find_room(unsigned char *data, size_t n, const char *marker, size_t size, struct room *r)
{
    size_t m = strlen(marker);
    for (size_t i = 0; i + size <= n; i++)
        if (memcmp(data + i, marker, m) == 0) {
            r->at = (char *) data + i;
            r->end = r->at + size;
            memset(r->at, 0, size);
            return 0;
        }
    return -1;
}

static int put(struct room *r, const char *s)
{
    size_t len = strlen(s) + 1;
    if (r->at + len > r->end - 1) { /* the room ends in a NUL, as a section's strings do */
        fprintf(stderr, "archtab-patch: no room left for '%s'\n", s);
        return -1;
    }
    memcpy(r->at, s, len);
    r->at += len;
    return 0;
}

/* The names of llama.cpp's table at build, from the rules. */
static int put_build(struct room *r, long build)
{
    size_t n = 0;
    char *text = (char *) slurp(RULES_JSON, &n);
    cJSON *rules = text ? cJSON_Parse(text) : NULL;
    free(text);
    const cJSON *first = archtab_first_builds(rules);
    const cJSON *name;
    int rc = cJSON_IsObject(first) ? 0 : -1, count = 0;
    cJSON_ArrayForEach(name, first)
    {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(name, "build");
        if (rc == 0 && cJSON_IsNumber(b) && b->valuedouble <= (double) build) {
            rc = put(r, name->string);
            count++;
        }
    }
    cJSON_Delete(rules);
    if (rc < 0 || count == 0)
        fprintf(stderr, "archtab-patch: no names for build %ld in %s\n", build, RULES_JSON);
    return rc < 0 || count == 0 ? -1 : 0;
}

static int put_go(struct room *r, const char *pkg)
{
    static const char *const funcs[] = { "New", "(*Model).Forward", "init.0" };
    char s[256];
    for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
        snprintf(s, sizeof(s), "github.com/ollama/ollama/model/models/%s.%s", pkg, funcs[i]);
        if (put(r, s) < 0)
            return -1;
    }
    return 0;
}

static int patch(unsigned char *data, size_t n, int argc, char **argv)
{
    struct room tab, go = { 0 };
    if (find_room(data, n, ARCHTAB_MARKER, ARCHTAB_ROOM, &tab) < 0) {
        fprintf(stderr, "archtab-patch: %s has no architecture table room\n", argv[1]);
        return -1;
    }
    int rc = 0;
    for (int a = 2; a < argc && rc == 0; a++) {
        const char *w = argv[a];
        if (strncmp(w, "archs=", 6) == 0)
            rc = put_build(&tab, strtol(w + 6, NULL, 10));
        else if (strncmp(w, "arch=", 5) == 0)
            rc = put(&tab, w + 5);
        else if (strncmp(w, "go=", 3) == 0 && !go.at &&
                 find_room(data, n, GOPCLNTAB_MARKER, GOPCLNTAB_ROOM, &go) < 0)
            rc = -1, fprintf(stderr, "archtab-patch: %s has no .gopclntab room\n", argv[1]);
        else if (strncmp(w, "go=", 3) == 0)
            rc = put_go(&go, w + 3);
        else
            rc = -1, fprintf(stderr, "archtab-patch: unknown setting '%s'\n", w);
    }
    if (rc == 0 && (put(&tab, "general.architecture") < 0 || put(&tab, "%s.context_length") < 0))
        rc = -1;
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: archtab-patch FILE [archs=BUILD] [arch=NAME]... [go=PKG]...\n");
        return 2;
    }
    size_t n = 0;
    unsigned char *data = slurp(argv[1], &n);
    if (!data)
        return perror(argv[1]), 1;
    int rc = patch(data, n, argc, argv);
    FILE *f = rc == 0 ? fopen(argv[1], "r+b") : NULL;
    if (rc == 0 && (!f || fwrite(data, 1, n, f) != n))
        rc = -1, perror(argv[1]);
    if (f && fclose(f) != 0)
        rc = -1, perror(argv[1]);
    free(data);
    return rc == 0 ? 0 : 1;
}
