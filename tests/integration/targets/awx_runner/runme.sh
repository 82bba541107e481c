#!/usr/bin/env bash
# The shipped runbook backup_and_wait under ansible-runner (the engine AWX uses), started as AWX starts it:
# the Azure credential injected in env/envvars (the test shell's AZURE_* removed), the vault from a custom
# credential type's extra vars, survey answers as strings in env/extravars, an idle timeout in env/settings.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$here/../setup_emulator/files/common.sh" awx_runner

# What AWX would have: nothing of the test shell's Azure settings reaches the runner except through env/.
strip=(-u AZURE_SUBSCRIPTION_ID -u AZURE_CLIENT_ID -u AZURE_SECRET -u AZURE_TENANT -u AZURE_CLOUD_ENVIRONMENT
       -u AZURE_BACKUP_RESOURCE_GROUP -u AZURE_BACKUP_VAULT_NAME -u REQUESTS_CA_BUNDLE)

# job NAME CREDENTIAL-ENV-JSON EXTRAVARS-JSON IDLE-TIMEOUT: run the project's site.yml; prints the runner status
job() {
    local name="$1" creds="$2" extravars="$3" idle="$4" pdd="$out/$1"
    mkdir -p "$pdd/project" "$pdd/env"
    cp "$here/site.yml" "$pdd/project/"
    python - "$pdd/env" "$creds" "$extravars" "$idle" <<'PY'
import json, os, sys
env_dir, creds, extravars, idle = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
# AWX's azure_rm injector: the subscription, then the service principal or the user; unused keys may be empty
envvars = {"AZURE_SUBSCRIPTION_ID": os.environ["AZURE_SUBSCRIPTION_ID"],
           "AZURE_CLOUD_ENVIRONMENT": os.environ["AZURE_CLOUD_ENVIRONMENT"],
           "REQUESTS_CA_BUNDLE": os.environ["REQUESTS_CA_BUNDLE"]}
envvars.update(creds)
# the custom credential type "Azure Backup vault" injects extra vars
extravars.update({"azure_backup_resource_group": os.environ["AZURE_BACKUP_RESOURCE_GROUP"],
                  "azure_backup_vault_name": os.environ["AZURE_BACKUP_VAULT_NAME"]})
for name, data in (("envvars", envvars), ("extravars", extravars), ("settings", {"idle_timeout": idle, "job_timeout": 600})):
    with open(os.path.join(env_dir, name), "w") as handle:
        json.dump(data, handle)
PY
    env "${strip[@]}" python -m ansible_runner run "$pdd" -p site.yml --ident "$name" >"$out/$name.txt" 2>&1 || true
    cat "$pdd/artifacts/$name/status"
}

sp=$(python -c 'import json, os; print(json.dumps({"AZURE_CLIENT_ID": os.environ["AZURE_CLIENT_ID"],
    "AZURE_SECRET": os.environ["AZURE_SECRET"], "AZURE_TENANT": os.environ["AZURE_TENANT"],
    "AZURE_AD_USER": "", "AZURE_PASSWORD": ""}))')
user() {
    python -c 'import json, os, sys; print(json.dumps({"AZURE_AD_USER": sys.argv[1],
        "AZURE_PASSWORD": os.environ["AZURE_BACKUP_EMULATOR_PASSWORD"]}))' "$1"
}
# A survey: a textarea with one VM per line, numbers typed as text.
survey='{"backup_vms": "vm-web-01\nvm-web-02\n", "backup_timeout": "600", "backup_poll_interval": "1",
         "backup_progress_interval": "2"}'

# 1. Service principal, idle timeout 6 s, a wait of ~10 s: the heartbeat every 2 s keeps the job alive.
scale 120
status=$(job sp "$sp" "$survey" 6)
[ "$status" = successful ] || { cat "$out/sp.txt"; fail "service principal run: $status"; }
python - "$out/sp" <<'PY'
import glob, json, os, sys
events = [json.load(open(p)) for p in glob.glob(sys.argv[1] + "/artifacts/sp/job_events/*.json")]
stats = [e for e in events if e.get("event") == "playbook_on_stats"]
summary = stats[0]["event_data"]["artifact_data"]["backup_summary"]
assert sorted(summary) == ["vm-web-01", "vm-web-02"], summary
assert all(s["status"] == "Completed" for s in summary.values()), summary
heartbeats = [e for e in events if "still waiting:" in e.get("stdout", "")]
assert heartbeats, "no heartbeat event"
print("awx_runner: backup_summary %s; %d heartbeat events"
      % (dict((k, v["status"]) for k, v in sorted(summary.items())), len(heartbeats)))
PY

# 2. The username/password form of the credential (no client id, no tenant injected).
scale 600
status=$(job user "$(user "$AZURE_BACKUP_EMULATOR_AD_USER")" "$survey" 60)
[ "$status" = successful ] || { cat "$out/user.txt"; fail "username/password run: $status"; }
# ... and a user that needs MFA: one plain sentence, not a credential chain dump
status=$(job mfa "$(user "mfa-user@${AZURE_BACKUP_EMULATOR_AD_USER#*@}")" "$survey" 60)
[ "$status" = failed ] || fail "MFA user run: $status"
grep -q 'must use multi-factor authentication (AADSTS50076)' "$out/mfa/artifacts/mfa/stdout" || fail "no plain MFA message"
if grep -q 'DefaultAzureCredential' "$out/mfa/artifacts/mfa/stdout"; then fail "a credential chain dump"; fi

# 3. The same wait without heartbeats: the idle timeout kills it, so the heartbeat is what kept run 1 alive.
scale 120
quiet='{"backup_vms": "vm-web-01,vm-web-02", "backup_poll_interval": "1", "backup_progress_interval": "0"}'
status=$(job quiet "$sp" "$quiet" 6)
[ "$status" = timeout ] || { cat "$out/quiet.txt"; fail "a silent wait longer than the idle timeout ended $status"; }
scale 600

# 4. A wrong survey answer fails in validation, before anything is sent.
before=$(control "$AZURE_BACKUP_EMULATOR_URL/_emulator/stats" | python -c 'import json, sys; print(json.load(sys.stdin)["operations"].get("Backups_Trigger", {}).get("count", 0))')
status=$(job typo "$sp" '{"backup_vms": "vm-web-01", "backup_timeout": "soon"}' 60)
[ "$status" = failed ] || fail "backup_timeout=soon: $status"
grep -q 'backup_timeout' "$out/typo/artifacts/typo/stdout" || fail "the validation error does not name backup_timeout"
after=$(control "$AZURE_BACKUP_EMULATOR_URL/_emulator/stats" | python -c 'import json, sys; print(json.load(sys.stdin)["operations"].get("Backups_Trigger", {}).get("count", 0))')
[ "$before" = "$after" ] || fail "a backup was sent although the survey answer was wrong"

# No secret in what the runs printed or sent as events (job events, stdout, the fact cache). ansible-runner's
# own artifacts/<ident>/command records the environment it was given, injected secrets included: that file is
# the runner's, as are env/envvars and env/extravars, not output of the collection.
outputs=("$out"/*/artifacts/*/job_events "$out"/*/artifacts/*/stdout)
for secret in "$AZURE_SECRET" "$AZURE_BACKUP_EMULATOR_PASSWORD"; do
    if grep -rqF -- "$secret" "${outputs[@]}"; then
        grep -rlF -- "$secret" "${outputs[@]}" | sed "s|$out/||" >&2
        fail "a secret (${secret:0:6}...) is in the job events or the output"
    fi
done
n_events=$(find "$out"/*/artifacts/*/job_events -name '*.json' | wc -l)
n_runs=$(find "$out" -mindepth 3 -maxdepth 3 -path "*/artifacts/*" -type d | wc -l)
echo "awx_runner: no secret in $n_events job events of $n_runs runs"
echo "awx_runner: OK"
