#!/bin/sh
# action.yml (issue 32), run as a runner runs a composite action: its steps in order
# (tests/tools/run_action.py), from a clean copy of this tree as the action's folder, with
# the inputs of docs/ci.md's workflow (whose other `uses:` must be pinned majors), a scratch
# RUNNER_TEMP that outlives a run as the cache would, and `sudo` running its command when
# there is none (CI runs as root).
# - docs' inputs on tests/lint/repo: the build runs, the annotations are
#   tests/lint/expected.github, the job fails (exit 1), SARIF is written and handed to
#   upload-sarif; once the bad files are gone, the job passes and the cached build is used
# - command: check judges a saved JSON report with --facts: exit 0 for a healthy host's,
#   1 for a failing host's; a wrong command is exit 2
# Exit 77 (skipped) when SRCDIR is not a git checkout or PYTHON has no yaml module.
# usage: action.sh SRCDIR PYTHON HOSTS DOCTOR
src=$1 py=$2 hosts=$3 doctor=$4
[ -e "$src/.git" ] || { echo "skip: $src is not a git checkout (the action's folder is a clean copy)"; exit 77; }
"$py" -c 'import yaml' 2>/dev/null || { echo "skip: $py has no yaml module (python3-yaml)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

mkdir -p "$tmp/action" "$tmp/runner" "$tmp/bin"
(cd "$src" && git ls-files -co --exclude-standard -z | xargs -0 tar -c 2>/dev/null) | tar -x -C "$tmp/action" ||
    { echo "FAIL: cannot copy the tree"; exit 1; }
command -v sudo >/dev/null || { printf '#!/bin/sh\nexec "$@"\n' >"$tmp/bin/sudo"; chmod +x "$tmp/bin/sudo"; }

# the workflow in docs/ci.md: pinned majors, and the inputs it gives the action
"$py" - "$src/docs/ci.md" >"$tmp/inputs" <<'EOF' || { echo "FAIL: docs/ci.md's workflow: $(cat "$tmp/inputs")"; exit 1; }
import re, sys, yaml
text = open(sys.argv[1]).read()
block = text.split("<!-- tested by tests/action.sh -->", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
wf = yaml.safe_load(block)
ours = []
for job in wf["jobs"].values():
    for step in job["steps"]:
        uses = step.get("uses", "")
        assert re.match(r"^[\w.-]+/[\w./-]+@v\d+$", uses), "a step not pinned to a major version: %s" % step
        if uses.startswith("wsl-llm-doctor/wsl-llm-doctor@"):
            ours.append(step)
assert len(ours) == 1, "%d steps use the action" % len(ours)
for k, v in ours[0].get("with", {}).items():
    print("%s=%s" % (k, str(v).lower() if isinstance(v, bool) else v))
EOF
run() { # run NAME WORKSPACE INPUT...: the action's job; its status is the job's
    name=$1 ws=$2
    shift 2
    PATH="$tmp/bin:$PATH" GITHUB_STEP_SUMMARY="$tmp/$name.summary" \
        "$py" "$src/tests/tools/run_action.py" "$tmp/action" "$ws" "$tmp/runner" "$tmp/$name" "$@"
}
step_out() { # step_out NAME STEP-NAME-PREFIX: that run step's stdout
    n=$("$py" -c 'import json,sys; print([s["n"] for s in json.load(open(sys.argv[1])) if s["kind"] == "run" and s["name"].startswith(sys.argv[2])][0])' \
        "$tmp/$1/job.json" "$2" 2>/dev/null)
    [ -n "$n" ] && cat "$tmp/$1/$n.out"
}

cp -R "$src/tests/lint/repo" "$tmp/ws"
run docs "$tmp/ws" "@$tmp/inputs"
rc=$?
[ $rc -eq 1 ] || fail "docs' inputs on the fixture repository: exit $rc, expected 1: $(tail -c 1500 "$tmp"/docs/*.err)"
step_out docs Build | grep -q '^wsl-llm-doctor [0-9]' || fail "the build step printed no version: $(tail -c 1500 "$tmp"/docs/*.err)"
grep -q 'Build files have been written' "$tmp"/docs/*.out || fail "the first run did not build"
step_out docs "Run wsl-llm-doctor lint" >"$tmp/docs.gh"
diff -u "$src/tests/lint/expected.github" "$tmp/docs.gh" >"$tmp/diff" ||
    fail "annotations differ from tests/lint/expected.github: $(head -c 2000 "$tmp/diff")"
grep -q '^### wsl-llm-doctor lint$' "$tmp/docs.summary" || fail "no step summary"
"$py" - "$tmp/docs/job.json" "$tmp/ws" <<'EOF' || fail "SARIF, upload-sarif or the exit-code output"
import json, os, sys
job = json.load(open(sys.argv[1]))
up = [s for s in job if s["kind"] == "uses" and s["uses"].startswith("github/codeql-action/upload-sarif@")]
assert up and up[0]["if"], "upload-sarif is not run for sarif: true"
sarif = os.path.join(sys.argv[2], up[0]["with"]["sarif_file"])
doc = json.load(open(sarif))
assert doc["version"] == "2.1.0" and doc["runs"][0]["results"], "no SARIF results in " + sarif
run = [s for s in job if s["kind"] == "run" and s["name"].startswith("Run wsl-llm-doctor")][0]
assert run["outputs"] == {"exit-code": "1"}, run["outputs"]
assert job[-1]["kind"] == "run" and job[-1]["rc"] == 1, job[-1]
EOF

# the same runner again: the cached build, and clean files pass
rm -rf "$tmp/ws/bad"
run clean "$tmp/ws" "@$tmp/inputs"
rc=$?
[ $rc -eq 0 ] || fail "good files: exit $rc: $(tail -c 1500 "$tmp"/clean/*.out)"
grep -q 'Build files have been written' "$tmp"/clean/*.out && fail "the second run built again instead of using the cache"
grep -q '"if": false' "$tmp/clean/job.json" && fail "upload-sarif skipped on the second run"

# command: check on saved reports
mkdir -p "$tmp/reports"
"$doctor" --root "$hosts/wsl2-healthy" --format json --output "$tmp/reports/healthy.json" >/dev/null
"$doctor" --root "$hosts/wsl1" --format json --output "$tmp/reports/wsl1.json" >/dev/null
run healthy "$tmp/reports" command=check paths=healthy.json
rc=$?
[ $rc -eq 0 ] || fail "check --facts on a healthy host's report: exit $rc: $(tail -c 1500 "$tmp"/healthy/*.out)"
run wsl1 "$tmp/reports" command=check paths=wsl1.json format=text
rc=$?
[ $rc -eq 1 ] || fail "check --facts on wsl1's report: exit $rc, expected 1"
step_out wsl1 "Run wsl-llm-doctor check" | grep -q '^FAIL  *wsl\.platform ' || fail "check --facts: wsl.platform's fail is not printed"
run wrong "$tmp/reports" command=fix
rc=$?
[ $rc -eq 2 ] || fail "command=fix: exit $rc, expected 2"
grep -q '::error title=wsl-llm-doctor::command is lint or check' "$tmp"/wrong/*.out || fail "command=fix: no error annotation"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "action: built, cached, lint and check --facts gate the job as docs/ci.md shows"
