#!/bin/sh
# What finding the runtimes costs on a lived-in home (issue 28): the healthy fixture host
# with a home of 100,000 files (100 projects, each with sources and a .git, and a
# Downloads folder of 5,000 files) and 10 venvs (a project's .venv with llama-cpp-python
# in it), against the same host without the venvs and as it is. The full run with the venvs
# should stay within 20 ms of the run without them. N runs each (default 20), medians of
# the whole process. Figures to watch, never a test assertion.
# usage: bench/pyenvs-home.sh [N]     (DOCTOR=..., HOSTS=... in the environment)
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

# median wall time in ms of N full runs on host $1
runs() {
    for _ in $(seq "$n"); do
        s=$(date +%s%N)
        "$doctor" --root "$1" --format json >/dev/null || true
        e=$(date +%s%N)
        echo "$(((e - s) / 1000))"
    done | sort -n | awk '{a[NR] = $1 / 1000} END {printf "%.2f", a[int((NR + 1) / 2)]}'
}
healthy=$(runs "$hosts/wsl2-healthy")
plain=$(runs "$tmp/plain")
venvs=$(runs "$tmp/venvs")
printf 'home of %d files, %d runs each, median of the whole process:\n' "$count" "$n"
printf '  healthy fixture as it is          %8s ms\n' "$healthy"
printf '  the same with the big home        %8s ms\n' "$plain"
printf '  the same with 10 venvs in it      %8s ms (%s ms more than without them)\n' "$venvs" \
    "$(echo "$venvs $plain" | awk '{printf "%.2f", $1 - $2}')"
"$doctor" --root "$tmp/venvs" --format json 2>/dev/null |
    grep -o '"walk":{[^}]*}' | head -n 1 | sed 's/^/  the walk: /' || true
