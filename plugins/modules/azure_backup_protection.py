#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_protection
short_description: Protect an Azure VM with a backup policy, stop its protection, or delete its backup data
version_added: 0.1.0
description:
  - Brings the protection of an Azure VM in a Recovery Services vault to the wanted O(state), reading it
    first and changing only what differs.
  - V(present) protects the VM with a policy (a C(ConfigureBackup) job), or changes its policy, or resumes
    stopped protection. A VM the vault does not know yet is discovered first (the vault's containers
    are refreshed once).
  - V(stopped) stops protection and keeps the backup data (a C(DisableBackup) job).
  - V(absent) stops protection and deletes the backup data (a C(DeleteBackupData) job). With soft delete
    on, Azure keeps the data for its soft-delete period; the item then counts as absent.
  - Returns the id of the job the change caused, or C(changed=false) and no job when nothing needed doing.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  state:
    description: The wanted protection of the VM.
    type: str
    choices: [present, stopped, absent]
    default: present
  policy_name:
    description: Name of the vault's backup policy to protect the VM with. Needed (or O(policy_id)) for O(state=present).
    type: str
  policy_id:
    description: ARM id of the backup policy, as an alternative to O(policy_name).
    type: str
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
    details: In check mode the item and the policy are read, but nothing is written (not even a discovery refresh).
notes:
  - A VM that is not protected yet must be named with O(vm_name) and O(vm_resource_group), or with O(vm_id).
seealso:
  - module: cloudops.azure_backup.azure_backup_policy_info
    description: The vault's policies.
  - module: cloudops.azure_backup.azure_backup_protected_item_info
    description: What the vault protects.
'''

EXAMPLES = r'''
- name: Protect a VM with the default policy, and wait for the configuration job
  cloudops.azure_backup.azure_backup_protection:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-app-01
    vm_resource_group: rg-workloads
    policy_name: DefaultPolicy
    wait: true
  register: protected

- name: Move it to another policy
  cloudops.azure_backup.azure_backup_protection:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-app-01
    vm_resource_group: rg-workloads
    policy_name: EnhancedPolicy

- name: Stop protecting it, keep its recovery points
  cloudops.azure_backup.azure_backup_protection:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-workloads/providers/Microsoft.Compute/virtualMachines/vm-app-01
    state: stopped
    wait: true

- name: Delete its backup data
  cloudops.azure_backup.azure_backup_protection:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-app-01
    vm_resource_group: rg-workloads
    state: absent
    wait: true
'''

RETURN = r'''
job_id:
  description: GUID of the job the change caused (C(ConfigureBackup), C(DisableBackup) or C(DeleteBackupData)); null when nothing changed or in check mode.
  returned: always
  type: str
  sample: 7d1e0bd4-7ac2-4b5f-9cbb-9c7e4c2b1e6e
operation_id:
  description: Id of the operation Azure started for the change; null when nothing was sent or Azure finished at once.
  returned: always
  type: str
  sample: 92a2c3c9-e7e1-4a2b-8a11-2fdde7c4a0b1
action:
  description: What was done (or would be in check mode) — C(configure), C(stop), C(delete) — or null.
  returned: always
  type: str
  sample: configure
reason:
  description: Why, in words (for example C(the policy is DefaultPolicy)).
  returned: always
  type: str
protected_item:
  description:
    - The protected item as the vault reports it after the change (before it, in check mode), as
      M(cloudops.azure_backup.azure_backup_protected_item_info) returns it; null when the vault has none.
  returned: always
  type: dict
job:
  description: The job with its extended information; see M(cloudops.azure_backup.azure_backup_job_wait).
  returned: when O(wait=true) and a job was started
  type: dict
jobs:
  description: The job in a list.
  returned: when O(wait=true) and a job was started
  type: list
  elements: dict
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
ansible_facts:
  description: C(azure_backup_job) and C(azure_backup_jobs), as M(cloudops.azure_backup.azure_backup_job_wait) sets them.
  returned: when O(wait=true) and a job was started
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
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _protection
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    NotFound,
    ValidationError,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._items import NoSuchItem, read_item, select_item
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import wait_for
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main
from ansible_collections.cloudops.azure_backup.plugins.module_utils._shapes import normalize_protected_item


def read_current(client, item, deadline):
    """The item, read from the vault; its resource is None when the vault does not protect the VM."""
    try:
        return read_item(client, item, deadline=deadline)
    except (NotFound, NoSuchItem):
        item.resource = None
        return item


def policy_of(module, vault):
    """The policy the options name, checked (a policy_id must be of this vault): its path, or None."""
    if module.params['policy_id']:
        return _ids.policy_path(vault, _ids.parse_policy_id(module.params['policy_id'], vault))
    if module.params['policy_name']:
        return _ids.policy_path(vault, module.params['policy_name'])
    return None


def vm_id_of(module, vault, item, current):
    if module.params['vm_id']:
        return _ids.parse_vm_id(module.params['vm_id'], 'vm_id', vault.subscription_id).id
    return (current or {}).get('properties', {}).get('sourceResourceId') or _ids.vm_path(
        vault.subscription_id, *_ids.parse_iaasvm_name(item.name)
    ).id


def run_module(module):
    params, deadline = module.params, module.deadline()
    vault = module.vault_path()
    item = select_item(params, vault)
    policy = policy_of(module, vault)
    client = module.client()
    # A policy given by name is read: its id is what Azure wants, and a missing policy fails here, not later.
    policy_id = policy and (policy.id if params['policy_id'] else client.get(policy, deadline=deadline).body['id'])
    item = read_current(client, item, deadline)
    current = item.resource
    action, reason = _protection.plan(params['state'], current, policy_id)
    result = dict(
        changed=action is not None,
        action=action,
        reason=reason,
        job_id=None,
        operation_id=None,
        protected_item=normalize_protected_item(current) if current else None,
    )
    if action and item.container_name is None:
        raise ValidationError(
            'vm_name: %s is not protected by the vault yet; name it with vm_name and vm_resource_group, '
            'or with vm_id, to protect it' % params['vm_name'],
            option='vm_resource_group',
        )
    if action is None or module.check_mode:
        return result
    vm_id = vm_id_of(module, vault, item, current)
    if current is None:
        _protection.discover(client, vault, vm_id, deadline=deadline, poll_interval=params['poll_interval'])
    with module.carrying(dict(result, changed=False)):  # a lost answer says changed itself: Azure may have it
        operation = _protection.apply(
            client, item.path, action, vm_id, policy_id, deadline=deadline, poll_interval=params['poll_interval'],
            result=result,
        )  # fmt: skip
    result.update(job_id=operation and operation.job_id, operation_id=operation and operation.operation_id)
    with module.carrying(result):
        if params['wait'] and result['job_id']:
            result.update(wait_for(module, [result['job_id']], vault))
        after = read_current(client, item, deadline).resource
    result['protected_item'] = normalize_protected_item(after) if after else None
    return result


ARGUMENTS = dict(
    argument_spec=dict(
        state=dict(type='str', default='present', choices=['present', 'stopped', 'absent']),
        policy_name=dict(type='str'),
        policy_id=dict(type='str'),
    ),
    shared=('auth', 'vault', 'item', 'operation'),
    mutually_exclusive=[('policy_name', 'policy_id')],
    required_if=[('state', 'present', ('policy_name', 'policy_id'), True)],
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
