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
from ansible_collections.cloudops.azure_backup.plugins.module_utils._polling import Poller

DEFAULT_RETAIN_DAYS = 30
MAX_RETAIN_DAYS = 36135  # Azure keeps an on-demand recovery point for at most 99 years
RUNNING_JOB_PATIENCE = 120  # seconds to look for the job of a backup Azure says is in progress
IN_PROGRESS_CODES = ('UserErrorBackupOperationInProgress', 'BMSUserErrorObjectLocked')
UTC = _filters.UTC


def check_retention(retain_until=None, retain_days=None, now=None):
    """Check the retention options before anything is sent. Whether retain_until is in the future is Azure's
    clock's to say (expiry_time); ours only refuses a time more than a day in its past, which no clock skew
    explains."""
    if retain_until:
        expiry = _filters.parse_utc(retain_until, 'retain_until', end_of_day=True)
        now = now or datetime.datetime.now(UTC)
        if expiry < now - _filters.OPEN_END_MARGIN:
            raise _errors.ValidationError(
                'retain_until: %s is in the past' % expiry.strftime('%Y-%m-%dT%H:%M:%SZ'), option='retain_until'
            )
    elif retain_days is not None and not 1 <= retain_days <= MAX_RETAIN_DAYS:
        raise _errors.ValidationError(
            'retain_days: expected a whole number of days from 1 to %d (99 years), got %s'
            % (MAX_RETAIN_DAYS, retain_days),
            option='retain_days',
        )


def expiry_time(retain_until=None, retain_days=None, now=None):
    """The recovery point's expiry (UTC datetime) from retain_until or retain_days (default 30 days), by ``now``:
    Azure's clock, which decides whether the expiry is in the future."""
    now = now or datetime.datetime.now(UTC)
    check_retention(retain_until, retain_days, now)
    if retain_until:
        expiry = _filters.parse_utc(retain_until, 'retain_until', end_of_day=True)
        if expiry <= now:
            raise _errors.ValidationError(
                "retain_until: %s is not in the future (Azure's clock says %s)"
                % (expiry.strftime('%Y-%m-%dT%H:%M:%SZ'), now.strftime('%Y-%m-%dT%H:%M:%SZ')),
                option='retain_until',
            )
        if expiry > now + datetime.timedelta(days=MAX_RETAIN_DAYS):
            raise _errors.ValidationError(
                'retain_until: Azure keeps an on-demand recovery point for at most 99 years', option='retain_until'
            )
        return expiry
    return now + datetime.timedelta(days=DEFAULT_RETAIN_DAYS if retain_days is None else retain_days)


def backup_request(expiry):
    """Body of Backups_Trigger for an IaaS VM."""
    return {
        'properties': {
            'objectType': 'IaasVMBackupRequest',
            'recoveryPointExpiryTimeInUTC': expiry.strftime('%Y-%m-%dT%H:%M:%S.000Z'),
        }
    }


def running_backup_job(client, item, deadline=None):
    """The Backup job in progress for the item (normalised, with extended info), or None.

    No time window is sent: Azure reckons its default window on its own clock, so a local clock that
    is behind cannot hide a running job.
    """
    query = _filters.job_filter(status='InProgress', operation='Backup', backup_management_type='AzureIaasVM')
    vm_name = item.vm_name.lower()
    container = _ids.parse_iaasvm_name(item.container_name)
    for resource in client.list(_ids.jobs_path(item.vault), params={'$filter': query}, deadline=deadline):
        properties = resource.get('properties') or {}
        if (properties.get('entityFriendlyName') or '').lower() != vm_name:
            continue
        if properties.get('containerName') and not _same_vm(
            _ids.parse_iaasvm_name(properties['containerName']), container
        ):
            continue
        job = client.get(_ids.job_path(item.vault, resource.get('name'), 'the job id Azure listed'), deadline=deadline)
        return _jobs.normalize_job(job.body)
    return None


def _same_vm(left, right):
    """Whether two (resource group, VM) pairs name one VM; an unparsable side never excludes a job."""
    if not left or not right:
        return True
    return tuple(part.lower() for part in left) == tuple(part.lower() for part in right)


def is_backup_in_progress_error(error):
    return isinstance(error, _errors.ApiError) and error.code in IN_PROGRESS_CODES


def await_running_backup_job(client, item, deadline=None, poll_interval=None, patience=RUNNING_JOB_PATIENCE):
    """The running Backup job of the item, looked for until it is listed (Azure refused a backup because one is
    in progress, or a backup's answer was lost, and the job may not be listed yet): at most ``patience``
    seconds, never past the deadline. None when it did not appear."""
    give_up = client.clock() + patience
    poller = Poller(give_up if deadline is None else min(give_up, deadline), poll_interval, client.clock, client.sleep)
    while True:
        job = running_backup_job(client, item, deadline=deadline)
        if job is not None or not poller.pause():
            return job


def trigger(client, item, body, deadline=None, poll_interval=None, result=None):
    """POST the backup (never resent after it may have reached Azure) and follow it to its job id.

    Returns (operation, running, cause): the OperationResult of the backup started; or, instead, the item's
    running backup job (normalised) and the error that sent us looking for it: Azure refused because a backup
    was in progress, or the POST's answer was lost (WriteOutcomeUnknown) and the running backup was found.
    ``result`` (what the task did so far) is carried by any error raised once Azure accepted the POST."""
    try:
        response = client.post(_ids.backup_path(item.path), body=body, deadline=deadline)
    except _errors.ApiError as error:
        if not (is_backup_in_progress_error(error) or isinstance(error, _errors.WriteOutcomeUnknown)):
            raise
        try:
            running = await_running_backup_job(client, item, deadline, poll_interval)
        except _errors.AzureBackupError as lookup:
            raise _errors.carrying(
                error,
                dict(result or {}, changed=isinstance(error, _errors.WriteOutcomeUnknown)),
                msg='%s Looking for its job failed too: %s' % (error.msg, lookup.msg),
            ) from lookup
        if running is None:
            if isinstance(error, _errors.WriteOutcomeUnknown):
                raise _errors.carrying(
                    error,
                    dict(result or {}, changed=True),
                    msg='%s No running backup of %s was listed within %d s: check the vault\'s jobs before you try again.'
                    % (error.msg, item.vm_name, RUNNING_JOB_PATIENCE),
                ) from error
            raise
        return None, running, error
    operation = _operations.follow(client, response, 'backup of %s' % item.vm_name, deadline, poll_interval, result)
    return operation, None, None
