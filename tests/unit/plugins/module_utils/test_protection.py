# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json

import pytest

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    pass
import responses
from requests.utils import unquote

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _protection
from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import ArmClient, RetryPolicy
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import AzureBackupError, ValidationError
from ansible_collections.cloudops.azure_backup.plugins.module_utils._ids import (
    container_name,
    item_name,
    item_path,
)

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import (
    BASE,
    SUB,
    VAULT,
    VAULT_PATH,
    example_body,
    example_headers,
    load_example,
)

ITEM_EXAMPLE = "2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"
PROTECTABLE_EXAMPLE = "2026-10-01/AzureIaasVm/BackupProtectableItems_List.json"
REFRESH_EXAMPLE = "2026-10-01/Common/RefreshContainers.json"
POLICY_ID = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/PythonSDKBackupTestRg/providers/Microsoft.RecoveryServices/vaults/"
    "PySDKBackupTestRsVault/backupPolicies/testPolicy1"
)
VM_ID = "/subscriptions/%s/resourceGroups/rg-work/providers/Microsoft.Compute/virtualMachines/vm-web-01" % SUB
ITEM_PATH = item_path(VAULT_PATH, container_name("rg-work", "vm-web-01"), item_name("rg-work", "vm-web-01"))


def make(clock, tokens):
    return ArmClient(BASE, tokens, SUB, clock=clock, sleep=clock.sleep, retry=RetryPolicy(rng=lambda: 0.0))


def url(path):
    path = path.id if hasattr(path, "id") else path
    return BASE + "/".join(quote(segment, safe="") for segment in path.split("/"))


def item(**properties):
    resource = copy.deepcopy(example_body(ITEM_EXAMPLE))
    resource["properties"].update(properties)
    return resource


def soft_deleted(**properties):
    return item(
        isScheduledForDeferredDelete=True,
        deferredDeleteTimeInUTC="2026-12-10T08:00:00Z",
        protectionState="ProtectionStopped",
        **properties,
    )


# ------------------------------------------------------------------ plan(): the idempotency table


@pytest.mark.parametrize(
    "state,resource,policy,action",
    [
        # present
        ("present", None, POLICY_ID, _protection.CONFIGURE),
        ("present", item(protectionState="ProtectionStopped"), POLICY_ID, _protection.CONFIGURE),
        ("present", item(protectionState="BackupsSuspended"), POLICY_ID, _protection.CONFIGURE),
        ("present", item(), POLICY_ID.replace("testPolicy1", "otherPolicy"), _protection.CONFIGURE),
        ("present", item(policyId=None), POLICY_ID, _protection.CONFIGURE),
        ("present", item(), POLICY_ID, None),
        ("present", item(), POLICY_ID.replace("/subscriptions/", "/Subscriptions/"), None),
        ("present", item(policyId=POLICY_ID.replace("/subscriptions/", "/Subscriptions/")), POLICY_ID, None),
        ("present", item(), POLICY_ID.replace("testPolicy1", "TESTPOLICY1") + "/", None),
        ("present", item(protectionState="ProtectionError"), POLICY_ID, None),
        ("present", item(protectionState="IRPending"), POLICY_ID, None),
        # stopped
        ("stopped", None, None, None),
        ("stopped", item(protectionState="ProtectionStopped"), None, None),
        ("stopped", item(protectionState="BackupsSuspended"), None, None),
        ("stopped", item(), None, _protection.STOP),
        ("stopped", item(protectionState="ProtectionError"), None, _protection.STOP),
        # absent
        ("absent", None, None, None),
        ("absent", soft_deleted(), None, None),
        ("absent", item(), None, _protection.DELETE),
        ("absent", item(protectionState="ProtectionStopped"), None, _protection.DELETE),
    ],
)
def test_plan(state, resource, policy, action):
    decided, reason = _protection.plan(state, resource, policy)
    assert decided == action
    assert isinstance(reason, str) and reason


def test_plan_reasons():
    assert _protection.plan("present", None, POLICY_ID) == (_protection.CONFIGURE, "the VM is not protected")
    assert _protection.plan("present", item(policyName="Gold"), POLICY_ID + "x") == (
        _protection.CONFIGURE,
        "the policy is Gold",
    )
    assert _protection.plan("present", item(), POLICY_ID + "x") == (_protection.CONFIGURE, "the policy is testpolicy1")
    assert _protection.plan("stopped", item(), None) == (_protection.STOP, "protection is Protected")
    assert (
        _protection.plan("absent", soft_deleted(), None)[1]
        == "the backup data is already deleted (soft-deleted until 2026-12-10T08:00:00Z)"
    )


@pytest.mark.parametrize("state", ["present", "stopped"])
def test_plan_soft_deleted_item_cannot_change(state):
    with pytest.raises(AzureBackupError) as exc:
        _protection.plan(state, soft_deleted(), POLICY_ID)
    assert "soft-deleted (until 2026-12-10T08:00:00Z)" in exc.value.msg and "undelete" in exc.value.msg


# ------------------------------------------------------------------ bodies


def test_protect_request():
    assert _protection.protect_request(VM_ID, POLICY_ID) == {
        "properties": {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "sourceResourceId": VM_ID,
            "policyId": POLICY_ID,
        }
    }


def test_stop_request():
    assert _protection.stop_request(VM_ID) == {
        "properties": {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "sourceResourceId": VM_ID,
            "protectionState": "ProtectionStopped",
        }
    }


# ------------------------------------------------------------------ discovery


def protectable(vm_id):
    body = copy.deepcopy(example_body(PROTECTABLE_EXAMPLE))
    body["value"][0]["properties"]["virtualMachineId"] = vm_id
    body["value"][0]["properties"]["protectableItemType"] = "Microsoft.Compute/virtualMachines"
    return body


def filter_of(call):
    return unquote(call.request.url.split("%24filter=", 1)[1].split("&")[0]).replace("+", " ")


@responses.activate
def test_find_protectable_with_the_example(clock, tokens):
    body = example_body(PROTECTABLE_EXAMPLE)
    responses.add(responses.GET, url(VAULT + "/backupProtectableItems"), json=body)
    found = _protection.find_protectable(
        make(clock, tokens), VAULT_PATH, body["value"][0]["properties"]["virtualMachineId"].upper()
    )
    assert found == body["value"][0]
    assert filter_of(responses.calls[0]) == load_example(PROTECTABLE_EXAMPLE)["parameters"]["$filter"]


@responses.activate
def test_discover_found_at_once_sends_no_post(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupProtectableItems"), json=protectable(VM_ID))
    found = _protection.discover(make(clock, tokens), VAULT_PATH, VM_ID)
    assert found["properties"]["virtualMachineId"] == VM_ID
    assert [c.request.method for c in responses.calls] == ["GET"]


def refresh_calls():
    headers = example_headers(REFRESH_EXAMPLE)
    responses.add(responses.POST, url(VAULT + "/backupFabrics/Azure/refreshContainers"), status=202, headers=headers)
    responses.add(responses.GET, headers["Location"], status=204)


@responses.activate
def test_discover_refreshes_once_then_finds(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupProtectableItems"), json={"value": []})
    responses.add(responses.GET, url(VAULT + "/backupProtectableItems"), json=protectable(VM_ID))
    refresh_calls()
    found = _protection.discover(make(clock, tokens), VAULT_PATH, VM_ID, deadline=clock.now + 600, poll_interval=5)
    assert found["properties"]["virtualMachineId"] == VM_ID
    methods = [(c.request.method, c.request.url.split("?")[0].rsplit("/", 1)[-1]) for c in responses.calls]
    assert methods == [
        ("GET", "backupProtectableItems"),
        ("POST", "refreshContainers"),
        ("GET", "00000000-0000-0000-0000-000000000000"),
        ("GET", "backupProtectableItems"),
    ]
    assert filter_of(responses.calls[1]) == "backupManagementType eq 'AzureIaasVM'"
    assert clock.sleeps == [5.0]


@responses.activate
def test_discover_not_found_after_refresh(clock, tokens):
    responses.add(
        responses.GET, url(VAULT + "/backupProtectableItems"), json=protectable(VM_ID.replace("vm-web-01", "vm-other"))
    )
    refresh_calls()
    with pytest.raises(ValidationError) as exc:
        _protection.discover(make(clock, tokens), VAULT_PATH, VM_ID, deadline=clock.now + 600, poll_interval=5)
    assert exc.value.option == "vm_name" and VM_ID in exc.value.msg and "after a refresh" in exc.value.msg
    assert [c.request.method for c in responses.calls].count("POST") == 1


# ------------------------------------------------------------------ apply()


@responses.activate
@pytest.mark.parametrize(
    "action,method,body",
    [
        (_protection.CONFIGURE, "PUT", _protection.protect_request(VM_ID, POLICY_ID)),
        (_protection.STOP, "PUT", _protection.stop_request(VM_ID)),
        (_protection.DELETE, "DELETE", None),
    ],
)
def test_apply_sends_the_right_call(clock, tokens, action, method, body):
    status_url = url(ITEM_PATH) + "/operationsStatus/9e4a5fd0-1b2c-4d5e-8f90-a1b2c3d4e5f6?api-version=2019-05-13"
    responses.add(method, url(ITEM_PATH), status=202, headers={"Azure-AsyncOperation": status_url, "Retry-After": "1"})
    responses.add(
        responses.GET,
        status_url,
        json={
            "id": "9e4a5fd0-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            "name": "9e4a5fd0-1b2c-4d5e-8f90-a1b2c3d4e5f6",
            "status": "Succeeded",
            "properties": {
                "objectType": "OperationStatusJobExtendedInfo",
                "jobId": "41f3e94b-ae6b-4a20-b422-65abfcaf03e5",
            },
        },
    )
    result = _protection.apply(make(clock, tokens), ITEM_PATH, action, VM_ID, POLICY_ID, deadline=clock.now + 600)
    assert result.job_id == "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
    sent = responses.calls[0].request
    assert sent.method == method
    assert (json.loads(sent.body) if sent.body else None) == body
    assert len([c for c in responses.calls if c.request.method != "GET"]) == 1


@responses.activate
@pytest.mark.parametrize("status", [200, 204])
def test_apply_synchronous_answer_returns_none(clock, tokens, status):
    responses.add(responses.DELETE, url(ITEM_PATH), status=status)
    assert _protection.apply(make(clock, tokens), ITEM_PATH, _protection.DELETE, VM_ID) is None
    assert len(responses.calls) == 1
