#!/bin/sh
# Builds and runs every test: the -Werror build with its ctest suite, the ASan+UBSan
# build with the same suite, and a short run of each libFuzzer target. Exits non-zero on
# any failure; the last line is ctest's summary of the main suite.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)
scripts/deps.sh test

echo "== ASan + UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWLD_WERROR=ON -DWLD_SANITIZE=ON -DBUILD_TESTING=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
# A failure here must stop the run: a pipe into tail would hide ctest's exit status.
if ! (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest -j"$jobs" --output-on-failure \
    >ctest.log 2>&1) || ! grep -q 'tests passed' build-asan/ctest.log; then
    grep -E -A 12 'Failed|FAILED|ERROR: AddressSanitizer|runtime error' build-asan/ctest.log | tail -n 60
    echo "ASan + UBSan tests failed (build-asan/ctest.log)"
    exit 1
fi
tail -n 3 build-asan/ctest.log

echo "== libFuzzer targets (short runs)"
tests/fuzz/run "${WLD_FUZZ_SECONDS:-15}"

echo "== Build (-Werror) and tests"
# BUILD_TESTING is named: scripts/run.sh configures the same build/ without tests, and
# the cache would otherwise keep that, leaving ctest nothing to run.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWLD_WERROR=ON -DBUILD_TESTING=ON >/dev/null
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
