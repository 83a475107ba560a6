#!/bin/sh
# Fetches a real prebuilt llama.cpp CUDA backend for the optional test prebuilt.node-llama-cpp:
# node-llama-cpp's @node-llama-cpp/linux-x64-cuda from npm (about 140 MB), unpacked into
# build/external/. Needs npm and the npm registry; the test skips when this was not run.
# usage: scripts/fetch-prebuilt.sh [BUILD_DIR] [VERSION]
set -eu
build=${1:-build} version=${2:-3.22.1}
command -v npm >/dev/null || { echo "fetch-prebuilt.sh: npm is not installed (apt install npm)" >&2; exit 1; }
dst="$build/external/node-llama-cpp"
mkdir -p "$dst"
cd "$dst"
npm pack --silent "@node-llama-cpp/linux-x64-cuda@$version" >/dev/null
tar xzf "node-llama-cpp-linux-x64-cuda-$version.tgz"
rm -f "node-llama-cpp-linux-x64-cuda-$version.tgz"
echo "fetch-prebuilt.sh: $dst/package/bins/linux-x64-cuda/libggml-cuda.so"
