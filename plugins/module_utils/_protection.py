# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

Protection of an IaaS VM: what has to change to reach a state, the request bodies, VM discovery.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _operations

VM_ITEM_TYPE = 'Microsoft.Compute/virtualMachines'
STOPPED_STATES = ('ProtectionStopped', 'BackupsSuspended')
PROTECTABLE_FILTER = "backupManagementType eq 'AzureIaasVM'"

CONFIGURE, STOP, DELETE = 'configure', 'stop', 'delete'


def _name(arm_id):
    return (arm_id or '').rstrip('/').rsplit('/', 1)[-1].lower()


def plan(state, item, policy_id=None):
    """What must be done to bring the item (its resource, or None when the vault has none) to ``state``.

    Returns (action, reason): action is None when nothing needs doing, else CONFIGURE, STOP or DELETE.
    """
    properties = (item or {}).get('properties') or {}
    deleted = properties.get('isScheduledForDeferredDelete')
    if state == 'absent':
        if not item:
            return None, 'the VM is not protected'
        if deleted:
            return None, 'the backup data is already deleted (soft-deleted until %s)' % properties.get(
                'deferredDeleteTimeInUTC'
            )
        return DELETE, 'protection is %s' % properties.get('protectionState')
    if deleted:
        raise _errors.AzureBackupError(
            'The backup data of this VM is soft-deleted (until %s): undelete it in the vault before changing '
            'its protection' % properties.get('deferredDeleteTimeInUTC')
        )
    if state == 'stopped':
        if not item:
            return None, 'the VM is not protected'
        if properties.get('protectionState') in STOPPED_STATES:
            return None, 'protection is already stopped'
        return STOP, 'protection is %s' % properties.get('protectionState')
    if not item:
        return CONFIGURE, 'the VM is not protected'
    if properties.get('protectionState') in STOPPED_STATES:
        return CONFIGURE, 'protection is stopped'
    if _name(properties.get('policyId')) != _name(policy_id):
        return CONFIGURE, 'the policy is %s' % (
            properties.get('policyName') or _name(properties.get('policyId')) or 'none'
        )
    return None, 'the VM is protected with that policy'


def protect_request(vm_id, policy_id):
    return {'properties': {'protectedItemType': VM_ITEM_TYPE, 'sourceResourceId': vm_id, 'policyId': policy_id}}


def stop_request(vm_id):
    return {
        'properties': {
            'protectedItemType': VM_ITEM_TYPE,
            'sourceResourceId': vm_id,
            'protectionState': 'ProtectionStopped',
        }
    }


def find_protectable(client, vault, vm_id, deadline=None):
    """The vault's protectable item for the VM (by its ARM id), or None."""
    wanted = vm_id.lower()
    for resource in client.list(
        _ids.protectable_items_path(vault), params={'$filter': PROTECTABLE_FILTER}, deadline=deadline
    ):
        if ((resource.get('properties') or {}).get('virtualMachineId') or '').lower() == wanted:
            return resource
    return None


def discover(client, vault, vm_id, deadline=None, poll_interval=None):
    """Find the VM among the vault's protectable items, refreshing the vault's view of Azure once when needed."""
    found = find_protectable(client, vault, vm_id, deadline)
    if found is None:
        response = client.post(
            _ids.refresh_containers_path(vault), params={'$filter': PROTECTABLE_FILTER}, deadline=deadline
        )
        _operations.follow(client, response, 'container refresh', deadline, poll_interval, need_job=False)
        found = find_protectable(client, vault, vm_id, deadline)
    if found is None:
        raise _errors.ValidationError(
            'The vault cannot protect %s: the VM was not found among its protectable items even after a refresh. '
            "Check that the VM exists in the vault's region and subscription." % vm_id,
            option='vm_name',
        )
    return found


def apply(client, item_path, action, vm_id, policy_id=None, deadline=None, poll_interval=None, result=None):
    """Send the change and follow its operation; the OperationResult (its job_id names the job), or None when
    Azure finished at once (200/204). ``result``: what the task did so far, carried by later errors."""
    if action == CONFIGURE:
        response = client.put(item_path, body=protect_request(vm_id, policy_id), deadline=deadline)
    elif action == STOP:
        response = client.put(item_path, body=stop_request(vm_id), deadline=deadline)
    else:
        response = client.delete(item_path, deadline=deadline)
    if response.status in (200, 204):
        return None
    what = {CONFIGURE: 'protection request', STOP: 'stop-protection request', DELETE: 'delete-backup-data request'}
    return _operations.follow(client, response, what[action], deadline, poll_interval, result, need_job=False)
