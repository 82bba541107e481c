# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exception types of the collection. Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# How much of a non-JSON error body is quoted in a message.
_BODY_EXCERPT = 300


class AzureBackupError(Exception):
    """Base class: every error module_utils raises. ``msg`` is the user-facing message."""

    def __init__(self, msg):
        super(AzureBackupError, self).__init__(msg)
        self.msg = msg

    def __str__(self):
        return self.msg

    def to_result(self):
        """Extra keys for the failed module result (besides ``msg``)."""
        return {}


class ValidationError(AzureBackupError):
    """Bad user input, detected before anything was sent. ``option`` names the option."""

    def __init__(self, msg, option=None):
        super(ValidationError, self).__init__(msg)
        self.option = option


class MissingDependency(AzureBackupError):
    """A required Python library is missing on the managed node (``library``, ``traceback``)."""

    def __init__(self, msg, library=None, traceback=None):
        super(MissingDependency, self).__init__(msg)
        self.library = library
        self.traceback = traceback


class AuthError(AzureBackupError):
    """Credential or token problem (also a 401 from Azure, see Unauthorized)."""

    def __init__(self, msg, code=None):
        super(AuthError, self).__init__(msg)
        self.code = code

    def to_result(self):
        return {"error_code": self.code} if self.code else {}


def _parse_error_body(body_text):
    """Return (code, message, target, details, parsed_ok) from an ARM error body."""
    if body_text is None:
        return None, None, None, None, False
    if isinstance(body_text, bytes):
        body_text = body_text.decode("utf-8", "replace")
    text = body_text.strip()
    if not text:
        return None, None, None, None, False
    try:
        data = json.loads(text)
    except ValueError:
        return None, None, None, None, False
    if not isinstance(data, dict):
        return None, None, None, None, False
    err = data.get("error")
    if not isinstance(err, dict):
        # {"code": ..., "message": ...} at the top level (older services, OData style)
        err = data
        if isinstance(data.get("odata.error"), dict):
            err = data["odata.error"]
    code = err.get("code")
    message = err.get("message")
    if isinstance(message, dict):  # OData: {"lang": "en-US", "value": "..."}
        message = message.get("value")
    if code is None and message is None:
        return None, None, None, None, False
    return (str(code) if code is not None else None, message, err.get("target"), err.get("details"), True)


def _excerpt(body_text):
    if body_text is None:
        return ""
    if isinstance(body_text, bytes):
        body_text = body_text.decode("utf-8", "replace")
    text = " ".join(body_text.split())
    if len(text) > _BODY_EXCERPT:
        text = text[:_BODY_EXCERPT] + "..."
    return text


def header(headers, name):
    """A header's value from any mapping of headers (requests' or a plain dict), case-insensitively."""
    if not headers:
        return None
    try:
        value = headers.get(name)
    except AttributeError:
        value = None
    if value is None and isinstance(headers, dict):
        lname = name.lower()
        for key, val in headers.items():
            if key.lower() == lname:
                return val
    return value


class ApiError(AzureBackupError):
    """Azure answered with an error. ``status`` (int or None when no answer came), ``code``
    (the ARM error code), ``message``, ``request_id`` (x-ms-request-id), ``target``, ``details``."""

    def __init__(self, msg, status=None, code=None, message=None, request_id=None, target=None, details=None):
        super(ApiError, self).__init__(msg)
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.target = target
        self.details = details

    def to_result(self):
        return {"error_code": self.code, "status": self.status, "request_id": self.request_id}

    @classmethod
    def from_response(cls, status, headers, body_text, context=None):
        """Build the right ApiError subclass from an HTTP error response.

        ``context`` (for example ``"GET /subscriptions/…/backupJobs/x"``) prefixes the message."""
        code, message, target, details, parsed = _parse_error_body(body_text)
        request_id = header(headers, "x-ms-request-id")
        klass = _STATUS_CLASSES.get(status, ApiError)
        if klass is ApiError and cls is not ApiError:
            klass = cls
        parts = []
        if context:
            parts.append("%s failed:" % context)
        parts.append("HTTP %s" % status)
        if code:
            parts[-1] += " %s" % code
        if parsed and message:
            parts[-1] += ":"
            parts.append(str(message).strip())
        elif not parsed:
            excerpt = _excerpt(body_text)
            if excerpt:
                parts[-1] += ":"
                parts.append("(non-JSON body) %s" % excerpt)
            if not message:
                message = excerpt or None
        if request_id:
            parts.append("(x-ms-request-id: %s)" % request_id)
        if code is None and not parsed:
            code = _DEFAULT_CODES.get(status)
        return klass(
            " ".join(parts),
            status=status,
            code=code,
            message=message,
            request_id=request_id,
            target=target,
            details=details,
        )


class NotFound(ApiError):
    """404."""


class Throttled(ApiError):
    """429, still throttled after the retries the deadline allowed."""


class Forbidden(ApiError):
    """403: the identity may not do this (RBAC, foreign subscription)."""


class Unauthorized(ApiError, AuthError):
    """401 from Azure: both an ApiError (status, request id) and an AuthError."""

    def to_result(self):
        return ApiError.to_result(self)


_STATUS_CLASSES = {401: Unauthorized, 403: Forbidden, 404: NotFound, 429: Throttled}
_DEFAULT_CODES = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 429: "TooManyRequests"}


class OperationFailed(AzureBackupError):
    """An asynchronous operation ended Failed/Canceled. ``code``/``message`` are Azure's error,
    ``operation`` the last status body, ``operation_id`` and ``status`` its id and final status."""

    def __init__(self, msg, code=None, message=None, operation=None, operation_id=None, status=None):
        super(OperationFailed, self).__init__(msg)
        self.code = code
        self.message = message
        self.operation = operation
        self.operation_id = operation_id
        self.status = status

    def to_result(self):
        result = {"error_code": self.code}
        if self.operation_id:
            result["operation_id"] = self.operation_id
        return result


def _jobs_result(jobs, elapsed, polls, timed_out):
    result = {"jobs": list(jobs or []), "timed_out": timed_out}
    if jobs and len(jobs) == 1:
        result["job"] = jobs[0]
    if elapsed is not None:
        result["elapsed"] = elapsed
    if polls is not None:
        result["polls"] = polls
    return result


class JobFailed(AzureBackupError):
    """One or more jobs ended in a failed state. ``jobs``: all (normalised), ``failed``: the failed ones."""

    def __init__(self, msg, jobs=None, failed=None, elapsed=None, polls=None):
        super(JobFailed, self).__init__(msg)
        self.jobs = list(jobs or [])
        self.failed = list(failed or [])
        self.elapsed = elapsed
        self.polls = polls

    def to_result(self):
        return _jobs_result(self.jobs, self.elapsed, self.polls, False)


class WaitTimeout(AzureBackupError):
    """The deadline passed. ``last_seen``: the jobs as last seen (normalised), ``elapsed`` seconds, ``polls``."""

    def __init__(self, msg, last_seen=None, elapsed=None, polls=None, operation=None):
        super(WaitTimeout, self).__init__(msg)
        self.last_seen = list(last_seen or [])
        self.elapsed = elapsed
        self.polls = polls
        self.operation = operation

    def to_result(self):
        return _jobs_result(self.last_seen, self.elapsed, self.polls, True)
