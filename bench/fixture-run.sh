#!/bin/sh
# A full run on the healthy fixture host, N times (default 50): the median wall time of the
# whole process, and from each run's trace (WLD_TRACE, wld/trace.h) the slowest probe with
# its own duration, when the first probe started, and how long the run went on after its
# last probe ended. A run should cost its critical path and little more. Figures to
# watch, never a test assertion.
set -eu
cd "$(dirname "$0")/.."
doctor=${DOCTOR:-build/wsl-llm-doctor}
host=${HOST:-build/tests/hosts/wsl2-healthy}
n=${1:-50}
[ -x "$doctor" ] && [ -d "$host" ] ||
    { echo "build the doctor and the staged fixture hosts first: scripts/test.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in $(seq "$n"); do
    s=$(date +%s%N)
    WLD_TRACE=$tmp/trace.$i "$doctor" --root "$host" --format json >/dev/null || true
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000 ))" >>"$tmp/wall"
done
median() { sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]}'; }
wall=$(awk '{print $1 / 1000}' "$tmp/wall" | median)
# per run: the slowest probe (name, duration), the first start, the last end, the exit
for i in $(seq "$n"); do
    awk '$3 != "exit" { d = $2 - $1; if (d > best) { best = d; name = $3 " " $4 }
                        if (first == "" || $1 < first) first = $1; if ($2 > last) last = $2 }
         $3 == "exit" { exit_ms = $2 }
         END { printf "%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", name, best, first, last,
                      exit_ms - last, wall - last }' wall="$(sed -n "${i}p" "$tmp/wall" | awk '{print $1 / 1000}')" \
        "$tmp/trace.$i"
done >"$tmp/runs"
slowest=$(cut -f1 "$tmp/runs" | sort | uniq -c | sort -rn | head -n 1 | sed 's/^ *[0-9]* //; s/ *$//')
printf 'healthy fixture, %d runs: median %s ms whole process\n' "$n" "$wall"
printf '  slowest probe: %s, median %s ms of its own\n' "$slowest" "$(cut -f2 "$tmp/runs" | median)"
printf '  first probe started %s ms into main(); the last ended at %s ms\n' \
    "$(cut -f3 "$tmp/runs" | median)" "$(cut -f4 "$tmp/runs" | median)"
printf '  main() returned %s ms after the last probe ended; the whole process, from exec to\n' \
    "$(cut -f5 "$tmp/runs" | median)"
printf '  exit, took %s ms more than the end of its last probe (medians)\n' "$(cut -f6 "$tmp/runs" | median)"
# the same in starts of an empty C program timed the same way (issue 33: at most 6)
empty=$(dirname "$doctor")/bench/empty
if [ -x "$empty" ]; then
    for i in $(seq "$n"); do
        s=$(date +%s%N)
        "$empty"
        e=$(date +%s%N)
        echo "$(( (e - s) / 1000 ))" >>"$tmp/wall-empty"
    done
    start=$(awk '{print $1 / 1000}' "$tmp/wall-empty" | median)
    printf '  an empty C program takes %s ms from exec to exit: the run went on %s of its starts\n' \
        "$start" "$(echo "$(cut -f6 "$tmp/runs" | median) $start" | awk '{printf "%.1f", $1 / $2}')"
    printf '  beyond its last probe, and its first probe started %s starts into it\n' \
        "$(echo "$(cut -f3 "$tmp/runs" | median) $start" | awk '{printf "%.1f", $1 / $2}')"
fi
# The Windows side: the same runs with --no-interop. wsl.interop starts its programs at
# once and beside the other probes, so the run should not cost more than its slowest
# Windows program (issue 16).
for i in $(seq "$n"); do
    s=$(date +%s%N)
    "$doctor" --root "$host" --format json --no-interop >/dev/null || true
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000 ))" >>"$tmp/wall-no-interop"
done
without=$(awk '{print $1 / 1000}' "$tmp/wall-no-interop" | median)
for i in $(seq "$n"); do
    awk '$3 ~ /\.exe$/ || $3 == "wslinfo" { d = $2 - $1; if (d > best) best = d }
         END { printf "%.3f\n", best }' "$tmp/trace.$i"
done >"$tmp/interop"
printf 'interop: median %s ms with it, %s ms with --no-interop (%s ms more); its slowest\n' \
    "$wall" "$without" "$(echo "$wall $without" | awk '{printf "%.2f", $1 - $2}')"
printf '  Windows program took %s ms (median)\n' "$(median <"$tmp/interop")"
