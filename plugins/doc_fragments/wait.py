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
    type: float
    default: 3600
  poll_interval:
    description:
      - Seconds between two polls of the jobs. While an operation is followed, Azure's C(Retry-After)
        is honoured, but never waited on longer than this.
    type: float
    default: 15
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
