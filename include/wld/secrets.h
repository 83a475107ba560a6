/* Secrets out of everything the doctor writes: a model server's API key (llama-server's
 * --api-key, LLAMA_API_KEY, an `api-key = ...` preset line, an Authorization or X-Api-Key
 * header, a bearer token), the password of a URL's user:password@, and the value of an
 * environment assignment named as a secret (HF_TOKEN=, OPENAI_API_KEY=, *_SECRET_*=,
 * *_PASSWORD=: a server's /proc/PID/environ, a unit's Environment=, a pasted log). Unlike redaction
 * (wld/redact.h), which hides personal values when asked and keeps them apart with tokens,
 * a secret is always replaced, in every format and every recording, by '*' of the same
 * length: nothing about it, not even which of two keys it was, is kept. Same length keeps
 * a recorded file's offsets and a command line's shape. */
#ifndef WLD_SECRETS_H
#define WLD_SECRETS_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Overwrites every secret value in n bytes of buf (NUL bytes allowed: a /proc cmdline or
 * environ block) with '*'. Returns how many values were hidden. Idempotent. */
size_t wld_secrets_scrub(char *buf, size_t n);
/* wld_secrets_scrub on a NUL-terminated string. */
size_t wld_secrets_scrub_str(char *s);
/* Every string in item, recursively; in an array of words (an argv, ExecStart's words)
 * also the word after "--api-key", and the string value of a member named like a secret
 * ("api_key", "password", "token", "authorization"). Returns how many were hidden. */
size_t wld_secrets_scrub_json(cJSON *item);

#endif
