# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

Find the protected item (an IaaS VM) that the item options select; its recovery points.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _filters
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _shapes

ITEMS_FILTER = "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"
_FROM_AZURE = ('the container name Azure returned', 'the protected item name Azure returned')


class NoSuchItem(_errors.ValidationError):
    """No protected item has the VM name given."""


class Item(object):
    """A protected item: where it lives in the vault and, once read, its resource. ``container_name`` is None
    while only the VM's name is known (read_item() then looks it up)."""

    def __init__(
        self, vault, container_name, item_name, resource=None, options=('container_name', 'protected_item_name')
    ):
        self.vault = vault
        self.container_name = container_name
        self.name = item_name
        self.resource = resource
        self.path = None if container_name is None else _ids.item_path(vault, container_name, item_name, options)

    @property
    def properties(self):
        return (self.resource or {}).get('properties') or {}

    @property
    def vm_name(self):
        """The VM's name: Azure's friendlyName, else the last part of the item name."""
        return self.properties.get('friendlyName') or self.name.split(';')[-1]

    @property
    def vm_resource_group(self):
        names = _ids.parse_iaasvm_name(self.name) if self.container_name else None
        return names[0] if names else None

    def describe(self):
        """The names a result reports as ``protected_item``."""
        return dict(vm_name=self.vm_name, container_name=self.container_name, protected_item_name=self.name)


def select_item(params, vault):
    """The item the options name, checked (naming rules, the vault's subscription) but not read: no request."""
    if params.get('container_name'):
        return Item(vault, params['container_name'], params['protected_item_name'])
    if params.get('vm_id'):
        vm = _ids.parse_vm_id(params['vm_id'], 'vm_id', subscription_id=vault.subscription_id)
        resource_group, vm_name = vm.resource_group, vm.name
    elif params.get('vm_resource_group'):
        resource_group, vm_name = params['vm_resource_group'], params['vm_name']
    else:
        return Item(vault, None, _ids.check('vm', params['vm_name'], 'vm_name'))
    return Item(vault, _ids.container_name(resource_group, vm_name), _ids.item_name(resource_group, vm_name))


def find_by_vm_name(client, vault, vm_name, deadline=None):
    """Look the VM up by name among the vault's protected IaaS VM items."""
    wanted = vm_name.lower()
    params = {'$filter': ITEMS_FILTER}
    matches = [
        resource
        for resource in client.list(_ids.protected_items_path(vault), params=params, deadline=deadline)
        if ((resource.get('properties') or {}).get('friendlyName') or '').lower() == wanted
    ]
    if not matches:
        raise NoSuchItem(
            "vm_name: no protected virtual machine named '%s' in vault '%s'. Protect it first, or check the name "
            'and the vault (resource_group, vault_name).' % (vm_name, vault.name),
            option='vm_name',
        )
    if len(matches) > 1:
        where = sorted(str(_ids.names_in_item_id(m.get('id'))[0]) for m in matches)
        raise _errors.ValidationError(
            "vm_name: %d protected virtual machines are named '%s' (%s); add vm_resource_group to choose one."
            % (len(matches), vm_name, ', '.join(where)),
            option='vm_name',
        )
    container_name, item_name = _ids.names_in_item_id(matches[0].get('id'))
    return Item(vault, container_name, item_name or matches[0].get('name'), matches[0], options=_FROM_AZURE)


def read_item(client, item, deadline=None):
    """Read the selected item from the vault (NotFound, with a clear message, when it is not protected)."""
    if item.container_name is None:
        return find_by_vm_name(client, item.vault, item.name, deadline=deadline)
    try:
        item.resource = client.get(item.path, deadline=deadline).body
    except _errors.NotFound as error:
        raise error.rephrased(
            "The virtual machine '%s' is not a protected item of vault '%s' (%s: %s)"
            % (item.name.split(';')[-1], item.vault.name, error.code, error.message)
        ) from error
    return item


def list_recovery_points(client, item, start=None, end=None, deadline=None):
    """The item's recovery points (resources, in Azure's order), optionally taken within [start, end].

    Azure's filter counts whole seconds, so the window sent is widened to whole seconds and the
    points are then held to the exact window.
    """
    query_end = end and end.replace(microsecond=0) + datetime.timedelta(seconds=1 if end.microsecond else 0)
    query = _filters.odata_eq(startDate=start, endDate=query_end)
    points = client.list(
        _ids.recovery_points_path(item.path), params={'$filter': query} if query else None, deadline=deadline
    )
    return [point for point in points if _within(point, start, end)]


def _within(point, start, end):
    taken = _filters.parse_azure_time(((point or {}).get('properties') or {}).get('recoveryPointTime'))
    if taken is None:
        return True
    return (start is None or taken >= start) and (end is None or taken <= end)


def read_recovery_point(client, item, recovery_point_id=None, deadline=None):
    """The recovery point (normalised) with this id, or the item's newest one when no id is given."""
    if recovery_point_id:
        try:
            resource = client.get(_ids.recovery_point_path(item.path, recovery_point_id), deadline=deadline).body
        except _errors.NotFound as error:
            raise error.rephrased(
                "recovery_point_id: %s has no recovery point '%s' (%s: %s). List them with "
                'azure_backup_recovery_point_info.' % (item.vm_name, recovery_point_id, error.code, error.message)
            ) from error
        return _shapes.normalize_recovery_point(resource)
    points = _shapes.newest_first(
        [_shapes.normalize_recovery_point(point) for point in list_recovery_points(client, item, deadline=deadline)]
    )
    if not points:
        raise _errors.AzureBackupError(
            '%s has no recovery point yet: back it up first (azure_backup_trigger).' % item.vm_name
        )
    return points[0]
