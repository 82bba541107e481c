# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

Restore of an IaaS VM recovery point: target resolution, the request body per restore type, and
the restored resources as a Restore job's property bag names them.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors

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

_FORMS = {
    'Microsoft.Storage/storageAccounts': 'a storage account name or an id /subscriptions/<sub>/resourceGroups/<rg>/providers/'
    'Microsoft.Storage/storageAccounts/<name>',
    'Microsoft.Network/virtualNetworks': 'a virtual network name or an id /subscriptions/<sub>/resourceGroups/<rg>/providers/'
    'Microsoft.Network/virtualNetworks/<name>',
}


def _segments(value):
    return [segment for segment in value.strip().split('/') if segment]


def resource_group_id(value, subscription_id, option='target_resource_group'):
    """A resource group ARM id from a name or an id."""
    segments = _segments(value)
    if len(segments) == 1:
        return '/subscriptions/%s/resourceGroups/%s' % (subscription_id, segments[0])
    if len(segments) == 4 and segments[0].lower() == 'subscriptions' and segments[2].lower() == 'resourcegroups':
        return '/' + '/'.join(segments)
    raise _errors.ValidationError(
        "%s: expected a resource group name or /subscriptions/<sub>/resourceGroups/<name>, got '%s'" % (option, value),
        option=option,
    )


def resource_id(value, option, resource_type, subscription_id, resource_group):
    """An ARM id of type ``resource_type`` (``Provider/type``) from a name (in ``resource_group``) or an id."""
    segments = _segments(value)
    if len(segments) == 1:
        if not resource_group:
            raise _errors.ValidationError(
                '%s: a bare name needs target_resource_group (or give the full ARM id)' % option, option=option
            )
        return '/subscriptions/%s/resourceGroups/%s/providers/%s/%s' % (
            subscription_id,
            resource_group,
            resource_type,
            segments[0],
        )
    provider, kind = resource_type.split('/')
    if (
        len(segments) == 8
        and segments[0].lower() == 'subscriptions'
        and segments[2].lower() == 'resourcegroups'
        and segments[4].lower() == 'providers'
        and segments[5].lower() == provider.lower()
        and segments[6].lower() == kind.lower()
    ):
        return '/' + '/'.join(segments)
    raise _errors.ValidationError(
        "%s: expected %s, got '%s'" % (option, _FORMS.get(resource_type, resource_type), value), option=option
    )


def subnet_id(value, network_id, option='target_subnet'):
    """A subnet ARM id from a name (in the target virtual network) or an id."""
    segments = _segments(value)
    if len(segments) == 1:
        return '%s/subnets/%s' % (network_id, segments[0])
    if len(segments) == 10 and segments[6].lower() == 'virtualnetworks' and segments[8].lower() == 'subnets':
        subnet = '/' + '/'.join(segments)
        if not subnet.lower().startswith(network_id.lower() + '/subnets/'):
            raise _errors.ValidationError(
                '%s: the subnet %s is not in target_virtual_network %s' % (option, subnet, network_id), option=option
            )
        return subnet
    raise _errors.ValidationError(
        "%s: expected a subnet name or a subnet ARM id (…/virtualNetworks/<vnet>/subnets/<name>), got '%s'"
        % (option, value),
        option=option,
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
        if lun < 0:
            raise _errors.ValidationError('disk_luns: a LUN is a whole number from 0, got %s' % lun, option='disk_luns')


def validate(params, subscription_id, vm_resource_group=None):
    """Every check restore_request() makes, before anything is read or sent: the options each restore type
    needs, and the forms of the names and ids. Where the VM's resource group is not known yet (the VM was
    named alone), a stand-in is used: only a bare staging account name depends on it, and a name is valid."""
    source = '/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/vm' % (
        subscription_id,
        vm_resource_group or 'resource-group-of-the-vm',
    )
    restore_request(params, source, 'recovery-point', 'region', subscription_id)


def restore_request(params, source_vm_id, recovery_point_id, region, subscription_id):
    """Body of Restores_Trigger (IaasVMRestoreRequest) for the options of the restore module."""
    check_options(params)
    vm_resource_group = _segments(source_vm_id)[3]
    restore_type = params['restore_type']
    target_group = params.get('target_resource_group')
    target_group_name = target_group and _segments(resource_group_id(target_group, subscription_id))[3]
    properties = {
        'objectType': 'IaasVMRestoreRequest',
        'recoveryPointId': recovery_point_id,
        'recoveryType': RECOVERY_TYPES[restore_type],
        'sourceResourceId': source_vm_id,
        'region': region,
        'storageAccountId': resource_id(
            params['staging_storage_account'],
            'staging_storage_account',
            'Microsoft.Storage/storageAccounts',
            subscription_id,
            target_group_name or vm_resource_group,
        ),
        'createNewCloudService': False,
        'originalStorageAccountOption': False,
        'encryptionDetails': {'encryptionEnabled': False},
    }
    if target_group:
        properties['targetResourceGroupId'] = resource_group_id(target_group, subscription_id)
    if restore_type == 'alternate_location':
        network = resource_id(
            params['target_virtual_network'],
            'target_virtual_network',
            'Microsoft.Network/virtualNetworks',
            subscription_id,
            target_group_name,
        )
        properties.update(
            targetVirtualMachineId='%s/providers/Microsoft.Compute/virtualMachines/%s'
            % (properties['targetResourceGroupId'], params['target_vm_name']),
            virtualNetworkId=network,
            subnetId=subnet_id(params['target_subnet'], network),
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
