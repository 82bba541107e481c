#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_job_info
short_description: Read Azure Backup jobs of a Recovery Services vault
version_added: 0.1.0
description:
  - Reads one job by its id, with Azure's extended information (tasks, property bag), or lists the jobs of
    a vault filtered by status, operation, backup management type, a start-time window and VM name.
  - Lists follow Azure's paging to the end. Listed jobs carry no extended information (Azure does not
    send it in lists); read a job by O(job_id) for it.
  - Never waits and never changes anything; see M(cloudops.azure_backup.azure_backup_job_wait) to wait.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  job_id:
    description:
      - The job to read, as its GUID or its full ARM id (then the vault comes from the id).
      - Mutually exclusive with the list filters.
    type: str
  status:
    description: Only jobs with this status.
    type: str
    choices: [InProgress, Completed, CompletedWithWarnings, Failed, Cancelled, Cancelling]
  operation:
    description: Only jobs of this operation.
    type: str
    choices: [Backup, Restore, ConfigureBackup, DisableBackup, DeleteBackupData, CrossRegionRestore, Register, UnRegister, Undelete,
              UpdateCustomerManagedKey]
  backup_management_type:
    description: Only jobs of this backup management type.
    type: str
    default: AzureIaasVM
  start_time:
    description:
      - Only jobs that started at or after this time (UTC), as C(YYYY-MM-DD) or an ISO 8601 date and time.
      - Without O(end_time), jobs up to now are listed.
    type: str
  end_time:
    description:
      - Only jobs that started at or before this time (UTC), as C(YYYY-MM-DD) (to the end of that day) or an
        ISO 8601 date and time. Without O(start_time), the window starts 30 days earlier.
    type: str
  entity_friendly_name:
    description: Only jobs of the VM with this name (compared without regard to case).
    type: str
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.attributes
  - cloudops.azure_backup.attributes.INFO_MODULE
  - cloudops.azure_backup.attributes.FACTS
seealso:
  - module: cloudops.azure_backup.azure_backup_job_wait
    description: Wait for jobs to end.
  - module: cloudops.azure_backup.azure_backup_trigger
    description: Start a backup.
'''

EXAMPLES = r'''
- name: Read one job with its tasks and property bag
  cloudops.azure_backup.azure_backup_job_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    job_id: "{{ backup.job_id }}"
  register: one

- name: List the failed backups of the last day
  cloudops.azure_backup.azure_backup_job_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    operation: Backup
    status: Failed
    start_time: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() - 86400) }}"
  register: failed

- name: Report them
  ansible.builtin.debug:
    msg: "{{ failed.jobs | map(attribute='entity_friendly_name') | list }}"

- name: Every job of one VM in a fixed window
  cloudops.azure_backup.azure_backup_job_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    entity_friendly_name: vm-web-01
    start_time: "2026-01-01"
    end_time: "2026-12-31"
'''

RETURN = r'''
jobs:
  description:
    - The jobs found, newest first as Azure lists them; an empty list when none match.
    - Each job has the keys described for RV(cloudops.azure_backup.azure_backup_job_wait#module:job).
  returned: always
  type: list
  elements: dict
job:
  description: The job, when O(job_id) was given.
  returned: when O(job_id) was given
  type: dict
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _filters
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import NotFound
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import job_results, normalize_job
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main


def list_jobs(module, vault):
    params = module.params
    start, end = _filters.check_window(params['start_time'], params['end_time'])
    client = module.client()
    if start is not None and end is None:
        # An open end is now, by Azure's clock: ours may be behind it.
        start, end = _filters.time_window(start, end, now=module.azure_now(vault))
    elif end is not None:
        start, end = _filters.time_window(start, end)
    query = _filters.job_filter(
        status=params['status'],
        operation=params['operation'],
        backup_management_type=params['backup_management_type'],
        start_time=start,
        end_time=end,
    )
    resources = client.list(_ids.jobs_path(vault), params={'$filter': query} if query else None)
    jobs = [normalize_job(resource) for resource in resources]
    wanted = (params['entity_friendly_name'] or '').lower()
    return [job for job in jobs if not wanted or (job['entity_friendly_name'] or '').lower() == wanted]


def run_module(module):
    if module.params['job_id']:
        vault, job_ids = module.job_refs([module.params['job_id']], option='job_id')
        try:
            job = normalize_job(module.client().get(_ids.job_path(vault, job_ids[0])).body)
        except NotFound as error:
            raise error.rephrased(
                'job_id: vault %s has no job %s (%s).' % (vault.name, job_ids[0], error.msg)
            ) from error
        return dict(changed=False, **job_results([job], single=True, facts=False))
    return dict(changed=False, **job_results(list_jobs(module, module.vault_path()), facts=False))


ARGUMENTS = dict(
    argument_spec=dict(
        job_id=dict(type='str'),
        status=dict(
            type='str',
            choices=['InProgress', 'Completed', 'CompletedWithWarnings', 'Failed', 'Cancelled', 'Cancelling'],
        ),
        operation=dict(
            type='str',
            choices=[
                'Backup',
                'Restore',
                'ConfigureBackup',
                'DisableBackup',
                'DeleteBackupData',
                'CrossRegionRestore',
                'Register',
                'UnRegister',
                'Undelete',
                'UpdateCustomerManagedKey',
            ],
        ),
        backup_management_type=dict(type='str', default='AzureIaasVM'),
        start_time=dict(type='str'),
        end_time=dict(type='str'),
        entity_friendly_name=dict(type='str'),
    ),
    mutually_exclusive=[
        ('job_id', 'status'),
        ('job_id', 'operation'),
        ('job_id', 'start_time'),
        ('job_id', 'end_time'),
        ('job_id', 'entity_friendly_name'),
    ],
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
