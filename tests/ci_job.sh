#!/bin/sh
# docs/ci.md's GitHub Actions job for a dotfiles repository, run step by step as a runner
# would: the job's `uses: actions/checkout` is a copy of the fixture repository
# tests/lint/repo, WLD_REPO is this source tree's git repository (a clean clone of it, as
# the job clones the project), RUNNER_TEMP and GITHUB_STEP_SUMMARY are scratch paths, and
# `sudo` runs its command when there is no sudo (CI runs as root). The build step must
# succeed; the lint step must exit 1 with tests/lint/expected.github's annotations, and
# exit 0 once the bad files are gone. Exit 77 (skipped) when SRCDIR is not a git checkout.
# usage: ci_job.sh SRCDIR PYTHON
src=$1 py=$2
[ -e "$src/.git" ] || { echo "skip: $src is not a git checkout (the job clones one)"; exit 77; }
command -v git >/dev/null || { echo "skip: no git"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# the job's steps, from the yaml block after the marker: one file per `run:`, with its env
"$py" - "$src/docs/ci.md" "$tmp/steps" <<'PY' || { echo "FAIL: cannot read the job in docs/ci.md"; exit 1; }
import os, re, sys
text = open(sys.argv[1]).read()
start = text.index("<!-- tested by tests/ci_job.sh -->")
block = text[start:].split("```yaml\n", 1)[1].split("```", 1)[0]
lines = block.split("\n")
steps, cur, i = [], None, 0
while i < len(lines):
    l = lines[i]
    m = re.match(r"^( *)- (uses|name|run): ?(.*)$", l)
    if m:
        cur = {"uses": None, "env": {}, "run": None}
        steps.append(cur)
        l = " " * (len(m.group(1)) + 2) + m.group(2) + ": " + m.group(3)
    m = re.match(r"^( *)(uses|run|env): ?(.*)$", l)
    if m and cur is not None:
        ind, key, val = len(m.group(1)), m.group(2), m.group(3)
        body = []
        if val in ("|", "") and key in ("run", "env"):
            i += 1
            while i < len(lines) and (lines[i].strip() == "" or len(lines[i]) - len(lines[i].lstrip()) > ind):
                body.append(lines[i][ind + 2:])
                i += 1
            i -= 1
        if key == "uses":
            cur["uses"] = val
        elif key == "run":
            cur["run"] = "\n".join(body) if body else val
        else:
            for b in body:
                k, v = b.strip().split(": ", 1)
                cur["env"][k] = v
    i += 1
os.makedirs(sys.argv[2])
n = 0
for s in steps:
    if s["uses"]:
        assert s["uses"].startswith("actions/checkout@"), "a step uses " + s["uses"]
        continue
    n += 1
    with open(os.path.join(sys.argv[2], "%d.sh" % n), "w") as f:
        for k, v in s["env"].items():
            f.write("export %s=%s\n" % (k, v))
        f.write(s["run"] + "\n")
assert n == 2, "%d run steps" % n
PY

# the runner: the checkout, a scratch RUNNER_TEMP, this tree as the project's repository
mkdir -p "$tmp/runner" "$tmp/bin"
cp -R "$src/tests/lint/repo" "$tmp/ws"
command -v sudo >/dev/null || { printf '#!/bin/sh\nexec "$@"\n' >"$tmp/bin/sudo"; chmod +x "$tmp/bin/sudo"; }
run_step() { # N: runs step N in the workspace as GitHub does (bash -e), the clone from here
    (cd "$tmp/ws" && PATH="$tmp/bin:$PATH" RUNNER_TEMP="$tmp/runner" GITHUB_STEP_SUMMARY="$tmp/summary.md" \
        bash -e -c "$(sed "s|^export WLD_REPO=.*|export WLD_REPO=file://$src|" "$tmp/steps/$1.sh")")
}
run_step 1 >"$tmp/build.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { echo "FAIL: the build step: exit $rc"; tail -n 30 "$tmp/build.out"; exit 1; }
grep -q '^wsl-llm-doctor ' "$tmp/build.out" || fail "build step: no version printed: $(tail -3 "$tmp/build.out")"
run_step 2 >"$tmp/lint.gh" 2>"$tmp/lint.err"
rc=$?
[ $rc -eq 1 ] || fail "lint step: exit $rc, expected 1 on the bad files: $(cat "$tmp/lint.err")"
diff -u "$src/tests/lint/expected.github" "$tmp/lint.gh" >"$tmp/diff" ||
    fail "lint step: annotations differ from tests/lint/expected.github: $(head -c 2000 "$tmp/diff")"
grep -q '^### wsl-llm-doctor lint$' "$tmp/summary.md" || fail "lint step: no step summary"
rm -rf "$tmp/ws/bad"
run_step 2 >"$tmp/lint2.gh" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "lint step on good files: exit $rc: $(cat "$tmp/lint2.gh")"
[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "ci job: build and lint steps ran as docs/ci.md has them"
