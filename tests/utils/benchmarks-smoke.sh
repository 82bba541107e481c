#!/usr/bin/env bash
# One tiny run of every benchmark, so that none of them can rot: the figures are not looked at (the results pages
# come from full runs, see docs/performance.md and docs/reliability.md), but each script must run to its end.
# Usage: tests/utils/benchmarks-smoke.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"
out="$CACHE/benchmarks-smoke"
mkdir -p "$out"
py="$ROOT/.venv/bin/python"
run() {
    echo "+ $*"
    "$@" >"$out/$(basename "$2" .py).log" 2>&1 || { tail -n 40 "$out/$(basename "$2" .py).log"; die "$2 failed"; }
}
run "$py" tests/benchmarks/tasks_vs_uri.py --smoke --output "$out/tasks_vs_uri.md"
run "$py" tests/benchmarks/wait_many_jobs.py --jobs 3 --output "$out/wait_many_jobs.md"
run "$py" tests/benchmarks/soak.py --vms 3 --time-scale 60 --output "$out/soak.md"
grep -q 'every check held' "$out/soak.md" || die "soak (3 VMs): a check did not hold: $(cat "$out/soak.md")"
echo "benchmarks-smoke: the three benchmarks ran; pages in $out"
