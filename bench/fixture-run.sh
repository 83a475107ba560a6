#!/bin/sh
# Prints the median wall time (ms) of a whole `wsl-llm-doctor` process on the healthy
# fixture host, over N runs (default 50). A figure to watch, never a test assertion.
set -eu
cd "$(dirname "$0")/.."
doctor=${DOCTOR:-build/wsl-llm-doctor}
n=${1:-50}
[ -x "$doctor" ] && [ -d build/tests/hosts/wsl2-healthy ] ||
    { echo "build the doctor and the staged fixture hosts first: scripts/test.sh" >&2; exit 1; }
for i in $(seq "$n"); do
    s=$(date +%s%N)
    "$doctor" --root build/tests/hosts/wsl2-healthy --format json >/dev/null || true
    e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
done | sort -n | awk '{a[NR]=$1} END {printf "healthy fixture, %d runs: median %.2f ms, min %.2f ms, max %.2f ms\n", NR, a[int((NR+1)/2)]/1000, a[1]/1000, a[NR]/1000}'
