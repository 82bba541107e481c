# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Live progress: a line per job state change, a heartbeat at least every interval, also while sleeping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _progress
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import normalize_job

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import example_body


def job(status="InProgress", task_status=("InProgress", "NotStarted"), percent=40.0, left="PT12M", overall=None):
    body = example_body("2025-08-01/Common/GetJobDetails.json")
    body["properties"]["status"] = status
    tasks = body["properties"]["extendedInfo"]["tasksList"]
    for task, state in zip(tasks, task_status):
        task["status"] = state
    tasks[0]["progressPercentage"] = percent
    body["properties"]["extendedInfo"]["progressPercentage"] = overall
    body["properties"]["extendedInfo"]["estimatedRemainingDuration"] = left
    return normalize_job(body)


def test_a_job_line_names_vm_operation_status_task_progress_and_time_left():
    line = _progress.job_line(job(overall=12.5))
    assert line.startswith(
        "testvm Backup InProgress: Take Snapshot 40 %, job 12 %, about 12m00s left (Azure's estimate) [job "
    )
    done = _progress.job_line(job("Completed", ("Completed", "Completed"), left=None))
    assert done.startswith("testvm Backup Completed [job ")


def test_lines_on_changes_and_heartbeats_on_the_interval(clock):
    lines = []
    progress = _progress.Progress(lines.append, 60, deadline=clock() + 3600, clock=clock, sleep=clock.sleep)

    def ended(j):
        return j["status"] == "Completed"

    progress.jobs([job(overall=12.0)], ended)
    progress.jobs([job(overall=15.0)], ended)  # nothing worth a line: the same status and task, less than 10 points
    assert len(lines) == 1
    progress.sleep(150)  # a long sleep between polls: heartbeats at 60 and 120
    assert [line.split(":")[0] for line in lines[1:]] == ["still waiting", "still waiting"]
    assert lines[1] == "still waiting: 0 of 1 job(s) done, 1 running, 1m00s elapsed, 59m00s left before the timeout"
    assert sum(clock.sleeps) == 150
    progress.jobs([job(percent=80.0, overall=30.0)], ended)  # the job moved on by 10 points or more
    progress.jobs([job(task_status=("Completed", "InProgress"), overall=31.0)], ended)  # the next task
    progress.jobs([job("Completed", ("Completed", "Completed"), left=None)], ended)
    assert (
        "Take Snapshot 80 %, job 30 %" in lines[3] and "Transfer data to vault" in lines[4] and "Completed" in lines[5]
    )


def test_heartbeats_come_on_time_even_while_jobs_keep_changing(clock):
    lines = []
    progress = _progress.Progress(lines.append, 60, clock=clock, sleep=clock.sleep)
    for step in range(10):  # a poll every 15 s, each moving the job on by 10 points
        progress.jobs([job(overall=10.0 * step)], lambda j: False)
        progress.sleep(15)
    assert len([line for line in lines if line.startswith("still waiting")]) == 2  # at 60 and 120 s
    assert len([line for line in lines if line.startswith("testvm")]) == 10


def test_interval_zero_says_nothing_and_sleeps_in_one_go(clock):
    lines = []
    progress = _progress.Progress(lines.append, 0, clock=clock, sleep=clock.sleep)
    progress.jobs([job()], lambda j: False)
    progress.sleep(300)
    assert lines == [] and clock.sleeps == [300] and not progress.enabled


def test_before_any_job_is_known_the_heartbeat_says_it_waits_for_azure(clock):
    lines = []
    progress = _progress.Progress(lines.append, 10, clock=clock, sleep=clock.sleep)
    progress.sleep(25)
    assert lines == ["still waiting: waiting for Azure, 10s elapsed", "still waiting: waiting for Azure, 20s elapsed"]
