#!/bin/sh
# The fault suite (issue 19): one case per fault, on private copies of the staged fixture
# hosts. Each asserts a complete report (every registered check present once, with a valid
# status, and the JSON exit code equal to the process's), the status of the check the
# fault hits, and the exit code. The ASan+UBSan build runs it too (scripts/test.sh).
# usage: faults.sh DOCTOR HOSTS PYTHON
doctor=$1 hosts=$2 py=$3
tmp=$(mktemp -d)
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0 cases=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
host() { rm -rf "$tmp/$1"; cp -a "$hosts/$2" "$tmp/$1"; echo "$tmp/$1"; }
"$doctor" list --format json >"$tmp/list.json" || { echo "FAIL: list"; exit 1; }

# run NAME HOST [ARG...]: the full check of HOST as JSON in $tmp/NAME.json; sets rc and ms
run() {
    name=$1 h=$2
    shift 2
    cases=$((cases + 1))
    s=$(date +%s%N)
    "$doctor" --root "$h" --format json "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"
    rc=$?
    ms=$((($(date +%s%N) - s) / 1000000))
    "$py" - "$tmp/list.json" "$tmp/$name.json" "$rc" "$@" <<'PY' || fail "$name: incomplete report (exit $rc): $(head -c 300 "$tmp/$name.err")"
import json, sys
ids = [c["id"] for c in json.load(open(sys.argv[1]))]
if "--only" in sys.argv[4:]:  # the checks asked for, and only those
    ids = sys.argv[sys.argv.index("--only") + 1].split(",")
d = json.load(open(sys.argv[2], "rb"))
got = [c["id"] for c in d["checks"]]
assert sorted(got) == sorted(ids), (sorted(set(ids) - set(got)), len(got))
for c in d["checks"]:
    assert c["status"] in ("pass", "warn", "fail", "skip", "error"), c
    assert c["summary"], c
    assert c["status"] not in ("warn", "fail", "error") or c["fix"], c
assert d["exit_code"] == int(sys.argv[3]), (d["exit_code"], sys.argv[3])
PY
}
# expect NAME ID PATTERN: the "status: summary" of check ID in NAME's report matches PATTERN
expect() {
    line=$("$py" -c 'import json,sys
for c in json.load(open(sys.argv[1], "rb"))["checks"]:
    if c["id"] == sys.argv[2]: print(c["status"] + ": " + c["summary"].replace("\n", " "))' "$tmp/$1.json" "$2")
    echo "$line" | grep -q -- "$3" || fail "$1: $2: $(echo "$line" | head -c 300)"
}
code() { [ "$rc" -eq "$2" ] || fail "$1: exit $rc, expected $2"; }
# replace FILE with a script doing BODY
script() { printf '#!/bin/sh\n%s\n' "$2" >"$1"; chmod +x "$1"; }

# --- every command and helper hanging at once: the run ends at the deadline
h=$(host hang wsl2-healthy)
find "$h" -type f -perm -u+x ! -name '*.so*' ! -name 'llama-server' | while read -r f; do
    head -c 2 "$f" | grep -q '#!' && script "$f" 'exec sleep 30'
done
for f in $(find "$h" -name '*.fake'); do
    case $(head -n 1 "$f") in
    '#!fake libcuda'*) sed -i 's/^init=.*/init=hang/' "$f" ;;
    '#!fake llama'*) echo 'sleep=30' >>"$f" ;;
    esac
done
WLD_TRACE=$tmp/hang.trace
export WLD_TRACE
run hang "$h" --timeout 1
unset WLD_TRACE
code hang 1
expect hang gpu.driver '^error: '
expect hang gpu.cuda '^error: '
expect hang cuda.toolkit '^error: '
# the deadline is per probe and they all run at once: every command started before the
# first one killed at the deadline ended, so the run waits one deadline, not one per
# command (read from the run's own trace, not a clock that a loaded machine stretches)
"$py" - "$tmp/hang.trace" <<'PY' || fail "hang: commands waited for one another: $(cat "$tmp/hang.trace")"
import sys
cmds = []
for line in open(sys.argv[1]):
    start, end, name = line.split(" ", 2)
    if not name.startswith(("gather ", "inventory ", "exit")):
        cmds.append((float(start), float(end), name.strip()))
killed = [c for c in cmds if c[1] - c[0] >= 900]
assert len(killed) >= 5, killed
late = [c for c in cmds if c[0] > min(k[1] for k in killed)]
assert not late, late
PY
echo "all probes hanging: $ms ms with --timeout 1, in one wave"

# --- one command crashing, flooding, printing garbage, printing nothing, not executable
h=$(host crash wsl2-healthy)
script "$h/usr/lib/wsl/lib/nvidia-smi" 'kill -SEGV $$'
run crash "$h"
expect crash gpu.driver '^error: nvidia-smi crashed'
code crash 1
h=$(host flood wsl2-healthy)
script "$h/usr/lib/wsl/lib/nvidia-smi" 'head -c 52428800 /dev/zero | tr "\0" x'
run flood "$h"
expect flood gpu.driver '^error: '
h=$(host garbage wsl2-healthy)
script "$h/usr/lib/wsl/lib/nvidia-smi" 'head -c 200000 /dev/urandom; printf "\0\0\0"'
run garbage "$h"
expect garbage gpu.driver '^error: '
h=$(host silent wsl2-healthy)
script "$h/usr/lib/wsl/lib/nvidia-smi" 'exit 0'
run silent "$h"
expect silent gpu.driver '^error: .*printed nothing'
h=$(host noexec wsl2-healthy)
# a file that exists but whose interpreter does not: exec fails with ENOENT (NixOS-WSL)
printf '#!/nix/store/none/bin/sh\necho never\n' >"$h/usr/lib/wsl/lib/nvidia-smi"
run noexec "$h"
expect noexec gpu.driver '^error: /usr/lib/wsl/lib/nvidia-smi is there but cannot be run (ENOENT)'
grep -q 'internal error' "$tmp/noexec.err" && fail "noexec: internal error"

# --- libcuda and the backend load probe crashing or hanging
h=$(host cudacrash wsl2-healthy)
sed -i 's/^init=.*/init=crash/' "$h/usr/lib/wsl/lib/libcuda.so.1.fake"
run cudacrash "$h"
expect cudacrash gpu.cuda '^error: '
h=$(host cudahang wsl2-healthy)
sed -i 's/^init=.*/init=hang/' "$h/usr/lib/wsl/lib/libcuda.so.1.fake"
run cudahang "$h" --timeout 1
expect cudahang gpu.cuda '^error: '

# --- the tree: symlink loops, links out of the root, a lying mountinfo, an empty root,
# a .doctor/env with 1 MB values
h=$(host links wsl2-healthy)
ln -s loop-b "$h/home/alice/models/loop-a.gguf"
ln -s loop-a.gguf "$h/home/alice/models/loop-b"
ln -s /etc/passwd "$h/home/alice/models/out.gguf"
ln -s ../../../../../../../../etc/shadow "$h/home/alice/models/up.gguf"
run links "$h"
grep -q 'root:x:0:0' "$tmp/links.json" && fail "links: read /etc/passwd outside the root"
# files where directories are expected, and a directory where a file is
h=$(host kinds wsl2-healthy)
rm -rf "$h/usr/lib/wsl/lib" "$h/home/alice/models" "$h/proc/meminfo"
echo 'not a directory' >"$h/usr/lib/wsl/lib"
echo 'not a directory' >"$h/home/alice/models"
mkdir "$h/proc/meminfo"
run kinds "$h"
# nvidia-smi lives in /usr/lib/wsl/lib: its absence follows from gpu.wsl-libs' finding
expect kinds gpu.driver '^skip: no nvidia-smi'
expect kinds gpu.wsl-libs '^fail: /usr/lib/wsl/lib is a regular file, not a directory'
h=$(host mountinfo wsl2-healthy)
"$py" -c 'import sys
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write(f"{i + 100} 1 8:{i % 16} / /mnt/x{i} rw,relatime - ext4 /dev/sd{i} rw\n")
    f.write("garbage line without fields\n36 35 0:0 / / rw - 9p C:\\\\ rw\n")' "$h/proc/self/mountinfo"
run mountinfo "$h"
mkdir -p "$tmp/empty"
run empty "$tmp/empty"
expect empty wsl.platform '^'
h=$(host env wsl2-healthy)
"$py" -c 'import sys
open(sys.argv[1], "a").write("BIG=" + "v" * 1048576 + "\nLLAMA_ARG_MODEL=/home/alice/" + "m" * 200000 + ".gguf\n")' "$h/.doctor/env"
run env "$h"

# --- model files that are not: a FIFO, a directory, /dev/zero, an empty file
h=$(host models wsl2-healthy)
m=$h/home/alice/models
mkfifo "$m/fifo.gguf"
mkdir "$m/dir.gguf"
ln -s /dev/zero "$m/zero.gguf"
: >"$m/empty.gguf"
run models "$h" --timeout 2
expect models models.fit '^'
h=$(host fifo wsl2-healthy)
mkfifo "$h/home/alice/models/fifo.gguf"
run fifo "$h" --timeout 2 --model /home/alice/models/fifo.gguf --only models.fit
expect fifo models.fit '^fail: .*fifo.gguf.*FIFO'
code fifo 1

# --- rules that are not: truncated, wrong types, an unknown schema: exit 2, one line
"$doctor" rules >"$tmp/rules.json"
head -c 20000 "$tmp/rules.json" >"$tmp/r-cut.json"
"$py" -c 'import json,sys
d = json.load(open(sys.argv[1]))
d["checks"]["gpu.driver"]["outcomes"] = []
json.dump(d, open(sys.argv[2], "w"))
d = json.load(open(sys.argv[1]))
d["schema"] = "wsl-llm-doctor/rules@9"
json.dump(d, open(sys.argv[3], "w"))' "$tmp/rules.json" "$tmp/r-types.json" "$tmp/r-schema.json"
for r in r-cut r-types r-schema; do
    cases=$((cases + 1))
    "$doctor" --root "$hosts/wsl2-healthy" --rules "$tmp/$r.json" >/dev/null 2>"$tmp/e"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && grep -q 'unusable rules' "$tmp/e" ||
        fail "$r: exit $rc: $(cat "$tmp/e")"
done

# --- the command line abused: exit 2, one line naming the problem
# a 100 KiB argument (Linux refuses any single one over 128 KiB before the doctor starts)
big=$("$py" -c 'print("x" * 102400)')
while IFS='|' read -r args want; do
    cases=$((cases + 1))
    # shellcheck disable=SC2086
    eval "set -- $args"
    "$doctor" "$@" >/dev/null 2>"$tmp/e"
    rc=$?
    [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/e")" -eq 1 ] && [ "$(wc -c <"$tmp/e")" -lt 400 ] &&
        grep -q -- "$want" "$tmp/e" ||
        fail "\`$(echo "$args" | head -c 80)\`: exit $rc: $(head -c 300 "$tmp/e")"
done <<EOF2
--frobnicate|unknown option '--frobnicate'
--timeout -1|--timeout
--timeout 1e12|--timeout
--ctx -5|--ctx
--only nosuch.check|nosuch.check
--format nosuch|nosuch
--root $hosts/wsl2-healthy --output $tmp/no/such/dir/report.json|--output
--root $hosts/wsl2-healthy --output /dev/full|--output /dev/full
--only "$big"|unknown check id 'xxxxxxxx.*' (102400 bytes)
EOF2

# --- a live check under strace: nothing opened for writing, nothing run through a shell
if command -v strace >/dev/null 2>&1; then
    cases=$((cases + 1))
    strace -f -qq -e trace=openat,open,creat,execve -o "$tmp/strace" \
        "$doctor" --only wsl.platform,cuda.toolkit,gpu.driver --format json >/dev/null 2>&1
    grep -E 'O_WRONLY|O_RDWR|O_CREAT|creat\(' "$tmp/strace" | grep -v -e '"/dev/null"' -e '\.gcda"' >"$tmp/writes"
    [ -s "$tmp/writes" ] && fail "strace: opened for writing: $(head -c 300 "$tmp/writes")"
    grep -E 'execve\("(/usr)?/bin/(ba|da)?sh"' "$tmp/strace" >"$tmp/shells"
    [ -s "$tmp/shells" ] && fail "strace: ran a shell: $(head -c 300 "$tmp/shells")"
else
    echo "strace not installed: the live syscall case is skipped"
fi

echo "faults: $cases cases, $failures failure(s)"
[ "$failures" -eq 0 ]
