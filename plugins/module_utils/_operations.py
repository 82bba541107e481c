# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Follow a 202 Accepted (Azure-AsyncOperation, else Location) to its end and its jobId; once Azure
accepted a write, every failure after it says so. Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import namedtuple

from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import retry_after_seconds
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    AzureBackupError,
    DeadlineReached,
    OperationFailed,
    WaitTimeout,
    carrying,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._polling import Poller

OperationResult = namedtuple('OperationResult', ['operation_id', 'job_id', 'status', 'body'])

SUCCEEDED = ('Succeeded',)
FAILED = ('Failed', 'Canceled', 'Cancelled', 'Invalid')

_OPERATION_ID_RE = re.compile(
    r'/(?:operationsStatus|operationResults|operations|backupOperations|backupOperationResults|operationStatus)/([^/?#]+)',
    re.IGNORECASE,
)
_JOB_IN_URL_RE = re.compile(r'/backupJobs/([0-9a-fA-F-]{36})/operationResults/', re.IGNORECASE)


def operation_id_from_url(url):
    """The operation id in an Azure-AsyncOperation / Location URL, or None."""
    if not url:
        return None
    found = _OPERATION_ID_RE.findall(url.split('?', 1)[0])
    return found[-1] if found else None


def job_id_from_url(url):
    """``…/backupJobs/{guid}/operationResults/…`` (job cancel) -> the guid, else None."""
    if not url:
        return None
    found = _JOB_IN_URL_RE.search(url.split('?', 1)[0])
    return found.group(1) if found else None


def operation_id_of(response):
    """The operation id a 202 names in its polling headers (None when it names none)."""
    return operation_id_from_url(response.header('Azure-AsyncOperation') or response.header('Location'))


def _job_id_from_body(body):
    if not isinstance(body, dict):
        return None
    props = body.get('properties')
    if isinstance(props, dict):
        if props.get('jobId'):
            return props['jobId']
        ids = props.get('jobIds')
        if isinstance(ids, list) and len(ids) == 1:
            return ids[0]
    return None


def _status_of(body):
    if isinstance(body, dict):
        status = body.get('status')
        return status if isinstance(status, str) else None
    return None


def _failure(op_id, status, response):
    body = response.body
    err = body.get('error') if isinstance(body, dict) else None
    err = err if isinstance(err, dict) else {}
    code, message = err.get('code'), err.get('message')
    text = 'Azure operation %s ended %s' % (op_id or '(unknown id)', status)
    if code or message:
        text += ': %s%s%s' % (code or '', ': ' if code and message else '', message or '')
    if response.request_id:
        text += ' (x-ms-request-id: %s)' % response.request_id
    return OperationFailed(
        text,
        code=code,
        message=message,
        operation=body,
        operation_id=op_id,
        status=status,
        request_id=response.request_id,
    )


def track(client, response, deadline, poll_interval=None):
    """Follow the 202 ``response`` until the operation ends: OperationResult(operation_id, job_id, status, body).

    Waits what Azure asks (Retry-After / retry-after-ms), but never longer than ``poll_interval`` (when given)
    and never past ``deadline`` (a ``client.clock`` value). Raises OperationFailed (Failed/Canceled) or
    WaitTimeout (the deadline passed; its result has ``timed_out: true``)."""
    status_url = response.header('Azure-AsyncOperation')
    result_url = response.header('Location')
    url = status_url or result_url
    op_id = operation_id_from_url(url)
    if not url:
        if response.status == 202:
            raise ApiError(
                'Azure answered 202 Accepted without an Azure-AsyncOperation or Location header, so the operation '
                'cannot be followed%s.'
                % (' (x-ms-request-id: %s)' % response.request_id if response.request_id else ''),
                status=202,
                code='MissingPollingHeader',
                request_id=response.request_id,
            )
        return OperationResult(None, _job_id_from_body(response.body), 'Succeeded', response.body)

    poller = Poller(deadline, poll_interval, clock=client.clock, sleep=client.sleep)
    last = response
    polls = 0
    while True:
        delay = retry_after_seconds(last.headers, now=client.wall_clock)
        if delay is None:
            delay = poller.interval
        elif poll_interval is not None:
            delay = min(delay, poll_interval)
        if not poller.pause(delay) and polls:
            raise _timeout(op_id or url, last, poller, polls)
        try:
            last = client.get(url, deadline=deadline)
        except DeadlineReached as error:
            raise _timeout(op_id or url, last, poller, polls, error)
        polls += 1
        if status_url and last.status == 200:
            status = _status_of(last.body)
            if status in SUCCEEDED:
                return OperationResult(op_id, _job_id_from_body(last.body), status, last.body)
            if status in FAILED:
                raise _failure(op_id, status, last)
            continue  # InProgress or an unknown status: keep polling
        if last.status == 202:
            continue
        # operationResults / Location: 200 or 204 means done.
        status = _status_of(last.body)
        if status in FAILED:
            raise _failure(op_id, status, last)
        return OperationResult(op_id, _job_id_from_body(last.body) or job_id_from_url(url), 'Succeeded', last.body)


def _timeout(what, last, poller, polls, cause=None):
    status = _status_of(last.body) if last is not None else None
    text = 'Timed out after %.0f s waiting for Azure operation %s (last status: %s)' % (
        poller.elapsed(),
        what,
        status or 'InProgress',
    )
    result = dict(jobs=[], timed_out=True, elapsed=poller.elapsed(), polls=polls)
    if cause is not None:
        text += '; %s' % cause.msg
        result.update(error_code=cause.code, request_id=cause.request_id)
    return WaitTimeout(text + '.', result=result)


def follow(client, response, what, deadline, poll_interval=None, result=None, need_job=True):
    """``track()`` an accepted write to its job id. From here on Azure has the work, so any failure carries
    ``changed: true``, the ``operation_id`` and what the task had done (``result``), and its message says the
    ``what`` was accepted and how to find its job. Returns the OperationResult."""
    op_id = operation_id_of(response)
    accepted = dict(result or {}, changed=True, operation_id=op_id)
    hint = (
        'Azure accepted the %s (operation %s); look for its job with azure_backup_job_info (status InProgress) '
        'before you try again.' % (what, op_id or 'id unknown')
    )
    try:
        operation = track(client, response, deadline, poll_interval)
    except AzureBackupError as error:
        raise carrying(error, accepted, msg='%s %s' % (error.msg.rstrip('.') + '.', hint)) from error
    if need_job and not operation.job_id:
        raise AzureBackupError(
            'Azure accepted the %s (operation %s, status %s) but named no job to follow; look for it with '
            'azure_backup_job_info.' % (what, operation.operation_id, operation.status),
            result=accepted,
        )
    return operation
