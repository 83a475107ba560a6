#!/bin/sh
# The GGUF reader's figures (bench/gguf_bench.c), the whole doctor over 200 models, and
# @huggingface/gguf parsing the same 128k-vocabulary header, side by side. Figures to
# watch, never test assertions. The peer part needs scripts/fetch-gguf-peers.sh.
set -eu
cd "$(dirname "$0")/.."
bench=build/bench/gguf-bench dir=${1:-build/bench/gguf}
[ -x "$bench" ] || { echo "build first: cmake --build build" >&2; exit 1; }
"$bench" "$dir"
models=""
for f in "$dir"/models/*.gguf; do models="$models --model $f"; done
s=$(date +%s%N)
# shellcheck disable=SC2086 # one --model per file
build/wsl-llm-doctor --only models.fit $models --format json >/dev/null || true
e=$(date +%s%N)
echo "wsl-llm-doctor --only models.fit over 200 models: $(( (e - s) / 1000000 )) ms (whole process)"
# fit MODEL --vram N: the header, the arithmetic and the table, with no GPU asked
for i in $(seq 20); do
    s=$(date +%s%N)
    build/wsl-llm-doctor fit "$dir/vocab128k.gguf" --vram 24 >/dev/null || true
    e=$(date +%s%N)
    echo $(((e - s) / 1000))
done | sort -n | awk '{a[NR]=$1} END {printf "wsl-llm-doctor fit (128k-vocabulary header) --vram 24, %d runs: median %.2f ms (whole process)\n", NR, a[int((NR+1)/2)]/1000}'
peers=$(pwd)/build/external/ggufpeers
if command -v node >/dev/null && [ -d "$peers/node_modules/@huggingface/gguf" ]; then
    PEERS=$peers FILE=$(pwd)/$dir/vocab128k.gguf node --input-type=module -e '
import { createRequire } from "node:module";
const require = createRequire(process.env.PEERS + "/package.json");
const hf = require("@huggingface/gguf");
const t = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  await hf.gguf(process.env.FILE, { allowLocalFile: true });
  t.push(performance.now() - t0);
}
t.sort((a, b) => a - b);
console.log(`@huggingface/gguf 0.4.6, same header: median ${t[2].toFixed(2)} ms, min ${t[0].toFixed(2)} ms over 5 parses (in one warm node process)`);'
else
    echo "@huggingface/gguf: not installed (scripts/fetch-gguf-peers.sh)"
fi
