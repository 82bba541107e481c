# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ApiError, NotFound
from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_restored_resources as module

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import SUB, VAULT, job_resource

GROUP = "/subscriptions/%s/resourceGroups/rg-restore" % SUB
COMPUTE = GROUP + "/providers/Microsoft.Compute"
VM = COMPUTE + "/virtualMachines/vm-web-01-drill"
OS_DISK = COMPUTE + "/disks/vm-web-01-osdisk-20261202"
DATA_DISK = COMPUTE + "/disks/vm-web-01-datadisk-000-20261202"
OLD_DISK = COMPUTE + "/disks/kept-from-before"
NIC = GROUP + "/providers/Microsoft.Network/networkInterfaces/vm-web-01-drill-nic"
SUBNET = (
    "/subscriptions/%s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-drill/subnets/iso" % SUB
)
NSG = GROUP + "/providers/Microsoft.Network/networkSecurityGroups/nsg"
ACCOUNT = (
    "/subscriptions/%s/resourceGroups/rg-backup-demo/providers/Microsoft.Storage/storageAccounts/stbackupstaging" % SUB
)
CONTAINER = ACCOUNT + "/blobServices/default/containers/vm-web-01-0123abcd"
OPS = "https://management.azure.com/subscriptions/%s/providers/Microsoft.Compute/locations/westeurope/operations/" % SUB


def disk(rid, size, managed_by=None):
    body = {
        "id": rid,
        "name": rid.rsplit("/", 1)[1],
        "type": "Microsoft.Compute/disks",
        "location": "westeurope",
        "sku": {"name": "Premium_LRS"},
        "properties": {"diskSizeGB": size, "diskState": "Attached" if managed_by else "Unattached",
                       "provisioningState": "Succeeded"},
    }  # fmt: skip
    if managed_by:
        body["managedBy"] = managed_by
    return body


def vm():
    return {
        "id": VM,
        "name": "vm-web-01-drill",
        "type": "Microsoft.Compute/virtualMachines",
        "location": "westeurope",
        "properties": {
            "provisioningState": "Succeeded",
            "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
            "storageProfile": {
                "osDisk": {"managedDisk": {"id": OS_DISK}},
                "dataDisks": [{"managedDisk": {"id": DATA_DISK}}],
            },
            "networkProfile": {"networkInterfaces": [{"id": NIC}]},
            "instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/running"}]},
        },
    }


def nic():
    return {
        "id": NIC,
        "name": "vm-web-01-drill-nic",
        "type": "Microsoft.Network/networkInterfaces",
        "location": "westeurope",
        "properties": {
            "provisioningState": "Succeeded",
            "virtualMachine": {"id": VM},
            "ipConfigurations": [{"properties": {"subnet": {"id": SUBNET}, "privateIPAddress": "10.99.0.4"}}],
        },
    }


def listing(*ids):
    return {"value": [{"id": rid, "name": rid.rsplit("/", 1)[1]} for rid in ids]}


def a_new_vm_was_restored(fake, also=()):
    fake.add("GET", GROUP + "/resources", listing(VM, NIC, OS_DISK, DATA_DISK, OLD_DISK, NSG, *also))
    fake.add("GET", VM, vm())
    fake.add("GET", NIC, nic())
    fake.add("GET", OS_DISK, disk(OS_DISK, 128, VM))
    fake.add("GET", DATA_DISK, disk(DATA_DISK, 32, VM))
    fake.add("GET", CONTAINER, {"id": CONTAINER, "name": "vm-web-01-0123abcd"})


def deletes_async(fake, rid, op):
    fake.add("DELETE", rid, None, status=202, headers={"Azure-AsyncOperation": OPS + op, "Retry-After": "5"})
    fake.add("GET", OPS + op, {"name": op, "status": "InProgress"})
    fake.add("GET", OPS + op, {"name": op, "status": "Succeeded"})


def args(**given):
    base = {"target_resource_group": "rg-restore", "baseline": [OLD_DISK], "staging_containers": [CONTAINER],
            "poll_interval": 1}  # fmt: skip
    base.update(given)
    return base


def test_present_reads_what_the_restore_created(fake_client, run_module):
    a_new_vm_was_restored(fake_client)
    failed, result = run_module(module, args())
    assert not failed, result
    assert result["changed"] is False and result["removed"] == []
    assert result["created"] == [VM, NIC, OS_DISK, DATA_DISK]  # the baseline's disk is not the restore's
    by_id = dict((r["id"], r) for r in result["resources"])
    assert by_id[VM]["power_state"] == "running" and by_id[VM]["vm_size"] == "Standard_D2s_v5"
    assert by_id[VM]["data_disk_ids"] == [DATA_DISK] and by_id[VM]["network_interface_ids"] == [NIC]
    assert by_id[NIC]["subnet_id"] == SUBNET and by_id[NIC]["virtual_machine_id"] == VM
    assert (by_id[OS_DISK]["disk_size_gb"], by_id[OS_DISK]["disk_state"], by_id[OS_DISK]["managed_by"]) == (
        128,
        "Attached",
        VM,
    )
    assert result["other"] == [NSG] and result["staging_containers"] == [{"id": CONTAINER, "exists": True}]
    assert result["azure_time"].endswith("Z")
    assert [c.params for c in fake_client.sent("GET") if c.path == VM] == [{"$expand": "instanceView"}]
    assert fake_client.sent("DELETE") == []


def test_absent_deletes_vm_then_nic_then_disks_then_the_staging_container(fake_client, run_module):
    a_new_vm_was_restored(fake_client)
    deletes_async(fake_client, VM, "op-vm")
    deletes_async(fake_client, NIC, "op-nic")
    deletes_async(fake_client, OS_DISK, "op-os")
    deletes_async(fake_client, DATA_DISK, "op-data")
    fake_client.add("DELETE", CONTAINER, None, status=200)
    fake_client.add("GET", GROUP + "/resources", listing(OLD_DISK, NSG))  # the check afterwards
    failed, result = run_module(module, args(state="absent"))
    assert not failed, result
    assert result["changed"] is True
    assert result["removed"] == [VM, NIC, OS_DISK, DATA_DISK, CONTAINER]
    assert [c.path for c in fake_client.sent("DELETE")] == [VM, NIC, OS_DISK, DATA_DISK, CONTAINER]
    assert OLD_DISK not in [c.path for c in fake_client.sent("DELETE")]  # the baseline is never touched
    assert fake_client.sleeps and max(fake_client.sleeps) <= 1  # Retry-After 5, capped by poll_interval
    assert any("Left alone" in w and NSG in w for w in result.get("warnings", []))


def test_absent_is_idempotent(fake_client, run_module):
    fake_client.add("GET", GROUP + "/resources", listing(OLD_DISK))
    fake_client.add_error("GET", CONTAINER, NotFound("not found", status=404, code="ContainerNotFound"))
    failed, result = run_module(module, args(state="absent"))
    assert not failed, result
    assert result["changed"] is False and result["removed"] == [] and fake_client.sent("DELETE") == []


def test_check_mode_plans_and_sends_no_delete(fake_client, run_module):
    a_new_vm_was_restored(fake_client)
    failed, result = run_module(module, args(state="absent", _ansible_check_mode=True))
    assert not failed, result
    assert result["changed"] is True and result["removed"] == [VM, NIC, OS_DISK, DATA_DISK, CONTAINER]
    assert fake_client.sent("DELETE") == []


def test_a_deletion_already_done_is_skipped(fake_client, run_module):
    a_new_vm_was_restored(fake_client)
    fake_client.add("DELETE", VM, None, status=204)  # gone meanwhile
    deletes_async(fake_client, NIC, "op-nic")
    deletes_async(fake_client, OS_DISK, "op-os")
    deletes_async(fake_client, DATA_DISK, "op-data")
    fake_client.add("DELETE", CONTAINER, None, status=204)
    fake_client.add("GET", GROUP + "/resources", listing(OLD_DISK))
    failed, result = run_module(module, args(state="absent"))
    assert not failed, result
    assert result["removed"] == [NIC, OS_DISK, DATA_DISK]


def test_a_refused_deletion_names_the_resource_and_says_what_was_removed(fake_client, run_module):
    a_new_vm_was_restored(fake_client)
    deletes_async(fake_client, VM, "op-vm")
    fake_client.add_error("DELETE", NIC, ApiError("in use", status=400, code="NicInUse", message="NIC is in use"))
    failed, result = run_module(module, args(state="absent"))
    assert failed
    assert "network interface %s" % NIC in result["msg"] and "NicInUse" in result["msg"]
    assert result["changed"] is True and result["removed"] == [VM]


def test_a_deletion_that_fails_after_azure_accepted_it_says_changed(fake_client, run_module):
    a_new_vm_was_restored(fake_client)
    fake_client.add("DELETE", VM, None, status=202, headers={"Azure-AsyncOperation": OPS + "op-vm"})
    fake_client.add("GET", OPS + "op-vm", {"name": "op-vm", "status": "Failed",
                                           "error": {"code": "InternalError", "message": "boom"}})  # fmt: skip
    failed, result = run_module(module, args(state="absent"))
    assert failed and result["changed"] is True and result["removing"] == VM
    assert "Azure accepted the deletion of the virtual machine" in result["msg"] and "InternalError" in result["msg"]


def test_what_is_still_there_after_the_deletions_fails_the_task(fake_client, run_module):
    a_new_vm_was_restored(fake_client)
    for rid, op in ((VM, "a"), (NIC, "b"), (OS_DISK, "c"), (DATA_DISK, "d")):
        deletes_async(fake_client, rid, op)
    fake_client.add("DELETE", CONTAINER, None, status=200)
    fake_client.add("GET", GROUP + "/resources", listing(OS_DISK))  # Azure still lists it
    failed, result = run_module(module, args(state="absent"))
    assert failed and result["changed"] is True and "still exist" in result["msg"] and OS_DISK in result["msg"]


@pytest.mark.parametrize(
    "listed",
    [
        GROUP + "/providers/Microsoft.Compute/disks/..",
        GROUP + "/providers/Microsoft.Compute/disks/a%2F..%2F..",
        "/subscriptions/%s/resourceGroups/other-rg/providers/Microsoft.Compute/disks/d1" % SUB,
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-restore/providers/Microsoft.Compute/disks/d1",
        GROUP + "/providers/Microsoft.Compute/disks/d1/extra",
        None,
    ],
)
def test_a_listed_id_that_is_not_a_restored_resource_of_the_group_is_never_used(fake_client, run_module, listed):
    fake_client.add("GET", GROUP + "/resources", {"value": [{"id": listed}]})
    failed, result = run_module(module, args(state="absent", staging_containers=[]))
    assert not failed, result
    assert result["created"] == [] and fake_client.sent("DELETE") == []
    assert [c.path for c in fake_client.calls] == [GROUP + "/resources"]


@pytest.mark.parametrize(
    "given, option",
    [
        ({"staging_containers": [ACCOUNT + "/blobServices/default/containers/../x"]}, "staging_containers"),
        (
            {"staging_containers": ["/subscriptions/11111111-1111-1111-1111-111111111111" + CONTAINER[51:]]},
            "staging_containers",
        ),
        ({"target_resource_group": "rg/../x"}, "target_resource_group"),
        ({"target_resource_group": None}, "target_resource_group"),
        ({"baseline": [COMPUTE + "/disks/../../../../rg-prod/providers/Microsoft.Compute/disks/d1"]}, "baseline"),
        ({"baseline": [OLD_DISK.replace("rg-restore", "rg-prod")]}, "baseline"),
        ({"baseline": ["kept-from-before"]}, "baseline"),
        # the form is checked before the Restore job is read
        (
            {
                "baseline": [OLD_DISK + "?x=1"],
                "target_resource_group": None,
                "job_id": "5e5d8a7a-52b8-47b2-9e0b-3f1f3b0a6c2d",
                "resource_group": "rg-backup-demo",
                "vault_name": "rsv-demo",
            },
            "baseline",
        ),
    ],
)
def test_bad_input_fails_before_anything_is_sent(fake_client, run_module, given, option):
    params = args(**given)
    params = dict((k, v) for k, v in params.items() if v is not None)
    failed, result = run_module(module, params)
    assert failed and result["msg"].startswith(option) or option in result["msg"]
    assert fake_client.calls == []


def test_the_restore_job_names_the_target_group(fake_client, run_module):
    job = job_resource("5e5d8a7a-52b8-47b2-9e0b-3f1f3b0a6c2d", "Completed", operation="Restore")
    job["properties"]["extendedInfo"] = {"propertyBag": {"Target resource group": "rg-restore",
                                                         "Config Blob Container Name": "vm-web-01-0123abcd"}}  # fmt: skip
    fake_client.add("GET", VAULT + "/backupJobs/5e5d8a7a-52b8-47b2-9e0b-3f1f3b0a6c2d", job)
    fake_client.add("GET", GROUP + "/resources", listing())
    params = args(job_id="5e5d8a7a-52b8-47b2-9e0b-3f1f3b0a6c2d", resource_group="rg-backup-demo", vault_name="rsv-demo",
                  staging_containers=[])  # fmt: skip
    del params["target_resource_group"]
    failed, result = run_module(module, params)
    assert not failed, result
    assert result["restored"]["config_blob_container"] == "vm-web-01-0123abcd" and result["created"] == []
