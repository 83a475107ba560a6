#!/bin/sh
# A machine without the libraries only some checks need (libcurl, libpci): the doctor
# starts, runs every check, says once that server.health's query and `rules update` need
# libcurl, and gpu.pci says libpci is missing and how to install it. The libraries are hidden
# for real: in a private mount namespace (unshare), an empty file is bind-mounted over each
# file the loader would open for libcurl.so.4 and libpci.so.3. Also: neither the doctor nor
# its probe helper links them (ldd). Skips (77) where unshare is not permitted.
# usage: optional_libs.sh DOCTOR SRCDIR
doctor=$1 src=$2
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
probe=$(dirname "$doctor")/wsl-llm-doctor-probe
ldd "$doctor" | grep -E -q 'libcurl|libpci' &&
    fail "the doctor links what it loads when needed: $(ldd "$doctor" | grep -E 'libcurl|libpci')"
[ -x "$probe" ] || fail "no probe helper beside the doctor ($probe)"
ldd "$probe" | grep -E -q 'libcurl|libpci|libyaml' && fail "the probe helper links more than it needs: $(ldd "$probe")"
if [ "$(id -u)" = 0 ]; then ns="unshare -m"; else ns="unshare -rm"; fi
$ns true 2>/dev/null || { echo "unshare -m is not permitted here"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty"
# the files the loader opens for each: its cache's entries, their targets
ldconfig -p | awk '$1 == "libcurl.so.4" || $1 == "libpci.so.3" { print $NF }' | while read -r f; do
    readlink -f "$f"
done | sort -u >"$tmp/libs"
[ -s "$tmp/libs" ] || echo "note: none of them in the loader's cache; nothing to hide"
host=$src/tests/fixtures/hosts/wsl2-healthy
cat >"$tmp/run.sh" <<EOS
while read -r f; do mount --bind "$tmp/empty" "\$f" || exit 3; done <"$tmp/libs"
unset LD_LIBRARY_PATH LD_PRELOAD
export XDG_DATA_HOME="$tmp/data"
"$doctor" --version >"$tmp/version" 2>&1 || echo "version \$?" >>"$tmp/rcs"
"$doctor" list --format json >"$tmp/list.json" 2>&1 || echo "list \$?" >>"$tmp/rcs"
# a URL the user named is asked live, also from a recorded host: the one fetch here
"$doctor" --root "$host" --server http://127.0.0.1:9 --format json >"$tmp/report.json" 2>"$tmp/check.err"
echo "check \$?" >>"$tmp/rcs"
"$doctor" rules update --url https://127.0.0.1:9/rules.json --sha256 \
    0000000000000000000000000000000000000000000000000000000000000000 >"$tmp/update.out" 2>"$tmp/update.err"
echo "update \$?" >>"$tmp/rcs"
EOS
$ns sh "$tmp/run.sh" || { echo "FAIL: could not hide libcurl (exit $?)"; exit 1; }
grep -q '^wsl-llm-doctor [0-9]' "$tmp/version" || fail "--version: $(cat "$tmp/version")"
grep -q '^check [01]$' "$tmp/rcs" || fail "check: $(cat "$tmp/rcs") $(head -c 400 "$tmp/check.err")"
"${PYTHON:-python3}" - "$tmp/list.json" "$tmp/report.json" <<'EOP' || fail "not every check ran"
import json, sys
ids = [c["id"] for c in json.load(open(sys.argv[1]))]
report = json.load(open(sys.argv[2]))
ran = [c["id"] for c in report["checks"]]
missing = sorted(set(ids) - set(ran))
assert not missing, missing
health = next(c for c in report["checks"] if c["id"] == "server.health")
assert "libcurl" in json.dumps(health), health
pci = next(c for c in report["checks"] if c["id"] == "gpu.pci")
assert pci.get("outcome") == "libpci_missing" and "libpci3" in pci.get("fix", ""), {k: pci.get(k) for k in ("outcome", "status", "fix")}
EOP
n=$(grep -c "server.health's query.*rules update.*need" "$tmp/check.err")
[ "$n" = 1 ] || fail "check says $n times what needs libcurl: $(cat "$tmp/check.err")"
grep -q '^update [1-9]' "$tmp/rcs" || fail "rules update did not fail: $(cat "$tmp/rcs")"
n=$(grep -c "rules update.*need" "$tmp/update.err")
[ "$n" = 1 ] || fail "rules update says $n times what needs libcurl: $(cat "$tmp/update.err")"
echo "optional libraries: $failures failure(s)"
[ "$failures" = 0 ]
