# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Follow a 202 Accepted (Azure-AsyncOperation, else Location) to its end and its jobId.
Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import namedtuple

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    AzureBackupError,
    OperationFailed,
    WaitTimeout,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import retry_after_seconds

OperationResult = namedtuple("OperationResult", ["operation_id", "job_id", "status", "body"])

# Wait between polls when the server sent no Retry-After and the caller gave no poll_interval.
DEFAULT_POLL_INTERVAL = 10.0
RUNNING = ("InProgress", "NotStarted", "Running", "Accepted")
SUCCEEDED = ("Succeeded",)
FAILED = ("Failed", "Canceled", "Cancelled", "Invalid")

_OPERATION_ID_RE = re.compile(
    r"/(?:operationsStatus|operationResults|operations|backupOperations|backupOperationResults|operationStatus)/([^/?#]+)",
    re.IGNORECASE,
)
_JOB_IN_URL_RE = re.compile(r"/backupJobs/([0-9a-fA-F-]{36})/operationResults/", re.IGNORECASE)


def operation_id_from_url(url):
    """The operation id in an Azure-AsyncOperation / Location URL, or None."""
    if not url:
        return None
    found = _OPERATION_ID_RE.findall(url.split("?", 1)[0])
    return found[-1] if found else None


def job_id_from_url(url):
    """``…/backupJobs/{guid}/operationResults/…`` (job cancel) -> the guid, else None."""
    if not url:
        return None
    found = _JOB_IN_URL_RE.search(url.split("?", 1)[0])
    return found.group(1) if found else None


def _job_id_from_body(body):
    if not isinstance(body, dict):
        return None
    props = body.get("properties")
    if isinstance(props, dict):
        if props.get("jobId"):
            return props["jobId"]
        ids = props.get("jobIds")
        if isinstance(ids, list) and len(ids) == 1:
            return ids[0]
    return None


def _failure(op_id, status, body):
    err = body.get("error") if isinstance(body, dict) else None
    err = err if isinstance(err, dict) else {}
    code = err.get("code")
    message = err.get("message")
    text = "Azure operation %s ended %s" % (op_id or "(unknown id)", status)
    if code or message:
        text += ": %s%s%s" % (code or "", ": " if code and message else "", message or "")
    return OperationFailed(text, code=code, message=message, operation=body, operation_id=op_id, status=status)


def track(client, response, deadline, poll_interval=None, clock=None, sleep=None):
    """Follow the 202 ``response`` until the operation ends; return OperationResult(operation_id, job_id,
    status, body). Raises OperationFailed (Failed/Canceled) or WaitTimeout (deadline passed).

    Waits what the server asks (Retry-After / retry-after-ms) but never longer than ``poll_interval``
    (when given) and never past ``deadline`` (a ``client.clock`` value; None = no deadline)."""
    clock = clock or client.clock
    sleep = sleep or client.sleep
    start = clock()
    status_url = response.header("Azure-AsyncOperation")
    result_url = response.header("Location")
    url = status_url or result_url
    op_id = operation_id_from_url(url)

    if not url:
        if response.status == 202:
            raise ApiError(
                "Azure answered 202 Accepted without Azure-AsyncOperation or Location header; "
                "cannot follow the operation.",
                status=202,
                code="MissingPollingHeader",
                request_id=getattr(response, "request_id", None),
            )
        return OperationResult(None, _job_id_from_body(response.body), "Succeeded", response.body)

    use_status = bool(status_url)
    last = response
    polls = 0
    last_body = None
    while True:
        delay = retry_after_seconds(last.headers)
        if delay is None:
            delay = poll_interval if poll_interval is not None else DEFAULT_POLL_INTERVAL
        elif poll_interval is not None:
            delay = min(delay, poll_interval)
        now = clock()
        if deadline is not None:
            if now >= deadline and polls > 0:
                raise WaitTimeout(
                    "Timed out after %.0f s waiting for Azure operation %s (last status: %s)."
                    % (now - start, op_id or url, _status_of(last_body) or "InProgress"),
                    last_seen=[],
                    elapsed=round(now - start, 3),
                    polls=polls,
                    operation=last_body,
                )
            delay = max(0.0, min(delay, deadline - now))
        if delay > 0:
            sleep(delay)
        last = client.get(url, deadline=deadline)
        polls += 1
        last_body = last.body
        if use_status and last.status == 200:
            status = _status_of(last.body)
            if status in SUCCEEDED:
                return OperationResult(op_id, _job_id_from_body(last.body), status, last.body)
            if status in FAILED:
                raise _failure(op_id, status, last.body)
            continue  # InProgress or an unknown status: keep polling
        if last.status == 202:
            continue
        # operationResults / Location: 200 or 204 means done.
        status = _status_of(last.body)
        if status in FAILED:
            raise _failure(op_id, status, last.body)
        job_id = _job_id_from_body(last.body) or job_id_from_url(url)
        return OperationResult(op_id, job_id, "Succeeded", last.body)


def _status_of(body):
    if isinstance(body, dict):
        status = body.get("status")
        return status if isinstance(status, str) else None
    return None


def job_id_of(result, what, partial=None):
    """The job id an ended operation named; an AzureBackupError when Azure named none.

    ``partial`` is the task's result so far (the change was made): the error carries it."""
    if not result.job_id:
        error = AzureBackupError(
            "Azure accepted the %s (operation %s, status %s) but named no job to follow; look for it with "
            "azure_backup_job_info." % (what, result.operation_id, result.status)
        )
        error.partial_result = dict(partial or {}, changed=True, operation_id=result.operation_id)
        raise error
    return result.job_id
