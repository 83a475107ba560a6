#!/bin/sh
# `wsl-llm-doctor lint PATH...` (issue 20) as a dotfiles repository's CI runs it: the
# fixture repository tests/lint/repo (a good and a bad file of each kind) gives the
# annotations in tests/lint/expected.github, line and column; every format; kinds from
# names, text and --kind; files that are not what their name says; the walk's bounds; and
# the real files of ../shared/corpus-sample pinned to tests/lint/corpus.expected.
# usage: lint.sh DOCTOR SRCDIR PYTHON        (WLD_UPDATE_GOLDEN=1 rewrites the goldens)
doctor=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") src=$2 py=$3
here=$src/tests/lint
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# golden NAME FILE: FILE equals tests/lint/NAME (or becomes it)
golden() {
    if [ -n "${WLD_UPDATE_GOLDEN:-}" ]; then cp "$2" "$here/$1"; return; fi
    diff -u "$here/$1" "$2" >"$tmp/diff" || fail "$1 differs: $(head -c 3000 "$tmp/diff")"
}
# json FILE EXPR: a Python expression on the JSON document d
json() { "$py" -c 'import json,sys; d = json.load(open(sys.argv[1], "rb")); print(eval(sys.argv[2]))' "$1" "$2"; }

# the fixture repository, as CI runs it from the repository's root
(cd "$here/repo" && "$doctor" lint --format github .) >"$tmp/gh"
rc=$?
[ $rc -eq 1 ] || fail "repo: exit $rc, expected 1 (bad/ has fails)"
golden expected.github "$tmp/gh"
# annotations carry file, line and col; no path starts with ./
grep -q '^::error file=bad/wsl.conf,line=5,col=9,title=wsl.wsl-conf/gpu_disabled::' "$tmp/gh" ||
    fail "repo: no gpu_disabled annotation at bad/wsl.conf:5:9"
grep -q 'file=\./' "$tmp/gh" && fail "repo: a path starts with ./"
grep -q 'file=good/' "$tmp/gh" && fail "repo: good/ has an annotation: $(grep 'file=good/' "$tmp/gh")"

# good/ alone: every file passes, even under --fail-on warn
"$doctor" lint --fail-on warn "$here/repo/good" >"$tmp/good"
rc=$?
[ $rc -eq 0 ] || fail "good: exit $rc: $(cat "$tmp/good")"
[ "$(grep -c ": pass (" "$tmp/good")" -eq 6 ] || fail "good: not 6 passing files: $(cat "$tmp/good")"
grep -q "^6 files linted: 0 failed, 0 warned (exit 0)$" "$tmp/good" || fail "good: summary: $(tail -1 "$tmp/good")"

# a drop-in beside its unit counts, as systemd applies it: without it, no Restart=
mkdir -p "$tmp/alone"
cp "$here/repo/good/etc/systemd/system/llama-server.service" "$tmp/alone/"
"$doctor" lint "$tmp/alone" | grep -q 'llama-server.service:5:1: warn: llama-server.service has Restart=no' ||
    fail "drop-in: the unit alone has no no_restart warning"

# text: file:line:col: status: message [rule], then the fix
"$doctor" lint "$here/repo/bad" >"$tmp/text"
rc=$?
[ $rc -eq 1 ] || fail "text: exit $rc"
grep -q "^$here/repo/bad/.wslconfig:2:8: warn: memory=8gb is not a size WSL accepts .* \[wsl.wslconfig/bad_size\]$" "$tmp/text" ||
    fail "text: no bad_size line: $(head -c 600 "$tmp/text")"
grep -q '^    fix: Write the size as digits and an upper-case unit, e.g. memory=8GB.$' "$tmp/text" ||
    fail "text: no bad_size fix"
grep -q '^not judged in a systemd unit without its host: ' "$tmp/text" || fail "text: no not-judged line"
grep -q '^5 files linted: 3 failed, 17 warned (exit 1)$' "$tmp/text" || fail "text: summary: $(tail -1 "$tmp/text")"

# json: the schema, and the same findings as the annotations
"$doctor" lint --format json "$here/repo" >"$tmp/j"
rc=$?
[ $rc -eq 1 ] || fail "json: exit $rc"
"$py" -c 'import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$tmp/j" "$src/docs/lint.schema.json" ||
    fail "json: not valid against docs/lint.schema.json"
[ "$(json "$tmp/j" 'd["exit_code"], d["summary"]["files"], d["summary"]["skipped"], d["summary"]["fail"], d["summary"]["warn"]')" = "(1, 11, 1, 3, 17)" ] ||
    fail "json: summary $(json "$tmp/j" 'd["summary"]')"
[ "$(json "$tmp/j" '[f["kind"] + ":" + f["status"] for f in d["files"] if f["path"].endswith("bad/wsl.conf")]')" = "['wsl-conf:fail']" ] ||
    fail "json: bad/wsl.conf"
[ "$(json "$tmp/j" 'd["skipped"][0]["path"].endswith("README.md")')" = True ] || fail "json: README.md not skipped"

# --fail-on warn: a file with only warnings fails the gate
"$doctor" lint "$here/repo/bad/.wslconfig" >/dev/null
rc=$?
[ $rc -eq 0 ] || fail "warn only: exit $rc, expected 0"
"$doctor" lint --fail-on warn "$here/repo/bad/.wslconfig" >/dev/null
rc=$?
[ $rc -eq 1 ] || fail "--fail-on warn: exit $rc, expected 1"

# junit: each file a test case; the README skipped; files with a fail are failures
"$doctor" lint --format junit "$here/repo" >"$tmp/junit.xml"
"$py" -c 'import sys, xml.etree.ElementTree as ET
s = ET.parse(sys.argv[1]).getroot().find("testsuite")
cases = s.findall("testcase")
assert len(cases) == 12, len(cases)
assert s.get("failures") == "3" and s.get("skipped") == "1", s.attrib
names = [c.get("name") for c in cases]
assert any(n.endswith("bad/wsl.conf") for n in names), names
bad = [c for c in cases if c.get("name").endswith("bad/wsl.conf")][0]
assert bad.find("failure") is not None and "5:9 fail" in bad.find("failure").text' "$tmp/junit.xml" ||
    fail "junit: $(head -c 800 "$tmp/junit.xml")"

# markdown and the GitHub step summary
"$doctor" lint --format markdown "$here/repo" >"$tmp/md"
grep -q '^| status | where | finding | fix | rule |$' "$tmp/md" || fail "markdown: no table"
grep -q '^| fail | `.*bad/wsl.conf:5:9` |' "$tmp/md" || fail "markdown: no gpu_disabled row"
(cd "$here/repo" && GITHUB_STEP_SUMMARY="$tmp/summary.md" "$doctor" lint --format github . >/dev/null)
grep -q '^### wsl-llm-doctor lint$' "$tmp/summary.md" || fail "github: no step summary"

# prometheus: per status, per file; promtool's lint when installed
"$doctor" lint --format prometheus "$here/repo" >"$tmp/prom"
grep -q '^wsl_llm_doctor_lint_findings{status="fail"} 3$' "$tmp/prom" || fail "prometheus: $(head -c 400 "$tmp/prom")"
if command -v promtool >/dev/null; then
    promtool check metrics <"$tmp/prom" >"$tmp/promtool" 2>&1 || fail "promtool: $(cat "$tmp/promtool")"
fi

# --output writes the report to a file; the exit status still gates
"$doctor" lint --format json --output "$tmp/out.json" "$here/repo/bad"
rc=$?
[ $rc -eq 1 ] && [ -s "$tmp/out.json" ] || fail "--output: exit $rc"

# a file named on the command line with no telling name: its text says the kind
cp "$here/repo/bad/.wslconfig" "$tmp/settings.txt"
"$doctor" lint --format json "$tmp/settings.txt" >"$tmp/sniff.json"
[ "$(json "$tmp/sniff.json" 'd["files"][0]["kind"], d["files"][0]["kind_from"]')" = "('wslconfig', 'content')" ] ||
    fail "sniff: $(json "$tmp/sniff.json" 'd["files"]')"
printf 'just some notes\nnothing = here\n' >"$tmp/notes.txt"
"$doctor" lint "$tmp/notes.txt" >"$tmp/notes"
rc=$?
[ $rc -eq 0 ] || fail "unknown named file: exit $rc"
grep -q "notes.txt: skipped: neither its name nor its text .*--kind" "$tmp/notes" || fail "unknown named file: $(cat "$tmp/notes")"
# names: copies keep their kind, documents and scripts about the file are not it
mkdir "$tmp/names"
for n in .wslconfig wslconfig laptop.wslconfig .wslconfig.laptop wsl.conf ubuntu.wsl.conf \
    wsl.conf.example llama.service wslconfig.md wsl.conf.md wsl.conf.j2 wslconfig.ps1 notes.txt; do
    printf '# %s\n' "$n" >"$tmp/names/$n"
done
"$doctor" lint --format json "$tmp/names" >"$tmp/names.json"
[ "$(json "$tmp/names.json" '" ".join(f["path"].split("/")[-1] + ":" + f["kind"] for f in d["files"])')" = \
    ".wslconfig:wslconfig .wslconfig.laptop:wslconfig laptop.wslconfig:wslconfig llama.service:unit ubuntu.wsl.conf:wsl-conf wsl.conf:wsl-conf wsl.conf.example:wsl-conf wslconfig:wslconfig" ] ||
    fail "names: $(json "$tmp/names.json" '[(f["path"], f["kind"]) for f in d["files"]]')"
[ "$(json "$tmp/names.json" 'len(d["skipped"])')" = 5 ] || fail "names: skipped $(json "$tmp/names.json" 'd["skipped"]')"

# --kind forces it, and a file that is not that kind is told so
"$doctor" lint --kind unit "$here/repo/README.md" >"$tmp/forced"
rc=$?
[ $rc -eq 1 ] || fail "--kind unit README: exit $rc"
grep -q 'README.md: fail: no \[Section\] header and no Key=Value line: this is not a systemd unit \[service.systemd/not_a_unit\]' "$tmp/forced" ||
    fail "--kind unit README: $(cat "$tmp/forced")"

# files that are not what their names say
mkfifo "$tmp/x.service"
"$doctor" lint "$tmp/x.service" >"$tmp/fifo"
rc=$?
[ $rc -eq 1 ] || fail "fifo: exit $rc"
grep -q 'x.service: fail: is a FIFO (named pipe), not a file: nothing to lint' "$tmp/fifo" || fail "fifo: $(cat "$tmp/fifo")"
cp "$doctor" "$tmp/.wslconfig"
"$doctor" lint "$tmp/.wslconfig" >"$tmp/elf"
rc=$?
[ $rc -eq 1 ] || fail "elf: exit $rc"
grep -q '/.wslconfig: fail: cannot be read as a .wslconfig: it is binary (elf), not text \[lint/lint_not_text\]$' "$tmp/elf" ||
    fail "elf: $(cat "$tmp/elf")"
mkdir "$tmp/u16"
"$py" -c 'import sys; open(sys.argv[1], "wb").write("[boot]\nsystemd=true\n".encode("utf-16-le"))' "$tmp/u16/wsl.conf"
"$py" -c 'import sys; open(sys.argv[1], "wb").write("[wsl2]\nmemory=8GB\n".encode("utf-16-le"))' "$tmp/u16/.wslconfig"
"$doctor" lint "$tmp/u16" >"$tmp/u16.out"
grep -q '/u16/.wslconfig:1:1: warn: .* is utf-16le without a byte-order mark WSL understands' "$tmp/u16.out" ||
    fail "utf-16 .wslconfig: $(cat "$tmp/u16.out")"
grep -q '/u16/wsl.conf:1:1: warn: /etc/wsl.conf is utf-16le text' "$tmp/u16.out" || fail "utf-16 wsl.conf: $(cat "$tmp/u16.out")"
: >"$tmp/u16/empty.service"
"$doctor" lint "$tmp/u16/empty.service" | grep -q 'empty.service: fail: no \[Section\] header' || fail "empty unit"
"$py" -c 'import sys; open(sys.argv[1], "wb").write("[Service]\nExecStart=/usr/bin/ollama serve\n".encode("utf-16-le"))' "$tmp/u16/ollama.service"
"$doctor" lint "$tmp/u16/ollama.service" | grep -q 'ollama.service: fail: cannot be read as a systemd unit: it is utf-16le text, and systemd reads unit files as bytes \[lint/lint_not_text\]$' ||
    fail "utf-16 unit: $("$doctor" lint "$tmp/u16/ollama.service")"

# the walk: .git is not entered, a link to a directory is not followed, 10,000 files at most
mkdir -p "$tmp/w/.git" "$tmp/w/sub"
cp "$here/repo/bad/wsl.conf" "$tmp/w/.git/wsl.conf"
cp "$here/repo/good/wsl.conf" "$tmp/w/sub/wsl.conf"
ln -s / "$tmp/w/root"
ln -s sub "$tmp/w/loop"
"$doctor" lint --format json "$tmp/w" >"$tmp/w.json"
[ "$(json "$tmp/w.json" '[f["path"][len(sys.argv[1]) + 1:] if False else f["path"].split("/w/")[1] for f in d["files"]]')" = "['sub/wsl.conf']" ] ||
    fail "walk: $(json "$tmp/w.json" 'd["files"]')"
[ "$(json "$tmp/w.json" 'sorted(s["path"].split("/w/")[1] for s in d["skipped"])')" = "['loop', 'root']" ] ||
    fail "walk: skipped $(json "$tmp/w.json" 'd["skipped"]')"
"$py" -c 'import os,sys
for i in range(10050): open(os.path.join(sys.argv[1], "f%05d.service" % i), "w").write("[Service]\nExecStart=/bin/true\n")' "$tmp/w/sub"
"$doctor" lint --format json "$tmp/w" >"$tmp/big.json"
[ "$(json "$tmp/big.json" 'd["summary"]["files"], d["summary"]["not_walked"]')" = "(10000, 51)" ] ||
    fail "walk bound: $(json "$tmp/big.json" 'd["summary"]')"

# a generated file with thousands of bad lines: 100 findings listed, the rest counted;
# a unit past the 1 MiB read says where the check stopped
mkdir -p "$tmp/gen"
"$py" -c 'import sys
open(sys.argv[1] + "/.wslconfig", "w").write("[wsl2]\n" + "memory=8GB\n" * 5000)
open(sys.argv[1] + "/big.service", "w").write("[Service]\nExecStart=/usr/bin/llama-server " + "-x " * 400000 + "\nRestart=always\n")' "$tmp/gen"
"$doctor" lint --format json "$tmp/gen" >"$tmp/gen.json"
[ "$(json "$tmp/gen.json" '[(len(f["findings"]), f.get("more_findings")) for f in d["files"]], d["summary"]["warn"], d["files"][0]["findings"][-1]["rule"]')" = "([(100, 3996), (1, None)], 4097, 'wsl.wslconfig/cut_parse')" ] ||
    fail "many findings: $(json "$tmp/gen.json" '[(len(f["findings"]), f.get("more_findings")) for f in d["files"]], d["summary"]')"
[ "$(json "$tmp/gen.json" '[x["rule"] + "@" + str(x["line"]) for x in d["files"][1]["findings"]]')" = "['service.systemd/cut_read@2']" ] ||
    fail "cut unit: $(json "$tmp/gen.json" 'd["files"][1]["findings"]')"

# a rule id from an annotation leads to explain: the check's lint findings, sources once
"$doctor" explain service.systemd >"$tmp/explain"
grep -q '^Lint findings (wsl-llm-doctor lint; rule service.systemd/KEY, docs/lint.md):$' "$tmp/explain" &&
    grep -q '^  warn  exec_bare_name: ExecStart runs {program} by name' "$tmp/explain" ||
    fail "explain: no lint findings: $(grep -c . "$tmp/explain") lines"
[ "$(grep -c '^  \[systemd-service-man\]' "$tmp/explain")" -eq 1 ] || fail "explain: a source listed twice"

# bad usage: one line, exit 2
for args in "lint" "lint /nonexistent/dotfiles" "lint --kind yaml ." "lint --redact ." "check --kind unit"; do
    # shellcheck disable=SC2086
    "$doctor" $args >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || fail "'$args': exit $rc, expected 2"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "'$args': not one line: $(cat "$tmp/err")"
done

# the real files people committed (../shared/corpus-sample), each pinned
corpus=$src/../shared/corpus-sample
if [ -d "$corpus/wslconfig" ]; then
    : >"$tmp/corpus"
    for pair in wslconfig:wslconfig wsl-conf:wsl-conf unit:service; do
        "$doctor" lint --format json --kind "${pair%%:*}" "$corpus/${pair#*:}" >"$tmp/c.json"
        "$py" -c 'import json,sys
d = json.load(open(sys.argv[1]))
for f in d["files"]:
    p = f["path"].split("corpus-sample/")[1]
    print((p + ": " + f["status"] + " " + " ".join("%s@%d:%d" % (x["rule"], x["line"], x["col"]) for x in f["findings"])).rstrip())' "$tmp/c.json" >>"$tmp/corpus" ||
            fail "corpus ${pair#*:}: $(head -c 300 "$tmp/c.json")"
    done
    golden corpus.expected "$tmp/corpus"
else
    echo "note: ../shared/corpus-sample is not there; the corpus pins are not checked"
fi

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "lint: all passed"
