# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudops.azure_backup.plugins.filter.dr_drill_report import FilterModule, dr_drill_report

G = "/subscriptions/s/resourceGroups/rg-drill/providers"
SUBNET = "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-iso/subnets/iso"


def disk(name, size=128, state="Unattached", provisioning="Succeeded"):
    return {"id": G + "/Microsoft.Compute/disks/" + name, "name": name, "type": "Microsoft.Compute/disks",
            "disk_size_gb": size, "disk_state": state, "provisioning_state": provisioning}  # fmt: skip


def job(operation, status="Completed", start="2026-12-02T02:00:00Z", end="2026-12-02T02:20:00Z", **bag):
    return {"job_id": "%s-job" % operation.lower(), "operation": operation, "status": status, "start_time": start,
            "end_time": end, "error_details": [], "extended_info": {"tasks_list": [], "property_bag": bag}}  # fmt: skip


def seen(name="vm-web-01", rp_time="2026-12-02T01:00:00Z", **extra):
    entry = {"vm_name": name, "recovery_point": {"recovery_point_id": "123", "recovery_point_time": rp_time},
             "restore_job": job("Restore", **{"Restored disks": "%s-osdisk-1, %s-datadisk-000-1" % (name, name)}),
             "errors": [], "checks": []}  # fmt: skip
    entry.update(extra)
    return entry


VERIFIED = "2026-12-02T02:21:30Z"


def test_a_disk_restore_that_worked_passes_with_its_figures():
    disks = [disk("vm-web-01-osdisk-1"), disk("vm-web-01-datadisk-000-1", 32), disk("unrelated")]
    report = dr_drill_report([seen()], resources=disks, verified_at=VERIFIED, removed=[d["id"] for d in disks[:2]])
    vm = report["vms"][0]
    assert report["passed"] is True and vm["passed"] is True
    assert vm["rpo_seconds"] == 3600 and vm["rto_seconds"] == 1290  # 02:00 - 01:00; 02:00 -> 02:21:30
    assert vm["created"] == [disks[0]["id"], disks[1]["id"]] and vm["removed"] == vm["created"]
    assert [c["name"] for c in vm["verification"]] == [
        "restore job completed",
        "disks restored",
        "disk vm-web-01-osdisk-1",
        "disk vm-web-01-datadisk-000-1",
    ]
    assert report["left"] == [disks[2]["id"]]  # created in the group by this run but not removed
    assert report["summary"][0].startswith("vm-web-01 PASS: restored, verified")


def test_two_vms_each_get_their_own_disks():
    resources = [disk("vm-a-osdisk-1"), disk("vm-a-datadisk-000-1"), disk("vm-b-osdisk-1"), disk("vm-b-datadisk-000-1")]
    report = dr_drill_report([seen("vm-a"), seen("vm-b")], resources=resources, verified_at=VERIFIED)
    assert [len(v["created"]) for v in report["vms"]] == [2, 2]
    assert all("vm-b" in rid for rid in report["vms"][1]["created"])


def test_a_failed_restore_fails_with_azures_words():
    failed = job("Restore", status="Failed")
    failed["error_details"] = [
        {"error_code": "UserErrorRestoreFailed", "error_string": "Restore failed with an internal error."}
    ]
    report = dr_drill_report([seen(restore_job=failed)], resources=[], verified_at=VERIFIED)
    vm = report["vms"][0]
    assert report["passed"] is False and vm["passed"] is False
    assert vm["reason"].startswith("restore job completed: Restore job restore-job ended Failed")
    assert "UserErrorRestoreFailed: Restore failed with an internal error." in vm["errors"]
    assert vm["rto_seconds"] is None


@pytest.mark.parametrize(
    "limits, words",
    [
        ({"max_rpo": 1800}, "RPO 3600 s is above drill_max_rpo 1800 s"),
        ({"max_rto": 600}, "RTO 1290 s is above drill_max_rto 600 s"),
    ],
)
def test_thresholds_fail_with_the_figures(limits, words):
    report = dr_drill_report([seen()], resources=[disk("vm-web-01-osdisk-1")], verified_at=VERIFIED, **limits)
    assert report["passed"] is False and report["vms"][0]["reason"] == words


def test_a_new_vm_must_run_in_the_drill_subnet_only():
    vm_id = G + "/Microsoft.Compute/virtualMachines/vm-web-01-drill"
    nic_id = G + "/Microsoft.Network/networkInterfaces/vm-web-01-drill-nic"
    os_disk = disk("vm-web-01-drill-osdisk", state="Attached")
    machine = {"id": vm_id, "name": "vm-web-01-drill", "type": "Microsoft.Compute/virtualMachines",
               "provisioning_state": "Succeeded", "power_state": "running", "os_disk_id": os_disk["id"],
               "data_disk_ids": [], "network_interface_ids": [nic_id]}  # fmt: skip
    nic = {
        "id": nic_id,
        "name": "vm-web-01-drill-nic",
        "type": "Microsoft.Network/networkInterfaces",
        "subnet_id": SUBNET,
    }
    entry = seen(restore_job=job("Restore", **{"Target VM Name": "vm-web-01-drill"}))
    ok = dr_drill_report([entry], resources=[machine, nic, os_disk], verified_at=VERIFIED,
                         restore_type="alternate_location", target_subnet="iso")  # fmt: skip
    assert ok["passed"] is True and len(ok["vms"][0]["created"]) == 3
    nic["subnet_id"] = SUBNET.replace("/iso", "/production")
    leaked = dr_drill_report([entry], resources=[machine, nic, os_disk], verified_at=VERIFIED,
                             restore_type="alternate_location", target_subnet=SUBNET)  # fmt: skip
    assert leaked["passed"] is False and leaked["vms"][0]["reason"].startswith("isolated network:")


def test_a_vm_that_failed_to_provision_fails():
    machine = {"id": G + "/Microsoft.Compute/virtualMachines/x-drill", "name": "x-drill",
               "type": "Microsoft.Compute/virtualMachines", "provisioning_state": "Failed"}  # fmt: skip
    entry = seen("x", restore_job=job("Restore", **{"Target VM Name": "x-drill"}))
    report = dr_drill_report([entry], resources=[machine], verified_at=VERIFIED, restore_type="alternate_location",
                             target_subnet="iso")  # fmt: skip
    assert report["vms"][0]["reason"] == "virtual machine provisioned: x-drill: provisioning state Failed"


def test_an_extra_check_that_failed_fails_the_vm():
    entry = seen(checks=[{"name": "your checks (app.yml)", "passed": False, "detail": "Check the web page: 503"}])
    report = dr_drill_report([entry], resources=[disk("vm-web-01-osdisk-1")], verified_at=VERIFIED)
    assert report["vms"][0]["reason"] == "your checks (app.yml): Check the web page: 503"


def test_a_vm_without_a_recovery_point_fails_with_why():
    entry = {
        "vm_name": "vm-new",
        "errors": ["recovery point: no recovery point taken at or before 2020-01-01"],
        "checks": [],
    }
    report = dr_drill_report([entry], resources=[], verified_at=VERIFIED)
    assert report["vms"][0]["passed"] is False
    assert report["vms"][0]["reason"] == "recovery point: no recovery point taken at or before 2020-01-01"


def test_warnings_are_kept_and_still_pass():
    entry = seen(backup_job=job("Backup", status="CompletedWithWarnings"))
    report = dr_drill_report([entry], resources=[disk("vm-web-01-osdisk-1")], verified_at=VERIFIED)
    assert report["vms"][0]["passed"] is True and report["vms"][0]["warnings"]
    assert report["vms"][0]["reason"] == "restored, verified (with warnings)"


def test_check_mode_is_a_plan():
    entry = seen(
        restore_job=None,
        restore_request={"properties": {"targetResourceGroupId": "/subscriptions/s/resourceGroups/rg-drill"}},
    )
    report = dr_drill_report([entry], check_mode=True)
    vm = report["vms"][0]
    assert report["passed"] is None and vm["passed"] is None and "check mode" in vm["reason"]
    assert vm["plan"]["would_create"] == ["the managed disks of vm-web-01 in resource group rg-drill"]
    assert report["summary"][0].startswith("vm-web-01 PLAN")
    assert vm["plan"]["would_back_up"] is None


def test_check_mode_plan_of_a_fresh_drill_says_the_backup_comes_first():
    entry = seen(
        restore_job=None,
        recovery_point={"id": "/x/recoveryPoints/123", "time": "2026-12-01T06:00:00Z"},
        restore_request={"properties": {"targetResourceGroupId": "/subscriptions/s/resourceGroups/rg-drill"}},
    )
    plan = dr_drill_report([entry], check_mode=True, recovery_point_choice="fresh")["vms"][0]["plan"]
    assert plan["would_back_up"].startswith("vm-web-01 (an on-demand backup)")
    assert "123" in plan["would_back_up"] and "in its place" in plan["would_back_up"]
    latest = dr_drill_report([entry], check_mode=True, recovery_point_choice="latest")["vms"][0]["plan"]
    assert latest["would_back_up"] is None


def test_a_run_error_fails_the_report():
    report = dr_drill_report([seen()], resources=[disk("vm-web-01-osdisk-1")], verified_at=VERIFIED,
                             errors=["clean-up: Azure refused to delete ..."])  # fmt: skip
    assert report["passed"] is False and report["summary"][-1] == "run: clean-up: Azure refused to delete ..."


@pytest.mark.parametrize("given", [None, "vm", [{"no": "name"}]])
def test_bad_input_is_refused(given):
    with pytest.raises(AnsibleFilterError):
        dr_drill_report(given)


def test_registered():
    assert FilterModule().filters()["dr_drill_report"] is dr_drill_report


def test_the_vault_comes_from_the_jobs_and_the_staging_container_counts_as_created():
    restore = job("Restore", **{"Restored disks": "vm-web-01-osdisk-1"})
    restore["id"] = (
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-backup-demo/providers"
        "/Microsoft.RecoveryServices/vaults/rsv-demo/backupJobs/0a0a0a0a-1111-2222-3333-444444444444"
    )
    container = "/subscriptions/s/resourceGroups/rg-drill/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/c"
    entry = seen(restore_job=restore, staging_container=container)
    report = dr_drill_report([entry], resources=[disk("vm-web-01-osdisk-1")], verified_at=VERIFIED, removed=[container])
    assert report["vault"]["vault_name"] == "rsv-demo" and report["vault"]["resource_group"] == "rg-backup-demo"
    assert report["vault"]["id"] == restore["id"].rsplit("/backupJobs/", 1)[0]
    assert container in report["vms"][0]["created"] and report["vms"][0]["removed"] == [container]
    assert report["left"] == [G + "/Microsoft.Compute/disks/vm-web-01-osdisk-1"]


def test_no_vault_from_a_job_id_that_is_not_one():
    restore = job("Restore", **{"Restored disks": "vm-web-01-osdisk-1"})
    restore["id"] = "/subscriptions/s/resourceGroups/../vaults/rsv-demo/backupJobs/x"
    report = dr_drill_report([seen(restore_job=restore)], resources=[disk("vm-web-01-osdisk-1")], verified_at=VERIFIED)
    assert report["vault"] == {"resource_group": None, "vault_name": None, "id": None}
