/* Reading a WSL configuration file (.wslconfig or /etc/wsl.conf) into facts, with WSL's
 * own parsing rules (wld_ini_parse): read_error (an errno name), or encoding,
 * wsl_readable, entries [{line, section, key, value}], skipped_lines [{line, code, text}]
 * and cut {cap_bytes, line | parse_line} when the file was larger than the doctor reads
 * (1 MiB) or keeps. */
#ifndef WLD_WSLFILE_H
#define WLD_WSLFILE_H

#include <cjson/cJSON.h>

#include "wld/host.h"

void wld_wsl_file_read(const struct wld_host *h, const char *path, cJSON *facts);
/* The same facts from a file's first n bytes (truncated: the file goes on past them). An
 * entry whose value used a \b, \n or \t escape says which in control_escape ("\t"). */
void wld_wsl_file_parse(const char *data, size_t n, bool truncated, cJSON *facts);

/* The first [section] key entry of facts from wld_wsl_file_read() (WSL takes the first of
 * duplicated keys; names match without case), or NULL. For /etc/wsl.conf, also NULL when
 * the file is not plain UTF-8: WSL's init reads bytes and would not see the setting. */
const cJSON *wld_wsl_entry(const cJSON *file, const char *section, const char *key);

/* The [gpu] enabled=false entry of a wsl.conf's facts that turns the GPU off (the first
 * [gpu] enabled, as WSL takes it, when it is false), whatever the file's encoding, or
 * NULL: the one rule wsl.wsl-conf and lint judge gpu_disabled by. */
const cJSON *wld_wsl_gpu_disabled(const cJSON *wsl_conf);

/* A boolean setting as WSL reads it: 1 for true/1, 0 for false/0 (case aside), -1 for
 * anything else or NULL. */
int wld_wsl_bool(const char *value);

/* Where WSL mounts the Windows drives: /etc/wsl.conf's [automount] root (the facts
 * wld_wsl_file_read() made of it, NULL or unreadable: the default), ending in '/'
 * ("/mnt/", "/"). Caller frees. */
char *wld_wsl_drive_root(const cJSON *wsl_conf);
/* A Windows path ("C:\Users\alice") as WSL mounts it under root ("/mnt/c/Users/alice");
 * NULL when it is not a drive path. Caller frees. */
char *wld_wsl_windows_path(const char *root, const char *win);

#endif
