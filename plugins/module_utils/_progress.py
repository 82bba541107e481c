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


def job_state(job):
    """What a job line shows, as a tuple that changes when the line would: status, running task, progress."""
    task = _running_task(job)
    extended = job.get('extended_info') or {}
    percent = extended.get('progress_percentage')
    if percent is None and task is not None:
        percent = task.get('progress_percentage')
    return (job.get('status'), task and task.get('task_id'), None if percent is None else int(percent))


def job_line(job):
    """One line naming a job and where it is: ``vm-web-01 Backup InProgress: Take Snapshot 40 %, about 12m left``."""
    status, task, percent = job_state(job)
    text = '%s %s %s' % (job.get('entity_friendly_name') or 'job', job.get('operation') or '', status or 'unknown')
    details = []
    if task:
        details.append(task + ('' if percent is None else ' %d %%' % percent))
    elif percent is not None and status == 'InProgress':
        details.append('%d %%' % percent)
    left = (job.get('extended_info') or {}).get('estimated_remaining_duration')
    if left and status == 'InProgress':
        details.append('Azure estimates %s left' % left)
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
        self._last_line = self.started
        self._states = {}
        self._jobs = {}

    @property
    def enabled(self):
        return self.interval > 0

    def _say(self, text):
        self._last_line = self.clock()
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
        self._say('still waiting: ' + ', '.join(parts))

    def tick(self):
        """A heartbeat when none was said for ``interval`` seconds."""
        if self.enabled and self.clock() - self._last_line >= self.interval:
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
            self.real_sleep(min(left, max(0.05, self._last_line + self.interval - self.clock())))
            self.tick()
