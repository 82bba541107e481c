# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json

import pytest
import responses
from requests.utils import unquote

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    pass

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _backup
from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import ArmClient, RetryPolicy
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    AzureBackupError,
    NotFound,
    ValidationError,
    WriteOutcomeUnknown,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._filters import UTC
from ansible_collections.cloudops.azure_backup.plugins.module_utils._items import Item

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import (
    BASE,
    SUB,
    VAULT,
    VAULT_PATH,
    example_body,
    example_headers,
    load_example,
)

NOW = datetime.datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)
CONTAINER = "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM = "VM;iaasvmcontainerv2;rg-work;vm-web-01"
JOB_A = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
JOB_B = "5b1d2c3e-0000-4000-8000-000000000002"


def make(clock, tokens):
    return ArmClient(BASE, tokens, SUB, clock=clock, sleep=clock.sleep, retry=RetryPolicy(rng=lambda: 0.0))


def url(path):
    """The URL of an ARM path given as text (each segment percent-encoded, as the client sends it)."""
    return BASE + "/".join(quote(segment, safe="") for segment in path.split("/"))


def item(friendly="vm-web-01"):
    resource = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"))
    resource["properties"]["friendlyName"] = friendly
    return Item(VAULT_PATH, CONTAINER, ITEM, resource)


# ------------------------------------------------------------------ expiry_time


def test_expiry_default_is_30_days():
    assert _backup.expiry_time(now=NOW) == NOW + datetime.timedelta(days=30)


@pytest.mark.parametrize("days", [1, 7, 36135])
def test_expiry_retain_days(days):
    assert _backup.expiry_time(retain_days=days, now=NOW) == NOW + datetime.timedelta(days=days)


@pytest.mark.parametrize("days", [0, -1, 36136])
def test_expiry_retain_days_bounds(days):
    with pytest.raises(ValidationError) as exc:
        _backup.expiry_time(retain_days=days, now=NOW)
    assert exc.value.option == "retain_days"
    assert "from 1 to 36135" in exc.value.msg and str(days) in exc.value.msg


def test_expiry_retain_until_date_is_end_of_day():
    assert _backup.expiry_time(retain_until="2026-12-31", now=NOW) == datetime.datetime(
        2026, 12, 31, 23, 59, 59, tzinfo=UTC
    )


def test_expiry_retain_until_today_is_still_in_the_future():
    assert _backup.expiry_time(retain_until="2026-11-26", now=NOW) == datetime.datetime(
        2026, 11, 26, 23, 59, 59, tzinfo=UTC
    )


def test_expiry_retain_until_datetime_with_offset():
    assert _backup.expiry_time(retain_until="2026-12-01T12:00:00+01:00", now=NOW) == datetime.datetime(
        2026, 12, 1, 11, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("value", ["2026-11-25", "2026-11-26T10:00:00Z", "2020-01-01T00:00:00Z"])
def test_expiry_retain_until_past(value):
    with pytest.raises(ValidationError, match="not in the future|is in the past") as exc:
        _backup.expiry_time(retain_until=value, now=NOW)
    assert exc.value.option == "retain_until"


def test_expiry_retain_until_more_than_99_years():
    with pytest.raises(ValidationError, match="99 years") as exc:
        _backup.expiry_time(retain_until="2126-11-26", now=NOW)
    assert exc.value.option == "retain_until"
    # just inside the limit is fine
    assert _backup.expiry_time(retain_until="2125-11-01", now=NOW).year == 2125


def test_expiry_retain_until_bad_value():
    with pytest.raises(ValidationError) as exc:
        _backup.expiry_time(retain_until="next week", now=NOW)
    assert exc.value.option == "retain_until" and "next week" in exc.value.msg


def test_expiry_retain_until_wins_over_default_days():
    assert _backup.expiry_time(retain_until="2026-12-01", retain_days=None, now=NOW).day == 1


def test_expiry_uses_the_real_clock_without_now():
    before = datetime.datetime.now(UTC)
    expiry = _backup.expiry_time(retain_days=2)
    assert before + datetime.timedelta(days=2) <= expiry <= datetime.datetime.now(UTC) + datetime.timedelta(days=2)


# ------------------------------------------------------------------ request body


def test_backup_request_body_exact():
    expiry = datetime.datetime(2026, 12, 26, 10, 0, 0, 987654, tzinfo=UTC)
    assert _backup.backup_request(expiry) == {
        "properties": {"objectType": "IaasVMBackupRequest", "recoveryPointExpiryTimeInUTC": "2026-12-26T10:00:00.000Z"}
    }


def test_backup_request_body_matches_the_example_shape():
    example = load_example("2026-10-01/Common/TriggerBackup_Post.json")["parameters"]["parameters"]
    body = _backup.backup_request(NOW)
    assert body["properties"]["objectType"] == example["properties"]["objectType"]
    assert set(body) == set(example)


# ------------------------------------------------------------------ running job


def listed(job_id, friendly, container, status="InProgress"):
    body = copy.deepcopy(example_body("2026-10-01/Common/ListJobs.json")["value"][0])
    body["name"] = job_id
    body["id"] = body["id"].rsplit("/", 1)[0] + "/" + job_id
    body["properties"].update(entityFriendlyName=friendly, status=status)
    if container is not None:
        body["properties"]["containerName"] = container
    return body


def full(job_id, friendly):
    body = copy.deepcopy(example_body("2025-08-01/Common/GetJobDetails.json"))
    body["name"] = job_id
    body["properties"]["entityFriendlyName"] = friendly
    return body


def query_of(call):
    return unquote(call.request.url.split("%24filter=", 1)[1].split("&")[0]).replace("+", " ")


@responses.activate
def test_running_backup_job_picks_the_vm_and_container(clock, tokens):
    responses.add(
        responses.GET,
        url(VAULT + "/backupJobs"),
        json={
            "value": [
                listed("11111111-1111-1111-1111-111111111111", "vm-db-01", "iaasvmcontainerv2;rg-work;vm-db-01"),
                listed(
                    "22222222-2222-2222-2222-222222222222", "VM-WEB-01", "iaasvmcontainerv2;rg-other;vm-web-01"
                ),  # same name, other rg
                listed(JOB_A, "VM-Web-01", "IaasVMContainerV2;RG-Work;VM-Web-01"),
                listed(JOB_B, "vm-web-01", "iaasvmcontainerv2;rg-work;vm-web-01"),
            ]
        },
    )
    responses.add(responses.GET, url(VAULT + "/backupJobs/" + JOB_A), json=full(JOB_A, "vm-web-01"))
    job = _backup.running_backup_job(make(clock, tokens), item())
    assert job["job_id"] == JOB_A
    assert job["extended_info"]["tasks_list"][0]["task_id"] == "Take Snapshot"  # the full job was read
    assert [c.request.method for c in responses.calls] == ["GET", "GET"]
    assert (
        query_of(responses.calls[0])
        == "status eq 'InProgress' and operation eq 'Backup' and backupManagementType eq 'AzureIaasVM'"
    )
    assert "startTime" not in query_of(responses.calls[0])  # no local-clock window
    assert responses.calls[1].request.url.split("?")[0] == url(VAULT + "/backupJobs/" + JOB_A)


@responses.activate
def test_running_backup_job_without_container_name_matches_by_name(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": [listed(JOB_A, "vm-web-01", None)]})
    responses.add(responses.GET, url(VAULT + "/backupJobs/" + JOB_A), json=full(JOB_A, "vm-web-01"))
    assert _backup.running_backup_job(make(clock, tokens), item())["job_id"] == JOB_A


@responses.activate
def test_running_backup_job_with_the_full_container_name(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": [listed(JOB_A, "vm-web-01", CONTAINER)]})
    responses.add(responses.GET, url(VAULT + "/backupJobs/" + JOB_A), json=full(JOB_A, "vm-web-01"))
    assert _backup.running_backup_job(make(clock, tokens), item())["job_id"] == JOB_A


@responses.activate
def test_running_backup_job_ignores_other_vms(clock, tokens):
    responses.add(
        responses.GET,
        url(VAULT + "/backupJobs"),
        json={
            "value": [
                listed(JOB_A, "vm-web-011", "iaasvmcontainerv2;rg-work;vm-web-011"),
                listed(JOB_B, "vm-web-01", "iaasvmcontainerv2;rg-other;vm-web-01"),
            ]
        },
    )
    assert _backup.running_backup_job(make(clock, tokens), item()) is None
    assert len(responses.calls) == 1  # no job was read


@responses.activate
def test_running_backup_job_follows_paging(clock, tokens):
    next_link = BASE + VAULT + "/backupJobs?api-version=2026-10-01&%24skiptoken=2"
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": [], "nextLink": next_link})
    responses.add(
        responses.GET,
        url(VAULT + "/backupJobs"),
        json={"value": [listed(JOB_B, "vm-web-01", "iaasvmcontainerv2;rg-work;vm-web-01")]},
    )
    responses.add(responses.GET, url(VAULT + "/backupJobs/" + JOB_B), json=full(JOB_B, "vm-web-01"))
    assert _backup.running_backup_job(make(clock, tokens), item())["job_id"] == JOB_B


# ------------------------------------------------------------------ await_running_backup_job


@responses.activate
def test_await_running_backup_job_looks_until_the_job_is_listed(clock, tokens):
    """Azure said a backup is in progress, but lists its job only on the third look."""
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": []})
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": []})
    responses.add(
        responses.GET,
        url(VAULT + "/backupJobs"),
        json={"value": [listed(JOB_B, "vm-web-01", "iaasvmcontainerv2;rg-work;vm-web-01")]},
    )
    responses.add(responses.GET, url(VAULT + "/backupJobs/" + JOB_B), json=full(JOB_B, "vm-web-01"))
    job = _backup.await_running_backup_job(make(clock, tokens), item(), deadline=clock() + 600, poll_interval=5)
    assert job["job_id"] == JOB_B
    assert clock.sleeps == [5, 5]


@responses.activate
def test_await_running_backup_job_gives_up_at_the_deadline(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": []})
    deadline = clock() + 12
    assert _backup.await_running_backup_job(make(clock, tokens), item(), deadline=deadline, poll_interval=5) is None
    assert clock() == deadline - 2  # the last look is just before the deadline, never after it
    assert clock.sleeps == [5, 5]


@responses.activate
def test_await_running_backup_job_gives_up_after_its_patience(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": []})
    start = clock()
    assert (
        _backup.await_running_backup_job(make(clock, tokens), item(), deadline=None, poll_interval=30, patience=100)
        is None
    )
    assert clock() - start == 98


def test_item_names_for_jobs():
    assert item().vm_name == "vm-web-01"
    assert Item(VAULT_PATH, CONTAINER, ITEM).vm_name == "vm-web-01"  # from the item name when not read


# ------------------------------------------------------------------ trigger


@responses.activate
def test_trigger_posts_once_and_tracks_the_operation(clock, tokens):
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    responses.add(responses.POST, url(item().path.id + "/backup"), status=202, headers=headers)
    responses.add(
        responses.GET,
        headers["Azure-AsyncOperation"],
        json=example_body("2025-08-01/AzureIaasVm/ProtectedItemOperationStatus.json"),
    )
    body = _backup.backup_request(NOW)
    result, running, cause = _backup.trigger(
        make(clock, tokens), item(), body, deadline=clock.now + 600, poll_interval=5
    )
    assert result.job_id == "00000000-0000-0000-0000-000000000000" and result.status == "Succeeded"
    assert running is None and cause is None
    posts = [c for c in responses.calls if c.request.method == "POST"]
    assert len(posts) == 1 and json.loads(posts[0].request.body) == body
    assert clock.sleeps == [5.0]  # poll_interval caps Retry-After: 60


# ------------------------------------------------------------------ in-progress errors


@pytest.mark.parametrize(
    "error,expected",
    [
        (ApiError("x", status=400, code="UserErrorBackupOperationInProgress"), True),
        (ApiError("x", status=409, code="BMSUserErrorObjectLocked"), True),
        (ApiError("x", status=400, code="UserErrorSomethingElse"), False),
        (NotFound("x", status=404, code="BMSUserErrorObjectLocked"), True),
        (ValidationError("x"), False),
        (ValueError("UserErrorBackupOperationInProgress"), False),
    ],
)
def test_is_backup_in_progress_error(error, expected):
    assert _backup.is_backup_in_progress_error(error) is expected


@responses.activate
def test_trigger_attaches_when_azure_says_a_backup_is_in_progress(clock, tokens):
    error = {"error": {"code": "UserErrorBackupOperationInProgress", "message": "Backup is already in progress."}}
    responses.add(responses.POST, url(item().path.id + "/backup"), status=400, json=error)
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": [listed(JOB_A, "vm-web-01", None)]})
    responses.add(responses.GET, url(VAULT + "/backupJobs/" + JOB_A), json=full(JOB_A, "vm-web-01"))
    operation, running, cause = _backup.trigger(make(clock, tokens), item(), {}, deadline=clock.now + 600)
    assert operation is None and running["job_id"] == JOB_A and cause.code == "UserErrorBackupOperationInProgress"


@pytest.mark.parametrize("lost", [{"status": 500}, {"body": __import__("requests").exceptions.ReadTimeout("slow")}])
@responses.activate
def test_a_lost_answer_finds_the_running_backup_instead_of_resending(clock, tokens, lost):
    responses.add(responses.POST, url(item().path.id + "/backup"), **lost)
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": []})
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": [listed(JOB_A, "vm-web-01", None)]})
    responses.add(responses.GET, url(VAULT + "/backupJobs/" + JOB_A), json=full(JOB_A, "vm-web-01"))
    operation, running, cause = _backup.trigger(
        make(clock, tokens), item(), {}, deadline=clock.now + 600, poll_interval=10
    )
    assert operation is None and running["job_id"] == JOB_A and isinstance(cause, WriteOutcomeUnknown)
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1  # never resent


@responses.activate
def test_a_lost_answer_without_a_running_backup_says_so_and_reports_a_change(clock, tokens):
    responses.add(responses.POST, url(item().path.id + "/backup"), status=503, headers={"x-ms-request-id": "r503"})
    responses.add(responses.GET, url(VAULT + "/backupJobs"), json={"value": []})
    with pytest.raises(AzureBackupError) as err:
        _backup.trigger(
            make(clock, tokens), item(), {}, deadline=clock.now + 600, poll_interval=30, result={"job_id": None}
        )
    assert err.value.result["changed"] is True and err.value.result["request_id"] == "r503"
    assert "may have reached Azure" in err.value.msg and "No running backup of vm-web-01" in err.value.msg
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 1


@responses.activate
def test_after_azure_accepted_the_backup_a_lost_status_says_so(clock, tokens):
    headers = example_headers("2026-10-01/Common/TriggerBackup_Post.json")
    responses.add(responses.POST, url(item().path.id + "/backup"), status=202, headers=headers)
    responses.add(
        responses.GET, headers["Azure-AsyncOperation"], status=404, json={"error": {"code": "NotFound", "message": "x"}}
    )
    with pytest.raises(AzureBackupError) as err:
        _backup.trigger(
            make(clock, tokens), item(), {}, deadline=clock.now + 600, poll_interval=5, result={"attached": False}
        )
    assert err.value.result["changed"] is True and err.value.result["operation_id"]
    assert err.value.result["attached"] is False
    assert "Azure accepted the backup of vm-web-01" in err.value.msg


def test_check_retention_before_anything_is_sent():
    _backup.check_retention("2099-01-01", None)
    _backup.check_retention(None, 7)
    for until, days, option in (
        ("next week", None, "retain_until"),
        (None, 0, "retain_days"),
        (None, 36136, "retain_days"),
    ):
        with pytest.raises(ValidationError) as err:
            _backup.check_retention(until, days)
        assert err.value.option == option
