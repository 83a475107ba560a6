#!/bin/sh
# check --for PROJECT (issue 32): the markdown each project's bug template asks for.
#   1. golden files: every --for on two fixture hosts (tests/golden/issue/HOST.PROJECT.md),
#      durations and versions blanked; WLD_UPDATE_GOLDEN=1 rewrites them (review the diff);
#   2. secrets and user names are redacted, as --format markdown redacts;
#   3. a report far over GitHub's limit is cut under 65,536 characters: evidence is left
#      out and the cut said, every finding kept;
#   4. --for with another --format is a usage error; alone it writes markdown.
# usage: issue.sh DOCTOR HOSTS GOLDEN_DIR PYTHON
set -u
doctor=$1 hosts=$2 golden=$3 python=${4:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*" >&2; fail=1; }

# what changes from run to run, or release to release, or with the compiler that built
# the fixture hosts' programs (how many bytes of a fake llama-server were scanned)
normalize() {
    sed -E -e 's/("(ms|read_ms|scanned)":[[:space:]]*)[0-9.]+/\1N/' \
        -e 's/`wsl-llm-doctor [^`]*` · rules [^ ]*/`wsl-llm-doctor VERSION` · rules RULES/'
}

for host in wsl2-personal wsl2-ollama-cuda-v12-v13; do
    for project in llama.cpp ollama llama-cpp-python; do
        want=$golden/$host.$project.md
        "$doctor" --root "$hosts/$host" --for "$project" >"$tmp/out.md"
        code=$?
        [ $code -le 1 ] || bad "$host --for $project: exit $code"
        normalize <"$tmp/out.md" >"$tmp/got.md"
        if [ "${WLD_UPDATE_GOLDEN:-}" = 1 ]; then
            cp "$tmp/got.md" "$want"
        elif ! diff -u "$want" "$tmp/got.md" >"$tmp/diff"; then
            bad "$host --for $project differs from $want:"
            head -40 "$tmp/diff" >&2
        fi
        if grep -q -e alice -e ghp_Zx81 -e sk-local-9f8e "$tmp/out.md"; then
            bad "$host --for $project: a user name or a secret is not redacted"
        fi
    done
done

# 3. far over the limit: 23 checks' evidence of 12 KB each
"$doctor" --root "$hosts/wsl2-personal" --format json >"$tmp/report.json"
"$python" - "$tmp/report.json" "$tmp/huge.json" <<'PY' || bad "could not make a huge report"
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["checks"]:
    c["evidence"]["padding"] = "x" * 12000
json.dump(d, open(sys.argv[2], "w"))
PY
"$doctor" --facts "$tmp/huge.json" --for llama.cpp --no-redact >"$tmp/huge.md"
"$python" - "$tmp/huge.json" "$tmp/huge.md" <<'PY' || bad "a huge report is not cut as it should be"
import json, re, sys
report = json.load(open(sys.argv[1]))
md = open(sys.argv[2], encoding="utf-8").read()
assert len(md) < 65536, f"{len(md)} characters"
assert "Cut to stay under GitHub's 65536-character limit" in md, "the cut is not said"
for c in report["checks"]:  # every finding is in the table, whole
    assert f"| `{c['id']}` | " in md, c["id"]
    first = re.split(r"[_*<>&|\\\[\]~`]", c["summary"])[0][:30]
    assert first in md, c["summary"]
assert md.rstrip().endswith("</details>")
PY

# 4. the command line
"$doctor" --root "$hosts/wsl2-personal" --for ollama --format json >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || bad "--for with --format json: not a usage error"
grep -q -- "--for fills a bug template in markdown" "$tmp/err" || bad "--for/--format: $(cat "$tmp/err")"
"$doctor" --root "$hosts/wsl2-personal" --for ollama --format markdown | grep -q '^### Ollama version$' ||
    bad "--for with --format markdown"
"$doctor" --root "$hosts/wsl2-personal" --for nope >/dev/null 2>&1
[ $? -eq 2 ] || bad "--for nope: not a usage error"
"$doctor" log --for ollama /dev/null >/dev/null 2>&1
[ $? -eq 2 ] || bad "log --for: not a usage error"

[ $fail -eq 0 ] && echo "issue: all passed"
exit $fail
