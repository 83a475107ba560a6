#!/bin/sh
# NVIDIA's real Linux userspace on a machine without an NVIDIA driver: Debian's nvidia-smi,
# libcuda.so.1 and libnvidia-ml.so.1 (scripts/fetch-nvidia-debs.sh unpacks them, never
# installs them) found the way a user's host finds them: nvidia-smi on PATH through a link
# (Debian's /usr/bin/nvidia-smi is one), libcuda.so.1 by the loader's search order
# (LD_LIBRARY_PATH), loaded by the doctor's own CUDA probe. Live, no --root: what a user
# with the driver's packages and no working driver sees, then recorded, replayed and
# judged again from its facts, to the same verdicts.
# usage: nvidia_real.sh DOCTOR DEBS_DIR PYTHON     (77: skipped, the reason printed)
doctor=$1 debs=$2 py=$3
skip() { echo "SKIP: $*"; exit 77; }
[ -f "$debs/unavailable" ] && skip "Debian's NVIDIA packages could not be fetched: $(cat "$debs/unavailable")"
root=$debs/root
if [ ! -x "$root/usr/lib/nvidia/current/nvidia-smi" ] ||
    [ ! -e "$root/usr/lib/x86_64-linux-gnu/nvidia/current/libcuda.so.1" ]; then
    skip "Debian's NVIDIA packages are not unpacked in $debs: run scripts/fetch-nvidia-debs.sh BUILD_DIR (scripts/test.sh does)"
fi
# The verdicts asserted are those of a host with no NVIDIA kernel driver and no WSL GPU:
# elsewhere these 535 libraries would meet a driver of their own and say something else.
for f in /proc/driver/nvidia/version /sys/module/nvidia /dev/dxg /usr/lib/wsl/lib/libcuda.so.1; do
    [ -e "$f" ] && skip "this machine has $f: the real libraries would talk to its driver"
done
root=$(cd "$root" && pwd)
echo "Debian's packages, as fetched (scripts/fetch-nvidia-debs.sh):"
cat "$debs/sources.txt"

tmp=$(mktemp -d)
# Run as root, the real nvidia-smi and libcuda create /dev/nvidiactl (char 195:255) when it
# is missing, as they do on a user's host; the one they create here is removed again.
ctl_made=false
[ -e /dev/nvidiactl ] || [ "$(id -u)" != 0 ] || ctl_made=true
cleanup() {
    rm -rf "$tmp"
    if $ctl_made && [ -c /dev/nvidiactl ] && [ "$(stat -c %t:%T /dev/nvidiactl)" = c3:ff ]; then
        rm -f /dev/nvidiactl
    fi
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
mkdir -p "$tmp/bin"
ln -s "$root/usr/lib/nvidia/current/nvidia-smi" "$tmp/bin/nvidia-smi"
libdir=$root/usr/lib/x86_64-linux-gnu/nvidia/current
export PATH="$tmp/bin:$PATH" LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# What the real nvidia-smi itself says here, for the record and as the fixtures have it.
nvidia-smi >"$tmp/smi.out" 2>"$tmp/smi.err"
smi_rc=$?
echo "nvidia-smi: exit $smi_rc, stdout: $(cat "$tmp/smi.out") stderr: $(cat "$tmp/smi.err")"
[ "$smi_rc" -eq 9 ] || fail "the real nvidia-smi exits $smi_rc, not 9"
grep -q "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver" "$tmp/smi.out" ||
    fail "the real nvidia-smi's message is not the one the rules know"

checks=gpu.driver,gpu.cuda
verdicts() { # one line per check: what a user reads
    "$py" -c 'import json,sys
for c in json.load(open(sys.argv[1], "rb"))["checks"]:
    print(c["id"], c["status"], c.get("outcome"), c["summary"], c["fix"], c.get("caused_by"))' "$1"
}
"$doctor" --offline --only "$checks" --format json --redact >"$tmp/live.json" 2>"$tmp/err"
[ $? -eq 1 ] || fail "live run: exit $? (a failed driver is exit 1): $(cat "$tmp/err")"
verdicts "$tmp/live.json" >"$tmp/live.txt"
cat "$tmp/live.txt"

# The verdicts and the evidence behind them: nvidia-smi's message and exit code; libcuda
# loaded from the unpacked tree through the loader, cuInit's CUDA_ERROR_NO_DEVICE, and the
# CUDA version libcuda states without a device (cuDriverGetVersion needs no cuInit).
"$py" - "$tmp/live.json" "$libdir/libcuda.so.1" <<'EOF' || fail "the live verdicts (above)"
import json, sys
report = json.load(open(sys.argv[1], "rb"))
c = {c["id"]: c for c in report["checks"]}
d, cu = c["gpu.driver"], c["gpu.cuda"]
assert (d["status"], d["outcome"]) == ("fail", "smi_no_driver"), d
assert d["summary"] == "nvidia-smi couldn't communicate with the NVIDIA driver (driver not loaded)", d
t = d["evidence"]["table"]
assert t["exit_code"] == 9 and t["state"] == "exit_nonzero", t
assert t["stdout"].startswith("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."), t
assert cu["outcome"] == "init_no_device_native" and cu["own_status"] == "fail", cu
assert cu["summary"] == "cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected", cu
assert cu["caused_by"] == {"check": "gpu.driver", "outcome": "smi_no_driver"}, cu
e = cu["evidence"]
assert e["init"] == {"fn": "cuInit", "code": 100, "name": "CUDA_ERROR_NO_DEVICE"}, e["init"]
assert e["loaded"] == {"path": "libcuda.so.1", "file": sys.argv[2]}, e["loaded"]
assert e["driver_cuda_version_raw"] == 12020 and e["driver_cuda_version"] == "12.2", e
EOF

# Recorded, replayed as record prints it, and judged again from the live report's facts.
"$doctor" record "$tmp/rec" --offline --only "$checks" --format json >"$tmp/recorded.json" 2>"$tmp/err"
[ $? -le 1 ] || fail "record: $(cat "$tmp/err")"
replay=$(sed -n 's/^Replay it with: wsl-llm-doctor //p' "$tmp/err")
[ -n "$replay" ] || fail "record printed no replay command: $(cat "$tmp/err")"
# shellcheck disable=SC2086 # the words record printed, shell-quoted where needed
eval "\"\$doctor\" $replay" >"$tmp/replay.json" 2>"$tmp/err"
"$doctor" --facts "$tmp/live.json" --format json >"$tmp/facts.json" 2>"$tmp/err.facts"
for run in recorded replay facts; do
    verdicts "$tmp/$run.json" >"$tmp/$run.txt" 2>&1
    diff -u "$tmp/live.txt" "$tmp/$run.txt" >"$tmp/diff" || fail "the $run run's verdicts differ from the live ones:
$(cat "$tmp/diff")"
done

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "nvidia.real: the real nvidia-smi and libcuda, live, recorded, replayed and --facts: same verdicts"
