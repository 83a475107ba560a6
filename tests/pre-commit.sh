#!/bin/sh
# .pre-commit-hooks.yaml as pre-commit itself runs it (issue 32), with the doctor under test
# on PATH as the installed `wsl-llm-doctor` (the hook is `language: system`):
# - `pre-commit try-repo` on a scratch git copy of the hooks file: tests/lint/repo's bad
#   files fail the run with their findings printed, its good files pass
# - docs/ci.md's .pre-commit-config.yaml, as printed there (only `repo:` pointed at the
#   scratch copy, tagged with the rev it names), installed as a git hook: a commit of a
#   good .wslconfig goes through, a commit of a bad one is refused with the finding
# - the hook's `files:` pattern picks exactly the files lint judges by name (lint -v's
#   walk of the same names says which)
# Exit 77 (skipped) without pre-commit or git.
# usage: pre-commit.sh DOCTOR SRCDIR
doctor=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2
command -v pre-commit >/dev/null || { echo "skip: pre-commit is not installed (apt-get install pre-commit)"; exit 77; }
command -v git >/dev/null || { echo "skip: no git"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
export PRE_COMMIT_HOME="$tmp/cache" GIT_CONFIG_NOSYSTEM=1 HOME="$tmp/home"
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
mkdir -p "$tmp/bin" "$HOME"
ln -s "$doctor" "$tmp/bin/wsl-llm-doctor"
PATH="$tmp/bin:$PATH"
git config --global init.defaultBranch main
git config --global protocol.file.allow always

# the hook repository: this tree's hooks file, committed and tagged with the docs' rev
rev=$(sed -n '/<!-- tested by tests\/pre-commit.sh -->/,/^```$/s/^ *rev: *//p' "$src/docs/ci.md")
[ -n "$rev" ] || { echo "FAIL: no rev: in docs/ci.md's pre-commit config"; exit 1; }
mkdir "$tmp/hooks"
cp "$src/.pre-commit-hooks.yaml" "$tmp/hooks/"
(cd "$tmp/hooks" && git init -q && git add . && git commit -q -m hooks && git tag "$rev") ||
    { echo "FAIL: cannot make the scratch hook repository"; exit 1; }

# a dotfiles repository holding files: try-repo runs the hook on all of them
repo() { # repo DIR SUBDIR...: a git repository DIR of tests/lint/repo's SUBDIRs, staged
    mkdir "$1"
    d=$1
    shift
    for s in "$@"; do cp -R "$src/tests/lint/repo/$s" "$d/"; done
    (cd "$d" && git init -q && git add -A)
}
repo "$tmp/both" bad good
(cd "$tmp/both" && pre-commit try-repo "$tmp/hooks" wsl-llm-doctor-lint --all-files) >"$tmp/both.out" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "try-repo on bad files: exit $rc, expected 1: $(tail -c 1500 "$tmp/both.out")"
grep -q '^wsl-llm-doctor lint\.*Failed$' "$tmp/both.out" || fail "try-repo: the hook did not fail: $(tail -c 800 "$tmp/both.out")"
grep -q '^bad/\.wslconfig:2:8: warn: memory=8gb is not a size WSL accepts .*\[wsl\.wslconfig/bad_size\]$' "$tmp/both.out" ||
    fail "try-repo: the bad_size finding is not printed: $(tail -c 1500 "$tmp/both.out")"
grep -q '^    fix: Write the size as digits' "$tmp/both.out" || fail "try-repo: no fix printed"
grep -q '^bad/wsl\.conf:5:9: fail: ' "$tmp/both.out" || fail "try-repo: the wsl.conf finding is not printed"
grep -q '^good/[^ ]*: \(warn\|fail\):' "$tmp/both.out" && fail "try-repo: a good file has a finding: $(grep '^good/' "$tmp/both.out")"
repo "$tmp/good" good
(cd "$tmp/good" && pre-commit try-repo "$tmp/hooks" wsl-llm-doctor-lint --all-files) >"$tmp/good.out" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "try-repo on good files: exit $rc: $(tail -c 1500 "$tmp/good.out")"
grep -q '^wsl-llm-doctor lint\.*Passed$' "$tmp/good.out" || fail "try-repo on good files: not Passed: $(tail -c 800 "$tmp/good.out")"

# docs/ci.md's config, installed as the pre-commit git hook of a dotfiles repository
mkdir "$tmp/dots"
sed -n '/<!-- tested by tests\/pre-commit.sh -->/,/^```$/p' "$src/docs/ci.md" | sed '1,2d;$d' |
    sed "s|^\( *- repo: \)https://github.com/wsl-llm-doctor/wsl-llm-doctor\$|\1$tmp/hooks|" >"$tmp/dots/.pre-commit-config.yaml"
grep -q "repo: $tmp/hooks\$" "$tmp/dots/.pre-commit-config.yaml" ||
    fail "docs/ci.md's config does not name the project's repository: $(cat "$tmp/dots/.pre-commit-config.yaml")"
(cd "$tmp/dots" && git init -q && pre-commit install && git add -A && git commit -q -m config) >/dev/null 2>&1 ||
    fail "pre-commit install or the first commit failed"
cp "$src/tests/lint/repo/good/.wslconfig" "$tmp/dots/.wslconfig"
(cd "$tmp/dots" && git add .wslconfig && git commit -q -m good) >"$tmp/commit-good.out" 2>&1 ||
    fail "the commit of a good .wslconfig was refused: $(tail -c 1500 "$tmp/commit-good.out")"
cp "$src/tests/lint/repo/bad/.wslconfig" "$tmp/dots/.wslconfig"
(cd "$tmp/dots" && git add .wslconfig && git commit -q -m bad) >"$tmp/commit-bad.out" 2>&1 &&
    fail "the commit of a bad .wslconfig went through"
grep -q '^\.wslconfig:2:8: warn: memory=8gb is not a size WSL accepts .*\[wsl\.wslconfig/bad_size\]$' "$tmp/commit-bad.out" ||
    fail "the refused commit does not print the finding: $(tail -c 1500 "$tmp/commit-bad.out")"
[ "$(cd "$tmp/dots" && git rev-list --count HEAD)" = 2 ] || fail "the bad commit was made"

# files: the hook's pattern against lint's own choice, on the same names
mkdir -p "$tmp/names/cdi" "$tmp/names/x.service.d" "$tmp/names/etc/cdi"
for n in .wslconfig wslconfig work.wslconfig .wslconfig.laptop wslconfig.md wslconfig.ps1 \
    wsl.conf ubuntu.wsl.conf wsl.conf.example wsl.conf.md wsl.conf.sh llama-server.service \
    x.service.d/override.conf x.service.d/notes.txt daemon.json rootless.daemon.json \
    daemon.json.example daemon.json.md compose.yaml compose.yml docker-compose.yml \
    docker-compose.yaml compose.gpu.yaml docker-compose.nvidia.yml compose.yaml.example \
    compose.yaml.md compose.json cdi/nvidia.yaml cdi/nvidia.json etc/cdi/a.yml cdi/readme.md \
    nvidia.yaml nvidia-gpu.yml nvidia.json service.conf README.md; do
    printf 'cdiVersion: 0.5.0\nkind: nvidia.com/gpu\n' >"$tmp/names/$n"
done
"$doctor" lint -v --format json "$tmp/names" >"$tmp/names.json" 2>/dev/null
python3 - "$src/.pre-commit-hooks.yaml" "$tmp/names" "$tmp/names.json" >"$tmp/names.out" 2>&1 <<'EOF' ||
import json, os, re, sys
hooks = open(sys.argv[1]).read()
# the pattern is the block scalar after `files: &...|`, indented by 4
block = hooks.split("files: &wld_files |\n", 1)[1]
lines = []
for l in block.split("\n"):
    if not l.startswith("    "):
        break
    lines.append(l[4:])
pattern = re.compile("\n".join(lines))
root = sys.argv[2]
names = sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)
report = json.load(open(sys.argv[3]))
linted = {os.path.relpath(os.path.join(root, f["path"]) if not os.path.isabs(f["path"]) else f["path"], root)
          for f in report["files"]}
bad = [(n, bool(pattern.search(n)), n in linted) for n in names if bool(pattern.search(n)) != (n in linted)]
for n, hook, lint in bad:
    print("%s: the hook %s it, lint %s it" % (n, "takes" if hook else "leaves", "judges" if lint else "skips"))
sys.exit(1 if bad or len(linted) < 20 else 0)
EOF
    fail "files: the hook's pattern and lint's walk disagree: $(cat "$tmp/names.out")"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "pre-commit: the hook fails bad files with their findings, passes good ones, and picks what lint judges"
