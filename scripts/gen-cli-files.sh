#!/bin/sh
# Writes what the option table makes (src/cli/options.c): the three shell completions and
# the man page's SYNOPSIS. Run it after changing an option; tests/completions.sh fails
# until then. usage: scripts/gen-cli-files.sh build/wsl-llm-doctor
set -e
doctor=$1 src=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$doctor" ] || { echo "usage: $0 path/to/wsl-llm-doctor" >&2; exit 2; }
"$doctor" __completions bash >"$src/completions/wsl-llm-doctor.bash"
"$doctor" __completions zsh >"$src/completions/_wsl-llm-doctor"
"$doctor" __completions fish >"$src/completions/wsl-llm-doctor.fish"
man=$src/docs/wsl-llm-doctor.1
"$doctor" __man-synopsis >"$man.synopsis"
# the SYNOPSIS section, up to the next section, replaced
awk -v syn="$man.synopsis" '
    /^\.SH SYNOPSIS/ { while ((getline line < syn) > 0) print line; skip = 1; next }
    /^\.SH / { skip = 0 }
    !skip' "$man" >"$man.new"
mv "$man.new" "$man"
rm -f "$man.synopsis"
