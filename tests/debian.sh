#!/bin/sh
# debian/ (issue 32): `dpkg-buildpackage -us -uc -b` in a scratch copy of the tree builds a
# package that holds everything `cmake --install` installs (the probe helper in libexec
# too), the man page and completions where Debian puts them, Depends from dpkg-shlibdeps
# plus libcurl (dlopen'ed, so invisible to it), and the version of debian/changelog, which
# is the doctor's; unpacked into a scratch root (dpkg -x), the installed binary runs
# `--version` and `check --root` on fixture hosts; lintian reports no error or warning.
# The package is built with DEB_BUILD_OPTIONS=nocheck: the suite this test belongs to is
# not run a second time inside it (.ci/run builds it with its tests, and passes the tree).
# usage: debian.sh SRCDIR HOSTS [BUILT_TREE]   (BUILT_TREE: a copy dpkg-buildpackage ran in,
# its .deb and .changes beside it). Exit 77 (skipped) without dpkg-buildpackage, debhelper
# or lintian.
src=$1 hosts=$2 built=${3:-}
for t in dpkg-buildpackage dh lintian; do
    command -v $t >/dev/null || { echo "skip: no $t (apt-get install dpkg-dev debhelper lintian)"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if [ -z "$built" ]; then
    built=$tmp/pkg/wsl-llm-doctor
    mkdir -p "$built"
    if [ -e "$src/.git" ]; then
        (cd "$src" && git ls-files -co --exclude-standard -z | xargs -0 tar -c 2>/dev/null) | tar -x -C "$built"
    else
        (cd "$src" && tar -c --exclude='./build*' --exclude='./obj-*' --exclude=./.git .) | tar -x -C "$built"
    fi || { echo "FAIL: cannot copy the tree"; exit 1; }
    (cd "$built" && DEB_BUILD_OPTIONS="nocheck parallel=${WLD_JOBS:-2}" dpkg-buildpackage -us -uc -b) \
        >"$tmp/build.log" 2>&1 || { tail -n 40 "$tmp/build.log"; echo "FAIL: dpkg-buildpackage"; exit 1; }
fi
out=$(dirname "$built")
for deb in "$out"/wsl-llm-doctor_*.deb; do break; done
for changes in "$out"/wsl-llm-doctor_*.changes; do break; done
if [ ! -f "$deb" ] || [ ! -f "$changes" ]; then echo "FAIL: no .deb and .changes in $out"; exit 1; fi

# contents: what cmake --install put in the package's root, and Debian's places
dpkg-deb -c "$deb" | sed 's/.* \.\//\//; s/ -> .*//' >"$tmp/files"
for manifest in "$built"/obj-*/install_manifest.txt; do break; done
[ -f "$manifest" ] || fail "no install_manifest.txt: dh_auto_install did not run cmake's install"
while IFS= read -r f; do
    f=${f#"$built/debian/wsl-llm-doctor"}
    f=${f#"$built/debian/tmp"}
    case $f in /usr/share/doc/wsl-llm-doctor/LICENSE) continue ;; esac # debian/copyright has it
    grep -q -x -e "$f" -e "$f.gz" "$tmp/files" || fail "the package lacks $f, which cmake --install installs"
done <"${manifest:-/dev/null}"
for f in /usr/bin/wsl-llm-doctor /usr/libexec/wsl-llm-doctor/wsl-llm-doctor-probe \
    /usr/share/man/man1/wsl-llm-doctor.1.gz /usr/share/bash-completion/completions/wsl-llm-doctor \
    /usr/share/zsh/vendor-completions/_wsl-llm-doctor /usr/share/fish/vendor_completions.d/wsl-llm-doctor.fish \
    /usr/share/doc/wsl-llm-doctor/copyright /usr/share/doc/wsl-llm-doctor/changelog.gz; do
    grep -q -x "$f" "$tmp/files" || fail "the package lacks $f"
done

# control: Depends, and one version in debian/changelog, the package and the binary
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libcjson libpci3 libyaml 'libcurl4t64 | libcurl4'; do
    case $depends in *"$lib"*) ;; *) fail "Depends lacks $lib: $depends" ;; esac
done
version=$(cd "$built" && dpkg-parsechangelog -S Version)
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the package's version is not debian/changelog's $version"

# the installed binary, from a scratch root
dpkg -x "$deb" "$tmp/root"
doctor=$tmp/root/usr/bin/wsl-llm-doctor
"$doctor" --version >"$tmp/version" 2>&1 || fail "the installed binary's --version: $(cat "$tmp/version")"
grep -q "^wsl-llm-doctor ${version%%-*}\$" "$tmp/version" ||
    fail "--version is not debian/changelog's $version: $(head -n 1 "$tmp/version")"
"$doctor" check --root "$hosts/wsl2-healthy" >"$tmp/healthy" 2>&1
rc=$?
[ $rc -eq 0 ] || fail "check --root wsl2-healthy: exit $rc: $(tail -c 1500 "$tmp/healthy")"
# gpu.cuda asks libcuda through the probe helper: the package's libexec copy is found
grep -q '^PASS  *gpu\.cuda ' "$tmp/healthy" || fail "check --root wsl2-healthy: gpu.cuda does not pass: $(grep gpu.cuda "$tmp/healthy")"
"$doctor" check --root "$hosts/wsl1" >"$tmp/wsl1" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "check --root wsl1: exit $rc, expected 1: $(tail -c 800 "$tmp/wsl1")"
grep -q '^FAIL  *wsl\.platform ' "$tmp/wsl1" || fail "check --root wsl1: wsl.platform does not fail"

# lintian, as an archive would run it on the upload
lintian -I --pedantic "$changes" >"$tmp/lintian" 2>&1
cat "$tmp/lintian"
grep -E '^[EW]: ' "$tmp/lintian" >/dev/null && fail "lintian reports errors or warnings"

[ $failures -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "debian: $(basename "$deb") holds the install, runs from a scratch root, and is lintian-clean"
