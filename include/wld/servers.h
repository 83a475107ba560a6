/* The model servers running on a host: llama-server and `ollama serve` processes, found in
 * /proc and kept only when they are the user's and they listen.
 *
 * - Never the doctor's own: a process of the doctor's tree (its parent chain reaches the
 *   doctor) or started after the doctor began (its start time in /proc/PID/stat is later)
 *   is not a server of this host; llama.devices' own `llama-server --list-devices` is
 *   such a process.
 * - A server is where it listens: the TCP sockets it owns (/proc/net/tcp and tcp6 in LISTEN
 *   state whose inodes are among /proc/PID/fd), not a port assumed from its flags. Where
 *   the process's fds cannot be read (another user's service), the port its flags or
 *   environment name (or the default) counts only when some socket listens on it.
 *
 * Other processes' command lines are never read: a process is looked at further only when
 * its name (/proc/PID/comm) is llama-server or ollama. What is kept of a command line is
 * what the doctor judges (port, host, model, models dir, context, alias, whether an API key
 * is set), never a key. */
#ifndef WLD_SERVERS_H
#define WLD_SERVERS_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* At most this many server processes are kept. */
#define WLD_SERVERS_MAX 16

/* Fills v: "servers" [{pid, ppid, kind "llama-server"|"ollama", exe (what /proc/PID/exe
 * names, when readable), args {host, port, model, models_dir, alias, ctx, api_key (true when
 * a key is set: never the key)}, listens [{addr, port}], listen_error (an errno name: the
 * fds could not be read), url (http://ADDR:PORT, a loopback address for a wildcard; absent
 * when it listens nowhere), router_pid (the llama-server router that started it)}], and
 * "ignored" [{pid, why "own" | "started_after"}] for the processes left out. */
void wld_servers_find(const struct wld_host *h, cJSON *v);

#endif
