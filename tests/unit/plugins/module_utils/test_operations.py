# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import responses

from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import ArmClient, RetryPolicy
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    AzureBackupError,
    OperationFailed,
    WaitTimeout,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._operations import (
    follow,
    job_id_from_url,
    operation_id_from_url,
    track,
)

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import (
    BASE,
    SUB,
    example_body,
    example_headers,
)

OP = "9e4a5fd0-1b2c-4d5e-8f90-a1b2c3d4e5f6"
JOB = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
ZERO = "00000000-0000-0000-0000-000000000000"


def make(clock, tokens):
    return ArmClient(BASE, tokens, SUB, clock=clock, sleep=clock.sleep, retry=RetryPolicy(rng=lambda: 0.0))


def accepted(clock, tokens, headers, url=None):
    """POST once to get a real 202 Response (headers from the example)."""
    url = url or BASE + "/subscriptions/%s/trigger" % SUB
    responses.add(responses.POST, url, status=202, headers=headers)
    return make(clock, tokens).post(url)


def status_body(status, job_id=None, error=None):
    body = {"id": OP, "name": OP, "status": status, "startTime": "2017-10-29T06:04:18.207325Z"}
    if job_id:
        body["properties"] = {"objectType": "OperationStatusJobExtendedInfo", "jobId": job_id}
    if error:
        body["error"] = error
    return body


@responses.activate
def test_azure_async_operation_path_gives_job_id(clock, tokens):
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    status_url = headers["Azure-AsyncOperation"]
    resp = accepted(clock, tokens, headers)
    responses.add(responses.GET, status_url, json=status_body("InProgress"), headers={"Retry-After": "5"})
    responses.add(
        responses.GET, status_url, json=example_body("2025-08-01/AzureIaasVm/ProtectedItemOperationStatus.json")
    )
    client = make(clock, tokens)
    result = track(client, resp, deadline=clock.now + 600)
    assert result.status == "Succeeded" and result.job_id == ZERO and result.operation_id == ZERO
    assert result.body["properties"]["jobId"] == ZERO
    # Retry-After 60 from the 202, then 5 from the InProgress answer
    assert clock.sleeps == [60.0, 5.0]
    polled = [c.request.url for c in responses.calls[1:]]
    assert all("operationsStatus" in u for u in polled)  # Azure-AsyncOperation wins over Location
    assert all("api-version=2016-12-01" in u for u in polled)  # used as given


@responses.activate
def test_poll_interval_caps_retry_after(clock, tokens):
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    resp = accepted(clock, tokens, headers)
    responses.add(
        responses.GET,
        headers["Azure-AsyncOperation"],
        json=status_body("InProgress"),
        headers={"retry-after-ms": "2500"},
    )
    responses.add(responses.GET, headers["Azure-AsyncOperation"], json=status_body("Succeeded", JOB))
    result = track(make(clock, tokens), resp, deadline=clock.now + 600, poll_interval=10)
    assert clock.sleeps == [10.0, 2.5] and result.job_id == JOB


@responses.activate
def test_location_only_cancel_returns_job_from_url(clock, tokens):
    headers = example_headers("2026-10-01/Common/TriggerCancelJob.json")
    location = headers["Location"]
    resp = accepted(clock, tokens, headers)
    responses.add(responses.GET, location, status=202, headers=headers)
    responses.add(responses.GET, location, status=204)
    result = track(make(clock, tokens), resp, deadline=clock.now + 600, poll_interval=15)
    assert result.job_id == ZERO and result.operation_id == ZERO and result.status == "Succeeded"
    assert result.body is None
    assert clock.sleeps == [15.0, 15.0]


@responses.activate
def test_location_only_without_job_in_url(clock, tokens):
    location = (
        BASE + "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/"
        "operationResults/%s?api-version=2026-10-01" % (SUB, OP)
    )
    resp = accepted(clock, tokens, {"Location": location, "Retry-After": "1"})
    responses.add(responses.GET, location, status=200)
    result = track(make(clock, tokens), resp, deadline=None)
    assert result.job_id is None and result.operation_id == OP


@responses.activate
def test_vault_level_backup_operations(clock, tokens):
    headers = example_headers("2026-01-01/Common/ProtectedItem_Delete.json")
    resp = accepted(clock, tokens, headers)
    responses.add(
        responses.GET,
        headers["Azure-AsyncOperation"],
        json=example_body("2026-10-01/Common/ProtectedItem_Delete_OperationStatus.json"),
    )
    responses.add(responses.GET, headers["Azure-AsyncOperation"], json=status_body("Succeeded", JOB))
    result = track(make(clock, tokens), resp, deadline=clock.now + 600, poll_interval=30)
    assert result.operation_id == ZERO and result.job_id == JOB
    assert "/backupOperations/" in responses.calls[1].request.url


@pytest.mark.parametrize("final", ["Failed", "Canceled"])
@responses.activate
def test_failed_operation_raises_with_azure_error(clock, tokens, final):
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    resp = accepted(clock, tokens, headers)
    error = {"code": "UserErrorBackupOperationInProgress", "message": "Backup is already in progress for this item."}
    responses.add(responses.GET, headers["Azure-AsyncOperation"], json=status_body(final, error=error))
    with pytest.raises(OperationFailed) as err:
        track(make(clock, tokens), resp, deadline=clock.now + 600, poll_interval=1)
    exc = err.value
    assert exc.code == "UserErrorBackupOperationInProgress" and exc.message.startswith("Backup is already")
    assert exc.status == final and exc.operation["status"] == final and exc.operation_id == ZERO
    assert "UserErrorBackupOperationInProgress" in exc.msg and final in exc.msg


@responses.activate
def test_deadline_passes_raises_wait_timeout(clock, tokens):
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    resp = accepted(clock, tokens, headers)
    responses.add(
        responses.GET, headers["Azure-AsyncOperation"], json=status_body("InProgress"), headers={"Retry-After": "60"}
    )
    start = clock.now
    with pytest.raises(WaitTimeout) as err:
        track(make(clock, tokens), resp, deadline=start + 100)
    # 60 s (Retry-After), then cut to a last poll 2 s before the deadline
    assert clock.sleeps == [60.0, 38.0]
    assert clock.now == start + 98
    assert err.value.result == {"jobs": [], "timed_out": True, "elapsed": 98.0, "polls": 2}
    assert "last status: InProgress" in err.value.msg


@responses.activate
def test_202_without_polling_headers(clock, tokens):
    resp = accepted(clock, tokens, {})
    with pytest.raises(ApiError):
        track(make(clock, tokens), resp, deadline=None)


def test_ids_from_urls():
    assert operation_id_from_url(BASE + "/x/protectedItems/VM;a/operationsStatus/%s?api-version=1" % OP) == OP
    assert operation_id_from_url(BASE + "/x/vaults/v/backupOperationResults/%s" % OP) == OP
    assert operation_id_from_url(None) is None
    assert job_id_from_url(BASE + "/x/backupJobs/%s/operationResults/%s?api-version=2017-07-01" % (JOB, OP)) == JOB
    assert job_id_from_url(BASE + "/x/backupFabrics/Azure/operationResults/%s" % OP) is None


@responses.activate
def test_follow_returns_the_operation_with_its_job(clock, tokens):
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    resp = accepted(clock, tokens, headers)
    responses.add(responses.GET, headers["Azure-AsyncOperation"], json=status_body("Succeeded", JOB))
    operation = follow(make(clock, tokens), resp, "restore", deadline=clock.now + 600)
    assert (operation.operation_id, operation.job_id) == (ZERO, JOB)


@responses.activate
def test_follow_without_a_job_names_the_operation_and_says_it_was_accepted(clock, tokens):
    location = (
        BASE + "/subscriptions/%s/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/v/backupFabrics/Azure/"
        "operationResults/%s?api-version=2026-10-01" % (SUB, OP)
    )
    resp = accepted(clock, tokens, {"Location": location, "Retry-After": "1"})
    responses.add(responses.GET, location, status=204)
    with pytest.raises(AzureBackupError) as err:
        follow(make(clock, tokens), resp, "restore", deadline=None, result={"request": {"x": 1}})
    assert err.value.msg == (
        "Azure accepted the restore (operation %s, status Succeeded) but named no job to follow; look for it with "
        "azure_backup_job_info." % OP
    )
    assert err.value.result == {"request": {"x": 1}, "changed": True, "operation_id": OP}
    assert follow(make(clock, tokens), resp, "refresh", deadline=None, need_job=False).job_id is None


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 404, "json": {"error": {"code": "ResourceNotFound", "message": "gone"}}, "headers": {"x-ms-request-id": "r404"}},
        {"status": 200, "body": "<html>proxy</html>", "headers": {"x-ms-request-id": "rhtml"}},
        {"status": 200, "json": {"status": "Failed", "error": {"code": "UserErrorX", "message": "no"}}, "headers": {"x-ms-request-id": "rfail"}},
        {"status": 200, "json": {"status": "InProgress"}},
    ],
)  # fmt: skip
@responses.activate
def test_after_azure_accepted_every_failure_says_so(clock, tokens, failure):
    """A status URL that 404s, a body that is not JSON, a failed operation, the deadline: changed, operation id."""
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    resp = accepted(clock, tokens, headers)
    responses.add(responses.GET, headers["Azure-AsyncOperation"], **failure)
    with pytest.raises(AzureBackupError) as err:
        follow(
            make(clock, tokens),
            resp,
            "backup of vm1",
            deadline=clock.now + 90,
            poll_interval=30,
            result={"job_id": None},
        )
    result = err.value.result
    assert result["changed"] is True and result["operation_id"] == ZERO and "job_id" in result
    assert "Azure accepted the backup of vm1 (operation %s)" % ZERO in err.value.msg
    assert "azure_backup_job_info" in err.value.msg
    request_id = failure.get("headers", {}).get("x-ms-request-id")
    if request_id:
        assert request_id in err.value.msg and result["request_id"] == request_id
    else:
        assert result["timed_out"] is True
