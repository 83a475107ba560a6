#!/bin/sh
# Stages the fixture hosts for the tests: copies tests/fixtures/hosts to DST and puts a
# built fake library over every "lib*" file whose first line is "#!fake KIND", keeping
# that text beside it as FILE.fake (the fake reads its behaviour there):
#   libcuda, libnvidia-ml  -> FAKE (tests/fake/fake_gpu.c)
#   libcuda-nosym          -> FAKE_NOSYM (the same, missing cuDeviceTotalMem_v2)
#   elf32                  -> a 32-bit ELF header (dlopen: "wrong ELF class")
# usage: stage-hosts.sh SRC DST FAKE FAKE_NOSYM
set -eu
src=$1 dst=$2 fake=$3 nosym=$4
tmp="$dst.tmp"
rm -rf "$tmp"
mkdir -p "$(dirname "$dst")"
cp -a "$src" "$tmp"
grep -rl --include='lib*' '^#!fake ' "$tmp" | while IFS= read -r f; do
    kind=$(head -n 1 "$f" | cut -d' ' -f2)
    mv "$f" "$f.fake"
    case "$kind" in
    libcuda | libnvidia-ml) cp "$fake" "$f" ;;
    libcuda-nosym) cp "$nosym" "$f" ;;
    elf32)
        # e_ident: ELF, ELFCLASS32, little-endian, version 1; e_type ET_DYN, e_machine 386.
        { printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000'
          printf '\003\000\003\000\001\000\000\000'
          head -c 40 /dev/zero; } >"$f" ;;
    *) echo "stage-hosts.sh: $f: unknown fake kind '$kind'" >&2; exit 1 ;;
    esac
done
rm -rf "$dst"
mv "$tmp" "$dst"
