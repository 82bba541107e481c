# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_job_cancel
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ApiError

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    VAULT,
    VAULT_NAME,
    example_headers,
    job_resource,
)

JOB = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
JOB_PATH = VAULT + "/backupJobs/" + JOB
CANCEL = JOB_PATH + "/cancel"
CANCEL_HEADERS = example_headers("2026-10-01/Common/TriggerCancelJob.json")
LOCATION = CANCEL_HEADERS["Location"]


def args(**given):
    base = dict(resource_group=RESOURCE_GROUP, vault_name=VAULT_NAME, job_id=JOB)
    base.update(given)
    return base


def running(status="InProgress", actions=("Cancellable",)):
    return job_resource(JOB, status, actionsInfo=list(actions))


def accepts_cancel(fake):
    fake.add("POST", CANCEL, status=202, headers=CANCEL_HEADERS)
    fake.add("GET", LOCATION, status=202, headers=CANCEL_HEADERS)
    fake.add("GET", LOCATION, status=204)
    return fake


def test_cancel_posts_follows_the_location_and_rereads_the_job(fake_client, run_module):
    fake_client.add("GET", JOB_PATH, running())
    fake_client.add("GET", JOB_PATH, running("Cancelling", actions=()))
    accepts_cancel(fake_client)
    failed, result = run_module(azure_backup_job_cancel, args())
    assert not failed, result
    assert result["changed"] is True and result["job_id"] == JOB
    assert result["job"]["status"] == "Cancelling" and result["jobs"] == [result["job"]]
    assert result["ansible_facts"]["azure_backup_job"] == result["job"]
    assert [(c.method, c.path) for c in fake_client.calls] == [
        ("GET", JOB_PATH),
        ("POST", CANCEL),
        ("GET", LOCATION),
        ("GET", LOCATION),
        ("GET", JOB_PATH),
    ]
    assert fake_client.sent("POST")[0].body is None
    assert fake_client.sleeps == [15.0, 15.0]  # Retry-After 60 capped by the default poll_interval
    assert "warnings" not in result


def test_job_arm_id_names_the_vault(fake_client, run_module):
    fake_client.add("GET", JOB_PATH, running())
    fake_client.add("GET", JOB_PATH, running("Cancelling", actions=()))
    accepts_cancel(fake_client)
    failed, result = run_module(azure_backup_job_cancel, dict(job_id=JOB_PATH))
    assert not failed and result["changed"] is True and fake_client.sent("POST")[0].path == CANCEL


@pytest.mark.parametrize("status", ["Completed", "CompletedWithWarnings", "Failed", "Cancelled", "Cancelling"])
def test_a_job_that_ended_or_is_cancelling_is_left_alone(fake_client, run_module, status):
    fake_client.add("GET", JOB_PATH, running(status, actions=()))
    failed, result = run_module(azure_backup_job_cancel, args())
    assert not failed, result
    assert result["changed"] is False and result["job"]["status"] == status
    assert fake_client.sent("POST") == [] and len(fake_client.calls) == 1


def test_check_mode_does_not_post(fake_client, run_module):
    fake_client.add("GET", JOB_PATH, running())
    failed, result = run_module(azure_backup_job_cancel, args(wait=True, _ansible_check_mode=True))
    assert not failed, result
    assert result["changed"] is True and result["job"]["status"] == "InProgress" and "polls" not in result
    assert fake_client.sent("POST") == [] and len(fake_client.calls) == 1


def test_job_not_listed_as_cancellable_is_tried_with_a_warning(fake_client, run_module):
    fake_client.add("GET", JOB_PATH, running(actions=("Retriable",)))
    fake_client.add("GET", JOB_PATH, running("Cancelling", actions=()))
    accepts_cancel(fake_client)
    failed, result = run_module(azure_backup_job_cancel, args())
    assert not failed and result["changed"] is True
    assert len(result["warnings"]) == 1 and "not list this job as cancellable" in result["warnings"][0]


def test_azure_refusal_quotes_its_error_and_the_running_task(fake_client, run_module):
    fake_client.add("GET", JOB_PATH, running())
    fake_client.add_error(
        "POST",
        CANCEL,
        ApiError(
            "POST failed: HTTP 400 BMSUserErrorJobNotCancellable",
            status=400,
            code="BMSUserErrorJobNotCancellable",
            message="The job cannot be cancelled in its current phase.",
            request_id="req-3",
        ),
    )
    failed, result = run_module(azure_backup_job_cancel, args())
    assert failed
    assert result["msg"] == (
        "Azure refused to cancel job %s (Backup of vm-web-01, task Take Snapshot) in its current phase: "
        "BMSUserErrorJobNotCancellable: The job cannot be cancelled in its current phase." % JOB
    )
    assert (
        result["status"] == 400
        and result["error_code"] == "BMSUserErrorJobNotCancellable"
        and result["request_id"] == "req-3"
    )
    assert result["changed"] is False and len(fake_client.sent("POST")) == 1


def test_other_errors_keep_azure_message(fake_client, run_module):
    fake_client.add("GET", JOB_PATH, running())
    fake_client.add_error(
        "POST", CANCEL, ApiError("POST failed: HTTP 403 AuthorizationFailed", status=403, code="AuthorizationFailed")
    )
    failed, result = run_module(azure_backup_job_cancel, args())
    assert failed and result["msg"] == "POST failed: HTTP 403 AuthorizationFailed" and result["status"] == 403


# ------------------------------------------------------------------ wait


def cancel_and_wait(fake, final, **kwargs):
    fake.add("GET", JOB_PATH, running())
    fake.add("GET", JOB_PATH, running("Cancelling", actions=()))
    fake.add("GET", JOB_PATH, job_resource(JOB, final, **kwargs))
    return accepts_cancel(fake)


def test_wait_until_cancelled_succeeds(fake_client, run_module):
    cancel_and_wait(fake_client, "Cancelled")
    failed, result = run_module(azure_backup_job_cancel, args(wait=True, poll_interval=10))
    assert not failed, result
    assert result["changed"] is True and result["job"]["status"] == "Cancelled" and result["timed_out"] is False
    assert result["ansible_facts"]["azure_backup_jobs"][JOB]["status"] == "Cancelled"
    assert "warnings" not in result
    assert fake_client.sleeps == [10.0, 10.0]  # the operation only: the waiter's first poll sees the end


def test_wait_until_completed_succeeds_with_a_warning(fake_client, run_module):
    cancel_and_wait(fake_client, "Completed")
    failed, result = run_module(azure_backup_job_cancel, args(wait=True))
    assert not failed, result
    assert result["job"]["status"] == "Completed"
    assert result["warnings"] == ["Job %s ended Completed: it was not cancelled." % JOB]


def test_wait_until_failed_fails(fake_client, run_module):
    cancel_and_wait(fake_client, "Failed", errorDetails=[{"errorCode": 400001, "errorString": "Snapshot failed."}])
    failed, result = run_module(azure_backup_job_cancel, args(wait=True))
    assert failed and JOB in result["msg"] and "Failed" in result["msg"]
    assert result["job"]["status"] == "Failed" and result["changed"] is True and result["job_id"] == JOB
