#!/usr/bin/env python3
"""Pasted logs in, findings out (issue 18): each tests/logs/*.log (a real paste, its thread
in cases.json, or a synthetic one that says what it is built from) through the users' own
door, `wsl-llm-doctor log FILE --format json`, must give the exit code and exactly the
findings cases.json lists: signature, check, status, with the key line among the finding's
lines. The corpus entries run against ../shared/corpus-sample when it is there.

usage: run.py DOCTOR LOGS_DIR [CORPUS_DIR]
A case's `facts` (dotted paths into the JSON's facts) must have the values it lists, and a
finding's `summary_has` must be in its summary, its `fix_has` in its fix.
Fails too when a llama.cpp generation of cases.json's `eras` has no log, when a signature
of the rules has no case (the host_* ones: tests/log.sh), when a text still holds a
{placeholder}, and when the JSON lacks what the log@1 schema promises."""
import json
import os
import re
import subprocess
import sys

import jsonschema  # Debian's python3-jsonschema, as tests/tools/validate_schema.py

doctor, logs_dir = sys.argv[1:3]
corpus_dir = sys.argv[3] if len(sys.argv) > 3 else None
spec = json.load(open(os.path.join(logs_dir, "cases.json"), encoding="utf-8"))
rules = json.loads(subprocess.run([doctor, "rules"], capture_output=True, check=True).stdout)
failures = []
covered = set()
placeholder = re.compile(r"\{[a-z_]+\}")
schema = json.load(open(os.path.join(os.path.dirname(os.path.abspath(logs_dir)), "..", "docs",
                                     "log.schema.json"), encoding="utf-8"))
jsonschema.Draft7Validator.check_schema(schema)


def check(path, case):
    name = case.get("log") or case.get("path")
    p = subprocess.run([doctor, "log", path, "--format", "json"], capture_output=True)
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        failures.append(f"{name}: not JSON (exit {p.returncode}): {p.stderr.decode()[:200]}")
        return
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as e:
        failures.append(f"{name}: not valid against docs/log.schema.json: {e.message}")
    if p.returncode != case["exit"]:
        failures.append(f"{name}: exit {p.returncode}, expected {case['exit']}")
    got = {(f["signature"], f["check"], f["status"]): f for f in doc.get("findings", [])}
    want = {(f["signature"], f["check"], f["status"]): f for f in case["findings"]}
    for k in sorted(set(want) - set(got)):
        failures.append(f"{name}: missing finding {k}; got {sorted(got)}")
    for k in sorted(set(got) - set(want)):
        failures.append(f"{name}: unexpected finding {k}: {got[k]['summary']}")
    for k, f in got.items():
        for field in ("check", "status", "summary", "fix", "lines", "signature", "sources"):
            if field not in f:
                failures.append(f"{name}: finding {k} has no {field}")
        if f["status"] in ("warn", "fail") and not f.get("fix"):
            failures.append(f"{name}: {k} has no fix")
        for text in (f.get("summary") or "", f.get("fix") or ""):
            if placeholder.search(text):
                failures.append(f"{name}: {k} left a placeholder: {text}")
        if k in want and want[k]["line"] not in f["lines"]:
            failures.append(f"{name}: {k}: key line {want[k]['line']} not in {f['lines']}")
        if k in want and want[k].get("summary_has", "") not in f["summary"]:
            failures.append(f"{name}: {k}: summary lacks {want[k]['summary_has']!r}: {f['summary']}")
        if k in want and want[k].get("fix_has", "") not in (f.get("fix") or ""):
            failures.append(f"{name}: {k}: fix lacks {want[k]['fix_has']!r}: {f.get('fix')}")
        if not f.get("sources"):
            failures.append(f"{name}: {k} cites no source")
    for path, value in case.get("facts", {}).items():
        v = doc.get("facts")
        for part in path.split("."):
            if isinstance(v, list) and part.isdigit() and int(part) < len(v):
                v = v[int(part)]
            elif isinstance(v, dict):
                v = v.get(part)
            else:
                v = None
        if v != value:
            failures.append(f"{name}: facts.{path} is {v!r}, expected {value!r}")
    return got


n = 0
for case in spec["cases"]:
    if not case.get("source"):
        failures.append(f"{case['log']}: no source in cases.json")
    got = check(os.path.join(logs_dir, case["log"]), case)
    covered.update(k[0] for k in (got or {}))
    n += 1

# a log of every llama.cpp generation, today's included
for era in spec["eras"]:
    if not any(c.get("era") == era for c in spec["cases"]):
        failures.append(f"era {era}: no log of it in tests/logs")
for c in spec["cases"]:
    if "era" in c and c["era"] not in spec["eras"]:
        failures.append(f"{c['log']}: era {c['era']} is not in cases.json's eras")

listed = {c["log"] for c in spec["cases"]}
for name in sorted(os.listdir(logs_dir)):
    if name.endswith(".log") and name not in listed:
        failures.append(f"{name}: not in cases.json")

host_claims = open(os.path.join(os.path.dirname(os.path.abspath(logs_dir)), "log.sh"),
                   encoding="utf-8").read()
for sig, s in rules["signatures"].items():
    if str(s.get("observe", "")).startswith("host_"):
        if sig not in host_claims:
            failures.append(f"signature {sig}: no test in tests/log.sh")
    elif sig not in covered:
        failures.append(f"signature {sig}: no log in tests/logs gives it")

m = 0
if corpus_dir and os.path.isdir(corpus_dir):
    for case in spec["corpus"]:
        path = os.path.join(corpus_dir, case["path"])
        if os.path.exists(path):
            check(path, case)
            m += 1

for f in failures:
    print("FAIL", f)
print(f"{n} logs, {m} corpus pastes, {len(rules['signatures'])} signatures: "
      f"{len(failures)} failure{'s' if len(failures) != 1 else ''}")
sys.exit(1 if failures else 0)
