#!/usr/bin/env python3
"""Facts in, verdict out (issue 15): each tests/checks/<id>/<name>.json holds a check's
facts (and those of the checks it reads), the options it is judged with, and the verdict
a user must see: status, outcome, summary and fix. The doctor judges them through the
users' own door, `--facts REPORT.json --only ID`, with no host at all.

usage: run.py DOCTOR CASES_DIR
  WLD_UPDATE_GOLDEN=1 rewrites each case's expected summary and fix from the doctor
  (its status and outcome stay as written: review the diff).
Fails when a case's verdict differs, and when an outcome of the rules has no case."""
import json
import os
import subprocess
import sys
import tempfile

doctor, cases_dir = sys.argv[1:3]
update = os.environ.get("WLD_UPDATE_GOLDEN") == "1"
rules = json.loads(subprocess.run([doctor, "rules"], capture_output=True, check=True).stdout)
failures = []
covered = {}
n = 0

with tempfile.TemporaryDirectory() as tmp:
    for check in sorted(os.listdir(cases_dir)):
        d = os.path.join(cases_dir, check)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if not name.endswith(".json"):
                continue
            path = os.path.join(d, name)
            case = json.load(open(path))
            facts = case["facts"]
            report = {
                "schema": "wsl-llm-doctor/report@1",
                "checks": [{"id": check, "evidence": facts.get(check, {}), "derived": []}],
                "gathered": {k: v for k, v in facts.items() if k != check},
            }
            saved = os.path.join(tmp, "report.json")
            json.dump(report, open(saved, "w"))
            run = subprocess.run(
                [doctor, "--facts", saved, "--only", check, "--format", "json"]
                + case.get("options", []),
                capture_output=True,
            )
            n += 1
            if run.returncode not in (0, 1):
                failures.append(f"{path}: exit {run.returncode}: {run.stderr.decode()[:300]}")
                continue
            got = json.loads(run.stdout)["checks"][0]
            want = case["expect"]
            covered.setdefault(check, set()).add(got["outcome"])
            if update and got["outcome"] == want["outcome"] and got["status"] == want["status"]:
                if (got["summary"], got["fix"]) != (want.get("summary"), want.get("fix")):
                    want["summary"], want["fix"] = got["summary"], got["fix"]
                    with open(path, "w") as f:
                        json.dump(case, f, indent=1, ensure_ascii=False)
                        f.write("\n")
                continue
            for k in ("status", "outcome", "summary", "fix"):
                if got.get(k) != want.get(k):
                    failures.append(f"{path}: {k}\n  expected: {want.get(k)!r}\n  actual:   {got.get(k)!r}")

for check, c in rules["checks"].items():
    for outcome in c.get("outcomes", {}):
        if outcome not in covered.get(check, set()):
            failures.append(f"{check}: outcome {outcome} has no case in {cases_dir}/{check}/")

print("\n".join(failures))
print(f"checks: {n} cases, {sum(len(v) for v in covered.values())} outcomes judged, "
      f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
