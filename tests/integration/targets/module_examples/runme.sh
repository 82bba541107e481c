#!/usr/bin/env bash
# Run every module's EXAMPLES, verbatim, against the emulator: examples that do not run are bugs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
playbook=$(mktemp --suffix=.yml)
trap 'rm -f "$playbook"' EXIT
curl --silent --show-error --fail --cacert "$REQUESTS_CA_BUNDLE" -X POST "$AZURE_BACKUP_EMULATOR_URL/_emulator/reset" >/dev/null
python "$here/examples_playbook.py" "$here/../../../../plugins/modules" > "$playbook"
ansible-playbook "$playbook" "$@"
