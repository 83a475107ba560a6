#!/bin/sh
# Fetches what the optional test peer.gguf compares the GGUF reader with, all from npm:
#   - the peer parsers @huggingface/gguf 0.4.6 and hyllama 0.2.2 (../shared/tools/gguf),
#   - llama.cpp's own vocab GGUF files (real files written by its converter), taken from
#     the llama.cpp source bundle inside node-llama-cpp 3.22.1 (35 MB; no install
#     scripts run). See ../shared/reference/gguf.md 6.1 and 6.3.
# into BUILD_DIR/external/. Needs npm, git and the npm registry; the test skips without them.
# usage: scripts/fetch-gguf-peers.sh [BUILD_DIR]
set -eu
build=${1:-build}
for tool in npm git tar; do
    command -v $tool >/dev/null || { echo "fetch-gguf-peers.sh: $tool is not installed" >&2; exit 1; }
done
ext=$(cd "$build" && pwd)/external
mkdir -p "$ext/ggufpeers" "$ext/nlc"
(cd "$ext/ggufpeers" && [ -f package.json ] || npm init -y >/dev/null)
(cd "$ext/ggufpeers" && npm install --silent --no-audit --no-fund @huggingface/gguf@0.4.6 hyllama@0.2.2)
cd "$ext/nlc"
if [ ! -d vocab/models ]; then
    npm pack --silent node-llama-cpp@3.22.1 >/dev/null
    tar xzf node-llama-cpp-3.22.1.tgz package/llama/gitRelease.bundle
    rm -rf vocab && git init -q vocab
    (cd vocab && git fetch -q ../package/llama/gitRelease.bundle HEAD &&
        git archive FETCH_HEAD models | tar x --wildcards 'models/ggml-vocab-*.gguf')
    rm -rf package node-llama-cpp-3.22.1.tgz vocab/.git
fi
echo "fetch-gguf-peers.sh: $ext/ggufpeers, $(ls "$ext/nlc/vocab/models" | wc -l) vocab files in $ext/nlc/vocab/models"
