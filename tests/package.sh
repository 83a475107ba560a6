#!/bin/sh
# The .deb CPack builds holds what `cmake --install` installs, with Depends worked out by
# dpkg-shlibdeps, and its binary runs. Usage: package.sh BUILD_DIR (packs it into a scratch
# directory) or package.sh FILE.deb (checks a package already built, as .ci/run does after
# the README's `cd build && cpack -G DEB`). Skips (77) without dpkg-deb/dpkg-shlibdeps.
build=$1
command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null || { echo "no dpkg-dev"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
case $build in
*.deb) deb=$build ;;
*)
    cpack --config "$build/CPackConfig.cmake" -B "$tmp" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
    deb=$(ls "$tmp"/wsl-llm-doctor_*.deb 2>/dev/null | head -n 1)
    ;;
esac
[ -f "$deb" ] || { cat "$tmp/log" 2>/dev/null; echo "FAIL: no .deb"; exit 1; }
dpkg-deb -c "$deb" >"$tmp/files"
for f in ./usr/bin/wsl-llm-doctor ./usr/share/man/man1/wsl-llm-doctor.1 \
    ./usr/share/bash-completion/completions/wsl-llm-doctor ./usr/share/zsh/site-functions/_wsl-llm-doctor \
    ./usr/share/fish/vendor_completions.d/wsl-llm-doctor.fish ./usr/share/doc/wsl-llm-doctor/ci.md; do
    grep -q " $f\$" "$tmp/files" || fail "the package lacks $f"
done
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libcjson libpci libcurl libc6; do
    echo "$depends" | grep -q "$lib" || fail "Depends lacks $lib: $depends"
done
dpkg-deb -x "$deb" "$tmp/root"
"$tmp/root/usr/bin/wsl-llm-doctor" --version | grep -q '^wsl-llm-doctor [0-9]' || fail "the packaged binary does not run"
# a real check of this machine: a verdict (0 or 1) and a report that parses
"$tmp/root/usr/bin/wsl-llm-doctor" --format json >"$tmp/report.json" 2>"$tmp/err"
rc=$?
[ "$rc" -le 1 ] || fail "the packaged binary's check of this machine: exit $rc: $(head -c 300 "$tmp/err")"
python3 -c 'import json, sys; json.load(open(sys.argv[1], "rb"))' "$tmp/report.json" ||
    fail "the packaged binary's JSON report does not parse"
echo "package: $(basename "$deb"): $failures failure(s)"
[ "$failures" = 0 ]
