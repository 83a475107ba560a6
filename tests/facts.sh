#!/bin/sh
# --facts REPORT.json (issue 15): every golden host's JSON report, judged again from its
# facts alone, gives the same verdicts (status, outcome, summary, fix, the finding a check
# follows from, exit code) under the same options; redacted reports are judged too; what
# is not a report is refused in one line (exit 2); a report without what a check needs
# says which instead of judging.
# usage: facts.sh DOCTOR HOSTS GOLDEN_DIR PYTHON
doctor=$1 hosts=$2 golden=$3 py=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# same FILE_A FILE_B: the verdicts of two JSON reports, compared
same() {
    "$py" - "$1" "$2" <<'PY'
import json, sys
a, b = (json.load(open(p, "rb")) for p in sys.argv[1:3])
def verdicts(d):
    return {c["id"]: (c["status"], c["outcome"], c["summary"], c["fix"], c.get("caused_by"))
            for c in d["checks"]}
va, vb = verdicts(a), verdicts(b)
bad = [f"{k}: {va.get(k)} != {vb.get(k)}" for k in sorted(set(va) | set(vb)) if va.get(k) != vb.get(k)]
if a["exit_code"] != b["exit_code"]:
    bad.append(f"exit code {a['exit_code']} != {b['exit_code']}")
print("\n".join(bad))
PY
}

n=0
for g in "$golden"/*.json; do
    host=$(basename "$g" .json)
    [ -d "$hosts/$host" ] || continue
    # the golden's options, one per line
    args=$("$py" -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1])).get("args", [])))' "$g")
    set -f
    IFS='
'
    # shellcheck disable=SC2086 # one option per line
    "$doctor" --root "$hosts/$host" --format json $args >"$tmp/live.json" 2>/dev/null
    # shellcheck disable=SC2086
    "$doctor" --facts "$tmp/live.json" --format json $args >"$tmp/again.json" 2>"$tmp/err"
    rc=$?
    unset IFS
    set +f
    diff=$(same "$tmp/live.json" "$tmp/again.json")
    [ -z "$diff" ] || fail "$host: judged again from its facts:
$diff"
    grep -q . "$tmp/err" && fail "$host: --facts wrote to stderr: $(head -c 300 "$tmp/err")"
    n=$((n + 1))
done
[ "$n" -gt 60 ] || fail "only $n golden hosts were judged again"
echo "judged $n golden reports again"

healthy=$hosts/wsl2-healthy
# a redacted report (markdown's default, here JSON with --redact) judges the same
"$doctor" --root "$healthy" --format json --redact >"$tmp/red.json"
"$doctor" --facts "$tmp/red.json" --format json >"$tmp/red-again.json"
diff=$(same "$tmp/red.json" "$tmp/red-again.json")
[ -z "$diff" ] || fail "a redacted report judged again: $diff"
# every format renders a re-judged report
for f in text markdown junit github prometheus; do
    "$doctor" --facts "$tmp/red.json" --format "$f" >/dev/null 2>"$tmp/err" ||
        fail "--facts --format $f: exit $? $(cat "$tmp/err")"
done

# --only a check gathered for others: its facts come from "gathered"
"$doctor" --root "$healthy" --only models.fit --format json >"$tmp/fit.json"
"$doctor" --facts "$tmp/fit.json" --format json >"$tmp/fit-again.json"
diff=$(same "$tmp/fit.json" "$tmp/fit-again.json")
[ -z "$diff" ] || fail "--only models.fit judged again: $diff"

# a report without a fact this version's gather always writes, or without a check that
# another needs: error, naming what is missing, exit 1
"$py" - "$tmp/red.json" "$tmp/old.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["checks"] = [c for c in d["checks"] if c["id"] != "gpu.cuda"]
for c in d["checks"]:
    if c["id"] == "gpu.driver":
        del c["evidence"]["probe"]
json.dump(d, open(sys.argv[2], "w"))
PY
"$doctor" --facts "$tmp/old.json" --format json >"$tmp/old-again.json"
rc=$?
[ "$rc" = 1 ] || fail "a report lacking facts: exit $rc, expected 1"
"$py" - "$tmp/old-again.json" >"$tmp/old.txt" <<'PY'
import json, sys
for c in json.load(open(sys.argv[1]))["checks"]:
    print(c["id"], c["status"], c["outcome"], c["summary"])
PY
grep -q "^gpu.driver error facts_missing not judged: the saved report lacks gpu.driver.probe, the facts of gpu.cuda$" "$tmp/old.txt" ||
    fail "a report lacking gpu.driver.probe and gpu.cuda: $(grep gpu.driver "$tmp/old.txt")"
grep -q "^models.fit error facts_missing .*the facts of gpu.cuda" "$tmp/old.txt" ||
    fail "models.fit without gpu.cuda: $(grep models.fit "$tmp/old.txt")"
grep -q "^wsl.kernel pass " "$tmp/old.txt" || fail "wsl.kernel, whose facts are there: $(grep wsl.kernel "$tmp/old.txt")"
grep -q "^gpu.cuda " "$tmp/old.txt" && fail "gpu.cuda, not in the report, was judged"

# a hand-edited report whose facts have other types or are missing (the fuzz target's
# regression seeds): each check judged, no crash, exit 0 or 1
for seed in "$golden"/../fuzz/seeds/facts/regress-*.json; do
    "$py" - "$seed" "$tmp/hostile.json" <<'PY'
import json, sys
facts = json.load(open(sys.argv[1]))
json.dump({"schema": "wsl-llm-doctor/report@1",
           "checks": [{"id": k, "evidence": v} for k, v in facts.items()]}, open(sys.argv[2], "w"))
PY
    "$doctor" --facts "$tmp/hostile.json" --format json >"$tmp/hostile-out.json" 2>"$tmp/err"
    rc=$?
    case $rc in 0 | 1) ;; *) fail "$(basename "$seed"): exit $rc: $(head -c 300 "$tmp/err")" ;; esac
    "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); f=json.load(open(sys.argv[2])); sys.exit(0 if sorted(c["id"] for c in d["checks"]) == sorted(f) else 1)' \
        "$tmp/hostile-out.json" "$seed" || fail "$(basename "$seed"): not every check was judged"
done

# what is not a report: one line, exit 2
expect_usage() {
    what=$1 pattern=$2
    shift 2
    "$doctor" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 2 ] || fail "$what: exit $rc, expected 2"
    [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "$pattern" "$tmp/err" ||
        fail "$what: stderr: $(cat "$tmp/err")"
    [ -s "$tmp/out" ] && fail "$what: wrote a report"
}
printf 'not json' >"$tmp/bad"
expect_usage "a text file" "^wsl-llm-doctor: --facts $tmp/bad: not JSON (it breaks at byte 0)" --facts "$tmp/bad"
echo '{"checks": []}' >"$tmp/bad"
expect_usage "JSON of another kind" "JSON, but not a wsl-llm-doctor report (schema missing" --facts "$tmp/bad"
"$doctor" --root "$healthy" --format markdown >"$tmp/report.md"
expect_usage "a markdown report" "not JSON" --facts "$tmp/report.md"
expect_usage "a directory" "a directory, not a JSON report" --facts "$tmp"
expect_usage "a missing file" "No such file or directory" --facts "$tmp/nosuch.json"
expect_usage "a device" "^wsl-llm-doctor: --facts /dev/zero: a character device, not a JSON report" --facts /dev/zero
mkfifo "$tmp/fifo"
expect_usage "a FIFO nothing writes" "^wsl-llm-doctor: --facts $tmp/fifo: empty (no process is writing to the FIFO)" --facts "$tmp/fifo" --timeout 0.3
"$doctor" --root "$healthy" --format json >"$tmp/piped.json"
"$doctor" --facts /dev/stdin --format json <"$tmp/piped.json" >"$tmp/piped-again.json" || fail "--facts /dev/stdin: exit $?"
diff=$(same "$tmp/piped.json" "$tmp/piped-again.json")
[ -z "$diff" ] || fail "--facts from a pipe: $diff"
expect_usage "--facts with --root" "examines no host" --facts "$tmp/red.json" --root "$healthy"
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); d["checks"]=[{"id": c["id"]} for c in d["checks"]]; json.dump(d, open(sys.argv[2], "w"))' "$tmp/red.json" "$tmp/bad"
expect_usage "a report without evidence" "a report with no check's evidence" --facts "$tmp/bad"

[ "$failures" = 0 ] || { echo "facts: $failures failure(s)"; exit 1; }
echo "facts: ok"
