# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a restore created in its target resource group (VMs, network interfaces, managed disks, the staging
container): read it through ARM, and delete it in the order Azure allows. Internal to this collection; not a
public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    AzureBackupError,
    NotFound,
    carrying,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._operations import track

# api-version per resource provider and type (current GA versions of the Compute, Network, Storage and
# Resources providers; docs/restore.md lists them).
API_VERSIONS = {
    ('Microsoft.Compute', 'virtualMachines'): '2024-07-01',
    ('Microsoft.Compute', 'disks'): '2024-03-02',
    ('Microsoft.Network', 'networkInterfaces'): '2024-05-01',
    ('Microsoft.Storage', 'containers'): '2023-05-01',
}
RESOURCES_API_VERSION = '2021-04-01'
# Deletion order: a VM holds its NICs and disks; Azure refuses to delete a NIC in use (NicInUse) or an attached disk
# (OperationNotAllowed) until the VM is gone.
DELETE_ORDER = _ids.RESTORED_TYPES
TYPE_NAMES = {
    ('Microsoft.Compute', 'virtualMachines'): 'virtual machine',
    ('Microsoft.Network', 'networkInterfaces'): 'network interface',
    ('Microsoft.Compute', 'disks'): 'managed disk',
    ('Microsoft.Storage', 'containers'): 'blob container',
}


def _props(body):
    props = body.get('properties') if isinstance(body, dict) else None
    return props if isinstance(props, dict) else {}


def _ref(value):
    return value.get('id') if isinstance(value, dict) else None


def _power_state(props):
    for status in (props.get('instanceView') or {}).get('statuses') or []:
        code = status.get('code') if isinstance(status, dict) else None
        if isinstance(code, str) and code.startswith('PowerState/'):
            return code.split('/', 1)[1]
    return None


def normalize(kind, body):
    """A resource's ARM answer -> the keys the collection returns (None where Azure says nothing)."""
    body = body if isinstance(body, dict) else {}
    props = _props(body)
    found = dict(
        id=body.get('id'),
        name=body.get('name'),
        type=body.get('type'),
        location=body.get('location'),
        provisioning_state=props.get('provisioningState'),
    )
    if kind == ('Microsoft.Compute', 'disks'):
        found.update(
            disk_size_gb=props.get('diskSizeGB'),
            disk_state=props.get('diskState'),
            managed_by=body.get('managedBy'),
            os_type=props.get('osType'),
            sku=(body.get('sku') or {}).get('name'),
        )
    elif kind == ('Microsoft.Compute', 'virtualMachines'):
        storage = props.get('storageProfile') or {}
        found.update(
            vm_size=(props.get('hardwareProfile') or {}).get('vmSize'),
            power_state=_power_state(props),
            os_disk_id=_ref((storage.get('osDisk') or {}).get('managedDisk')),
            data_disk_ids=[_ref(d.get('managedDisk')) for d in storage.get('dataDisks') or [] if isinstance(d, dict)],
            network_interface_ids=[_ref(n) for n in (props.get('networkProfile') or {}).get('networkInterfaces') or []],
        )
    elif kind == ('Microsoft.Network', 'networkInterfaces'):
        configs = [c for c in props.get('ipConfigurations') or [] if isinstance(c, dict)]
        first = _props(configs[0]) if configs else {}
        found.update(
            virtual_machine_id=_ref(props.get('virtualMachine')),
            subnet_id=_ref(first.get('subnet')),
            private_ip_address=first.get('privateIPAddress'),
            public_ip_address_id=_ref(first.get('publicIPAddress')),
        )
    return found


def list_group(client, group, deadline):
    """(restored-kind resources as (ArmPath, kind), ids of anything else) in the resource group ``group``."""
    known, other = [], []
    for item in client.list(_ids.resources_path(group), api_version=RESOURCES_API_VERSION, deadline=deadline):
        rid = item.get('id') if isinstance(item, dict) else None
        path, kind = _ids.parse_group_member(rid, group)
        if path is not None:
            known.append((path, kind))
        elif isinstance(rid, str):
            other.append(rid)
    return known, other


def read(client, path, kind, deadline):
    """The resource's normalized state, or None when it does not exist."""
    params = {'$expand': 'instanceView'} if kind == ('Microsoft.Compute', 'virtualMachines') else None
    try:
        resp = client.get(path, params=params, api_version=API_VERSIONS[kind], deadline=deadline)
    except NotFound:
        return None
    return normalize(kind, resp.body)


def delete(client, path, kind, deadline, poll_interval=None, done=None):
    """DELETE one resource and follow Azure's asynchronous operation until it ended. True when something was
    deleted, False when it was already gone. Once Azure accepted the DELETE, a failure carries ``changed: true``
    and the ``removed`` ids so far (``done``)."""
    try:
        resp = client.delete(path, api_version=API_VERSIONS[kind], deadline=deadline)
    except NotFound:
        return False
    except ApiError as error:
        raise error.rephrased(
            'Azure refused to delete the %s %s: %s: %s' % (TYPE_NAMES[kind], path.id, error.code, error.message)
        ) from error
    if resp.status == 204:
        return False
    if resp.status == 202:
        try:
            track(client, resp, deadline, poll_interval)
        except AzureBackupError as error:
            accepted = carrying(
                error,
                {},
                msg='Azure accepted the deletion of the %s %s, but it did not end well: %s'
                % (TYPE_NAMES[kind], path.id, error.msg),
            )
            accepted.result.update(changed=True, removed=list(done or []), removing=path.id)
            raise accepted from error
    return True
