# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_restore
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import NotFound

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    SUB,
    VAULT,
    VAULT_NAME,
    example_body,
    example_headers,
    job_resource,
)

RG = "/subscriptions/%s/resourceGroups" % SUB
VM_ID = RG + "/rg-work/providers/Microsoft.Compute/virtualMachines/vm-web-01"
CONTAINER = "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_NAME = "VM;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_PATH = "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (VAULT, CONTAINER, ITEM_NAME)
POINTS = ITEM_PATH + "/recoveryPoints"
NEWEST = "70477518625276"  # 2023-09-22 in the RecoveryPoints_List example
JOB = "5e5d8a7a-52b8-47b2-9e0b-3f1f3b0a6c2d"
RESTORE_EXAMPLE = "2026-01-01/AzureIaasVm/TriggerRestore_RestoreDisks_IaasVMRestoreRequest.json"
STATUS_URL = example_headers(RESTORE_EXAMPLE)["Azure-AsyncOperation"]
ALR = dict(
    restore_type="alternate_location",
    staging_storage_account="stagingsa",
    target_resource_group="rg-restore",
    target_vm_name="vm-web-01-drill",
    target_virtual_network="vnet-restore",
    target_subnet="default",
)


def args(**given):
    base = dict(
        resource_group=RESOURCE_GROUP,
        vault_name=VAULT_NAME,
        vm_name="vm-web-01",
        vm_resource_group="rg-work",
        restore_type="restore_disks",
        staging_storage_account="stagingsa",
    )
    base.update(given)
    return dict((key, value) for key, value in base.items() if value is not None)


def protected_item():
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"))
    body["id"], body["name"] = ITEM_PATH, ITEM_NAME
    body["properties"].update(
        friendlyName="vm-web-01",
        containerName="iaasvmcontainerv2;rg-work;vm-web-01",
        sourceResourceId=VM_ID,
        virtualMachineId=VM_ID,
    )
    return body


def recovery_points():
    """The RecoveryPoints_List example, newest not first."""
    body = copy.deepcopy(example_body("2026-10-01/AzureIaasVm/RecoveryPoints_List.json"))
    body["value"] = [body["value"][1], body["value"][2], body["value"][0]]
    return body


def vault_resource(location="westeurope"):
    """Vaults_Get (shared/azure-backup-api/examples/recoveryservices-2026-11-01/GETVault.json), trimmed."""
    return {
        "id": VAULT,
        "name": VAULT_NAME,
        "type": "Microsoft.RecoveryServices/vaults",
        "location": location,
        "properties": {"provisioningState": "Succeeded"},
        "sku": {"name": "Standard"},
    }


def operation_status(job_id=JOB):
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/ProtectedItemOperationStatus.json"))
    if job_id:
        body["properties"]["jobId"] = job_id
    else:
        del body["properties"]
    return body


def azure(fake, point=NEWEST, job_id=JOB, region=True):
    """The item, its recovery points, the vault (when the region comes from it) and a restore Azure accepts."""
    fake.add("GET", ITEM_PATH, protected_item())
    fake.add("GET", POINTS, recovery_points())
    if region:
        fake.add("GET", VAULT, vault_resource())
    fake.add("POST", POINTS + "/" + point + "/restore", status=202, headers=example_headers(RESTORE_EXAMPLE))
    fake.add("GET", STATUS_URL, operation_status(job_id))
    return fake


def api_versions(monkeypatch, fake):
    """Record the api_version of every call the module makes (the fake itself does not)."""
    seen = []
    request = fake.request

    def recording(method, path_or_url, **kwargs):
        seen.append((method, getattr(path_or_url, "id", path_or_url), kwargs.get("api_version")))
        return request(method, path_or_url, **kwargs)

    monkeypatch.setattr(fake, "request", recording)
    return seen


def common(recovery_type, storage_account_id, region="westeurope"):
    return {
        "objectType": "IaasVMRestoreRequest",
        "recoveryPointId": NEWEST,
        "recoveryType": recovery_type,
        "sourceResourceId": VM_ID,
        "region": region,
        "storageAccountId": storage_account_id,
        "createNewCloudService": False,
        "originalStorageAccountOption": False,
        "encryptionDetails": {"encryptionEnabled": False},
    }


# ------------------------------------------------------------------ the request per restore type


def test_restore_disks_account_in_the_vm_group_region_from_the_vault(fake_client, run_module, monkeypatch):
    azure(fake_client)
    seen = api_versions(monkeypatch, fake_client)
    failed, result = run_module(azure_backup_restore, args())
    assert not failed, result
    assert (
        result["changed"] is True
        and result["job_id"] == JOB
        and result["operation_id"] == "00000000-0000-0000-0000-000000000000"
    )
    (post,) = fake_client.sent("POST")
    assert post.path == POINTS + "/" + NEWEST + "/restore"
    assert post.body == {
        "properties": common("RestoreDisks", RG + "/rg-work/providers/Microsoft.Storage/storageAccounts/stagingsa")
    }
    assert result["request"] == post.body
    assert ("GET", VAULT, "2026-11-01") in seen
    assert [api for method, path, api in seen if path != VAULT] == [None] * (
        len(seen) - 1
    )  # only the vault read pins its version
    assert "job" not in result and "restored" not in result


def test_restore_disks_account_in_the_target_group(fake_client, run_module):
    azure(fake_client)
    failed, result = run_module(
        azure_backup_restore, args(target_resource_group="rg-restore", zones=["2"], restore_with_managed_disks=True)
    )
    assert not failed, result
    assert fake_client.sent("POST")[0].body == {
        "properties": dict(
            common("RestoreDisks", RG + "/rg-restore/providers/Microsoft.Storage/storageAccounts/stagingsa"),
            targetResourceGroupId=RG + "/rg-restore",
            zones=["2"],
            restoreWithManagedDisks=True,
        )
    }


def test_alternate_location_names_resolve_in_the_target_group(fake_client, run_module):
    azure(fake_client)
    failed, result = run_module(azure_backup_restore, args(**ALR))
    assert not failed, result
    target = RG + "/rg-restore"
    assert fake_client.sent("POST")[0].body == {
        "properties": dict(
            common("AlternateLocation", target + "/providers/Microsoft.Storage/storageAccounts/stagingsa"),
            targetResourceGroupId=target,
            targetVirtualMachineId=target + "/providers/Microsoft.Compute/virtualMachines/vm-web-01-drill",
            virtualNetworkId=target + "/providers/Microsoft.Network/virtualNetworks/vnet-restore",
            subnetId=target + "/providers/Microsoft.Network/virtualNetworks/vnet-restore/subnets/default",
        )
    }


def test_original_location_with_the_region_given_does_not_read_the_vault(fake_client, run_module, monkeypatch):
    azure(fake_client, region=False)
    seen = api_versions(monkeypatch, fake_client)
    failed, result = run_module(
        azure_backup_restore, args(restore_type="original_location", region="northeurope", disk_luns=[0, 3])
    )
    assert not failed, result
    assert fake_client.sent("POST")[0].body == {
        "properties": dict(
            common(
                "OriginalLocation",
                RG + "/rg-work/providers/Microsoft.Storage/storageAccounts/stagingsa",
                region="northeurope",
            ),
            restoreDiskLunList=[0, 3],
        )
    }
    assert VAULT not in [path for dummy, path, dummy in seen]


# ------------------------------------------------------------------ checked before anything is sent


@pytest.mark.parametrize(
    "given,option",
    [
        (dict(staging_storage_account=None), "staging_storage_account"),
        (dict(restore_type="original_location", staging_storage_account=None), "staging_storage_account"),
        (dict(ALR, target_resource_group=None), "target_resource_group"),
        (dict(ALR, target_vm_name=None), "target_vm_name"),
        (dict(ALR, target_virtual_network=None), "target_virtual_network"),
        (dict(ALR, target_subnet=None), "target_subnet"),
        (dict(target_vm_name="vm2"), "target_vm_name"),
        (dict(restore_type="original_location", zones=["1"]), "zones"),
    ],
)
def test_missing_or_foreign_options_fail_before_any_client_call(fake_client, run_module, given, option):
    failed, result = run_module(azure_backup_restore, args(**given))
    assert failed and option in result["msg"] and result["msg"].startswith("restore_type=")
    assert result["changed"] is False
    assert fake_client.built == 0 and fake_client.calls == []


@pytest.mark.parametrize(
    "given, option",
    [
        (dict(staging_storage_account=RG + "/rg-x/providers/Microsoft.Compute/disks/d1"), "staging_storage_account"),
        (
            dict(ALR, target_virtual_network=RG + "/rg-x/providers/Microsoft.Network/publicIPAddresses/ip"),
            "target_virtual_network",
        ),
        (dict(ALR, target_subnet="/subscriptions/x/subnets"), "target_subnet"),
        (dict(ALR, target_resource_group="/subscriptions/x/resourceGroups/rg/extra"), "target_resource_group"),
    ],
)
def test_bad_id_forms_fail_before_any_client_call(fake_client, run_module, given, option):
    failed, result = run_module(azure_backup_restore, args(**given))
    assert failed and result["msg"].startswith(option + ":")
    assert fake_client.built == 0 and fake_client.calls == []


def test_subnet_of_another_vnet_fails_naming_target_subnet(fake_client, run_module):
    azure(fake_client)
    other = RG + "/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-other/subnets/default"
    params = dict(ALR)
    params["target_subnet"] = other
    failed, result = run_module(azure_backup_restore, args(**params))
    assert failed and result["msg"].startswith("target_subnet: the subnet %s is not in the virtual network" % other)
    assert result["changed"] is False and fake_client.sent("POST") == []


# ------------------------------------------------------------------ the recovery point


def test_recovery_point_by_id(fake_client, run_module):
    point = example_body("2026-01-01/AzureIaasVm/RecoveryPoints_Get.json")
    azure(fake_client, point=point["name"])
    fake_client.add("GET", POINTS + "/" + point["name"], point)
    failed, result = run_module(azure_backup_restore, args(recovery_point_id=point["name"]))
    assert not failed, result
    assert result["recovery_point"]["recovery_point_id"] == point["name"]
    assert result["recovery_point"]["recovery_point_time"] == "2017-11-22T22:32:46.6088472Z"
    assert fake_client.sent("POST")[0].body["properties"]["recoveryPointId"] == point["name"]
    assert POINTS not in [call.path for call in fake_client.calls]  # the list is not read


def test_newest_recovery_point_when_no_id(fake_client, run_module):
    azure(fake_client)
    failed, result = run_module(azure_backup_restore, args())
    assert not failed, result
    assert result["recovery_point"]["recovery_point_id"] == NEWEST
    assert result["recovery_point"]["recovery_point_time"] == "2023-09-22T20:02:00.1225746Z"
    assert [call.params for call in fake_client.calls if call.path == POINTS] == [None]


def test_unknown_recovery_point_id_fails_with_404(fake_client, run_module):
    fake_client.add("GET", ITEM_PATH, protected_item())
    fake_client.add_error(
        "GET",
        POINTS + "/123",
        NotFound(
            "GET failed: HTTP 404",
            status=404,
            code="BMSUserErrorRecoveryPointNotFound",
            message="Recovery point not found",
            request_id="req-7",
        ),
    )
    failed, result = run_module(azure_backup_restore, args(recovery_point_id="123"))
    assert failed
    assert (
        result["status"] == 404
        and result["error_code"] == "BMSUserErrorRecoveryPointNotFound"
        and result["request_id"] == "req-7"
    )
    assert result["msg"].startswith("recovery_point_id: vm-web-01 has no recovery point '123'")
    assert fake_client.sent("POST") == []


# ------------------------------------------------------------------ check mode, waiting, failures


def test_check_mode_returns_the_request_without_sending_it(fake_client, run_module):
    azure(fake_client)
    failed, result = run_module(azure_backup_restore, args(wait=True, _ansible_check_mode=True))
    assert not failed, result
    assert result["changed"] is True and result["job_id"] is None and "operation_id" not in result
    assert result["request"] == {
        "properties": common("RestoreDisks", RG + "/rg-work/providers/Microsoft.Storage/storageAccounts/stagingsa")
    }
    assert result["recovery_point"]["recovery_point_id"] == NEWEST
    assert fake_client.sent("POST") == [] and "job" not in result
    assert [call.path for call in fake_client.calls] == [ITEM_PATH, POINTS, VAULT]


def test_wait_returns_the_job_and_the_restored_resources(fake_client, run_module):
    azure(fake_client)
    bag = {
        "Job Type": "Recover disks",
        "Target resource group": "rg-work",
        "Target Storage Account Name": "stagingsa",
        "Template Blob Uri": "https://stagingsa.blob.core.windows.net/vm-web-01-x/azuredeploy.json",
    }
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB, job_resource(JOB, "InProgress", operation="Restore"))
    fake_client.add(
        "GET",
        VAULT + "/backupJobs/" + JOB,
        job_resource(JOB, "Completed", operation="Restore", extendedInfo={"propertyBag": bag, "tasksList": []}),
    )
    failed, result = run_module(azure_backup_restore, args(wait=True, poll_interval=20))
    assert not failed, result
    assert (
        result["job_id"] == JOB and result["job"]["status"] == "Completed" and result["job"]["operation"] == "Restore"
    )
    assert (
        result["ansible_facts"]["azure_backup_job"] == result["job"]
        and result["polls"] == 2
        and result["timed_out"] is False
    )
    assert (
        result["restored"]["job_type"] == "Recover disks"
        and result["restored"]["target_storage_account"] == "stagingsa"
    )
    assert (
        result["restored"]["template_blob_uri"].endswith("/azuredeploy.json")
        and result["restored"]["target_vm_name"] is None
    )
    assert len(fake_client.sent("POST")) == 1 and fake_client.sleeps == [20.0, 20.0]


def test_failed_restore_job_keeps_the_job_id(fake_client, run_module):
    azure(fake_client)
    fake_client.add(
        "GET",
        VAULT + "/backupJobs/" + JOB,
        job_resource(
            JOB,
            "Failed",
            operation="Restore",
            errorDetails=[{"errorCode": 400002, "errorString": "The staging storage account was not found."}],
        ),
    )
    failed, result = run_module(azure_backup_restore, args(wait=True))
    assert failed and result["job_id"] == JOB and result["changed"] is True
    assert "staging storage account was not found" in result["msg"]


def test_operation_naming_no_job_fails_clearly(fake_client, run_module):
    azure(fake_client, job_id=None)
    failed, result = run_module(azure_backup_restore, args(wait=True))
    assert failed
    assert result["msg"].startswith(
        "Azure accepted the restore of vm-web-01 (operation 00000000-0000-0000-0000-000000000000, status Succeeded) "
        "but named no job to follow"
    )
    assert "azure_backup_job_info" in result["msg"]
    assert len(fake_client.sent("POST")) == 1  # never resent
    assert not [call for call in fake_client.calls if "/backupJobs" in call.path]


def test_operation_naming_no_job_still_reports_the_change(fake_client, run_module):
    azure(fake_client, job_id=None)
    failed, result = run_module(azure_backup_restore, args())
    assert failed and result["changed"] is True and result["operation_id"] == "00000000-0000-0000-0000-000000000000"


def test_one_deadline_covers_the_operation_and_the_wait(fake_client, run_module):
    """The restore operation takes 60 of the 100 s: the job wait gets the 40 s left, not a fresh 100."""
    azure(fake_client)
    fake_client.routes[("GET", STATUS_URL)] = [
        (200, {"Retry-After": "30"}, dict(operation_status(None), status="InProgress")),
        (200, {"Retry-After": "30"}, dict(operation_status(None), status="InProgress")),
        (200, {}, operation_status()),
    ]
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB, job_resource(JOB, "InProgress", operation="Restore"))
    failed, result = run_module(azure_backup_restore, args(wait=True, timeout=100, poll_interval=30))
    assert failed and result["timed_out"] is True
    assert result["changed"] is True and result["job_id"] == JOB and result["operation_id"]
    assert result["request"]["properties"]["recoveryType"] == "RestoreDisks"  # what was sent, kept
    assert sum(fake_client.sleeps) < 100 and fake_client.sleeps[:2] == [30.0, 30.0]
    assert len(fake_client.sent("POST")) == 1
