# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import re

import pytest
import requests
import responses
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _client
from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import (
    ArmClient,
    RetryPolicy,
    retry_after_seconds,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    Forbidden,
    NotFound,
    Throttled,
    Unauthorized,
    ValidationError,
)

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import (
    BASE,
    SUB,
    VAULT,
    example_body,
)

JOB = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
JOB_URL = BASE + VAULT + "/backupJobs/" + JOB
ITEM = (
    VAULT
    + "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg;vm1/protectedItems/VM;iaasvmcontainerv2;rg;vm1"
)
BACKUP_URL = (
    BASE + VAULT + "/backupFabrics/Azure/protectionContainers/IaasVMContainer%3Biaasvmcontainerv2%3Brg%3Bvm1/"
    "protectedItems/VM%3Biaasvmcontainerv2%3Brg%3Bvm1/backup"
)
JOB_BODY = {"id": VAULT + "/backupJobs/" + JOB, "name": JOB, "properties": {"status": "InProgress"}}


def refused():
    return requests.exceptions.ConnectionError(
        MaxRetryError(
            None, "/", NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
        )
    )


def dropped():
    return requests.exceptions.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))


def make(clock, tokens, rng=lambda: 0.5, **kwargs):
    retry = kwargs.pop("retry", None) or RetryPolicy(rng=rng)
    return ArmClient(BASE, tokens, SUB, clock=clock, sleep=clock.sleep, retry=retry, **kwargs)


# ------------------------------------------------------------------ URLs and headers


@responses.activate
def test_every_segment_quoted_and_api_version_added(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, status=202)
    client = make(clock, tokens)
    resp = client.post(ITEM + "/backup", body={"properties": {"objectType": "IaasVMBackupRequest"}})
    assert resp.status == 202 and resp.body is None
    url = responses.calls[0].request.url
    assert "IaasVMContainer%3Biaasvmcontainerv2%3Brg%3Bvm1" in url
    assert ";" not in url
    assert url.endswith("/backup?api-version=2026-10-01")
    assert json.loads(responses.calls[0].request.body) == {"properties": {"objectType": "IaasVMBackupRequest"}}
    assert responses.calls[0].request.headers["Content-Type"] == "application/json"


@responses.activate
def test_segment_with_slash_like_chars_and_spaces_quoted(clock, tokens):
    responses.add(responses.GET, re.compile(".*"), json={})
    make(clock, tokens).get("/subscriptions/s/resourceGroups/my rg/x#y?z")
    assert responses.calls[0].request.url.startswith(BASE + "/subscriptions/s/resourceGroups/my%20rg/x%23y%3Fz?")


@responses.activate
def test_api_version_per_call_and_params(clock, tokens):
    responses.add(responses.GET, re.compile(".*"), json={"name": "v"})
    client = make(clock, tokens)
    client.get(VAULT, api_version="2026-11-01", params={"$filter": "status eq 'InProgress'", "skip": None})
    url = responses.calls[0].request.url
    assert "api-version=2026-11-01" in url
    assert "%24filter=status+eq+%27InProgress%27" in url
    assert "skip" not in url


@responses.activate
def test_absolute_url_used_as_given(clock, tokens):
    given = BASE + VAULT + "/backupJobs/x/operationResults/y?api-version=2017-07-01"
    responses.add(responses.GET, given, status=204)
    resp = make(clock, tokens).get(given)
    assert resp.status == 204
    assert responses.calls[0].request.url == given


def test_absolute_url_on_foreign_host_refused(clock, tokens):
    with pytest.raises(ValidationError) as err:
        make(clock, tokens).get("https://evil.example.com/subscriptions/x")
    assert "evil.example.com" in err.value.msg


@responses.activate
def test_headers_user_agent_and_client_request_id_stable_across_retries(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=503)
    responses.add(responses.GET, JOB_URL, status=500)
    responses.add(responses.GET, JOB_URL, json=JOB_BODY, headers={"x-ms-request-id": "rid-1"})
    resp = make(clock, tokens).get(VAULT + "/backupJobs/" + JOB)
    assert resp.body == JOB_BODY and resp.request_id == "rid-1"
    ids = set()
    for call in responses.calls:
        hdrs = call.request.headers
        assert hdrs["Authorization"] == "Bearer tok-1"
        assert hdrs["Accept"] == "application/json"
        assert hdrs["User-Agent"] == "cloudops.azure_backup/%s python-requests/%s" % (
            _client.COLLECTION_VERSION,
            requests.__version__,
        )
        ids.add(hdrs["x-ms-client-request-id"])
    assert len(responses.calls) == 3 and len(ids) == 1
    # a new logical call gets a new id
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens).get(VAULT + "/backupJobs/" + JOB)
    assert responses.calls[3].request.headers["x-ms-client-request-id"] not in ids


@responses.activate
def test_extra_user_agent_is_appended(clock, tokens):
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens, user_agent="ansible-core/2.19").get(VAULT + "/backupJobs/" + JOB)
    assert responses.calls[0].request.headers["User-Agent"].startswith("cloudops.azure_backup/")
    assert responses.calls[0].request.headers["User-Agent"].endswith(" ansible-core/2.19")


# ------------------------------------------------------------------ read retries


@responses.activate
def test_read_429_honours_retry_after_seconds(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=429, headers={"Retry-After": "7"})
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens).get(VAULT + "/backupJobs/" + JOB)
    assert clock.sleeps == [7.0]


@responses.activate
def test_read_429_prefers_retry_after_ms(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=429, headers={"Retry-After": "7", "retry-after-ms": "1500"})
    responses.add(responses.GET, JOB_URL, status=429, headers={"x-ms-retry-after-ms": "250"})
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens).get(VAULT + "/backupJobs/" + JOB)
    assert clock.sleeps == [1.5, 0.25]


def test_retry_after_http_date():
    when = email.utils.formatdate(1000000030, usegmt=True)
    assert retry_after_seconds({"Retry-After": when}, now=lambda: 1000000000.0) == 30.0
    assert retry_after_seconds({"Retry-After": "garbage"}) is None
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"retry-after": "2"}) == 2.0


@responses.activate
def test_read_503_backoff_with_jitter_bounds(clock, tokens):
    for _dummy in range(4):
        responses.add(responses.GET, JOB_URL, status=503)
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    values = iter([0.0, 1.0, 0.5, 0.25])
    make(clock, tokens, rng=lambda: next(values)).get(VAULT + "/backupJobs/" + JOB)
    # base 1 s doubling, reduced by up to 50 %: [1, 2, 4, 8] * (1 - 0.5 * rng)
    assert clock.sleeps == [1.0, 1.0, 3.0, 7.0]


def test_backoff_bounds_and_cap():
    policy = RetryPolicy(rng=lambda: 0.999999)
    low = [policy.backoff(n) for n in range(1, 10)]
    policy = RetryPolicy(rng=lambda: 0.0)
    high = [policy.backoff(n) for n in range(1, 10)]
    assert high == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    for lo, hi in zip(low, high):
        assert hi * 0.5 <= lo + 1e-6 and lo <= hi


@responses.activate
def test_read_retries_exhausted_raises_last_error(clock, tokens):
    for _dummy in range(3):
        responses.add(responses.GET, JOB_URL, status=500, json={"error": {"code": "InternalError", "message": "boom"}})
    client = make(clock, tokens, retry=RetryPolicy(total=2, rng=lambda: 0.0))
    with pytest.raises(ApiError) as err:
        client.get(VAULT + "/backupJobs/" + JOB)
    assert len(responses.calls) == 3
    assert err.value.status == 500 and err.value.code == "InternalError"


@responses.activate
def test_read_429_exhausted_raises_throttled(clock, tokens):
    for _dummy in range(3):
        responses.add(
            responses.GET,
            JOB_URL,
            status=429,
            headers={"Retry-After": "1"},
            json={"error": {"code": "SubscriptionRequestsThrottled", "message": "slow down"}},
        )
    client = make(clock, tokens, retry=RetryPolicy(total=2))
    with pytest.raises(Throttled) as err:
        client.get(VAULT + "/backupJobs/" + JOB)
    assert err.value.code == "SubscriptionRequestsThrottled"
    assert len(responses.calls) == 3 and clock.sleeps == [1.0, 1.0]


@responses.activate
def test_connection_error_on_read_is_retried(clock, tokens):
    responses.add(responses.GET, JOB_URL, body=dropped())
    responses.add(responses.GET, JOB_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    resp = make(clock, tokens).get(VAULT + "/backupJobs/" + JOB)
    assert resp.status == 200 and len(responses.calls) == 3 and len(clock.sleeps) == 2


@responses.activate
def test_connection_error_exhausted_raises_api_error(clock, tokens):
    for _dummy in range(3):
        responses.add(responses.GET, JOB_URL, body=refused())
    with pytest.raises(ApiError) as err:
        make(clock, tokens, retry=RetryPolicy(total=2, rng=lambda: 0.0)).get(VAULT + "/backupJobs/" + JOB)
    assert err.value.status is None and err.value.code == "ConnectionError"
    assert "3 attempt" in err.value.msg


@responses.activate
def test_deadline_cuts_retries(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=503)
    responses.add(responses.GET, JOB_URL, status=503)
    responses.add(responses.GET, JOB_URL, status=503, json={"error": {"code": "ServiceUnavailable", "message": "x"}})
    client = make(clock, tokens, rng=lambda: 0.0)
    with pytest.raises(ApiError) as err:
        client.get(VAULT + "/backupJobs/" + JOB, deadline=clock.now + 2.5)
    # slept 1 s, then 2 s would pass the deadline (1 + 2 > 2.5): stop with the last error
    assert clock.sleeps == [1.0]
    assert len(responses.calls) == 2
    assert err.value.status == 503


@responses.activate
def test_deadline_stops_long_retry_after(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=429, headers={"Retry-After": "60"})
    with pytest.raises(Throttled):
        make(clock, tokens).get(VAULT + "/backupJobs/" + JOB, deadline=clock.now + 30)
    assert clock.sleeps == [] and len(responses.calls) == 1


# ------------------------------------------------------------------ writes


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500},
        {"status": 503},
        {"status": 504},
        {"body": requests.exceptions.ReadTimeout("read timed out")},
        {"body": dropped()},
    ],
)
@responses.activate
def test_write_never_resent_after_it_may_have_reached_azure(clock, tokens, failure):
    responses.add(responses.POST, BACKUP_URL, **failure)
    responses.add(responses.POST, BACKUP_URL, status=202)
    with pytest.raises(ApiError):
        make(clock, tokens).post(ITEM + "/backup", body={})
    assert len(responses.calls) == 1
    assert clock.sleeps == []


@responses.activate
def test_write_not_resent_message_explains(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ApiError) as err:
        make(clock, tokens).post(ITEM + "/backup", body={})
    assert "not resent" in err.value.msg and err.value.code == "ReadTimeout"


@responses.activate
def test_write_resent_after_429(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, status=429, headers={"Retry-After": "3"})
    responses.add(responses.POST, BACKUP_URL, status=202, headers={"Location": BASE + "/x"})
    resp = make(clock, tokens).post(ITEM + "/backup", body={})
    assert resp.status == 202 and len(responses.calls) == 2 and clock.sleeps == [3.0]
    assert len({c.request.headers["x-ms-client-request-id"] for c in responses.calls}) == 1


@responses.activate
def test_write_resent_after_connect_refused(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, body=refused())
    responses.add(responses.POST, BACKUP_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    responses.add(responses.POST, BACKUP_URL, status=202)
    resp = make(clock, tokens).post(ITEM + "/backup", body={})
    assert resp.status == 202 and len(responses.calls) == 3


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@responses.activate
def test_other_writes_not_resent_after_5xx(clock, tokens, method):
    responses.add(method, BASE + VAULT, status=502)
    with pytest.raises(ApiError):
        make(clock, tokens).request(method, VAULT, body={} if method != "DELETE" else None)
    assert len(responses.calls) == 1


# ------------------------------------------------------------------ 401 and errors


@responses.activate
def test_401_refreshes_token_once(clock, tokens):
    responses.add(
        responses.GET, JOB_URL, status=401, json={"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}
    )
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens).get(VAULT + "/backupJobs/" + JOB)
    assert [c.request.headers["Authorization"] for c in responses.calls] == ["Bearer tok-1", "Bearer tok-2"]
    assert tokens.invalidations == 1


@responses.activate
def test_401_twice_raises_unauthorized_which_is_an_auth_error(clock, tokens):
    for _dummy in range(2):
        responses.add(
            responses.POST,
            BACKUP_URL,
            status=401,
            json={"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}},
            headers={"x-ms-request-id": "r401"},
        )
    with pytest.raises(AuthError) as err:
        make(clock, tokens).post(ITEM + "/backup", body={})
    assert isinstance(err.value, Unauthorized) and isinstance(err.value, ApiError)
    assert err.value.status == 401 and err.value.request_id == "r401"
    assert "tok-" not in err.value.msg
    assert len(responses.calls) == 2


@responses.activate
def test_arm_error_body_mapped(clock, tokens):
    body = {
        "error": {
            "code": "ResourceNotFound",
            "message": "The Resource 'Microsoft.RecoveryServices/vaults/v' was not found.",
            "target": None,
            "details": None,
        }
    }
    responses.add(responses.GET, BASE + VAULT, status=404, json=body, headers={"x-ms-request-id": "req-404"})
    with pytest.raises(NotFound) as err:
        make(clock, tokens).get(VAULT)
    exc = err.value
    assert (exc.status, exc.code, exc.request_id) == (404, "ResourceNotFound", "req-404")
    assert exc.message.startswith("The Resource")
    assert "ResourceNotFound" in exc.msg and "req-404" in exc.msg and "GET " in exc.msg
    assert exc.to_result() == {"error_code": "ResourceNotFound", "status": 404, "request_id": "req-404"}


@responses.activate
def test_non_json_error_body(clock, tokens):
    responses.add(responses.GET, BASE + VAULT, status=403, body="<html><body>Forbidden by proxy</body></html>")
    with pytest.raises(Forbidden) as err:
        make(clock, tokens).get(VAULT)
    assert err.value.status == 403 and err.value.code == "Forbidden"
    assert "Forbidden by proxy" in err.value.msg


@responses.activate
def test_malformed_json_on_2xx(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=200, body='{"name": "x", ', headers={"x-ms-request-id": "bad"})
    with pytest.raises(ApiError) as err:
        make(clock, tokens).get(VAULT + "/backupJobs/" + JOB)
    assert err.value.status == 200 and err.value.code == "MalformedResponse"
    assert "malformed JSON" in err.value.msg


@responses.activate
def test_empty_body_is_none(clock, tokens):
    responses.add(responses.DELETE, BASE + VAULT, status=204)
    assert make(clock, tokens).delete(VAULT).body is None


# ------------------------------------------------------------------ paging


@responses.activate
def test_list_follows_next_link_three_pages(clock, tokens):
    page1 = example_body("2026-10-01/Common/ListJobsWithStartTimeAndEndTimeFilters.json")
    next1 = page1["nextLink"].replace(
        "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/SwaggerTestRg",
        BASE + "/subscriptions/%s/resourceGroups/SwaggerTestRg" % SUB,
    )
    next2 = BASE + VAULT + "/backupJobs?api-version=2017-07-01&%24skiptoken=page3"
    responses.add(responses.GET, BASE + VAULT + "/backupJobs", json=dict(page1, nextLink=next1))
    responses.add(responses.GET, BASE + VAULT + "/backupJobs", json={"value": [{"name": "c"}], "nextLink": next2})
    responses.add(responses.GET, BASE + VAULT + "/backupJobs", json={"value": [{"name": "d"}], "nextLink": None})
    items = list(make(clock, tokens).list(VAULT + "/backupJobs", params={"$filter": "status eq 'InProgress'"}))
    assert [i["properties"]["status"] if "properties" in i else i["name"] for i in items] == [
        "InProgress",
        "Completed",
        "c",
        "d",
    ]
    urls = [c.request.url for c in responses.calls]
    assert len(urls) == 3
    assert "api-version=2026-10-01" in urls[0] and "%24filter" in urls[0]
    # as given (requests only upper-cases percent escapes), api-version untouched
    assert urls[1].lower() == next1.lower() and urls[2] == next2
    assert "api-version=2017-07-01" in urls[1] and "2026-10-01" not in urls[1]


@responses.activate
def test_list_without_next_link(clock, tokens):
    responses.add(responses.GET, BASE + VAULT + "/backupJobs", json=example_body("2026-10-01/Common/ListJobs.json"))
    assert len(list(make(clock, tokens).list(VAULT + "/backupJobs"))) == 2
    assert len(responses.calls) == 1


def test_default_session_has_pool_without_urllib3_retries(tokens):
    client = ArmClient(BASE + "/", tokens, SUB)
    adapter = client.session.get_adapter(BASE)
    assert adapter.max_retries.total == 0
    assert client.base_url == BASE
    assert "tok" not in repr(client)
