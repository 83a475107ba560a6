/* The model servers' systemd units on a host, read as files (systemctl may be absent, or
 * hang without systemd): llama-server, llama.cpp and ollama units, system-wide
 * (/etc/systemd/system, then the vendor directories) and the user's
 * (~/.config/systemd/user), found by name (llama, ollama) or, where people write their own
 * units, by the program ExecStart runs; each with its drop-ins (NAME.service.d/ *.conf,
 * applied in order) and the targets whose .wants directory enables it. */
#ifndef WLD_SERVICES_H
#define WLD_SERVICES_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* Fills v: systemd {pid1, run_systemd_system} (whether systemd is PID 1 and booted the
 * system), and units [{name, scope "system"|"user", path, dropins [paths], wanted_by
 * [targets], exec and exec_exists (what ExecStart runs), model and model_exists (its -m),
 * unit {section: {key: [values]}} (wld_unit_parse), problems [{file, line, code, text}]}],
 * at most 64. The llama.cpp binary and the models a unit names are found by
 * wld_llama_locate and wld_models_find too, so each is inspected once. */
void wld_services_find(const struct wld_host *h, cJSON *v);

#endif
