#!/bin/sh
# Rules that outlive the binary (issue 17): `rules update` against a loopback server the
# test starts (tests/tools/http_stub.py), into a private XDG_DATA_HOME. A good bundle is
# installed and used; a corrupt, truncated, wrongly summed, older, missing or slow one
# changes nothing and says why; a download killed midway leaves the installed bundle as
# it was and no half-written file; `rules show` says where the rules in force came from.
# usage: rules_update.sh DOCTOR SRCDIR
. "$2/tests/tools/stub.sh" "$1" "$2"
export XDG_DATA_HOME=$tmp/data
installed=$XDG_DATA_HOME/wsl-llm-doctor/rules.json

# bundles: the rules in force with another version (newer, older), and a corrupt copy
"$doctor" rules >"$tmp/current.json"
bundle() { # NAME VERSION
    "$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["version"] = sys.argv[2]
json.dump(d, open(sys.argv[3], "w"))' "$tmp/current.json" "$2" "$srv/$1"
    sha256sum "$srv/$1" | cut -d' ' -f1 >"$srv/$1.sha256"
}
cp "$tmp/current.json" "$srv/unsummed.json"
bundle new.json 2099.1.0
bundle newer.json 2099.2.0
bundle old.json 2000.1.0
cp "$srv/newer.json" "$srv/corrupt.json"
printf 'x' | dd of="$srv/corrupt.json" bs=1 seek=100 conv=notrunc 2>/dev/null
cp "$srv/newer.json.sha256" "$srv/corrupt.json.sha256"
printf '{"schema": "wsl-llm-doctor/rules@1", "version": "2099.9.0", "checks": {}}' >"$srv/invalid.json"
sha256sum "$srv/invalid.json" | cut -d' ' -f1 >"$srv/invalid.json.sha256"
# a newer bundle whose caused-by link names its own check: validated as --rules is
"$py" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["version"] = "2099.9.1"
d["checks"]["gpu.driver"]["outcomes"]["missing_native"]["follows"] = [
    {"check": "gpu.driver", "outcomes": ["missing_wsl"]}]
json.dump(d, open(sys.argv[2], "w"))' "$tmp/current.json" "$srv/selflink.json"
sha256sum "$srv/selflink.json" | cut -d' ' -f1 >"$srv/selflink.json.sha256"

# no URL: this build names none
"$doctor" rules update >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q -- "--url" "$tmp/err" || fail "no URL: $(cat "$tmp/err")"

# a good bundle, its checksum published beside it
"$doctor" rules update --url "$base/new.json" >"$tmp/out" 2>"$tmp/err" || fail "update: $(cat "$tmp/err")"
grep -q "installed rules 2099.1.0" "$tmp/out" || fail "update says: $(cat "$tmp/out")"
cmp -s "$installed" "$srv/new.json" || fail "the installed bundle is not the download"
"$doctor" rules show >"$tmp/out"
grep -q "^rules 2099.1.0" "$tmp/out" && grep -q "installed by .rules update. from $base/new.json" "$tmp/out" ||
    fail "rules show: $(cat "$tmp/out")"
"$doctor" --root "$src/tests/fixtures/hosts/native-linux" --only wsl.platform --format json |
    grep -q '"version":[[:space:]]*"2099.1.0"' || fail "a check does not judge by the installed rules"
"$doctor" --rules "$tmp/current.json" rules show | grep -q -- "(--rules)" || fail "--rules does not win"

# what must change nothing, each with its reason
check_unchanged() { # WHAT
    cmp -s "$installed" "$srv/new.json" || fail "$1 changed the installed bundle"
    ls -a "$XDG_DATA_HOME/wsl-llm-doctor" | grep -q -v -x -E '\.|\.\.|rules\.json|rules\.json\.source' &&
        fail "$1 left: $(ls -a "$XDG_DATA_HOME/wsl-llm-doctor" | tr '\n' ' ')"
    return 0
}
expect_refused() { # WHAT PATTERN ARGS...
    what=$1 pattern=$2
    shift 2
    "$doctor" rules update "$@" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc = 1 ] || fail "$what: exit $rc"
    grep -q -E "$pattern" "$tmp/err" || fail "$what: $(cat "$tmp/err")"
    grep -q "nothing changed" "$tmp/err" || fail "$what does not say nothing changed"
    check_unchanged "$what"
}
expect_refused corrupt "sha256 [0-9a-f]*, expected" --url "$base/corrupt.json"
expect_refused truncated "sha256|transfer|closed|partial" --url "$base/truncated/newer.json"
expect_refused "wrong --sha256" "expected 0{64}" --url "$base/newer.json" --sha256 "$(printf '0%.0s' $(seq 64))"
expect_refused older "not newer than the 2099.1.0 in force" --url "$base/old.json"
expect_refused "not found" "HTTP 404" --url "$base/missing.json"
expect_refused "no checksum" "no checksum" --url "$base/unsummed.json"
expect_refused "not a rules bundle" "not a rules bundle" --url "$base/invalid.json"
expect_refused "a bad caused-by link" "a check cannot follow itself" --url "$base/selflink.json"
expect_refused "endless body" "larger than|within" --url "$base/forever" --timeout 5
start=$(date +%s)
expect_refused slow "within 1.0 s" --url "$base/slow/newer.json" --timeout 1
[ $(($(date +%s) - start)) -le 5 ] || fail "a slow server held the update past its deadline"
expect_refused "an ftp URL" "only https,file" --url "ftp://127.0.0.1/newer.json"

# killed midway through a download: the installed bundle stays whole
"$doctor" rules update --url "$base/slow/newer.json" --timeout 60 >/dev/null 2>&1 &
pid=$!
sleep 2
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
check_unchanged "a killed download"

# a newer bundle replaces it, and the previous one is kept
"$doctor" rules update --url "$base/newer.json" >/dev/null 2>"$tmp/err" || fail "second update: $(cat "$tmp/err")"
cmp -s "$installed.prev" "$srv/new.json" || fail "the previous bundle was not kept"
cmp -s "$installed" "$srv/newer.json" || fail "the newer bundle is not installed"

# an installed bundle that is unusable or older than the binary's is passed over, said so
printf 'garbage' >"$installed"
"$doctor" rules show >"$tmp/out" 2>"$tmp/err" || fail "an unusable installed bundle stops the doctor"
grep -q "built into this binary" "$tmp/out" && grep -q "are unusable" "$tmp/err" ||
    fail "unusable installed bundle: $(cat "$tmp/out" "$tmp/err")"
cp "$srv/old.json" "$installed"
"$doctor" rules show >"$tmp/out" 2>"$tmp/err"
grep -q "built into this binary" "$tmp/out" && grep -q "older than this binary" "$tmp/err" ||
    fail "older installed bundle: $(cat "$tmp/out" "$tmp/err")"

echo "rules update: $failures failure(s)"
[ "$failures" = 0 ]
