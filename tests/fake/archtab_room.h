/* The room a fake llama.cpp file (fake_llama.c, fake_ggml.c) keeps in its .rodata for the
 * architecture table a fixture asks for, and the room a fake ollama keeps in its .gopclntab
 * for its engine's function names. tests/fake/archtab_patch.c finds each by its marker and
 * writes NUL-terminated strings over it; an unpatched room holds no table, as the fakes
 * never did. */
#ifndef WLD_FAKE_ARCHTAB_ROOM_H
#define WLD_FAKE_ARCHTAB_ROOM_H

#define ARCHTAB_ROOM     8192
#define ARCHTAB_MARKER   "WLD-FAKE-ARCHTAB-ROOM-8192\n"
#define GOPCLNTAB_ROOM   4096
#define GOPCLNTAB_MARKER "WLD-FAKE-GOPCLNTAB-ROOM-4096\n"

/* const and free of relocations: the compiler puts it in .rodata, as it puts the strings
 * of llama.cpp's LLM_ARCH_NAMES */
#define ARCHTAB_ROOM_DEFINE() \
    static __attribute__((used)) const char fake_archtab_room[ARCHTAB_ROOM] = ARCHTAB_MARKER

/* Go's function name table lives in .gopclntab (runtime/symtab.go's funcnametab) */
#define GOPCLNTAB_ROOM_DEFINE()                         \
    static __attribute__((section(".gopclntab"), used)) \
    const char fake_gopclntab_room[GOPCLNTAB_ROOM] = GOPCLNTAB_MARKER

#ifdef cJSON__h
/* The first llama.cpp build of each architecture name in rules/models.json's text (parsed
 * by the caller): {NAME: {"build": N, ...}}, or NULL. The fake tables are made from it and
 * test_archnames checks it against real ones. */
static inline const cJSON *archtab_first_builds(const cJSON *rules)
{
    static const char *const path[] = { "checks", "models.runtime", "params", "arch_first_build",
                                        "value" };
    for (size_t i = 0; rules && i < sizeof(path) / sizeof(path[0]); i++)
        rules = cJSON_GetObjectItemCaseSensitive(rules, path[i]);
    return rules;
}
#endif

#endif
