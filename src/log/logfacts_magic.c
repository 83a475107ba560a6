/* Files the log names by what they are (issue 31): a loader's error that quotes a file's
 * first bytes, in whatever shape the loader prints them, named with the doctor's own file
 * kinds (wld/filekind.h, as for model files on the host), and a line quoting such a file's
 * own text:
 *   gguf_init_from_file: invalid magic number 67676a74                        (llama.cpp 2023)
 *   gguf_init_from_file_impl: invalid magic characters: 'vers', expected 'GGUF'
 *   gguf_init_from_file: invalid magic characters 'tjgg'                      (August 2023)
 *   error loading model: unknown (magic, version) combination: 46554747, 00000003; is this
 *     really a GGML file?                                            (llama.cpp before GGUF)
 *   invalid model file '...' (bad magic [got 0x67676d66 want 0x67676a74])      (April 2023)
 *   version https://git-lfs.github.com/spec/v1                (a git-lfs pointer's content)
 *   <!DOCTYPE html>                                      (a web page saved as the model)
 * The first file the log names so is kept. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "wld/filekind.h"

#include "logfacts_impl.h"

static void note_file(struct wld_log_facts *f, const struct wld_file_magic *m, long no)
{
    if (f->file_kind || !m->kind)
        return;
    f->file_kind = m->kind;
    f->file_format = m->format;
    for (int i = 0; i < 4; i++)
        f->file_magic[i] = isprint(m->bytes[i]) ? (char) m->bytes[i] : '.';
    f->file_magic[4] = '\0';
    f->file_line = no;
}

/* The first magic quoted after p: a quoted string ('tjgg', "GGUF") or an unquoted number
 * in hex (67676a74, 0x67676d66); words between are skipped, a few at most. */
static bool quoted_magic(const char *p, const char *end, struct wld_file_magic *m)
{
    for (int words = 0; p < end && words < 8;) {
        if (*p == '\'' || *p == '"') {
            const char *q = memchr(p + 1, *p, (size_t) (end - p - 1));
            if (!q)
                return false;
            words++;
            if (q - p - 1 <= 24 && wld_file_kind_magic(p + 1, (size_t) (q - p - 1), m) == 0)
                return true;
            p = q + 1;
        } else if (isalnum((unsigned char) *p)) {
            const char *q = p;
            while (q < end && isalnum((unsigned char) *q))
                q++;
            words++;
            if (q - p >= 8 && q - p <= 10 && wld_file_kind_magic(p, (size_t) (q - p), m) == 0)
                return true;
            p = q;
        } else {
            p++;
        }
    }
    return false;
}

WLD_LOG_EXTRACTOR(wld_logx_magic)
{
    struct wld_file_magic m;
    if (!f->file_kind && quoted_magic(l->at, l->s + l->len, &m))
        note_file(f, &m, l->no);
}

WLD_LOG_EXTRACTOR(wld_logx_lfs_text)
{
    const struct wld_file_magic m = { { 'v', 'e', 'r', 's' },
                                      "git_lfs_pointer",
                                      "git-lfs pointer" };
    note_file(f, &m, l->no);
}

WLD_LOG_EXTRACTOR(wld_logx_html_text)
{
    const struct wld_file_magic m = { { '<', 'h', 't', 'm' }, "html", "HTML" };
    note_file(f, &m, l->no);
}
