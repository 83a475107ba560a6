#!/usr/bin/env python3
"""Score `wsl-llm-doctor log` on the held-out logs (tests/logs-heldout).

usage: heldout.py BIN DIR [--min-recall X] [--timeout S]

DIR/cases.json lists the cases: each names a log in DIR, the check that covers the cause the
thread established (`expected_check`, null for a healthy log) and the status that cause calls for
(`expected_status`: fail or warn). The logs were collected from public threads that were not used
to write the rules; the expectations were set from the checks' meaning before the doctor was run
on them, and must not be changed to match its output.

Measures, over every case:
  recall     = cases with an expected cause whose expected_check has a problem finding
               (for expected_status fail: a fail finding on that check) / cases with a cause
  precision  = problem findings (warn/fail) on the expected check / all problem findings
  false fails = fail findings on a healthy log or on another check than the expected one
Prints a line per case and the totals; exits 1 when recall < --min-recall, 2 on a usage error.
Standard library only.
"""
import argparse
import json
import os
import subprocess
import sys

PROBLEM = ("warn", "fail")


def run_doctor(binary, path, timeout):
    """Return (findings, error) for one log."""
    try:
        proc = subprocess.run([binary, "log", path, "--format", "json"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [], "could not run: %s" % exc
    try:
        doc = json.loads(proc.stdout.decode("utf-8", "replace"))
    except ValueError:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        return [], "no JSON (exit %d) %s" % (proc.returncode, tail[0][:120])
    findings = doc.get("findings") or []
    return [f for f in findings if isinstance(f, dict)], None


def score(cases, directory, binary, timeout):
    rows = []
    totals = {"cases": 0, "with_cause": 0, "hits": 0, "problems": 0, "matching": 0,
              "false_fails": 0, "false_fail_cases": 0, "healthy": 0, "healthy_clean": 0,
              "errors": 0}
    for case in cases:
        totals["cases"] += 1
        expected = case.get("expected_check")
        want = case.get("expected_status")
        findings, error = run_doctor(binary, os.path.join(directory, case["log"]), timeout)
        if error:
            totals["errors"] += 1
        problems = [f for f in findings if f.get("status") in PROBLEM]
        matching = [f for f in problems if expected and f.get("check") == expected]
        false_fails = [f for f in findings if f.get("status") == "fail"
                       and (expected is None or f.get("check") != expected)]
        totals["problems"] += len(problems)
        totals["matching"] += len(matching)
        totals["false_fails"] += len(false_fails)
        if false_fails:
            totals["false_fail_cases"] += 1
        if expected is None:
            totals["healthy"] += 1
            hit = None
            if not [f for f in findings if f.get("status") == "fail"]:
                totals["healthy_clean"] += 1
        else:
            totals["with_cause"] += 1
            if want == "fail":
                hit = any(f.get("status") == "fail" for f in matching)
            else:
                hit = bool(matching)
            if hit:
                totals["hits"] += 1
        said = ", ".join("%s:%s" % (f.get("check"), f.get("status")) for f in problems)
        rows.append((case["log"], expected, want, hit, said or "-", error))
    return rows, totals


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("directory")
    ap.add_argument("--min-recall", type=float, default=0.0)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    try:
        with open(os.path.join(args.directory, "cases.json"), encoding="utf-8") as fh:
            cases = json.load(fh)["cases"]
    except (OSError, ValueError, KeyError) as exc:
        print("heldout: cannot read cases.json: %s" % exc, file=sys.stderr)
        return 2
    rows, t = score(cases, args.directory, args.binary, args.timeout)

    width = max(len(r[0]) for r in rows) if rows else 10
    print("%-*s  %-28s %-4s  %s" % (width, "log", "expected", "ok", "problem findings"))
    for log, expected, want, hit, said, error in rows:
        exp = "%s:%s" % (expected, want) if expected else "(healthy)"
        mark = "-" if hit is None else ("yes" if hit else "MISS")
        print("%-*s  %-28s %-4s  %s%s" % (width, log, exp, mark, said,
                                          "  [%s]" % error if error else ""))

    recall = t["hits"] / t["with_cause"] if t["with_cause"] else 1.0
    precision = t["matching"] / t["problems"] if t["problems"] else 1.0
    print()
    print("cases: %d (%d with a cause, %d healthy)" % (t["cases"], t["with_cause"], t["healthy"]))
    print("recall: %d/%d = %.3f" % (t["hits"], t["with_cause"], recall))
    print("precision: %d/%d problem findings on the expected check = %.3f"
          % (t["matching"], t["problems"], precision))
    print("false fails: %d fail findings in %d cases (healthy logs without a fail: %d/%d)"
          % (t["false_fails"], t["false_fail_cases"], t["healthy_clean"], t["healthy"]))
    if t["errors"]:
        print("errors: %d logs gave no JSON" % t["errors"])
    if recall < args.min_recall:
        print("heldout: recall %.3f is below --min-recall %.3f" % (recall, args.min_recall),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
