# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Exception types of the collection. Internal to this collection; not a public API.

Every error declares its payload: ``msg`` (what the user reads) and ``result`` (the extra keys of the
failed task result). Context is added by raising a new error ``from`` the old one (see ``carrying``);
nothing rewrites an error's message or result on its way up."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# How much of a body that is not the JSON it should be is quoted in a message.
_BODY_EXCERPT = 200


class AzureBackupError(Exception):
    """Base class of every error module_utils raises: ``msg`` and the ``result`` keys it carries."""

    def __init__(self, msg, result=None):
        super(AzureBackupError, self).__init__(msg)
        self.msg = msg
        self.result = dict(result or {})

    def __str__(self):
        return self.msg


def carrying(error, result, msg=None):
    """A new error with ``error``'s result on top of ``result`` (what the task had done when it failed).

    Raise it ``from error``: the message stays the original one unless ``msg`` is given."""
    return AzureBackupError(msg or error.msg, result=dict(result or {}, **error.result))


class ValidationError(AzureBackupError):
    """Bad user input, found before anything was sent. ``option`` names the option."""

    def __init__(self, msg, option=None):
        super(ValidationError, self).__init__(msg)
        self.option = option


class MissingDependency(AzureBackupError):
    """A required Python library is missing on the node that runs the module (``library``, ``traceback``)."""

    def __init__(self, msg, library=None, traceback=None):
        super(MissingDependency, self).__init__(msg)
        self.library = library
        self.traceback = traceback


class AuthError(AzureBackupError):
    """Credential or token problem (``code``: an AADSTS code when Entra ID gave one)."""

    def __init__(self, msg, code=None):
        super(AuthError, self).__init__(msg, result={'error_code': code} if code else None)
        self.code = code


def _parse_error_body(body_text):
    """(code, message, target, details, parsed_ok) of an ARM error body."""
    if body_text is None:
        return None, None, None, None, False
    if isinstance(body_text, bytes):
        body_text = body_text.decode('utf-8', 'replace')
    text = body_text.strip()
    if not text:
        return None, None, None, None, False
    try:
        data = json.loads(text)
    except ValueError:
        return None, None, None, None, False
    if not isinstance(data, dict):
        return None, None, None, None, False
    err = data.get('error')
    if not isinstance(err, dict):
        # {"code": ..., "message": ...} at the top level (older services, OData style)
        err = data
        if isinstance(data.get('odata.error'), dict):
            err = data['odata.error']
    code = err.get('code')
    message = err.get('message')
    if isinstance(message, dict):  # OData: {"lang": "en-US", "value": "..."}
        message = message.get('value')
    if code is None and message is None:
        return None, None, None, None, False
    return (str(code) if code is not None else None, message, err.get('target'), err.get('details'), True)


def excerpt(body_text, limit=_BODY_EXCERPT):
    """A short, one-line quote of a response body."""
    if body_text is None:
        return ''
    if isinstance(body_text, bytes):
        body_text = body_text.decode('utf-8', 'replace')
    text = ' '.join(body_text.split())
    return text[:limit] + '...' if len(text) > limit else text


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


def _with_request_id(text, request_id):
    return '%s (x-ms-request-id: %s)' % (text, request_id) if request_id else text


class ApiError(AzureBackupError):
    """Azure answered with an error, or no answer came. ``status`` (int, None when no answer came), ``code``
    (the ARM error code), ``message`` (Azure's), ``request_id`` (x-ms-request-id), ``target``, ``details``."""

    def __init__(self, msg, status=None, code=None, message=None, request_id=None, target=None, details=None):
        super(ApiError, self).__init__(msg, result={'error_code': code, 'status': status, 'request_id': request_id})
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.target = target
        self.details = details

    def rephrased(self, msg):
        """The same error (same class, status, code, request id) with a message that says what it means here.

        Raise it ``from`` this one."""
        return type(self)(
            msg,
            status=self.status,
            code=self.code,
            message=self.message,
            request_id=self.request_id,
            target=self.target,
            details=self.details,
        )

    @classmethod
    def from_response(cls, status, headers, body_text, context=None):
        """The right ApiError subclass for an HTTP error response. ``context`` (``"GET https://…"``) leads the message."""
        code, message, target, details, parsed = _parse_error_body(body_text)
        request_id = header(headers, 'x-ms-request-id')
        klass = _STATUS_CLASSES.get(status, ApiError)
        text = '%s failed: HTTP %s' % (context, status) if context else 'HTTP %s' % status
        if code:
            text += ' %s' % code
        if parsed and message:
            text += ': %s' % str(message).strip()
        elif not parsed:
            quoted = excerpt(body_text)
            if quoted:
                text += ': (not an ARM error body) %s' % quoted
            message = message or quoted or None
            code = code or _DEFAULT_CODES.get(status)
        return klass(
            _with_request_id(text, request_id),
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
    """429, and the deadline left no time for another try."""


class Forbidden(ApiError):
    """403: the identity may not do this (RBAC, a foreign subscription)."""


class Unauthorized(ApiError):
    """401 from Azure, also after one retry with a fresh token."""


class MalformedResponse(ApiError):
    """A success status whose body is not the JSON it should be (a proxy's HTML page, a cut-off body)."""


class DeadlineReached(ApiError):
    """The task's deadline passed while a request was waiting to be sent, retried or answered.

    ``last``: the error of the last attempt, when there was one."""

    def __init__(self, msg, last=None, **kwargs):
        if last is not None:
            for key in ('status', 'code', 'message', 'request_id'):
                kwargs.setdefault(key, getattr(last, key, None))
        kwargs.setdefault('code', 'DeadlineReached')
        super(DeadlineReached, self).__init__(msg, **kwargs)
        self.last = last


class WriteOutcomeUnknown(ApiError):
    """A write may have reached Azure but its answer was lost (5xx, a timeout, a dropped connection after
    sending). It is never resent: a second backup POST is a second backup. The result says ``changed``:
    Azure may well be doing the work."""

    def __init__(self, msg, **kwargs):
        super(WriteOutcomeUnknown, self).__init__(msg, **kwargs)
        self.result['changed'] = True


_STATUS_CLASSES = {401: Unauthorized, 403: Forbidden, 404: NotFound, 429: Throttled}
_DEFAULT_CODES = {401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 429: 'TooManyRequests'}


class OperationFailed(AzureBackupError):
    """An asynchronous operation ended Failed/Canceled. ``code``/``message`` are Azure's error, ``operation``
    the last status body, ``operation_id`` its id, ``status`` its final status, ``request_id`` the
    x-ms-request-id of the answer that said so."""

    def __init__(self, msg, code=None, message=None, operation=None, operation_id=None, status=None, request_id=None):
        result = {'error_code': code, 'request_id': request_id}
        if operation_id:
            result['operation_id'] = operation_id
        super(OperationFailed, self).__init__(msg, result=result)
        self.code = code
        self.message = message
        self.operation = operation
        self.operation_id = operation_id
        self.status = status
        self.request_id = request_id


class JobFailed(AzureBackupError):
    """One or more jobs ended in a failed state; ``result`` carries every job (see _jobs.job_results)."""


class WaitTimeout(AzureBackupError):
    """The deadline passed; ``result`` carries the last seen jobs, ``elapsed``, ``polls``, ``timed_out: true``."""
