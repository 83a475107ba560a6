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
assert bad.find("failure") is not None and "5:9 FAIL" in bad.find("failure").text' "$tmp/junit.xml" ||
    fail "junit: $(head -c 800 "$tmp/junit.xml")"

# markdown and the GitHub step summary
"$doctor" lint --format markdown "$here/repo" >"$tmp/md"
grep -q '^| status | where | finding | fix | rule |$' "$tmp/md" || fail "markdown: no table"
grep -q '^| ❌ fail | `.*bad/wsl.conf:5:9` | .* | `wsl.wsl-conf/gpu_disabled` |$' "$tmp/md" || fail "markdown: no gpu_disabled row"
(cd "$here/repo" && GITHUB_STEP_SUMMARY="$tmp/summary.md" "$doctor" lint --format github . >/dev/null)
grep -q '^### wsl-llm-doctor lint$' "$tmp/summary.md" || fail "github: no step summary"

# prometheus: per status, per file; promtool's lint when installed
"$doctor" lint --format prometheus "$here/repo" >"$tmp/prom"
grep -q '^wsl_llm_doctor_lint_findings{status="fail"} 3$' "$tmp/prom" || fail "prometheus: $(head -c 400 "$tmp/prom")"
grep -q '^wsl_llm_doctor_lint_file_status{path=".*bad/wsl.conf",kind="wsl-conf",status="fail"} 1$' "$tmp/prom" || fail "prometheus: no file series: $(cat "$tmp/prom")"
grep -q '^wsl_llm_doctor_lint_exit_code 1$' "$tmp/prom" || fail "prometheus: exit code"
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

# the container files (tests/lint/containers, real-shaped: README.md there says whence):
# daemon.json, CDI specs and compose files judged as container.gpu judges them
cdir=$here/containers
(cd "$cdir" && "$doctor" lint --format github .) >"$tmp/cgh"
rc=$?
[ $rc -eq 1 ] || fail "containers: exit $rc, expected 1"
golden containers.github "$tmp/cgh"
grep -q 'file=good/' "$tmp/cgh" && fail "containers: good/ has an annotation: $(grep 'file=good/' "$tmp/cgh")"
"$doctor" lint --fail-on warn "$cdir/good" >"$tmp/cgood"
rc=$?
[ $rc -eq 0 ] || fail "containers good: exit $rc: $(cat "$tmp/cgood")"
for k in "cdi/nvidia.yaml: pass (CDI spec)" "compose.yaml: pass (compose file)" \
    "daemon.json: pass (daemon.json)" "docker-compose.llama.yml: pass (compose file)"; do
    grep -q "/good/$k\$" "$tmp/cgood" || fail "containers good: no '$k': $(cat "$tmp/cgood")"
done
(cd "$cdir" && "$doctor" lint bad) >"$tmp/cbad"
rc=$?
[ $rc -eq 1 ] || fail "containers bad: exit $rc"
# has LINE: the text report has this line, as a user reads it
has() { grep -qxF "$1" "$tmp/cbad" || fail "containers bad: no line '$1'"; }
has 'bad/daemon.json:7:5: fail: /etc/docker/daemon.json is not valid: not a JSON object (line 7); dockerd will not start with it [container.gpu/daemon_json_invalid]'
has '    fix: Fix the JSON (`python3 -m json.tool /etc/docker/daemon.json` shows where), then `sudo systemctl restart docker`.'
has 'bad/rootless.daemon.json:2:5: fail: /etc/docker/daemon.json makes nvidia the default runtime but registers no runtime of that name: dockerd cannot run a container [container.gpu/default_runtime_unknown]'
has 'bad/rootless.daemon.json:4:9: warn: the runtime crun has neither "path" nor "runtimeType": dockerd has no program to run for it [container.gpu/daemon_runtime_no_path]'
has 'bad/cdi/broken.yaml:8:4: warn: bad/cdi/broken.yaml is not a CDI spec the doctor can read (line 8: did not find expected key): container engines reading it will refuse it too [container.gpu/cdi_unreadable]'
has 'bad/cdi/nvidia.yaml:11:5: warn: bad/cdi/nvidia.yaml names /usr/lib/wsl/drivers/nvmdi.inf_amd64_978a3b585e321cd9/nvidia-smi, in the driver-store folder nvmdi.inf_amd64_978a3b585e321cd9 of one Windows driver install: a spec kept in a repository is tied to that install and goes stale at the next driver update (containers then get no libcuda) [container.gpu/cdi_driver_store_pinned]'
has '    fix: Generate the spec on the host instead, not in the repository: `sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` (again after each Windows driver update).'
has 'bad/cdi/vendor.json: fail: bad/cdi/vendor.json has no kind (the CDI spec requires cdiVersion, kind and at least one device): container engines refuse the spec [container.gpu/cdi_missing_field]'
has 'bad/cdi/vendor.json:3:3: fail: device 1 of bad/cdi/vendor.json has no name (the CDI spec requires one): container engines refuse the spec [container.gpu/cdi_device_no_name]'
has "bad/docker-compose.yml:6:7: warn: container llama-server (ghcr.io/ggml-org/llama.cpp:server-cuda) asks for the GPU and mounts /mnt/c/Users/me/models (a Windows drive, 9p) at /models: models load from there several times slower than from the distro's ext4 [container.gpu/models_on_9p]"
has "bad/docker-compose.yml:8:7: warn: service llama-server (ghcr.io/ggml-org/llama.cpp:server-cuda) asks for the GPU, but CUDA_VISIBLE_DEVICES='-1' in it: CUDA sees no GPU and it runs on the CPU [container.gpu/compose_cuda_hidden]"
has 'bad/docker-compose.yml:13:13: fail: service llama-server (ghcr.io/ggml-org/llama.cpp:server-cuda) reserves devices by count (1) and by device_ids at once: the two are exclusive and Compose returns an error [container.gpu/compose_count_and_device_ids]'
has "bad/docker-compose.yml:20:7: warn: service ollama (ollama/ollama) sets NVIDIA_VISIBLE_DEVICES=all but asks for no GPU (no deploy device reservation, gpus:, runtime: nvidia or nvidia.com/gpu device): under the default runc runtime nothing mounts the GPU, unless the daemon's default runtime is nvidia [container.gpu/compose_env_only]"
has 'bad/docker-compose.yml:26:7: warn: container vllm (vllm/vllm-openai:latest) asks for the GPU, but NVIDIA_VISIBLE_DEVICES=void in it: the toolkit mounts no GPU and it runs on the CPU [container.gpu/gpu_hidden]'
has 'bad/docker-compose.yml:31:13: fail: service vllm (vllm/vllm-openai:latest) reserves a device without capabilities: Compose requires them and returns an error when the service is deployed [container.gpu/compose_no_capabilities]'
has "bad/docker-compose.yml:37:7: warn: container whisper (build: ./whisper) asks for the GPU and mounts D:\\models\\whisper (a Windows drive, 9p) at /models: models load from there several times slower than from the distro's ext4 [container.gpu/models_on_9p]"
grep -q '^not judged in a compose file without its host: which engine runs the file' "$tmp/cbad" ||
    fail "containers bad: no not-judged line for compose files"
has '6 files linted: 6 failed, 8 warned (exit 1)'
"$doctor" lint --format json "$cdir" >"$tmp/cj.json"
"$py" -c 'import json,sys,jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$tmp/cj.json" "$src/docs/lint.schema.json" ||
    fail "containers json: not valid against docs/lint.schema.json"
[ "$(json "$tmp/cj.json" '" ".join(sorted(set(f["kind"] for f in d["files"])))')" = "cdi compose daemon-json" ] ||
    fail "containers json: kinds $(json "$tmp/cj.json" '[(f["path"], f["kind"]) for f in d["files"]]')"
# "runtimes" that is not an object; a UTF-16 daemon.json, which dockerd reads as UTF-8
mkdir "$tmp/dj"
printf '{\n  "runtimes": ["nvidia"]\n}\n' >"$tmp/dj/daemon.json"
"$doctor" lint "$tmp/dj/daemon.json" | grep -q 'daemon.json:2:3: fail: "runtimes" is not an object of runtimes by name .* \[container.gpu/daemon_runtimes_not_object\]$' ||
    fail "runtimes not an object: $("$doctor" lint "$tmp/dj/daemon.json")"
"$py" -c 'import sys; open(sys.argv[1], "wb").write("{\"runtimes\": {}}\n".encode("utf-16-le"))' "$tmp/dj/u16.daemon.json"
"$doctor" lint "$tmp/dj/u16.daemon.json" | grep -q 'u16.daemon.json: fail: cannot be read as a daemon.json: it is utf-16le text, and dockerd reads daemon.json as UTF-8 \[lint/lint_not_text\]$' ||
    fail "utf-16 daemon.json: $("$doctor" lint "$tmp/dj/u16.daemon.json")"
# names and text: copies keep their kind; nvidia*.yaml is a CDI spec when its text says so;
# a named file's text says a compose file or a CDI spec
mkdir -p "$tmp/cn/cdi" "$tmp/cn/etc"
cp "$here/containers/good/daemon.json" "$tmp/cn/daemon.json.example"
cp "$here/containers/good/daemon.json" "$tmp/cn/rootless.daemon.json"
cp "$here/containers/good/daemon.json" "$tmp/cn/daemon.json.md"
cp "$here/containers/good/compose.yaml" "$tmp/cn/compose.gpu.yaml"
cp "$here/containers/good/compose.yaml" "$tmp/cn/docker-compose.nvidia.yml"
cp "$here/containers/good/compose.yaml" "$tmp/cn/compose.yaml.example"
cp "$here/containers/good/compose.yaml" "$tmp/cn/compose.md"
cp "$here/containers/good/compose.yaml" "$tmp/cn/stack.yml"
cp "$here/containers/good/cdi/nvidia.yaml" "$tmp/cn/cdi/gpu.yaml"
cp "$here/containers/good/cdi/nvidia.yaml" "$tmp/cn/etc/nvidia-spec.yaml"
printf 'cdiVersion: sometime\n' >"$tmp/cn/etc/nvidia-notes.yml"
cp "$here/containers/good/cdi/nvidia.yaml" "$tmp/cn/etc/gpu-spec.txt"
"$doctor" lint --format json "$tmp/cn" >"$tmp/cn.json"
[ "$(json "$tmp/cn.json" '" ".join(f["path"].split("/cn/")[1] + ":" + f["kind"] + ":" + f["kind_from"] for f in d["files"])')" = \
    "cdi/gpu.yaml:cdi:name compose.gpu.yaml:compose:name compose.yaml.example:compose:name daemon.json.example:daemon-json:name docker-compose.nvidia.yml:compose:name etc/nvidia-spec.yaml:cdi:content rootless.daemon.json:daemon-json:name" ] ||
    fail "container names: $(json "$tmp/cn.json" '[(f["path"], f["kind"], f["kind_from"]) for f in d["files"]]')"
[ "$(json "$tmp/cn.json" '" ".join(sorted(s["path"].split("/cn/")[1] for s in d["skipped"]))')" = \
    "compose.md daemon.json.md etc/gpu-spec.txt etc/nvidia-notes.yml stack.yml" ] ||
    fail "container names: skipped $(json "$tmp/cn.json" 'd["skipped"]')"
"$doctor" lint --format json "$tmp/cn/stack.yml" "$tmp/cn/etc/gpu-spec.txt" >"$tmp/cs.json"
[ "$(json "$tmp/cs.json" '[(f["kind"], f["kind_from"], f["status"]) for f in d["files"]]')" = "[('compose', 'content', 'pass'), ('cdi', 'content', 'pass')]" ] ||
    fail "container text: $(json "$tmp/cs.json" 'd["files"]')"
# --kind compose on a file that is none: told so
"$doctor" lint --kind compose "$here/repo/README.md" >"$tmp/notcompose"
rc=$?
[ $rc -eq 1 ] || fail "--kind compose README: exit $rc"
grep -q 'README.md:3:1: fail: .*README.md is not a compose file Compose can read (line 3: .*) \[container.gpu/compose_unreadable\]$' "$tmp/notcompose" ||
    fail "--kind compose README: $(cat "$tmp/notcompose")"

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
