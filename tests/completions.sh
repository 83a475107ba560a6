#!/bin/sh
# The shell completions stay true to the CLI: every option and command that --help lists
# is in the bash, zsh and fish files, and bash completes check ids from `list`. The three
# files and the man page's SYNOPSIS are what the option table makes (no drift), and the
# man page's OPTIONS has a paragraph for every option.
doctor=$1 dir=$2
man=$dir/../docs/wsl-llm-doctor.1
failures=0
opts=$("$doctor" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
# one row per name: a check's option (declared in its file) never shadows another
twice=$("$doctor" --help | sed -n '/^Options:/,/^$/p' |
    grep -o -- '^  \(-[a-z], \)\{0,1\}--[a-z0-9-]*' | sed 's/.*--/--/' | sort | uniq -d)
[ -z "$twice" ] || { echo "FAIL: options declared twice: $twice"; failures=$((failures + 1)); }
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
# drift: the checked-in files are the binary's (scripts/gen-cli-files.sh writes them)
drift() { # drift FILE COMMAND...: FILE is what COMMAND prints
    f=$1; shift
    "$doctor" "$@" >"$tmp/made" && diff -u "$f" "$tmp/made" >"$tmp/diff" ||
        { echo "FAIL: $f is not what \`wsl-llm-doctor $*\` prints (run scripts/gen-cli-files.sh):"
          cat "$tmp/diff"; failures=$((failures + 1)); }
}
drift "$dir/wsl-llm-doctor.bash" __completions bash
drift "$dir/_wsl-llm-doctor" __completions zsh
drift "$dir/wsl-llm-doctor.fish" __completions fish
awk '/^\.SH SYNOPSIS/ {on = 1} /^\.SH / && !/SYNOPSIS/ {on = 0} on' "$man" >"$tmp/synopsis"
drift "$tmp/synopsis" __man-synopsis
awk '/^\.SH OPTIONS/ {on = 1; next} /^\.SH / {on = 0} on' "$man" >"$tmp/options"
for o in $opts; do
    grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')\b" "$tmp/options" ||
        { echo "FAIL: the man page's OPTIONS lacks $o"; failures=$((failures + 1)); }
done
# the shells that are installed read their files
if command -v zsh >/dev/null 2>&1; then zsh -n "$dir/_wsl-llm-doctor" || failures=$((failures + 1)); fi
if command -v fish >/dev/null 2>&1; then fish -n "$dir/wsl-llm-doctor.fish" || failures=$((failures + 1)); fi
ln -s "$(cd "$(dirname "$doctor")" && pwd)/$(basename "$doctor")" "$tmp/wsl-llm-doctor"
got=$(PATH="$tmp:$PATH" bash -c '. "$1"; COMP_WORDS=(wsl-llm-doctor --only wsl.ke); COMP_CWORD=2
    _wsl_llm_doctor; echo "${COMPREPLY[@]}"' sh "$dir/wsl-llm-doctor.bash")
[ "$got" = "wsl.kernel" ] || { echo "FAIL: bash completes '--only wsl.ke' as '$got'"; failures=$((failures + 1)); }
# --format offers the formats the command writes: fit writes text and json, log every one
bash_completes() { # bash_completes WORD... (the last one is being completed)
    PATH="$tmp:$PATH" bash -c '. "$1"; shift; COMP_WORDS=(wsl-llm-doctor "$@"); COMP_CWORD=$#
        _wsl_llm_doctor; echo "${COMPREPLY[@]}"' sh "$dir/wsl-llm-doctor.bash" "$@"
}
got=$(bash_completes fit x.gguf --format "")
[ "$got" = "text json" ] || { echo "FAIL: bash completes 'fit x.gguf --format' as '$got'"; failures=$((failures + 1)); }
got=$(bash_completes log --format j)
[ "$got" = "json junit" ] || { echo "FAIL: bash completes 'log --format j' as '$got'"; failures=$((failures + 1)); }
echo "completions: $failures failure(s)"
[ "$failures" = 0 ]
