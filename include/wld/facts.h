/* A saved JSON report as facts to judge again (`--facts REPORT.json`): a report pasted in
 * a bug thread is judged under the rules in force now, without the host. */
#ifndef WLD_FACTS_H
#define WLD_FACTS_H

#include <cjson/cJSON.h>

/* Reads the wsl-llm-doctor/report@1 document at path (a file, or a pipe read for at most
 * timeout_ms; at most 64 MiB; wld_read_named_file)
 * and returns {"facts": {ID: {...}}, "reported": [ID...]}: each reported check's evidence
 * without what evaluate() derived, and the facts of the checks only gathered for them
 * ("gathered"); reported lists the checks the report judged. Returns 0, or -errno with
 * *err a line that says what the file is instead (caller frees). */
int wld_facts_load(const char *path, double timeout_ms, cJSON **ret, char **err);

#endif
