# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

Restore of an IaaS VM recovery point: target resolution, the request body per restore type, and
the restored resources as a Restore job's property bag names them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids

RECOVERY_TYPES = {
    'restore_disks': 'RestoreDisks',
    'alternate_location': 'AlternateLocation',
    'original_location': 'OriginalLocation',
}

# Options each restore type cannot do without (checked before anything is sent).
REQUIRED_OPTIONS = {
    'restore_disks': ('staging_storage_account',),
    'alternate_location': (
        'staging_storage_account',
        'target_resource_group',
        'target_vm_name',
        'target_virtual_network',
        'target_subnet',
    ),
    'original_location': ('staging_storage_account',),
}

MAX_LUN = 63  # data disk LUNs Azure accepts
ZONES = ('1', '2', '3')

# Options that only make sense for some restore types.
ALLOWED_OPTIONS = {
    'target_vm_name': ('alternate_location',),
    'target_virtual_network': ('alternate_location',),
    'target_subnet': ('alternate_location',),
    'target_resource_group': ('restore_disks', 'alternate_location'),
    'zones': ('restore_disks', 'alternate_location'),
    'disk_luns': ('restore_disks', 'original_location'),
}

# What a Restore job's property bag says about the restored resources, under the keys we return.
RESTORED_KEYS = (
    ('job_type', 'Job Type'),
    ('target_resource_group', 'Target resource group'),
    ('target_vm_name', 'Target VM Name'),
    ('target_storage_account', 'Target Storage Account Name'),
    ('config_blob_container', 'Config Blob Container Name'),
    ('config_blob_name', 'Config Blob Name'),
    ('config_blob_uri', 'Config Blob Uri'),
    ('template_blob_uri', 'Template Blob Uri'),
    ('restored_disks', 'Restored Disks'),
    ('recovery_point_time', 'Recovery point time'),
)


def check_options(params):
    """Refuse options the restore type needs but lacks, or cannot use. Nothing has been sent yet."""
    restore_type = params['restore_type']
    missing = [name for name in REQUIRED_OPTIONS[restore_type] if not params.get(name)]
    if missing:
        raise _errors.ValidationError(
            'restore_type=%s needs %s' % (restore_type, ', '.join(missing)), option=missing[0]
        )
    unused = [name for name, types in ALLOWED_OPTIONS.items() if params.get(name) and restore_type not in types]
    if unused:
        raise _errors.ValidationError(
            'restore_type=%s does not take %s' % (restore_type, ', '.join(sorted(unused))), option=sorted(unused)[0]
        )
    for lun in params.get('disk_luns') or []:
        if not 0 <= lun <= MAX_LUN:
            raise _errors.ValidationError(
                'disk_luns: a LUN is a whole number from 0 to %d, got %s' % (MAX_LUN, lun), option='disk_luns'
            )
    for zone in params.get('zones') or []:
        if str(zone) not in ZONES:
            raise _errors.ValidationError(
                'zones: an availability zone is %s, got %r' % (', '.join(ZONES), zone), option='zones'
            )
    if params.get('region') is not None and not re.fullmatch(r'[A-Za-z0-9][A-Za-z0-9 ]{0,63}', params['region']):
        raise _errors.ValidationError(
            'region: expected an Azure region name such as westeurope, got %r' % params['region'], option='region'
        )


def targets(params, subscription_id, vm_resource_group):
    """The restore's targets as ArmPaths, every name and id checked (in the vault's subscription): ``group``,
    ``storage``, ``network``, ``subnet``, ``vm`` (None where the restore type has none). A bare staging account
    name lies in the target resource group, else in the VM's."""
    check_options(params)
    found = dict(group=None, storage=None, network=None, subnet=None, vm=None)
    if params.get('target_resource_group'):
        found['group'] = _ids.parse_resource_group(
            params['target_resource_group'], 'target_resource_group', subscription_id
        )
    group = found['group'].resource_group if found['group'] else None
    found['storage'] = _ids.parse_resource(
        params['staging_storage_account'],
        'staging_storage_account',
        'Microsoft.Storage',
        'storageAccounts',
        subscription_id,
        group or vm_resource_group,
        'target_resource_group',
    )
    if params['restore_type'] == 'alternate_location':
        found['network'] = _ids.parse_resource(
            params['target_virtual_network'],
            'target_virtual_network',
            'Microsoft.Network',
            'virtualNetworks',
            subscription_id,
            group,
            'target_resource_group',
        )
        found['subnet'] = _ids.parse_subnet(params['target_subnet'], 'target_subnet', found['network'])
        found['vm'] = _ids.vm_path(
            subscription_id, group, params['target_vm_name'], ('target_resource_group', 'target_vm_name')
        )
    return found


def validate(params, subscription_id, vm_resource_group=None):
    """Every check restore_request() makes, before anything is read or sent. Where the VM's resource group is
    not known yet (the VM was named alone), a stand-in is used: only a bare staging account name lies in it."""
    targets(params, subscription_id, vm_resource_group or 'resource-group-of-the-vm')


def restore_request(params, source_vm_id, recovery_point_id, region, subscription_id):
    """Body of Restores_Trigger (IaasVMRestoreRequest) for the options of the restore module."""
    source = _ids.parse_vm_id(source_vm_id, 'the source VM id Azure returned', subscription_id=subscription_id)
    found = targets(params, subscription_id, source.resource_group)
    properties = {
        'objectType': 'IaasVMRestoreRequest',
        'recoveryPointId': recovery_point_id,
        'recoveryType': RECOVERY_TYPES[params['restore_type']],
        'sourceResourceId': source.id,
        'region': region,
        'storageAccountId': found['storage'].id,
        'createNewCloudService': False,
        'originalStorageAccountOption': False,
        'encryptionDetails': {'encryptionEnabled': False},
    }
    if found['group']:
        properties['targetResourceGroupId'] = found['group'].id
    if found['vm']:
        properties.update(
            targetVirtualMachineId=found['vm'].id, virtualNetworkId=found['network'].id, subnetId=found['subnet'].id
        )
    if params.get('restore_with_managed_disks') is not None:
        properties['restoreWithManagedDisks'] = params['restore_with_managed_disks']
    if params.get('disk_luns'):
        properties['restoreDiskLunList'] = list(params['disk_luns'])
    if params.get('zones'):
        properties['zones'] = [str(zone) for zone in params['zones']]
    return {'properties': properties}


def restored_resources(job):
    """The restored resources a Restore job's property bag names, under snake_case keys (None when absent)."""
    bag = dict(
        ((key or '').strip().lower(), value)
        for key, value in ((job or {}).get('extended_info') or {}).get('property_bag', {}).items()
    )
    return dict((name, bag.get(key.lower())) for name, key in RESTORED_KEYS)
