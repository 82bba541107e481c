# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import json
import re
import uuid

import pytest
import responses
from requests.utils import unquote

from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import ArmClient, RetryPolicy
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import JobFailed, NotFound, WaitTimeout
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import (
    TERMINAL,
    Waiter,
    normalize_job,
    parse_duration,
)

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import (
    BASE,
    SUB,
    VAULT,
    VAULT_PATH,
    example_body,
)

JOB_KEYS = {
    "id",
    "job_id",
    "status",
    "operation",
    "job_type",
    "entity_friendly_name",
    "backup_management_type",
    "start_time",
    "end_time",
    "duration",
    "duration_seconds",
    "activity_id",
    "actions_info",
    "error_details",
    "container_name",
    "is_user_triggered",
    "virtual_machine_version",
    "extended_info",
}
EXT_KEYS = {
    "tasks_list",
    "property_bag",
    "internal_property_bag",
    "progress_percentage",
    "estimated_remaining_duration",
    "dynamic_error_message",
}
TASK_KEYS = {
    "task_id",
    "status",
    "start_time",
    "end_time",
    "duration",
    "duration_seconds",
    "progress_percentage",
    "instance_id",
    "task_execution_details",
}
JOB_URL_RE = re.compile(re.escape(BASE + VAULT + "/backupJobs/") + r"([0-9a-f-]{36})\?.*")
LIST_URL_RE = re.compile(re.escape(BASE + VAULT + "/backupJobs") + r"\?.*")


# ------------------------------------------------------------------ durations


@pytest.mark.parametrize(
    "value,seconds",
    [
        ("00:20:23.0896697", 1223.09),
        ("1.02:03:04.5", 93784.5),
        ("00:00:00", 0.0),
        ("PT12.4272909S", 12.43),
        ("PT9.8782791S", 9.88),
        ("PT1H2M3S", 3723.0),
        ("P1DT2H", 93600.0),
        ("PT0S", 0.0),
        ("P1W", 604800.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("P", None),
        ("PT", None),
    ],
)
def test_parse_duration(value, seconds):
    assert parse_duration(value) == seconds


# ------------------------------------------------------------------ normalisation


def test_normalize_get_job_details_example():
    job = normalize_job(example_body("2025-08-01/Common/GetJobDetails.json"))
    assert set(job) == JOB_KEYS
    assert job["job_id"] == "00000000-0000-0000-0000-000000000000"
    assert job["id"].startswith("/Subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/SwaggerTestRg/")
    assert (job["status"], job["operation"], job["job_type"]) == ("InProgress", "Backup", "AzureIaaSVMJob")
    assert (job["entity_friendly_name"], job["backup_management_type"]) == ("testvm", "AzureIaasVM")
    assert job["start_time"] == "2017-08-03T05:31:07.014604Z" and job["end_time"] is None
    assert job["duration"] == "PT9.8782791S" and job["duration_seconds"] == 9.88
    assert job["virtual_machine_version"] == "Compute"
    assert job["actions_info"] == [] and job["error_details"] == []
    ext = job["extended_info"]
    assert set(ext) == EXT_KEYS
    assert ext["property_bag"] == {"VM Name": "testvm"}  # keys verbatim
    assert [t["task_id"] for t in ext["tasks_list"]] == ["Take Snapshot", "Transfer data to vault"]
    assert [t["status"] for t in ext["tasks_list"]] == ["InProgress", "NotStarted"]
    assert all(set(t) == TASK_KEYS for t in ext["tasks_list"])
    assert ext["tasks_list"][0]["duration_seconds"] == 0.0
    assert ext["internal_property_bag"] == {} and ext["progress_percentage"] is None


@pytest.mark.parametrize("example", ["2026-10-01/Common/ListJobs.json", "2017-07-01/Common/ListJobs.json"])
def test_normalize_list_items(example):
    items = example_body(example)["value"]
    jobs = [normalize_job(i) for i in items]
    assert [j["status"] for j in jobs] == ["InProgress", "Completed"]
    assert [j["duration_seconds"] for j in jobs] == [12.43, 31.31]
    assert jobs[1]["end_time"] == "2017-08-03T05:31:03.7553376Z" and jobs[1]["operation"] == "ConfigureBackup"
    for job in jobs:
        assert set(job) == JOB_KEYS
        assert job["extended_info"] == {
            "tasks_list": [],
            "property_bag": {},
            "internal_property_bag": {},
            "progress_percentage": None,
            "estimated_remaining_duration": None,
            "dynamic_error_message": None,
        }


def test_normalize_failed_job_fields():
    job = normalize_job(failed_job("j1"))
    assert job["error_details"] == [
        {
            "error_code": 400001,
            "error_title": "Snapshot failed",
            "error_string": "Could not communicate with the VM agent.",
            "recommendations": ["Ensure the VM agent is running.", "Retry the backup."],
        }
    ]
    assert job["actions_info"] == ["Retriable"] and job["is_user_triggered"] is True
    assert job["container_name"] == "iaasvmcontainerv2;rg;vm1"
    assert job["extended_info"]["dynamic_error_message"] == "Snapshot task timed out"
    assert normalize_job(None)["extended_info"]["tasks_list"] == []
    assert normalize_job({"id": VAULT + "/backupJobs/abc"})["job_id"] == "abc"


def test_filter_time_format():
    from ansible_collections.cloudops.azure_backup.plugins.module_utils._filters import filter_time

    import datetime

    when = datetime.datetime(2017, 8, 3, 17, 31, 7, tzinfo=datetime.timezone.utc)
    assert filter_time(when) == "2017-08-03 05:31:07 PM"
    assert filter_time(when.replace(hour=5)) == "2017-08-03 05:31:07 AM"
    assert filter_time(when.replace(hour=0)) == "2017-08-03 12:31:07 AM"
    assert filter_time(when.replace(hour=12)) == "2017-08-03 12:31:07 PM"


# ------------------------------------------------------------------ a fake vault for the waiter


def job_resource(job_id, status, start="2017-08-03T05:31:07.014604Z"):
    body = copy.deepcopy(example_body("2025-08-01/Common/GetJobDetails.json"))
    body["name"] = job_id
    body["id"] = VAULT + "/backupJobs/" + job_id
    body["properties"]["status"] = status
    body["properties"]["startTime"] = start
    if status in TERMINAL:
        body["properties"]["endTime"] = "2017-08-03T05:51:07.014604Z"
    return body


def failed_job(job_id, status="Failed"):
    body = job_resource(job_id, status)
    body["properties"].update(
        {
            "actionsInfo": ["Retriable"],
            "isUserTriggered": True,
            "containerName": "iaasvmcontainerv2;rg;vm1",
            "errorDetails": [
                {
                    "errorCode": 400001,
                    "errorTitle": "Snapshot failed",
                    "errorString": "Could not communicate with the VM agent.",
                    "recommendations": ["Ensure the VM agent is running.", "Retry the backup."],
                }
            ],
        }
    )
    body["properties"]["extendedInfo"]["dynamicErrorMessage"] = "Snapshot task timed out"
    return body


def list_item(job_id):
    """A job as BackupJobs_List gives it: no extendedInfo."""
    body = job_resource(job_id, "InProgress")
    del body["properties"]["extendedInfo"]
    return body


class FakeVault(object):
    """Answers GET backupJobs/{id} from a script of statuses per job (the last one repeats) and the list call."""

    def __init__(self, script, bodies=None, tick_on_list=False):
        self.tick_on_list = tick_on_list  # each list call (one per poll) also moves every job one step on
        self.script = dict((k, list(v)) for k, v in script.items())
        self.bodies = bodies or {}
        self.gets = []
        self.filters = []
        self.current = {}
        self.throttled = {}  # job id -> (Retry-After, GETs answered before) of the 429 its GETs get
        self.hidden = set()  # running jobs the list does not show

    def status(self, job_id, advance):
        seq = self.script[job_id]
        if advance:
            self.current[job_id] = seq.pop(0) if len(seq) > 1 else seq[0]
        return self.current.get(job_id, seq[0])

    def on_get(self, request):
        job_id = JOB_URL_RE.match(request.url).group(1)
        self.gets.append(job_id)
        if job_id not in self.script:
            return (
                404,
                {"x-ms-request-id": "r404"},
                json.dumps({"error": {"code": "ResourceNotFound", "message": "not found"}}),
            )
        if job_id in self.throttled and self.gets.count(job_id) > self.throttled[job_id][1]:
            error = {
                "error": {"code": "SubscriptionRequestsThrottled", "message": "Number of 'read' requests exceeded."}
            }
            return 429, {"Retry-After": self.throttled[job_id][0], "x-ms-request-id": "r429"}, json.dumps(error)
        status = self.status(job_id, not self.tick_on_list)  # when the list moves jobs on, a GET only reads
        maker = self.bodies.get(status, job_resource)
        return 200, {}, json.dumps(maker(job_id, status))

    def on_list(self, request):
        first_page = "skiptoken" not in request.url
        running = [j for j in self.script if self.status(j, self.tick_on_list and first_page) == "InProgress"]
        running = [j for j in running if j not in self.hidden]
        page1 = [list_item(j) for j in running[:15]]
        page2 = [list_item(j) for j in running[15:]]
        if "skiptoken" in request.url:
            return 200, {}, json.dumps({"value": page2})
        self.filters.append(unquote(request.url.split("%24filter=", 1)[1].split("&")[0]).replace("+", " "))
        return (
            200,
            {},
            json.dumps(
                {"value": page1, "nextLink": BASE + VAULT + "/backupJobs?api-version=2026-10-01&%24skiptoken=2"}
            ),
        )

    def install(self):
        responses.add_callback(responses.GET, JOB_URL_RE, callback=self.on_get)
        responses.add_callback(responses.GET, LIST_URL_RE, callback=self.on_list)


def waiter(clock, tokens, **kwargs):
    client = ArmClient(BASE, tokens, SUB, clock=clock, sleep=clock.sleep, retry=RetryPolicy(rng=lambda: 0.0))
    kwargs.setdefault("timeout", 3600)
    kwargs.setdefault("poll_interval", 30)
    return Waiter(client, VAULT_PATH, clock=clock, sleep=clock.sleep, **kwargs)


def guid(n):
    return str(uuid.UUID(int=n))


# ------------------------------------------------------------------ the waiter


@responses.activate
def test_single_job_completes(clock, tokens):
    vault = FakeVault({guid(1): ["InProgress", "InProgress", "Completed"]})
    vault.install()
    start = clock.now
    result = waiter(clock, tokens).wait([guid(1)])
    assert result.polls == 3 and result.timed_out is False and result.warnings == []
    assert clock.sleeps == [30, 30]  # first poll at once
    assert result.elapsed == 60 and clock.now == start + 60
    assert [j["status"] for j in result.jobs] == ["Completed"]
    assert result.jobs[0]["extended_info"]["property_bag"] == {"VM Name": "testvm"}


@responses.activate
def test_already_ended_job_returns_at_once(clock, tokens):
    FakeVault({guid(1): ["Completed"]}).install()
    result = waiter(clock, tokens).wait([VAULT + "/backupJobs/" + guid(1)])  # full ARM id accepted
    assert result.polls == 1 and clock.sleeps == [] and len(responses.calls) == 1


@responses.activate
def test_many_jobs_are_listed_and_each_read_once_as_it_ends(clock, tokens):
    """Two or more jobs: every poll, the first included, is one list of the running jobs; a job that left it is
    read once (a Cancelling job is not in an InProgress list, so it is read until it is running again)."""
    vault = FakeVault(
        {
            guid(1): ["InProgress", "Completed"],
            guid(2): ["Completed"],
            guid(3): ["InProgress", "Cancelling", "InProgress", "Completed"],
        },
        tick_on_list=True,
    )
    vault.install()
    result = waiter(clock, tokens, poll_interval=10).wait([guid(1), guid(2), guid(1).upper(), guid(3)])
    assert [j["job_id"] for j in result.jobs] == [guid(1), guid(2), guid(3)]
    assert [j["status"] for j in result.jobs] == ["Completed"] * 3
    assert vault.gets == [guid(2), guid(1), guid(3), guid(3)]
    assert len(vault.filters) == 4 and vault.filters[0] == "status eq 'InProgress'"  # the first poll has no window
    assert result.polls == 4 and clock.sleeps == [10, 10, 10]


@responses.activate
def test_list_mode_from_the_first_poll(clock, tokens):
    """30 jobs: the first poll is a paged list (no GET at all); later polls GET only the jobs that left it."""
    script = dict((guid(n), ["InProgress"]) for n in range(1, 31))
    vault = FakeVault(script, tick_on_list=True)
    vault.install()
    w = waiter(clock, tokens, timeout=65, poll_interval=30)
    for n in range(1, 6):  # these end at the second poll
        vault.script[guid(n)].append("Completed")
    with pytest.raises(WaitTimeout) as err:
        w.wait(list(script))
    # polls at t=0, 30, 60 and 63 (the last before the deadline): 4 lists of 2 pages, and a GET of the 5 that ended
    assert sorted(vault.gets) == sorted(guid(n) for n in range(1, 6))
    assert len(vault.filters) == 4
    assert vault.filters[0] == "status eq 'InProgress'"
    assert (
        vault.filters[1]
        == "status eq 'InProgress' and startTime eq '2017-08-03 05:31:07 AM' and endTime eq '2017-08-03 05:31:08 AM'"
    )
    assert len([c for c in responses.calls if "skiptoken" in c.request.url]) == 4
    assert err.value.result["polls"] == 4


@responses.activate
def test_failed_job_raises_job_failed_with_error_details(clock, tokens):
    vault = FakeVault(
        {guid(1): ["InProgress", "Failed"], guid(2): ["Completed"]}, bodies={"Failed": failed_job}, tick_on_list=True
    )
    vault.install()
    with pytest.raises(JobFailed) as err:
        waiter(clock, tokens).wait([guid(1), guid(2)])
    exc = err.value
    assert [j["job_id"] for j in exc.result["jobs"]] == [guid(1), guid(2)]
    assert exc.msg.startswith("1 of 2 job(s) ended in a failed state") and guid(2) not in exc.msg
    for text in (
        guid(1),
        "testvm",
        "Failed",
        "errorCode 400001",
        "Could not communicate with the VM agent.",
        "Ensure the VM agent is running.",
        "Snapshot task timed out",
    ):
        assert text in exc.msg
    assert exc.result["timed_out"] is False and exc.result["polls"] == 2
    assert exc.result["ansible_facts"]["azure_backup_jobs"][guid(1)]["status"] == "Failed" and "job" not in exc.result


@responses.activate
def test_cancelled_fails_by_default_and_is_configurable(clock, tokens):
    FakeVault({guid(1): ["Cancelled"]}).install()
    with pytest.raises(JobFailed):
        waiter(clock, tokens).wait([guid(1)])
    result = waiter(clock, tokens, failed_states=["Failed"]).wait([guid(1)])
    assert result.jobs[0]["status"] == "Cancelled"


@responses.activate
def test_completed_with_warnings_is_a_warning(clock, tokens):
    FakeVault({guid(1): ["CompletedWithWarnings"]}, bodies={"CompletedWithWarnings": failed_job}).install()
    result = waiter(clock, tokens).wait([guid(1)])
    assert (
        len(result.warnings) == 1 and "CompletedWithWarnings" in result.warnings[0] and "400001" in result.warnings[0]
    )


@responses.activate
def test_unknown_status_keeps_waiting(clock, tokens):
    FakeVault({guid(1): ["SomethingNew", "Completed"]}).install()
    assert waiter(clock, tokens).wait([guid(1)]).polls == 2


@responses.activate
def test_timeout_deadline_honoured_exactly(clock, tokens):
    vault = FakeVault({guid(1): ["InProgress"], guid(2): ["InProgress", "Completed"]}, tick_on_list=True)
    vault.install()
    start = clock.now
    with pytest.raises(WaitTimeout) as err:
        waiter(clock, tokens, timeout=100, poll_interval=30).wait([guid(1), guid(2)])
    exc = err.value
    assert clock.sleeps == [30, 30, 30, 8]  # the last sleep ends 2 s before the deadline, for a last poll
    assert clock.now == start + 98  # never past it
    assert exc.result["polls"] == 5 and exc.result["elapsed"] == 98
    assert [j["status"] for j in exc.result["jobs"]] == ["InProgress", "Completed"]
    assert guid(1) in exc.msg and guid(2) not in exc.msg and exc.result["timed_out"] is True


@responses.activate
def test_shared_deadline_wins_over_timeout(clock, tokens):
    FakeVault({guid(1): ["InProgress"]}).install()
    start = clock.now
    with pytest.raises(WaitTimeout):
        waiter(clock, tokens, timeout=3600, poll_interval=30, deadline=start + 45).wait([guid(1)])
    assert clock.sleeps == [30, 13] and clock.now == start + 43


@responses.activate
def test_unknown_job_raises_not_found_at_once(clock, tokens):
    FakeVault({guid(1): ["InProgress"]}).install()
    with pytest.raises(NotFound) as err:
        waiter(clock, tokens).wait([guid(1), guid(9)])
    assert guid(9) in err.value.msg and err.value.status == 404 and err.value.request_id == "r404"
    assert clock.sleeps == []


@responses.activate
def test_list_mode_lasts_to_the_last_job(clock, tokens):
    """The list call stays in use down to the last job."""
    script = dict((guid(n), ["InProgress"]) for n in range(1, 26))
    vault = FakeVault(script, tick_on_list=True)
    vault.install()
    w = waiter(clock, tokens, timeout=3600, poll_interval=30)
    for n in range(1, 21):  # 20 of the 25 end at the second poll, the other 5 at the third
        vault.script[guid(n)].append("Completed")
    for n in range(21, 26):
        vault.script[guid(n)].extend(["InProgress", "Completed"])
    result = w.wait(list(script))
    assert result.polls == 3
    # poll 1: a list only; poll 2: a list + GETs of the 20 that ended; poll 3 (5 pending): a list + 5 GETs
    assert len(vault.gets) == 25 and len(vault.filters) == 3


@responses.activate
def test_one_job_is_read_with_a_get(clock, tokens):
    vault = FakeVault({guid(1): ["InProgress", "InProgress", "Completed"]})
    vault.install()
    result = waiter(clock, tokens).wait([guid(1)])
    assert vault.gets == [guid(1)] * 3 and vault.filters == [] and result.polls == 3


@responses.activate
def test_a_job_the_list_does_not_show_is_read_with_gets(clock, tokens):
    """A running job outside the list's window (Azure's default window when no start time is known): GETs."""
    vault = FakeVault({guid(1): ["InProgress", "InProgress", "Completed"], guid(2): ["InProgress"]})
    vault.hidden = {guid(1)}
    vault.install()
    with pytest.raises(WaitTimeout):
        waiter(clock, tokens, timeout=70, poll_interval=30).wait([guid(1), guid(2)])
    assert vault.gets.count(guid(1)) == 3 and guid(2) not in vault.gets


@responses.activate
def test_list_window_is_made_of_the_jobs_start_times(clock, tokens):
    """No clock of ours goes into the window: a local clock behind (or ahead of) Azure's cannot hide a job."""
    vault = FakeVault(
        dict((guid(n), ["InProgress", "InProgress", "Completed"]) for n in range(1, 23)), tick_on_list=True
    )
    vault.install()
    result = waiter(clock, tokens).wait(list(vault.script))
    assert vault.filters[0] == "status eq 'InProgress'"
    assert (
        vault.filters[1]
        == "status eq 'InProgress' and startTime eq '2017-08-03 05:31:07 AM' and endTime eq '2017-08-03 05:31:08 AM'"
    )
    assert result.polls == 3 and [j["status"] for j in result.jobs] == ["Completed"] * 22
    assert len(vault.gets) == 22 and len(vault.filters) == 3  # each job read once, as it ended
    assert result.jobs[0]["extended_info"]["property_bag"] == {"VM Name": "testvm"}


@responses.activate
def test_list_mode_keeps_a_running_jobs_extended_info(clock, tokens):
    """List items carry no extendedInfo: the tasks and progress a GET gave stay in the result."""
    script = dict((guid(n), ["InProgress"]) for n in range(1, 4))
    script[guid(1)] = ["Cancelling", "InProgress"]  # read with a GET while cancelling, then listed again
    vault = FakeVault(script, tick_on_list=True)
    vault.install()
    with pytest.raises(WaitTimeout) as err:
        waiter(clock, tokens, timeout=100, poll_interval=30).wait(list(script))
    assert vault.gets == [guid(1)]
    first = err.value.result["jobs"][0]
    assert first["status"] == "InProgress"
    assert [task["task_id"] for task in first["extended_info"]["tasks_list"]] == [
        "Take Snapshot",
        "Transfer data to vault",
    ]


@responses.activate
def test_throttling_past_the_deadline_ends_as_a_timeout_with_the_last_jobs(clock, tokens):
    vault = FakeVault({guid(1): ["InProgress"]})
    vault.throttled[guid(1)] = ("500", 1)  # the second GET is throttled, with a wait the deadline cannot afford
    vault.install()
    w = waiter(clock, tokens, timeout=100, poll_interval=30)
    with pytest.raises(WaitTimeout) as err:
        w.wait([guid(1)])
    result = err.value.result
    assert result["timed_out"] is True and result["request_id"] == "r429"
    assert result["error_code"] == "SubscriptionRequestsThrottled"
    assert [job["status"] for job in result["jobs"]] == ["InProgress"]  # the last state seen
    assert clock.sleeps == [30]  # the poll interval, then no pointless sleep of Azure's 500 s


@responses.activate
def test_wait_for_snapshot_returns_once_the_snapshot_is_taken(clock, tokens):
    """wait_for=snapshot: done when "Take Snapshot" completed, while the transfer goes on; jobs are read with GETs."""

    def snapshot_done(job_id, status):
        body = job_resource(job_id, "InProgress")
        body["properties"]["extendedInfo"]["tasksList"][0]["status"] = "Completed"
        body["properties"]["extendedInfo"]["tasksList"][1]["status"] = "InProgress"
        return body

    vault = FakeVault({guid(1): ["InProgress", "Snapping"], guid(2): ["Snapping"]}, bodies={"Snapping": snapshot_done})
    vault.install()
    result = waiter(clock, tokens, until="snapshot").wait([guid(1), guid(2)])
    assert result.polls == 2 and vault.filters == []  # snapshots need the tasks: GETs, no list
    assert [j["status"] for j in result.jobs] == ["InProgress", "InProgress"]  # still running: the transfer goes on
    assert vault.gets == [guid(1), guid(2), guid(1)]
