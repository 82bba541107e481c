#!/usr/bin/env bash
# Print the path of a headless-capable Chromium, installing Debian's chromium package when none is there
# (the docs and the emulator's live view are checked in a real browser). Usage: tests/utils/chromium.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
        command -v "$candidate"
        exit 0
    fi
done
command -v apt-get >/dev/null 2>&1 || die "no Chromium found and no apt-get to install Debian's chromium: install
Chromium (or Chrome) and put it on PATH, or point CHROMIUM at it"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "chromium.sh: installing Debian's chromium (once per machine)" >&2
export DEBIAN_FRONTEND=noninteractive
{ $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium; } >&2 \
    || die "could not install chromium with apt-get (is a Debian mirror reachable?)"
command -v chromium
