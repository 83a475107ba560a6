#!/bin/sh
# Every runtime in one report (issue 28): a host with a llama.cpp build and a CPU-only
# llama-cpp-python in ~/.venv. The llama.* checks judge both and name each in its line; the
# check's status is the worst; --runtime judges only those asked for (a kind, an id or a
# path) and says so when none matches; the JSON lists the runtimes and each verdict, and
# --facts and a recording judge them again to the same verdicts.
# usage: runtimes.sh DOCTOR HOSTS PYTHON
doctor=$1 hosts=$2 py=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# wsl2-healthy's llama.cpp build, plus the venv of wsl2-python-cpu-wheel
cp -a "$hosts/wsl2-healthy" "$tmp/h"
cp -a "$hosts/wsl2-python-cpu-wheel/home/alice/.venv" "$tmp/h/home/alice/.venv"
h=$tmp/h
only=llama.build,llama.arch,llama.runtime,llama.devices

"$doctor" --root "$h" --only "$only" >"$tmp/text"
rc=$?
[ "$rc" = 1 ] || fail "two runtimes, one CPU-only: exit $rc, not 1"
grep -q '^FAIL   llama.build    llama-cpp-python 0.3.8 in ~/.venv: .* is a CPU-only build of llama-cpp-python' "$tmp/text" ||
    fail "llama.build's line is not the worst runtime's, named: $(grep llama.build "$tmp/text")"
grep -q '^       also PASS  llama.cpp b7104: /home/alice/llama.cpp/build/bin/llama-server is a CUDA build' "$tmp/text" ||
    fail "the llama.cpp build's verdict is not beside it: $(cat "$tmp/text")"
grep -q 'CMAKE_ARGS="-DGGML_CUDA=on" /home/alice/.venv/bin/pip install --force-reinstall --no-cache-dir llama-cpp-python' "$tmp/text" ||
    fail "the fix does not use the venv's own pip: $(grep fix: "$tmp/text")"

# two runtimes failing alike: the one not shown comes with its own fix, in its own pip
mkdir -p "$tmp/two/home/alice"
cp -a "$h/." "$tmp/two/"
cp -a "$h/home/alice/.venv" "$tmp/two/home/alice/venv2"
sed -i "s#/home/alice/.venv#/home/alice/venv2#g" "$tmp/two/home/alice/venv2/pyvenv.cfg" 2>/dev/null
"$doctor" --root "$tmp/two" --only llama.build >"$tmp/t2"
grep -q '^       also FAIL  llama-cpp-python 0.3.8 in ~/venv2: ' "$tmp/t2" &&
    grep -q '^                  fix: Rebuild it with CUDA in that environment: `CMAKE_ARGS="-DGGML_CUDA=on" /home/alice/venv2/bin/pip install' "$tmp/t2" ||
    fail "the second failing runtime's line or fix: $(cat "$tmp/t2")"

# markdown, for a bug thread: a row for each runtime
"$doctor" --root "$h" --only llama.build --format markdown >"$tmp/md"
grep -q '^| ✅ pass | ↳ `llama.build` | llama.cpp b7104: ' "$tmp/md" ||
    fail "markdown lacks the llama.cpp build's row: $(cat "$tmp/md")"

"$doctor" --root "$h" --only "$only" --format json >"$tmp/j.json"
"$py" - "$tmp/j.json" <<'PY' || fail "the JSON report's runtimes"
import json, sys
d = json.load(open(sys.argv[1]))
ids = [r["id"] for r in d["host"]["runtimes"]]
assert ids == ["llama.cpp", "python:/home/alice/.venv"], ids
c = {c["id"]: c for c in d["checks"]}
b = c["llama.build"]
assert b["status"] == "fail" and b["outcome"] == "python_cpu_only", b["outcome"]
got = [(r["runtime"], r["status"], r["outcome"]) for r in b["runtimes"]]
assert got == [("llama.cpp", "pass", "ok_linked"), ("python:/home/alice/.venv", "fail", "python_cpu_only")], got
assert [r["for_runtime"]["kind"] for r in b["evidence"]["runtimes"]] == ["llama.cpp", "python"]
assert c["llama.devices"]["runtimes"][1]["outcome"] == "not_listed", c["llama.devices"]["runtimes"]
PY

# --facts judges the saved runtimes again, to the same verdicts
"$doctor" --facts "$tmp/j.json" --format json >"$tmp/f.json"
"$py" - "$tmp/j.json" "$tmp/f.json" <<'PY' || fail "--facts does not re-judge the runtimes alike"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
v = lambda d: [(c["id"], c["status"], c["summary"], [r["summary"] for r in c.get("runtimes", [])]) for c in d["checks"]]
assert v(a) == v(b), (v(a), v(b))
PY

# --runtime: a kind, an id, a path under a runtime; one that matches nothing says so
"$doctor" --root "$h" --only llama.build --runtime llama.cpp >"$tmp/t" ||
    fail "--runtime llama.cpp: exit $? ($(cat "$tmp/t"))"
grep -q '^PASS   llama.build  /home/alice/llama.cpp/build/bin/llama-server is a CUDA build' "$tmp/t" ||
    fail "--runtime llama.cpp: $(grep llama.build "$tmp/t")"
grep -q 'also' "$tmp/t" && fail "--runtime llama.cpp still judged the venv"
for r in python python:/home/alice/.venv /home/alice/.venv; do
    "$doctor" --root "$h" --only llama.build --runtime "$r" >"$tmp/t"
    [ $? = 1 ] && grep -q '^FAIL   llama.build  llama-cpp-python 0.3.8 in ~/.venv:' "$tmp/t" ||
        fail "--runtime $r: $(grep llama.build "$tmp/t")"
done
"$doctor" --root "$h" --only llama.build --runtime ollama >"$tmp/t"
grep -q '^SKIP   llama.build  no runtime found matches --runtime ollama (found: llama.cpp, python:/home/alice/.venv)' "$tmp/t" ||
    fail "--runtime ollama on a host without ollama: $(grep llama.build "$tmp/t")"

# a recording of the host (redacted: alice is user1 there) replays to the verdicts the
# recording run printed, every runtime's included
"$doctor" record "$tmp/rec" --root "$h" --only "$only" --format json >"$tmp/r.json" 2>"$tmp/err"
[ $? -le 1 ] || { cat "$tmp/err"; fail "record"; }
"$doctor" --root "$tmp/rec" --only "$only" --format json >"$tmp/rr.json"
"$py" - "$tmp/r.json" "$tmp/rr.json" <<'PY' || fail "the replay of the recording differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
v = lambda d: [(c["id"], c["status"], [(r["runtime"], r["status"], r["outcome"]) for r in c.get("runtimes", [])]) for c in d["checks"]]
assert v(a) == v(b), (v(a), v(b))
PY
echo "runtimes: $failures failure(s)"
[ "$failures" = 0 ]
