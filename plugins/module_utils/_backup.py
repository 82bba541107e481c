# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Internal to this collection; not a public API.

On-demand backup of a protected IaaS VM: the request body, the running-job check, the trigger.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _errors
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _filters
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _jobs
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _operations

DEFAULT_RETAIN_DAYS = 30
MAX_RETAIN_DAYS = 36135  # Azure accepts on-demand retention of up to 99 years
RUNNING_JOB_PATIENCE = 120  # seconds to look for the job of a backup Azure says is in progress
DEFAULT_LOOK_INTERVAL = 10
IN_PROGRESS_CODES = ('UserErrorBackupOperationInProgress', 'BMSUserErrorObjectLocked')
UTC = _filters.UTC


def expiry_time(retain_until=None, retain_days=None, now=None):
    """The recovery point's expiry (UTC datetime) from retain_until or retain_days (default 30 days)."""
    now = now or datetime.datetime.now(UTC)
    if retain_until:
        expiry = _filters.parse_utc(retain_until, 'retain_until', end_of_day=True)
        if expiry <= now:
            raise _errors.ValidationError(
                'retain_until: %s is not in the future' % expiry.strftime('%Y-%m-%dT%H:%M:%SZ'), option='retain_until'
            )
        if expiry > now + datetime.timedelta(days=MAX_RETAIN_DAYS):
            raise _errors.ValidationError(
                'retain_until: Azure keeps an on-demand recovery point for at most 99 years', option='retain_until'
            )
        return expiry
    days = DEFAULT_RETAIN_DAYS if retain_days is None else retain_days
    if not 1 <= days <= MAX_RETAIN_DAYS:
        raise _errors.ValidationError(
            'retain_days: expected a whole number of days from 1 to %d, got %s' % (MAX_RETAIN_DAYS, days),
            option='retain_days',
        )
    return now + datetime.timedelta(days=days)


def backup_request(expiry):
    """Body of Backups_Trigger for an IaaS VM."""
    return {
        'properties': {
            'objectType': 'IaasVMBackupRequest',
            'recoveryPointExpiryTimeInUTC': expiry.strftime('%Y-%m-%dT%H:%M:%S.000Z'),
        }
    }


def running_backup_job(client, vault_path, item, deadline=None):
    """The Backup job in progress for the item (normalised, with extended info), or None.

    No time window is sent: Azure reckons its default window on its own clock, so a local clock that
    is behind cannot hide a running job.
    """
    query = _filters.job_filter(status='InProgress', operation='Backup', backup_management_type='AzureIaasVM')
    vm_name = item.vm_name.lower()
    container = _ids.parse_iaasvm_name(item.container_name)
    for resource in client.list(vault_path + '/backupJobs', params={'$filter': query}, deadline=deadline):
        properties = resource.get('properties') or {}
        if (properties.get('entityFriendlyName') or '').lower() != vm_name:
            continue
        if properties.get('containerName') and not _same_vm(
            _ids.parse_iaasvm_name(properties['containerName']), container
        ):
            continue
        job = client.get(vault_path + '/backupJobs/' + resource['name'], deadline=deadline).body
        return _jobs.normalize_job(job)
    return None


def _same_vm(left, right):
    """Whether two (resource group, VM) pairs name one VM; an unparsable side never excludes a job."""
    if not left or not right:
        return True
    return tuple(part.lower() for part in left) == tuple(part.lower() for part in right)


def trigger(client, item, body, deadline=None, poll_interval=None):
    """POST the backup (never resent) and follow the operation to its job id."""
    response = client.post(item.path + '/backup', body=body, deadline=deadline)
    return _operations.track(client, response, deadline, poll_interval=poll_interval)


def is_backup_in_progress_error(error):
    return isinstance(error, _errors.ApiError) and error.code in IN_PROGRESS_CODES


def await_running_backup_job(
    client, vault_path, item, deadline=None, poll_interval=None, patience=RUNNING_JOB_PATIENCE
):
    """The running Backup job of the item, looked for until it appears (Azure refused a backup because one
    is in progress, but its job may not be listed yet): at most ``patience`` seconds, never past the deadline."""
    give_up = client.clock() + patience
    if deadline is not None:
        give_up = min(give_up, deadline)
    while True:
        job = running_backup_job(client, vault_path, item, deadline=deadline)
        if job is not None:
            return job
        delay = min(poll_interval or DEFAULT_LOOK_INTERVAL, give_up - client.clock())
        if delay <= 0:
            return None
        client.sleep(delay)
