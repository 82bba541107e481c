# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_protection
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

VM_ID = "/subscriptions/%s/resourceGroups/rg-work/providers/Microsoft.Compute/virtualMachines/vm-web-01" % SUB
CONTAINER = "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_NAME = "VM;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_PATH = "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (VAULT, CONTAINER, ITEM_NAME)
POLICIES = VAULT + "/backupPolicies"
PROTECTABLE = VAULT + "/backupProtectableItems"
REFRESH = VAULT + "/backupFabrics/Azure/refreshContainers"
AZURE_IAASVM = {"$filter": "backupManagementType eq 'AzureIaasVM'"}
JOB = "7d3a1b2c-0000-4000-8000-00000000c0de"
PUT_HEADERS = example_headers("2026-01-01/AzureIaasVm/ProtectedItemOperationResults.json")
DELETE_HEADERS = example_headers("2026-01-01/Common/ProtectedItem_Delete.json")
REFRESH_HEADERS = example_headers("2026-10-01/Common/RefreshContainers.json")
WRITES = ("PUT", "POST", "DELETE")


def args(**given):
    base = dict(
        resource_group=RESOURCE_GROUP,
        vault_name=VAULT_NAME,
        vm_name="vm-web-01",
        vm_resource_group="rg-work",
        policy_name="DefaultPolicy",
    )
    base.update(given)
    return dict((key, value) for key, value in base.items() if value is not None)


def policy(name="DefaultPolicy"):
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/ProtectionPolicies_Get.json"))
    body["id"], body["name"] = (
        POLICIES.replace("/subscriptions/", "/Subscriptions/") + "/" + name,
        name,
    )  # Azure's casing
    return body


def protected_item(policy_name="DefaultPolicy", state="Protected", **properties):
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"))
    body["id"], body["name"] = ITEM_PATH, ITEM_NAME
    body["properties"].update(
        friendlyName="vm-web-01",
        containerName="iaasvmcontainerv2;rg-work;vm-web-01",
        sourceResourceId=VM_ID,
        virtualMachineId=VM_ID,
        policyId=POLICIES + "/" + policy_name,
        protectionState=state,
        **properties,
    )
    return body


def protectable(vm_id=VM_ID):
    body = copy.deepcopy(example_body("2026-10-01/AzureIaasVm/BackupProtectableItems_List.json")["value"][0])
    body["name"] = ITEM_NAME
    body["properties"].update(
        friendlyName=vm_id.rsplit("/", 1)[-1],
        virtualMachineId=vm_id,
        protectableItemType="Microsoft.Compute/virtualMachines",
    )
    return body


def not_found(what="Item"):
    return NotFound(
        "GET failed: HTTP 404",
        status=404,
        code="BMSUserErrorItemNotFound" if what == "Item" else "BMSUserErrorPolicyNotFound",
        message="%s not found" % what,
        request_id="req-404",
    )


def operation_status(job_id=JOB, status="Succeeded"):
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/ProtectedItemOperationStatus.json"))
    body["status"] = status
    body["properties"]["jobId"] = job_id
    return body


def writes(fake):
    return [(call.method, call.path) for call in fake.calls if call.method in WRITES]


# ------------------------------------------------------------------ present


def test_present_discovers_an_unknown_vm_then_protects_it(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add_error("GET", ITEM_PATH, not_found())
    fake_client.add("GET", ITEM_PATH, protected_item())  # read again once protected
    fake_client.add("GET", PROTECTABLE, {"value": [protectable(VM_ID.replace("vm-web-01", "vm-db-01"))]})
    fake_client.add("GET", PROTECTABLE, {"value": [protectable(VM_ID.replace("/subscriptions/", "/Subscriptions/"))]})
    fake_client.add("POST", REFRESH, status=202, headers=REFRESH_HEADERS)
    fake_client.add("GET", REFRESH_HEADERS["Location"], status=202, headers=REFRESH_HEADERS)
    fake_client.add("GET", REFRESH_HEADERS["Location"], status=204)
    fake_client.add("PUT", ITEM_PATH, status=202, headers=PUT_HEADERS)
    fake_client.add("GET", PUT_HEADERS["Azure-AsyncOperation"], operation_status())
    failed, result = run_module(azure_backup_protection, args())
    assert not failed, result
    assert result["changed"] is True and result["action"] == "configure" and result["job_id"] == JOB
    assert result["reason"] == "the VM is not protected"
    assert [(c.method, c.path) for c in fake_client.calls] == [
        ("GET", POLICIES + "/DefaultPolicy"),
        ("GET", ITEM_PATH),
        ("GET", PROTECTABLE),
        ("POST", REFRESH),
        ("GET", REFRESH_HEADERS["Location"]),
        ("GET", REFRESH_HEADERS["Location"]),
        ("GET", PROTECTABLE),
        ("PUT", ITEM_PATH),
        ("GET", PUT_HEADERS["Azure-AsyncOperation"]),
        ("GET", ITEM_PATH),
    ]
    assert [c.params for c in fake_client.calls if c.path in (PROTECTABLE, REFRESH)] == [AZURE_IAASVM] * 3
    put = fake_client.sent("PUT")[0]
    assert put.body == {
        "properties": {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "sourceResourceId": VM_ID,
            "policyId": policy()["id"],
        }
    }
    assert (
        result["protected_item"]["protection_state"] == "Protected"
        and result["protected_item"]["policy_name"] == "DefaultPolicy"
    )


def test_present_finds_a_listed_vm_without_refreshing(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add_error("GET", ITEM_PATH, not_found())
    fake_client.add("GET", ITEM_PATH, protected_item())
    fake_client.add("GET", PROTECTABLE, {"value": [protectable()]})
    fake_client.add("PUT", ITEM_PATH, status=202, headers=PUT_HEADERS)
    fake_client.add("GET", PUT_HEADERS["Azure-AsyncOperation"], operation_status())
    failed, result = run_module(azure_backup_protection, args())
    assert not failed and result["job_id"] == JOB
    assert writes(fake_client) == [("PUT", ITEM_PATH)]


def test_vm_missing_even_after_the_refresh_fails_without_a_put(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add_error("GET", ITEM_PATH, not_found())
    fake_client.add("GET", PROTECTABLE, {"value": []})
    fake_client.add("POST", REFRESH, status=202, headers=REFRESH_HEADERS)
    fake_client.add("GET", REFRESH_HEADERS["Location"], status=204)
    failed, result = run_module(azure_backup_protection, args())
    assert failed and VM_ID in result["msg"] and "even after a refresh" in result["msg"]
    assert writes(fake_client) == [("POST", REFRESH)]


def test_present_with_the_same_policy_writes_nothing(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add("GET", ITEM_PATH, protected_item())
    failed, result = run_module(azure_backup_protection, args())
    assert not failed, result
    assert result["changed"] is False and result["action"] is None and result["job_id"] is None
    assert (
        result["protected_item"]["vm_name"] == "vm-web-01" and result["protected_item"]["container_name"] == CONTAINER
    )
    assert writes(fake_client) == [] and len(fake_client.calls) == 2


def test_present_with_the_same_policy_by_id_writes_nothing(fake_client, run_module):
    fake_client.add("GET", ITEM_PATH, protected_item())
    failed, result = run_module(azure_backup_protection, args(policy_name=None, policy_id=POLICIES + "/defaultpolicy"))
    assert not failed and result["changed"] is False
    assert [(c.method, c.path) for c in fake_client.calls] == [("GET", ITEM_PATH)]


def test_present_with_another_policy_puts_the_new_one(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add("GET", ITEM_PATH, protected_item(policy_name="testPolicy1"))
    fake_client.add("GET", ITEM_PATH, protected_item())
    fake_client.add("PUT", ITEM_PATH, status=202, headers=PUT_HEADERS)
    fake_client.add("GET", PUT_HEADERS["Azure-AsyncOperation"], operation_status())
    failed, result = run_module(azure_backup_protection, args())
    assert not failed, result
    assert (
        result["changed"] is True
        and result["action"] == "configure"
        and result["reason"] == "the policy is testpolicy1"
    )
    assert writes(fake_client) == [("PUT", ITEM_PATH)]  # no discovery for a VM the vault knows
    assert fake_client.sent("PUT")[0].body["properties"] == {
        "protectedItemType": "Microsoft.Compute/virtualMachines",
        "sourceResourceId": VM_ID,
        "policyId": policy()["id"],
    }


def test_present_resumes_stopped_protection(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add("GET", ITEM_PATH, protected_item(state="ProtectionStopped"))
    fake_client.add("PUT", ITEM_PATH, status=202, headers=PUT_HEADERS)
    fake_client.add("GET", PUT_HEADERS["Azure-AsyncOperation"], operation_status())
    failed, result = run_module(azure_backup_protection, args())
    assert not failed and result["changed"] is True and result["reason"] == "protection is stopped"
    assert fake_client.sent("PUT")[0].body["properties"]["policyId"] == policy()["id"]


def test_present_and_wait_returns_the_configure_job(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add("GET", ITEM_PATH, protected_item(policy_name="testPolicy1"))
    fake_client.add("GET", ITEM_PATH, protected_item())
    fake_client.add("PUT", ITEM_PATH, status=202, headers=PUT_HEADERS)
    fake_client.add("GET", PUT_HEADERS["Azure-AsyncOperation"], operation_status())
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB, job_resource(JOB, "Completed", operation="ConfigureBackup"))
    failed, result = run_module(azure_backup_protection, args(wait=True))
    assert not failed, result
    assert (
        result["job"]["job_id"] == JOB
        and result["job"]["operation"] == "ConfigureBackup"
        and result["timed_out"] is False
    )


# ------------------------------------------------------------------ stopped / absent


def test_stopped_puts_protection_stopped(fake_client, run_module):
    fake_client.add("GET", ITEM_PATH, protected_item())
    fake_client.add("GET", ITEM_PATH, protected_item(state="ProtectionStopped"))
    fake_client.add("PUT", ITEM_PATH, status=202, headers=PUT_HEADERS)
    fake_client.add("GET", PUT_HEADERS["Azure-AsyncOperation"], operation_status())
    failed, result = run_module(azure_backup_protection, args(state="stopped", policy_name=None))
    assert not failed, result
    assert result["changed"] is True and result["action"] == "stop" and result["job_id"] == JOB
    assert fake_client.sent("PUT")[0].body == {
        "properties": {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "sourceResourceId": VM_ID,
            "protectionState": "ProtectionStopped",
        }
    }
    assert writes(fake_client) == [("PUT", ITEM_PATH)]
    assert result["protected_item"]["protection_state"] == "ProtectionStopped"


@pytest.mark.parametrize("state", ["ProtectionStopped", "BackupsSuspended"])
def test_stopped_again_writes_nothing(fake_client, run_module, state):
    fake_client.add("GET", ITEM_PATH, protected_item(state=state))
    failed, result = run_module(azure_backup_protection, args(state="stopped", policy_name=None))
    assert not failed and result["changed"] is False and result["reason"] == "protection is already stopped"
    assert writes(fake_client) == []


def test_absent_deletes_and_follows_the_vault_level_operation(fake_client, run_module):
    fake_client.add("GET", ITEM_PATH, protected_item())
    fake_client.add_error("GET", ITEM_PATH, not_found())
    fake_client.add("DELETE", ITEM_PATH, status=202, headers=DELETE_HEADERS)
    status_url = DELETE_HEADERS["Azure-AsyncOperation"]
    assert "/backupOperations/" in status_url
    fake_client.add("GET", status_url, example_body("2026-10-01/Common/ProtectedItem_Delete_OperationStatus.json"))
    fake_client.add("GET", status_url, operation_status())
    failed, result = run_module(azure_backup_protection, args(state="absent", policy_name=None, poll_interval=30))
    assert not failed, result
    assert result["changed"] is True and result["action"] == "delete" and result["job_id"] == JOB
    assert [(c.method, c.path) for c in fake_client.calls] == [
        ("GET", ITEM_PATH),
        ("DELETE", ITEM_PATH),
        ("GET", status_url),
        ("GET", status_url),
        ("GET", ITEM_PATH),
    ]
    assert fake_client.sent("DELETE")[0].body is None
    assert result["protected_item"] is None
    assert fake_client.sleeps == [30.0, 30.0]


def test_absent_when_not_protected_writes_nothing(fake_client, run_module):
    fake_client.add_error("GET", ITEM_PATH, not_found())
    failed, result = run_module(azure_backup_protection, args(state="absent", policy_name=None))
    assert not failed, result
    assert (
        result["changed"] is False
        and result["reason"] == "the VM is not protected"
        and result["protected_item"] is None
    )
    assert writes(fake_client) == []


def test_absent_when_soft_deleted_writes_nothing(fake_client, run_module):
    fake_client.add(
        "GET",
        ITEM_PATH,
        protected_item(
            state="ProtectionStopped", isScheduledForDeferredDelete=True, deferredDeleteTimeInUTC="2026-12-10T00:00:00Z"
        ),
    )
    failed, result = run_module(azure_backup_protection, args(state="absent", policy_name=None))
    assert not failed and result["changed"] is False and "2026-12-10T00:00:00Z" in result["reason"]
    assert writes(fake_client) == []


# ------------------------------------------------------------------ check mode


@pytest.mark.parametrize(
    "state,item",
    [
        ("present", None),
        ("present", protected_item(policy_name="testPolicy1")),
        ("stopped", protected_item()),
        ("absent", protected_item()),
    ],
)
def test_check_mode_never_writes(fake_client, run_module, state, item):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    if item is None:
        fake_client.add_error("GET", ITEM_PATH, not_found())
    else:
        fake_client.add("GET", ITEM_PATH, item)
    fake_client.add("GET", PROTECTABLE, {"value": []})
    failed, result = run_module(
        azure_backup_protection,
        args(
            state=state,
            policy_name="DefaultPolicy" if state == "present" else None,
            wait=True,
            _ansible_check_mode=True,
        ),
    )
    assert not failed, result
    assert result["changed"] is True and result["job_id"] is None and result["action"] is not None
    assert writes(fake_client) == []  # not even the discovery refresh
    assert "job" not in result


# ------------------------------------------------------------------ bad input


def test_present_without_a_policy_fails_in_the_argspec(fake_client, run_module):
    failed, result = run_module(azure_backup_protection, args(policy_name=None))
    assert failed and "state is present" in result["msg"] and "policy_name" in result["msg"]
    assert fake_client.built == 0


def test_unprotected_vm_named_by_name_only_fails_naming_vm_resource_group(fake_client, run_module):
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add("GET", VAULT + "/backupProtectedItems", {"value": []})
    failed, result = run_module(azure_backup_protection, args(vm_resource_group=None))
    assert failed and "vm_resource_group" in result["msg"] and "vm-web-01" in result["msg"]
    assert result["changed"] is False and writes(fake_client) == []


def test_protected_vm_named_by_name_only_is_found_in_the_vault(fake_client, run_module):
    fake_client.add("GET", VAULT + "/backupProtectedItems", {"value": [protected_item()]})
    failed, result = run_module(
        azure_backup_protection,
        args(vm_resource_group=None, state="stopped", policy_name=None, _ansible_check_mode=True),
    )
    assert not failed and result["changed"] is True and result["protected_item"]["protected_item_name"] == ITEM_NAME


def test_unknown_policy_name_fails_with_404(fake_client, run_module):
    fake_client.add_error("GET", POLICIES + "/NoSuchPolicy", not_found("Policy"))
    failed, result = run_module(azure_backup_protection, args(policy_name="NoSuchPolicy"))
    assert failed and result["status"] == 404 and result["error_code"] == "BMSUserErrorPolicyNotFound"
    assert writes(fake_client) == [] and [c.path for c in fake_client.calls] == [POLICIES + "/NoSuchPolicy"]


def test_policy_name_and_policy_id_are_exclusive(fake_client, run_module):
    failed, result = run_module(azure_backup_protection, args(policy_id=POLICIES + "/DefaultPolicy"))
    assert failed and "mutually exclusive" in result["msg"]
    assert fake_client.built == 0


def test_one_deadline_covers_the_operation_and_the_wait(fake_client, run_module):
    """The protection operation takes 60 of the 100 s: the ConfigureBackup wait gets what is left."""
    fake_client.add("GET", POLICIES + "/DefaultPolicy", policy())
    fake_client.add("GET", ITEM_PATH, protected_item(policy_name="testPolicy1"))
    fake_client.add("PUT", ITEM_PATH, status=202, headers=PUT_HEADERS)
    status_url = PUT_HEADERS["Azure-AsyncOperation"]
    for _dummy in range(2):
        fake_client.add("GET", status_url, operation_status(status="InProgress"), headers={"Retry-After": "30"})
    fake_client.add("GET", status_url, operation_status())
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB, job_resource(JOB, "InProgress", operation="ConfigureBackup"))
    failed, result = run_module(azure_backup_protection, args(wait=True, timeout=100, poll_interval=30))
    assert failed and result["timed_out"] is True
    assert (
        result["changed"] is True
        and result["job_id"] == JOB
        and result["operation_id"]
        and result["action"] == "configure"
    )
    assert sum(fake_client.sleeps) < 100 and fake_client.sleeps[:2] == [30.0, 30.0]
    assert writes(fake_client) == [("PUT", ITEM_PATH)]
