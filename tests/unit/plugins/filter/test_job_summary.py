# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import importlib

import pytest

from ansible.module_utils import _internal

from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import normalize_job

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import example_body

JOB = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
PLUGIN = "ansible_collections.cloudops.azure_backup.plugins.filter.job_summary"
KEYS = {
    "job_id",
    "vm_name",
    "operation",
    "status",
    "succeeded",
    "start_time",
    "end_time",
    "duration_seconds",
    "backup_size",
    "error",
}


@pytest.fixture
def plugin(monkeypatch):
    """The filter plugin, imported by the test and not at collection: it imports the controller's ansible.errors, which marks
    the whole process as the controller, and module warnings then go to Display instead of the module result (the module
    tests read them there). monkeypatch clears the mark again after the test."""
    monkeypatch.setattr(_internal, "is_controller", _internal.is_controller)
    return importlib.import_module(PLUGIN)


def job(status="Completed", bag=None, **properties):
    """A job as the modules return it: the GetJobDetails example, normalised."""
    resource = copy.deepcopy(example_body("2025-08-01/Common/GetJobDetails.json"))
    resource["name"] = JOB
    resource["properties"].update(status=status, endTime="2017-08-03T05:51:07.014604Z", **properties)
    if bag is not None:
        resource["properties"]["extendedInfo"]["propertyBag"] = bag
    return normalize_job(resource)


def test_summary_of_a_completed_backup(plugin):
    summary = plugin.job_summary(job(bag={"VM Name": "testvm", "Backup Size": "2354 MB"}))
    assert set(summary) == KEYS
    assert summary == {
        "job_id": JOB,
        "vm_name": "testvm",
        "operation": "Backup",
        "status": "Completed",
        "succeeded": True,
        "start_time": "2017-08-03T05:31:07.014604Z",
        "end_time": "2017-08-03T05:51:07.014604Z",
        "duration_seconds": 9.88,
        "backup_size": "2354 MB",
        "error": None,
    }


@pytest.mark.parametrize(
    "status,succeeded",
    [
        ("Completed", True),
        ("CompletedWithWarnings", True),
        ("Failed", False),
        ("Cancelled", False),
        ("Cancelling", False),
        ("InProgress", False),
    ],
)
def test_succeeded_only_for_completed(plugin, status, succeeded):
    assert plugin.job_summary(job(status))["succeeded"] is succeeded


def test_no_backup_size_without_one_in_the_bag(plugin):
    assert plugin.job_summary(job())["backup_size"] is None


def test_error_text_from_the_error_details(plugin):
    summary = plugin.job_summary(
        job(
            "Failed",
            errorDetails=[
                {
                    "errorCode": 400001,
                    "errorTitle": "Snapshot failed",
                    "errorString": "Could not communicate with the VM agent.",
                    "recommendations": ["Ensure the VM agent is running."],
                },
                {"errorCode": "UserErrorVmNotFound", "errorString": "The VM was deleted."},
            ],
        )
    )
    assert (
        summary["error"] == "400001: Could not communicate with the VM agent.; UserErrorVmNotFound: The VM was deleted."
    )
    assert summary["succeeded"] is False


def test_error_text_falls_back_to_the_dynamic_error_message(plugin):
    failed = job("Failed")
    failed["extended_info"]["dynamic_error_message"] = "The restore could not start."
    assert plugin.job_summary(failed)["error"] == "The restore could not start."


@pytest.mark.parametrize("value", [None, "41f3e94b", [job()], {}, {"job_id": JOB}])
def test_bad_input_raises(plugin, value):
    with pytest.raises(plugin.AnsibleFilterError, match="job_summary: expected a job"):
        plugin.job_summary(value)


def test_the_filter_is_registered(plugin):
    assert plugin.FilterModule().filters() == {"job_summary": plugin.job_summary}
