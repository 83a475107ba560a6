#!/bin/sh
# A recording of a live host replays to the live verdicts, on a tree shaped like a real
# llama.cpp build: a llama-server reached through a symlink (~/bin/llama-server -> the build
# tree), and its CUDA backend reached through the chain every shared CMake build makes
# (libggml-cuda.so -> libggml-cuda.so.0 -> libggml-cuda.so.0.19.0). The build is made of
# the test's real ELF fakes; the host is this machine, with its real ldd and loader.
# usage: replay.sh DOCTOR FAKEDIR PYTHON
doctor=$1 fake=$2 py=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# the build tree: llama-server and libggml.so (RUNPATH $ORIGIN), a GGML_BACKEND_DL CUDA
# module behind its version links, and the CUDA runtime it needs beside it
src=$tmp/llama.cpp
bin=$src/build/bin
mkdir -p "$bin" "$tmp/links"
cp "$fake/llama" "$bin/llama-server"
printf 'ver: version: 10431 (1692f9e50)\nver: built with cc (Debian 12.2.0-14+deb12u1) 12.2.0 for x86_64-linux-gnu\n' \
    >"$bin/llama-server.fake"
cp "$fake/cpu/libggml.so" "$bin/"
cp "$fake/cuda12/libggml-cuda.so" "$bin/libggml-cuda.so.0.19.0"
ln -s libggml-cuda.so.0.19.0 "$bin/libggml-cuda.so.0"
ln -s libggml-cuda.so.0 "$bin/libggml-cuda.so"
cp -P "$fake"/cuda12/libcudart.so* "$fake"/cuda12/libcublas.so* "$bin/"
printf 'CMAKE_HOME_DIRECTORY:INTERNAL=%s\nGGML_CUDA:BOOL=ON\nGGML_BACKEND_DL:BOOL=ON\n' "$src" >"$src/build/CMakeCache.txt"
# what CMake keeps of the CUDA compiler and the GPU it saw (not in CMakeCache.txt)
mkdir -p "$src/build/CMakeFiles/3.25.1"
printf 'set(CMAKE_CUDA_COMPILER_VERSION "12.6.85")\nset(CMAKE_CUDA_ARCHITECTURES_NATIVE "89-real")\n' \
    >"$src/build/CMakeFiles/3.25.1/CMakeCUDACompiler.cmake"
ln -s "$bin/llama-server" "$tmp/links/llama-server"

checks=cuda.libs,llama.build,llama.arch,llama.runtime
# what a user sees of each check, one line each
verdicts() {
    "$py" -c 'import json,sys
for c in json.load(open(sys.argv[1], "rb"))["checks"]:
    print(c["id"], c["status"], c.get("outcome"), c["summary"], c["fix"])' "$1"
}

# the live run, its recording (record prints the same, redacted, report) and the replay, as
# record tells the maintainer to type it (with the options that chose the checks and
# files): the same verdicts, all three
roundtrip() { # roundtrip NAME
    rm -rf "$tmp/rec"
    "$doctor" --only "$checks" --llama-server "$tmp/links/llama-server" --format json \
        --redact >"$tmp/live.json" 2>"$tmp/err"
    "$doctor" record "$tmp/rec" --only "$checks" --llama-server "$tmp/links/llama-server" \
        --format json >"$tmp/recorded.json" 2>"$tmp/err"
    [ $? -le 1 ] || { cat "$tmp/err"; fail "$1: record"; } # 1: a check failed, as it may
    replay=$(sed -n 's/^Replay it with: wsl-llm-doctor //p' "$tmp/err")
    case $replay in *"--llama-server $tmp/links/llama-server"*) ;; *) fail "$1: record's replay command: $replay" ;; esac
    # shellcheck disable=SC2086 # the words record printed, shell-quoted where needed
    eval "\"\$doctor\" $replay" >"$tmp/replay.json" 2>"$tmp/err"
    verdicts "$tmp/live.json" >"$tmp/live.txt"
    verdicts "$tmp/recorded.json" >"$tmp/recorded.txt"
    verdicts "$tmp/replay.json" >"$tmp/replay.txt"
    diff -u "$tmp/live.txt" "$tmp/recorded.txt" >/dev/null ||
        fail "$1: record's report differs from the live one: $(diff "$tmp/live.txt" "$tmp/recorded.txt")"
    diff -u "$tmp/recorded.txt" "$tmp/replay.txt" >"$tmp/diff" || fail "$1: the replay differs from the recorded run:
$(cat "$tmp/diff")"
}
roundtrip "a CUDA build"

# and the verdicts are the right ones: the link followed to the build, its CMake tree read
grep -q "^llama.build pass " "$tmp/live.txt" && grep -q "^cuda.libs pass " "$tmp/live.txt" ||
    fail "llama.build and cuda.libs on the linked binary: $(grep "llama.build\\|cuda.libs" "$tmp/live.txt")"
"$py" -c 'import json,sys
c = {c["id"]: c for c in json.load(open(sys.argv[1], "rb"))["checks"]}["llama.build"]["evidence"]
c = c["runtimes"][0]  # judged per runtime: the llama.cpp build is the one named
assert c["binary"] == sys.argv[2] and c["binary_real"] == sys.argv[3], c
assert c["build_dir"] == sys.argv[4] and c["tree"] == "cmake", c' \
    "$tmp/live.json" "$tmp/links/llama-server" "$bin/llama-server" "$src/build" ||
    fail "llama.build did not follow the link to its build tree"

# the runtime's version from the runtime itself, the architectures of a native build from
# what CMake saw, and llama.cpp's default list when the build was not native
"$py" - "$tmp/live.json" <<'EOF' || fail "runtime version or derived architectures"
import json, sys
c = {c["id"]: c for c in json.load(open(sys.argv[1], "rb"))["checks"]}
b = c["llama.build"]["evidence"]["runtimes"][0]
assert b["load"]["cuda_runtime"] == "12.6", b["load"]
assert "needs CUDA 12.6" in c["llama.runtime"]["summary"], c["llama.runtime"]["summary"]
assert "sm_89, a GGML_NATIVE build: the GPUs CMake saw" in c["llama.arch"]["summary"], c["llama.arch"]["summary"]
v = b["version"]
assert v["build"] == 10431 and v["commit"] == "1692f9e50" and v["built_with"].startswith("cc (Debian"), v
EOF
# the report's host line carries the build, live and replayed (--version is recorded too)
for f in live replay; do
    "$py" -c 'import json,sys; h = json.load(open(sys.argv[1], "rb"))["host"]; assert h["llama_version"] == "b10431 (1692f9e50)", h' \
        "$tmp/$f.json" || fail "the $f report's host summary lacks llama.cpp's version"
done
echo 'GGML_NATIVE:BOOL=OFF' >>"$src/build/CMakeCache.txt"
"$doctor" --only llama.arch --llama-server "$bin/llama-server" --gpu-cc 8.6 --format json >"$tmp/j"
"$py" - "$tmp/j" <<'EOF' || fail "llama.arch with llama.cpp's default list"
import json, sys
c = json.load(open(sys.argv[1], "rb"))["checks"][0]
assert c["status"] == "pass" and "runs the build's sm_86 cubin" in c["summary"], c["summary"]
assert "not recorded by the build: llama.cpp's default list for CUDA 12.6.85" in c["summary"], c["summary"]
assert "compute_50 (PTX)" in c["summary"] and "sm_120a" not in c["summary"], c["summary"]
EOF

# the same tree with the backend every real build has, which needs the driver's
# libcuda.so.1, on this machine without one: the build and the libraries name the driver,
# not a rebuild, and the replay says the same
if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then
    echo "note: this machine has libcuda.so.1: the missing-driver case is skipped"
else
    sed -i '/GGML_NATIVE/d' "$src/build/CMakeCache.txt"
    cp "$fake/cudadrv/libggml-cuda.so" "$bin/libggml-cuda.so.0.19.0"
    roundtrip "a CUDA build without the driver"
    "$py" - "$tmp/live.json" "$bin" <<'EOF' || fail "a CUDA build without the driver"
import json, sys
c = {c["id"]: c for c in json.load(open(sys.argv[1], "rb"))["checks"]}
b, l = c["llama.build"], c["cuda.libs"]
assert b["outcome"] == "driver_lib_missing" and "libcuda.so.1: cannot open shared object file" in b["summary"], b["summary"]
# one cause, one failure: the build follows the libraries' finding, whose fix is the driver
assert b["status"] == "skip" and b["fix"] is None, b
assert b["caused_by"] == {"check": "cuda.libs", "outcome": "libcuda_missing"}, b
assert l["outcome"] == "libcuda_missing" and "install the NVIDIA driver" in l["fix"], l
assert "(the driver library, needed by " + sys.argv[2] + "/libggml-cuda.so" in l["summary"], l["summary"]
EOF
fi

echo "replay: $failures failure(s)"
[ "$failures" = 0 ]
