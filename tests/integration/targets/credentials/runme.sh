#!/usr/bin/env bash
# Every kind of credential against the emulator's authority (certificate, username/password, workload identity,
# managed identity), through ansible-playbook at -vvv: each reads the vault, refusals say why, the request log
# shows which credential made each ARM call, and no secret appears in the output.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$here/../setup_emulator/files/common.sh" credentials

ansible-playbook "$here/credentials.yml" -vvv "$@" >"$out/play.txt" 2>&1 || { cat "$out/play.txt"; fail "playbook failed"; }
tail -n 5 "$out/play.txt"

# no secret at -vvv: the service principal's secret, the users' password, the private key, the federated token
for secret in "$AZURE_SECRET" "$AZURE_BACKUP_EMULATOR_PASSWORD" "PRIVATE KEY" "$(cat "$AZURE_BACKUP_EMULATOR_FEDERATED_TOKEN_FILE")"; do
    if grep -qF -- "$secret" "$out/play.txt"; then fail "a secret (${secret:0:6}...) is in the -vvv output"; fi
done

control "$AZURE_BACKUP_EMULATOR_URL/_emulator/requests?operation=BackupPolicies_List" >"$out/log.json"
python - "$out/log.json" <<'PY'
import collections, json, sys
entries = json.load(open(sys.argv[1]))["requests"]
used = collections.Counter(e["credential"] for e in entries if e["status"] == 200)
# two tasks each with a certificate and a password, one workload, two managed identity, one with the secret
expected = {"client_certificate": 2, "password": 2, "federated_credential": 1, "managed_identity": 2, "client_secret": 1}
assert dict(used) == expected, used
print("credentials: ARM reads by credential %s" % dict(sorted(used.items())))
PY
echo "credentials: OK"
