#!/bin/sh
# server.health's discovery on this machine, live: the processes it finds, where they
# listen, what it asks them, and what never leaves the doctor.
#   - RUNS full checks with a llama.cpp binary whose `--list-devices` child runs while the
#     doctor looks for servers, and no server running: never a finding about a server
#     (the doctor's own child is not one); then RUNS with a server running: exactly it.
#   - a llama-server process that listens nowhere, a router with a loaded model's child, a
#     router whose model failed, a server with an API key (asked without, with the right
#     and with a wrong key), and a recording replayed to the live verdict.
#   - a planted API key (flag, environment, key file) and a URL password reach no report
#     format and no file of a recording.
# The running servers are tests/tools/http_stub.py started under the name llama-server (a
# link to python3: /proc/PID/comm and argv[0] say llama-server, as a real one's do), serving
# the real llama-server b10309 answers of ../shared/corpus-sample/server when they are there
# and answers shaped like them when not. The `--list-devices` child is the real llama-server
# named by WLD_REAL_LLAMA_SERVER when set, else the fake llama ELF (tests/fake/fake_llama.c);
# with a real one and ../shared's tiny.gguf, the real server itself serves the running,
# keyed and router cases too (Debian has no llama.cpp package, so CI runs the stand-ins).
# usage: server_discovery.sh DOCTOR SRCDIR FAKEDIR [RUNS]
doctor=$1 src=$2 fakedir=$3 runs=${4:-50}
py=${PYTHON:-python3}
python=$(readlink -f /usr/bin/python3 2>/dev/null || command -v python3)
tmp=$(mktemp -d)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
stop_all() { # every server the test started: the stand-ins by their path, real ones by pid
    pkill -f "$tmp/" 2>/dev/null
    [ -f "$tmp/pids" ] && kill $(cat "$tmp/pids") 2>/dev/null
    rm -f "$tmp/pids"
    sleep 0.2
}
trap 'stop_all; rm -rf "$tmp"' EXIT
real=$src/../shared/corpus-sample/server/real-llama-server-b10309

# the llama.cpp binary the full checks inspect and run with --list-devices
mkdir -p "$tmp/build/bin" "$tmp/run"
if [ -n "${WLD_REAL_LLAMA_SERVER:-}" ]; then
    bin=$WLD_REAL_LLAMA_SERVER
    echo "the --list-devices child: $bin (a real llama-server)"
else
    bin=$tmp/build/bin/llama-server
    cp "$fakedir/llama" "$bin"
    cp "$fakedir/cpu/libggml.so" "$tmp/build/bin/"
    printf 'ver: version: 10309 (82bb48500)\nver: built with GNU 12.2.0 for Linux x86_64\nsleep=0.1\nout: Available devices:\nout:   (none)\n' >"$bin.fake"
    echo "the --list-devices child: the fake llama ELF (set WLD_REAL_LLAMA_SERVER for a real one)"
fi
# a llama-server that serves: python3 under that name
ln -s "$python" "$tmp/run/llama-server"

# answers: the real ones when ../shared has them
answers() { # answers DIR single|router|child
    mkdir -p "$1"
    if [ -d "$real" ]; then
        case $2 in
        single | child)
            cp "$real/health.json" "$1/health"
            cp "$real/props.json" "$1/props"
            cp "$real/slots.json" "$1/slots"
            ;;
        router)
            cp "$real/router-health.json" "$1/health"
            cp "$real/router-props.json" "$1/props"
            cp "$real/router-slots.json" "$1/slots.400"
            mkdir -p "$1/v1"
            cp "$real/router-v1-models.json" "$1/v1/models"
            ;;
        esac
    else
        printf '{"status":"ok"}' >"$1/health"
        case $2 in
        router)
            printf '{"role":"router","model_path":"none","default_generation_settings":{"params":null,"n_ctx":0},"build_info":"b10309-82bb48500"}' >"$1/props"
            mkdir -p "$1/v1"
            printf '{"data":[{"id":"tiny","object":"model","status":{"value":"unloaded","args":["llama-server","--ctx-size","256","--model","/m/tiny.gguf"]}}],"object":"list"}' >"$1/v1/models"
            ;;
        *) printf '{"default_generation_settings":{"n_ctx":256},"total_slots":4,"model_path":"/home/a/llm1/tiny.gguf","build_info":"b10309-82bb48500"}' >"$1/props" ;;
        esac
    fi
}
start() { # start NAME ARGS...: python3 as llama-server running http_stub.py ARGS; sets port
    name=$1
    shift
    rm -f "$tmp/$name.port"
    (cd "$tmp/run" && exec "$tmp/run/llama-server" "$src/tests/tools/http_stub.py" "$@") &
    started=$!
    # as long as it takes on a loaded machine, unless it died
    while [ ! -s "$tmp/$name.port" ] && kill -0 $started 2>/dev/null; do sleep 0.1; done
    [ -s "$tmp/$name.port" ] || { fail "$name did not start"; return 1; }
    port=$(cat "$tmp/$name.port")
}
# the real llama-server, when there is one and a model for it: serves ARGS on a free port
real_ok=
[ -n "${WLD_REAL_LLAMA_SERVER:-}" ] && [ -f "$real/tiny.gguf" ] && real_ok=1
start_real() { # start_real NAME ARGS...: sets port, once /health answers 200
    name=$1
    shift
    port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    (cd "$tmp/run" && exec "$bin" --host 127.0.0.1 --port "$port" "$@" >"$tmp/$name.log" 2>&1) &
    echo $! >>"$tmp/pids"
    "$py" - "$port" <<'EOF2' || { fail "the real llama-server $name did not start: $(tail -5 "$tmp/$name.log")"; return 1; }
import sys, time, urllib.request
for _ in range(300):
    try:
        if urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1], timeout=1).status == 200:
            sys.exit(0)
    except Exception:
        pass
    time.sleep(0.1)
sys.exit(1)
EOF2
}
# status, outcome, summary and the number of servers of server.health in a JSON report
health() { # health FILE
    "$py" -c 'import json, sys
c = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "server.health"][0]
print(c["status"], c["outcome"] if "outcome" in c else "-", len(c["evidence"].get("servers", [])), c["summary"])' "$1"
}

# 1. no server running, the doctor's own llama-server child running: nothing found, RUNS times
i=0 bad=0
while [ $i -lt "$runs" ]; do
    "$doctor" --llama-server "$bin" --format json >"$tmp/r.json" 2>/dev/null
    got=$(health "$tmp/r.json")
    case $got in "skip "*" 0 no server to ask"*) ;; *) bad=$((bad + 1)); echo "run $i: $got" ;; esac
    i=$((i + 1))
done
[ $bad = 0 ] || fail "no server running: $bad of $runs full checks found one"
echo "no server running: $runs full checks, $bad false findings"

# 2. a server running: exactly it, RUNS times
answers "$tmp/single" single
[ -f "$real/tiny.gguf" ] && cp "$real/tiny.gguf" "$tmp/run/tiny.gguf"
if [ -n "$real_ok" ]; then
    start_real single -m tiny.gguf -c 256 || exit 1
else
    start single "$tmp/single" "$tmp/single.port" -m tiny.gguf -c 256 || exit 1
fi
i=0 bad=0
while [ $i -lt "$runs" ]; do
    "$doctor" --llama-server "$bin" --format json >"$tmp/r.json" 2>/dev/null
    got=$(health "$tmp/r.json")
    case $got in "pass "*" 1 http://127.0.0.1:$port (llama-server, from process "*") answers: model tiny.gguf, n_ctx 256"*) ;;
    *) bad=$((bad + 1)); echo "run $i: $got" ;; esac
    i=$((i + 1))
done
[ $bad = 0 ] || fail "a server running: $bad of $runs full checks judged another"
echo "a server running on port $port (not its flags' 8080): $runs full checks, $bad false findings"
# its command line's relative -m is under its working directory; no key was ever shown
"$py" -c 'import json, sys
s = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "server.health"][0]["evidence"]["servers"][0]
assert s["args"]["model"] == sys.argv[2] + "/run/tiny.gguf", s["args"]
assert s["args"]["api_key"] is False and s["listens"][0]["port"] == int(sys.argv[3]), s' \
    "$tmp/r.json" "$tmp" "$port" || fail "the server's facts"
# what runs is what is judged: its model, at its -c 256 (trained for 256: no over-training
# warning from the default 8192), without --model or --ctx
if [ -f "$tmp/run/tiny.gguf" ]; then
    "$py" -c 'import json, sys
c = {c["id"]: c for c in json.load(open(sys.argv[1]))["checks"]}
fit, srv = c["models.fit"], c["server.health"]
m = [m for m in fit["evidence"]["models"] if m["path"] == sys.argv[2]]
assert m and m[0]["runs_with"]["ctx"] == 256, fit["evidence"]["models"]
assert fit["evidence"]["ctx"] == 256 and fit["outcome"] != "over_train", (fit["outcome"], fit["summary"])
assert "models.fit" not in srv["summary"], srv["summary"]' "$tmp/r.json" "$tmp/run/tiny.gguf" ||
        fail "models.fit did not judge the running model at its context"
fi

# record it, stop it, replay: the live verdict
"$doctor" record "$tmp/rec" --only server.health >/dev/null 2>&1
"$doctor" --only server.health --format json >"$tmp/live.json" 2>/dev/null
stop_all
"$doctor" --root "$tmp/rec" --only server.health --format json >"$tmp/replay.json" 2>/dev/null
[ "$(health "$tmp/live.json")" = "$(health "$tmp/replay.json")" ] ||
    fail "replay: $(health "$tmp/replay.json") is not the live $(health "$tmp/live.json")"

# 3. a llama-server that listens nowhere (still loading, or it could not bind)
mkdir -p "$tmp/sleep"
ln -s "$(command -v sleep)" "$tmp/sleep/llama-server"
LLAMA_ARG_PORT=8123 "$tmp/sleep/llama-server" 30 &
sleep 0.2
"$doctor" --only server.health --format json >"$tmp/r.json" 2>/dev/null
case $(health "$tmp/r.json") in
"warn not_listening 1 process "*" (llama-server) runs but listens on no TCP port (it was started with port 8123)"*) ;;
*) fail "not listening: $(health "$tmp/r.json")" ;;
esac
stop_all

# 4. a router (--models-dir, no -m) and the instance it started for a loaded model
answers "$tmp/router" router
answers "$tmp/child" child
model=$tmp/models/tiny.gguf
mkdir -p "$tmp/models"
[ -f "$real/tiny.gguf" ] && cp "$real/tiny.gguf" "$model"
"$py" - "$tmp/router/v1/models" "$model" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for m in doc["data"]:  # as after a request loaded it
    m["status"] = {"value": "loaded", "args": ["llama-server", "--ctx-size", "256", "--model", sys.argv[2]]}
json.dump(doc, open(sys.argv[1], "w"))
EOF
if [ -n "$real_ok" ]; then
    # the real router, and a request that makes it start tiny's instance
    start_real router --models-dir "$tmp/models" -c 256 || exit 1
    rport=$port
    "$py" - "$rport" <<'EOF2' || fail "the real router did not load tiny"
import json, sys, urllib.request
body = json.dumps({"model": "tiny", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}).encode()
req = urllib.request.Request("http://127.0.0.1:%s/v1/chat/completions" % sys.argv[1], body,
                             {"Content-Type": "application/json"})
sys.exit(0 if urllib.request.urlopen(req, timeout=60).status == 200 else 1)
EOF2
    cport='*'
else
    start router "$tmp/router" "$tmp/router.port" --child "$tmp/child" "$tmp/child.port" tiny "$model" \
        --models-dir "$tmp/models" --port 8092 || exit 1
    rport=$port
    while [ ! -s "$tmp/child.port" ] && kill -0 $started 2>/dev/null; do sleep 0.1; done
    cport=$(cat "$tmp/child.port")
fi
"$doctor" --format json >"$tmp/r.json" 2>/dev/null
got=$(health "$tmp/r.json")
# shellcheck disable=SC2254
case $got in "pass router 2 http://127.0.0.1:$rport (llama-server router, from process "*") answers: 1 model: tiny (loaded); also http://127.0.0.1:"$cport" (llama-server) answers: model tiny.gguf, n_ctx 256"*) ;;
*) fail "router: $got" ;; esac
"$py" -c 'import json, sys
s = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "server.health"][0]["evidence"]["servers"]
child = [x for x in s if x.get("router_pid")][0]
assert "started by the router" in child["from"] and child["args"]["alias"] == "tiny", child["from"]' "$tmp/r.json" ||
    fail "router: the child is not named as the router's"
if [ -n "$real_ok" ]; then # the binary that runs is the one inspected, without options
    "$py" -c 'import json, sys
b = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "llama.build"][0]["evidence"]
assert b["binary"] == sys.argv[2] and b["found_by"].startswith("running llama-server"), (b["binary"], b["found_by"])' \
        "$tmp/r.json" "$bin" || fail "llama.build did not inspect the running llama-server"
fi
if [ -f "$model" ]; then # the model the router's child runs is judged, without --model
    "$py" -c 'import json, sys
fit = [c for c in json.load(open(sys.argv[1]))["checks"] if c["id"] == "models.fit"][0]
paths = [m["path"] for m in fit["evidence"]["models"]]
assert sys.argv[2] in paths, paths' "$tmp/r.json" "$model" || fail "models.fit did not judge the running model"
fi
stop_all
# a model whose instance exited while loading
"$py" - "$tmp/router/v1/models" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for m in doc["data"]:
    m["status"] = {"value": "unloaded", "args": ["llama-server"], "failed": True, "exit_code": 1}
json.dump(doc, open(sys.argv[1], "w"))
EOF
start router "$tmp/router" "$tmp/router.port" --models-dir "$tmp/models" || exit 1
"$doctor" --only server.health --format json >"$tmp/r.json" 2>/dev/null
case $(health "$tmp/r.json") in
"fail router_model_failed 1 http://127.0.0.1:$port (llama-server router, "*"the server of model tiny exited with code 1 while loading it"*) ;;
*) fail "router, failed model: $(health "$tmp/r.json")" ;;
esac
stop_all

# 5. a server with an API key: protected, and then asked with the key the user gives
key=sk-planted-$$-0123456789abcdef
answers "$tmp/keyed" single
printf '%s\n' "$key" >"$tmp/keyed/props.key"
printf '%s\n' "$key" >"$tmp/keyed/slots.key"
printf '# the key\n%s\n' "$key" >"$tmp/keyfile"
printf 'sk-wrong\n' >"$tmp/wrongkey"
if [ -n "$real_ok" ]; then
    (export LLAMA_API_KEY=$key-env && start_real keyed --api-key "$key" -m tiny.gguf -c 256 && echo "$port" >"$tmp/keyed.port") || exit 1
else
    (export LLAMA_API_KEY=$key-env && start keyed "$tmp/keyed" "$tmp/keyed.port" --api-key "$key" -m tiny.gguf) || exit 1
fi
port=$(cat "$tmp/keyed.port")
"$doctor" --only server.health --format json >"$tmp/r.json" 2>/dev/null
case $(health "$tmp/r.json") in
"pass protected 1 http://127.0.0.1:$port (llama-server, from process "*") answers /health; /props needs its API key (HTTP 401)"*) ;;
*) fail "protected: $(health "$tmp/r.json")" ;;
esac
"$doctor" --only server.health --format json --server-key-file "$tmp/keyfile" >"$tmp/r.json" 2>/dev/null
case $(health "$tmp/r.json") in "pass ok 1 "*"answers: model tiny.gguf"*) ;; *) fail "with the key: $(health "$tmp/r.json")" ;; esac
LLAMA_API_KEY=$key "$doctor" --only server.health --format json >"$tmp/r.json" 2>/dev/null
case $(health "$tmp/r.json") in "pass ok 1 "*) ;; *) fail "with LLAMA_API_KEY: $(health "$tmp/r.json")" ;; esac
"$doctor" --only server.health --format json --server-key-file "$tmp/wrongkey" >"$tmp/r.json" 2>/dev/null
case $(health "$tmp/r.json") in "warn key_rejected 1 "*"rejects the API key given"*) ;; *) fail "a wrong key: $(health "$tmp/r.json")" ;; esac
"$doctor" --only server.health --server-key-file "$tmp" >/dev/null 2>"$tmp/err"
[ $? = 2 ] && grep -q "server-key-file .*: a directory" "$tmp/err" || fail "a key file that is a directory: $(cat "$tmp/err")"

# 6. the key (flag, environment, key file) and a URL's password reach no format, no recording
out=$tmp/out
mkdir -p "$out"
for f in text json markdown junit github prometheus; do # markdown and github are redacted too
    "$doctor" --llama-server "$bin" -v --format "$f" --server-key-file "$tmp/keyfile" >"$out/report.$f" 2>&1
    "$doctor" --only server.health -v --format "$f" --server "http://bob:pw-planted-$$@127.0.0.1:$port" \
        >"$out/url.$f" 2>&1
done
"$doctor" record "$out/rec" --llama-server "$bin" --server-key-file "$tmp/keyfile" >/dev/null 2>&1
"$doctor" --llama-server "$bin" -v --format json --no-redact >"$out/plain.json" 2>&1
"$doctor" record "$out/rec-plain" --no-redact --llama-server "$bin" >/dev/null 2>&1
"$doctor" record "$out/rec-url" --only server.health --server "http://bob:pw-planted-$$@127.0.0.1:$port" \
    >"$out/rec-url.out" 2>&1
[ -f "$out/rec/.doctor/recording.json" ] && [ -f "$out/rec-url/.doctor/recording.json" ] || fail "record wrote no recording"
grep -rq "127.0.0.1:$port" "$out/rec" || fail "the recording does not hold the server it found"
if grep -rl -a -e "sk-planted-$$" -e "pw-planted-$$" "$out"; then
    fail "a planted secret reached the files above"
fi
grep -q "bob:\*\*\*\*" "$out/url.text" || fail "the URL's password is not shown as stars: $(head -c 300 "$out/url.text")"
# the recording's replay command has the password as stars, and replays the live verdict
stars=$(printf '%s' "pw-planted-$$" | sed 's/./*/g')
grep -q -F -e "--server http://bob:$stars@127.0.0.1:$port" "$out/rec-url.out" ||
    fail "the replay command lost the URL: $(cat "$out/rec-url.out")"
"$doctor" --only server.health --format json --server "http://bob:pw-planted-$$@127.0.0.1:$port" \
    >"$tmp/live.json" 2>/dev/null
stop_all
"$doctor" --root "$out/rec-url" --only server.health --server "http://bob:$stars@127.0.0.1:$port" \
    --format json >"$tmp/replay.json" 2>/dev/null
[ "$(health "$tmp/live.json")" = "$(health "$tmp/replay.json")" ] ||
    fail "replay with the password hidden: $(health "$tmp/replay.json")"
echo "server discovery: $failures failure(s)"
[ "$failures" = 0 ]
