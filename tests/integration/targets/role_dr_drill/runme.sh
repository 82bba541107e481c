#!/usr/bin/env bash
# The DR drill runbook against the emulator: a fresh-backup drill of two VMs (a survey string), a latest-point drill
# as new VMs in an isolated subnet with a verification hook, a drill whose restore fails and one whose restored VM
# does not come up (clean-up still runs, the report says fail), an RPO miss, a time with no recovery point, and
# check mode (a plan, no write). Each run's JSON report is checked, and the emulator says what is really gone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
. "$here/../setup_emulator/files/common.sh" role_dr_drill

# drill NAME EXPECTED-RC ARGS...: run the runbook with its report in $out/NAME; the newest JSON report is $out/NAME.json
drill() {
    local name="$1" expected="$2" rc=0
    shift 2
    ansible-playbook cloudops.azure_backup.dr_drill -e drill_report_dir="$out/$name" -e drill_poll_interval=0.5 \
        -e drill_target_resource_group=rg-drill -e drill_staging_storage_account=stdrillstaging "$@" \
        >"$out/$name.txt" 2>&1 || rc=$?
    if [ "$rc" != "$expected" ]; then
        cat "$out/$name.txt"
        fail "$name: exit status $rc, expected $expected"
    fi
    cp "$(find "$out/$name" -name '*.json' | sort | tail -1)" "$out/$name.json"
    grep -E '(PASS|FAIL|PLAN): ' "$out/$name.txt" | sed 's/^ *"/  /; s/",\?$//' || true
}
# check NAME PYTHON: assertions on report `r` (the JSON report) and `res` (the emulator's resources by id)
check() {
    control "$AZURE_BACKUP_EMULATOR_URL/_emulator/resources" >"$out/resources.json"
    python - "$out/$1.json" "$out/resources.json" "$2" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
res = dict((x["id"].lower(), x) for x in json.load(open(sys.argv[2]))["resources"])
def state(rid):
    return res.get(rid.lower(), {}).get("state")
for vm in r["vms"]:  # the public shape of the JSON report
    missing = {"vm_name", "passed", "reason", "recovery_point", "rpo_seconds", "rto_seconds", "jobs", "created",
               "removed", "verification"} - set(vm)
    assert not missing, missing
exec(sys.argv[3])
PY
}

# 0. A drill that keeps what it made: what is in the group before a drill is never touched by it.
drill kept 0 -e drill_vms=vm-web-02 -e drill_recovery_point=latest -e drill_keep=true
check kept '
assert r["passed"] and r["keep"] and r["removed"] == [] and len(r["created"]) >= 2, r["summary"]
open(sys.argv[1] + ".kept", "w").write("\n".join(r["created"]))'
cp "$out/kept.json.kept" "$out/kept.ids"

# 1. Fresh backups of two VMs given as a survey's text, restored as disks, verified, removed.
drill fresh 0 -e 'drill_vms="vm-web-01\nvm-db-01\n"' -e drill_max_rpo=86400 -e drill_max_rto=86400
check fresh '
assert r["passed"] is True and [v["vm_name"] for v in r["vms"]] == ["vm-web-01", "vm-db-01"], r["summary"]
for vm in r["vms"]:
    ops = [j["operation"] for j in vm["jobs"]]
    assert ops == ["Backup", "Restore"] and all(j["status"] == "Completed" for j in vm["jobs"]), ops
    disks = [x for x in vm["created"] if "/disks/" in x]
    assert len(disks) >= 2 and any("/containers/" in x for x in vm["created"]), vm["created"]
    assert sorted(vm["removed"]) == sorted(vm["created"]), (vm["created"], vm["removed"])
    assert all(state(x) == "Deleted" for x in vm["created"]), [(x, state(x)) for x in vm["created"]]
    assert 0 < vm["rpo_seconds"] < vm["rto_seconds"] < 86400, (vm["rpo_seconds"], vm["rto_seconds"])
    assert all(c["passed"] for c in vm["verification"]) and len(vm["verification"]) >= 4, vm["verification"]
    assert vm["recovery_point"]["id"] and vm["recovery_point"]["time"] > vm["jobs"][0]["start_time"][:19]
for rid in open(sys.argv[1].replace("fresh.json", "kept.ids")).read().split():
    assert state(rid) == "Succeeded", (rid, state(rid))  # the kept drill: in the baseline, untouched
assert r["left"] == [] and r["vault"]["vault_name"] == "rsv-demo"'
for ext in md html; do
    [ -s "$(find "$out/fresh" -name "*.$ext" | head -1)" ] || fail "fresh: no .$ext report"
done
grep -q '^## vm-db-01: PASS' "$(find "$out/fresh" -name '*.md' | head -1)" || fail "fresh: the Markdown report lacks vm-db-01"

# 2. The latest points restored as new VMs in the isolated subnet, with the user's own checks.
drill alternate 0 -e drill_vms=vm-web-01 -e drill_recovery_point=latest -e drill_restore_type=alternate_location \
    -e drill_target_virtual_network=vnet-drill -e drill_target_subnet=isolated -e drill_verify_tasks="$here/app_checks.yml"
check alternate '
vm = r["vms"][0]
kinds = sorted(x.split("/")[-2] for x in vm["created"])
assert r["passed"] and kinds == ["containers", "disks", "disks", "networkInterfaces", "virtualMachines"], kinds
names = [c["name"] for c in vm["verification"]]
assert {"virtual machine provisioned", "virtual machine running", "isolated network"} <= set(names), names
assert any(n.startswith("your checks (app_checks.yml)") for n in names), names
assert all(state(x) == "Deleted" for x in vm["created"]), [(x, state(x)) for x in vm["created"]]'

# 3. A restore that fails and a restored VM that does not come up: fail, with Azure's words, and still clean up.
control -X GET "$AZURE_BACKUP_EMULATOR_URL/_emulator/scenario" >/dev/null  # the default is what we change
control -X POST -H 'Content-Type: application/json' "$AZURE_BACKUP_EMULATOR_URL/_emulator/scenario" -d '{
  "virtual_machines": [
    {"name": "vm-web-01", "resource_group": "rg-workloads"},
    {"name": "vm-db-01", "resource_group": "rg-workloads", "restore": {"outcome": "Failed"}},
    {"name": "vm-web-02", "resource_group": "rg-workloads", "restore": {"vm_provisioning_state": "Failed", "vm_power_state": "stopped"}}
  ]}' >/dev/null
drill failing 2 -e drill_vms=vm-web-01,vm-db-01 -e drill_recovery_point=latest
check failing '
ok, bad = r["vms"]
assert r["passed"] is False and ok["passed"] is True and bad["passed"] is False, r["summary"]
assert bad["reason"].startswith("restore job completed: Restore job") and "Failed" in bad["reason"], bad["reason"]
assert any("Restore failed with an internal error." in e for e in bad["errors"]), bad["errors"]  # quoted from Azure
assert ok["created"] and all(state(x) == "Deleted" for x in ok["created"])  # cleaned up although the drill failed'
grep -q 'DR drill failed: vm-db-01 FAIL' "$out/failing.txt" || fail "failing: the task did not fail naming vm-db-01"
drill not_up 2 -e drill_vms=vm-web-02 -e drill_recovery_point=latest -e drill_restore_type=alternate_location \
    -e drill_target_virtual_network=vnet-drill -e drill_target_subnet=isolated
check not_up '
vm = r["vms"][0]
assert vm["passed"] is False and vm["reason"].startswith("virtual machine provisioned:") and "Failed" in vm["reason"], vm["reason"]
assert vm["created"] and all(state(x) == "Deleted" for x in vm["created"]), [(x, state(x)) for x in vm["created"]]'
control -X POST -H 'Content-Type: application/json' "$AZURE_BACKUP_EMULATOR_URL/_emulator/scenario" -d '{}' >/dev/null

# 4. An RPO threshold the latest point misses: the restore works, the drill fails with the figures.
drill rpo 2 -e drill_vms=vm-web-01 -e drill_recovery_point=latest -e drill_max_rpo=60
check rpo '
vm = r["vms"][0]
assert vm["passed"] is False and vm["reason"].startswith("RPO ") and vm["reason"].endswith("is above drill_max_rpo 60 s"), vm["reason"]
assert vm["rpo_seconds"] > 60 and all(c["passed"] for c in vm["verification"]) and vm["removed"] == vm["created"]'

# 5. A time before every recovery point: that VM fails, saying so, and nothing is restored.
drill no_point 2 -e drill_vms=vm-web-01 -e '{"drill_recovery_point": "2000-01-01 00:00"}'
check no_point '
vm = r["vms"][0]
assert vm["passed"] is False and "no recovery point taken at or before 2000-01-01 00:00" in vm["reason"] and vm["created"] == [], vm["reason"]'

# 6. Check mode: the plan (recovery point, restore request, what would be made and removed), and no write at all.
before=$(control "$AZURE_BACKUP_EMULATOR_URL/_emulator/stats")
drill plan 0 --check -e drill_vms=vm-web-01,vm-db-01 -e drill_recovery_point=fresh
after=$(control "$AZURE_BACKUP_EMULATOR_URL/_emulator/stats")
check plan '
assert r["check_mode"] is True and r["passed"] is None and r["created"] == [] and r["removed"] == []
for vm in r["vms"]:
    plan = vm["plan"]
    assert vm["passed"] is None and plan["restore_request"]["properties"]["recoveryType"] == "RestoreDisks", plan
    assert plan["would_create"] and "staging container" in plan["would_remove"], plan
    assert plan["would_back_up"].startswith(vm["vm_name"] + " (an on-demand backup) first"), plan'
python - "$before" "$after" <<'PY'
import json, sys
before, after = (json.loads(x)["operations"] for x in sys.argv[1:])
writes = dict((op, after[op]["count"] - before.get(op, {}).get("count", 0)) for op in after
              if op.endswith(("_Trigger", "_Delete", "_CreateOrUpdate")) and after[op]["count"] != before.get(op, {}).get("count", 0))
assert not writes, writes
print("role_dr_drill: check mode sent no write")
PY
echo "role_dr_drill: OK"
