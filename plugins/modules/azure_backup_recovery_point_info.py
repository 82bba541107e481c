#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: azure_backup_recovery_point_info
short_description: Read the recovery points of a protected Azure VM
version_added: 0.1.0
description:
  - Lists the recovery points of a VM protected by a Recovery Services vault, newest first, optionally
    within a time window, or just the newest one with O(latest=true).
  - Each recovery point keeps Azure's tier details (instant snapshot and vault tiers), disk
    configuration and expiry, in snake_case.
author:
  - cloudops.azure_backup maintainers (@cloudops-azure-backup)
options:
  start_time:
    description:
      - Only recovery points taken at or after this time (UTC), as C(YYYY-MM-DD) or an ISO 8601 date and time.
      - Without O(end_time), points up to now are listed.
    type: str
  end_time:
    description:
      - Only recovery points taken at or before this time (UTC), as C(YYYY-MM-DD) (to the end of that day)
        or an ISO 8601 date and time. Without O(start_time), the window starts 30 days earlier.
    type: str
  latest:
    description: Return only the newest recovery point (in the window, when one is given).
    type: bool
    default: false
extends_documentation_fragment:
  - cloudops.azure_backup.auth
  - cloudops.azure_backup.vault
  - cloudops.azure_backup.item
  - cloudops.azure_backup.attributes
  - cloudops.azure_backup.attributes.INFO_MODULE
seealso:
  - module: cloudops.azure_backup.azure_backup_restore
    description: Restore from a recovery point.
  - module: cloudops.azure_backup.azure_backup_trigger
    description: Take a new recovery point.
'''

EXAMPLES = r'''
- name: The newest recovery point of a VM
  cloudops.azure_backup.azure_backup_recovery_point_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-01
    latest: true
  register: newest

- name: Show it
  ansible.builtin.debug:
    msg: "{{ newest.recovery_points[0].recovery_point_id }} taken {{ newest.recovery_points[0].recovery_point_time }}
          in tiers {{ newest.recovery_points[0].tiers }}"

- name: The recovery points of January
  cloudops.azure_backup.azure_backup_recovery_point_info:
    resource_group: rg-backup-demo
    vault_name: rsv-demo
    vm_name: vm-web-01
    vm_resource_group: rg-workloads
    start_time: "2026-01-01"
    end_time: "2026-01-31"
'''

RETURN = r'''
recovery_points:
  description:
    - The recovery points, newest first; an empty list when there are none. Besides the keys below,
      each has Azure's properties in snake_case (C(recovery_point_disk_configuration),
      C(recovery_point_properties), C(os_type), C(virtual_machine_size), C(zones), ...).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: ARM id of the recovery point.
      type: str
    recovery_point_id:
      description: The recovery point's id, as O(cloudops.azure_backup.azure_backup_restore#module:recovery_point_id) takes it.
      type: str
      sample: "348916168024334"
    recovery_point_time:
      description: When the recovery point was taken (UTC).
      type: str
      sample: "2026-11-26T08:40:11.000Z"
    recovery_point_type:
      description: For example C(CrashConsistent), C(FileSystemConsistent), C(AppConsistent).
      type: str
    tiers:
      description: The tiers the point is valid in, C(InstantRP) (snapshot), C(HardenedRP) (vault), C(ArchivedRP).
      type: list
      elements: str
      sample: [InstantRP, HardenedRP]
    recovery_point_tier_details:
      description: Azure's tier details, each with C(type), C(status) and C(extended_info).
      type: list
      elements: dict
protected_item:
  description: The protected item whose recovery points these are.
  returned: always
  type: dict
  contains:
    vm_name:
      description: Name of the VM.
      type: str
    container_name:
      description: Azure Backup's container name.
      type: str
    protected_item_name:
      description: Azure Backup's protected item name.
      type: str
'''

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _filters
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _shapes
from ansible_collections.cloudops.azure_backup.plugins.module_utils._items import (
    list_recovery_points,
    read_item,
    select_item,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._module import run_main


def run_module(module):
    params = module.params
    start, end = _filters.check_window(params['start_time'], params['end_time'])
    item = select_item(params, module.vault_path())
    client = module.client()
    item = read_item(client, item)
    if start is not None or end is not None:
        # Reading the item told us Azure's clock: an open end is now by it, not by ours.
        start, end = _filters.time_window(start, end, now=client.azure_now())
    points = [_shapes.normalize_recovery_point(point) for point in list_recovery_points(client, item, start, end)]
    points = _shapes.newest_first(points)
    return dict(
        changed=False, recovery_points=points[:1] if params['latest'] else points, protected_item=item.describe()
    )


ARGUMENTS = dict(
    argument_spec=dict(
        start_time=dict(type='str'),
        end_time=dict(type='str'),
        latest=dict(type='bool', default=False),
    ),
    shared=('auth', 'vault', 'item'),
    supports_check_mode=True,
)


def main():
    run_main(ARGUMENTS, run_module)


if __name__ == '__main__':
    main()
