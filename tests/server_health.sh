#!/bin/sh
# server.health against a loopback server the test starts (tests/tools/http_stub.py)
# standing in for llama-server and ollama: healthy, loading, ollama partly and wholly on
# the CPU, garbage, a server that never answers and one whose body never ends (the report
# is complete within the deadline), nothing listening, --offline, and a recording that
# replays the exchanges with no server running.
# usage: server_health.sh DOCTOR SRCDIR
. "$2/tests/tools/stub.sh" "$1" "$2"
mkdir -p "$srv/healthy" "$srv/loading" "$srv/split/api" "$srv/cpu/api" "$srv/garbage"

# answers shaped like ../shared/corpus-sample/server/ (llama.cpp's README, ollama's API)
printf '{"status": "ok"}' >"$srv/healthy/health"
printf '{"model_path": "/home/alice/models/Llama-3.1-8B-Instruct-Q4_K_M.gguf", "build_info": "b4567-2c4f1a3", "default_generation_settings": {"n_ctx": 8192}}' >"$srv/healthy/props"
printf '[{"id": 0, "n_ctx": 8192, "is_processing": false}]' >"$srv/healthy/slots"
printf '{"error": {"code": 503, "message": "Loading model", "type": "unavailable_error"}}' >"$srv/loading/health.503"
printf '{"version": "0.6.2"}' >"$srv/split/api/version"
printf '{"models": [{"name": "qwen2.5:32b", "size": 21474836480, "size_vram": 16106127360, "context_length": 4096}]}' >"$srv/split/api/ps"
cp "$srv/split/api/version" "$srv/cpu/api/version"
printf '{"models": [{"name": "llama3.1:8b", "size": 6654289920, "size_vram": 0}]}' >"$srv/cpu/api/ps"
printf '<html><body>It works!</body></html>' >"$srv/garbage/health"

verdict() { # ARGS...: prints "STATUS SUMMARY" of server.health
    "$doctor" --only server.health --format json "$@" 2>/dev/null |
        "$py" -c 'import json, sys; c = json.load(sys.stdin)["checks"][0]; print(c["status"], c["summary"])'
}
expect() { # WHAT STATUS PATTERN ARGS...
    what=$1 want=$2 pattern=$3
    shift 3
    got=$(verdict "$@")
    case $got in "$want "*) ;; *) fail "$what: $got" ;; esac
    echo "$got" | grep -q -E -e "$pattern" || fail "$what: $got"
}
expect healthy pass "llama-server.*model Llama-3.1-8B-Instruct-Q4_K_M.gguf, n_ctx 8192, build b4567" --server "$base/healthy"
expect loading warn "still loading its model" --server "$base/loading"
# against the rest of the report: the model models.fit judged, at its context; the build
hosts=$src/tests/fixtures/hosts
expect "another build" pass "llama.build inspected build 7104, not this server's" \
    --root "$hosts/wsl2-healthy" --server "$base/healthy"
expect "another context" pass "models.fit judged -c 4096, the server runs 8192 \(give --ctx 8192\)" \
    --root "$hosts/wsl2-healthy" --server "$base/healthy" --ctx 4096
# from Windows too, through interop: curl.exe reaches it, or not
expect "reached from Windows" pass "answers" --root "$hosts/wsl2-healthy" --server "$base/healthy"
"$doctor" --only server.health --format json --root "$hosts/wsl2-healthy" --server "$base/healthy" |
    grep -q '"http_code":[[:space:]]*"200"' || fail "reached from Windows: curl.exe's answer is not in the evidence"
expect "not from Windows" fail "answers inside WSL, but not from Windows \\(curl.exe exit 7\\): networking mode nat, localhostForwarding=false" \
    --root "$hosts/wsl2-windows-cannot-reach" --server "$base/healthy"
expect "not from Windows, --no-interop" pass "answers" --root "$hosts/wsl2-windows-cannot-reach" \
    --server "$base/healthy" --no-interop
expect "a model the doctor did not find" pass "models.fit did not judge this model" \
    --root "$hosts/native-linux" --server "$base/healthy"
expect "ollama split" warn "qwen2.5:32b keeps 25% of its 20.00 GiB in host memory" --server "$base/split"
expect "ollama on the CPU" fail "llama3.1:8b .* nothing in VRAM" --server "$base/cpu"
expect garbage error "answers, but not as llama-server or ollama" --server "$base/garbage"
expect "nothing listening" fail "nothing answers" --server "http://127.0.0.1:9"
expect "a redirect to plain http" error "the exchange failed" --server "$base/redirect/healthy"
expect "TLS to a plain server" error "the exchange failed" --server "https://127.0.0.1:${base##*:}/healthy"
start=$(date +%s)
expect hang error "did not answer within the 1 s deadline" --server "$base/hang/x" --timeout 1
expect "endless body" error "larger than 1048576 bytes|within" --server "$base/forever" --timeout 3
# a deadline that holds ends these in about 4 s; only a hang comes near a minute, however
# loaded the machine is (ctest -j16 on two cores)
[ $(($(date +%s) - start)) -le 60 ] || fail "a hanging server held the report past its deadlines"
expect "the worst of two" fail "llama3.1:8b" --server "$base/healthy" --server "$base/cpu"
expect offline skip "offline: no server was asked" --offline --server "$base/healthy"
"$doctor" --only server.health --server ftp://x >/dev/null 2>&1
[ $? = 2 ] || fail "--server with an ftp URL is not a usage error"
# record keeps each exchange (redacted); --root answers from it with no server running
"$doctor" record "$tmp/rec" --root "$hosts/native-linux" --only server.health \
    --server "$base/split" >/dev/null 2>&1
ls "$tmp/rec/.doctor/http/"*.json >/dev/null 2>&1 || fail "record kept no HTTP exchange"
grep -q '"content_type":[[:space:]]*"application/json"' "$tmp/rec/.doctor/http/"*.json ||
    fail "record kept no Content-Type"
kill $stub 2>/dev/null
wait $stub 2>/dev/null
expect "replayed from the recording" warn "qwen2.5:32b keeps 25%" --root "$tmp/rec" --server "$base/split"
expect "a URL the recording lacks" fail "nothing answers" --root "$tmp/rec" --server "$base/healthy"
echo "server health: $failures failure(s)"
[ "$failures" = 0 ]
