# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_job_wait

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    SUB,
    VAULT,
    VAULT_NAME,
    job_resource,
)

JOB_1 = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
JOB_2 = "5b1d2c3e-0000-4000-8000-000000000002"
OTHER_VAULT = "/subscriptions/%s/resourceGroups/rg-other/providers/Microsoft.RecoveryServices/vaults/rsv-other" % SUB


def args(**given):
    base = dict(resource_group=RESOURCE_GROUP, vault_name=VAULT_NAME)
    base.update(given)
    return base


def test_one_job_by_guid(fake_client, run_module):
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB_1, job_resource(JOB_1, "Completed"))
    failed, result = run_module(azure_backup_job_wait, args(job_ids=[JOB_1]))
    assert not failed, result
    assert result["changed"] is False and result["timed_out"] is False and result["polls"] == 1
    assert result["job"]["job_id"] == JOB_1 and result["job"]["status"] == "Completed"
    assert result["jobs"] == [result["job"]]
    assert result["ansible_facts"] == {"azure_backup_job": result["job"], "azure_backup_jobs": {JOB_1: result["job"]}}
    assert fake_client.sleeps == []


def test_job_alias_and_arm_id_without_vault_options(fake_client, run_module):
    job_id = OTHER_VAULT.replace("/subscriptions/", "/Subscriptions/") + "/backupJobs/" + JOB_1
    fake_client.add("GET", OTHER_VAULT + "/backupJobs/" + JOB_1, job_resource(JOB_1, "Completed", vault=OTHER_VAULT))
    failed, result = run_module(azure_backup_job_wait, dict(job_id=job_id))
    assert not failed, result
    assert result["job"]["job_id"] == JOB_1 and [c.path for c in fake_client.calls] == [
        OTHER_VAULT + "/backupJobs/" + JOB_1
    ]


def test_many_jobs_in_order_duplicates_once(fake_client, run_module):
    """Two jobs: each poll is one list of the running jobs; a job is read with a GET once, when it left the list."""
    running_1 = dict(job_resource(JOB_1, "InProgress"))
    del running_1["properties"]["extendedInfo"]  # list items carry no extended info
    fake_client.add("GET", VAULT + "/backupJobs", {"value": [running_1]})
    fake_client.add("GET", VAULT + "/backupJobs", {"value": []})
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB_1, job_resource(JOB_1, "Completed"))
    fake_client.add(
        "GET", VAULT + "/backupJobs/" + JOB_2, job_resource(JOB_2, "CompletedWithWarnings", friendly="vm-web-02")
    )
    failed, result = run_module(
        azure_backup_job_wait,
        args(job_ids=[JOB_2, JOB_1, JOB_2.upper(), VAULT + "/backupJobs/" + JOB_1], poll_interval=20),
    )
    assert not failed, result
    assert result["changed"] is False
    assert [job["job_id"] for job in result["jobs"]] == [JOB_2, JOB_1]
    assert [job["status"] for job in result["jobs"]] == ["CompletedWithWarnings", "Completed"]
    assert "job" not in result and "azure_backup_job" not in result["ansible_facts"]
    assert set(result["ansible_facts"]["azure_backup_jobs"]) == {JOB_1, JOB_2}
    assert result["polls"] == 2 and fake_client.sleeps == [20.0]
    assert [c.path.rsplit("/", 1)[-1] for c in fake_client.calls] == ["backupJobs", JOB_2, "backupJobs", JOB_1]
    assert fake_client.calls[0].params == {"$filter": "status eq 'InProgress'"}
    assert (
        len(result["warnings"]) == 1
        and JOB_2 in result["warnings"][0]
        and "CompletedWithWarnings" in result["warnings"][0]
    )


@pytest.mark.parametrize("job_ids", [["not-a-guid"], [JOB_1, "/subscriptions/x/backupJobs/" + JOB_2], [""]])
def test_bad_job_id_fails_naming_job_ids_without_a_client(fake_client, run_module, job_ids):
    failed, result = run_module(azure_backup_job_wait, args(job_ids=job_ids))
    assert failed and "job_ids" in result["msg"]
    assert result["changed"] is False
    assert fake_client.built == 0 and fake_client.calls == []


def test_jobs_of_two_vaults_are_refused(fake_client, run_module):
    failed, result = run_module(azure_backup_job_wait, args(job_ids=[JOB_1, OTHER_VAULT + "/backupJobs/" + JOB_2]))
    assert (
        failed
        and result["msg"].startswith("job_ids: job ")
        and "one task waits on the jobs of one vault" in result["msg"]
    )
    assert fake_client.built == 0


def test_guid_without_vault_options_fails(fake_client, run_module):
    failed, result = run_module(azure_backup_job_wait, dict(job_ids=[JOB_1]))
    assert failed and result["msg"].startswith("resource_group is required")
    assert fake_client.built == 0


@pytest.mark.parametrize("status", ["Failed", "Cancelled"])
def test_failed_job_fails_the_task_unchanged(fake_client, run_module, status):
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB_1, job_resource(JOB_1, status))
    failed, result = run_module(azure_backup_job_wait, args(job_ids=[JOB_1]))
    assert failed and result["changed"] is False
    assert JOB_1 in result["msg"] and status in result["msg"]
    assert result["job"]["status"] == status and result["ansible_facts"]["azure_backup_jobs"][JOB_1]["status"] == status
    assert result["timed_out"] is False


def test_failed_states_empty_accepts_a_failed_job(fake_client, run_module):
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB_1, job_resource(JOB_1, "Failed"))
    failed, result = run_module(azure_backup_job_wait, args(job_ids=[JOB_1], failed_states=[]))
    assert not failed and result["job"]["status"] == "Failed" and result["changed"] is False


def test_timeout_returns_the_last_seen_jobs(fake_client, run_module):
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB_1, job_resource(JOB_1, "InProgress"))
    failed, result = run_module(azure_backup_job_wait, args(job_ids=[JOB_1], timeout=60, poll_interval=25))
    assert failed and result["timed_out"] is True and result["changed"] is False
    assert (
        result["job"]["status"] == "InProgress"
        and result["ansible_facts"]["azure_backup_jobs"][JOB_1]["job_id"] == JOB_1
    )
    assert sum(fake_client.sleeps) <= 60 and result["polls"] >= 2


@pytest.mark.parametrize("option", ["timeout", "poll_interval"])
def test_non_positive_wait_settings_are_refused(fake_client, run_module, option):
    failed, result = run_module(azure_backup_job_wait, args(job_ids=[JOB_1], **{option: 0}))
    assert failed and result["msg"].startswith("%s: expected a number of seconds above 0" % option)
    assert fake_client.built == 0


def test_check_mode_waits_too(fake_client, run_module):
    fake_client.add("GET", VAULT + "/backupJobs/" + JOB_1, job_resource(JOB_1, "Completed"))
    failed, result = run_module(azure_backup_job_wait, args(job_ids=[JOB_1], _ansible_check_mode=True))
    assert not failed and result["changed"] is False and result["job"]["status"] == "Completed"
