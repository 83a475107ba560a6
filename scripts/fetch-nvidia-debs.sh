#!/bin/sh
# Fetches NVIDIA's real Linux userspace (libcuda1, libnvidia-ml1, nvidia-smi) from Debian's
# non-free component for the test nvidia.real, and unpacks it with dpkg-deb -x into
# BUILD_DIR/external/nvidia-debs/root: nothing is installed, the system's apt
# configuration is not read or touched. The chain of trust is apt's own: InRelease checked
# with gpgv against debian-archive-keyring (when both are here), the Packages.xz of
# non-free against InRelease's SHA256, each .deb against Packages' SHA256.
# BUILD_DIR/external/nvidia-debs/sources.txt lists every URL with its SHA256; when the
# registry cannot be reached or a check fails, BUILD_DIR/external/nvidia-debs/unavailable
# says why, the script exits 1, and the test skips with that reason.
# usage: scripts/fetch-nvidia-debs.sh [BUILD_DIR]
# (WLD_DEBIAN_MIRROR, WLD_DEBIAN_SUITE: another mirror or suite of the same layout)
set -eu
build=${1:-build}
mirror=${WLD_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=${WLD_DEBIAN_SUITE:-bookworm}
index=non-free/binary-amd64/Packages.xz
pkgs="libcuda1 libnvidia-ml1 nvidia-smi"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
dst="$build/external/nvidia-debs"
mkdir -p "$dst/debs"
dst=$(cd "$dst" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$dst/unavailable" "$dst/sources.txt.new"

# The reason, kept for the test to show, and the script's failure.
unavailable() {
    echo "$*" >"$dst/unavailable"
    rm -rf "$dst/root"
    echo "fetch-nvidia-debs.sh: $*" >&2
    exit 1
}
for tool in curl xz dpkg-deb sha256sum; do
    command -v "$tool" >/dev/null || unavailable "$tool is not installed"
done
get() { # get URL FILE: one try, bounded, the error kept for the reason
    curl -fsS --connect-timeout 10 --max-time 300 -o "$2" "$1" 2>"$tmp/curl.err" ||
        unavailable "could not fetch $1: $(head -c 300 "$tmp/curl.err")"
}
sha_of() { sha256sum "$1" | cut -d' ' -f1; }
source_line() { echo "$1 sha256:$2" >>"$dst/sources.txt.new"; }

get "$mirror/dists/$suite/InRelease" "$tmp/InRelease"
if command -v gpgv >/dev/null && [ -r "$keyring" ]; then
    gpgv --keyring "$keyring" --output "$tmp/Release" "$tmp/InRelease" 2>"$tmp/gpgv.err" ||
        unavailable "$mirror/dists/$suite/InRelease: signature does not verify against $keyring: $(tail -n 2 "$tmp/gpgv.err")"
    trust="signature checked with gpgv against $keyring"
else
    # without gpgv or the keyring, the index's hashes are taken as served
    cp "$tmp/InRelease" "$tmp/Release"
    trust="signature NOT checked (no gpgv or no $keyring)"
fi
source_line "$mirror/dists/$suite/InRelease" "$(sha_of "$tmp/InRelease") ($trust)"
want=$(awk -v f="$index" '$3 == f && length($1) == 64 { print $1 }' "$tmp/Release")
[ -n "$want" ] || unavailable "$mirror/dists/$suite/InRelease lists no SHA256 for $index"
get "$mirror/dists/$suite/$index" "$tmp/Packages.xz"
[ "$(sha_of "$tmp/Packages.xz")" = "$want" ] ||
    unavailable "$mirror/dists/$suite/$index: SHA256 is not the one InRelease lists ($want)"
source_line "$mirror/dists/$suite/$index" "$want"
xz -dc "$tmp/Packages.xz" >"$tmp/Packages"

rm -rf "$dst/root"
mkdir -p "$dst/root"
for p in $pkgs; do
    # Filename and SHA256 of the package's stanza (Debian keeps one version per suite),
    # split into $1 $2 on purpose
    # shellcheck disable=SC2046
    set -- $(awk -v p="$p" '/^Package: / { on = $2 == p } on && /^Filename: / { f = $2 }
        on && /^SHA256: / { s = $2 } END { print f, s }' "$tmp/Packages")
    [ $# -eq 2 ] || unavailable "$p is not in $mirror/dists/$suite/$index"
    url="$mirror/$1" sha=$2 deb="$dst/debs/${1##*/}"
    if [ ! -f "$deb" ] || [ "$(sha_of "$deb")" != "$sha" ]; then
        get "$url" "$tmp/deb"
        [ "$(sha_of "$tmp/deb")" = "$sha" ] || unavailable "$url: SHA256 is not the one Packages lists ($sha)"
        mv "$tmp/deb" "$deb"
    fi
    source_line "$url" "$sha"
    dpkg-deb -x "$deb" "$dst/root" || unavailable "dpkg-deb -x $deb failed"
done
mv "$dst/sources.txt.new" "$dst/sources.txt"
cat "$dst/sources.txt"
echo "fetch-nvidia-debs.sh: $dst/root"
