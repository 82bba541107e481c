# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Progress a person can watch while a task waits. Internal to this collection; not a public API.

A line per job when its state changes (VM, operation, status, the running task, progress and Azure's
estimate of the time left), and a heartbeat (jobs done and running, elapsed, time left to the
deadline) at least every ``interval`` seconds, also while the task sleeps between polls or waits
out a Retry-After. Everything comes from the polls the wait makes anyway: no request of its own.
``emit`` is where lines go (the action plugin's Display); clock and sleep are injectable."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import parse_duration


def _seconds(value):
    value = max(0, int(round(value)))
    hours, rest = divmod(value, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return '%dh%02dm' % (hours, minutes)
    if minutes:
        return '%dm%02ds' % (minutes, seconds)
    return '%ds' % seconds


def _running_task(job):
    tasks = (job.get('extended_info') or {}).get('tasks_list') or []
    for task in tasks:
        if task.get('status') == 'InProgress':
            return task
    return None


# A job's line is said again when its progress moved on by this many points (or its status or task changed).
PERCENT_STEP = 10


def _percents(job):
    """(the running task, its percentage, the job's percentage) as Azure reported them (None where not)."""
    task = _running_task(job)
    overall = (job.get('extended_info') or {}).get('progress_percentage')
    return task, None if task is None else task.get('progress_percentage'), overall


def job_state(job):
    """What a job line shows, as a tuple that changes when the line is worth saying again."""
    task, dummy, overall = _percents(job)
    step = None if overall is None else int(overall) // PERCENT_STEP
    return (job.get('status'), task and task.get('task_id'), step)


def job_line(job):
    """One line naming a job and where it is, e.g.
    ``vm-web-01 Backup InProgress: Take Snapshot 40 %, job 12 %, about 18m49s left (Azure's estimate) [job …]``."""
    task, task_percent, overall = _percents(job)
    status = job.get('status') or 'unknown'
    text = '%s %s %s' % (job.get('entity_friendly_name') or 'job', job.get('operation') or '', status)
    details = []
    if task:
        details.append(task.get('task_id') + ('' if task_percent is None else ' %d %%' % task_percent))
    if overall is not None and status == 'InProgress':
        details.append('job %d %%' % overall)
    left = (job.get('extended_info') or {}).get('estimated_remaining_duration')
    seconds = parse_duration(left) if left else None
    if seconds is not None and status == 'InProgress':
        details.append("about %s left (Azure's estimate)" % _seconds(seconds))
    if details:
        text += ': ' + ', '.join(details)
    return '%s [job %s]' % (' '.join(text.split()), job.get('job_id'))


class Progress(object):
    """Lines for one task. ``interval`` seconds between heartbeats (0: no lines at all)."""

    def __init__(self, emit, interval, deadline=None, clock=time.monotonic, sleep=time.sleep, prefix=''):
        self.emit = emit
        self.interval = float(interval or 0)
        self.deadline = deadline
        self.clock = clock
        self.real_sleep = sleep
        self.prefix = prefix
        self.started = clock()
        self._last_heartbeat = self.started
        self._states = {}
        self._jobs = {}

    @property
    def enabled(self):
        return self.interval > 0

    def _say(self, text):
        self.emit(self.prefix + text)

    def jobs(self, jobs, ended):
        """After a poll: a line for each job whose state changed; ``ended(job)`` tells which ones are done."""
        if not self.enabled:
            return
        for job in jobs:
            key = job.get('job_id')
            self._jobs[key] = (job, ended(job))
            state = job_state(job)
            if self._states.get(key) != state:
                self._states[key] = state
                self._say(job_line(job))
        self.tick()

    def heartbeat(self):
        now = self.clock()
        parts = []
        if self._jobs:
            done = sum(1 for job, ended in self._jobs.values() if ended)
            parts.append('%d of %d job(s) done, %d running' % (done, len(self._jobs), len(self._jobs) - done))
        else:
            parts.append('waiting for Azure')
        parts.append('%s elapsed' % _seconds(now - self.started))
        if self.deadline is not None:
            parts.append('%s left before the timeout' % _seconds(self.deadline - now))
        self._last_heartbeat = now
        self._say('still waiting: ' + ', '.join(parts))

    def tick(self):
        """A heartbeat when the last one is ``interval`` seconds old."""
        if self.enabled and self.clock() - self._last_heartbeat >= self.interval:
            self.heartbeat()

    def sleep(self, seconds):
        """Sleep like time.sleep, in slices short enough for the heartbeat to keep its interval."""
        end = self.clock() + max(0.0, seconds)
        while True:
            left = end - self.clock()
            if left <= 0:
                return
            if not self.enabled:
                self.real_sleep(left)
                return
            self.real_sleep(min(left, max(0.05, self._last_heartbeat + self.interval - self.clock())))
            self.tick()
