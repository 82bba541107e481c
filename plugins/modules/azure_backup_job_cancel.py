#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_job_cancel
short_description: Cancel a running Azure Backup job
version_added: 0.1.0
description:
  - Asks Azure to cancel a running job of a Recovery Services vault and follows the cancellation request
    until Azure has taken it; the job then goes C(Cancelling) and C(Cancelled).
  - A job that has already ended, or is already being cancelled, is left alone (C(changed=false)).
  - Azure refuses to cancel a job in some phases (for example a VM backup while it transfers data to the
    vault); the task then fails and quotes Azure's error.
  - With O(wait=true) the task waits until the job has ended and returns it; a job that ended
    C(Completed) before the cancellation took effect gives a warning, one that C(Failed) fails the task.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  job_id:
    description: The job to cancel, as its GUID or its full ARM id (then the vault comes from the id).
    type: str
    required: true
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.wait.OPERATION
  - cloudops.azure_backup.wait
  - cloudops.azure_backup.attributes
  - cloudops.azure_backup.attributes.FACTS
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the job is read, but no cancellation is sent.
seealso:
  - module: cloudops.azure_backup.azure_backup_job_info
    description: Find the running jobs.
  - module: cloudops.azure_backup.azure_backup_job_wait
    description: Wait for jobs to end.
'''

EXAMPLES = r'''
- name: Start a backup
  cloudops.azure_backup.azure_backup_trigger:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-db-01
  register: backup

- name: Cancel it, and wait until it is cancelled
  cloudops.azure_backup.azure_backup_job_cancel:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    job_id: "{{ backup.job_id }}"
    wait: true
  register: cancelled

- name: Cancelling it again changes nothing
  cloudops.azure_backup.azure_backup_job_cancel:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    job_id: "{{ backup.job_id }}"
'''

RETURN = r'''
job_id:
  description: GUID of the job.
  returned: always
  type: str
  sample: 41f3e94b-ae6b-4a20-b422-65abfcaf03e5
operation_id:
  description: Id of the cancellation operation Azure started.
  returned: when a cancellation was sent
  type: str
  sample: 92a2c3c9-e7e1-4a2b-8a11-2fdde7c4a0b1
job:
  description:
    - The job as last read (after the wait with O(wait=true)); see M(cloudops.azure_backup.azure_backup_job_wait) for its keys.
  returned: always
  type: dict
jobs:
  description: The job in a list.
  returned: always
  type: list
  elements: dict
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
ansible_facts:
  description: C(azure_backup_job) and C(azure_backup_jobs), as M(cloudops.azure_backup.azure_backup_job_wait) sets them.
  returned: always
  type: dict
  contains:
    azure_backup_job:
      description: The job.
      type: dict
    azure_backup_jobs:
      description: The same job, by job id.
      type: dict
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ApiError, NotFound
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import (
    TERMINAL,
    job_results,
    normalize_job,
    wait_for,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main
from ansible_collections.cloudops.azure_backup.plugins.module_utils._operations import follow


def read_job(module, client, vault, job_id):
    try:
        return normalize_job(client.get(_ids.job_path(vault, job_id), deadline=module.deadline()).body)
    except NotFound as error:
        raise error.rephrased('job_id: vault %s has no job %s (%s).' % (vault.name, job_id, error.msg)) from error


def cancel(module, client, vault, job):
    """POST the cancellation and follow it until Azure has taken it; the operation id."""
    try:
        response = client.post(_ids.job_cancel_path(vault, job['job_id']), deadline=module.deadline())
    except ApiError as error:
        if error.status != 400:
            raise
        raise error.rephrased(
            'Azure refused to cancel job %s (%s of %s, %s) in its current phase: %s: %s'
            % (
                job['job_id'],
                job['operation'],
                job['entity_friendly_name'],
                describe_phase(job),
                error.code,
                error.message,
            )
        ) from error
    what = 'cancellation of job %s' % job['job_id']
    return follow(client, response, what, module.deadline(), module.params['poll_interval'], {'job_id': job['job_id']},
                  need_job=False).operation_id  # fmt: skip


def describe_phase(job):
    running = [task['task_id'] for task in job['extended_info']['tasks_list'] if task.get('status') == 'InProgress']
    return 'task %s' % running[0] if running else 'status %s' % job['status']


def run_module(module):
    vault, job_ids = module.job_refs([module.params['job_id']], option='job_id')
    client = module.client()
    job = read_job(module, client, vault, job_ids[0])
    changed = job['status'] not in TERMINAL and job['status'] != 'Cancelling'
    if changed and 'Cancellable' not in (job['actions_info'] or []):
        module.warn(
            'Azure does not list this job as cancellable now (actions: %s); it may refuse.'
            % (job['actions_info'] or 'none')
        )
    result = dict(changed=changed, job_id=job['job_id'])
    if changed and not module.check_mode:
        with module.carrying(dict(result, changed=False)):  # a lost answer says changed itself
            result['operation_id'] = cancel(module, client, vault, job)
        with module.carrying(result):
            job = read_job(module, client, vault, job['job_id'])
    result.update(job_results([job]))
    if module.params['wait'] and not module.check_mode:
        with module.carrying(result):
            result.update(wait_for(module, [job['job_id']], vault, failed_states=['Failed']))
        if result['job']['status'] != 'Cancelled':
            module.warn('Job %s ended %s: it was not cancelled.' % (job['job_id'], result['job']['status']))
    result.setdefault('elapsed', module.elapsed())
    return result


ARGUMENTS = dict(
    argument_spec=dict(job_id=dict(type='str', required=True)),
    shared=('auth', 'vault', 'operation'),
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
