#!/bin/sh
# What finding the runtimes costs on a lived-in home (issue 28): the healthy fixture host
# with a home of 100,000 files (100 projects, each with sources and a .git, and a
# Downloads folder of 5,000 files) and 10 venvs (a project's .venv with llama-cpp-python
# in it), against the same host without the venvs and as it is. The full run with the venvs
# should stay within 20 ms of the run without them, and of an older doctor's on the same
# host (BASE=its binary, e.g. one built from the commit before the runtimes came). N runs
# each (default 20), medians of the whole process. Figures to watch, never a test assertion.
# usage: bench/pyenvs-home.sh [N]     (DOCTOR=..., HOSTS=..., BASE=... in the environment)
#        bench/pyenvs-home.sh make DIR [VENVS]   builds the host in DIR only (bench/run)
set -eu
cd "$(dirname "$0")/.."
doctor=${DOCTOR:-build/wsl-llm-doctor}
hosts=${HOSTS:-build/tests/hosts}

# touch COUNT files named PREFIX00001.. in DIR
files() {
    mkdir -p "$1"
    (cd "$1" && seq -f "$2%05g$3" 1 "$4" | xargs touch)
}

# A venv as `python -m venv` and `pip install llama-cpp-python` leave it, the package's
# libraries copied from the staged CPU-wheel host when it is there.
venv() {
    v=$1
    site=$v/lib/python3.12/site-packages
    mkdir -p "$v/bin" "$site/llama_cpp/lib" "$site/llama_cpp_python-0.3.8.dist-info"
    printf 'home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.12.3\n' \
        >"$v/pyvenv.cfg"
    ln -s /usr/bin/python3 "$v/bin/python3"
    ln -s python3 "$v/bin/python"
    ln -s lib "$v/lib64"
    printf 'Metadata-Version: 2.1\nName: llama_cpp_python\nVersion: 0.3.8\n\n' \
        >"$site/llama_cpp_python-0.3.8.dist-info/METADATA"
    echo pip >"$site/llama_cpp_python-0.3.8.dist-info/INSTALLER"
    staged=$hosts/wsl2-python-cpu-wheel/home/alice/.venv/lib/python3.12/site-packages/llama_cpp
    for lib in libllama.so libggml.so libggml-base.so libggml-cpu.so libllava.so; do
        if [ -f "$staged/lib/$lib" ]; then cp "$staged/lib/$lib" "$site/llama_cpp/lib/"
        else echo "stand-in" >"$site/llama_cpp/lib/$lib"; fi
    done
    files "$site/llama_cpp" mod .py 20
    # numpy, jinja2, diskcache and the rest: 40 packages of 25 files
    for p in $(seq -w 1 40); do files "$site/pkg$p" m .py 25; done
}

# make DIR VENVS: the healthy host with the big home and VENVS venvs in it
make_host() {
    dir=$1
    rm -rf "$dir"
    cp -a "$hosts/wsl2-healthy" "$dir"
    home=$dir/home/alice
    files "$home/Downloads" doc .pdf 5000
    for p in $(seq -w 0 99); do
        files "$home/projects/p$p" f .txt 45
        files "$home/projects/p$p/src/pkg" s .py 400
        files "$home/projects/p$p/.git/objects" o "" 400
    done
    i=0
    while [ "$i" -lt "$2" ]; do venv "$home/projects/p0$i/.venv"; i=$((i + 1)); done
}

if [ "${1:-}" = make ]; then
    make_host "$2" "${3:-10}"
    exit 0
fi
n=${1:-20}
[ -x "$doctor" ] && [ -d "$hosts/wsl2-healthy" ] ||
    { echo "build the doctor and the staged fixture hosts first: scripts/test.sh" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make_host "$tmp/venvs" 10
make_host "$tmp/plain" 0
count=$(find "$tmp/venvs/home/alice" -type f | wc -l)

# wall ms of one full run of doctor $1 on host $2
once() {
    s=$(date +%s%N)
    "$1" --root "$2" --format json >/dev/null 2>&1 || true
    e=$(date +%s%N)
    echo "$(((e - s) / 1000))"
}
# N rounds, each running every case once in turn (a drifting machine slows all alike):
# "case ms" lines, then medians and the median of each round's difference
for _ in $(seq "$n"); do
    echo "healthy $(once "$doctor" "$hosts/wsl2-healthy")"
    echo "plain $(once "$doctor" "$tmp/plain")"
    echo "venvs $(once "$doctor" "$tmp/venvs")"
    if [ -n "${BASE:-}" ] && [ -x "$BASE" ]; then echo "base $(once "$BASE" "$tmp/venvs")"; fi
done >"$tmp/runs"
awk -v count="$count" -v n="$n" '
    { v[$1, ++k[$1]] = $2 / 1000 }
    function median(name, i, j, t, m, a) {
        m = k[name]
        for (i = 1; i <= m; i++) a[i] = v[name, i]
        for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return a[int((m + 1) / 2)]
    }
    function diff(x, y, i, j, t, a) {
        for (i = 1; i <= k[x]; i++) a[i] = v[x, i] - v[y, i]
        for (i = 2; i <= k[x]; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
            t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
        return a[int((k[x] + 1) / 2)]
    }
    END {
        printf "home of %d files, %d rounds, median of the whole process:\n", count, n
        printf "  healthy fixture as it is          %8.2f ms\n", median("healthy")
        printf "  the same with the big home        %8.2f ms\n", median("plain")
        printf "  the same with 10 venvs in it      %8.2f ms (%.2f ms more than without them)\n",
            median("venvs"), diff("venvs", "plain")
        if (k["base"])
            printf "  BASE on the host with the venvs   %8.2f ms (%.2f ms less than this doctor)\n",
                median("base"), diff("venvs", "base")
    }' "$tmp/runs"
# the runtimes' sources as the run's trace times them (wall, while the probes run beside)
trace=$tmp/trace
WLD_TRACE=$trace "$doctor" --root "$tmp/venvs" --format json >/dev/null 2>&1 || true
awk '$3 == "inventory" && ($4 == "pyenvs" || $4 == "llama_runtime" || $4 == "ollama") {
        printf "  inventory %-13s %8.2f ms, from %.2f ms into the run\n", $4, $2 - $1, $1 }' \
    "$trace" 2>/dev/null || true
