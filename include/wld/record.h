/* Record and replay: `wsl-llm-doctor record DIR` writes what the probes saw as a fixture
 * tree (docs/fixtures.md), so `wsl-llm-doctor --root DIR` shows a maintainer the same
 * report, now and under newer rules.
 *
 * The recorder is a layer over the host (struct wld_host_layer): set as host->layer, it
 * is told every path the checks looked at, every byte range they read, every directory
 * they listed, every device they probed, every environment variable they asked for and
 * every command they ran; the host does not know that it records. Afterwards wld_recorder_write()
 * rebuilds that much of the host under DIR, redacted:
 *   - a file read is written back at the same offsets, in a sparse file of the real size
 *     (a 4 GB model costs its header), or cut where the read met its end (/proc, /sys);
 *   - a path only looked at is an empty sparse file of the same size and mode;
 *   - symlinks are symlinks, directories directories, device nodes stand-ins;
 *   - each command is DIR/.doctor/commands/KEY, a script that prints what it printed and
 *     ends as it ended (exit status, signal, or a hang past the deadline). KEY is the
 *     hash of its argument vector in host paths, which is how a replay finds it;
 *   - DIR/.doctor/env holds the variables read plus those on the allowlist;
 *   - DIR/.doctor/recording.json says what was recorded, when, by which version, and
 *     what kinds of values were redacted. */
#ifndef WLD_RECORD_H
#define WLD_RECORD_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "wld/host.h"

struct wld_recorder;
struct wld_redactor;
struct wld_device;
struct wld_proc_result;

struct wld_recorder *wld_recorder_new(void);
void wld_recorder_free(struct wld_recorder *rec);

/* The recorder as a host layer: set it as host->layer for the run. Owned by rec. */
const struct wld_host_layer *wld_recorder_layer(struct wld_recorder *rec);

/* Teaches red every personal value in what was recorded (paths, data, output). */
void wld_recorder_learn(const struct wld_recorder *rec, struct wld_redactor *red);

/* Writes the recording under dir (which must not exist, or be empty), reading file
 * metadata and symlinks from src, with every path, byte and output passed through red
 * (NULL: no redaction). meta is stored in recording.json (borrowed). Returns 0, or -errno
 * with *err naming what failed (caller frees). */
int wld_recorder_write(const struct wld_recorder *rec,
                       const struct wld_host *src,
                       const struct wld_redactor *red,
                       const char *dir,
                       const cJSON *meta,
                       char **err);

/* What was recorded: {"files": N, "directories": N, "commands": N, "bytes": N}. */
cJSON *wld_recorder_stats(const struct wld_recorder *rec);

/* `record DIR`'s end (src/record/record_cmd.c): rep redacted with red (NULL: not redacted) and
 * red taught what the recording holds, the recording written to o->record_dir with its
 * metadata, and on stderr what was kept and the command that replays it (--root DIR and
 * every option that chose what was checked, paths made absolute, a compose file taken
 * from the cwd named). Returns 0, or -errno after saying why on stderr. */
struct wld_options;
struct wld_report;
int wld_record_finish(const struct wld_options *o,
                      struct wld_host *host,
                      struct wld_recorder *rec,
                      struct wld_report *rep,
                      struct wld_redactor *red);

#endif
