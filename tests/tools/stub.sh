# Sourced by the tests that need a loopback HTTP server: sets doctor, src, py, tmp (removed
# at exit), srv (the directory it serves, tests/tools/http_stub.py says how), base (its
# URL) and fail(); the server is stopped at exit. usage: . stub.sh DOCTOR SRCDIR
doctor=$1 src=$2
py=${PYTHON:-python3}
tmp=$(mktemp -d)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
srv=$tmp/srv
mkdir -p "$srv"
"$py" "$src/tests/tools/http_stub.py" "$srv" "$tmp/port" &
stub=$!
trap 'kill $stub 2>/dev/null; rm -rf "$tmp"' EXIT
# as long as it takes (a loaded machine starts Python slowly), unless it died
while [ ! -s "$tmp/port" ] && kill -0 $stub 2>/dev/null; do sleep 0.1; done
[ -s "$tmp/port" ] || { echo "FAIL: the loopback server did not start"; exit 1; }
base=http://127.0.0.1:$(cat "$tmp/port")
