#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_restore
short_description: Restore a protected Azure VM from a recovery point and return the restore job
version_added: 0.1.0
description:
  - Restores a VM protected by a Recovery Services vault from one of its recovery points (by default the
    newest), as disks (O(restore_type=restore_disks)), as a new VM (O(restore_type=alternate_location)), or
    over the original VM (O(restore_type=original_location)).
  - Follows the operation Azure starts until it names the Restore job and returns that job's id; with
    O(wait=true) waits for the job and returns it, with the restored resources in RV(restored).
  - The options each restore type needs are checked before anything is sent. The restore request is
    never resent after it may have reached Azure.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  recovery_point_id:
    description:
      - The recovery point to restore, as RV(cloudops.azure_backup.azure_backup_recovery_point_info#module:recovery_points[].recovery_point_id)
        returns it. Omitted, the newest recovery point of the VM is used.
    type: str
  restore_type:
    description:
      - V(restore_disks) restores the VM's disks (managed disks into O(target_resource_group), or VHDs into the
        staging storage account) with a template to create a VM from them.
      - V(alternate_location) creates a new VM O(target_vm_name) in O(target_resource_group), attached to
        O(target_subnet) of O(target_virtual_network).
      - V(original_location) replaces the disks of the original VM.
    type: str
    required: true
    choices: [restore_disks, alternate_location, original_location]
  staging_storage_account:
    description:
      - Storage account (in the vault's region) that stages the restored data, as a name or an ARM id.
      - A name is looked for in O(target_resource_group) when set, else in the VM's resource group.
      - Required for every restore type.
    type: str
  target_resource_group:
    description:
      - Resource group (name or ARM id) that receives the restored disks or the new VM.
      - Required for V(alternate_location); for V(restore_disks) of a VM with managed disks it is where the disks go.
    type: str
  target_vm_name:
    description: Name of the new VM. Required for V(alternate_location) only.
    type: str
  target_virtual_network:
    description:
      - Virtual network of the new VM, as a name (in O(target_resource_group)) or an ARM id. Required for V(alternate_location) only.
    type: str
  target_subnet:
    description:
      - Subnet of the new VM, as a name (in O(target_virtual_network)) or an ARM id. Required for V(alternate_location) only.
    type: str
  region:
    description: Azure region to restore in. Defaults to the vault's region (a restore stays in the vault's region).
    type: str
  restore_with_managed_disks:
    description: Restore as managed disks (V(true)) or as unmanaged VHDs (V(false)). Omitted, Azure decides from the source VM.
    type: bool
  disk_luns:
    description: Restore only the data disks at these LUNs, each from 0 to 63 (V(restore_disks) and V(original_location)).
    type: list
    elements: int
  zones:
    description: Availability zone(s) of the restored disks or VM, V(1), V(2) or V(3) (V(restore_disks) and V(alternate_location)).
    type: list
    elements: str
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
    details: In check mode the VM, the recovery point and the vault are read and the request is built and returned, but not sent.
seealso:
  - module: cloudops.azure_backup.azure_backup_recovery_point_info
    description: Choose a recovery point.
  - module: cloudops.azure_backup.azure_backup_job_wait
    description: Wait for the restore job.
'''

EXAMPLES = r'''
- name: Restore the disks of the newest recovery point, and wait
  cloudops.azure_backup.azure_backup_restore:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-01
    restore_type: restore_disks
    staging_storage_account: stbackupstaging
    target_resource_group: rg-restore
    wait: true
  register: restored

- name: Show what was restored
  ansible.builtin.debug:
    msg: "Disks restored into {{ restored.restored.target_resource_group }}, template {{ restored.restored.template_blob_uri }}"

- name: Restore a chosen recovery point as a new VM, without waiting
  cloudops.azure_backup.azure_backup_restore:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-01
    vm_resource_group: rg-workloads
    recovery_point_id: "{{ restored.recovery_point.recovery_point_id }}"
    restore_type: alternate_location
    target_vm_name: vm-web-01-drill
    target_resource_group: rg-restore
    target_virtual_network: vnet-restore
    target_subnet: default
    staging_storage_account: >-
      /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-restore/providers/Microsoft.Storage/storageAccounts/stbackupstaging
  register: drill

- name: Wait for the new VM
  cloudops.azure_backup.azure_backup_job_wait:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    job_id: "{{ drill.job_id }}"
'''

RETURN = r'''
job_id:
  description: GUID of the Restore job; null in check mode.
  returned: always
  type: str
  sample: 5e5d8a7a-52b8-47b2-9e0b-3f1f3b0a6c2d
operation_id:
  description: Id of the operation Azure started for the request.
  returned: when the restore was started
  type: str
recovery_point:
  description:
    - The recovery point restored, as M(cloudops.azure_backup.azure_backup_recovery_point_info) returns it.
  returned: always
  type: dict
  contains:
    recovery_point_id:
      description: Its id.
      type: str
    recovery_point_time:
      description: When it was taken.
      type: str
request:
  description: The restore request sent to Azure (in check mode, the one that would be sent).
  returned: always
  type: dict
restored:
  description:
    - The restored resources, as the Restore job's property bag names them (null where Azure does not say).
  returned: when O(wait=true)
  type: dict
  contains:
    job_type:
      description: Azure's kind of restore, for example C(Recover disks).
      type: str
    target_resource_group:
      description: Resource group of the restored resources.
      type: str
    target_vm_name:
      description: Name of the new VM (alternate location).
      type: str
    target_storage_account:
      description: Staging storage account.
      type: str
    template_blob_uri:
      description: URI of the ARM template that creates a VM from the restored disks.
      type: str
    config_blob_uri:
      description: URI of the VM configuration blob.
      type: str
    restored_disks:
      description: The restored disks as Azure lists them.
      type: str
job:
  description: The Restore job with its extended information; see M(cloudops.azure_backup.azure_backup_job_wait).
  returned: when O(wait=true)
  type: dict
jobs:
  description: The job in a list.
  returned: when O(wait=true)
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
timed_out:
  description: Whether the deadline passed before the job ended.
  returned: when O(wait=true)
  type: bool
ansible_facts:
  description: C(azure_backup_job) and C(azure_backup_jobs), as M(cloudops.azure_backup.azure_backup_job_wait) sets them.
  returned: when O(wait=true)
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
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _restore
from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import VAULT_API_VERSION
from ansible_collections.cloudops.azure_backup.plugins.module_utils._items import (
    read_item,
    read_recovery_point,
    select_item,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import wait_for
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main
from ansible_collections.cloudops.azure_backup.plugins.module_utils._operations import follow


def run_module(module):
    params, deadline = module.params, module.deadline()
    vault = module.vault_path()
    item = select_item(params, vault)
    if params['recovery_point_id']:
        _ids.check('recovery_point', params['recovery_point_id'], 'recovery_point_id')
    _restore.validate(params, vault.subscription_id, item.vm_resource_group)
    client = module.client()
    item = read_item(client, item, deadline=deadline)
    point = read_recovery_point(client, item, params['recovery_point_id'], deadline=deadline)
    region = params['region'] or client.get(vault, api_version=VAULT_API_VERSION, deadline=deadline).body['location']
    source_vm = item.properties.get('sourceResourceId') or item.properties.get('virtualMachineId')
    body = _restore.restore_request(params, source_vm, point['recovery_point_id'], region, vault.subscription_id)
    result = dict(changed=True, job_id=None, recovery_point=point, request=body)
    if module.check_mode:
        return result
    with module.carrying(dict(result, changed=False)):  # a lost answer (changed: Azure may have it) keeps the request
        response = client.post(_ids.restore_path(item.path, point['recovery_point_id']), body=body, deadline=deadline)
    operation = follow(client, response, 'restore of %s' % item.vm_name, deadline, params['poll_interval'], result)
    result.update(operation_id=operation.operation_id, job_id=operation.job_id)
    if params['wait']:
        with module.carrying(result):
            result.update(wait_for(module, [result['job_id']], vault))
        result['restored'] = _restore.restored_resources(result['job'])
    return result


ARGUMENTS = dict(
    argument_spec=dict(
        recovery_point_id=dict(type='str'),
        restore_type=dict(type='str', required=True, choices=list(_restore.RECOVERY_TYPES)),
        staging_storage_account=dict(type='str'),
        target_resource_group=dict(type='str'),
        target_vm_name=dict(type='str'),
        target_virtual_network=dict(type='str'),
        target_subnet=dict(type='str'),
        region=dict(type='str'),
        restore_with_managed_disks=dict(type='bool'),
        disk_luns=dict(type='list', elements='int'),
        zones=dict(type='list', elements='str'),
    ),
    shared=('auth', 'vault', 'item', 'operation'),
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
