#!/bin/sh
# The three places a report goes: a bug thread (markdown, redaction, record and replay), a
# CI gate (junit, github, prometheus, --output), a terminal (the live note, never waiting
# on stdin). Usage: reports.sh DOCTOR HOSTS PYTHON
doctor=$1 hosts=$2 py=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# every personal value in the wsl2-personal host (tests/fixtures/tools/report_hosts.py)
personal='mjones|mary jones|mjones-gaming-rig|6f1c2a3b|203\.0\.113\.77|ghp_zx81|sk-local-9f8e'
bad=$hosts/wsl2-driver-older-than-toolkit personal_host=$hosts/wsl2-personal
# how many checks the doctor has: reports list them all
n=$("$doctor" list --format json | "$py" -c 'import json, sys; print(len(json.load(sys.stdin)))')

# --- markdown: a table of verdicts, evidence folded, redacted by default
"$doctor" --root "$bad" --format markdown >"$tmp/md" 2>"$tmp/err"
[ $? = 1 ] || fail "markdown: exit status is not 1 on a failing host"
grep -q '^| ❌ fail | `gpu.driver` | driver 522.25' "$tmp/md" || fail "markdown: no failing gpu.driver row"
grep -q "^<details><summary>Evidence ($n checks" "$tmp/md" || fail "markdown: evidence not folded"
[ -s "$tmp/err" ] && fail "markdown: wrote to stderr: $(head -c 200 "$tmp/err")"
"$doctor" --root "$personal_host" --format markdown >"$tmp/md" 2>&1
grep -q -i -E "$personal" "$tmp/md" && fail "markdown leaks: $(grep -o -i -E "$personal" "$tmp/md" | sort -u | tr '\n' ' ')"
grep -q '^<sub>Redacted: 1 Linux user name, 1 Windows user name, 1 hostname' "$tmp/md" ||
    fail "markdown: does not end with what was redacted: $(tail -n 1 "$tmp/md")"
grep -q '`/home/user01/llama.cpp/build/bin/llama-server`\|/home/user01/llama.cpp/build/bin/llama-server' "$tmp/md" ||
    fail "markdown: the home path is not readable with its token"
"$doctor" --root "$personal_host" --format markdown --no-redact >"$tmp/md" 2>&1
grep -q 'mjones' "$tmp/md" || fail "--no-redact: the user name is gone"
grep -q 'Redacted' "$tmp/md" && fail "--no-redact: still says it redacted"

# fixes keep their commands as typed: a code span is not HTML-escaped ("&amp;&amp;" would be
# pasted), a '|' in it does not end the cell, and text outside it cannot turn into markup
nine=$tmp/ninep
cp -a "$hosts/wsl2-models-on-9p" "$nine"
mv "$nine/mnt/c/Users/alice/Downloads/Meta-Llama-3-70B-Instruct-Q4_K_M.gguf" "$nine/mnt/c/Users/alice/Downloads/a|b~c_d.gguf"
sed -i 's|^LLAMA_ARG_MODEL=.*|LLAMA_ARG_MODEL=/mnt/c/Users/alice/Downloads/a\|b~c_d.gguf|' "$nine/.doctor/env"
"$doctor" --root "$nine" --format markdown --only models.storage >"$tmp/md" 2>&1
grep -q "| Move it into the Linux file system: \`mkdir -p ~/models && mv '/mnt/c/Users/user1/Downloads/a\\\\|b~c_d.gguf' ~/models/\`, and point llama.cpp there. |$" "$tmp/md" ||
    fail "markdown: the fix's command is not kept as typed: $(grep models.storage "$tmp/md")"
if command -v cmark-gfm >/dev/null; then
    # as GitHub shows it: four cells, the command whole, the name's characters as they are
    cmark-gfm -e table "$tmp/md" >"$tmp/html"
    grep -q "<code>mkdir -p ~/models &amp;&amp; mv '/mnt/c/Users/user1/Downloads/a|b~c_d.gguf' ~/models/</code>" "$tmp/html" ||
        fail "markdown rendered: the command is not whole: $(grep -o '<td>.*models/.*</td>' "$tmp/html")"
    grep -q "a|b~c_d.gguf is on /mnt/c" "$tmp/html" || fail "markdown rendered: the path in the finding is changed: $(grep -o '<td>/mnt.*</td>' "$tmp/html" | head -c 300)"
    grep -q "&amp;amp;\|<del>\|<em>" "$tmp/html" && fail "markdown rendered: escaped twice, struck through or emphasised"
    [ "$(grep -c '<td' "$tmp/html")" = 4 ] || fail "markdown rendered: the models.storage row is not four cells"
else
    echo "note: cmark-gfm is not installed: the markdown is not rendered as GitHub would"
fi

# --- json: not redacted unless asked; the schema's host summary
"$doctor" --root "$personal_host" --format json --redact >"$tmp/json"
grep -q -i -E "$personal" "$tmp/json" && fail "json --redact leaks"
"$py" - "$tmp/json" <<'EOF' || fail "json --redact: no redacted kinds or host summary"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["redacted"] == {"user": 1, "windows_user": 1, "hostname": 1, "environment": 3}, d["redacted"]
assert d["host"]["platform"] == "wsl2" and d["host"]["gpus"][0]["name"] == "NVIDIA GeForce RTX 4090"
assert d["host"]["llama_server"] == "/home/user01/llama.cpp/build/bin/llama-server", d["host"]
# each verdict carries its rules key, for gates that must not match prose
assert all(c["outcome"] for c in d["checks"])
assert {c["id"]: c["outcome"] for c in d["checks"]}["gpu.driver"] == "ok", d["checks"][4]
EOF
"$doctor" --root "$personal_host" --format json | grep -q '"redacted"' && fail "json: redacted by default"

# --- junit: one testcase per check; fail and error are failures, skip is skipped
"$doctor" --root "$hosts/wsl2-nvidia-smi-hangs" --timeout 1 --format junit >"$tmp/junit"
"$py" - "$tmp/junit" "$n" <<'EOF' || fail "junit: wrong shape"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = suite.findall("testcase")
assert len(cases) == int(sys.argv[2]) and suite.get("tests") == sys.argv[2], len(cases)
failed = {c.get("name"): c.find("failure").get("type") for c in cases if c.find("failure") is not None}
assert failed.get("gpu.driver") == "error", failed
assert int(suite.get("failures")) == len(failed)
assert all(c.get("classname").startswith("wsl-llm-doctor.") for c in cases)
EOF
"$doctor" --root "$hosts/native-cuda-sees-one-of-two" --format junit --fail-on warn >"$tmp/junit"
"$py" - "$tmp/junit" <<'EOF' || fail "junit: skipped checks or --fail-on warn"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot().find("testsuite")
skipped = [c for c in suite.findall("testcase") if c.find("skipped") is not None]
assert len(skipped) == int(suite.get("skipped")) > 0
warned = [c for c in suite.findall("testcase") if c.find("failure") is not None and c.find("failure").get("type") == "warn"]
assert len(warned) > 0, "a warning is a failure under --fail-on warn"
EOF

# --- github: one annotation line per problem, the markdown on the run's page; none for
# cuda.toolkit, whose finding follows from gpu.driver's (one cause, one failure)
GITHUB_STEP_SUMMARY="$tmp/summary" "$doctor" --root "$bad" --format github >"$tmp/gh"
[ "$(grep -c '^::error title=' "$tmp/gh")" = 3 ] || fail "github: not 3 ::error lines"
grep -q '^::error title=gpu.driver/[a-z_0-9]*::driver 522.25 .*%0Afix: Install NVIDIA driver' "$tmp/gh" ||
    fail "github: the gpu.driver annotation lacks its fix"
skipped=$("$doctor" --root "$bad" --format json | "$py" -c 'import json, sys; print(json.load(sys.stdin)["summary"]["skip"])')
grep -q "^::notice title=wsl-llm-doctor .*::$n checks: $((n - 3 - skipped)) passed, 0 warned, 3 failed, $skipped skipped (1 follows from another finding)" "$tmp/gh" || fail "github: no summary notice"
[ "$(wc -l <"$tmp/gh")" = 4 ] || fail "github: a message spans lines"
grep -q '^| ❌ fail | `models.fit`' "$tmp/summary" || fail "github: GITHUB_STEP_SUMMARY lacks the markdown report"

# --- prometheus: node_exporter textfile metrics
"$doctor" --root "$bad" --format prometheus --output "$tmp/doctor.prom" >"$tmp/out"
[ -s "$tmp/out" ] && fail "--output: the report also went to stdout"
grep -q '^wsl_llm_doctor_check_status{check="gpu.driver",status="fail"} 1$' "$tmp/doctor.prom" || fail "prometheus: gpu.driver fail is not 1"
grep -q '^wsl_llm_doctor_checks{status="fail"} 3$' "$tmp/doctor.prom" || fail "prometheus: fail count"
grep -q '^wsl_llm_doctor_build_info{rules_version="[0-9.]*",version="[0-9.]*"} 1$' "$tmp/doctor.prom" || fail "prometheus: build_info"
if command -v promtool >/dev/null; then
    promtool check metrics <"$tmp/doctor.prom" || fail "promtool check metrics"
else
    echo "note: promtool not installed (Debian: prometheus): metrics lint skipped"
fi
[ "$(stat -c %a "$tmp/doctor.prom")" = 644 ] || fail "--output: file mode is not 0644"
ls -a "$tmp" | grep -q '^\.doctor\.prom\.' && fail "--output: left its temporary file"
"$doctor" --root "$bad" --format json --output "$tmp/no/such/dir/r.json" >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] || fail "--output into a missing directory: exit status is not 2"
grep -q "^wsl-llm-doctor: --output $tmp/no/such/dir/r.json: No such file or directory" "$tmp/err" || fail "--output error: $(cat "$tmp/err")"

# --- record and replay: the same report from the recording, for every fixture host
n=0
for h in "$hosts"/*/; do
    name=$(basename "$h")
    "$doctor" record "$tmp/rec-$name" --root "$h" --timeout 1 --format json >"$tmp/a.json" 2>"$tmp/rec.err"
    grep -q "^Replay it with: wsl-llm-doctor --root $tmp/rec-$name" "$tmp/rec.err" || fail "record $name: $(cat "$tmp/rec.err")"
    "$doctor" --root "$tmp/rec-$name" --timeout 1 --format json >"$tmp/b.json" 2>/dev/null
    "$py" "$here/tools/report_diff.py" "$tmp/a.json" "$tmp/b.json" >"$tmp/diff" ||
        fail "replay of $name differs from its recording: $(head -n 6 "$tmp/diff")"
    [ "$name" = wsl2-personal ] || rm -rf "$tmp/rec-$name"
    n=$((n + 1))
done
echo "recorded and replayed $n hosts"
# a replay answers a recorded command from its files without a shell, but a script edited
# by hand (a fake that does more than print what was recorded) runs as it is
"$doctor" record "$tmp/edited" --root "$hosts/wsl2-healthy" --only gpu.driver >/dev/null 2>&1
smi=$("$py" -c 'import json, sys
print(next(c["key"] for c in json.load(open(sys.argv[1]))["commands"] if c["argv"][0].endswith("/nvidia-smi")))' \
    "$tmp/edited/.doctor/recording.json")
sed -i 's|^cat "$d.out"$|cat "$d.out" \| sed s/566.36/552.22/|' "$tmp/edited/.doctor/commands/$smi"
"$doctor" --root "$tmp/edited" --only gpu.driver >"$tmp/out" 2>&1
grep -q '^WARN   gpu.driver  driver 552.22 (Windows) is older than' "$tmp/out" ||
    fail "a recorded command's edited script did not run: $(grep gpu.driver "$tmp/out")"
rm -rf "$tmp/edited"
rec=$tmp/rec-wsl2-personal
grep -r -q -i -E "$personal" "$rec" && fail "recording leaks: $(grep -r -l -i -E "$personal" "$rec" | head -n 3)"
find "$rec" | grep -q -i -E "$personal" && fail "recording leaks in a file name"
# wsl.exe writes UTF-16LE to a pipe: its recorded output must lose them as well
leaks=$("$py" - "$rec" "$personal" <<'EOF'
import os, re, sys
rec, pattern = sys.argv[1:3]
words = [w.replace("\\", "") for w in pattern.split("|")]
for d, _, files in os.walk(rec):
    for f in files:
        with open(os.path.join(d, f), "rb") as fh:  # model files are sparse and huge
            data = fh.read(1 << 22).lower()
        if b"\0" in data and any(w.encode("utf-16-le") in data for w in words):
            print(os.path.join(d, f))
EOF
)
[ -z "$leaks" ] || fail "recording leaks in UTF-16LE: $leaks"
[ -d "$rec/home/user01/llama.cpp" ] || fail "recording: the home is not under its token"
for h in wsl2-personal wsl2-cuda-crash; do
    "$doctor" record "$tmp/plain" --root "$hosts/$h" --no-redact --format json >"$tmp/a.json" 2>/dev/null
    "$doctor" --root "$tmp/plain" --format json >"$tmp/b.json"
    "$py" "$here/tools/report_diff.py" "$tmp/a.json" "$tmp/b.json" >"$tmp/diff" || fail "--no-redact replay of $h: $(head -n 4 "$tmp/diff")"
    rm -rf "$tmp/plain"
done
"$doctor" record "$rec" --root "$personal_host" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "record into a non-empty directory: exit status is not 2"
grep -q "exists and is not empty" "$tmp/err" || fail "record into a non-empty directory: $(cat "$tmp/err")"

# --- a terminal: the live note names the probe still running, on stderr only
if command -v script >/dev/null; then
    env -u CI script -qec "$doctor --root $hosts/wsl2-nvidia-smi-hangs --only gpu.driver --timeout 1.5 --no-color" /dev/null >"$tmp/tty" 2>&1
    grep -q 'still running: nvidia-smi (gpu.driver), [01]\.[0-9] s' "$tmp/tty" || fail "no live note on a terminal: $(head -c 300 "$tmp/tty")"
fi
"$doctor" --root "$hosts/wsl2-nvidia-smi-hangs" --only gpu.driver --timeout 1 >/dev/null 2>"$tmp/err"
[ -s "$tmp/err" ] && fail "live note written when stderr is not a terminal"

# --- never waits on stdin: an open pipe that never ends changes nothing
mkfifo "$tmp/stdin"
sleep 30 >"$tmp/stdin" &
writer=$!
"$doctor" --root "$hosts/wsl2-healthy" <"$tmp/stdin" >/dev/null &
pid=$!
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $pid 2>/dev/null; then
    fail "the doctor waits on stdin"
    kill $pid
fi
kill $writer 2>/dev/null

echo "reports: $failures failure(s)"
[ "$failures" = 0 ]
