#!/usr/bin/env bash
# Run every module's EXAMPLES, verbatim, against the emulator: examples that do not run are bugs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$here/../setup_emulator/files/common.sh" module_examples
playbook="$out/examples.yml"
start_scale=$(control "$AZURE_BACKUP_EMULATOR_URL/_emulator/time" | python -c 'import json, sys; print(json.load(sys.stdin)["time_scale"])')
python "$here/examples_playbook.py" "$start_scale" > "$playbook"
ansible-playbook "$playbook" "$@"
