#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_policy_info
short_description: Read the backup policies of a Recovery Services vault
version_added: 0.1.0
description:
  - Reads one backup policy of a vault by name, or lists the vault's Azure VM backup policies.
  - Use a policy's RV(policies[].id) or RV(policies[].policy_name) with M(cloudops.azure_backup.azure_backup_protection).
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  name:
    description:
      - Name of the policy to read, for example V(DefaultPolicy).
      - Without it, every Azure VM policy of the vault is listed. A name the vault does not know gives an empty list.
    type: str
    aliases: [policy_name]
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.attributes
  - cloudops.azure_backup.attributes.INFO_MODULE
seealso:
  - module: cloudops.azure_backup.azure_backup_protection
    description: Protect a VM with a policy.
'''

EXAMPLES = r'''
- name: List the VM backup policies of the vault
  cloudops.azure_backup.azure_backup_policy_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
  register: policies

- name: Show their names and schedules
  ansible.builtin.debug:
    msg: "{{ policies.policies | map(attribute='policy_name') | list }}"

- name: Read one policy
  cloudops.azure_backup.azure_backup_policy_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    name: DefaultPolicy
  register: default_policy
'''

RETURN = r'''
policies:
  description:
    - The policies, each with its ARM id, name and Azure's properties in snake_case
      (C(schedule_policy), C(retention_policy), C(instant_rp_retention_range_in_days), C(time_zone),
      C(protected_items_count), C(policy_type), ...). An empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id of the policy, as O(cloudops.azure_backup.azure_backup_protection#module:policy_id) takes it.
      type: str
    policy_name:
      description: Name of the policy.
      type: str
      sample: DefaultPolicy
    backup_management_type:
      description: Always C(AzureIaasVM) for VM policies.
      type: str
    protected_items_count:
      description: How many items the policy protects.
      type: int
    schedule_policy:
      description: When backups run.
      type: dict
    retention_policy:
      description: How long recovery points are kept.
      type: dict
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import NotFound
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main
from ansible_collections.cloudops.azure_backup.plugins.module_utils._shapes import normalize_policy

POLICY_FILTER = "backupManagementType eq 'AzureIaasVM'"


def run_module(module):
    vault = module.vault_path()
    policy = module.params['name'] and _ids.policy_path(vault, module.params['name'], 'name')
    client = module.client()
    if policy:
        try:
            resources = [client.get(policy).body]
        except NotFound:
            resources = []
    else:
        resources = client.list(_ids.policies_path(vault), params={'$filter': POLICY_FILTER})
    return dict(changed=False, policies=[normalize_policy(resource) for resource in resources])


ARGUMENTS = dict(argument_spec=dict(name=dict(type='str', aliases=['policy_name'])), supports_check_mode=True)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
