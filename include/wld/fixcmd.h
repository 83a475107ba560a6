/* The commands of a fix that a tool may offer to run as they stand (the JSON reports'
 * "fix_commands", like brew doctor's remediation.commands). A fix is prose with its
 * commands in code spans; a span is offered when every command in it (split at &&, ||,
 * ;, |) starts with a program this file knows (after sudo and VAR=value), leaves nothing
 * to fill in, and does nothing on the deny list: no reboot or shutdown, no `wsl` (a
 * Windows command; `wsl --shutdown` ends the session it runs in), nothing that deletes or
 * uninstalls (rm, dd, mkfs, apt remove, --force-reinstall, cp --remove-destination), no
 * script piped into a shell, and nothing that waits for a person (an editor, newgrp, a
 * login). sudo is allowed: the command is still shown to the user before it runs.
 * docs/report.md says the rule in words; the rule is C, not rules data, so that a
 * downloaded rules bundle cannot widen what is offered. */
#ifndef WLD_FIXCMD_H
#define WLD_FIXCMD_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* The commands of fix that are safe to run, in the order the fix gives them, each once;
 * an empty array for NULL or a fix without any. Caller deletes. */
cJSON *wld_fix_commands(const char *fix);

/* Whether one code span's text is such a command; when not, *why (static) says why. */
bool wld_fix_command_safe(const char *cmd, const char **why);

#endif
