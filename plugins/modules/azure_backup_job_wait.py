#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_job_wait
short_description: Wait for Azure Backup jobs to end
version_added: 0.1.0
description:
  - Polls one or many Azure Backup jobs of a Recovery Services vault until every one of them has
    ended, under one deadline for the whole task.
  - A job has ended when its status is C(Completed), C(CompletedWithWarnings), C(Failed) or C(Cancelled);
    C(InProgress) and C(Cancelling) mean it is still running.
  - The task fails when a job ends in one of O(failed_states), with Azure's error details in the message;
    C(CompletedWithWarnings) succeeds with a warning. When the deadline passes the task fails with
    RV(timed_out=true), and still returns the last state seen of every job.
  - Waiting only reads, so it never reports a change and runs again on ended jobs at once.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  job_ids:
    description:
      - The jobs to wait for, each as the job's GUID or its full ARM id
        (C(/subscriptions/.../vaults/<vault>/backupJobs/<guid>)).
      - With a full ARM id the vault is taken from the id, so O(resource_group) and O(vault_name) are not needed.
      - Duplicates are waited on once.
    type: list
    elements: str
    required: true
    aliases: [job_id]
  failed_states:
    description:
      - Job statuses that fail the task once every job has ended.
      - Set to V([Failed]) to accept a cancelled job, or to V([]) to never fail on a job's status.
    type: list
    elements: str
    choices: [Failed, Cancelled, CompletedWithWarnings]
    default: [Failed, Cancelled]
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.wait
  - cloudops.azure_backup.attributes
  - cloudops.azure_backup.attributes.FACTS
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: Waiting only reads, so the module waits in check mode too.
seealso:
  - module: cloudops.azure_backup.azure_backup_trigger
    description: Start a backup and get the job id to wait for.
  - module: cloudops.azure_backup.azure_backup_job_info
    description: Read jobs without waiting.
  - ref: ansible_collections.cloudops.azure_backup.docsite.waiting
    description: The deadline, end states and failure rules in detail (the guide C(docs/waiting.md) in the collection).
'''

EXAMPLES = r'''
- name: Back up two VMs without waiting
  cloudops.azure_backup.azure_backup_trigger:
    vm_name: "{{ item }}"
  loop: [vm-web-01, vm-web-02]
  register: backups

- name: Wait for both backups in one task, at most two hours
  cloudops.azure_backup.azure_backup_job_wait:
    job_ids: "{{ backups.results | map(attribute='job_id') | list }}"
    timeout: 7200
  register: waited

- name: Print what each backup did
  ansible.builtin.debug:
    msg: "{{ item.value.entity_friendly_name }}: {{ item.value.status }} in {{ item.value.duration }},
          {{ item.value.extended_info.property_bag['Backup Size'] | default('n/a') }}"
  loop: "{{ ansible_facts.azure_backup_jobs | dict2items }}"

- name: Wait again for a job given by its full ARM id (the vault comes from the id); returns at once
  cloudops.azure_backup.azure_backup_job_wait:
    job_id: "{{ waited.jobs[0].id }}"
    failed_states: [Failed]
'''

RETURN = r'''
job:
  description:
    - The job, when exactly one job was waited on. Also set as the fact C(azure_backup_job).
    - The same shape is returned by M(cloudops.azure_backup.azure_backup_trigger) and
      M(cloudops.azure_backup.azure_backup_job_info).
  returned: when one job was waited on
  type: dict
  contains:
    id:
      description: Full ARM id of the job.
      type: str
      sample: >-
        /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-backup-demo/providers/Microsoft.RecoveryServices/vaults/rsv-demo/backupJobs/41f3e94b-ae6b-4a20-b422-65abfcaf03e5
    job_id:
      description: The job's GUID.
      type: str
      sample: 41f3e94b-ae6b-4a20-b422-65abfcaf03e5
    status:
      description: C(InProgress), C(Completed), C(CompletedWithWarnings), C(Failed), C(Cancelled) or C(Cancelling).
      type: str
      sample: Completed
    operation:
      description: What the job does, for example C(Backup) or C(Restore).
      type: str
      sample: Backup
    job_type:
      description: Azure's job type.
      type: str
      sample: AzureIaaSVMJob
    entity_friendly_name:
      description: The VM the job works on.
      type: str
      sample: vm-web-01
    backup_management_type:
      description: Azure's backup management type.
      type: str
      sample: AzureIaasVM
    start_time:
      description: When the job started (UTC, as Azure sent it).
      type: str
      sample: "2018-05-21T08:35:40.9488967Z"
    end_time:
      description: When the job ended (UTC); null while it runs.
      type: str
      sample: "2018-05-21T08:56:04.0385664Z"
    duration:
      description: The duration as Azure sent it.
      type: str
      sample: "00:20:23.0896697"
    duration_seconds:
      description: The duration in seconds.
      type: float
      sample: 1223.09
    activity_id:
      description: Azure's activity id of the job.
      type: str
    actions_info:
      description: What can be done with the job now, for example C(Cancellable).
      type: list
      elements: str
    error_details:
      description: Azure's errors for a failed job (or warnings), each with C(error_code), C(error_title), C(error_string), C(recommendations).
      type: list
      elements: dict
    extended_info:
      description: Azure's extended information about the job.
      type: dict
      contains:
        tasks_list:
          description: The job's tasks, each with C(task_id), C(status), C(start_time), C(end_time), C(duration), C(duration_seconds), C(progress_percentage).
          type: list
          elements: dict
        property_bag:
          description: Azure's free-form properties, keys as Azure sent them.
          type: dict
          sample: {"VM Name": "vm-web-01", "Backup Size": "2332 MB"}
        progress_percentage:
          description: Progress of a running job.
          type: float
        estimated_remaining_duration:
          description: Azure's estimate for a running job.
          type: str
        dynamic_error_message:
          description: Azure's error message for a failed job.
          type: str
jobs:
  description: Every job waited on, in the order given, as last seen.
  returned: always
  type: list
  elements: dict
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
  sample: 1254.2
polls:
  description: How many times the jobs were polled.
  returned: always
  type: int
  sample: 42
still_running:
  description: With O(wait_for=snapshot), the ids of the jobs that took their snapshot and still transfer to the vault.
  returned: when O(wait_for=snapshot)
  type: list
  elements: str
  sample: [41f3e94b-ae6b-4a20-b422-65abfcaf03e5]
timed_out:
  description: Whether the deadline passed before every job had ended.
  returned: always
  type: bool
  sample: false
ansible_facts:
  description: Facts set by the module.
  returned: always
  type: dict
  contains:
    azure_backup_job:
      description: The job, when exactly one job was waited on.
      type: dict
    azure_backup_jobs:
      description: Every job waited on, by job id.
      type: dict
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import wait_for
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main


def run_module(module):
    vault, job_ids = module.job_refs(module.params['job_ids'])
    result = wait_for(module, job_ids, vault, module.params['failed_states'])
    result['changed'] = False
    return result


ARGUMENTS = dict(
    argument_spec=dict(
        job_ids=dict(type='list', elements='str', required=True, aliases=['job_id']),
        failed_states=dict(
            type='list',
            elements='str',
            default=['Failed', 'Cancelled'],
            choices=['Failed', 'Cancelled', 'CompletedWithWarnings'],
        ),
    ),
    shared=('auth', 'vault', 'wait'),
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
