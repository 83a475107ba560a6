#!/bin/sh
# The README's commands, as a user types them.
# - Every `wsl-llm-doctor ...` line of its command blocks runs here, as written, and must
#   give a verdict: exit 0 or 1, a report on stdout or in the file it names, no usage or
#   internal error. By default on a copy of the healthy fixture host (--root is added, and
#   ~ is its /home/alice, where x.gguf is a real model); with --live on this machine.
# - Every other command it shows (scripts/, bench/, cmake, dpkg-buildpackage) must be run by .ci/run
#   (or scripts/test.sh, which it runs) word for word, not in a comment: a README command
#   that CI does not run is a defect.
# usage: readme.sh SOURCE_DIR DOCTOR BUILD_DIR [--live]
src=$1 doctor=$2 build=$3 live=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- commands other than the doctor's: each one in .ci/run
{
    # command blocks: four-space lines starting with a command of the project
    sed -n 's/^    \(\(scripts\|bench\)\/[^ ]*\|cmake --[a-z]* [^ #]*\|dpkg-buildpackage [^#]*\)\( *#.*\)\{0,1\}$/\1/p' "$src/README.md"
    # and the ones named in prose: `scripts/...`, `bench/...`
    grep -o '`\(scripts\|bench\)/[^` ]*`' "$src/README.md" | tr -d '`'
} | sed 's/ *$//' | sort -u >"$tmp/others"
[ -s "$tmp/others" ] || fail "found no scripts/ or cmake commands in README.md"
# what .ci/run runs: its own lines and those of scripts/test.sh, which it runs; comments
# do not count
sed 's/#.*//' "$src/.ci/run" "$src/scripts/test.sh" >"$tmp/ci-lines"
while IFS= read -r cmd; do
    grep -q -F -- "$cmd" "$tmp/ci-lines" || fail "README shows \`$cmd\` but .ci/run does not run it"
done <"$tmp/others"

# --- the doctor's own lines
sed -n 's/^    \(wsl-llm-doctor\( .*\)\{0,1\}\)$/\1/p' "$src/README.md" |
    sed 's/ \{2,\}#.*$//; s/ *$//' >"$tmp/lines"
[ "$(wc -l <"$tmp/lines")" -ge 15 ] || fail "found only $(wc -l <"$tmp/lines") wsl-llm-doctor lines in README.md"

mkdir -p "$tmp/bin" "$tmp/work"
ln -s "$build" "$tmp/work/build"
# the server.log the README diagnoses: a real-shaped llama-server out-of-memory log
cp "$src/tests/logs/synthetic-wsl-oom-computed-fix.log" "$tmp/work/server.log"
if [ "$live" = --live ]; then
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$doctor" >"$tmp/bin/wsl-llm-doctor"
    home=$HOME
else
    host=$tmp/host
    cp -a "$build/tests/hosts/wsl2-healthy" "$host"
    cp -a "$host/home/alice/models/Llama-3.1-8B-Instruct-Q4_K_M.gguf" "$host/home/alice/models/x.gguf"
    # a line that names its own --root (a recording, the staged host) keeps it, and one
    # that judges a saved report (--facts) examines no host
    cat >"$tmp/bin/wsl-llm-doctor" <<EOF
#!/bin/sh
for a in "\$@"; do case "\$a" in --root | --facts) exec "$doctor" "\$@" ;; esac; done
exec "$doctor" "\$@" --root "$host"
EOF
    home=/home/alice
fi
chmod +x "$tmp/bin/wsl-llm-doctor"

n=0
while IFS= read -r line; do
    n=$((n + 1))
    (cd "$tmp/work" && HOME=$home PATH="$tmp/bin:$PATH" CI=1 sh -c "$line" \
        >"$tmp/out.$n" 2>"$tmp/err.$n" </dev/null)
    rc=$?
    case $rc in
    0 | 1) ;;
    *) fail "\`$line\`: exit $rc: $(head -c 300 "$tmp/err.$n")"; continue ;;
    esac
    grep -q 'internal error\|unusable rules' "$tmp/err.$n" &&
        fail "\`$line\`: $(head -c 300 "$tmp/err.$n")"
    # where the report went: stdout, --output FILE, > FILE, or record DIR
    case $line in
    *"--output "*) out=$tmp/work/$(echo "$line" | sed 's/.*--output \([^ ]*\).*/\1/') ;;
    *" > "*) out=$tmp/work/$(echo "$line" | sed 's/.* > \([^ ]*\).*/\1/') ;;
    *) out=$tmp/out.$n ;;
    esac
    [ -s "$out" ] || fail "\`$line\`: no report (exit $rc)"
    case $line in
    *" record "*)
        dir=$tmp/work/$(echo "$line" | sed 's/.* record \([^ ]*\).*/\1/')
        [ -f "$dir/.doctor/recording.json" ] || fail "\`$line\`: no recording in $dir"
        ;;
    esac
done <"$tmp/lines"

echo "README: $n wsl-llm-doctor lines run${live:+ (live)}, $(wc -l <"$tmp/others") other commands found in .ci/run: $failures failure(s)"
[ "$failures" = 0 ]
