#!/bin/sh
# container.gpu and a container engine's API on its Unix socket (issue 29): a loopback
# stub (tests/tools/http_stub.py --unix) answers as Docker does, with the recorded answers
# of tests/fixtures/containers/api/cuda-newer. The doctor asks it live (DOCKER_HOST) within
# its deadline, keeps only what it judges (never a container's other variables: a key),
# and says why when the engine hangs, answers garbage or too much; a recording of the live
# run replays to its verdict.
# usage: containers.sh DOCTOR SRCDIR PYTHON HOSTS
doctor=$1 src=$2 py=$3 hosts=$4
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

cp -a "$src/tests/fixtures/containers/api/cuda-newer" "$tmp/api"
sock=$tmp/docker.sock
"$py" "$src/tests/tools/http_stub.py" "$tmp/api" "$sock" --unix &
pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -S "$sock" ] || { echo "FAIL: the stub did not listen on $sock"; exit 1; }

# api FIELD...: the facts of container.gpu's api in $tmp/out.json
api() {
    "$py" -c 'import json,sys
d=json.load(open(sys.argv[1]))
c=[c for c in d["checks"] if c["id"]=="container.gpu"][0]
v=c["evidence"].get("api",{})
for k in sys.argv[2:]:
    v=v[int(k)] if isinstance(v,list) else v.get(k)
    if v is None: break
print(v)' "$tmp/out.json" "$@"
}
run() {
    DOCKER_HOST=unix://$sock timeout 60 "$doctor" --only container.gpu --format json --timeout 2 \
        >"$tmp/out.json" 2>"$tmp/err"
}

run
[ "$(api info operating_system)" = "Docker Desktop" ] || fail "/info not read: $(api error) $(api message)"
[ "$(api containers 0 image)" = "local/llama-server:cuda12.9" ] ||
    fail "the GPU container not inspected: $(cat "$tmp/out.json")"
[ "$(api containers 0 gpu)" = "True" ] || fail "--gpus all not seen as a GPU request"
[ "$(api containers 0 env CUDA_VERSION)" = "12.9.1" ] || fail "the image's CUDA_VERSION not kept"
grep -q hf_never_copied "$tmp/out.json" && fail "a container's other variable (a token) was copied"

# record the live run, replay it: the same verdict, the API answered from the recording
DOCKER_HOST=unix://$sock "$doctor" record "$tmp/rec" --only container.gpu --timeout 2 >/dev/null 2>&1
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
live=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c["status"]+" "+c["outcome"] for c in d["checks"] if c["id"]=="container.gpu"][0])' "$tmp/out.json")
"$doctor" --root "$tmp/rec" --only container.gpu --format json >"$tmp/out.json" 2>/dev/null
replayed=$("$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c["status"]+" "+c["outcome"] for c in d["checks"] if c["id"]=="container.gpu"][0])' "$tmp/out.json")
[ "$live" = "$replayed" ] || fail "replayed '$replayed', live '$live'"
[ "$(api containers 0 image)" = "local/llama-server:cuda12.9" ] ||
    fail "the recording does not answer the API: $(api error) $(api message)"

# the engine misbehaving: a reason, never a hang
restart() {
    rm -f "$sock"
    "$py" "$src/tests/tools/http_stub.py" "$tmp/api" "$sock" --unix &
    pid=$!
    i=0
    while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}
touch "$tmp/api/info.hang"
restart
run || true
[ "$(api error)" = "ETIMEDOUT" ] || fail "a hanging engine: $(api error), not ETIMEDOUT"
rm -f "$tmp/api/info.hang"
echo '<html><body>502 Bad Gateway</body></html>' >"$tmp/api/info"
run || true
[ "$(api error)" = "not_json" ] || fail "garbage: $(api error), not not_json"
head -c 2000000 /dev/zero | tr '\0' '[' >"$tmp/api/info"
run || true
[ "$(api error)" = "EFBIG" ] || fail "2 MB: $(api error), not EFBIG ($(api message))"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
rm -f "$sock"
run || true
[ "$(api socket)" = None ] || fail "a socket that is gone was asked: $(api socket)"

# a daemon.json and a CDI spec that are not what they should be: said, never a crash
cp -a "$hosts/wsl2-docker-engine-no-toolkit" "$tmp/h"
mkdir -p "$tmp/h/etc/docker" "$tmp/h/etc/cdi"
printf '{"runtimes": ["nvidia"], "default-runtime": 5, "features": {"cdi": "yes"}}\n' \
    >"$tmp/h/etc/docker/daemon.json"
printf 'cdiVersion: 0.5.0\nkind: nvidia.com/gpu\ndevices: [ {name: all, containerEdits: [1, 2]}\n' \
    >"$tmp/h/etc/cdi/broken.yaml"
printf '[1, 2, 3]\n' >"$tmp/h/etc/cdi/list.json"
"$doctor" --root "$tmp/h" --only container.gpu >"$tmp/text" 2>&1
rc=$?
[ "$rc" -le 1 ] || fail "a hostile daemon.json or spec: exit $rc: $(cat "$tmp/text")"
grep -q "^FAIL   container.gpu  Docker Engine in this distro (/usr/bin/dockerd) has no NVIDIA Container Toolkit" "$tmp/text" ||
    fail "the engine's failure is not the verdict: $(cat "$tmp/text")"
rm "$tmp/h/usr/bin/dockerd" "$tmp/h/usr/bin/docker"
"$doctor" --root "$tmp/h" --only container.gpu >"$tmp/text" 2>&1
grep -q "broken.yaml is not a CDI spec the doctor can read (line 4: " "$tmp/text" ||
    fail "an unreadable spec is not said: $(cat "$tmp/text")"

# verdict FILE: container.gpu's "status outcome" in a JSON report
verdict() {
    "$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); print([c["status"]+" "+c["outcome"] for c in d["checks"] if c["id"]=="container.gpu"][0])' "$1"
}

# the current directory's compose file, as `docker compose` would take it (compose.yaml
# before docker-compose.yml), judged live; its recording replays it by the path it had
mkdir -p "$tmp/stack"
cp "$src/tests/lint/containers/bad/docker-compose.yml" "$tmp/stack/docker-compose.yml"
printf 'services:\n  ollama:\n    image: ollama/ollama\n    deploy:\n      resources:\n        reservations:\n          devices:\n            - driver: nvidia\n              count: all\n' \
    >"$tmp/stack/compose.yaml"
(cd "$tmp/stack" && DOCKER_HOST= "$doctor" --only container.gpu --format json >"$tmp/out.json" 2>/dev/null)
[ "$(verdict "$tmp/out.json")" = "fail compose_no_capabilities" ] ||
    fail "the cwd's compose.yaml not judged: $(verdict "$tmp/out.json")"
grep -q "service ollama (ollama/ollama, $tmp/stack/compose.yaml line 2) reserves a device without capabilities" "$tmp/out.json" ||
    fail "the summary does not name the service and its file: $(grep -o '"summary": "[^"]*' "$tmp/out.json" | head -1)"
(cd "$tmp/stack" && DOCKER_HOST= "$doctor" record "$tmp/rec2" --only container.gpu >"$tmp/rec.out" 2>&1)
grep -q -- "^Replay it with: .* --compose $tmp/stack/compose.yaml\$" "$tmp/rec.out" ||
    fail "the replay command does not name the cwd's compose file: $(cat "$tmp/rec.out")"
rm -rf "$tmp/stack"
"$doctor" --root "$tmp/rec2" --only container.gpu --compose "$tmp/stack/compose.yaml" --format json \
    >"$tmp/out.json" 2>/dev/null
[ "$(verdict "$tmp/out.json")" = "fail compose_no_capabilities" ] ||
    fail "the recording does not replay the compose file: $(verdict "$tmp/out.json")"

# --compose naming a file that is not one: said, exit 1, never skipped
"$doctor" --root "$hosts/wsl2-docker-two-engines" --only container.gpu --compose /etc/os-release \
    >"$tmp/text" 2>&1
rc=$?
[ "$rc" = 1 ] && grep -q "FAIL   container.gpu  /etc/os-release is not a compose file Compose can read" "$tmp/text" ||
    fail "--compose on a file that is not one (exit $rc): $(cat "$tmp/text")"
"$doctor" --root "$hosts/wsl2-docker-two-engines" --only container.gpu --compose /nowhere.yml \
    >"$tmp/text" 2>&1
grep -q "/nowhere.yml is not a compose file Compose can read (cannot read it: ENOENT)" "$tmp/text" ||
    fail "--compose on a missing file: $(cat "$tmp/text")"

# the toolkit's version, asked once of nvidia-ctk with the flag it takes
"$doctor" --root "$hosts/wsl2-docker-two-engines" --only container.gpu --format json >"$tmp/out.json" 2>/dev/null
"$py" -c 'import json,sys
d=json.load(open(sys.argv[1]))
t=[c for c in d["checks"] if c["id"]=="container.gpu"][0]["evidence"]["toolkit"]
assert t.get("version") == "1.17.8" and t["version_run"]["program"] == "nvidia-ctk", t' "$tmp/out.json" ||
    fail "nvidia-ctk --version not read"

# dockerd told to read CDI specs elsewhere ("cdi-spec-dirs"): a stale spec there is found
rm -rf "$tmp/h2"
cp -a "$hosts/wsl2-docker-two-engines" "$tmp/h2"
mkdir -p "$tmp/h2/opt/cdi" "$tmp/h2/etc/docker"
cp "$hosts/wsl2-podman-cdi-stale/etc/cdi/nvidia.yaml" "$tmp/h2/opt/cdi/nvidia.yaml"
printf '{\n    "cdi-spec-dirs": ["/opt/cdi"],\n    "runtimes": {"nvidia": {"args": [], "path": "nvidia-container-runtime"}}\n}\n' \
    >"$tmp/h2/etc/docker/daemon.json"
"$doctor" --root "$tmp/h2" --only container.gpu >"$tmp/text" 2>&1
grep -q "^FAIL   container.gpu  /opt/cdi/nvidia.yaml names the driver-store folder" "$tmp/text" ||
    fail "a spec in daemon.json's cdi-spec-dirs not read: $(cat "$tmp/text")"

[ "$failures" = 0 ] && echo "containers: ok"
exit "$failures"
