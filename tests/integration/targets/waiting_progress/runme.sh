#!/usr/bin/env bash
# Live progress while waiting: in ansible-playbook's output at default verbosity, and as job events under
# ansible-runner (what AWX runs); none with progress_interval 0 or where the module runs as a module (async).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$here/../setup_emulator/files/common.sh" waiting_progress
# A backup takes about ten seconds of real time: the wait has something to show.
scale 120

# 1. ansible-playbook, default verbosity
ansible-playbook "$here/progress.yml" "$@" | tee "$out/playbook.txt"
grep -Eq '^\[localhost\] vm-web-01 Backup InProgress: Take Snapshot [0-9]+ %' "$out/playbook.txt" \
    || fail "no line naming the VM, operation, status, running task and progress"
grep -Eq '^\[localhost\] vm-web-01 Backup InProgress: Transfer data to vault' "$out/playbook.txt" \
    || fail "no line when the job moved on to its transfer"
grep -Eq '^\[localhost\] vm-web-01 Backup Completed \[job [0-9a-f-]{36}\]' "$out/playbook.txt" \
    || fail "no line when the job ended"
grep -Eq '^\[localhost\] still waiting: 0 of 1 job\(s\) done, 1 running, [0-9]+s elapsed, [0-9hms]+ left before the timeout' \
    "$out/playbook.txt" || fail "no heartbeat"
requests_before=$(control "$AZURE_BACKUP_EMULATOR_URL/_emulator/stats" | python -c 'import json, sys; print(json.load(sys.stdin)["total"])')

# 2. ansible-runner, as AWX runs it: the lines are job events
runner="$out/runner"
mkdir -p "$runner/project"
cp "$here/progress.yml" "$runner/project/"
python -m ansible_runner run "$runner" -p progress.yml --rotate-artifacts 1 >"$out/runner.txt" 2>&1 \
    || { cat "$out/runner.txt"; fail "ansible-runner failed"; }
python - "$runner" <<'PY'
import glob, json, sys
events = [json.load(open(path)) for path in glob.glob(sys.argv[1] + "/artifacts/*/job_events/*.json")]
lines = [e.get("stdout", "") for e in events]
progress = [line for line in lines if line.startswith("[localhost] ")]
heartbeats = [line for line in progress if "still waiting:" in line]
assert any("vm-web-01 Backup Completed" in line for line in progress), lines
assert heartbeats, "no heartbeat among the job events"
# each line is an event of its own, so an idle timeout sees output at least every progress_interval
assert all(e.get("event") == "verbose" for e in events if e.get("stdout", "").startswith("[localhost] ")), events
print("waiting_progress: %d progress lines, %d heartbeats as job events" % (len(progress), len(heartbeats)))
PY

# 3. no lines with progress_interval 0, nor from the module run as a module (async)
ansible-playbook "$here/quiet.yml" "$@" | tee "$out/quiet.txt"
if grep -Eq '^\[localhost\] ' "$out/quiet.txt"; then fail "progress lines although they were off or could not be shown"; fi

# 4. waiting for the snapshot only
ansible-playbook "$here/snapshot.yml" "$@"
echo "waiting_progress: OK (${requests_before} requests for the first playbook)"
