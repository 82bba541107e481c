# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_job_info

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    SUB,
    VAULT,
    VAULT_NAME,
    example_body,
    job_resource,
)

JOBS = VAULT + "/backupJobs"
JOB_1 = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
JOB_2 = "5b1d2c3e-0000-4000-8000-000000000002"
JOB_3 = "6c2e3d4f-0000-4000-8000-000000000003"


def args(**given):
    base = dict(resource_group=RESOURCE_GROUP, vault_name=VAULT_NAME)
    base.update(given)
    return base


def listed(job_id, friendly, status="Completed"):
    body = job_resource(job_id, status, friendly=friendly)
    del body["properties"]["extendedInfo"]  # lists carry no extended info
    return body


def filter_sent(fake):
    (call,) = fake.calls
    assert call.method == "GET" and call.path == JOBS
    return call.params["$filter"]


def filter_time(query, field):
    text = re.search(r"%s eq '([^']+)'" % field, query).group(1)
    return datetime.datetime.strptime(text, "%Y-%m-%d %I:%M:%S %p").replace(tzinfo=datetime.timezone.utc)


# ------------------------------------------------------------------ one job


def test_job_id_reads_the_job_with_extended_info(fake_client, run_module):
    fake_client.add("GET", JOBS + "/" + JOB_1, job_resource(JOB_1, "InProgress"))
    failed, result = run_module(azure_backup_job_info, args(job_id=JOB_1))
    assert not failed, result
    assert result["changed"] is False
    assert result["job"]["job_id"] == JOB_1 and result["job"]["extended_info"]["property_bag"] == {"VM Name": "testvm"}
    assert result["jobs"] == [result["job"]]
    assert "ansible_facts" not in result  # an _info module returns data and sets no facts
    assert [(c.method, c.path, c.params) for c in fake_client.calls] == [("GET", JOBS + "/" + JOB_1, None)]


def test_job_arm_id_needs_no_vault_options(fake_client, run_module):
    other = "/subscriptions/%s/resourceGroups/rg-x/providers/Microsoft.RecoveryServices/vaults/rsv-x" % SUB
    fake_client.add("GET", other + "/backupJobs/" + JOB_1, job_resource(JOB_1, "Completed", vault=other))
    failed, result = run_module(azure_backup_job_info, dict(job_id=other + "/backupJobs/" + JOB_1))
    assert not failed and result["job"]["id"] == other + "/backupJobs/" + JOB_1


def test_bad_job_id_fails_without_a_client(fake_client, run_module):
    failed, result = run_module(azure_backup_job_info, args(job_id="job-1"))
    assert failed and result["msg"].startswith("job_id: ") and "job-1" in result["msg"]
    assert fake_client.built == 0


@pytest.mark.parametrize(
    "option,value",
    [
        ("status", "Failed"),
        ("operation", "Backup"),
        ("start_time", "2026-11-01"),
        ("end_time", "2026-11-26"),
        ("entity_friendly_name", "vm-web-01"),
    ],
)
def test_job_id_and_filters_are_exclusive(fake_client, run_module, option, value):
    failed, result = run_module(azure_backup_job_info, args(job_id=JOB_1, **{option: value}))
    assert failed and "mutually exclusive" in result["msg"] and "job_id|%s" % option in result["msg"]
    assert fake_client.built == 0


# ------------------------------------------------------------------ lists


def test_list_with_every_filter(fake_client, run_module):
    fake_client.add("GET", JOBS, {"value": [listed(JOB_1, "vm-web-01", "Failed")]})
    failed, result = run_module(
        azure_backup_job_info,
        args(status="Failed", operation="Backup", start_time="2026-11-01", end_time="2026-11-26T13:05:00+01:00"),
    )
    assert not failed, result
    assert filter_sent(fake_client) == (
        "status eq 'Failed' and operation eq 'Backup' and backupManagementType eq 'AzureIaasVM' and "
        "startTime eq '2026-11-01 12:00:00 AM' and endTime eq '2026-11-26 12:05:00 PM'"
    )
    assert [job["job_id"] for job in result["jobs"]] == [JOB_1]


def test_list_default_filter_is_the_management_type(fake_client, run_module):
    fake_client.add("GET", JOBS, example_body("2026-10-01/Common/ListJobs.json"))
    failed, result = run_module(azure_backup_job_info, args())
    assert not failed, result
    assert filter_sent(fake_client) == "backupManagementType eq 'AzureIaasVM'"
    assert [job["status"] for job in result["jobs"]] == ["InProgress", "Completed"]
    assert "job" not in result and result["changed"] is False


def test_end_date_covers_the_whole_day_and_start_defaults_to_30_days_before(fake_client, run_module):
    fake_client.add("GET", JOBS, {"value": []})
    failed, result = run_module(azure_backup_job_info, args(end_time="2026-11-26"))
    assert not failed, result
    query = filter_sent(fake_client)
    assert filter_time(query, "endTime") == datetime.datetime(2026, 11, 26, 23, 59, 59, tzinfo=datetime.timezone.utc)
    assert filter_time(query, "startTime") == datetime.datetime(2026, 10, 27, 23, 59, 59, tzinfo=datetime.timezone.utc)


def test_open_end_runs_past_now(fake_client, run_module):
    fake_client.add("GET", JOBS, {"value": []})
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    failed, result = run_module(azure_backup_job_info, args(start_time="2026-01-01T00:00:00Z"))
    assert not failed, result
    query = filter_sent(fake_client)
    assert filter_time(query, "startTime") == datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    assert filter_time(query, "endTime") >= before + datetime.timedelta(
        hours=23
    )  # a margin for a local clock that is behind


def test_entity_friendly_name_is_filtered_client_side(fake_client, run_module):
    fake_client.add(
        "GET", JOBS, {"value": [listed(JOB_1, "vm-web-01"), listed(JOB_2, "VM-WEB-01"), listed(JOB_3, "vm-web-011")]}
    )
    failed, result = run_module(azure_backup_job_info, args(entity_friendly_name="Vm-Web-01"))
    assert not failed, result
    assert "entityFriendlyName" not in filter_sent(fake_client) and "vm-web" not in filter_sent(fake_client).lower()
    assert [job["job_id"] for job in result["jobs"]] == [JOB_1, JOB_2]
    assert {job["job_id"] for job in result["jobs"]} == {JOB_1, JOB_2}
    assert "ansible_facts" not in result and "job" not in result


def test_one_listed_job_is_also_the_job_fact(fake_client, run_module):
    fake_client.add("GET", JOBS, {"value": [listed(JOB_1, "vm-web-01"), listed(JOB_2, "vm-db-01")]})
    failed, result = run_module(azure_backup_job_info, args(entity_friendly_name="vm-db-01"))
    assert not failed and result["job"]["job_id"] == JOB_2 and "ansible_facts" not in result


@pytest.mark.parametrize("given", [dict(entity_friendly_name="nobody"), dict(status="Cancelled")])
def test_nothing_matches_gives_an_empty_list(fake_client, run_module, given):
    fake_client.add("GET", JOBS, {"value": [listed(JOB_1, "vm-web-01")] if "entity_friendly_name" in given else []})
    failed, result = run_module(azure_backup_job_info, args(**given))
    assert not failed, result
    assert result["jobs"] == [] and "ansible_facts" not in result and "job" not in result


def test_list_follows_next_link(fake_client, run_module):
    next_link = "https://management.azure.com" + JOBS + "?api-version=2026-10-01&%24skiptoken=2"
    fake_client.add("GET", JOBS, {"value": [listed(JOB_1, "a")], "nextLink": next_link})
    fake_client.add("GET", next_link, {"value": [listed(JOB_2, "b")]})
    failed, result = run_module(azure_backup_job_info, args())
    assert not failed and [job["job_id"] for job in result["jobs"]] == [JOB_1, JOB_2]


# ------------------------------------------------------------------ time window validation


def test_start_after_end_is_refused(fake_client, run_module):
    failed, result = run_module(azure_backup_job_info, args(start_time="2026-11-27", end_time="2026-11-26"))
    assert failed and result["msg"].startswith("start_time") and "must not be after end_time" in result["msg"]
    assert "2026-11-27" in result["msg"] and "2026-11-26" in result["msg"]
    assert fake_client.calls == []


@pytest.mark.parametrize("option", ["start_time", "end_time"])
def test_bad_time_names_the_option(fake_client, run_module, option):
    failed, result = run_module(azure_backup_job_info, args(**{option: "last tuesday"}))
    assert (
        failed and result["msg"].startswith(option + ": expected a date YYYY-MM-DD") and "last tuesday" in result["msg"]
    )
    assert fake_client.calls == []


def test_same_day_window(fake_client, run_module):
    fake_client.add("GET", JOBS, {"value": []})
    failed, result = run_module(azure_backup_job_info, args(start_time="2026-11-26", end_time="2026-11-26"))
    assert not failed, result
    assert "startTime eq '2026-11-26 12:00:00 AM' and endTime eq '2026-11-26 11:59:59 PM'" in filter_sent(fake_client)


def test_check_mode_reads_too(fake_client, run_module):
    fake_client.add("GET", JOBS, {"value": []})
    failed, result = run_module(azure_backup_job_info, args(_ansible_check_mode=True))
    assert not failed and result["jobs"] == [] and len(fake_client.calls) == 1
