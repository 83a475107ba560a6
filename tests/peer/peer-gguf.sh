#!/bin/sh
# Cross-checks the GGUF reader and the KV-cache figure with independent implementations on
# the same files: @huggingface/gguf (header, tensors, parameter count, data offset) and
# ../shared/tools/gguf/kv-oracle.mjs (llama.cpp's KV rule), over models written by
# gguf-gen (several architectures) and llama.cpp's own vocab GGUF files. Skips (77) unless
# scripts/fetch-gguf-peers.sh was run and node and ../shared are there.
# usage: peer-gguf.sh DOCTOR GGUF_GEN EXTERNAL_DIR SHARED_DIR
doctor=$1 gen=$2 ext=$(cd "$3" 2>/dev/null && pwd) shared=$4
oracle=$shared/tools/gguf/kv-oracle.mjs
here=$(dirname "$0")
command -v node >/dev/null && [ -d "$ext/ggufpeers/node_modules/@huggingface/gguf" ] && [ -f "$oracle" ] ||
    { echo "skipped: run scripts/fetch-gguf-peers.sh (needs npm) with ../shared beside the repo"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$gen" "$tmp/llama-8b.gguf" llama-3.1-8b vocab-strings
"$gen" "$tmp/llama-70b.gguf" llama-3.1-70b
"$gen" "$tmp/qwen2.5-7b.gguf" qwen2.5-7b
"$gen" "$tmp/gemma-2-9b.gguf" gemma-2-9b
"$gen" "$tmp/deepseek-v2-lite.gguf" deepseek-v2-lite
"$gen" "$tmp/mistral-7b-v2.gguf" mistral-7b ftype=18
failures=0 n=0
for f in "$tmp"/*.gguf "$ext"/nlc/vocab/models/ggml-vocab-*.gguf; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    "$doctor" fit "$f" --ctx 8192 --format json >"$tmp/ours.json" 2>"$tmp/err" || [ $? = 1 ] ||
        { echo "FAIL: $f: wsl-llm-doctor fit"; cat "$tmp/err"; failures=$((failures + 1)); continue; }
    PEERS=$ext/ggufpeers node "$oracle" "$f" --ctx 8192 >"$tmp/oracle.json" 2>"$tmp/err" ||
        { echo "FAIL: $f: kv-oracle"; cat "$tmp/err"; failures=$((failures + 1)); continue; }
    PEERS=$ext/ggufpeers node "$here/peer-compare.mjs" "$f" "$tmp/ours.json" "$tmp/oracle.json" ||
        failures=$((failures + 1))
done
echo "peer.gguf: $n files, $failures disagreement(s)"
[ "$failures" = 0 ] && [ "$n" -gt 6 ]
