#!/usr/bin/env bash
# Build the collection tarball into .cache/build from the tracked + untracked-not-ignored files
# (the same copy ansible-test uses), so local caches such as .ansible/ never end up in it.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
lock_copy
sync_copy
cd "$COPY"
echo "+ ansible-galaxy collection build --force --output-path $CACHE/build"
"$ROOT/.venv/bin/ansible-galaxy" collection build --force --output-path "$CACHE/build"
