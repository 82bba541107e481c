# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Normalise a JobResource; the waiter (one deadline, injectable clock).
Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import re
from collections import namedtuple

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    DeadlineReached,
    JobFailed,
    NotFound,
    WaitTimeout,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._filters import job_filter, parse_azure_time
from ansible_collections.cloudops.azure_backup.plugins.module_utils._polling import Poller

TERMINAL = ("Completed", "CompletedWithWarnings", "Failed", "Cancelled")
RUNNING = ("InProgress", "Cancelling")
DEFAULT_FAILED_STATES = ("Failed", "Cancelled")

WaitResult = namedtuple("WaitResult", ["jobs", "elapsed", "polls", "timed_out", "warnings"], defaults=(False, ()))

# ----------------------------------------------------------------------------- durations

_TIMESPAN_RE = re.compile(r"^(-)?(?:(\d+)\.)?(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d+))?$")
_NUM = r"(\d+(?:[.,]\d+)?)"
_ISO_RE = re.compile(
    r"^(-)?P(?:%sW)?(?:%sD)?(?:T(?:%sH)?(?:%sM)?(?:%sS)?)?$" % (_NUM, _NUM, _NUM, _NUM, _NUM), re.IGNORECASE
)


def _num(text):
    return float(text.replace(",", ".")) if text else 0.0


def parse_duration(value):
    """Seconds (rounded to 2 decimals) of a .NET TimeSpan (``00:20:23.0896697``, ``1.02:03:04.5``) or an
    ISO-8601 duration (``PT12.4272909S``, ``PT1H2M3S``, ``P1DT2H``); None for None/"" or anything else."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(float(value), 2)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    match = _TIMESPAN_RE.match(text)
    if match:
        sign, days, hours, minutes, seconds, frac = match.groups()
        total = int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        if frac:
            total += float("0." + frac)
        return round(-total if sign else total, 2)
    match = _ISO_RE.match(text)
    if match and text.upper() not in ("P", "PT") and not text.upper().endswith("T"):
        sign, weeks, days, hours, minutes, seconds = match.groups()
        total = _num(weeks) * 604800 + _num(days) * 86400 + _num(hours) * 3600 + _num(minutes) * 60 + _num(seconds)
        return round(-total if sign else total, 2)
    return None


# ----------------------------------------------------------------------------- normalisation


def _task(task):
    task = task if isinstance(task, dict) else {}
    return {
        "task_id": task.get("taskId"),
        "status": task.get("status"),
        "start_time": task.get("startTime"),
        "end_time": task.get("endTime"),
        "duration": task.get("duration"),
        "duration_seconds": parse_duration(task.get("duration")),
        "progress_percentage": task.get("progressPercentage"),
        "instance_id": task.get("instanceId"),
        "task_execution_details": task.get("taskExecutionDetails"),
    }


def _error_detail(err):
    err = err if isinstance(err, dict) else {}
    recs = err.get("recommendations")
    return {
        "error_code": err.get("errorCode"),
        "error_title": err.get("errorTitle"),
        "error_string": err.get("errorString"),
        "recommendations": list(recs) if isinstance(recs, list) else ([] if recs is None else [recs]),
    }


def normalize_extended_info(ext):
    ext = ext if isinstance(ext, dict) else {}
    return {
        "tasks_list": [_task(t) for t in ext.get("tasksList") or []],
        "property_bag": dict(ext.get("propertyBag") or {}),
        "internal_property_bag": dict(ext.get("internalPropertyBag") or {}),
        "progress_percentage": ext.get("progressPercentage"),
        "estimated_remaining_duration": ext.get("estimatedRemainingDuration"),
        "dynamic_error_message": ext.get("dynamicErrorMessage"),
    }


def normalize_job(resource):
    """JobResource -> the snake_case job dict of DESIGN §3 (every key always present)."""
    resource = resource if isinstance(resource, dict) else {}
    props = resource.get("properties") if isinstance(resource.get("properties"), dict) else {}
    job_id = resource.get("name")
    if not job_id and resource.get("id"):
        job_id = str(resource["id"]).rstrip("/").rsplit("/", 1)[-1]
    actions = props.get("actionsInfo")
    return {
        "id": resource.get("id"),
        "job_id": job_id,
        "status": props.get("status"),
        "operation": props.get("operation"),
        "job_type": props.get("jobType"),
        "entity_friendly_name": props.get("entityFriendlyName"),
        "backup_management_type": props.get("backupManagementType"),
        "start_time": props.get("startTime"),
        "end_time": props.get("endTime"),
        "duration": props.get("duration"),
        "duration_seconds": parse_duration(props.get("duration")),
        "activity_id": props.get("activityId"),
        "actions_info": list(actions) if isinstance(actions, list) else [],
        "error_details": [_error_detail(e) for e in props.get("errorDetails") or []],
        "container_name": props.get("containerName"),
        "is_user_triggered": props.get("isUserTriggered"),
        "virtual_machine_version": props.get("virtualMachineVersion"),
        "extended_info": normalize_extended_info(props.get("extendedInfo")),
    }


def describe_job(job):
    """One line naming a normalised job and, when it failed, Azure's reasons."""
    text = "job %s (%s%s) %s" % (
        job.get("job_id"),
        job.get("entity_friendly_name") or "unknown entity",
        ", " + job["operation"] if job.get("operation") else "",
        job.get("status"),
    )
    reasons = []
    for err in job.get("error_details") or []:
        part = "errorCode %s" % err.get("error_code") if err.get("error_code") is not None else ""
        if err.get("error_title"):
            part += (" " if part else "") + str(err["error_title"])
        if err.get("error_string"):
            part += (": " if part else "") + str(err["error_string"])
        if err.get("recommendations"):
            part += " Recommendations: " + " ".join(str(r) for r in err["recommendations"])
        if part:
            reasons.append(part.strip())
    dynamic = (job.get("extended_info") or {}).get("dynamic_error_message")
    if dynamic and not any(
        dynamic.strip() == str(err.get("error_string") or "").strip() for err in job.get("error_details") or []
    ):
        reasons.append("dynamicErrorMessage: %s" % dynamic)
    if reasons:
        text += ": " + "; ".join(reason.rstrip(". ") for reason in reasons)
    return text


# ----------------------------------------------------------------------------- results


def job_results(jobs, single=None, facts=True):
    """The result keys for normalised jobs: ``jobs``, ``job`` (one job), and, for the modules that wait, the facts
    ``azure_backup_jobs`` (by job id) and ``azure_backup_job``. The one place jobs are shaped into results."""
    jobs = list(jobs or [])
    result = dict(jobs=jobs)
    if single is None:
        single = len(jobs) == 1
    if single and jobs:
        result['job'] = jobs[0]
    if facts:
        result['ansible_facts'] = dict(azure_backup_jobs=dict((job['job_id'], job) for job in jobs))
        if single and jobs:
            result['ansible_facts']['azure_backup_job'] = jobs[0]
    return result


# ----------------------------------------------------------------------------- the waiter


class Waiter(object):
    """Wait on one or many jobs under one monotonic deadline (``deadline`` wins over ``timeout``).

    One job is read with a GET per poll. Two or more: every poll, the first included, is one paged list of the
    jobs still InProgress (in the window of their start times once those are known), and a job that left the
    list is read once with a GET, for its final state and extended information. ``until``: ``completion``, or
    ``snapshot`` (a Backup job is done once its "Take Snapshot" task completed; this needs the running jobs'
    tasks, so each is read with a GET). ``progress`` (a _progress.Progress) hears every poll. ``clock`` and
    ``sleep`` default to the client's, so one fake clock drives a whole test."""

    def __init__(
        self,
        client,
        vault,
        timeout=None,
        poll_interval=None,
        failed_states=DEFAULT_FAILED_STATES,
        clock=None,
        sleep=None,
        deadline=None,
        until='completion',
        progress=None,
    ):
        self.client = client
        self.vault = vault
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.failed_states = tuple(failed_states if failed_states is not None else DEFAULT_FAILED_STATES)
        self.clock = clock or client.clock
        self.sleep = sleep or client.sleep
        self.deadline = deadline
        self.until = until
        self.progress = progress
        self._unlisted = set()  # jobs a GET found running although the list did not show them

    def _ended(self, job):
        status = job.get('status')
        if status in TERMINAL or status in self.failed_states:
            return True
        return self.until == 'snapshot' and snapshot_taken(job)

    def _get(self, job_id, deadline):
        try:
            resp = self.client.get(_ids.job_path(self.vault, job_id), deadline=deadline)
        except NotFound as error:
            raise error.rephrased(
                'Job %s was not found in vault %s (%s).' % (job_id, self.vault.id, error.msg)
            ) from error
        return normalize_job(resp.body)

    def _still_running(self, pending, latest, deadline):
        """Job ids among ``pending`` that one paged list call says are still InProgress.

        The window is made of the jobs' own start times, as Azure reported them, once every one is known: no
        clock of ours is involved. Before that (the first poll), the list asks only for running jobs."""
        starts = [parse_azure_time((latest.get(j) or {}).get('start_time')) for j in pending]
        if all(starts):
            earliest = min(starts).replace(microsecond=0)
            latest_start = max(starts).replace(microsecond=0) + datetime.timedelta(seconds=1)
            flt = job_filter(status='InProgress', start_time=earliest, end_time=latest_start)
        else:
            flt = job_filter(status='InProgress')
        wanted = dict((j.lower(), j) for j in pending)
        running = set()
        for item in self.client.list(_ids.jobs_path(self.vault), params={'$filter': flt}, deadline=deadline):
            job = normalize_job(item)
            key = (job.get('job_id') or '').lower()
            if key in wanted and job.get('status') == 'InProgress':
                original = wanted[key]
                # List items carry no extendedInfo: keep the tasks and progress the last GET gave.
                previous = latest.get(original)
                if not job['extended_info']['tasks_list'] and previous and previous.get('extended_info'):
                    job['extended_info'] = previous['extended_info']
                latest[original] = job
                running.add(original)
        return running

    def _poll(self, pending, latest, deadline, listing):
        """One poll: with ``listing``, one paged list, then a GET of each job that left it (and of those a GET
        found running although the list never showed them); else a GET of each pending job."""
        to_get = pending
        if listing:
            running = self._still_running(pending, latest, deadline)
            to_get = [j for j in pending if j not in running or j in self._unlisted]
        for job_id in to_get:
            job = self._get(job_id, deadline)
            if listing and job.get('status') == 'InProgress':
                self._unlisted.add(job_id)
            latest[job_id] = job

    def _outcome(self, ids, latest, poller, polls, timed_out):
        jobs = [latest.get(j) or normalize_job({'name': j}) for j in ids]
        return dict(job_results(jobs), elapsed=poller.elapsed(), polls=polls, timed_out=timed_out)

    def _timeout(self, ids, pending, latest, poller, polls, cause=None):
        seen = [latest[j] for j in pending if j in latest]
        text = 'Timed out after %.0f s waiting for %d of %d job(s)' % (poller.elapsed(), len(pending), len(ids))
        if seen:
            text += ': %s' % '; '.join(describe_job(job) for job in seen[:10]) + ('; ...' if len(seen) > 10 else '')
        result = self._outcome(ids, latest, poller, polls, True)
        if cause is not None:
            text += ' (%s)' % cause.msg
            result.update(error_code=cause.code, request_id=cause.request_id)
        return WaitTimeout(text + '.', result=result)

    def wait(self, job_ids):
        """Poll until every job ended (or took its snapshot); WaitResult(jobs, elapsed, polls, timed_out, warnings).
        Raises JobFailed (a job ended in ``failed_states``), WaitTimeout (the deadline passed), NotFound (an
        unknown id); their results carry every job as last seen."""
        ids = []
        seen = set()
        for ref in job_ids or []:
            job_id = _ids.parse_job_ref(ref).job_id
            if job_id.lower() not in seen:
                seen.add(job_id.lower())
                ids.append(job_id)
        deadline = self.deadline
        if deadline is None and self.timeout is not None:
            deadline = self.clock() + self.timeout
        poller = Poller(deadline, self.poll_interval, clock=self.clock, sleep=self.sleep)
        listing = len(ids) > 1 and self.until == 'completion'
        latest = {}
        pending = list(ids)
        polls = 0
        while pending:
            try:
                self._poll(pending, latest, deadline, listing)
            except DeadlineReached as error:
                raise self._timeout(ids, pending, latest, poller, polls, error) from error
            polls += 1
            if self.progress is not None:
                self.progress.jobs([latest[j] for j in ids], self._ended)
            pending = [j for j in pending if not self._ended(latest[j])]
            if pending and not poller.pause():
                raise self._timeout(ids, pending, latest, poller, polls)
        jobs = [latest[j] for j in ids]
        failed = [job for job in jobs if job.get('status') in self.failed_states]
        if failed:
            raise JobFailed(
                '%d of %d job(s) ended in a failed state: %s.'
                % (len(failed), len(jobs), '; '.join(describe_job(j) for j in failed)),
                result=self._outcome(ids, latest, poller, polls, False),
            )
        warnings = ['%s.' % describe_job(job) for job in jobs if job.get('status') == 'CompletedWithWarnings']
        return WaitResult(jobs, poller.elapsed(), polls, False, warnings)


SNAPSHOT_TASK = 'take snapshot'


def snapshot_taken(job):
    """Whether a job's "Take Snapshot" task completed: the instant-restore recovery point exists."""
    for task in (job.get('extended_info') or {}).get('tasks_list') or []:
        if (task.get('task_id') or '').strip().lower() == SNAPSHOT_TASK:
            return task.get('status') in ('Completed', 'CompletedWithWarnings')
    return False


def wait_for(task, job_ids, vault, failed_states=DEFAULT_FAILED_STATES):
    """Wait for the jobs under the task's deadline, as its options say (poll_interval, wait_for); the result keys
    (jobs, job, facts, elapsed, polls, timed_out, and still_running with wait_for=snapshot)."""
    until = task.params.get('wait_for') or 'completion'
    waiter = Waiter(
        task.client(),
        vault,
        poll_interval=task.params['poll_interval'],
        failed_states=tuple(failed_states),
        deadline=task.deadline(),
        until=until,
        progress=task.progress,
    )
    outcome = waiter.wait(job_ids)
    for warning in outcome.warnings:
        task.warn(warning)
    result = dict(job_results(outcome.jobs), elapsed=task.elapsed(), polls=outcome.polls, timed_out=False)
    if until == 'snapshot':
        result['still_running'] = [job['job_id'] for job in outcome.jobs if job.get('status') not in TERMINAL]
    return result
