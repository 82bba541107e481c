#!/usr/bin/env bash
# Run test stages for each Python line, with a banner per stage, going on after a failure and
# ending with a summary that names the failed stages; exits 1 if any stage failed.
# Usage: tests/utils/run.sh STAGE...   STAGE: sanity units integration lint docs package
#   LINES="3.11 3.13" (default) selects the lines: 3.11 = ansible-core 2.19, 3.13 = newest.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT" || exit 1

read -r -a lines <<< "${LINES:-3.11 3.13}"
[ ${#lines[@]} -gt 0 ] || lines=(3.11 3.13)
for line in "${lines[@]}"; do venv_for "$line" >/dev/null; done

passed=()
failed=()

# stage NAME CMD... : run one stage with a banner and record its result.
stage() {
    local name="$1" start rc
    shift
    banner "STAGE $name"
    echo "+ $*"
    start=$SECONDS
    "$@"
    rc=$?
    if [ $rc -eq 0 ]; then
        passed+=("$name")
        banner "PASSED $name ($((SECONDS - start)) s)"
    else
        failed+=("$name")
        banner "FAILED $name (exit status $rc, $((SECONDS - start)) s)"
    fi
}

describe() {  # describe LINE -> "Python 3.11.7, ansible-core 2.19.14"
    tail -n1 "$(venv_for "$1")/.setup-stamp" 2>/dev/null || echo "Python $1"
}

for name in "$@"; do
    case "$name" in
        sanity|units|integration)
            for line in "${lines[@]}"; do
                stage "$name [$(describe "$line")]" tests/utils/ansible-test.sh "$line" "$name"
            done
            if [ "$name" = units ]; then
                # The emulator's own tests; pytest exits 5 when it collected nothing: a failure too.
                stage "units [emulator, $(describe 3.11)]" .venv/bin/python -m pytest tests/emulator/tests
            fi
            ;;
        lint)
            for line in "${lines[@]}"; do
                stage "lint [$(describe "$line")]" tests/utils/lint.sh "$line"
            done
            ;;
        package)
            stage "package [$(describe 3.11)]" tests/utils/package.sh
            ;;
        benchmarks)
            # One tiny run of each benchmark, so that none can rot (the figures come from full runs).
            stage "benchmarks [smoke, $(describe 3.11)]" tests/utils/benchmarks-smoke.sh
            ;;
        docs)
            # The HTML site, built once (antsibull-docs and Sphinx in .venv) and checked in Chromium.
            stage "docs [$(describe 3.11)]" tests/utils/docs.sh
            ;;
        *)
            die "unknown stage '$name' (sanity, units, integration, lint, docs, package, benchmarks)"
            ;;
    esac
done

banner "SUMMARY"
for name in "${passed[@]}"; do echo "  passed: $name"; done
for name in "${failed[@]}"; do echo "  FAILED: $name"; done
echo "stages: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
