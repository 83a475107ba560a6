#!/bin/sh
# Command-line contracts a user and a CI gate rely on: exit codes, one-line usage
# errors with hints, broken rules refused with exit 2, stdout holding only JSON.
doctor=$1 fixtures=$2
healthy=$fixtures/hosts/wsl2-healthy
failures=0 tmp=$(mktemp -d)
# how many checks a JSON report holds
n_checks() { "${PYTHON:-python3}" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["checks"]))' "$1" 2>/dev/null || echo 0; }
trap 'rm -rf "$tmp"' EXIT

expect() { # expect CODE PATTERN -- ARGS...: exit code and a stderr/stdout pattern
    code=$1 pattern=$2; shift 3
    "$doctor" "$@" >"$tmp/out" 2>"$tmp/err"; got=$?
    if [ "$got" != "$code" ]; then
        echo "FAIL: wsl-llm-doctor $*: exit $got, expected $code"; cat "$tmp/err"; failures=$((failures + 1)); return
    fi
    if [ -n "$pattern" ] && ! grep -q -- "$pattern" "$tmp/out" "$tmp/err"; then
        echo "FAIL: wsl-llm-doctor $*: output lacks '$pattern'"; cat "$tmp/out" "$tmp/err"; failures=$((failures + 1))
    fi
}

expect 2 "unknown option '--onyl' (did you mean '--only'?)" -- --onyl wsl.kernel
expect 2 "unknown check id 'wsl.kernal' (did you mean 'wsl.kernel'?)" -- --skip wsl.kernal
expect 2 "unknown command 'chek' (did you mean 'check'?)" -- chek
expect 2 "--format: unknown format 'xml'" -- --format xml
# a format a command does not write is refused, never answered in another
expect 2 "list: --format sarif does not apply; it writes text or json" -- list --format sarif
expect 2 "fit: --format junit does not apply; it writes text or json" -- fit x.gguf --format junit
expect 2 "--timeout" -- --timeout -1
expect 2 "explain needs a check id" -- explain
expect 2 "not a directory" -- --root "$tmp/none"
expect 0 "Usage: wsl-llm-doctor" -- --help
expect 0 "wsl-llm-doctor 0.1.0" -- --version
expect 0 "models.storage" -- list
expect 0 "4.19.121" -- explain wsl.kernel
expect 0 "" -- --root "$healthy"
expect 0 "" -- check --root "$healthy" --only gpu.driver,wsl.kernel

# --only reports just those checks; --skip removes one
"$doctor" --root "$healthy" --only wsl.kernel --format json >"$tmp/j" 2>/dev/null
n_checks "$tmp/j" | grep -qx 1 || { echo "FAIL: --only wsl.kernel reported other checks"; failures=$((failures + 1)); }
"$doctor" --root "$healthy" --skip models.storage >"$tmp/t" 2>/dev/null
grep -q models.storage "$tmp/t" && { echo "FAIL: --skip models.storage still reported it"; failures=$((failures + 1)); }

# --fail-on warn turns a warning into exit 1
expect 0 "" -- --root "$fixtures/hosts/wsl2-wslconfig-typos"
expect 1 "" -- --root "$fixtures/hosts/wsl2-wslconfig-typos" --fail-on warn

# JSON mode: stdout is exactly one JSON document, nothing else
"$doctor" --root "$healthy" --format json >"$tmp/j" 2>"$tmp/e"
head -c 1 "$tmp/j" | grep -q '{' || { echo "FAIL: JSON stdout does not start with {"; failures=$((failures + 1)); }
tail -c 2 "$tmp/j" | grep -q '}' || { echo "FAIL: JSON stdout does not end with }"; failures=$((failures + 1)); }

# No colour unless stdout is a terminal; -v adds evidence and timing
"$doctor" --root "$healthy" -v >"$tmp/t" 2>&1
grep -q "$(printf '\033')" "$tmp/t" && { echo "FAIL: colour escape in piped output"; failures=$((failures + 1)); }
grep -q "evidence:" "$tmp/t" || { echo "FAIL: -v shows no evidence"; failures=$((failures + 1)); }
grep -q " ms)" "$tmp/t" || { echo "FAIL: -v shows no per-check time"; failures=$((failures + 1)); }

# Rules: a broken file is exit 2 with a reason, never a crash, a hang or an empty verdict
printf '{"schema": ' >"$tmp/broken.json"
expect 2 "not valid JSON" -- --root "$healthy" --rules "$tmp/broken.json"
mkfifo "$tmp/rules.fifo"
expect 2 "rules file $tmp/rules.fifo is empty (no process is writing to the FIFO)" -- \
    --root "$healthy" --rules "$tmp/rules.fifo"
expect 2 "rules file $tmp is a directory, not a JSON file" -- --root "$healthy" --rules "$tmp"
"$doctor" rules >"$tmp/rules.json"
sed 's/"version":[[:space:]]*"[0-9.]*"/"version": 123/' "$tmp/rules.json" >"$tmp/v123.json"
expect 2 '"version" must be a string like' -- --root "$healthy" --rules "$tmp/v123.json"
# --rules <(...): a pipe is read until its writer closes it
"$doctor" rules | "$doctor" --root "$healthy" --only wsl.kernel --rules /dev/stdin >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: --rules from a pipe: $(cat "$tmp/err")"; failures=$((failures + 1)); }
expect 0 "" -- --root "$healthy" --rules "$tmp/rules.json"
sha_embedded=$("$doctor" --root "$healthy" --format json | grep '"sha256"')
sha_dumped=$("$doctor" --root "$healthy" --format json --rules "$tmp/rules.json" | grep '"sha256"')
[ "$sha_embedded" = "$sha_dumped" ] || { echo "FAIL: dumped rules hash differently"; failures=$((failures + 1)); }
# a field report may not fail a check
sed 's/"authority":[[:space:]]*"documented"/"authority": "field"/' "$tmp/rules.json" >"$tmp/field.json"
expect 2 "only documented sources" -- --root "$healthy" --rules "$tmp/field.json"
# an outcome the code needs must exist
sed 's/"too_old_for_wsl"/"renamed_outcome"/' "$tmp/rules.json" >"$tmp/missing.json"
expect 2 "outcome \"too_old_for_wsl\" is missing" -- --root "$healthy" --rules "$tmp/missing.json"
# an outcome the check never picks (a typo, another version's rule) is refused too
"${PYTHON:-python3}" -c 'import json, sys; d = json.load(open(sys.argv[1]))
d["checks"]["gpu.driver"]["outcomes"]["never_picked"] = {"status": "warn", "summary": "x", "fix": "y", "basis": "observed"}
json.dump(d, open(sys.argv[2], "w"))' "$tmp/rules.json" "$tmp/extra.json"
expect 2 "outcome \"never_picked\" is not one the check has" -- --root "$healthy" --rules "$tmp/extra.json"
# a threshold without a source is refused
sed 's/"source":[[:space:]]*"ms-kernel-release-notes"/"source": "nowhere"/' "$tmp/rules.json" >"$tmp/nosrc.json"
expect 2 "needs a known \"source\"" -- --root "$healthy" --rules "$tmp/nosrc.json"

# A probe that hangs costs at most its deadline, and the report is complete
start=$(date +%s%N)
"$doctor" --root "$fixtures/hosts/wsl2-nvidia-smi-hangs" --timeout 1 --format json >"$tmp/j" 2>/dev/null
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
[ "$ms" -lt 5000 ] || { echo "FAIL: a hanging probe took ${ms} ms with --timeout 1"; failures=$((failures + 1)); }
checks=$("$doctor" list --format json | grep -c '"id":')
[ "$(n_checks "$tmp/j")" = "$checks" ] || { echo "FAIL: report incomplete after a hang"; failures=$((failures + 1)); }

# A libcuda that hangs in cuInit: the helper is killed at the deadline with its process
# group, nothing is left running, and the main process never loaded libcuda.
# (a private copy, so the helper of a golden test running alongside is not mistaken for ours)
cp -a "$fixtures/hosts/wsl2-cuda-hang" "$tmp/hang-host"
start=$(date +%s%N)
"$doctor" --root "$tmp/hang-host" --timeout 1 --format json >"$tmp/j" 2>/dev/null
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
[ "$ms" -lt 5000 ] || { echo "FAIL: a hanging cuInit took ${ms} ms with --timeout 1"; failures=$((failures + 1)); }
grep -q '"status":"error","summary":"cuInit did not return' "$tmp/j" ||
    grep -q '"summary":[[:space:]]*"cuInit did not return' "$tmp/j" ||
    { echo "FAIL: a hanging cuInit is not reported as such"; failures=$((failures + 1)); }
[ "$(n_checks "$tmp/j")" = "$checks" ] || { echo "FAIL: report incomplete after a hung cuInit"; failures=$((failures + 1)); }
if ps -eo args 2>/dev/null | grep -v grep | grep -q -- "__cuda-probe.*$tmp/hang-host"; then
    echo "FAIL: the hung CUDA probe helper outlived the doctor"; failures=$((failures + 1))
fi

# --gpu-cc and --llama-build: bad values are usage errors; a good --gpu-cc replaces the
# GPUs gpu.cuda saw (the arch-mismatch host has an RTX 3060 and an sm_89-only build)
expect 2 "--gpu-cc: '86' is not a compute capability like 8.6" -- --gpu-cc 86
expect 2 "--gpu-cc: give a compute capability" -- --gpu-cc ,
mismatch=$fixtures/hosts/wsl2-llama-arch-mismatch
expect 1 "no kernel image is available" -- --root "$mismatch" --only llama.arch
expect 0 "runs the build's sm_89 cubin" -- --root "$mismatch" --only llama.arch --gpu-cc 8.9
expect 1 "nothing in the build runs on the GPU given with --gpu-cc (compute capability 8.6" -- \
    --root "$mismatch" --only llama.arch --gpu-cc 8.9,8.6
expect 1 "does not exist or is not executable" -- --root "$healthy" --only llama.build --llama-build /home/alice/elsewhere
expect 0 "is a CUDA build" -- --root "$healthy" --only llama.build --llama-build /home/alice/llama.cpp

# fit MODEL and the settings models.fit judges with
model=/home/alice/models/Llama-3.1-8B-Instruct-Q4_K_M.gguf
expect 2 "fit needs a model file" -- fit
expect 2 "--ctk: 'q4_K' is not a KV cache type" -- --ctk q4_K
expect 2 "--ctx: 'lots' is not a whole number" -- --ctx lots
expect 2 "--parallel: '0' is not a whole number in \[1," -- --parallel 0
expect 2 "--vram: 'big' is not a size in GiB" -- --vram big
expect 0 "131072     16.00 GiB     20.80 GiB       306 MiB  fits" -- fit --root "$healthy" "$model"
expect 0 "At -c 8192: pass" -- fit --root "$healthy" "$model"
expect 1 "does not fit (-ngl 17 would)" -- fit --root "$healthy" "$model" --vram 12 --ctx 131072
# a what-if for a smaller card: --vram replaces what the GPU reports; -c 0 is the trained context
expect 1 "needs 20.80 GiB of GPU memory at -c 131072" -- --root "$healthy" --only models.fit --vram 12 --ctx 0
expect 0 "fits at -c 131072" -- --root "$healthy" --only models.fit --vram 12 --ctx 0 --ctk q4_0 --ctv q4_0
expect 1 "is incomplete: tensor 'output.weight' data is not within the file bounds" -- \
    fit --root "$fixtures/hosts/wsl2-fit-truncated" "$model"
"$doctor" fit --root "$healthy" "$model" --format json >"$tmp/fit.json" 2>/dev/null
grep -q '"largest_row_that_fits":	131072' "$tmp/fit.json" && grep -q '"schema":	"wsl-llm-doctor/fit@1"' "$tmp/fit.json" ||
    { echo "FAIL: fit --format json"; cat "$tmp/fit.json"; failures=$((failures + 1)); }
# only the model given is tabulated, not the ones found in the home
"$doctor" fit --root "$fixtures/hosts/wsl2-models-on-9p" "$model" --format json >"$tmp/fit2.json" 2>/dev/null
grep -q 'Meta-Llama-3-70B' "$tmp/fit2.json" && { echo "FAIL: fit read other models"; failures=$((failures + 1)); }

# fit --vram N asks no GPU: the CUDA probe and nvidia-smi are not run, no process starts
if command -v strace >/dev/null 2>&1; then
    strace -f -e trace=execve -o "$tmp/strace" "$doctor" fit --root "$healthy" "$model" --vram 12 >/dev/null 2>&1
    n=$(grep -c 'execve(' "$tmp/strace")
    [ "$n" = 1 ] || { echo "FAIL: fit --vram ran $((n - 1)) process(es):"; grep 'execve(' "$tmp/strace" | tail -n +2; failures=$((failures + 1)); }
fi

# --bench-io measures the model's read speed beside the mount verdict (figures vary)
expect 1 "(measured: read [0-9]* MB/s, mmap [0-9]* MB/s, page cache" -- \
    --root "$fixtures/hosts/wsl2-models-on-9p" --only models.storage --bench-io

echo "cli contracts: $failures failure(s)"
[ "$failures" = 0 ]
