#!/bin/sh
# Builds wsl-llm-doctor into build/ and runs it on this machine. Arguments are passed on:
#   scripts/run.sh --format json
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWLD_WERROR=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec build/wsl-llm-doctor "$@"
