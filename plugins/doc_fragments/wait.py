# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How long and how often to wait on jobs.
    DOCUMENTATION = r'''
options:
  timeout:
    description:
      - How long the task may wait, in seconds. One deadline covers the whole task, following the
        operation and polling the jobs alike; when it passes the task fails with C(timed_out=true),
        C(elapsed) and the last state seen of every job.
      - A finite number above 0 and at most 2592000 (30 days).
    type: float
    default: 3600
  poll_interval:
    description:
      - Seconds between two polls of the jobs. While an operation is followed, Azure's C(Retry-After)
        is honoured, but never waited on longer than this.
      - A finite number above 0 and at most 3600.
    type: float
    default: 15
  wait_for:
    description:
      - What to wait for. V(completion) waits until every job has ended.
      - V(snapshot) returns as soon as each Backup job's C(Take Snapshot) task has completed, that is once the
        instant-restore recovery point exists, while the transfer to the vault goes on; the result then lists
        the jobs still running in C(still_running), and a later M(cloudops.azure_backup.azure_backup_job_wait)
        picks them up. A job that fails its snapshot fails the task as with V(completion). A job without a
        C(Take Snapshot) task (a restore, a protection change) is waited on until it ends.
    type: str
    choices: [completion, snapshot]
    default: completion
  progress_interval:
    description:
      - While the task waits, the controller shows a line per job when its state changes (VM, operation,
        status, the running task, its progress and Azure's estimate of the time left) and a heartbeat at least
        this often, in seconds, so that an idle timeout (AWX has one) never ends a long wait. V(0) turns the
        lines off.
      - The lines come from the polls the wait makes anyway, and are shown when the task runs in the controller
        (a local connection, the usual case for Azure modules); delegated elsewhere, the module waits silently.
        See the waiting guide (docs/waiting.md).
      - A finite number from 0 to 3600.
    type: float
    default: 60
'''

    # The wait switch of the modules that start a job.
    OPERATION = r'''
options:
  wait:
    description:
      - Wait until the job the operation started has ended, exactly like
        M(cloudops.azure_backup.azure_backup_job_wait), and return it with its extended information
        and as facts. O(timeout) and O(poll_interval) apply.
      - Without waiting the task ends as soon as Azure has given the job id.
    type: bool
    default: false
'''
