#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_trigger
short_description: Start an on-demand backup of a protected Azure VM and return its job id
version_added: 0.1.0
description:
  - Starts an on-demand backup ("Backup now") of a virtual machine protected by a Recovery Services vault,
    follows the operation Azure starts until it names the backup job, and returns that job's id.
  - With O(wait=true) it then waits for the job like M(cloudops.azure_backup.azure_backup_job_wait) and
    returns the job with its tasks and property bag.
  - When a backup of the same VM is already running, the module returns that job instead of starting a
    second one (O(if_running=attach)), or fails (O(if_running=fail)).
  - The backup request is sent at most once. It is never resent after it may have reached Azure, because
    a resent request could start a second backup.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  retain_until:
    description:
      - Keep the recovery point until this moment (UTC), given as a date C(YYYY-MM-DD) (kept to the end of
        that day) or a date and time C(YYYY-MM-DDTHH:MM:SSZ).
      - Mutually exclusive with O(retain_days).
    type: str
  retain_days:
    description:
      - Keep the recovery point this many days from now. Defaults to 30 days (like C(az backup protection
        backup-now)) when O(retain_until) is not set.
    type: int
  if_running:
    description:
      - What to do when a backup job of this VM is already in progress.
      - V(attach) returns the running job with C(changed=false) (and waits for it with O(wait=true)).
      - V(fail) fails the task and names the running job.
    type: str
    choices: [attach, fail]
    default: attach
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.item
  - cloudops.azure_backup.wait.OPERATION
  - cloudops.azure_backup.wait
  - cloudops.azure_backup.attributes
  - cloudops.azure_backup.attributes.FACTS
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: In check mode the item and its running jobs are read, but no backup is started.
seealso:
  - module: cloudops.azure_backup.azure_backup_job_wait
    description: Wait for the returned job, or for many at once.
  - module: cloudops.azure_backup.azure_backup_job_info
    description: Read the job later.
'''

EXAMPLES = r'''
- name: Back up a VM found by name among the vault's protected items, and wait for it
  cloudops.azure_backup.azure_backup_trigger:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-01
    retain_days: 7
    wait: true
    timeout: 3600
  register: backup

- name: Show the backup's tasks
  ansible.builtin.debug:
    msg: "{{ backup.job.extended_info.tasks_list | map(attribute='task_id') | list }}"

- name: Back up a VM given by resource group and name, keep the point until a date, do not wait
  cloudops.azure_backup.azure_backup_trigger:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-02
    vm_resource_group: rg-workloads
    retain_until: "2099-12-31"
  register: started

- name: Refuse to attach to a backup that is already running
  cloudops.azure_backup.azure_backup_trigger:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-workloads/providers/Microsoft.Compute/virtualMachines/vm-db-01
    if_running: fail
'''

RETURN = r'''
job_id:
  description: GUID of the backup job (the running one that was attached to, or the new one). Null in check mode when a backup would start.
  returned: always
  type: str
  sample: 41f3e94b-ae6b-4a20-b422-65abfcaf03e5
operation_id:
  description: Id of the operation Azure started for the request.
  returned: when a backup was started
  type: str
  sample: 92a2c3c9-e7e1-4a2b-8a11-2fdde7c4a0b1
attached:
  description: Whether an already running backup job was returned instead of starting one.
  returned: always
  type: bool
  sample: false
recovery_point_expiry:
  description: The expiry requested for the new recovery point (UTC).
  returned: always
  type: str
  sample: "2026-12-26T10:00:00.000Z"
protected_item:
  description: The protected item that was backed up.
  returned: always
  type: dict
  contains:
    vm_name:
      description: Name of the VM.
      type: str
      sample: vm-web-01
    container_name:
      description: Azure Backup's container name.
      type: str
      sample: IaasVMContainer;iaasvmcontainerv2;rg-workloads;vm-web-01
    protected_item_name:
      description: Azure Backup's protected item name.
      type: str
      sample: VM;iaasvmcontainerv2;rg-workloads;vm-web-01
job:
  description:
    - The job, with its extended information; see M(cloudops.azure_backup.azure_backup_job_wait) for its keys.
    - Also set as the fact C(azure_backup_job).
  returned: when O(wait=true), or when a running job was attached to
  type: dict
jobs:
  description: The job in a list, as M(cloudops.azure_backup.azure_backup_job_wait) returns it.
  returned: when O(wait=true), or when a running job was attached to
  type: list
  elements: dict
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
polls:
  description: How many times the job was polled.
  returned: when O(wait=true)
  type: int
still_running:
  description: With O(wait_for=snapshot), the ids of the jobs that took their snapshot and still transfer to the vault.
  returned: when O(wait_for=snapshot)
  type: list
  elements: str
  sample: [41f3e94b-ae6b-4a20-b422-65abfcaf03e5]
timed_out:
  description: Whether the deadline passed before the job ended.
  returned: when O(wait=true)
  type: bool
ansible_facts:
  description: C(azure_backup_job) and C(azure_backup_jobs) (by job id), as M(cloudops.azure_backup.azure_backup_job_wait) sets them.
  returned: when O(wait=true), or when a running job was attached to
  type: dict
  contains:
    azure_backup_job:
      description: The job.
      type: dict
    azure_backup_jobs:
      description: The same job, by job id.
      type: dict
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _backup
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import AzureBackupError, WriteOutcomeUnknown
from ansible_collections.cloudops.azure_backup.plugins.module_utils._items import read_item, select_item
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import job_results, wait_for
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main


def attach_or_refuse(module, running):
    if module.params['if_running'] == 'fail':
        raise AzureBackupError(
            'A backup of %s is already in progress (job %s, started %s) and if_running=fail'
            % (running['entity_friendly_name'], running['job_id'], running['start_time'])
        )
    return dict(changed=False, attached=True, job_id=running['job_id'], **job_results([running]))


def start_backup(module, client, item, body, result):
    """POST the backup; the result keys for the job it started, or for the running backup it found instead."""
    operation, running, cause = _backup.trigger(
        client, item, body, module.deadline(), module.params['poll_interval'], result
    )
    if operation is not None:
        return dict(changed=True, operation_id=operation.operation_id, job_id=operation.job_id)
    if isinstance(cause, WriteOutcomeUnknown):
        module.warn(
            'The answer to the backup request was lost (%s); the running backup job %s of %s was found instead '
            'and is returned: it is most likely the one this request started.'
            % (cause.code, running['job_id'], item.vm_name)
        )
        return dict(changed=True, job_id=running['job_id'], **job_results([running]))
    return attach_or_refuse(module, running)


def run_module(module):
    params, deadline = module.params, module.deadline()
    _backup.check_retention(params['retain_until'], params['retain_days'])
    vault = module.vault_path()
    item = select_item(params, vault)
    client = module.client()
    item = read_item(client, item, deadline=deadline)
    expiry = _backup.expiry_time(params['retain_until'], params['retain_days'], now=client.azure_now())
    body = _backup.backup_request(expiry)
    result = dict(
        changed=False,
        attached=False,
        job_id=None,
        recovery_point_expiry=body['properties']['recoveryPointExpiryTimeInUTC'],
        protected_item=item.describe(),
    )
    running = _backup.running_backup_job(client, item, deadline=deadline)
    if running:
        result.update(attach_or_refuse(module, running))
    elif module.check_mode:
        result.update(changed=True)
    else:
        result.update(start_backup(module, client, item, body, result))
    if params['wait'] and result['job_id']:
        with module.carrying(result):
            result.update(wait_for(module, [result['job_id']], vault))
    result.setdefault('elapsed', module.elapsed())
    return result


ARGUMENTS = dict(
    argument_spec=dict(
        retain_until=dict(type='str'),
        retain_days=dict(type='int'),
        if_running=dict(type='str', default='attach', choices=['attach', 'fail']),
    ),
    shared=('auth', 'vault', 'item', 'operation'),
    mutually_exclusive=[('retain_until', 'retain_days')],
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
