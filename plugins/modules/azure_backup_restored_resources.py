#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_restored_resources
short_description: Read, or remove, what a restore created in its target resource group
version_added: 0.1.0
description:
  - Lists the target resource group of a restore and reads, through ARM, every virtual machine, network
    interface and managed disk in it that is not in O(baseline) (what was there before the restore), with the
    properties a restore test checks (disk sizes and states, the VM's provisioning and power state, the subnet of
    each network interface).
  - With O(state=absent) it deletes them, in the order Azure allows (virtual machines, then network interfaces,
    then disks), following each deletion to its end, and deletes the O(staging_containers) the restore left in
    its staging storage account. What is already gone is skipped, so a second run changes nothing.
  - Anything of another kind in the group is reported in RV(other) and never touched; neither is anything in
    O(baseline).
  - Made for restore tests (the role P(cloudops.azure_backup.dr_drill#role) uses it); point it only at a resource
    group that holds restores.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  target_resource_group:
    description:
      - The resource group the restore created its resources in, as a name or an ARM id in the task's
        subscription.
      - Defaults to the C(Target resource group) the Restore job O(job_id) names.
    type: str
  job_id:
    description:
      - The Restore job (GUID or ARM id); when given, the job is read and its property bag names the target
        resource group, and is returned in RV(restored).
    type: str
  baseline:
    description:
      - ARM ids of what the target resource group held before the restore (RV(created) of a run before it).
        They are never reported as created and never deleted.
      - Each must be a well-formed ARM id of a resource in the target resource group (no C(.) or C(..) segment, no
        question mark, hash, percent sign, backslash or control character); any other is refused before anything
        is deleted, since an id that can never match would let what the group held be taken for something the
        restore created.
    type: list
    elements: str
    default: []
  staging_containers:
    description:
      - ARM ids of blob containers the restore left in its staging storage account
        (C(/subscriptions/.../storageAccounts/<account>/blobServices/default/containers/<container>)); read with
        O(state=present), deleted with O(state=absent).
    type: list
    elements: str
    default: []
  state:
    description:
      - V(present) reads and returns the resources; V(absent) deletes them.
    type: str
    choices: [present, absent]
    default: present
  timeout:
    description:
      - Seconds the whole task may take, deletions included. A finite number above 0 and at most 2592000.
    type: float
    default: 1800
  poll_interval:
    description:
      - Seconds between two polls of a deletion (Azure's C(Retry-After) is honoured, never longer than this).
        A finite number above 0 and at most 3600.
    type: float
    default: 15
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.attributes
attributes:
  check_mode:
    description: Can run in check mode and return changed status prediction without modifying target.
    support: full
    details: In check mode everything is read and RV(removed) lists what would be deleted; nothing is.
notes:
  - The vault options are used only to read the Restore job O(job_id).
seealso:
  - module: cloudops.azure_backup.azure_backup_restore
    description: Restore a VM, as disks or as a new VM.
  - ref: "cloudops.azure_backup.dr_drill role <ansible_collections.cloudops.azure_backup.dr_drill_role>"
    description: A restore test that uses this module to verify and to clean up.
'''

EXAMPLES = r'''
- name: What the drill's resource group holds before the restore
  cloudops.azure_backup.azure_backup_restored_resources:
    target_resource_group: rg-restore
  register: before

- name: Restore vm-web-01 as disks into it
  cloudops.azure_backup.azure_backup_restore:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-01
    restore_type: restore_disks
    staging_storage_account: stbackupstaging
    target_resource_group: rg-restore
    wait: true
  register: restored

- name: Read what the restore created
  cloudops.azure_backup.azure_backup_restored_resources:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    job_id: "{{ restored.job_id }}"
    baseline: "{{ before.created }}"
  register: created

- name: The disks are there, with their sizes
  ansible.builtin.assert:
    that:
      - created.resources | selectattr('type', 'equalto', 'Microsoft.Compute/disks') | list | length > 0
      - created.resources | map(attribute='disk_size_gb') | select | list | length > 0

- name: Remove them, and the configuration the restore left in the staging account
  cloudops.azure_backup.azure_backup_restored_resources:
    target_resource_group: rg-restore
    baseline: "{{ before.created }}"
    staging_containers:
      - "{{ restored.request.properties.storageAccountId }}/blobServices/default/containers/{{
          restored.restored.config_blob_container }}"
    state: absent
  register: removed
'''

RETURN = r'''
resources:
  description:
    - Every virtual machine, network interface and managed disk of the group that is not in O(baseline), as
      it was read before any deletion.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id.
      type: str
    name:
      description: Name.
      type: str
    type:
      description: Resource type, for example C(Microsoft.Compute/disks).
      type: str
    location:
      description: Region.
      type: str
    provisioning_state:
      description: Azure's provisioning state, for example C(Succeeded).
      type: str
    disk_size_gb:
      description: Size of a disk in GiB.
      type: int
    disk_state:
      description: State of a disk (C(Unattached), C(Attached), ...).
      type: str
    managed_by:
      description: ARM id of the VM a disk is attached to.
      type: str
    vm_size:
      description: Size of a VM.
      type: str
    power_state:
      description: Power state of a VM (C(running), C(stopped), C(deallocated), ...).
      type: str
    os_disk_id:
      description: A VM's OS disk.
      type: str
    data_disk_ids:
      description: A VM's data disks.
      type: list
      elements: str
    network_interface_ids:
      description: A VM's network interfaces.
      type: list
      elements: str
    subnet_id:
      description: The subnet of a network interface's first IP configuration.
      type: str
    virtual_machine_id:
      description: The VM a network interface belongs to.
      type: str
  sample:
    - id: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-restore/providers/Microsoft.Compute/disks/vm-web-01-osdisk-20261202-020000
      name: vm-web-01-osdisk-20261202-020000
      type: Microsoft.Compute/disks
      location: westeurope
      provisioning_state: Succeeded
      disk_size_gb: 128
      disk_state: Unattached
created:
  description: The ARM ids of RV(resources).
  returned: always
  type: list
  elements: str
other:
  description: ARM ids of resources of other kinds in the group (not in O(baseline)); never touched.
  returned: always
  type: list
  elements: str
staging_containers:
  description: Each of O(staging_containers) with whether it exists (before any deletion).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id.
      type: str
    exists:
      description: Whether it exists.
      type: bool
removed:
  description:
    - ARM ids deleted by this task (in check mode, those that would be), in the order they were deleted.
  returned: always
  type: list
  elements: str
restored:
  description: The restored resources the Restore job O(job_id) names (see M(cloudops.azure_backup.azure_backup_restore)).
  returned: when O(job_id) is given
  type: dict
azure_time:
  description: Azure's time when the task ended (from its C(Date) header), as ISO 8601 UTC.
  returned: always
  type: str
  sample: '2026-12-02T02:31:07Z'
elapsed:
  description: Seconds the task took.
  returned: always
  type: float
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _resources
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    AzureBackupError,
    NotFound,
    ValidationError,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import normalize_job
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main
from ansible_collections.cloudops.azure_backup.plugins.module_utils._restore import restored_resources

CONTAINER = ('Microsoft.Storage', 'containers')


def inputs(module):
    """(target group, baseline ids, staging container paths, the Restore job or None), checked."""
    subscription = module.settings().subscription_id
    containers = [_ids.parse_blob_container_id(value, 'staging_containers', subscription)
                  for value in module.params['staging_containers']]  # fmt: skip
    for value in module.params['baseline']:
        _ids.parse_member_id(value, None, 'baseline')  # the form, before anything is sent; the group below
    job = None
    group = module.params['target_resource_group']
    if module.params['job_id']:
        vault, job_ids = module.job_refs([module.params['job_id']], option='job_id')
        try:
            job = normalize_job(module.client().get(_ids.job_path(vault, job_ids[0]), deadline=module.deadline()).body)
        except NotFound as error:
            raise error.rephrased(
                'job_id: vault %s has no job %s (%s).' % (vault.name, job_ids[0], error.msg)
            ) from error
        group = group or restored_resources(job).get('target_resource_group')
    if not group:
        raise ValidationError(
            'target_resource_group is required%s' % (
                ': the Restore job names no target resource group' if job else ' (or job_id of the Restore job)'),
            option='target_resource_group',
        )  # fmt: skip
    group = _ids.parse_resource_group(group, 'target_resource_group', subscription)
    baseline = set(_ids.parse_member_id(value, group, 'baseline') for value in module.params['baseline'])
    return group, baseline, containers, job


def read_all(module, client, group, baseline):
    known, other = _resources.list_group(client, group, module.deadline())
    found = []
    for path, kind in known:
        if path.id.lower() in baseline:
            continue
        state = _resources.read(client, path, kind, module.deadline())
        if state is not None:  # listed, then gone: not there any more
            found.append((path, kind, state))
    return found, [rid for rid in other if rid.lower() not in baseline]


def container_exists(module, client, path):
    try:
        client.get(path, api_version=_resources.API_VERSIONS[CONTAINER], deadline=module.deadline())
    except NotFound:
        return False
    return True


def remove(module, client, found, containers, existing, result):
    """Delete in Azure's order, recording in ``result`` each removal as it happens (in check mode, what would be
    removed), so that a failure half-way says what is gone."""
    removed = result['removed']
    todo = [(path, kind) for tier in _resources.DELETE_ORDER for path, kind, dummy in found if kind == tier]
    todo += [(path, CONTAINER) for path in containers if existing[path.id]]
    for path, kind in todo:
        if module.check_mode:
            removed.append(path.id)
        elif _resources.delete(client, path, kind, module.deadline(), module.params['poll_interval'], removed):
            removed.append(path.id)
            result['changed'] = True
    result['changed'] = bool(removed)


def run_module(module):
    group, baseline, containers, job = inputs(module)
    client = module.client()
    found, other = read_all(module, client, group, baseline)
    existing = dict((path.id, container_exists(module, client, path)) for path in containers)
    result = dict(
        changed=False,
        resources=[state for dummy, dummy2, state in found],
        created=[path.id for path, dummy, dummy2 in found],
        other=other,
        staging_containers=[dict(id=path.id, exists=existing[path.id]) for path in containers],
        removed=[],
    )
    if job is not None:
        result['restored'] = restored_resources(job)
    if module.params['state'] == 'absent':
        with module.carrying(result):
            remove(module, client, found, containers, existing, result)
        if result['removed'] and not module.check_mode:
            with module.carrying(result):
                left, dummy = read_all(module, client, group, baseline)
            if left:
                raise AzureBackupError(
                    'Deleted %d resource(s), but %s still exist(s) in %s.'
                    % (len(result['removed']), ', '.join(path.id for path, dummy, dummy2 in left), group.id),
                    result=dict(result),
                )
        if other:
            module.warn('Left alone (not a VM, network interface or disk): %s' % ', '.join(other))
    result['azure_time'] = client.azure_now().strftime('%Y-%m-%dT%H:%M:%SZ')
    result['elapsed'] = module.elapsed()
    return result


ARGUMENTS = dict(
    argument_spec=dict(
        target_resource_group=dict(type='str'),
        job_id=dict(type='str'),
        baseline=dict(type='list', elements='str', default=[]),
        staging_containers=dict(type='list', elements='str', default=[]),
        state=dict(type='str', default='present', choices=['present', 'absent']),
        timeout=dict(type='float', default=1800),
        poll_interval=dict(type='float', default=15),
    ),
    shared=('auth', 'vault'),
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
