#!/usr/bin/env bash
# Run every module's EXAMPLES, verbatim, against the emulator: examples that do not run are bugs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
playbook=$(mktemp --suffix=.yml)
trap 'rm -f "$playbook"' EXIT
control() {
    curl --silent --show-error --fail --cacert "$REQUESTS_CA_BUNDLE" "$@"
}
control -X POST "$AZURE_BACKUP_EMULATOR_URL/_emulator/reset" >/dev/null
start_scale=$(control "$AZURE_BACKUP_EMULATOR_URL/_emulator/time" | python -c 'import json, sys; print(json.load(sys.stdin)["time_scale"])')
python "$here/examples_playbook.py" "$start_scale" > "$playbook"
ansible-playbook "$playbook" "$@"
