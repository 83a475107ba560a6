#!/bin/sh
# `wsl-llm-doctor log` and `check --log` (issue 18) as users run them: every report format,
# stdin, redaction of a paste's personal values, files that are not logs, hostile input
# (NUL bytes, binary garbage, a 10 MB line, cut UTF-8, UTF-16LE, CRLF and colours, a 64 MB
# stream), and a log held against a fixture host: host-arch-missing, host-build-differs,
# host-driver-newer. Per-signature verdicts: tests/logs/run.py.
# usage: log.sh DOCTOR SRCDIR HOSTS PYTHON
doctor=$1 src=$2 hosts=$3 py=$4
logs=$src/tests/logs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# sigs FILE: the findings of a log@1 JSON as "signature:status@line,line" words
sigs() {
    "$py" -c 'import json,sys
d = json.load(open(sys.argv[1], "rb"))
assert d["schema"] == "wsl-llm-doctor/log@1", d["schema"]
print(" ".join(f["signature"] + ":" + f["status"] + "@" + ",".join(map(str, f["lines"])) for f in d["findings"]))' "$1"
}
# fact FILE EXPR: a Python expression on the JSON document d
fact() { "$py" -c 'import json,sys; d = json.load(open(sys.argv[1], "rb")); print(eval(sys.argv[2]))' "$1" "$2"; }

oom=$logs/synthetic-wsl-oom-computed-fix.log

# text: the verdict, the fix, the lines, exit 1 on a fail
"$doctor" log "$oom" >"$tmp/t"
rc=$?
[ $rc -eq 1 ] || fail "text: exit $rc, expected 1"
grep -q '^FAIL   models.fit  llama-server ran out of GPU memory with Qwen2.5-14B-Instruct-Q4_K_M.gguf' "$tmp/t" ||
    fail "text: no OOM line: $(head -c 400 "$tmp/t")"
# the computed fix: 7096 MiB free, 8148 MiB of weights for 49 layers and 16384 context
grep -q 'fix: From the log.s own figures (7096 MiB free, 8148 MiB of weights for 49 layers, 3072 MiB of KV cache at 16384 context): `-ngl 27` (of 49) fits' "$tmp/t" ||
    fail "text: computed fix: $(grep fix: "$tmp/t")"
grep -q 'lines 3, 9, 22, 23, 24, 25 · signature oom' "$tmp/t" || fail "text: evidence lines: $(grep lines "$tmp/t")"

# a healthy log: what it shows, no failure, exit 0
"$doctor" log "$logs/llamacpp-10739-h100-healthy-load.log" >"$tmp/h"
rc=$?
[ $rc -eq 0 ] || fail "healthy: exit $rc"
grep -q 'shows: llama-cli build 4296 (07a61394), cc (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0 for x86_64-linux-gnu; CUDA0 NVIDIA H100 80GB HBM3 (compute capability 9.0); model ldm-f16.gguf; 33/33 layers offloaded, 4096 context; on Linux (WSL or native: the log does not say)$' "$tmp/h" ||
    fail "healthy: $(sed -n 3p "$tmp/h")"
grep -q '^No known failure in this log.$' "$tmp/h" || fail "healthy: no 'No known failure'"

# today's llama-server at its default verbosity (-lv 3) logs no build, device or offload
# line: every format says what the log could not show and the flag that logs it, exit 0
quiet=$logs/synthetic-llama-server-b10309-default-verbosity.log
"$doctor" log "$quiet" >"$tmp/q"
rc=$?
[ $rc -eq 0 ] || fail "default verbosity: exit $rc"
grep -q '^SKIP   llama.build  llama-server logged at verbosity 3 (line 1), which leaves out its build, its backends and devices and the layers it offloaded' "$tmp/q" ||
    fail "default verbosity: text: $(cat "$tmp/q")"
grep -q 'fix: Start llama-server with `-lv 4` (`--verbosity 4`, or LLAMA_ARG_LOG_VERBOSITY=4) to log them, or `-v` (`--verbose`)' "$tmp/q" ||
    fail "default verbosity: text: no flag"
grep -q '^No known failure in this log.$' "$tmp/q" || fail "default verbosity: text: a failure said"
"$doctor" log "$quiet" --format json >"$tmp/q.json"
[ "$(sigs "$tmp/q.json")" = "startup-not-logged:skip@1" ] || fail "default verbosity: json: $(sigs "$tmp/q.json")"
[ "$(fact "$tmp/q.json" 'd["facts"]["not_shown"], d["summary"]["skip"], d["exit_code"]')" = "(['build', 'devices', 'backends', 'offload'], 1, 0)" ] ||
    fail "default verbosity: json facts: $(fact "$tmp/q.json" 'd["facts"]')"
"$doctor" log "$quiet" --format markdown >"$tmp/q.md"
grep -q '^| ⏭️ skip | line 1 | llama-server logged at verbosity 3 .*`-lv 4`.* | `llama.build/startup-not-logged` |$' "$tmp/q.md" || fail "default verbosity: markdown: $(cat "$tmp/q.md")"
"$doctor" log "$quiet" --format github >"$tmp/q.gh"
grep -q '^::notice file=.*,line=1,title=llama.build/startup-not-logged::llama-server logged at verbosity 3.*-lv 4' "$tmp/q.gh" ||
    fail "default verbosity: github: $(cat "$tmp/q.gh")"
"$doctor" log "$quiet" --format junit >"$tmp/q.xml"
grep -q 'skipped="1"' "$tmp/q.xml" && grep -q '<skipped message="llama-server logged at verbosity 3' "$tmp/q.xml" ||
    fail "default verbosity: junit: $(cat "$tmp/q.xml")"
# check --log: under llama.build, not counted as a failure
"$doctor" check --root "$hosts/wsl2-healthy" --only llama.build --log "$quiet" >"$tmp/qc" 2>/dev/null
rc=$?
[ $rc -eq 0 ] || fail "default verbosity: check --log: exit $rc"
grep -q '^SKIP   llama.build  log, line 1: llama-server logged at verbosity 3 .*(`-lv 4` logs them)$' "$tmp/qc" ||
    fail "default verbosity: check --log: $(cat "$tmp/qc")"
# ... and not on a log that shows those lines (-lv 4), nor on one that is no llama-server's
for l in synthetic-llama-server-b10309-lv4-cuda.log synthetic-llama-server-router-lv4.log llamacpp-10739-h100-healthy-load.log; do
    "$doctor" log "$logs/$l" --format json >"$tmp/n.json"
    [ "$(sigs "$tmp/n.json")" = "" ] || fail "$l: $(sigs "$tmp/n.json")"
done
printf 'verbosity = 3 (adjust with the `-lv N` CLI arg)\nmain: loading model\n' | "$doctor" log - --format json >"$tmp/n.json"
[ "$(sigs "$tmp/n.json")" = "" ] || fail "not llama-server: $(sigs "$tmp/n.json")"
# llama.cpp's tags read without its stamps too (--no-log-prefix), and the router's "[PORT] "
printf '%s\n' 'cmn  common_param: common_params_print_info: build 10309 (82bb48500) with GNU 12.2.0 for Linux x86_64' \
    'cmn  common_param:   - CUDA0   : NVIDIA GeForce RTX 3090 (24135 MiB, 23806 MiB free)' \
    'srv          load: spawning server instance with name=m on port 40001' \
    '[40001] srv    load_model: loading model '"'"'/srv/models/m.gguf'"'"'' \
    '[40001] srv    load_model: initializing, n_slots = 1, n_ctx_slot = 8192, kv_unified = '"'"'false'"'"'' |
    "$doctor" log - --format json >"$tmp/np.json"
[ "$(fact "$tmp/np.json" 'd["facts"]["build"]["target"], d["facts"]["devices"][0]["free_mib"], d["facts"]["router"]["children"][0]["model"], d["facts"]["router"]["children"][0]["n_ctx_slot"]')" = "('Linux x86_64', 23806, '/srv/models/m.gguf', 8192)" ] ||
    fail "tags without stamps: $(fact "$tmp/np.json" 'd["facts"]')"
# -fit that failed (a warning, logged at the default verbosity): its reason is kept
printf '%s\n' '0.00.048.696 W common_fit_params: failed to fit params to free device memory: was unable to fit model into system memory by reducing context, abort' |
    "$doctor" log - --format json >"$tmp/fit.json"
[ "$(fact "$tmp/fit.json" 'd["facts"]["fit"]["result"]')" = "failed: was unable to fit model into system memory by reducing context, abort" ] ||
    fail "fit failed: $(fact "$tmp/fit.json" 'd["facts"]')"
# today's build line: the build, its compiler and target; Linux, WSL or native not claimed
"$doctor" log "$logs/synthetic-llama-server-b10309-lv4-cuda.log" >"$tmp/lv4"
grep -q '^shows: llama-server build 10309 (82bb48500), GNU 13.3.0 for Linux x86_64; CUDA0 NVIDIA GeForce RTX 4090 (compute capability 8.9), CPU AMD Ryzen 9 7950X 16-Core Processor; model Qwen2.5-7B-Instruct-Q4_K_M.gguf; 29/29 layers offloaded, 16384 context (-fit cut it from 32768); on Linux (WSL or native: the log does not say)$' "$tmp/lv4" ||
    fail "b10309 -lv 4: $(sed -n 3p "$tmp/lv4")"

# stdin, as "-" and as nothing, gives the same findings as the file
"$doctor" log "$oom" --format json >"$tmp/f.json"
"$doctor" log - --format json <"$oom" >"$tmp/dash.json"
cat "$oom" | "$doctor" log --format json >"$tmp/pipe.json"
[ "$(sigs "$tmp/f.json")" = "oom:fail@3,9,22,23,24,25" ] || fail "json: $(sigs "$tmp/f.json")"
[ "$(sigs "$tmp/dash.json")" = "$(sigs "$tmp/f.json")" ] || fail "stdin -: $(sigs "$tmp/dash.json")"
[ "$(sigs "$tmp/pipe.json")" = "$(sigs "$tmp/f.json")" ] || fail "stdin pipe: $(sigs "$tmp/pipe.json")"
[ "$(fact "$tmp/dash.json" 'd["input"]')" = "-" ] || fail "stdin: input is not -"
[ "$(fact "$tmp/f.json" 'd["facts"]["devices"][0]["compute_capability"]')" = "8.9" ] || fail "json: facts.devices"
[ "$(fact "$tmp/f.json" 'd["facts"]["command"]["ngl"], d["facts"]["command"]["ctx"]')" = "(99, 16384)" ] ||
    fail "json: facts.command"
# the prompt alice@DESKTOP-7Q2K9LM is a Windows host name: WSL
[ "$(fact "$tmp/f.json" 'd["facts"]["origin"], d["facts"]["build"]["number"]')" = "('wsl', 6871)" ] ||
    fail "json: origin, build: $(fact "$tmp/f.json" 'd["facts"]["origin"], d["facts"]["build"]')"

# markdown and github redact the paste's user names; --no-redact keeps them
"$doctor" log "$oom" --format markdown >"$tmp/md"
grep -q 'alice' "$tmp/md" && fail "markdown: /home/alice not redacted"
grep -q '^### wsl-llm-doctor log diagnosis' "$tmp/md" || fail "markdown: no heading"
grep -q '^| ❌ fail | lines\? [0-9, ]* | .* | `models.fit/[a-z-]*` |$' "$tmp/md" || fail "markdown: no table row: $(cat "$tmp/md")"
grep -q 'Redacted: 1 Linux user name' "$tmp/md" || fail "markdown: no redaction note: $(tail -2 "$tmp/md")"
"$doctor" log "$oom" --format markdown --no-redact | grep -q alice || fail "--no-redact: alice gone"
win=$logs/llamacpppython-cu128-6-no-kernel-image-windows.log
"$doctor" log "$win" --format github >"$tmp/gh"
grep -q bpfit "$tmp/gh" && fail "github: C:\\Users\\bpfit not redacted"
grep -q "^::error file=$win,line=2,title=llama.arch/no-kernel-image::" "$tmp/gh" ||
    fail "github: $(head -c 300 "$tmp/gh")"
grep -q '^::notice title=wsl-llm-doctor .* log::' "$tmp/gh" || fail "github: no notice"

# junit: one test case per finding, a failure for a fail
"$doctor" log "$oom" --format junit >"$tmp/junit.xml"
"$py" -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
cases = r.findall(".//testcase")
assert [c.get("name") for c in cases] == ["oom"], [c.get("name") for c in cases]
assert cases[0].find("failure") is not None' "$tmp/junit.xml" || fail "junit"

# --output: the diagnosis goes to the file, stdout stays empty
"$doctor" log "$oom" --format json --output "$tmp/out.json" >"$tmp/stdout"
[ -s "$tmp/stdout" ] && fail "--output: stdout not empty"
[ "$(sigs "$tmp/out.json")" = "$(sigs "$tmp/f.json")" ] || fail "--output: $(head -c 200 "$tmp/out.json")"

# --fail-on warn: a warning is exit 1
"$doctor" log "$logs/synthetic-model-on-c-drive.log" >/dev/null || fail "warn: exit $?"
"$doctor" log "$logs/synthetic-model-on-c-drive.log" --fail-on warn >/dev/null
[ $? -eq 1 ] || fail "--fail-on warn: not exit 1"

# files that are not logs, and formats that do not apply: exit 2 with one clear line
printf 'GGUF\003\000\000\000' >"$tmp/model.gguf"
"$doctor" log "$tmp/model.gguf" 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q 'is a GGUF model, not a log' "$tmp/e" || fail "GGUF: $(cat "$tmp/e")"
"$doctor" log "$doctor" 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q 'is an ELF binary, not a log' "$tmp/e" || fail "ELF: $(cat "$tmp/e")"
"$doctor" log "$tmp" 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q 'is a directory' "$tmp/e" || fail "directory: $(cat "$tmp/e")"
# a device never ends: refused at once, named or on stdin (the test would hang otherwise)
"$doctor" log /dev/zero 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q '/dev/zero is a character device, not a log' "$tmp/e" || fail "/dev/zero: $(cat "$tmp/e")"
"$doctor" log </dev/urandom 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q 'stdin is a character device, not a log' "$tmp/e" || fail "stdin /dev/urandom: $(cat "$tmp/e")"
# a FIFO and a pipe are logs (log <(journalctl -u ollama) is a pipe)
mkfifo "$tmp/fifo"
cat "$oom" >"$tmp/fifo" &
"$doctor" log "$tmp/fifo" --format json >"$tmp/fifo.json" 2>"$tmp/e"
rc=$?
wait
"$doctor" log "$oom" --format json >"$tmp/file.json" 2>/dev/null
sed -i 's|"input":.*||' "$tmp/fifo.json" "$tmp/file.json"
[ $rc -eq 1 ] && cmp -s "$tmp/fifo.json" "$tmp/file.json" || fail "FIFO: exit $rc, not the file's report: $(cat "$tmp/e")"
"$doctor" log "$tmp/none.log" 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q 'none.log: No such file or directory' "$tmp/e" || fail "missing: $(cat "$tmp/e")"
# prometheus: the log's findings as metrics, for a timer over ollama's journal
"$doctor" log "$oom" --format prometheus >"$tmp/prom"
[ $? -eq 1 ] || fail "prometheus: the failing log's exit"
grep -q '^wsl_llm_doctor_log_findings{status="fail"} [1-9]$' "$tmp/prom" || fail "prometheus: $(cat "$tmp/prom")"
grep -q '^wsl_llm_doctor_log_finding_status{rule="models.fit/[a-z-]*",status="fail"} 1$' "$tmp/prom" || fail "prometheus: no models.fit series"
grep -q '^wsl_llm_doctor_log_exit_code 1$' "$tmp/prom" || fail "prometheus: exit code"
if command -v promtool >/dev/null; then
    promtool check metrics <"$tmp/prom" >"$tmp/promtool" 2>&1 || fail "promtool: $(cat "$tmp/promtool")"
fi
"$doctor" list --log "$oom" 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q -- '--log is for `check`' "$tmp/e" || fail "--log on list: $(cat "$tmp/e")"
[ "$(wc -l <"$tmp/e")" -eq 1 ] || fail "--log on list: more than one line"

# a rules bundle whose signatures the reader cannot use is refused, with one line
"$doctor" rules >"$tmp/rules.json"
"$py" -c 'import json,sys
d = json.load(open(sys.argv[1]))
d["signatures"]["oom"]["match"].append("abc{")
json.dump(d, open(sys.argv[2], "w"))
d["signatures"]["oom"]["match"][-1] = "x" * 600
json.dump(d, open(sys.argv[3], "w"))
d["signatures"]["oom"]["match"].pop()
d["signatures"]["oom"]["observe"] = "nosuch"
json.dump(d, open(sys.argv[4], "w"))
del d["signatures"]["oom"]["observe"]
d["signatures"]["oom"]["contradicted_by"] = [{"if": "cuda_device", "says": "x", "status": "fail"}]
json.dump(d, open(sys.argv[5], "w"))
del d["signatures"]["oom"]["contradicted_by"]
d["signatures"]["oom"]["needs"] = ["container"]
json.dump(d, open(sys.argv[6], "w"))
del d["signatures"]["oom"]["needs"]
d["signatures"]["oom"]["confirm"] = "the log shows a container"
json.dump(d, open(sys.argv[7], "w"))
del d["signatures"]["oom"]["confirm"]
d["error_codes"]["codes"].append(dict(d["error_codes"]["codes"][0]))
d["error_codes"]["codes"][-1]["name"] = "cudaErrorTwice"
json.dump(d, open(sys.argv[8], "w"))
d["error_codes"]["codes"].pop()
d["signatures"]["oom"]["when"] = [{"if": "container", "status": "warn"}]
json.dump(d, open(sys.argv[9], "w"))
d["signatures"]["oom"]["when"] = [{"if": "nosuch", "check": "container.gpu"}]
json.dump(d, open(sys.argv[10], "w"))
del d["signatures"]["oom"]["when"]
d["signatures"]["oom"]["unless_read"] = ["nvml-no-driver-later"]
json.dump(d, open(sys.argv[11], "w"))
del d["signatures"]["oom"]["unless_read"]
d["error_codes"]["codes"][0]["when"] = [{"if": "container", "check": "container.gpu"}]
json.dump(d, open(sys.argv[12], "w"))
del d["error_codes"]["codes"][0]["when"]
d["signatures"]["oom"]["except"] = ["abc"]
json.dump(d, open(sys.argv[13], "w"))
del d["signatures"]["oom"]["except"]
d["error_codes"]["codes"][0]["when"] = [{"if": "container", "check": "container.gpu",
    "checks": ["container.gpu"], "fix": "x", "sources": ["no-such-source"]}]
json.dump(d, open(sys.argv[14], "w"))
del d["error_codes"]["codes"][0]["when"]
d["signatures"]["oom"]["check_by_origin"] = {"wsl": "gpu.wsl-libs"}
json.dump(d, open(sys.argv[15], "w"))
del d["signatures"]["oom"]["check_by_origin"]
d["error_codes"]["codes"][0]["when"] = [{"if": "container", "check": "container.gpus",
    "checks": ["container.gpu"], "fix": "x"}]
json.dump(d, open(sys.argv[16], "w"))
d["error_codes"]["codes"][0]["when"] = {"if": "container"}
json.dump(d, open(sys.argv[17], "w"))' "$tmp/rules.json" "$tmp/r1.json" "$tmp/r2.json" "$tmp/r3.json" \
    "$tmp/r4.json" "$tmp/r5.json" "$tmp/r6.json" "$tmp/r7.json" "$tmp/r8.json" "$tmp/r9.json" \
    "$tmp/r10.json" "$tmp/r11.json" "$tmp/r12.json" "$tmp/r13.json" "$tmp/r14.json" \
    "$tmp/r15.json" "$tmp/r16.json"
# a possibility ("needs") must say what would confirm it, and "confirm" needs a "needs"; a
# variant ("when") names a known condition and sets only the check, texts and sources, and
# an error code's variant is held to the same (one validator, src/pipeline/rules_outcomes.c)
for r in r1:'pattern abc{: a "{" without a capture name' r2:'a pattern is longer than 512 bytes' \
    r3:'signature oom: needs either "match" or "observe"' \
    r4:'contradicted_by cuda_device: status must be pass, warn or skip' \
    r5:'signature oom: "needs" and "confirm" go together' \
    r6:'signature oom: "needs" and "confirm" go together' \
    r7:'cudaErrorTwice is in the table twice' \
    r8:'signature oom: the "when" variant for container cannot set status' \
    r9:'signature oom: a "when" variant needs a known condition "if"' \
    r10:'signature oom: unless_read names nvml-no-driver-later, which is not an earlier signature' \
    r11:'the "when" variant for container needs a "check", the "checks" to run and a "fix"' \
    r12:'signature oom: an "except" text must be 4 bytes or more' \
    r13:'error_codes.codes[0]: unknown sources no-such-source' \
    r14:'signature oom: check_by_origin is gone' \
    r15:'error_codes.codes[0]: the "when" variant for container: unknown check' \
    r16:'error_codes.codes[0]: "when" must be a list of variants'; do
    "$doctor" log --rules "$tmp/${r%%:*}.json" "$oom" 2>"$tmp/e" >/dev/null
    [ $? -eq 2 ] && grep -q -F "${r#*:}" "$tmp/e" && [ "$(wc -l <"$tmp/e")" -eq 1 ] ||
        fail "rules ${r%%:*}: $(cat "$tmp/e")"
done

# ollama searches libnvidia-ml, libcuda and its libcudart in turn: an empty search followed by
# one that finds a library is no missing driver (lines of ollama#6383 and ollama#9031)
{ grep -h 'discovered GPU libraries" paths=\[\]' "$logs/ollama-6383-no-gpu-libraries-runtimeclass.log"
  head -1 "$logs/ollama-9031-cuinit-802-h200-docker.log"; } >"$tmp/libs.log"
"$doctor" log "$tmp/libs.log" --format json >"$tmp/libs.json"
case "$(sigs "$tmp/libs.json")" in *ollama-no-gpu-libraries*) fail "a later search found a library: $(sigs "$tmp/libs.json")" ;; esac
grep -h 'discovered GPU libraries" paths=\[\]' "$logs/ollama-6383-no-gpu-libraries-runtimeclass.log" >"$tmp/nolibs.log"
"$doctor" log "$tmp/nolibs.log" --format json >"$tmp/nolibs.json"
[ "$(sigs "$tmp/nolibs.json")" = "ollama-no-gpu-libraries:fail@1" ] || fail "no library found: $(sigs "$tmp/nolibs.json")"

# hostile input: nothing crashes, the JSON stays valid, a failure after the junk is found
# on its own line number
head -c 1048576 /dev/urandom >"$tmp/garbage"
"$doctor" log "$tmp/garbage" --format json >"$tmp/g.json"
rc=$?
[ $rc -le 1 ] || fail "garbage: exit $rc"
fact "$tmp/g.json" 'd["shows"]' | grep -q 'NUL byte' || fail "garbage: NUL bytes not said: $(fact "$tmp/g.json" 'd["shows"]')"
"$py" -c 'import sys
sys.stdout.buffer.write(b"\0" * 4096 + b"\n" + b"A" * (10 << 20) + b"\n" + b"CUDA error: out of memory\n" + "…".encode()[:2])' >"$tmp/long"
"$doctor" log "$tmp/long" --format json >"$tmp/l.json"
[ "$(sigs "$tmp/l.json")" = "oom:fail@3" ] || fail "10 MB line: $(sigs "$tmp/l.json")"
[ "$(fact "$tmp/l.json" 'd["facts"]["input"]["lines"], d["facts"]["input"]["lines_cut"]')" = "(4, 1)" ] ||
    fail "10 MB line: $(fact "$tmp/l.json" 'd["facts"]["input"]')"
# a paste with CRLF, colours, a quote and a fence, or saved by PowerShell as UTF-16LE, reads
# as the plain log
"$py" -c 'import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
out = ["> ```"] + ["> \x1b[32m" + l + "\x1b[0m" for l in lines[:-1]] + ["> ```", ""]
open(sys.argv[2], "wb").write("\r\n".join(out).encode())
open(sys.argv[3], "wb").write(b"\xff\xfe" + open(sys.argv[1], encoding="utf-8").read().replace("\n", "\r\n").encode("utf-16-le"))' \
    "$oom" "$tmp/quoted" "$tmp/utf16"
"$doctor" log "$tmp/quoted" --format json >"$tmp/q.json"
[ "$(sigs "$tmp/q.json")" = "oom:fail@4,10,23,24,25,26" ] || fail "quoted CRLF ANSI: $(sigs "$tmp/q.json")"
"$doctor" log "$tmp/utf16" --format json >"$tmp/u.json"
[ "$(sigs "$tmp/u.json")" = "$(sigs "$tmp/f.json")" ] || fail "UTF-16LE: $(sigs "$tmp/u.json")"
[ "$(fact "$tmp/u.json" 'd["facts"]["input"]["encoding"]')" = "UTF-16LE" ] || fail "UTF-16LE: encoding"
# 64 MB through a pipe, read in pieces
"$py" -c 'import sys
line = b"llama_model_loader: - kv   0:                       general.architecture str              = llama\n"
sys.stdout.buffer.write(line * (64 * 1048576 // len(line)))' | "$doctor" log - --format json >"$tmp/big.json"
[ "$(fact "$tmp/big.json" 'd["facts"]["input"]["lines"], d["facts"]["model"]["architecture"]')" = "(684784, 'llama')" ] ||
    fail "64 MB: $(fact "$tmp/big.json" 'd["facts"]["input"]')"

# check --log: the log's findings under their checks, and its claims held against the host
h=$hosts/wsl2-llama-arch-mismatch
printf 'Driver Version: 535.54.03\nmain: build = 4296 (07a61394)\n' >"$tmp/claims.log"
cat "$logs/synthetic-cc-below-legacy-default.log" >>"$tmp/claims.log"
"$doctor" check --root "$h" --only llama.arch,gpu.driver --log "$tmp/claims.log" --format json >"$tmp/c.json" 2>"$tmp/c.err"
rc=$?
[ $rc -eq 1 ] || fail "check --log: exit $rc, expected 1 (host-arch-missing fails)"
# a claim whose check did not run (--only) is said to be left out, never dropped in silence
grep -q '^wsl-llm-doctor: --log: llama.build did not run, so the log is not held against what it would say of this host$' "$tmp/c.err" ||
    fail "check --log --only: no note on the claims left out: $(cat "$tmp/c.err")"
"$py" -c 'import json,sys
d = json.load(open(sys.argv[1]))
# the host results first, each log finding right after the result of its check
got = [(c["id"], c["status"] if c.get("from") else "", c.get("from"), c["outcome"] if c.get("from") else "")
       for c in d["checks"]]
want = [("gpu.driver", "", None, ""),
        ("gpu.driver", "warn", "log", "log_host_driver_newer"),
        ("llama.arch", "", None, ""),
        ("llama.arch", "warn", "log", "log_cc_below_legacy_default"),
        ("llama.arch", "fail", "log", "log_host_arch_missing")]
assert got == want, got
arch = d["checks"][4]
assert "Quadro K620 (compute capability 5.0)" in arch["summary"] and "built: sm_89" in arch["summary"], arch["summary"]
assert arch["evidence"]["log"]["lines"] == [6], arch["evidence"]
assert d["summary"]["fail"] >= 1' "$tmp/c.json" || fail "check --log on $h"
"$doctor" check --root "$hosts/wsl2-healthy" --only llama.build --log "$tmp/claims.log" >"$tmp/c.txt"
grep -q '^WARN   llama.build  log, line 2: the log comes from llama.cpp build 4296 (07a61394), but this host runs build 7104 (1692f9e50)' "$tmp/c.txt" ||
    fail "host-build-differs: $(cat "$tmp/c.txt")"
grep -q '^1 check and 2 findings of the log: ' "$tmp/c.txt" || fail "check --log count: $(tail -1 "$tmp/c.txt")"
# junit and github name a log finding apart from the check's own result
"$doctor" check --root "$h" --only llama.arch --log "$tmp/claims.log" --format junit >"$tmp/c.xml"
"$py" -c 'import sys, xml.etree.ElementTree as E
names = [c.get("name") for c in E.parse(sys.argv[1]).getroot().iter("testcase")]
assert names == ["llama.arch", "llama.arch log_cc_below_legacy_default", "llama.arch log_host_arch_missing"], names' \
    "$tmp/c.xml" || fail "check --log junit names"
"$doctor" check --root "$h" --only llama.arch --log "$tmp/claims.log" --format github >"$tmp/c.gh"
grep -q '^::error title=llama.arch/log_[a-z_]*::log, line 6: the log shows Quadro K620' "$tmp/c.gh" ||
    fail "check --log github: $(cat "$tmp/c.gh")"
"$doctor" check --root "$hosts/wsl2-healthy" --only llama.build --log "$tmp/none.log" 2>"$tmp/e" >/dev/null
[ $? -eq 2 ] && grep -q -- '--log .*none.log: No such file' "$tmp/e" || fail "check --log missing: $(cat "$tmp/e")"
# the saved report with log findings is judged again from its facts alone
"$doctor" --facts "$tmp/c.json" --only llama.arch,gpu.driver --format json >"$tmp/again.json" || true
fact "$tmp/again.json" '[c["id"] for c in d["checks"]]' | grep -q "\['gpu.driver', 'llama.arch'\]" ||
    fail "--facts of a check --log report: $(fact "$tmp/again.json" '[c["id"] for c in d["checks"]]')"

# a pasted command line's API key and a URL's password are never quoted back, in any
# format, redacted or not (the OOM log with the user's command pasted above it)
{
    echo '$ ./llama-server -m /home/alice/models/q.gguf -ngl 99 --api-key sk-planted-log-123 --host 0.0.0.0'
    echo '$ curl http://bob:pw-planted-log@127.0.0.1:8080/health'
    cat "$oom"
} >"$tmp/keyed.log"
for f in text json markdown github junit; do
    "$doctor" log "$tmp/keyed.log" --format "$f" --no-redact >"$tmp/keyed.$f" 2>&1
    [ -s "$tmp/keyed.$f" ] || fail "a log with a key, $f: no report"
    ! grep -q -e sk-planted-log -e pw-planted-log "$tmp/keyed.$f" || fail "a log with a key, $f: the key was quoted back"
done
fact "$tmp/keyed.json" 'd["facts"].get("command", {}).get("ngl")' | grep -q 99 ||
    fail "a log with a key: the pasted command was not read: $(fact "$tmp/keyed.json" 'd["facts"].get("command")')"

# error codes (rules/codes.json): a code alone is a finding with its meaning and the checks
# to run; a finding that explains the code's line wins and says what the code means
"$doctor" log "$logs/ollama-8151-cudart-init-failure-35.log" >"$tmp/code35"
grep -q '^FAIL   llama.runtime  CUDA error 35 (cudaErrorInsufficientDriver): the NVIDIA driver is older than the CUDA runtime (libcudart) the program uses (line 4, 5)$' "$tmp/code35" ||
    fail "error code by number: $(cat "$tmp/code35")"
grep -q 'fix: Update the NVIDIA driver.*`wsl-llm-doctor check --only llama.runtime,gpu.driver` on that machine looks at what causes it.$' "$tmp/code35" ||
    fail "error code: the checks to run: $(grep fix: "$tmp/code35")"
"$doctor" log "$logs/ollama-9031-cuinit-802-h200-docker.log" --format json >"$tmp/code802.json"
[ "$(sigs "$tmp/code802.json")" = "ollama-cuda-driver-unloadable:fail@15" ] || fail "error code narrowed: $(sigs "$tmp/code802.json")"
fact "$tmp/code802.json" 'd["findings"][0]["summary"]' |
    grep -q 'init failure: 802; CUresult 802 is CUDA_ERROR_SYSTEM_NOT_READY: the system is not ready for CUDA work' ||
    fail "error code narrowed: summary: $(fact "$tmp/code802.json" 'd["findings"][0]["summary"]')"
fact "$tmp/code802.json" 'd["findings"][0]["fix"]' | grep -q 'For CUDA_ERROR_SYSTEM_NOT_READY, `wsl-llm-doctor check --only gpu.driver` on that machine.$' ||
    fail "error code narrowed: fix: $(fact "$tmp/code802.json" 'd["findings"][0]["fix"]')"
# ollama trying a libcuda that fails, then finding the GPU with the next one: no code finding
printf '%s\n' 'cuInit err: 999' \
    'time=2024-07-03T13:26:05.135+08:00 level=DEBUG source=gpu.go:517 msg="Unable to load nvcuda" library=/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01 error="nvcuda init failure: 999"' \
    'time=2024-07-03T13:26:05.200+08:00 level=INFO source=types.go:105 msg="inference compute" id=GPU-0 library=cuda compute=8.6 driver=12.2 name="NVIDIA GeForce RTX 3060" total="11.7 GiB" available="11.5 GiB"' |
    "$doctor" log - --format json >"$tmp/tried.json"
[ "$(sigs "$tmp/tried.json")" = "" ] || fail "a library tried then a GPU: $(sigs "$tmp/tried.json")"
[ "$(fact "$tmp/tried.json" '[(c["api"], c["code"], c["tried"]) for c in d["facts"]["error_codes"]]')" = "[('CUresult', 999, True)]" ] ||
    fail "a library tried: $(fact "$tmp/tried.json" 'd["facts"]')"

[ $failures -eq 0 ] || exit 1
echo "log: all passed"
