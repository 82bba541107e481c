#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_protected_item_info
short_description: Read the protected VMs of a Recovery Services vault
version_added: 0.1.0
description:
  - Lists the Azure VMs a vault protects, with their protection state, health, last backup status
    and time, and last recovery point, optionally filtered by VM name, policy and health.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  vm_name:
    description: Only the VM with this name (compared without regard to case).
    type: str
  policy_name:
    description: Only VMs protected with this policy.
    type: str
  health_status:
    description: Only VMs whose health is this.
    type: str
    choices: [Passed, ActionRequired, ActionSuggested, Invalid]
  protection_state:
    description: Only VMs whose protection state is this.
    type: str
    choices: [IRPending, Protected, ProtectionError, ProtectionStopped, ProtectionPaused, BackupsSuspended]
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.attributes
  - cloudops.azure_backup.attributes.INFO_MODULE
seealso:
  - module: cloudops.azure_backup.azure_backup_protection
    description: Protect a VM, stop its protection, or delete its backup data.
  - module: cloudops.azure_backup.azure_backup_recovery_point_info
    description: The recovery points of a protected VM.
'''

EXAMPLES = r'''
- name: List every protected VM of the vault
  cloudops.azure_backup.azure_backup_protected_item_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
  register: protected

- name: Report the last backup of each
  ansible.builtin.debug:
    msg: "{{ item.vm_name }}: {{ item.protection_state }}, last backup {{ item.last_backup_status }} at {{ item.last_backup_time }}"
  loop: "{{ protected.protected_items }}"
  loop_control:
    label: "{{ item.vm_name }}"

- name: VMs that need attention
  cloudops.azure_backup.azure_backup_protected_item_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    health_status: ActionRequired
  register: unhealthy

- name: One VM protected with the default policy
  cloudops.azure_backup.azure_backup_protected_item_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-01
    policy_name: DefaultPolicy
'''

RETURN = r'''
protected_items:
  description:
    - The protected VMs; an empty list when none match. Besides the keys below, each has Azure's
      properties in snake_case (C(protection_status), C(health_details), C(extended_info), ...).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id of the protected item.
      type: str
    vm_name:
      description: Name of the VM.
      type: str
      sample: vm-web-01
    vm_id:
      description: ARM id of the VM.
      type: str
    container_name:
      description: Azure Backup's container name.
      type: str
      sample: IaasVMContainer;iaasvmcontainerv2;rg-workloads;vm-web-01
    protected_item_name:
      description: Azure Backup's protected item name.
      type: str
      sample: VM;iaasvmcontainerv2;rg-workloads;vm-web-01
    policy_name:
      description: The backup policy.
      type: str
      sample: DefaultPolicy
    protection_state:
      description: C(Protected), C(IRPending), C(ProtectionStopped), ...
      type: str
    health_status:
      description: C(Passed), C(ActionRequired), C(ActionSuggested) or C(Invalid).
      type: str
    last_backup_status:
      description: Status of the last backup.
      type: str
      sample: Completed
    last_backup_time:
      description: When the last backup ran (UTC).
      type: str
    last_recovery_point:
      description: Time of the newest recovery point (UTC).
      type: str
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _filters
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._items import ITEMS_FILTER
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main
from ansible_collections.cloudops.azure_backup.plugins.module_utils._shapes import normalize_protected_item


def matches(item, params):
    wanted = dict(
        vm_name=params['vm_name'],
        policy_name=params['policy_name'],
        health_status=params['health_status'],
        protection_state=params['protection_state'],
    )
    return all((item.get(key) or '').lower() == value.lower() for key, value in wanted.items() if value)


def run_module(module):
    params = module.params
    vault = module.vault_path()
    for kind, option in (('vm', 'vm_name'), ('policy', 'policy_name')):
        if params[option] is not None:
            _ids.check(kind, params[option], option)
    query = ' and '.join(part for part in (ITEMS_FILTER, _filters.odata_eq(policyName=params['policy_name'])) if part)
    resources = module.client().list(_ids.protected_items_path(vault), params={'$filter': query})
    items = [normalize_protected_item(resource) for resource in resources]
    return dict(changed=False, protected_items=[item for item in items if matches(item, params)])


ARGUMENTS = dict(
    argument_spec=dict(
        vm_name=dict(type='str'),
        policy_name=dict(type='str'),
        health_status=dict(type='str', choices=['Passed', 'ActionRequired', 'ActionSuggested', 'Invalid']),
        protection_state=dict(
            type='str',
            choices=[
                'IRPending',
                'Protected',
                'ProtectionError',
                'ProtectionStopped',
                'ProtectionPaused',
                'BackupsSuspended',
            ],
        ),
    ),
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
