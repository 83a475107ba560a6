#!/usr/bin/env python3
"""report_diff.py A.json B.json: exits 1 and prints the differences when two reports of
the doctor (--format json) would tell a user different things: exit code, and each
check's status, summary, fix and evidence. Timings are left out: they differ run to run."""
import json
import sys

TIMING = {"ms", "duration_ms", "read_ms", "h2d_ms", "d2h_ms"}


def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in TIMING}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x


def main():
    a, b = (json.load(open(p)) for p in sys.argv[1:3])
    bad = []
    if a["exit_code"] != b["exit_code"]:
        bad.append(f"exit code {a['exit_code']} != {b['exit_code']}")
    if [c["id"] for c in a["checks"]] != [c["id"] for c in b["checks"]]:
        bad.append("not the same checks")
    for x, y in zip(a["checks"], b["checks"]):
        for k in ("status", "summary", "fix"):
            if x[k] != y[k]:
                bad.append(f"{x['id']} {k}:\n  {x[k]}\n  {y[k]}")
        ex, ey = strip(x["evidence"]), strip(y["evidence"])
        for k in sorted(set(ex) | set(ey)):
            if ex.get(k) != ey.get(k):
                bad.append(f"{x['id']} evidence.{k}:\n  {json.dumps(ex.get(k))[:400]}\n"
                           f"  {json.dumps(ey.get(k))[:400]}")
    for line in bad:
        print(line)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
