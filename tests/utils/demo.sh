#!/usr/bin/env bash
# The flagship runbook(s) against the emulator; run by `make demo` through with-emulator.sh,
# which has exported the emulator's environment (AZURE_*, REQUESTS_CA_BUNDLE, ...).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

[ -f playbooks/backup_and_wait.yml ] || die "playbooks/backup_and_wait.yml is missing"
for playbook in playbooks/backup_and_wait.yml playbooks/backup_then_restore.yml; do
    [ -f "$playbook" ] || continue
    banner "demo: $playbook"
    echo "+ .venv/bin/ansible-playbook $playbook"
    .venv/bin/ansible-playbook "$playbook"
done
