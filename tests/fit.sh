#!/bin/sh
# models.fit and `fit` on the real tiny model a llama-server b10309 loaded
# (../shared/corpus-sample/server/real-llama-server-b10309/tiny.gguf: llama, all F32,
# 125,248 parameters, trained context 256), on a WSL2 host where CUDA sees no GPU: the
# trained-context warning needs no GPU, and a model under 1 MiB reads in KiB and K.
# The file is copied into a temporary copy of the host, never into the repository.
# Skips (77) when ../shared is not beside the checkout.
# usage: fit.sh DOCTOR HOSTS SHARED
doctor=$1 hosts=$2 tiny=$3/corpus-sample/server/real-llama-server-b10309/tiny.gguf
[ -f "$tiny" ] || { echo "no $tiny: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
cp -a "$hosts/wsl2-fit-cpu-over-train" "$tmp/h"
cp "$tiny" "$tmp/h/home/alice/models/tiny.gguf"
model=/home/alice/models/tiny.gguf

# models.fit: warn (exit 0), the trained context named in the summary and the fix
"$doctor" --root "$tmp/h" --only models.fit --model "$model" --ctx 8192 >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "--only models.fit --ctx 8192: exit $rc, expected 0"
grep -q "^WARN .*models\.fit .*tiny\.gguf: -c 8192 is beyond the context it was trained for (256)" "$tmp/out" ||
    fail "--ctx 8192 on a model trained for 256, no GPU: no over_train warning: $(cat "$tmp/out")"
grep -q "n_ctx_seq (8192) > n_ctx_train (256)" "$tmp/out" || fail "llama.cpp's own warning not quoted: $(cat "$tmp/out")"
grep -q "Use \`-c 256\` or less" "$tmp/out" || fail "no fix to -c 256: $(cat "$tmp/out")"
"$doctor" --root "$tmp/h" --only models.fit --model "$model" --ctx 8192 --fail-on warn >/dev/null 2>&1
[ $? = 1 ] || fail "--fail-on warn: the warning does not fail the run"

# the same verdict from the saved facts (--facts), with no host
"$doctor" --root "$tmp/h" --only models.fit --model "$model" --ctx 8192 --format json >"$tmp/r.json" 2>/dev/null
"$doctor" --facts "$tmp/r.json" --only models.fit >"$tmp/facts.txt" 2>&1
grep -q "^WARN .*-c 8192 is beyond the context it was trained for (256)" "$tmp/facts.txt" ||
    fail "--facts: $(cat "$tmp/facts.txt")"

# within the trained context it runs from RAM: a pass, its size in KiB
"$doctor" --root "$tmp/h" --only models.fit --model "$model" --ctx 256 >"$tmp/out" 2>&1
[ $? = 0 ] && grep -q "^PASS .*tiny\.gguf (all F32, 489 KiB) runs from RAM" "$tmp/out" ||
    fail "--ctx 256: $(cat "$tmp/out")"

# fit: parameters in K, weights in KiB, rows past 256 marked, the verdict a warning
"$doctor" fit --root "$tmp/h" "$model" >"$tmp/fit.txt" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "fit: exit $rc, expected 0"
grep -q "^tiny-llama-test: llama, all F32, 125.2K parameters, 489 KiB of weights, 2 layers, trained context 256$" "$tmp/fit.txt" ||
    fail "fit: the model line: $(head -1 "$tmp/fit.txt")"
grep -q "^ *8192 .*fits, beyond the trained 256" "$tmp/fit.txt" || fail "fit: the 8192 row is not marked: $(cat "$tmp/fit.txt")"
grep -q "^ *256 .* fits *$" "$tmp/fit.txt" || fail "fit: the 256 row: $(cat "$tmp/fit.txt")"
grep -q "^At -c 8192: warn tiny.gguf: -c 8192 is beyond the context it was trained for (256)" "$tmp/fit.txt" ||
    fail "fit: the verdict: $(cat "$tmp/fit.txt")"
grep -q "[^0-9.]0 MiB\|0\.00 B " "$tmp/fit.txt" && fail "fit: a size or count shown as zero: $(cat "$tmp/fit.txt")"
"$doctor" fit --root "$tmp/h" "$model" --format json >"$tmp/fit.json" 2>/dev/null
grep -q '"beyond_trained":	true' "$tmp/fit.json" && grep -q '"outcome":	"over_train"' "$tmp/fit.json" &&
    grep -q '"n_params":	125248' "$tmp/fit.json" || fail "fit --format json: $(cat "$tmp/fit.json")"
echo "fit: $failures failure(s)"
[ "$failures" = 0 ]
