#!/bin/sh
# The shell completions stay true to the CLI: every option and command that --help lists
# is in the bash, zsh and fish files, and bash completes check ids from `list`.
doctor=$1 dir=$2
failures=0
opts=$("$doctor" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
# Commands sit two to a line, in columns set apart by two or more spaces.
cmds=$("$doctor" --help | awk -F '  +' '/^Commands:/ {on=1; next} /^$/ {on=0}
    on {split($2, a, " "); print a[1]; if (NF >= 4) {split($4, b, " "); print b[1]}}')
for f in "$dir/wsl-llm-doctor.bash" "$dir/_wsl-llm-doctor" "$dir/wsl-llm-doctor.fish"; do
    for o in $opts; do
        case $f in
        *.fish) grep -q -- "-l ${o#--}\b" "$f" ;;
        *) grep -q -- "$o\b" "$f" ;;
        esac || { echo "FAIL: $f lacks $o"; failures=$((failures + 1)); }
    done
    for c in $cmds; do
        grep -q "\b$c\b" "$f" || { echo "FAIL: $f lacks the command $c"; failures=$((failures + 1)); }
    done
done
bash -n "$dir/wsl-llm-doctor.bash" || failures=$((failures + 1))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$(cd "$(dirname "$doctor")" && pwd)/$(basename "$doctor")" "$tmp/wsl-llm-doctor"
got=$(PATH="$tmp:$PATH" bash -c '. "$1"; COMP_WORDS=(wsl-llm-doctor --only wsl.ke); COMP_CWORD=2
    _wsl_llm_doctor; echo "${COMPREPLY[@]}"' sh "$dir/wsl-llm-doctor.bash")
[ "$got" = "wsl.kernel" ] || { echo "FAIL: bash completes '--only wsl.ke' as '$got'"; failures=$((failures + 1)); }
echo "completions: $failures failure(s)"
[ "$failures" = 0 ]
