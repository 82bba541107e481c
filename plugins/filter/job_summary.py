# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: job_summary
short_description: A compact summary of an Azure Backup job
version_added: 0.1.0
description:
  - Turns a job, as the modules of this collection return it, into a small dictionary for reports and
    summaries; the full job keeps everything.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  _input:
    description: A job as M(cloudops.azure_backup.azure_backup_job_wait) returns it.
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: One line per backup
  ansible.builtin.debug:
    msg: "{{ waited.jobs | map('cloudops.azure_backup.job_summary') | list }}"
'''

RETURN = r'''
_value:
  description: The summary.
  type: dict
  contains:
    job_id:
      description: The job's GUID.
      type: str
    vm_name:
      description: The VM the job worked on.
      type: str
    operation:
      description: C(Backup), C(Restore), ...
      type: str
    status:
      description: The job's status.
      type: str
    succeeded:
      description: Whether the job ended C(Completed) or C(CompletedWithWarnings).
      type: bool
    start_time:
      description: When it started.
      type: str
    end_time:
      description: When it ended.
      type: str
    duration_seconds:
      description: How long it ran.
      type: float
    backup_size:
      description: The property bag's C(Backup Size), when there is one.
      type: str
    error:
      description: Azure's error (code and text) when the job failed or warned, else null.
      type: str
'''

from ansible.errors import AnsibleFilterError


def job_summary(job):
    if not isinstance(job, dict) or 'status' not in job:
        raise AnsibleFilterError(
            'job_summary: expected a job as the cloudops.azure_backup modules return it, got %r' % (job,)
        )
    extended = job.get('extended_info') or {}
    errors = ['%s: %s' % (err.get('error_code'), err.get('error_string')) for err in job.get('error_details') or []]
    return dict(
        job_id=job.get('job_id'),
        vm_name=job.get('entity_friendly_name'),
        operation=job.get('operation'),
        status=job.get('status'),
        succeeded=job.get('status') in ('Completed', 'CompletedWithWarnings'),
        start_time=job.get('start_time'),
        end_time=job.get('end_time'),
        duration_seconds=job.get('duration_seconds'),
        backup_size=(extended.get('property_bag') or {}).get('Backup Size'),
        error='; '.join(errors) or extended.get('dynamic_error_message') or None,
    )


class FilterModule(object):
    def filters(self):
        return {'job_summary': job_summary}
