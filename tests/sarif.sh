#!/bin/sh
# --format sarif for every command that reports findings (issue 30): check on a fixture
# host and on a saved report, lint on the fixture repository, log on a pasted log and on
# stdin. Each document is valid against SARIF 2.1.0's schema (OASIS, vendored in
# tests/fixtures/sarif), and says what the JSON format says: one result per problem with
# its rule (check/outcome), level, fix and sources, every result at a location (code
# scanning refuses a whole file for one without), and the same exit code.
# usage: sarif.sh DOCTOR HOSTS SRCDIR PYTHON
doctor=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") hosts=$(cd "$2" && pwd) src=$(cd "$3" && pwd) py=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$py" -c 'import jsonschema' 2>/dev/null || { echo "SKIP: python3-jsonschema is not installed"; exit 77; }

# compare NAME: $tmp/NAME.sarif against $tmp/NAME.json (the same run in JSON)
compare() {
    "$py" - "$src/tests/fixtures/sarif/sarif-schema-2.1.0.json" "$tmp/$1.sarif" "$tmp/$1.json" "$1" <<'PY' || fail "$1: the SARIF document is not what the JSON report says"
import json, sys, jsonschema
schema, sarif, report, name = sys.argv[1:5]
doc = json.load(open(sarif, "rb"))
jsonschema.Draft4Validator(json.load(open(schema, "rb"))).validate(doc)
rep = json.load(open(report, "rb"))
run = doc["runs"][0]
# what the JSON report calls a problem, as (rule, status, summary, fix)
if "checks" in rep:      # check: report@1
    want = [(c["id"] + "/" + c["outcome"], c["status"], c["summary"], c.get("fix"))
            for c in rep["checks"] if c["status"] in ("warn", "fail", "error")]
elif "files" in rep:     # lint@1
    want = [(x["rule"], x["status"], x["message"], x.get("fix"))
            for f in rep["files"] for x in f.get("findings", [])
            if x["status"] in ("warn", "fail", "error")]
else:                    # log@1
    want = [(x["check"] + "/" + x["signature"], x["status"], x["summary"], x.get("fix"))
            for x in rep["findings"] if x["status"] in ("warn", "fail", "error", "skip")]
level = {"warn": "warning", "fail": "error", "error": "error", "skip": "note"}
got = [(r["ruleId"], r["properties"]["status"], r["message"]["text"].split("\nFix: ")[0],
        r["properties"].get("fix")) for r in run["results"]]
ok = True
def bad(msg):
    global ok
    ok = False
    print(name + ": " + msg)
if got != want:
    bad("results %r, the JSON report's problems %r" % (got[:3], want[:3]))
for r in run["results"]:
    if r["level"] != level[r["properties"]["status"]]:
        bad("%s: level %s for %s" % (r["ruleId"], r["level"], r["properties"]["status"]))
    if not r.get("locations") or not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]:
        bad("%s: no location" % r["ruleId"])
    rule = run["tool"]["driver"]["rules"][r["ruleIndex"]]
    if rule["id"] != r["ruleId"]:
        bad("%s: ruleIndex names %s" % (r["ruleId"], rule["id"]))
    if r["properties"].get("fix") and "\nFix: " not in r["message"]["text"]:
        bad("%s: the fix is not in the message" % r["ruleId"])
if len({x["id"] for x in run["tool"]["driver"]["rules"]}) != len(run["tool"]["driver"]["rules"]):
    bad("a rule is listed twice")
if run["invocations"][0]["exitCode"] != rep["exit_code"]:
    bad("exitCode %s, the report's %s" % (run["invocations"][0]["exitCode"], rep["exit_code"]))
print(name + ": %d results" % len(got))
sys.exit(0 if ok else 1)
PY
}

# run NAME EXPECTED-RC ARGS...: the same command in sarif and json, in directory $dir
dir=$tmp
run() {
    name=$1 want=$2
    shift 2
    (cd "$dir" && "$doctor" "$@" --format sarif) >"$tmp/$name.sarif" 2>"$tmp/$name.err"
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, expected $want: $(head -c 500 "$tmp/$name.err")"
    (cd "$dir" && "$doctor" "$@" --format json) >"$tmp/$name.json" 2>/dev/null
    compare "$name"
}

run check-no-dxg 1 --root "$hosts/wsl2-no-dxg"
run check-healthy 0 --root "$hosts/wsl2-healthy"
# a host finding is at host/CHECK, relative to the repository
"$py" -c 'import json,sys; r = json.load(open(sys.argv[1]))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]; sys.exit(0 if r["artifactLocation"]["uri"].startswith("host/") and r["artifactLocation"]["uriBaseId"] == "%SRCROOT%" else 1)' "$tmp/check-no-dxg.sarif" ||
    fail "check: a host finding is not at host/CHECK"
# --facts: the same verdicts from the saved report
cp "$tmp/check-no-dxg.json" "$tmp/saved.json"
run check-facts 1 --facts "$tmp/saved.json"

dir=$src/tests/lint/repo
run lint-repo 1 lint .
dir=$tmp
# a lint finding is at its file, line and column
"$py" -c '
import json, sys
rs = json.load(open(sys.argv[1]))["runs"][0]["results"]
hit = [r for r in rs if r["ruleId"] == "wsl.wsl-conf/gpu_disabled"]
loc = hit[0]["locations"][0]["physicalLocation"]
sys.exit(0 if loc["artifactLocation"]["uri"] == "bad/wsl.conf" and loc["region"] == {"startLine": 5, "startColumn": 9} else 1)' "$tmp/lint-repo.sarif" ||
    fail "lint: gpu_disabled is not at bad/wsl.conf:5:9"
# a file name that is not a URI as it stands is percent-encoded
mkdir -p "$tmp/odd dir"
printf '[wsl2]\nmemory=8gb\n' >"$tmp/odd dir/.wslconfig"
(cd "$tmp" && "$doctor" lint "odd dir/.wslconfig" --format sarif) >"$tmp/odd.sarif"
grep -q '"uri":	"odd%20dir/.wslconfig"' "$tmp/odd.sarif" || fail "lint: a space in a path is not %20"

run log-file 1 log "$src/tests/logs/docker-gpus-no-driver.log"
"$doctor" log --format sarif <"$src/tests/logs/docker-gpus-no-driver.log" >"$tmp/stdin.sarif"
grep -q '"uri":	"stdin"' "$tmp/stdin.sarif" || fail "log from stdin: results are not at stdin"

# one rule of --fail-on for every format: a warning fails the SARIF run as it fails text
(cd "$src/tests/lint/repo" && "$doctor" lint good --format sarif --fail-on warn >/dev/null)
rc_s=$?
(cd "$src/tests/lint/repo" && "$doctor" lint good --fail-on warn >/dev/null)
rc_t=$?
[ "$rc_s" -eq "$rc_t" ] || fail "--fail-on warn: sarif exits $rc_s, text $rc_t"

[ "$failures" -eq 0 ] || exit 1
echo "sarif: all passed"
