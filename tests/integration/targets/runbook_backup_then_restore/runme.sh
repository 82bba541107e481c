#!/usr/bin/env bash
# The flagship runbook, as a user runs it: by its collection name, against the emulator.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$here/../setup_emulator/files/common.sh" runbook_backup_then_restore
log="$out/run.txt"
ansible-playbook cloudops.azure_backup.backup_then_restore -e drill_vm=vm-web-01 -e drill_staging_account=stbackupstaging \
    -e drill_target_group=rg-restore -e drill_poll_interval=0.2 "$@" | tee "$log"
grep -q 'Backup of vm-web-01: Completed' "$log"
grep -q 'Restore of vm-web-01: Completed' "$log"
grep -q 'task  Take Snapshot' "$log"
grep -q 'bag   Template Blob Uri' "$log"
control "$AZURE_BACKUP_EMULATOR_URL/_emulator/stats" | python -c '
import json, sys
ops = json.load(sys.stdin)["operations"]
assert ops["Backups_Trigger"]["count"] == 1, ops
assert ops["Restores_Trigger"]["count"] == 1, ops
print("runbook: one backup and one restore were sent")'

ansible-playbook cloudops.azure_backup.backup_then_restore -e drill_poll_interval=0.2 -e drill_restore_type=alternate_location \
    -e drill_vm=vm-db-01 -e drill_staging_account=stbackupstaging -e drill_target_group=rg-restore \
    -e drill_target_network=vnet-restore -e drill_target_subnet=default "$@" | tee "$log"
grep -q 'Restore of vm-db-01: Completed' "$log"
grep -q 'target_vm_name.*vm-db-01-restored' "$log"
