#!/bin/sh
# Installs the Debian packages the build and tests need when run as root; otherwise
# names exactly what to install. Usage: scripts/deps.sh [build|test]
set -u
mode=${1:-build}
# another apt (a fresh machine's unattended-upgrades, a second build) may hold dpkg's lock:
# wait for it rather than fail
apt_get() { apt-get -o DPkg::Lock::Timeout=300 "$@"; }
pkgs="build-essential cmake pkg-config libcjson-dev libcurl4-openssl-dev libpci-dev libyaml-dev"
[ "$mode" = test ] && pkgs="$pkgs libcmocka-dev python3-jsonschema clang libclang-rt-14-dev gcovr"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
optional() {
    # Optional for tests: promtool lints the metrics, dpkg-buildpackage (debhelper) builds
    # the Debian package and lintian judges it, pre-commit runs the hook, cmark-gfm renders
    # the markdown report as GitHub does; without them those parts are skipped, so they are
    # installed when possible and never required.
    if [ "$mode" = test ] && [ "$(id -u)" = 0 ]; then
        for p in prometheus dpkg-dev debhelper lintian pre-commit cmark-gfm; do
            dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
            { DEBIAN_FRONTEND=noninteractive apt_get install -y -qq --no-install-recommends "$p" ||
              { apt_get update -qq && DEBIAN_FRONTEND=noninteractive apt_get install -y -qq \
                  --no-install-recommends "$p"; }; } >/dev/null 2>&1 ||
                echo "note: could not install $p (optional)" >&2
        done
    fi
}
[ -z "$missing" ] && { optional; exit 0; }
if [ "$(id -u)" = 0 ]; then
    echo "Installing:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt_get update -qq >/dev/null && apt_get install -y -qq $missing >/dev/null || {
        echo "apt-get install failed for:$missing" >&2; exit 1; }
    optional
else
    echo "Missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get install -y$missing" >&2
    exit 1
fi
