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

/* What service.systemd and `lint` judge alike (wld_unit_parse's unit, wld_unit_words). */
/* Whether a unit named name (NAME.service) is a model server's by its name. */
bool wld_unit_server_name(const char *name);
/* Whether the unit's ExecStart runs llama-server, llama-cli or ollama. */
bool wld_unit_server_command(const cJSON *unit);
/* ExecStart's program: its first word past the prefixes -@:+!, or NULL. Borrowed. */
const char *wld_unit_program(char **words);
/* The model an ExecStart's -m, --model or --model= names, or NULL. Borrowed. */
const char *wld_unit_model(char **words);
/* Whether Restart=restart (NULL: not set, "no") is one of the rules' restarting values. */
bool wld_unit_restarts(const char *restart, const cJSON *restarting);
/* Whether [Install] WantedBy=install (NULL: none) gives `systemctl enable` a target that
 * starts the unit: any for a system unit, default.target for a user unit (a user's
 * systemd starts no other). The rule service.systemd's not_enabled and lint's
 * not_installable share. */
bool wld_unit_install_starts(const char *install, bool user);
/* How to run systemctl for a unit of that scope: "systemctl --user" or "sudo systemctl". */
const char *wld_unit_systemctl(bool user);
/* Whether CUDA_VISIBLE_DEVICES=devices is one of the rules' values that hide every GPU. */
bool wld_unit_hides_gpu(const char *devices, const cJSON *hiding);

#endif
