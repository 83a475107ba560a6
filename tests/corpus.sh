#!/bin/sh
# Feeds every real artifact of ../shared/corpus-sample through the doctor as the host's
# nvidia-smi output, .wslconfig, mountinfo and os-release: whatever users' machines
# print, the doctor must finish with a complete report and never crash (exit 0 or 1).
# Skips (77) when the corpus is not beside the checkout.
doctor=$1 corpus=$2
[ -d "$corpus" ] || { echo "no corpus at $corpus: skipped"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failures=0 runs=0
# how many checks a JSON report holds
n_checks() { "${PYTHON:-python3}" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["checks"]))' "$1" 2>/dev/null || echo 0; }
checks=$("$doctor" list --format json | grep -c '"id":')
host() { # fresh minimal WSL2 host in $tmp/h
    rm -rf "$tmp/h"; mkdir -p "$tmp/h/.doctor" "$tmp/h/proc/sys/kernel" "$tmp/h/proc/self" \
        "$tmp/h/usr/lib/wsl/lib" "$tmp/h/mnt/c/Users/u" "$tmp/h/etc" "$tmp/h/dev"
    printf 'HOME=/home/u\nUSERPROFILE=C:\\Users\\u\n' >"$tmp/h/.doctor/env"
    echo 5.15.153.1-microsoft-standard-WSL2 >"$tmp/h/proc/sys/kernel/osrelease"
    : >"$tmp/h/dev/dxg"
}
run() {
    runs=$((runs + 1))
    "$doctor" --root "$tmp/h" --format json --timeout 2 >"$tmp/out" 2>"$tmp/err"; rc=$?
    if [ "$rc" -gt 1 ] || [ "$(n_checks "$tmp/out")" != "$checks" ]; then
        echo "FAIL ($1): exit $rc"; cat "$tmp/err"; failures=$((failures + 1))
    fi
}
for f in "$corpus"/nvidia-smi/* "$corpus"/errors/*; do
    host; printf '#!/bin/sh\ncat "$WLD_ROOT/smi.txt"\n' >"$tmp/h/usr/lib/wsl/lib/nvidia-smi"
    chmod +x "$tmp/h/usr/lib/wsl/lib/nvidia-smi"; cp "$f" "$tmp/h/smi.txt"; run "$f"
done
for f in "$corpus"/wslconfig/* "$corpus"/wsl-conf/*; do
    host; cp "$f" "$tmp/h/mnt/c/Users/u/.wslconfig"; cp "$f" "$tmp/h/etc/wsl.conf"; run "$f"
done
for f in "$corpus"/mounts/* "$corpus"/proc-version/*; do
    host; cp "$f" "$tmp/h/proc/self/mountinfo"; cp "$f" "$tmp/h/proc/version"; run "$f"
done
for f in "$corpus"/os-release/*; do host; cp "$f" "$tmp/h/etc/os-release"; run "$f"; done
# The Windows side: every Windows program answers with the artifact, as UTF-8 and as the
# UTF-16LE wsl.exe writes to a pipe; `wsl --version` pastes must give the WSL version
# their file name states (de-1.0.3.0-...: German labels, read by position).
sys32=mnt/c/Windows/System32
for f in "$corpus"/wsl-version/* "$corpus"/windows/*; do
    for enc in UTF-8 UTF-16LE; do
        host; mkdir -p "$tmp/h/$sys32" "$tmp/h/proc/sys/fs/binfmt_misc"
        echo enabled >"$tmp/h/proc/sys/fs/binfmt_misc/WSLInterop"
        iconv -f UTF-8 -t "$enc" "$f" >"$tmp/h/out.txt" 2>/dev/null || cp "$f" "$tmp/h/out.txt"
        for p in reg.exe cmd.exe wsl.exe nvidia-smi.exe; do
            printf '#!/bin/sh
cat "$WLD_ROOT/out.txt"
' >"$tmp/h/$sys32/$p"
            chmod +x "$tmp/h/$sys32/$p"
        done
        run "$f ($enc)"
        want=$(basename "$f" | grep -o -E '^(wsl-version-)?[a-z]{2}-[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+' |
            grep -o -E '[0-9.]+$')
        [ -z "$want" ] || grep -q -E "\"wsl_version\":[[:space:]]*\"$want\"" "$tmp/out" || {
            echo "FAIL ($f, $enc): WSL version $want not read"; failures=$((failures + 1)); }
    done
done
echo "corpus: $runs runs, $failures failure(s)"
[ "$failures" = 0 ]
