#!/usr/bin/env bash
# Lint the collection with one Python line's tools: ruff format --check (the one formatter, ruff.toml),
# ansible-lint (production profile, see .ansible-lint), antsibull-docs lint-collection-docs,
# antsibull-changelog lint.
# Usage: tests/utils/lint.sh LINE
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ $# -eq 1 ] || die "usage: $0 LINE"
line="$1"

failed=()
run() {
    echo "+ $*"
    in_venv "$line" "$@" || failed+=("$*")
}

cd "$ROOT"
run ruff format --check --quiet .
run ansible-lint
run antsibull-docs lint-collection-docs --plugin-docs .
run antsibull-changelog lint

if [ ${#failed[@]} -gt 0 ]; then
    printf 'lint.sh: FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
