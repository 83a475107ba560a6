#!/bin/sh
# Each external command at most once per run (issue 15): a full run of the healthy fixture
# host, every fixture command appending "NAME ARGS" to $WLD_ROOT.commands (the shell
# commands by a line put after their #!, the fake llama-server by itself), must start no
# program twice. Without a build tree that states its version (build-info.cpp), llama-server
# is the one program that runs twice: --version and --list-devices each answer alone.
# reg.exe answers one registry value per query and wslinfo one question per run (its
# WslInfoMode), so they run once per question (the Windows build, its UBR, GPU scheduling;
# the WSL version, the networking mode), never twice for the same one; the fallbacks
# cmd.exe /c ver and wsl.exe --version run only when reg.exe or wslinfo did not answer.
# usage: commands.sh DOCTOR HOSTS
doctor=$1 hosts=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# A copy of HOST whose commands log themselves; prints the root's real path.
stage() {
    root=$(cd "$tmp" && pwd -P)/$1
    cp -a "$hosts/$2" "$root"
    find "$root" -type f -perm -u+x | while IFS= read -r f; do
        [ "$(head -c 2 "$f")" = '#!' ] || continue
        { head -n 1 "$f"
          echo '[ -f "$WLD_ROOT.commands" ] && echo "${0##*/} $*" >>"$WLD_ROOT.commands"'
          tail -n +2 "$f"; } >"$f.new"
        chmod --reference="$f" "$f.new"
        mv "$f.new" "$f"
    done
    : >"$root.commands"
    echo "$root"
}

# Runs the doctor on ROOT and prints the programs it started, one per line, sorted.
programs() {
    "$doctor" --root "$1" >/dev/null 2>&1
    cut -d' ' -f1 "$1.commands" | sort
}

h=$(stage healthy wsl2-healthy)
ran=$(programs "$h")
for p in nvidia-smi nvcc ldd llama-server reg.exe wslinfo nvidia-smi.exe; do
    echo "$ran" | grep -qx "$p" || fail "healthy: $p did not run (ran: $(echo $ran))"
done
for p in cmd.exe wsl.exe; do
    echo "$ran" | grep -qx "$p" && fail "healthy: the fallback $p ran though reg.exe and wslinfo answered"
done
[ "$(grep -c '^reg.exe ' "$h.commands")" = 3 ] || fail "healthy: reg.exe ran $(grep -c '^reg.exe ' "$h.commands") times, not once per value"
same=$(sort "$h.commands" | uniq -d)
[ -z "$same" ] || fail "healthy: the same command twice: $same"
dups=$(echo "$ran" | uniq -d | grep -vx -e reg.exe -e wslinfo)
[ -z "$dups" ] || fail "healthy: started more than once: $(echo $dups)
$(cat "$h.commands")"
echo "healthy host ran: $(echo $ran)"

# no build-info.cpp: llama-server twice, once for each question, and nothing else twice
h=$(stage no-build-info wsl2-healthy)
rm "$h/home/alice/llama.cpp/build/common/build-info.cpp"
ran=$(programs "$h")
dups=$(echo "$ran" | uniq -d | grep -vx -e reg.exe -e wslinfo)
[ "$dups" = llama-server ] || fail "without build-info.cpp: started twice: '$(echo $dups)'"
args=$(grep '^llama-server ' "$h.commands" | sort | tr '\n' ',')
[ "$args" = "llama-server --list-devices,llama-server --version," ] ||
    fail "without build-info.cpp: llama-server ran as: $args"

[ "$failures" = 0 ] || { echo "commands: $failures failure(s)"; exit 1; }
echo "commands: ok"
