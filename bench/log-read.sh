#!/bin/sh
# `wsl-llm-doctor log -` reading through a pipe: SIZE MiB (default 256) of a llama-server
# log of every kind of line it prints at start-up and while serving, the same with a CUDA
# failure in every block, and twice SIZE of binary garbage (no newline) and of NUL bytes.
# Prints MB/s of each and the reader's peak memory, which must not grow with the input.
# Figures to watch, never a test assertion.
set -eu
cd "$(dirname "$0")/.."
doctor=${DOCTOR:-build/wsl-llm-doctor}
mib=${1:-256}
py=${PYTHON:-python3}
[ -x "$doctor" ] || { echo "build the doctor first: scripts/run.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# one block of a real llama-server session's lines, repeated to SIZE by the generator
"$py" - "$tmp/block" "$tmp/block-err" <<'PY'
import sys
lines = open("tests/logs/synthetic-partial-offload-computed.log").read() + \
    open("tests/logs/llamacpp-10739-h100-healthy-load.log").read() + \
    "".join(f"0.12.{i:03d}.000 I slot update_slots: id  0 | task {i} | prompt processing progress, n_past = {i * 7}, n_tokens = 512, progress = 0.5\n" for i in range(200)) + \
    "".join(f"llama_model_loader: - kv {i:3d}: general.some_key str = value {i}\n" for i in range(50))
open(sys.argv[1], "w").write(lines)
open(sys.argv[2], "w").write(lines + "CUDA error: an illegal memory access was encountered\n")
PY
gen() { # gen FILE MIB: FILE repeated to MIB MiB on stdout
    "$py" -c 'import sys
b = open(sys.argv[1], "rb").read(); n = int(sys.argv[2]) << 20
out = sys.stdout.buffer
while n > 0:
    out.write(b[:n]); n -= len(b)' "$1" "$2"
}
timer=
[ -x /usr/bin/time ] && timer="/usr/bin/time -f %M -o $tmp/rss" # Debian's "time" package
echo "n/a" >"$tmp/rss"
run() { # run NAME: stdin through the doctor, timed, with its peak RSS
    s=$(date +%s%N)
    $timer "$doctor" log - --format json >"$tmp/out.json" || true
    e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 ))
    printf '%-34s %6d MiB in %6d ms: %7.1f MB/s, peak RSS %s KiB\n' "$1" "$mib" "$ms" \
        "$(echo "$mib $ms" | awk '{ printf "%.1f", $1 * 1.048576 * 1000 / ($2 > 0 ? $2 : 1) }')" \
        "$(tail -n 1 "$tmp/rss")"
}
gen "$tmp/block" "$mib" | run "llama-server log"
# the hostile streams at twice the size: 512 MiB by default
big=$((mib * 2))
head -c 1048576 /dev/urandom | tr -d '\n' >"$tmp/garbage"
gen "$tmp/garbage" "$big" | mib=$big run "binary garbage, no newline"
"$py" -c 'import sys; sys.stdout.buffer.write(b"\0" * 1048576)' >"$tmp/nul"
gen "$tmp/nul" "$big" | mib=$big run "NUL bytes"
gen "$tmp/block-err" "$mib" | run "llama-server log with failures"
"$py" -c 'import json,sys; d = json.load(open(sys.argv[1])); print("  last run:", d["facts"]["input"]["lines"], "lines,", d["findings"][0]["signature"], "seen", d["facts"].get("cuda_errors_total", len(d["facts"].get("cuda_errors", []))), "times")' "$tmp/out.json"
