/* Between the error-code matcher (errcodes.c) and its reading of a line's words
 * (errcodes_words.c). */
#ifndef WLD_ERRCODES_IMPL_H
#define WLD_ERRCODES_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "wld/logcodes.h"
#include "wld/util.h"

#define MAX_WORDS 96

struct ctx_word {
    size_t start, end;
    int api;
    bool call;
};

struct line_words {
    struct ctx_word w[MAX_WORDS];
    int n;
    bool has[WLD_API_COUNT];
};

/* A line's words, read when a shape first needs them: most lines that name an API hold no
 * number in a code's shape, and reading their words was half of the matching. */
struct words_once {
    const char *s;
    size_t n;
    bool read;
    struct line_words lw;
};

/* Letters, digits and '_' */
static inline bool wld_code_word_char(char c)
{
    return (wld_bytes[(unsigned char) c] & (WLD_ALNUM | WLD_UNDERSCORE)) != 0;
}
/* The line's words, read on the first call. */
const struct line_words *wld_code_words(struct words_once *z);
/* The API word nearest before offset at, or NULL. */
const struct ctx_word *wld_code_word_before(const struct line_words *lw, size_t at);

#endif
