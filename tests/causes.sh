#!/bin/sh
# One cause, one failure (issue 27): a check whose problem follows from another check's
# finding (the rules' "follows") is skipped naming its cause, in every format; the counts
# count causes; chains name their root, cycles keep the earlier check as the cause; a
# bundle with a bad link is refused in one line (exit 2).
# usage: causes.sh DOCTOR HOSTS PYTHON
doctor=$1 hosts=$2 py=$3
host=$hosts/native-no-gpu-cpu-build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
has() { grep -qF -- "$2" "$1" || fail "$1 lacks: $2"; }
lacks() { ! grep -qF -- "$2" "$1" || fail "$1 has: $2"; }

# causes FILE CHECK=CAUSE...: the JSON report's followers are exactly these, each skipped
# with its own status kept and no fix of its own
causes() {
    "$py" - "$@" <<'PY' || fail "$1: $(cat "$1.why" 2>/dev/null)"
import json, sys
path, want = sys.argv[1], dict(a.split("=") for a in sys.argv[2:])
d = json.load(open(path))
got = {c["id"]: c["caused_by"]["check"] for c in d["checks"] if "caused_by" in c}
bad = [] if got == want else [f"followers {got}, expected {want}"]
for c in d["checks"]:
    if "caused_by" in c and (c["status"] != "skip" or c["fix"] is not None or
                             c["own_status"] not in ("warn", "fail", "error")):
        bad.append(f"{c['id']}: {c['status']}, fix {c['fix']!r}, own {c.get('own_status')}")
if d["summary"]["followers"] != len(want):
    bad.append(f"summary.followers {d['summary']['followers']}")
open(path + ".why", "w").write("; ".join(bad))
sys.exit(1 if bad else 0)
PY
}

# The issue's host: native Linux, no NVIDIA adapter, a CPU-only llama.cpp build found.
"$doctor" --root "$host" >"$tmp/text"
[ $? = 1 ] || fail "text: exit $?, expected 1"
has "$tmp/text" "23 checks: 5 passed, 0 warned, 1 failed, 17 skipped (4 follow from another finding), 0 errors (exit 1)"
[ "$(grep -c '^FAIL' "$tmp/text")" = 1 ] || fail "text: more than gpu.pci fails: $(grep '^FAIL' "$tmp/text")"
has "$tmp/text" "FAIL   gpu.pci"
for c in gpu.driver llama.build cuda.libs llama.devices; do
    grep -A1 "^SKIP   $c " "$tmp/text" | grep -q "follows from gpu.pci: no NVIDIA adapter on the PCI bus" ||
        fail "text: $c does not follow from gpu.pci"
done
# on a host with no NVIDIA GPU a CPU build is the right build: nothing says rebuild it with CUDA
lacks "$tmp/text" "GGML_CUDA=ON"
lacks "$tmp/text" "should list CUDA0"
lacks "$tmp/text" "Install the NVIDIA driver"

"$doctor" --root "$host" --format json >"$tmp/json"
[ $? = 1 ] || fail "json: exit $?, expected 1"
causes "$tmp/json" gpu.driver=gpu.pci cuda.libs=gpu.pci llama.build=gpu.pci llama.devices=gpu.pci
# the chain names its root: llama.devices follows llama.build, which follows gpu.pci
"$py" -c 'import json,sys; d={c["id"]: c for c in json.load(open(sys.argv[1]))["checks"]}
assert d["llama.devices"]["caused_by"] == {"check": "gpu.pci", "outcome": "native_no_nvidia"}
assert d["llama.build"]["own_status"] == "fail" and d["cuda.libs"]["own_status"] == "warn"
assert "CPU-only build" in d["llama.build"]["summary"]' "$tmp/json" || fail "json: caused_by, own_status, summary"

# --facts on the saved report gives the same followers
"$doctor" --facts "$tmp/json" --format json >"$tmp/again"
[ $? = 1 ] || fail "--facts: exit $?, expected 1"
causes "$tmp/again" gpu.driver=gpu.pci cuda.libs=gpu.pci llama.build=gpu.pci llama.devices=gpu.pci

"$doctor" --root "$host" --format markdown >"$tmp/md"
has "$tmp/md" "**1 failed, 0 warned**, 5 passed, 17 skipped (4 follow from another finding), 0 errors · exit 1"
has "$tmp/md" '| ⏭️ skip | `llama.build` |'
has "$tmp/md" 'follows from `gpu.pci` |'
has "$tmp/md" '#### `gpu.driver` (skip: follows from `gpu.pci` native_no_nvidia, would be fail,'
lacks "$tmp/md" "GGML_CUDA=ON"

"$doctor" --root "$host" --format junit >"$tmp/junit"
has "$tmp/junit" 'failures="1" errors="0" skipped="17"'
has "$tmp/junit" "; follows from gpu.pci: no NVIDIA adapter on the PCI bus"
[ "$(grep -c '<failure' "$tmp/junit")" = 1 ] || fail "junit: more than one failure"

"$doctor" --root "$host" --format github >"$tmp/gh"
[ "$(grep -c '^::error' "$tmp/gh")" = 1 ] || fail "github: annotations for followers: $(grep '^::' "$tmp/gh")"
has "$tmp/gh" "::error title=gpu.pci/"
has "$tmp/gh" "17 skipped (4 follow from another finding)"

"$doctor" --root "$host" --format prometheus >"$tmp/prom"
has "$tmp/prom" 'wsl_llm_doctor_check_status{check="llama.build",status="skip"} 1'
has "$tmp/prom" 'wsl_llm_doctor_check_caused_by{cause="gpu.pci",check="llama.build",outcome="native_no_nvidia"} 1'
has "$tmp/prom" 'wsl_llm_doctor_checks{status="fail"} 1'
if command -v promtool >/dev/null; then
    promtool check metrics <"$tmp/prom" >"$tmp/promtool" 2>&1 || fail "promtool: $(cat "$tmp/promtool")"
fi

# explain shows a check's links
"$doctor" explain llama.build >"$tmp/explain"
has "$tmp/explain" "follows from: gpu.pci (native_no_nvidia)"

# Without the cause in the report, the check fails on its own account.
"$doctor" --root "$host" --only gpu.driver,llama.build --format json >"$tmp/only"
causes "$tmp/only"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["fail"] == 2' "$tmp/only" ||
    fail "--only without gpu.pci: the checks do not fail on their own"

# A CPU-only build on a host that has an NVIDIA GPU is its own failure, and its followers
# follow it.
"$doctor" --root "$hosts/wsl2-llama-cpu-only" --format json >"$tmp/cpu"
causes "$tmp/cpu" cuda.libs=llama.build llama.devices=llama.build

# WSL: the Windows driver not reachable; gpu.cuda, gpu.pci and llama.devices follow it.
"$doctor" --root "$hosts/wsl2-nvidia-smi-no-driver" --format json >"$tmp/wsl"
causes "$tmp/wsl" gpu.cuda=gpu.driver gpu.pci=gpu.driver llama.devices=gpu.driver
# WSL: GPU support turned off in /etc/wsl.conf; the missing driver and its followers name it
"$doctor" --root "$hosts/wsl2-wsl-conf-gpu-disabled" --format json >"$tmp/off"
causes "$tmp/off" gpu.dxg=wsl.wsl-conf gpu.driver=wsl.wsl-conf gpu.cuda=wsl.wsl-conf \
    gpu.wsl-libs=wsl.wsl-conf

# A cycle (gpu.pci made to follow gpu.driver too): the earlier check in report order,
# gpu.driver, stays the cause, and the chain through gpu.pci ends there.
"$doctor" rules >"$tmp/rules.json"
"$py" - "$tmp/rules.json" "$tmp/cycle.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["checks"]["gpu.pci"]["outcomes"]["native_no_nvidia"]["follows"] = [
    {"check": "gpu.driver", "outcomes": ["missing_native"]}]
json.dump(d, open(sys.argv[2], "w"))
PY
"$doctor" --root "$host" --rules "$tmp/cycle.json" --format json >"$tmp/cyc"
[ $? = 1 ] || fail "cycle: exit $?, expected 1"
causes "$tmp/cyc" gpu.pci=gpu.driver cuda.libs=gpu.driver llama.build=gpu.driver llama.devices=gpu.driver
"$doctor" --root "$host" --rules "$tmp/cycle.json" >"$tmp/cyc.txt"
has "$tmp/cyc.txt" "FAIL   gpu.driver"
[ "$(grep -c '^FAIL' "$tmp/cyc.txt")" = 1 ] || fail "cycle: more than one failure"

# Bad links are refused with one line naming them, exit 2.
refused() { # refused PATTERN PYTHON-EDIT
    "$py" - "$tmp/rules.json" "$tmp/bad.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
o = d["checks"]["gpu.driver"]["outcomes"]
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"))
PY
    "$doctor" --root "$host" --rules "$tmp/bad.json" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 2 ] || fail "bad link ($1): exit $rc, expected 2"
    [ "$(wc -l <"$tmp/err")" = 1 ] || fail "bad link ($1): not one line: $(cat "$tmp/err")"
    [ -s "$tmp/out" ] && fail "bad link ($1): a report was printed"
    has "$tmp/err" "$1"
}
refused "follows gpu.pcx, which is not a check id" \
    'o["missing_native"]["follows"] = [{"check": "gpu.pcx", "outcomes": ["native_no_nvidia"]}]'
refused "follows gpu.pci outcome no_such_outcome, which gpu.pci does not have" \
    'o["missing_native"]["follows"] = [{"check": "gpu.pci", "outcomes": ["no_such_outcome"]}]'
refused "check gpu.driver, outcome missing_native: a check cannot follow itself" \
    'o["missing_native"]["follows"] = [{"check": "gpu.driver", "outcomes": ["missing_wsl"]}]'
refused "a fail cannot follow gpu.pci outcome native_cuda_sees_fewer, a warn" \
    'o["missing_native"]["follows"] = [{"check": "gpu.pci", "outcomes": ["native_cuda_sees_fewer"]}]'
refused "a fail cannot follow gpu.pci outcome native_nvidia, a pass" \
    'o["missing_native"]["follows"] = [{"check": "gpu.pci", "outcomes": ["native_nvidia"]}]'
refused "a pass outcome follows nothing" \
    'o["ok"]["follows"] = [{"check": "gpu.pci", "outcomes": ["native_no_nvidia"]}]'
refused "\"follows\" must be a non-empty array" 'o["missing_native"]["follows"] = {"check": "gpu.pci"}'
refused "follows gpu.pci without a non-empty \"outcomes\" array" \
    'o["missing_native"]["follows"] = [{"check": "gpu.pci", "outcomes": []}]'
refused "only a check's outcomes can follow another's" \
    'd["common"]["internal_error"]["follows"] = [{"check": "gpu.pci", "outcomes": ["native_no_nvidia"]}]'

[ "$failures" = 0 ] && echo "causes: every check passed"
exit "$failures"
