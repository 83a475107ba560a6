#!/bin/sh
# Where a report goes and whether it got there: --output replaces only a regular file
# (keeping its mode), follows a symlink, writes into a FIFO or a character device without
# replacing it, creates nothing under /dev or /proc; a write that fails is exit 2 with the
# reason, on --output and on stdout alike, for every command. Device nodes are made in a
# scratch directory (as root), never taken from the real /dev.
# usage: output.sh DOCTOR HOSTS PYTHON
doctor=$1 hosts=$2 py=${3:-python3}
host=$hosts/wsl2-healthy
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
umask 022
run() { "$doctor" --root "$host" --only wsl.kernel --format json "$@" >"$tmp/out" 2>"$tmp/err"; }

# a regular file: replaced whole, its mode kept; a new file gets 0666 less the umask
printf 'old report\n' >"$tmp/r.json"
chmod 600 "$tmp/r.json"
run --output "$tmp/r.json" || fail "--output onto a file: exit $?: $(cat "$tmp/err")"
grep -q '"schema"' "$tmp/r.json" || fail "--output: the file does not hold the report"
[ "$(stat -c %a "$tmp/r.json")" = 600 ] || fail "--output: the old file's mode 600 became $(stat -c %a "$tmp/r.json")"
run --output "$tmp/new.json"
[ "$(stat -c %a "$tmp/new.json")" = 644 ] || fail "--output: a new file is $(stat -c %a "$tmp/new.json"), not 644"
ls -a "$tmp" | grep -q '^\.r\.json\.' && fail "--output: left its temporary file"

# a symlink stays a link; the file it names is replaced, or created when it dangles
mkdir "$tmp/reports"
ln -s reports/latest.json "$tmp/link.json"
run --output "$tmp/link.json" || fail "--output onto a dangling symlink: exit $?: $(cat "$tmp/err")"
[ -L "$tmp/link.json" ] || fail "--output replaced the symlink itself"
grep -q '"schema"' "$tmp/reports/latest.json" || fail "--output: the symlink's target was not written"
run --output "$tmp/link.json"
[ -L "$tmp/link.json" ] && [ -f "$tmp/reports/latest.json" ] || fail "--output: a second write through the link broke it"

# a FIFO: written into while a reader reads, never replaced; with no reader, exit 2 after
# the deadline instead of hanging
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
reader=$!
run --output "$tmp/fifo" || fail "--output onto a FIFO with a reader: exit $?: $(cat "$tmp/err")"
# a doctor that never opened the FIFO (it failed before) leaves the reader waiting: a
# watchdog ends it, so the test fails instead of hanging
(sleep 20; kill "$reader" 2>/dev/null) &
watchdog=$!
wait "$reader"
kill "$watchdog" 2>/dev/null
[ -p "$tmp/fifo" ] || fail "--output replaced the FIFO with a regular file"
grep -q '"schema"' "$tmp/from-fifo" || fail "--output: the FIFO's reader got no report"
run --output "$tmp/fifo" --timeout 0.3
rc=$?
[ "$rc" = 2 ] || fail "--output onto a FIFO nobody reads: exit $rc, expected 2"
grep -q "no process opened the FIFO for reading" "$tmp/err" || fail "--output FIFO with no reader: $(cat "$tmp/err")"
[ -p "$tmp/fifo" ] || fail "--output replaced the unread FIFO"

# /dev/stdout is the doctor's stdout (a pipe here), not a file to replace
"$doctor" --root "$host" --only wsl.kernel --format json --output /dev/stdout 2>"$tmp/err" | cat >"$tmp/piped"
grep -q '"schema"' "$tmp/piped" || fail "--output /dev/stdout into a pipe: $(cat "$tmp/err")"
[ -c /dev/stdout ] || [ -L /dev/stdout ] || fail "/dev/stdout is no longer what it was"

# character devices made here: /dev/null's and /dev/full's numbers
if mknod "$tmp/null" c 1 3 2>/dev/null && mknod "$tmp/full" c 1 7 2>/dev/null &&
    : >"$tmp/null" 2>/dev/null; then
    run --output "$tmp/null" || fail "--output onto a null device: exit $?: $(cat "$tmp/err")"
    [ -c "$tmp/null" ] || fail "--output replaced a character device with a regular file"
    run --output "$tmp/full"
    rc=$?
    [ "$rc" = 2 ] || fail "--output onto a full device: exit $rc, expected 2"
    grep -q "^wsl-llm-doctor: --output $tmp/full: No space left on device" "$tmp/err" ||
        fail "--output onto a full device: $(cat "$tmp/err")"
    [ -c "$tmp/full" ] || fail "--output replaced the full device"
    full=$tmp/full
else
    echo "note: cannot make device nodes here (not root, or nodev): --output device cases skipped"
    full=/dev/full # only redirected to, never named to --output: nothing replaces it
fi
# stdout on a full device: every command says so and exits 2
for args in "--root $host --only wsl.kernel" "list" "rules" "explain wsl.kernel" "--help" "--version"; do
    # shellcheck disable=SC2086 # the words of each command
    "$doctor" $args >"$full" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 2 ] || fail "wsl-llm-doctor $args > full device: exit $rc, expected 2"
    grep -q "cannot write the output to stdout: No space left on device" "$tmp/err" ||
        fail "wsl-llm-doctor $args > full device: $(cat "$tmp/err")"
done

# a Unix socket: connected to and written into, not replaced
"$py" - "$tmp/sock" "$tmp/from-sock" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(10)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b: break
        f.write(b)
PY
server=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$tmp/sock" ] && break; sleep 0.1; done
run --output "$tmp/sock" || fail "--output onto a socket: exit $?: $(cat "$tmp/err")"
wait "$server"
[ -S "$tmp/sock" ] || fail "--output replaced the socket"
grep -q '"schema"' "$tmp/from-sock" || fail "--output: the socket's reader got no report"

# nothing under /dev, /proc or /sys is created or replaced, and the reason is said
run --output /proc/version
rc=$?
[ "$rc" = 2 ] || fail "--output /proc/version: exit $rc, expected 2"
grep -q "/proc is the kernel's" "$tmp/err" || fail "--output /proc/version: $(cat "$tmp/err")"
run --output /dev/wsl-llm-doctor-test-$$
[ $? = 2 ] && [ ! -e /dev/wsl-llm-doctor-test-$$ ] || fail "--output created a file under /dev"
# a directory, a missing directory: exit 2 with the reason
run --output "$tmp/reports"
[ $? = 2 ] && grep -q "is a directory" "$tmp/err" || fail "--output onto a directory: $(cat "$tmp/err")"
run --output "$tmp/no/such/r.json"
[ $? = 2 ] && grep -q "No such file or directory" "$tmp/err" || fail "--output into a missing directory: $(cat "$tmp/err")"

echo "output: $failures failure(s)"
[ "$failures" = 0 ]
