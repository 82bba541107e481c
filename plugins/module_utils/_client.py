# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""ArmClient: one requests.Session, URLs, api-version, retries, Retry-After, paging, error mapping,
Azure's clock. Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import email.utils
import json
import math
import random
import time
import traceback
import uuid

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover
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
    REQUESTS_VERSION = 'none'

try:
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
except ImportError:  # pragma: no cover
    ConnectTimeoutError = NewConnectionError = None

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    DeadlineReached,
    MalformedResponse,
    MissingDependency,
    WriteOutcomeUnknown,
    excerpt,
    header,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._ids import ArmPath

# The one place the collection version is written down for the User-Agent.
COLLECTION_NAME = 'cloudops.azure_backup'
COLLECTION_VERSION = '0.1.0'
DEFAULT_API_VERSION = '2026-10-01'
VAULT_API_VERSION = '2026-11-01'

READ_METHODS = frozenset(('GET', 'HEAD', 'OPTIONS'))
UTC = datetime.timezone.utc


def default_user_agent():
    return '%s/%s python-requests/%s' % (COLLECTION_NAME, COLLECTION_VERSION, REQUESTS_VERSION)


def retry_after_seconds(headers, now=time.time):
    """Seconds the server asked us to wait: ``retry-after-ms`` / ``x-ms-retry-after-ms`` (preferred),
    else ``Retry-After`` (seconds or an HTTP date). None when absent or unparsable."""
    for name in ('retry-after-ms', 'x-ms-retry-after-ms'):
        value = header(headers, name)
        if value is not None:
            try:
                seconds = float(str(value).strip()) / 1000.0
            except ValueError:
                continue
            if math.isfinite(seconds):
                return max(0.0, seconds)
    value = header(headers, 'Retry-After')
    if value is None:
        return None
    value = str(value).strip()
    try:
        seconds = float(value)
        return max(0.0, seconds) if math.isfinite(seconds) else None
    except ValueError:
        pass
    when = _http_date(value)
    return None if when is None else max(0.0, when - now())


def _http_date(value):
    """An HTTP date (``Date``, ``Retry-After``) as epoch seconds, or None."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


class RetryPolicy(object):
    """Retries as data.

    Reads retry ``read_statuses``, a success whose body is not JSON, timeouts and connection errors; writes
    retry ``write_statuses`` and connection errors raised before the request was sent. Both go on for as
    long as the deadline allows (``budget`` seconds when the caller has no deadline), never "N tries". The
    wait is Azure's ``Retry-After``/``retry-after-ms`` when given, else ``min(backoff_max, backoff_base * 2**n)``
    less up to ``jitter`` (a fraction) at random. ``unauthorized_retries``: resends after a 401 with a fresh
    token. ``low_water``: below this many remaining requests (Azure's x-ms-ratelimit-remaining-subscription-*
    headers), requests are spaced at ``refill`` per second of that kind, so that Azure need not throttle."""

    def __init__(
        self,
        read_statuses=(408, 429, 500, 502, 503, 504),
        write_statuses=(429,),
        budget=300.0,
        backoff_base=1.0,
        backoff_max=60.0,
        jitter=0.5,
        rng=random.random,
        unauthorized_retries=1,
        low_water=None,
        refill=None,
    ):
        self.read_statuses = frozenset(read_statuses)
        self.write_statuses = frozenset(write_statuses)
        self.budget = budget
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.jitter = jitter
        self.rng = rng
        self.unauthorized_retries = unauthorized_retries
        # ARM's subscription buckets: reads 250 refilled 25/s, writes 200 refilled 10/s (DESIGN §5).
        self.low_water = dict(reads=25, writes=10) if low_water is None else dict(low_water)
        self.refill = dict(reads=25.0, writes=10.0) if refill is None else dict(refill)

    def backoff(self, retry_number):
        """Wait before retry ``retry_number`` (1-based) when the server gave no Retry-After."""
        delay = min(self.backoff_max, self.backoff_base * (2 ** max(0, retry_number - 1)))
        return delay * (1.0 - self.jitter * self.rng())

    def statuses(self, is_read):
        return self.read_statuses if is_read else self.write_statuses


class Response(object):
    """``status``, ``headers`` (case-insensitive), ``body`` (parsed JSON or None), ``request_id``, ``url``,
    ``text``; ``malformed``: a write's success body that was not JSON (the write was accepted all the same)."""

    def __init__(self, status, headers, body, request_id=None, url=None, method=None, text=None, malformed=False):
        self.status = status
        self.headers = headers
        self.body = body
        self.request_id = request_id
        self.url = url
        self.method = method
        self.text = text
        self.malformed = malformed

    def header(self, name):
        return header(self.headers, name)

    @property
    def retry_after(self):
        return retry_after_seconds(self.headers)

    def __repr__(self):
        return 'Response(status=%r, url=%r, request_id=%r)' % (self.status, self.url, self.request_id)


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
            todo.extend(a for a in getattr(cur, 'args', ()) if isinstance(a, BaseException))
            todo.append(getattr(cur, 'reason', None))
            todo.append(cur.__cause__)
            todo.append(cur.__context__)
    return False


def _is_url(value):
    return isinstance(value, str) and value.lower().startswith(('https://', 'http://'))


def _json_body(text):
    """(body, ok): the parsed JSON of a success response (None for an empty body)."""
    if not text or not text.strip():
        return None, True
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


class _Attempt(object):
    """What went wrong with one attempt, for the retry decision and the final message."""

    def __init__(self, error, delay=None):
        self.error = error
        self.delay = delay


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
        wall_clock=time.time,
    ):
        if session is None:
            if not HAS_REQUESTS:
                raise MissingDependency(
                    'Failed to import the required Python library (requests) on this node.',
                    library='requests',
                    traceback=REQUESTS_IMPORT_ERROR,
                )
            session = requests.Session()
            adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=8, max_retries=0)
            session.mount('https://', adapter)
            session.mount('http://', adapter)
        self.base_url = base_url.rstrip('/')
        self.token_provider = token_provider
        self.subscription_id = subscription_id
        self.api_version = api_version
        self.session = session
        self.retry = retry if retry is not None else RetryPolicy()
        self.clock = clock
        self.sleep = sleep
        self.wall_clock = wall_clock
        self.timeout = timeout
        self.user_agent = default_user_agent() + ((' ' + user_agent) if user_agent else '')
        base = urlsplit(self.base_url)
        self._base_origin = (base.scheme.lower(), base.netloc.lower())
        self.request_count = 0
        # Azure's clock minus ours (seconds), from the Date header of the last answer; None until one came.
        self.clock_offset = None
        # Remaining requests Azure's throttling counters last reported, by kind ('reads', 'writes').
        self.remaining = {}

    def __repr__(self):
        return 'ArmClient(base_url=%r, subscription_id=%r)' % (self.base_url, self.subscription_id)

    # ------------------------------------------------------------------ URLs and headers
    def url_for(self, target, params=None, api_version=None):
        """(url, query params) for a call to an ArmPath (built by _ids: every segment checked and encoded)
        or an absolute URL Azure gave (nextLink, Location, Azure-AsyncOperation), used as given."""
        query = {}
        if isinstance(target, ArmPath):
            url = self.base_url + target.url_path
            query['api-version'] = api_version or self.api_version
        elif _is_url(target):
            parts = urlsplit(target)
            if (parts.scheme.lower(), parts.netloc.lower()) != self._base_origin:
                raise ApiError(
                    'Refusing to follow %s://%s: it is not the resource manager %s, and the request would carry '
                    'the access token.' % (parts.scheme, parts.netloc, self.base_url),
                    code='ForeignUrl',
                )
            url = target
            if api_version:
                query['api-version'] = api_version
        else:
            raise TypeError('ArmClient requests an ArmPath from _ids or an absolute URL from Azure, not %r' % (target,))
        for key, val in (params or {}).items():
            if val is not None:
                query[key] = val
        return url, query

    def _headers(self, client_request_id, token, has_body):
        headers = {
            'Authorization': 'Bearer ' + token,
            'x-ms-client-request-id': client_request_id,
            'User-Agent': self.user_agent,
            'Accept': 'application/json',
        }
        if has_body:
            headers['Content-Type'] = 'application/json'
        return headers

    def _token(self, fresh=False):
        if fresh:
            return self.token_provider.token(force_refresh=True)
        return self.token_provider.token()

    # ------------------------------------------------------------------ Azure's clock and counters
    def _observe(self, headers, sent_at):
        date = _http_date(header(headers, 'Date') or '')
        if date is not None:
            # The Date is stamped while the answer is made: halfway between sending and receiving, to a second.
            self.clock_offset = date + 0.5 - (sent_at + self.wall_clock()) / 2.0
        for kind in ('reads', 'writes'):
            value = header(headers, 'x-ms-ratelimit-remaining-subscription-%s' % kind)
            if value is not None:
                try:
                    self.remaining[kind] = int(str(value).strip())
                except ValueError:
                    pass

    def azure_now(self):
        """Now by Azure's clock (aware UTC datetime): ours, corrected by the Date header Azure last sent."""
        return datetime.datetime.fromtimestamp(self.wall_clock() + (self.clock_offset or 0.0), tz=UTC)

    def _pace(self, kind, deadline):
        """Space requests out when Azure says few are left, instead of waiting for its 429."""
        remaining = self.remaining.get(kind)
        low = self.retry.low_water.get(kind)
        if remaining is None or low is None or remaining >= low:
            return
        delay = (low - remaining) / self.retry.refill.get(kind, 1.0)
        if deadline is not None:
            delay = min(delay, deadline - self.clock())
        if delay > 0:
            self.sleep(delay)
        self.remaining[kind] = low

    # ------------------------------------------------------------------ the call
    def _timeouts(self, deadline):
        remaining = deadline - self.clock()
        connect, read = self.timeout if isinstance(self.timeout, tuple) else (self.timeout, self.timeout)
        return (max(0.1, min(connect, remaining)), max(0.1, min(read, remaining)))

    def request(self, method, target, params=None, body=None, api_version=None, deadline=None, headers=None):
        """Send one logical request (retried as RetryPolicy says); a Response for 2xx, else an ApiError.

        ``deadline`` (a ``clock`` value) bounds everything: waits, retries and each attempt's timeouts.
        When it passes, DeadlineReached says what was going on; a write is never started after it."""
        method = method.upper()
        is_read = method in READ_METHODS
        kind = 'reads' if is_read else 'writes'
        url, query = self.url_for(target, params, api_version)
        context = '%s %s' % (method, url.split('?', 1)[0])
        if deadline is None:
            deadline = self.clock() + self.retry.budget
        client_request_id = str(uuid.uuid4())
        data = json.dumps(body) if body is not None else None
        retries = auth_retries = 0
        fresh_token = False
        last = None
        while True:
            if self.clock() >= deadline:
                raise self._deadline(context, is_read, last)
            self._pace(kind, deadline)
            hdrs = self._headers(client_request_id, self._token(fresh_token), data is not None)
            hdrs.update(headers or {})
            fresh_token = False
            self.request_count += 1
            sent_at = self.wall_clock()
            try:
                resp = self.session.request(
                    method,
                    url,
                    params=query,
                    data=data,
                    headers=hdrs,
                    timeout=self._timeouts(deadline),
                    allow_redirects=False,
                )
            except requests.exceptions.SSLError as exc:
                raise ApiError(
                    '%s failed: TLS error: %s (a private CA is trusted through REQUESTS_CA_BUNDLE)' % (context, exc),
                    code='SSLError',
                )
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
                attempt = self._transport_failure(exc, context, method, is_read)
            else:
                self._observe(resp.headers, sent_at)
                attempt = self._answer(resp, method, context, is_read, retries, auth_retries)
                if isinstance(attempt, Response):
                    return attempt
                if attempt is None:  # a 401: once more with a fresh token
                    auth_retries += 1
                    fresh_token = True
                    continue
            last = attempt.error
            if attempt.delay is None:
                raise last
            retries += 1
            delay = attempt.delay if attempt.delay is not True else self.retry.backoff(retries)
            if self.clock() + delay >= deadline:
                raise self._deadline(context, is_read, last, waiting=delay)
            if delay > 0:
                self.sleep(delay)

    def _transport_failure(self, exc, context, method, is_read):
        before_send = _is_connect_failure(exc)
        timed_out = isinstance(exc, requests.exceptions.Timeout)
        name = (
            'ConnectTimeout'
            if isinstance(exc, requests.exceptions.ConnectTimeout)
            else ('ReadTimeout' if timed_out else 'ConnectionError')
        )
        if is_read or before_send:
            return _Attempt(ApiError('%s failed: %s: %s' % (context, name, exc), code=name), delay=True)
        return _Attempt(
            WriteOutcomeUnknown(
                '%s: %s after the request was sent: %s. The request may have reached Azure, so it was not resent '
                '(a second %s could start a second operation).' % (context, name, exc, method),
                code=name,
            )
        )

    def _answer(self, resp, method, context, is_read, retries, auth_retries):
        """A Response (done), None (retry with a fresh token) or an _Attempt (retry after its delay, or fail)."""
        status = resp.status_code
        request_id = header(resp.headers, 'x-ms-request-id')
        if 200 <= status < 300:
            body, ok = _json_body(resp.text)
            if ok or not is_read:
                return Response(status, resp.headers, body, request_id, resp.url, method, resp.text, malformed=not ok)
            error = MalformedResponse(
                '%s: HTTP %s, but the body is not JSON: %s%s'
                % (context, status, excerpt(resp.text), ' (x-ms-request-id: %s)' % request_id if request_id else ''),
                status=status,
                code='MalformedResponse',
                request_id=request_id,
            )
            return _Attempt(error, delay=True)
        if status == 401 and auth_retries < self.retry.unauthorized_retries:
            return None
        error = ApiError.from_response(status, resp.headers, resp.text, context=context)
        if status in self.retry.statuses(is_read):
            delay = retry_after_seconds(resp.headers, now=self.wall_clock)
            return _Attempt(error, delay=True if delay is None else delay)
        if not is_read and status >= 500:
            return _Attempt(
                WriteOutcomeUnknown(
                    '%s The request may have reached Azure, so it was not resent (a second %s could start a second '
                    'operation).' % (error.msg, method),
                    status=status,
                    code=error.code,
                    message=error.message,
                    request_id=request_id,
                )
            )
        return _Attempt(error)

    def _deadline(self, context, is_read, last, waiting=None):
        if last is None:
            return DeadlineReached(
                "%s: the task's deadline passed before the request was sent%s."
                % (context, '' if is_read else ', so the write was not started')
            )
        why = 'retrying after %s' % last.msg
        if waiting is not None:
            why = 'the next try (in %.1f s) would come after it; the last try: %s' % (waiting, last.msg)
        return DeadlineReached("%s: the task's deadline passed while %s" % (context, why), last=last)

    # ------------------------------------------------------------------ shortcuts
    def get(self, target, **kwargs):
        return self.request('GET', target, **kwargs)

    def post(self, target, **kwargs):
        return self.request('POST', target, **kwargs)

    def put(self, target, **kwargs):
        return self.request('PUT', target, **kwargs)

    def delete(self, target, **kwargs):
        return self.request('DELETE', target, **kwargs)

    def list(self, target, params=None, api_version=None, deadline=None):
        """Iterate over the items of a list, following ``nextLink`` (as given) until it is absent or null.
        A ``nextLink`` seen before would loop for ever: it fails with the request id of the page that sent it."""
        resp = self.get(target, params=params, api_version=api_version, deadline=deadline)
        seen = set()
        while True:
            body = resp.body if isinstance(resp.body, dict) else {}
            yield from body.get('value') or []
            next_link = body.get('nextLink')
            if not next_link:
                return
            if next_link in seen or next_link == resp.url:
                raise ApiError(
                    'GET %s: Azure sent a nextLink it had already sent (%s); the list would never end%s.'
                    % (str(target), excerpt(next_link, 160),
                       ' (x-ms-request-id: %s)' % resp.request_id if resp.request_id else ''),
                    code='RepeatedNextLink',
                    request_id=resp.request_id,
                )  # fmt: skip
            seen.add(next_link)
            resp = self.get(next_link, deadline=deadline)
