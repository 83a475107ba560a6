/* Writes a fatbinary into the room a fake libggml-cuda.so keeps for it (fake_ggml.c),
 * laid out as nvcc lays it out (../shared/reference/fatbin.md): one container, one 64-byte
 * entry header per architecture (kind 2 = cubin, 1 = PTX; sm at byte 28; PTX ISA version
 * at bytes 24-27), each with an 8-byte payload. The room is found by its marker, not
 * through the ELF headers, so this does not share code with the reader under test.
 * usage: fatbin-patch FILE ARCH...   (ARCH: sm_86 | compute_89 | compute_75@8.5 for a
 * PTX ISA version; default ISA 8.0) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOM   16384
#define MARKER "WLD-FAKE-FATBIN-ROOM-16384\n"

static void put(unsigned char *p, unsigned long long v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char) (v >> (8 * i));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: fatbin-patch FILE ARCH...\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r+b");
    if (!f || fseek(f, 0, SEEK_END) != 0)
        return perror(argv[1]), 1;
    long size = ftell(f);
    unsigned char *data = malloc((size_t) size);
    rewind(f);
    if (!data || fread(data, 1, (size_t) size, f) != (size_t) size)
        return perror(argv[1]), 1;
    unsigned char *room = NULL;
    for (long i = 0; i + (long) strlen(MARKER) <= size; i++)
        if (memcmp(data + i, MARKER, strlen(MARKER)) == 0) {
            room = data + i;
            break;
        }
    if (!room || room + ROOM > data + size) {
        fprintf(stderr, "fatbin-patch: %s has no fatbinary room\n", argv[1]);
        return 1;
    }
    unsigned char buf[ROOM];
    memset(buf, 0, sizeof(buf));
    size_t n = 16;
    for (int a = 2; a < argc && n + 72 <= sizeof(buf); a++) {
        unsigned sm = 0, isa_major = 8, isa_minor = 0;
        int ptx = strncmp(argv[a], "compute_", 8) == 0;
        if (sscanf(argv[a] + (ptx ? 8 : 3), "%u@%u.%u", &sm, &isa_major, &isa_minor) < 1 ||
            (!ptx && strncmp(argv[a], "sm_", 3) != 0)) {
            fprintf(stderr, "fatbin-patch: bad architecture '%s'\n", argv[a]);
            return 2;
        }
        unsigned char *e = buf + n;
        put(e, ptx ? 1 : 2, 2);
        put(e + 2, 0x0101, 2);
        put(e + 4, 64, 4);
        put(e + 8, 8, 8);
        put(e + 16, 8, 4);
        put(e + 24, ptx ? isa_minor : 8, 2);
        put(e + 26, ptx ? isa_major : 1, 2);
        put(e + 28, sm, 4);
        put(e + 40, 0x11, 8); /* 64-bit, Linux */
        memset(e + 64, 0xcd, 8);
        n += 72;
    }
    put(buf, 0xBA55ED50u, 4);
    put(buf + 4, 1, 2);
    put(buf + 6, 16, 2);
    put(buf + 8, n - 16, 8);
    memcpy(room, buf, sizeof(buf));
    rewind(f);
    if (fwrite(data, 1, (size_t) size, f) != (size_t) size || fclose(f) != 0)
        return perror(argv[1]), 1;
    free(data);
    return 0;
}
