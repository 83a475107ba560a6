#!/bin/sh
# Builds and runs every test: the -Werror build with its ctest suite, the ASan+UBSan
# build with the same suite, and a short run of each libFuzzer target. Exits non-zero on
# any failure; the last line is ctest's summary of the main suite.
# The ASan+UBSan build is also the gcov build: its suite run gives the line and branch
# coverage of src/ and checks/ (gcovr), and below 85% of lines fails.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)
scripts/deps.sh test

# NVIDIA's real userspace (Debian's non-free nvidia-smi, libcuda1, libnvidia-ml1), unpacked,
# never installed, for nvidia.real in both builds; where the registry cannot be reached the
# test skips and says why (build/external/nvidia-debs/unavailable).
echo "== Debian's NVIDIA userspace for nvidia.real"
nvidia_debs=$PWD/build/external/nvidia-debs
scripts/fetch-nvidia-debs.sh build 2>&1 | tail -n 1 ||
    true # the reason is in $nvidia_debs/unavailable, and the test prints it

echo "== ASan + UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWLD_WERROR=ON -DWLD_SANITIZE=ON -DWLD_COVERAGE=ON \
    -DBUILD_TESTING=ON -DWLD_NVIDIA_DEBS="$nvidia_debs" >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
find build-asan -name '*.gcda' -delete
# A failure here must stop the run: a pipe into tail would hide ctest's exit status.
# (but the slow tests, which build the project their own way: the main suite runs them)
if ! (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest -j"$jobs" -LE slow --output-on-failure \
    >ctest.log 2>&1) || ! grep -q 'tests passed' build-asan/ctest.log; then
    grep -E -A 12 'Failed|FAILED|ERROR: AddressSanitizer|runtime error' build-asan/ctest.log | tail -n 60
    echo "ASan + UBSan tests failed (build-asan/ctest.log)"
    exit 1
fi
tail -n 3 build-asan/ctest.log
# -fprofile-update=atomic keeps the counters right across threads; a parse error of gcov's
# output on a counter it wrote while a test was killed is not a reason to fail
gcovr -r . -f 'src/' -f 'checks/' --gcov-ignore-parse-errors --print-summary \
    --txt build-asan/coverage.txt build-asan >build-asan/gcovr.log 2>&1 ||
    { tail -n 20 build-asan/gcovr.log; exit 1; }
grep -E '^(lines|branches):' build-asan/gcovr.log
echo "coverage per file: build-asan/coverage.txt"
pct=$(sed -n 's/^lines: \([0-9.]*\)%.*/\1/p' build-asan/gcovr.log)
awk -v p="$pct" 'BEGIN { exit !(p >= 85) }' || { echo "line coverage $pct% is below 85%"; exit 1; }

echo "== libFuzzer targets (short runs)"
# 5 s each is a smoke run of every target that keeps CI in its time; WLD_FUZZ_SECONDS=300
# (or tests/fuzz/run 300 TARGET) is the run that hunts
tests/fuzz/run "${WLD_FUZZ_SECONDS:-5}"

echo "== Build (-Werror) and tests"
# BUILD_TESTING is named: scripts/run.sh configures the same build/ without tests, and
# the cache would otherwise keep that, leaving ctest nothing to run.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWLD_WERROR=ON -DBUILD_TESTING=ON \
    -DWLD_NVIDIA_DEBS="$nvidia_debs" >/dev/null
cmake --build build -j"$jobs" >/dev/null
# The peer GGUF parsers and llama.cpp's vocab files come from npm: peer.gguf skips without.
if command -v npm >/dev/null && command -v node >/dev/null && command -v git >/dev/null; then
    scripts/fetch-gguf-peers.sh build >/dev/null 2>&1 ||
        echo "could not fetch the peer GGUF parsers from npm: peer.gguf will be skipped"
fi
cd build
set +e
ctest -j"$jobs" --output-on-failure >ctest.log 2>&1
rc=$?
set -e
cat ctest.log
# a suite that ran nothing passed nothing
summary=$(grep -E 'tests passed|tests failed' ctest.log | tail -n 1)
[ -n "$summary" ] || { echo "ctest ran no tests"; exit 1; }
echo "$summary"
exit $rc
