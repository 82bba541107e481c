# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ArmClient: one requests.Session, URLs, api-version, retries, Retry-After, paging, error mapping.
Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import random
import time
import traceback
import uuid

try:
    from urllib.parse import quote, urlsplit
except ImportError:  # pragma: no cover
    from urllib import quote
    from urlparse import urlsplit

try:
    import requests
    import requests.adapters
    import requests.exceptions

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
    REQUESTS_VERSION = requests.__version__
except ImportError:  # pragma: no cover - exercised only where requests is absent
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    REQUESTS_VERSION = "none"

try:
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
except ImportError:  # pragma: no cover
    ConnectTimeoutError = NewConnectionError = None

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    MissingDependency,
    header,
    ValidationError,
)

# The one place the collection version is written down for the User-Agent.
COLLECTION_NAME = "cloudops.azure_backup"
COLLECTION_VERSION = "0.1.0"
DEFAULT_API_VERSION = "2026-10-01"
VAULT_API_VERSION = "2026-11-01"

READ_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))


def default_user_agent():
    return "%s/%s python-requests/%s" % (COLLECTION_NAME, COLLECTION_VERSION, REQUESTS_VERSION)


def retry_after_seconds(headers, now=time.time):
    """Seconds the server asked us to wait: ``retry-after-ms`` / ``x-ms-retry-after-ms`` (preferred),
    else ``Retry-After`` (seconds or an HTTP date). None when absent or unparsable."""
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = header(headers, name)
        if value is not None:
            try:
                return max(0.0, float(str(value).strip()) / 1000.0)
            except ValueError:
                pass
    value = header(headers, "Retry-After")
    if value is None:
        return None
    value = str(value).strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now())


class RetryPolicy(object):
    """Retries as data.

    ``total``: retries after the first attempt. Reads (GET/HEAD) retry ``read_statuses`` and connection
    errors/timeouts; writes retry ``write_statuses`` and connection errors raised before the request was
    sent. The wait is the server's ``Retry-After``/``retry-after-ms`` when given, else
    ``min(backoff_max, backoff_base * 2**n)`` reduced by up to ``jitter`` (a fraction) at random."""

    def __init__(
        self,
        read_statuses=(408, 429, 500, 502, 503, 504),
        write_statuses=(429,),
        total=6,
        backoff_base=1.0,
        backoff_max=60.0,
        jitter=0.5,
        rng=random.random,
        unauthorized_retries=1,
    ):
        self.read_statuses = frozenset(read_statuses)
        self.write_statuses = frozenset(write_statuses)
        self.total = total
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.jitter = jitter
        self.rng = rng
        self.unauthorized_retries = unauthorized_retries

    def backoff(self, retry_number):
        """Wait before retry ``retry_number`` (1-based) when the server gave no Retry-After."""
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, retry_number - 1)))
        return delay * (1.0 - self.jitter * self.rng())

    def statuses(self, is_read):
        return self.read_statuses if is_read else self.write_statuses


class Response(object):
    """``status``, ``headers`` (case-insensitive), ``body`` (parsed JSON or None), ``request_id``, ``url``."""

    def __init__(self, status, headers, body, request_id=None, url=None, method=None, text=None):
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = request_id
        self.url = url
        self.method = method
        self.text = text

    def header(self, name):
        return header(self.headers, name)

    @property
    def retry_after(self):
        return retry_after_seconds(self.headers)

    def __repr__(self):
        return "Response(status=%r, url=%r, request_id=%r)" % (self.status, self.url, self.request_id)


def _is_connect_failure(exc):
    """True when a requests ConnectionError certainly happened before the request was sent
    (connection refused, DNS failure, connect timeout)."""
    if requests is not None and isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if NewConnectionError is None:
        return False
    seen = set()
    todo = [exc]
    while todo:
        cur = todo.pop()
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        if isinstance(cur, (NewConnectionError, ConnectTimeoutError)):
            return True
        if isinstance(cur, BaseException):
            todo.extend(a for a in getattr(cur, "args", ()) if isinstance(a, BaseException))
            todo.append(getattr(cur, "reason", None))
            todo.append(cur.__cause__)
            todo.append(cur.__context__)
    return False


def _is_url(value):
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def quote_path(path):
    """Quote every segment of an unquoted ARM path (``;`` -> ``%3B``, ``/`` only between segments)."""
    return "/".join(quote(seg, safe="") for seg in path.split("/"))


class ArmClient(object):
    """Client for Azure Resource Manager. See docs/developing.md."""

    def __init__(
        self,
        base_url,
        token_provider,
        subscription_id,
        api_version=DEFAULT_API_VERSION,
        session=None,
        retry=None,
        clock=time.monotonic,
        sleep=time.sleep,
        timeout=(10, 60),
        user_agent=None,
    ):
        if session is None:
            if not HAS_REQUESTS:
                raise MissingDependency(
                    "Failed to import the required Python library (requests) on this node.",
                    library="requests",
                    traceback=REQUESTS_IMPORT_ERROR,
                )
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=8, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
        self.base_url = base_url.rstrip("/")
        self.token_provider = token_provider
        self.subscription_id = subscription_id
        self.api_version = api_version
        self.session = session
        self.retry = retry if retry is not None else RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.timeout = timeout
        self.user_agent = default_user_agent() + ((" " + user_agent) if user_agent else "")
        base = urlsplit(self.base_url)
        self._base_origin = (base.scheme.lower(), base.netloc.lower())
        self.request_count = 0

    def __repr__(self):
        return "ArmClient(base_url=%r, subscription_id=%r)" % (self.base_url, self.subscription_id)

    # ------------------------------------------------------------------ helpers
    def url_for(self, path_or_url, params=None, api_version=None):
        """(url, query params) for a call. Paths get every segment quoted and ``api-version``;
        absolute URLs are used as given (``params`` are still added)."""
        query = {}
        if _is_url(path_or_url):
            parts = urlsplit(path_or_url)
            if (parts.scheme.lower(), parts.netloc.lower()) != self._base_origin:
                raise ValidationError(
                    "Refusing to send credentials to %s://%s: it is not the resource manager %s."
                    % (parts.scheme, parts.netloc, self.base_url)
                )
            url = path_or_url
            if api_version:
                query["api-version"] = api_version
        else:
            path = path_or_url if path_or_url.startswith("/") else "/" + path_or_url
            url = self.base_url + quote_path(path)
            query["api-version"] = api_version or self.api_version
        if params:
            for key, val in params.items():
                if val is not None:
                    query[key] = val
        return url, query

    def _headers(self, client_request_id, token, has_body):
        headers = {
            "Authorization": "Bearer " + token,
            "x-ms-client-request-id": client_request_id,
            "User-Agent": self.user_agent,
            "Accept": "application/json",
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _token(self, force=False):
        if force:
            invalidate = getattr(self.token_provider, "invalidate", None)
            if invalidate is not None:
                invalidate()
        return self.token_provider.token()

    def _timeout(self, is_read, deadline):
        if not is_read or deadline is None or not isinstance(self.timeout, tuple):
            return self.timeout
        remaining = deadline - self.clock()
        connect, read = self.timeout
        return (connect, max(1.0, min(read, remaining)))

    def _wait_allowed(self, delay, deadline):
        """Sleep ``delay`` unless it would pass ``deadline``; return False to stop retrying."""
        if deadline is not None and self.clock() + delay > deadline:
            return False
        if delay > 0:
            self.sleep(delay)
        return True

    # ------------------------------------------------------------------ the call
    def request(self, method, path_or_url, params=None, body=None, api_version=None, deadline=None, headers=None):
        method = method.upper()
        is_read = method in READ_METHODS
        url, query = self.url_for(path_or_url, params, api_version)
        context = "%s %s" % (method, url.split("?", 1)[0])
        client_request_id = str(uuid.uuid4())
        data = json.dumps(body) if body is not None else None
        retries = 0
        auth_retries = 0
        force_token = False
        while True:
            hdrs = self._headers(client_request_id, self._token(force_token), data is not None)
            if headers:
                hdrs.update(headers)
            force_token = False
            self.request_count += 1
            try:
                resp = self.session.request(
                    method,
                    url,
                    params=query,
                    data=data,
                    headers=hdrs,
                    timeout=self._timeout(is_read, deadline),
                    allow_redirects=False,
                )
            except requests.exceptions.SSLError as exc:
                raise ApiError(
                    "%s failed: TLS error: %s (a private CA is trusted through REQUESTS_CA_BUNDLE)" % (context, exc),
                    code="SSLError",
                )
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                before_send = _is_connect_failure(exc)
                kind = (
                    "ConnectTimeout"
                    if isinstance(exc, requests.exceptions.ConnectTimeout)
                    else ("ReadTimeout" if isinstance(exc, requests.exceptions.Timeout) else "ConnectionError")
                )
                if (is_read or before_send) and retries < self.retry.total:
                    retries += 1
                    if self._wait_allowed(self.retry.backoff(retries), deadline):
                        continue
                if not is_read and not before_send:
                    raise ApiError(
                        "%s failed: %s: %s. The request may have reached Azure, so it was not resent "
                        "(a second %s could start a second operation); check the vault's jobs."
                        % (context, kind, exc, method),
                        code=kind,
                    )
                raise ApiError("%s failed after %d attempt(s): %s: %s" % (context, retries + 1, kind, exc), code=kind)

            status = resp.status_code
            if 200 <= status < 300:
                return self._response(resp, method, context)
            if status == 401 and auth_retries < self.retry.unauthorized_retries:
                auth_retries += 1
                force_token = True
                continue
            if status in self.retry.statuses(is_read) and retries < self.retry.total:
                delay = retry_after_seconds(resp.headers)
                if delay is None:
                    delay = self.retry.backoff(retries + 1)
                if self._wait_allowed(delay, deadline):
                    retries += 1
                    continue
            raise ApiError.from_response(status, resp.headers, resp.text, context=context)

    def _response(self, resp, method, context):
        text = resp.text
        body = None
        request_id = header(resp.headers, "x-ms-request-id")
        if text and text.strip():
            try:
                body = json.loads(text)
            except ValueError:
                raise ApiError(
                    "%s: HTTP %s with a malformed JSON body (%d bytes)%s"
                    % (
                        context,
                        resp.status_code,
                        len(text),
                        " (x-ms-request-id: %s)" % request_id if request_id else "",
                    ),
                    status=resp.status_code,
                    code="MalformedResponse",
                    request_id=request_id,
                )
        return Response(
            resp.status_code, resp.headers, body, request_id=request_id, url=resp.url, method=method, text=text
        )

    # ------------------------------------------------------------------ shortcuts
    def get(self, path_or_url, **kwargs):
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url, **kwargs):
        return self.request("POST", path_or_url, **kwargs)

    def put(self, path_or_url, **kwargs):
        return self.request("PUT", path_or_url, **kwargs)

    def patch(self, path_or_url, **kwargs):
        return self.request("PATCH", path_or_url, **kwargs)

    def delete(self, path_or_url, **kwargs):
        return self.request("DELETE", path_or_url, **kwargs)

    def list(self, path, params=None, api_version=None, deadline=None):
        """Iterate over the items of a list, following ``nextLink`` (as given) until absent or null."""
        resp = self.get(path, params=params, api_version=api_version, deadline=deadline)
        seen = set()
        while True:
            body = resp.body or {}
            yield from body.get("value") or []
            next_link = body.get("nextLink")
            if not next_link or next_link in seen:
                return
            seen.add(next_link)
            resp = self.get(next_link, deadline=deadline)
