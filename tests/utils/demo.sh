#!/usr/bin/env bash
# The flagship runbook(s) against the emulator; run by `make demo` through with-emulator.sh,
# which has exported the emulator's environment (AZURE_*, REQUESTS_CA_BUNDLE, ...).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

# The emulator runs DEMO_TIME_SCALE times faster than Azure, so poll every two seconds instead of 30.
# vm-fail-01 fails every backup on purpose: the demo shows its error instead of stopping the run.
banner "demo: watch it live"
echo "The emulator's live view (protected items, jobs and their tasks, restored resources) is at"
echo "    $AZURE_BACKUP_EMULATOR_URL/"
echo "while the demo runs (its certificate is the emulator's own CA: $REQUESTS_CA_BUNDLE)."

run() {
    banner "demo: $1"
    echo "+ .venv/bin/ansible-playbook $*"
    .venv/bin/ansible-playbook "$@"
}
run playbooks/backup_and_wait.yml -e backup_vms=vm-web-01,vm-web-02,vm-db-01,vm-fail-01,vm-warn-01 -e backup_poll_interval=2 -e backup_fail_on_error=false
run playbooks/backup_then_restore.yml -e drill_vm=vm-web-01 -e drill_staging_account=stbackupstaging -e drill_target_group=rg-restore -e drill_poll_interval=2
# The DR drill of one VM: a fresh backup, a restore into rg-drill, verification through ARM, clean-up, the evidence.
reports="$CACHE/demo-reports"
run playbooks/dr_drill.yml -e drill_vms=vm-web-01 -e drill_target_resource_group=rg-drill \
    -e drill_staging_storage_account=stdrillstaging -e drill_poll_interval=2 -e drill_report_dir="$reports"
banner "demo: done"
latest=$(find "$reports" -name 'dr-drill-*.md' | sort | tail -1)
echo "The drill's report: $latest (and .json, .html beside it)"
