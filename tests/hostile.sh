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
# the status and summary of one check in a JSON report, on one line: check FILE ID ->
# "status: summary"
check() {
    "$py" -c 'import json,sys
for c in json.load(open(sys.argv[1], "rb"))["checks"]:
    if c["id"] == sys.argv[2]: print(c["status"] + ": " + c["summary"].replace("\n", " "))' "$1" "$2"
}

# expect WHAT ID PATTERN [ARG...]: the doctor on host $h, check ID only (and ARG...), must
# give a "status: summary" that matches PATTERN
expect() {
    what=$1 id=$2 pattern=$3
    shift 3
    "$doctor" --root "$h" --only "$id" --format json "$@" >"$tmp/j"
    check "$tmp/j" "$id" | grep -q -- "$pattern" || fail "$what: $(check "$tmp/j" "$id" | head -c 300)"
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

# --- a file the user named that is not a model: told what it is, exit 1, never skipped
h=$(host notgguf wsl2-healthy)
d=$h/home/alice/dl
mkdir -p "$d"
cp /etc/passwd "$d/passwd.gguf"
printf '<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n' >"$d/page.gguf"
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:%064d\nsize 4920734016\n' 0 >"$d/lfs.gguf"
"$py" -c 'import struct,sys; h=b"{\"__metadata__\":{\"format\":\"pt\"}}"; open(sys.argv[1],"wb").write(struct.pack("<Q",len(h))+h+bytes(64))' "$d/model.safetensors"
: >"$d/empty.gguf"
for case in "passwd.gguf:a text file" "page.gguf:an HTML page" "lfs.gguf:a git-lfs pointer" \
    "model.safetensors:a safetensors checkpoint" "empty.gguf:an empty file (0 bytes)"; do
    f=${case%%:*} what=${case#*:}
    "$doctor" fit --root "$h" "/home/alice/dl/$f" >"$tmp/out" 2>&1
    rc=$?
    [ "$rc" = 1 ] || fail "fit $f (not a model): exit $rc, expected 1"
    grep -q "is not a GGUF model but $what" "$tmp/out" || fail "fit $f: does not say it is $what: $(cat "$tmp/out")"
    grep -q "fix: " "$tmp/out" || fail "fit $f: no fix"
done
"$doctor" --root "$h" --model /home/alice/dl/lfs.gguf --only models.fit --format json >"$tmp/j"
[ $? = 1 ] && check "$tmp/j" models.fit | grep -q "^fail: /home/alice/dl/lfs.gguf (from --model) is not a GGUF model but a git-lfs pointer" ||
    fail "check --model (a git-lfs pointer): $(check "$tmp/j" models.fit)"
echo "LLAMA_ARG_MODEL=/home/alice/dl/page.gguf" >>"$h/.doctor/env"
"$doctor" --root "$h" --only models.fit --format json >"$tmp/j"
[ $? = 1 ] && check "$tmp/j" models.fit | grep -q "(from LLAMA_ARG_MODEL) is not a GGUF model but an HTML page" ||
    fail "LLAMA_ARG_MODEL (an HTML page): $(check "$tmp/j" models.fit)"
# found by the scan: a 0-byte .gguf in ~/models is reported, not passed over
h=$(host emptyscan wsl2-healthy)
: >"$h/home/alice/models/half-downloaded.gguf"
"$doctor" --root "$h" --only models.fit --format json >"$tmp/j"
[ $? = 1 ] && check "$tmp/j" models.fit | grep -q "half-downloaded.gguf (from scan) is not a GGUF model but an empty file" ||
    fail "an empty .gguf in ~/models: $(check "$tmp/j" models.fit)"
# and on this machine, as the issue found it
"$doctor" fit /etc/passwd >"$tmp/out" 2>&1
[ $? = 1 ] && grep -q "is not a GGUF model but a text file" "$tmp/out" || fail "fit /etc/passwd: $(cat "$tmp/out")"

# --- a probe that did not answer is never evidence for a pass
h=$(host hangs wsl2-healthy)
echo "sleep=30" >>"$h/home/alice/llama.cpp/build/bin/llama-server.fake" # lists CUDA0, then hangs
printf '#!/bin/sh\nsleep 30\n' >"$h/usr/local/cuda-12.6/bin/nvcc"
"$doctor" --root "$h" --only llama.devices,cuda.toolkit --timeout 0.5 --format json >"$tmp/j"
[ $? = 1 ] || fail "a hung llama-server and nvcc: exit status is not 1"
check "$tmp/j" llama.devices | grep -q "^error: .*--list-devices\` did not finish within its 0.5 s deadline and was stopped after listing CUDA0" ||
    fail "llama.devices after a hang: $(check "$tmp/j" llama.devices)"
check "$tmp/j" cuda.toolkit | grep -q "^error: \`/usr/local/cuda-12.6/bin/nvcc --version\` did not finish within its 0.5 s deadline: which CUDA toolkit builds llama.cpp here is unknown" ||
    fail "cuda.toolkit after nvcc hung: $(check "$tmp/j" cuda.toolkit)"
printf '#!/bin/sh\nexit 0\n' >"$h/usr/local/cuda-12.6/bin/nvcc"
expect "cuda.toolkit when nvcc prints nothing" cuda.toolkit "^error: .*nvcc --version\` printed nothing"
# /proc/meminfo unreadable, or a MemTotal no machine has: "in effect" is not claimed
h=$(host meminfo wsl2-healthy)
rm "$h/proc/meminfo"
expect "wsl.wslconfig without /proc/meminfo" wsl.wslconfig "^pass: .*all valid; whether they are in effect is unknown: memory (/proc/meminfo cannot be read"
printf 'MemTotal: 1073741824000000000000000000 kB\nSwapTotal: 0 kB\nMemAvailable: 1000 kB\n' >"$h/proc/meminfo"
"$doctor" --root "$h" --only wsl.wslconfig,models.fit --format json >"$tmp/j"
check "$tmp/j" wsl.wslconfig | grep -q "whether they are in effect is unknown: memory (/proc/meminfo holds an impossible figure)" ||
    fail "wsl.wslconfig with MemTotal 10^21 GiB: $(check "$tmp/j" wsl.wslconfig)"
grep -q '10737418240000\|1024000000000000' "$tmp/j" && fail "a MemTotal of 10^21 GiB is used as a value"

# --- input past a cap is said to be cut, never judged as if whole
h=$(host bigcfg wsl2-healthy)
w=$h/mnt/c/Users/alice/.wslconfig
"$py" -c 'import sys; f=open(sys.argv[1],"a"); f.write("# padding\n"*120000 + "[wsl2]\nmemory=1GB\nbogus=1\n")' "$w"
expect "a .wslconfig over 1 MiB" wsl.wslconfig "^warn: .*the file is larger than the 1024 KiB the doctor reads: nothing from line 104858 on was checked"
# .doctor/env: a variable after 64 KiB (once cut there) is read; one over 16 MiB is refused
"$py" -c 'import sys; f=open(sys.argv[1],"a"); f.write("BIG=" + "x"*(1<<20) + "\nLLAMA_ARG_MODEL=/home/alice/nowhere.gguf\n")' "$h/.doctor/env"
expect "a variable after 1 MiB of .doctor/env" models.storage "nowhere.gguf (from LLAMA_ARG_MODEL) does not exist"
"$py" -c 'import sys; f=open(sys.argv[1],"a"); f.write(("PAD=" + "y"*1000 + "\n")*17000)' "$h/.doctor/env"
"$doctor" --root "$h" --only wsl.kernel >"$tmp/out" 2>&1
[ $? = 2 ] && grep -q ".doctor/env is over 16 MiB" "$tmp/out" || fail "a .doctor/env over 16 MiB: $(head -c 300 "$tmp/out")"

# --- model discovery: every model among 10,000 other files, loops walked once, each file
# counted once, and a search cut short is said to be
h=$(host manyfiles wsl2-healthy)
m=$h/home/alice/models
mv "$m/Llama-3.1-8B-Instruct-Q4_K_M.gguf" "$m/zz-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
"$py" -c 'import os,sys; [open(os.path.join(sys.argv[1], "note-%05d.txt" % i), "w").close() for i in range(10000)]' "$m"
"$doctor" --root "$h" --only models.storage,models.fit --format json >"$tmp/j"
check "$tmp/j" models.storage | grep -q "^pass: 1 model file(s), all on local Linux file systems" ||
    fail "one model among 10,000 files: $(check "$tmp/j" models.storage | head -c 300)"
check "$tmp/j" models.fit | grep -q "^pass: zz-Llama.*fits at -c 8192" || fail "models.fit among 10,000 files: $(check "$tmp/j" models.fit | head -c 300)"
h=$(host loops wsl2-healthy)
m=$h/home/alice/models
mkdir "$m/sub"
ln -s .. "$m/sub/back"                                 # a loop: ~/models/sub/back is ~/models
ln -s ../models "$m/loop"                              # and another
ln -s Llama-3.1-8B-Instruct-Q4_K_M.gguf "$m/alias.gguf" # the same file by another name
"$doctor" --root "$h" --only models.storage,models.fit --format json >"$tmp/j"
check "$tmp/j" models.storage | grep -q "^pass: 1 model file(s), all on local Linux file systems" ||
    fail "one model behind loops and an alias: $(check "$tmp/j" models.storage | head -c 300)"
mkdir -p "$m/a/b/c/d/e/f/g/h/i"
cp -a "$m/Llama-3.1-8B-Instruct-Q4_K_M.gguf" "$m/a/b/c/d/e/f/g/h/i/deep.gguf"
"$doctor" --root "$h" --only models.storage,models.fit --format json >"$tmp/j"
check "$tmp/j" models.storage | grep -q "^warn: 1 model file(s) found, but the search stopped early (directories nested deeper than 8, at /home/alice/models/a/b/c/d/e/f/g/h/i)" ||
    fail "a search cut short (depth): $(check "$tmp/j" models.storage | head -c 300)"
check "$tmp/j" models.fit | grep -q "^warn: .*the search stopped early" || fail "models.fit after a cut search: $(check "$tmp/j" models.fit | head -c 300)"

# --- small ones: each library counted once, ldd there but not runnable, where a version
# came from
h=$(host ldd wsl2-healthy)
{ printf '#!/bin/sh\nfor f; do\n  [ $# -gt 1 ] && echo "$f:"\n  i=0\n  while [ $i -lt 2048 ]; do\n'
  printf '    echo "\tlibcudart.so.12 => /usr/local/cuda-12.6/lib64/libcudart.so.12 (0x00007f3a11c00000)"\n'
  printf '    i=$((i + 1))\n  done\ndone\n'; } >"$h/usr/bin/ldd"
expect "ldd printing one line 2048 times" cuda.libs "^pass: 1 CUDA libraries of"
# two files asked in one ldd, an answer with no "FILE:" headers: not read as either's
h=$(host ldd-no-headers wsl2-healthy)
printf '#!/bin/sh\necho "\tlibcudart.so.12 => not found"\n' >"$h/usr/bin/ldd"
expect "ldd answering two files without headers" cuda.libs "^error: ldd could not read /home/alice/llama.cpp/build/bin/llama-server (unparsable)"
chmod -x "$h/usr/bin/ldd"
expect "ldd not executable" cuda.libs "^error: /usr/bin/ldd is there but cannot be run (it is not executable)"
h=$(host nonvcc wsl2-healthy)
rm "$h/usr/local/cuda-12.6/bin/nvcc"
expect "cuda.toolkit without nvcc" cuda.toolkit "^pass: CUDA 12.6.3 (CUDA_HOME /usr/local/cuda-12.6; no nvcc on PATH)"

# a probe's grandchild that calls setsid (a daemon) does not outlive the doctor, and one
# holding the probe's stdout does not make the probe wait for it
h=$(host setsid wsl2-healthy)
mark=wld-lingerer-$$
mkdir -p "$h/usr/local/bin"
printf '#!/bin/sh\nsleep 30\n' >"$h/usr/local/bin/$mark"
chmod +x "$h/usr/local/bin/$mark"
smi=$h/usr/lib/wsl/lib/nvidia-smi
{ echo '#!/bin/sh'
  echo "setsid $h/usr/local/bin/$mark >/dev/null 2>&1 </dev/null &"
  echo "setsid $h/usr/local/bin/$mark &"
  sed 1d "$smi"; } >"$smi.new"
mv "$smi.new" "$smi"
chmod +x "$smi"
"$doctor" --root "$h" --only gpu.driver --timeout 3 --format json >"$tmp/j"
check "$tmp/j" gpu.driver | grep -q "^pass: driver 566.36" || fail "nvidia-smi leaving daemons behind: $(check "$tmp/j" gpu.driver)"
sleep 0.2
for c in /proc/[0-9]*/cmdline; do
    if tr '\0' ' ' <"$c" 2>/dev/null | grep -q "$mark"; then
        fail "a probe's setsid grandchild outlived the doctor ($c)"
        pid=${c#/proc/}; kill -9 "${pid%/cmdline}" 2>/dev/null
    fi
done

# fixes name the user's own tree: a CPU-only build configured as build-cpu, in a source
# tree whose path needs quoting, is rebuilt there, not in a second tree beside it
h=$(host buildcpu wsl2-llama-cpu-only)
mkdir -p "$h/home/alice/src/my llama"
mv "$h/home/alice/llama.cpp/build" "$h/home/alice/src/my llama/build-cpu"
sed -i 's|^CMAKE_HOME_DIRECTORY:INTERNAL=.*|CMAKE_HOME_DIRECTORY:INTERNAL=/home/alice/src/my llama|' "$h/home/alice/src/my llama/build-cpu/CMakeCache.txt"
"$doctor" --root "$h" --only llama.build --llama-server "/home/alice/src/my llama/build-cpu/bin/llama-server" --format json >"$tmp/j"
"$py" -c 'import json,sys
c = json.load(open(sys.argv[1]))["checks"][0]
want = "`cmake -S '"'"'/home/alice/src/my llama'"'"' -B '"'"'/home/alice/src/my llama/build-cpu'"'"' -DGGML_CUDA=ON && cmake --build '"'"'/home/alice/src/my llama/build-cpu'"'"' --config Release -j`"
assert c["status"] == "fail" and want in c["fix"], c["fix"]' "$tmp/j" || fail "llama.build's fix for a build-cpu tree"

# GGML_CUDA_DEVICES: llama.cpp lists virtual devices, and they are not counted as GPUs
h=$(host virtual wsl2-healthy)
cat >"$h/home/alice/llama.cpp/build/bin/llama-server.fake" <<'EOF'
err: ggml_cuda_init: found 1 CUDA devices (Total VRAM: 24564 MiB):
err: ggml_cuda_init: emulating 2 virtual device(s) on 1 physical device(s) (GGML_CUDA_DEVICES)
err:   Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes, VRAM: 12282 MiB
err:   Device 1: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes, VRAM: 12282 MiB
out: Available devices:
out:   CUDA0: NVIDIA GeForce RTX 4090 (12282 MiB, 11426 MiB free)
out:   CUDA1: NVIDIA GeForce RTX 4090 (12282 MiB, 11426 MiB free)
EOF
expect "virtual CUDA devices" llama.devices "^pass: llama.cpp lists 1 CUDA device(s): .*(2 virtual devices on 1 GPU(s): GGML_CUDA_DEVICES is set)"

# the toolkit's stub libcuda on LD_LIBRARY_PATH: links, then fails every call
h=$(host stub wsl2-healthy)
sed -i 's|libcuda.so.1 => /usr/lib/wsl/lib/libcuda.so.1|libcuda.so.1 => /usr/local/cuda-12.6/lib64/stubs/libcuda.so.1|' "$h/usr/bin/ldd"
expect "a stub libcuda" cuda.libs "^fail: libcuda.so.1 resolves to /usr/local/cuda-12.6/lib64/stubs/libcuda.so.1: the CUDA toolkit's stub"

h=$(host dxgfifo wsl2-healthy)
rm "$h/dev/dxg"
mkfifo "$h/dev/dxg"
expect "/dev/dxg as a FIFO" gpu.dxg "^fail: /dev/dxg exists but is a FIFO (named pipe), not the character device"

# --- /etc/wsl.conf that is not what WSL reads: 10 MB, UTF-16, NUL bytes, a directory
h=$(host wslconf wsl2-healthy)
{ printf '[boot]\nsystemd=false\n'; head -c 10000000 /dev/zero | tr '\0' '#'; printf '\n[gpu]\nenabled=false\n'; } >"$h/etc/wsl.conf"
expect "a 10 MB /etc/wsl.conf" wsl.wsl-conf "^warn: 1 problem(s) in /etc/wsl.conf: - the file is larger than the 1024 KiB the doctor reads: nothing from line 3 on was checked"
printf '[\000gpu]\nenabled=\000false\n[boot]\nsystemd=true\n' >"$h/etc/wsl.conf"
expect "NUL bytes in /etc/wsl.conf" wsl.wsl-conf "^warn: .*problem(s) in /etc/wsl.conf"
printf '[gpu]\nenabled=false\n' | iconv -f UTF-8 -t UTF-16LE >"$h/etc/wsl.conf"
"$doctor" --root "$h" --only wsl.wsl-conf --format json >"$tmp/j"
check "$tmp/j" wsl.wsl-conf | grep -q "^\(warn\|fail\): " || fail "a UTF-16 /etc/wsl.conf: $(check "$tmp/j" wsl.wsl-conf | head -c 300)"
rm "$h/etc/wsl.conf"
mkdir "$h/etc/wsl.conf"
expect "/etc/wsl.conf as a directory" wsl.wsl-conf "^warn: /etc/wsl.conf cannot be read (EISDIR)"

echo "hostile: $failures failure(s)"
[ "$failures" = 0 ]
