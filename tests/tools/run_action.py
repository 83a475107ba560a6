#!/usr/bin/env python3
"""Runs a composite action's steps (action.yml) in order as a runner does, for tests/action.sh.

Each `run:` step runs with `bash -e` (the `shell: bash` of a runner: `bash --noprofile
--norc -eo pipefail`) in the workspace, its `env:` and script with `${{ inputs.X }}`,
`${{ github.action_path }}`, `${{ runner.temp }}` and `${{ steps.ID.outputs.K }}` filled in,
and a GITHUB_OUTPUT file of its own whose lines become the step's outputs. A `uses:` step is
not run: its action must be pinned to a major version (`owner/name@vN`), and it is listed
with its `with:` and whether its `if:` holds, so the test can check what it would have
been given. The first failing `run:` step ends the job, as on a runner.

usage: run_action.py ACTION_DIR WORKSPACE RUNNER_TEMP OUT_DIR [NAME=VALUE | @FILE...]  (the inputs;
a FILE holds one NAME=VALUE a line)
Writes OUT_DIR/N.out and N.err per step and OUT_DIR/job.json: each step's kind, name, exit
status, outputs (run) or uses, with and if (uses). Exits with the job's status.
"""
import json
import os
import re
import subprocess
import sys

import yaml

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
PINNED = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@v[0-9]+$")


def main():
    action_dir, ws, runner_temp, out = sys.argv[1:5]
    pairs = []
    for a in sys.argv[5:]:
        pairs += open(a[1:]).read().splitlines() if a.startswith("@") else [a]
    given = dict(p.split("=", 1) for p in pairs if p)
    action = yaml.safe_load(open(os.path.join(action_dir, "action.yml")))
    assert action["runs"]["using"] == "composite", action["runs"]["using"]
    declared = action.get("inputs", {})
    unknown = set(given) - set(declared)
    assert not unknown, "inputs the action does not declare: %s" % sorted(unknown)
    inputs = {k: str(v.get("default", "")) for k, v in declared.items()}
    inputs.update(given)
    outputs = {}

    def value(expr):
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        if expr == "github.action_path":
            return action_dir
        if expr == "runner.temp":
            return runner_temp
        m = re.match(r"^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$", expr)
        if m:
            return outputs.get(m.group(1), {}).get(m.group(2), "")
        raise ValueError("an expression the test runner does not know: " + expr)

    def fill(text):
        return EXPR.sub(lambda m: value(m.group(1)), str(text))

    def holds(cond):
        if cond is None:
            return True
        m = re.match(r"^inputs\.([A-Za-z0-9_-]+) == '([^']*)'$", cond.strip())
        if not m:
            raise ValueError("an if: the test runner does not know: " + cond)
        return inputs[m.group(1)] == m.group(2)

    os.makedirs(out, exist_ok=True)
    job, rc = [], 0
    for n, step in enumerate(action["runs"]["steps"], 1):
        if "uses" in step:
            assert PINNED.match(step["uses"]), "not pinned to a major version: " + step["uses"]
            job.append({"kind": "uses", "uses": step["uses"], "if": holds(step.get("if")),
                        "with": {k: fill(v) for k, v in step.get("with", {}).items()}})
            continue
        assert step.get("shell") == "bash", "a composite run step needs shell: bash"
        assert holds(step.get("if")), "a run step's if: is not handled here"
        env = dict(os.environ)
        env.update({k: fill(v) for k, v in step.get("env", {}).items()})
        ghout = os.path.join(out, "%d.github_output" % n)
        open(ghout, "w").close()
        env.update(GITHUB_OUTPUT=ghout, RUNNER_TEMP=runner_temp, GITHUB_ACTION_PATH=action_dir)
        with open(os.path.join(out, "%d.out" % n), "w") as so, open(os.path.join(out, "%d.err" % n), "w") as se:
            rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", fill(step["run"])],
                                 cwd=ws, env=env, stdout=so, stderr=se, stdin=subprocess.DEVNULL)
        outs = dict(l.split("=", 1) for l in open(ghout).read().splitlines() if "=" in l)
        if "id" in step:
            outputs[step["id"]] = outs
        job.append({"kind": "run", "n": n, "name": fill(step.get("name", "")), "rc": rc, "outputs": outs})
        if rc != 0:
            break
    json.dump(job, open(os.path.join(out, "job.json"), "w"), indent=1)
    return rc


if __name__ == "__main__":
    sys.exit(main())
