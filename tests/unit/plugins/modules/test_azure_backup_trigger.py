# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_trigger
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ApiError, WriteOutcomeUnknown

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    SUB,
    VAULT,
    VAULT_NAME,
    example_body,
    example_headers,
    job_resource,
)

CONTAINER = "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_NAME = "VM;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_PATH = "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (VAULT, CONTAINER, ITEM_NAME)
JOBS = VAULT + "/backupJobs"
JOB = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
RUNNING = "7c0e3c1a-2b4d-4e6f-8a9b-0c1d2e3f4a5b"
TRIGGER_EXAMPLE = "2026-10-01/Common/TriggerBackup_Post.json"
STATUS_URL = example_headers(TRIGGER_EXAMPLE)["Azure-AsyncOperation"]
RUNNING_FILTER = {
    "$filter": "status eq 'InProgress' and operation eq 'Backup' and backupManagementType eq 'AzureIaasVM'"
}


def args(**given):
    base = dict(resource_group=RESOURCE_GROUP, vault_name=VAULT_NAME, vm_name="vm-web-01", vm_resource_group="rg-work")
    base.update(given)
    return dict((key, value) for key, value in base.items() if value is not None)  # a None option counts as given


def protected_item():
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"))
    body["id"] = ITEM_PATH
    body["name"] = ITEM_NAME
    body["properties"]["friendlyName"] = "vm-web-01"
    body["properties"]["containerName"] = "iaasvmcontainerv2;rg-work;vm-web-01"
    return body


def operation_status(job_id=JOB):
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/ProtectedItemOperationStatus.json"))
    body["properties"]["jobId"] = job_id
    return body


def vault(fake, running=None):
    """The item, and the running backup jobs of the vault (none unless given)."""
    fake.add("GET", ITEM_PATH, protected_item())
    listed = (
        [job_resource(RUNNING, "InProgress", containerName="iaasvmcontainerv2;rg-work;vm-web-01")] if running else []
    )
    fake.add("GET", JOBS, {"value": listed})
    if running:
        fake.add("GET", JOBS + "/" + RUNNING, job_resource(RUNNING, "InProgress"))
    return fake


def accepts_backup(fake, job_id=JOB):
    fake.add("POST", ITEM_PATH + "/backup", status=202, headers=example_headers(TRIGGER_EXAMPLE))
    fake.add("GET", STATUS_URL, operation_status(job_id))
    return fake


def test_trigger_starts_a_backup_and_returns_its_job_id(fake_client, run_module):
    accepts_backup(vault(fake_client))
    failed, result = run_module(azure_backup_trigger, args(retain_until="2099-12-31"))
    assert not failed, result
    assert result["changed"] is True and result["attached"] is False
    assert result["job_id"] == JOB and result["operation_id"] == "00000000-0000-0000-0000-000000000000"
    assert result["recovery_point_expiry"] == "2099-12-31T23:59:59.000Z"
    assert result["protected_item"] == {
        "vm_name": "vm-web-01",
        "container_name": CONTAINER,
        "protected_item_name": ITEM_NAME,
    }
    assert "job" not in result and "ansible_facts" not in result
    posts = fake_client.sent("POST")
    assert len(posts) == 1
    assert posts[0].path == ITEM_PATH + "/backup"
    assert posts[0].body == {
        "properties": {"objectType": "IaasVMBackupRequest", "recoveryPointExpiryTimeInUTC": "2099-12-31T23:59:59.000Z"}
    }
    assert [(c.method, c.path) for c in fake_client.calls] == [
        ("GET", ITEM_PATH),
        ("GET", JOBS),
        ("POST", ITEM_PATH + "/backup"),
        ("GET", STATUS_URL),
    ]
    assert fake_client.calls[1].params == RUNNING_FILTER
    assert fake_client.sleeps == [15.0]  # Retry-After 60 capped by poll_interval (default 15)


def test_trigger_default_retention_is_30_days(fake_client, run_module):
    accepts_backup(vault(fake_client))
    before = datetime.datetime.now(datetime.timezone.utc)
    failed, result = run_module(azure_backup_trigger, args())
    assert not failed, result
    expiry = datetime.datetime.strptime(result["recovery_point_expiry"], "%Y-%m-%dT%H:%M:%S.000Z").replace(
        tzinfo=datetime.timezone.utc
    )
    assert (
        before + datetime.timedelta(days=30, seconds=-1) <= expiry <= before + datetime.timedelta(days=30, seconds=60)
    )


def test_check_mode_sends_no_post(fake_client, run_module):
    vault(fake_client)
    failed, result = run_module(azure_backup_trigger, args(retain_days=7, _ansible_check_mode=True))
    assert not failed, result
    assert result["changed"] is True and result["job_id"] is None and result["attached"] is False
    assert fake_client.sent("POST") == []
    assert [c.method for c in fake_client.calls] == ["GET", "GET"]


def test_check_mode_with_wait_does_not_wait(fake_client, run_module):
    vault(fake_client)
    failed, result = run_module(azure_backup_trigger, args(wait=True, _ansible_check_mode=True))
    assert not failed and result["job_id"] is None and "jobs" not in result
    assert len(fake_client.calls) == 2


@pytest.mark.parametrize("check_mode", [False, True])
def test_attach_to_the_running_backup(fake_client, run_module, check_mode):
    vault(fake_client, running=True)
    failed, result = run_module(azure_backup_trigger, args(_ansible_check_mode=check_mode))
    assert not failed, result
    assert result["changed"] is False and result["attached"] is True and result["job_id"] == RUNNING
    assert result["job"]["job_id"] == RUNNING and result["job"]["status"] == "InProgress"
    assert result["job"]["extended_info"]["tasks_list"]  # the full job, not the list entry
    assert [job["job_id"] for job in result["jobs"]] == [RUNNING]
    assert result["ansible_facts"] == {"azure_backup_job": result["job"], "azure_backup_jobs": {RUNNING: result["job"]}}
    assert fake_client.sent("POST") == []


def test_if_running_fail_names_the_job(fake_client, run_module):
    vault(fake_client, running=True)
    failed, result = run_module(azure_backup_trigger, args(if_running="fail"))
    assert failed
    assert RUNNING in result["msg"] and "vm-web-01" in result["msg"] and "if_running=fail" in result["msg"]
    assert result["changed"] is False
    assert fake_client.sent("POST") == []


def test_backup_already_in_progress_error_attaches(fake_client, run_module):
    """The running job was not listed yet when checked; Azure refuses the POST and names it in progress."""
    vault(fake_client)
    fake_client.add(
        "GET",
        JOBS,
        {"value": [job_resource(RUNNING, "InProgress", containerName="iaasvmcontainerv2;rg-work;vm-web-01")]},
    )
    fake_client.add("GET", JOBS + "/" + RUNNING, job_resource(RUNNING, "InProgress"))
    fake_client.add_error(
        "POST",
        ITEM_PATH + "/backup",
        ApiError("HTTP 400 UserErrorBackupOperationInProgress", status=400, code="UserErrorBackupOperationInProgress"),
    )
    failed, result = run_module(azure_backup_trigger, args())
    assert not failed, result
    assert result["attached"] is True and result["changed"] is False and result["job_id"] == RUNNING
    assert len(fake_client.sent("POST")) == 1


def test_other_api_errors_fail_with_the_error_keys(fake_client, run_module):
    vault(fake_client)
    fake_client.add_error(
        "POST",
        ITEM_PATH + "/backup",
        ApiError(
            "POST failed: HTTP 403 AuthorizationFailed", status=403, code="AuthorizationFailed", request_id="req-9"
        ),
    )
    failed, result = run_module(azure_backup_trigger, args())
    assert failed
    assert result["msg"] == "POST failed: HTTP 403 AuthorizationFailed"
    assert (result["error_code"], result["status"], result["request_id"]) == ("AuthorizationFailed", 403, "req-9")
    assert result["changed"] is False
    assert len(fake_client.sent("POST")) == 1  # never resent


@pytest.mark.parametrize(
    "given,option",
    [
        (dict(retain_until="someday"), "retain_until"),
        (dict(retain_until="2001-01-01"), "retain_until"),
        (dict(retain_days=0), "retain_days"),
        (
            dict(
                vm_id="/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa",
                vm_name=None,
                vm_resource_group=None,
            ),
            "vm_id",
        ),
    ],
)
def test_bad_input_fails_before_any_client_call(fake_client, run_module, given, option):
    failed, result = run_module(azure_backup_trigger, args(**given))
    assert failed and option in result["msg"]
    assert result["changed"] is False
    assert fake_client.built == 0 and fake_client.calls == []


def test_retain_until_and_retain_days_are_exclusive(fake_client, run_module):
    failed, result = run_module(azure_backup_trigger, args(retain_until="2099-01-01", retain_days=3))
    assert failed and "mutually exclusive" in result["msg"] and "retain_until" in result["msg"]
    assert fake_client.built == 0


def test_missing_vault_fails_naming_the_option(fake_client, run_module):
    failed, result = run_module(azure_backup_trigger, dict(vm_name="vm-web-01", vault_name=VAULT_NAME))
    assert failed and result["msg"].startswith("resource_group is required")
    assert fake_client.built == 0


def test_wait_returns_the_job_and_facts(fake_client, run_module):
    accepts_backup(vault(fake_client))
    fake_client.add("GET", JOBS + "/" + JOB, job_resource(JOB, "InProgress"))
    fake_client.add("GET", JOBS + "/" + JOB, job_resource(JOB, "Completed", duration="00:20:23.0896697"))
    failed, result = run_module(azure_backup_trigger, args(wait=True, poll_interval=30))
    assert not failed, result
    assert result["changed"] is True and result["job_id"] == JOB and result["timed_out"] is False
    assert result["job"]["status"] == "Completed" and result["job"]["duration_seconds"] == 1223.09
    assert [job["job_id"] for job in result["jobs"]] == [JOB]
    assert result["ansible_facts"] == {"azure_backup_job": result["job"], "azure_backup_jobs": {JOB: result["job"]}}
    assert result["polls"] == 2
    assert fake_client.sleeps == [30.0, 30.0]  # one for the operation, one between the two job polls
    assert [c.path for c in fake_client.calls[-2:]] == [JOBS + "/" + JOB] * 2


def test_failed_job_during_wait_keeps_the_job_id(fake_client, run_module):
    accepts_backup(vault(fake_client))
    fake_client.add(
        "GET",
        JOBS + "/" + JOB,
        job_resource(
            JOB,
            "Failed",
            errorDetails=[
                {
                    "errorCode": 400001,
                    "errorTitle": "Snapshot failed",
                    "errorString": "Could not communicate with the VM agent.",
                    "recommendations": ["Ensure the VM agent is running."],
                }
            ],
        ),
    )
    failed, result = run_module(azure_backup_trigger, args(wait=True))
    assert failed
    assert result["job_id"] == JOB and result["changed"] is True and result["attached"] is False
    assert result["operation_id"] == "00000000-0000-0000-0000-000000000000"
    assert result["job"]["status"] == "Failed" and [job["job_id"] for job in result["jobs"]] == [JOB]
    assert result["ansible_facts"]["azure_backup_jobs"] == {JOB: result["job"]}
    assert "Could not communicate with the VM agent" in result["msg"] and JOB in result["msg"]
    assert result["timed_out"] is False
    assert len(fake_client.sent("POST")) == 1


def test_vm_name_alone_is_looked_up_in_the_vault(fake_client, run_module):
    other = protected_item()
    other["id"] = other["id"].replace("vm-web-01", "vm-db-01")
    other["properties"]["friendlyName"] = "vm-db-01"
    fake_client.add("GET", VAULT + "/backupProtectedItems", {"value": [other, protected_item()]})
    fake_client.add("GET", JOBS, {"value": []})
    accepts_backup(fake_client)
    failed, result = run_module(azure_backup_trigger, args(vm_resource_group=None))
    assert not failed, result
    assert result["protected_item"]["container_name"] == CONTAINER and result["job_id"] == JOB
    assert fake_client.calls[0].params == {"$filter": "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"}
    assert fake_client.sent("POST")[0].path == ITEM_PATH + "/backup"


def test_item_given_by_vm_id(fake_client, run_module):
    accepts_backup(vault(fake_client))
    vm_id = "/subscriptions/%s/resourceGroups/rg-work/providers/Microsoft.Compute/virtualMachines/vm-web-01" % SUB
    failed, result = run_module(azure_backup_trigger, args(vm_name=None, vm_resource_group=None, vm_id=vm_id))
    assert not failed, result
    assert result["protected_item"]["protected_item_name"] == ITEM_NAME and fake_client.calls[0].path == ITEM_PATH


def test_unprotected_vm_fails_clearly(fake_client, run_module):
    from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import NotFound

    fake_client.add_error(
        "GET",
        ITEM_PATH,
        NotFound(
            "GET failed: HTTP 404",
            status=404,
            code="BMSUserErrorItemNotFound",
            message="Item not found",
            request_id="req-4",
        ),
    )
    failed, result = run_module(azure_backup_trigger, args())
    assert failed
    assert result["msg"] == (
        "The virtual machine 'vm-web-01' is not a protected item of vault 'rsv-demo' "
        "(BMSUserErrorItemNotFound: Item not found)"
    )
    assert result["status"] == 404 and result["request_id"] == "req-4"
    assert fake_client.sent("POST") == []


def test_attach_and_wait_for_the_running_backup(fake_client, run_module):
    vault(fake_client, running=True)
    fake_client.add("GET", JOBS + "/" + RUNNING, job_resource(RUNNING, "Completed"))
    failed, result = run_module(azure_backup_trigger, args(wait=True))
    assert not failed, result
    assert result["changed"] is False and result["attached"] is True and result["job_id"] == RUNNING
    assert result["job"]["status"] == "Completed" and result["polls"] == 1 and result["timed_out"] is False
    assert result["ansible_facts"]["azure_backup_job"]["status"] == "Completed"
    assert fake_client.sent("POST") == []


# ------------------------------------------------------------------ one deadline across the phases


def test_one_deadline_covers_the_operation_and_the_wait(fake_client, run_module):
    """The operation takes 90 of the 100 s: the job wait gets what is left, not a fresh 100 s."""
    vault(fake_client)
    fake_client.add("POST", ITEM_PATH + "/backup", status=202, headers=example_headers(TRIGGER_EXAMPLE))
    in_progress = dict(operation_status(), status="InProgress")
    del in_progress["properties"]
    for _dummy in range(3):
        fake_client.add("GET", STATUS_URL, in_progress, headers={"Retry-After": "30"})
    fake_client.add("GET", STATUS_URL, operation_status())
    fake_client.add("GET", JOBS + "/" + JOB, job_resource(JOB, "InProgress"))
    failed, result = run_module(azure_backup_trigger, args(wait=True, timeout=100, poll_interval=30))
    assert failed and result["timed_out"] is True
    assert result["changed"] is True and result["job_id"] == JOB and result["operation_id"]
    assert result["jobs"][0]["status"] == "InProgress"
    # every sleep together stays inside the one deadline (the real time of the test is next to nothing)
    assert sum(fake_client.sleeps) < 100
    assert fake_client.sleeps[:3] == [30.0, 30.0, 30.0] and len(fake_client.sleeps) <= 5


def test_a_lost_backup_answer_returns_the_running_backup_it_started(fake_client, run_module):
    vault(fake_client)
    fake_client.add_error(
        "POST",
        ITEM_PATH + "/backup",
        WriteOutcomeUnknown(
            "POST …/backup failed: HTTP 500. The request may have reached Azure.",
            status=500,
            code="InternalServerError",
        ),
    )
    # the backup it started shows up in the list on the next look
    fake_client.routes[("GET", JOBS)].append(
        (200, {}, {"value": [job_resource(RUNNING, "InProgress", containerName="iaasvmcontainerv2;rg-work;vm-web-01")]})
    )
    fake_client.add("GET", JOBS + "/" + RUNNING, job_resource(RUNNING, "InProgress"))
    failed, result = run_module(azure_backup_trigger, args())
    assert not failed, result
    assert result["changed"] is True and result["job_id"] == RUNNING and result["attached"] is False
    assert any("answer to the backup request was lost" in warning for warning in result["warnings"])
    assert len(fake_client.sent("POST")) == 1
