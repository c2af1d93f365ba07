#!/usr/bin/env bash
# Debian packages the test suite drives for real: Chromium (widget tests),
# PostgreSQL, Redis and nginx (scale-out test), and npm where no Node.js/npm is
# on the machine (scripts/webchat.sh fetches the third-party widget with it).
# Installs only what is missing; needs root or sudo when something is.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in chromium chromium-driver postgresql redis-server nginx-light; do
    have "$pkg" || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(npm)
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null; then
    $SUDO apt-get update -q >/dev/null
    $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
# The packages' own services are not used: the tests start their own servers on
# free loopback ports with throw-away data folders.
for svc in postgresql redis-server nginx; do
    $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
