/* Redaction: personal values out of what users paste into public threads (markdown,
 * --redact) and out of recordings (`record DIR`).
 *
 * A redactor first learns the values to hide: the Linux and Windows user names, the
 * hostname, a home that does not name its user, GPU UUIDs, serial numbers, and the value
 * of every environment variable not on the allowlist. Each value gets a stable token
 * ("alice" is "user1" everywhere in one report or recording) of the SAME length, so a
 * redacted path still names the recorded file, and a redacted binary (an ELF RUNPATH) keeps
 * its offsets. Matching ignores ASCII case and needs a non-alphanumeric byte (or the edge)
 * on both sides, so "alice" is found in "/home/alice/" but not in "malice". */
#ifndef WLD_REDACT_H
#define WLD_REDACT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "wld/host.h"

enum wld_redact_kind {
    WLD_REDACT_USER,    /* Linux user name */
    WLD_REDACT_WINUSER, /* Windows user name (/mnt/c/Users/NAME) */
    WLD_REDACT_HOST,    /* hostname */
    WLD_REDACT_HOME,    /* a home directory that does not name its user */
    WLD_REDACT_UUID,    /* GPU-/MIG- UUIDs and bare 8-4-4-4-12 UUIDs */
    WLD_REDACT_SERIAL,  /* board serial numbers */
    WLD_REDACT_ENV,     /* an environment value not on the allowlist */
};
#define WLD_REDACT_KINDS 7

/* Values shorter than this are never redacted: they would hit ordinary words. */
#define WLD_REDACT_MIN_LEN 3

struct wld_redactor;

struct wld_redactor *wld_redactor_new(void);
void wld_redactor_free(struct wld_redactor *r);

/* Adds one value; ignored when too short, a system name ("root", "Public"), or already
 * known (then the first kind keeps it). */
void wld_redactor_add(struct wld_redactor *r, enum wld_redact_kind kind, const char *value);
/* Learns the host's personal values: $USER/$LOGNAME/$SUDO_USER, the home, the hostname
 * (kernel, /etc/hostname, $HOSTNAME, $NAME), the Windows users under /mnt/c/Users and
 * $USERPROFILE, and every environment value not on the allowlist. */
void wld_redactor_learn_host(struct wld_redactor *r, const struct wld_host *h);
/* Learns from text: the NAME in /home/NAME/, /Users/NAME/, \Users\NAME\, UUIDs, and
 * "Serial Number: X". n bytes of s (NUL bytes allowed). */
void wld_redactor_learn_text(struct wld_redactor *r, const char *s, size_t n);
/* learn_text on every string in item, and members named like "uuid" or "serial". */
void wld_redactor_learn_json(struct wld_redactor *r, const cJSON *item);

/* Replaces every known value and every UUID in buf, in place (lengths never change);
 * an ASCII value also where buf holds it as UTF-16LE (wsl.exe's output to a pipe).
 * Returns how many replacements were made. Safe to call from several threads once
 * learning is over. */
size_t wld_redact_bytes(const struct wld_redactor *r, char *buf, size_t n);
/* wld_redact_bytes on a NUL-terminated string. */
size_t wld_redact_str(const struct wld_redactor *r, char *s);
/* Redacts every string and object key in item. */
void wld_redact_json(const struct wld_redactor *r, cJSON *item);

/* Whether an environment variable's value may be shown as it is. */
bool wld_redact_env_allowed(const char *key);

/* "1 Linux user name, 1 hostname, 2 GPU UUIDs" for the kinds that were learned, or NULL
 * when there were none; caller frees. */
char *wld_redactor_summary(const struct wld_redactor *r);
/* Kinds learned as a JSON object {"user": 1, ...}; caller deletes. */
cJSON *wld_redactor_kinds_json(const struct wld_redactor *r);

#endif
