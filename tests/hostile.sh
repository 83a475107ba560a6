#!/bin/sh
# A host at its worst, as users and their bug threads bring it: bytes that are not UTF-8,
# files that are not what their names say, probes that hang or print nothing, inputs past
# the doctor's caps. Each case asserts what a user sees: the status, the summary, the exit
# code, and that every report stays valid.
# usage: hostile.sh DOCTOR HOSTS PYTHON
doctor=$1 hosts=$2 py=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# a private copy of a staged host to break: host NAME FROM
host() { rm -rf "$tmp/$1"; cp -a "$hosts/$2" "$tmp/$1"; echo "$tmp/$1"; }
# the status and summary of one check in a JSON report: check FILE ID -> "status: summary"
check() {
    "$py" -c 'import json,sys
for c in json.load(open(sys.argv[1], "rb"))["checks"]:
    if c["id"] == sys.argv[2]: print(c["status"] + ": " + c["summary"])' "$1" "$2"
}

# --- bytes that are not UTF-8 (a model's file name, the GPU's name) leave as valid UTF-8
h=$(host latin1 wsl2-healthy)
cp -a "$h/home/alice/models/Llama-3.1-8B-Instruct-Q4_K_M.gguf" "$h/home/alice/models/mod$(printf '\350')le.gguf"
sed -i "s/NVIDIA GeForce RTX 4090/NVIDIA GeForce RTX $(printf '\350\377') 4090/" \
    "$h/usr/lib/wsl/lib/nvidia-smi" "$h/usr/lib/wsl/lib/libcuda.so.1.fake"
for fmt in text json markdown junit github prometheus; do
    "$doctor" --root "$h" --format "$fmt" -v >"$tmp/out.$fmt" 2>"$tmp/err"
    "$py" -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$tmp/out.$fmt" ||
        fail "--format $fmt: the report is not valid UTF-8"
done
grep -q 'mod\\ufffdle.gguf\|mod�le.gguf' "$tmp/out.json" || fail "json: the model's name does not show its bad byte as U+FFFD"
"$py" -c 'import json,sys; json.load(open(sys.argv[1], "rb"))' "$tmp/out.json" || fail "json: does not parse"
"$py" -c 'import sys, xml.etree.ElementTree as ET; ET.parse(sys.argv[1])' "$tmp/out.junit" || fail "junit: not XML"

echo "hostile: $failures failure(s)"
[ "$failures" = 0 ]
