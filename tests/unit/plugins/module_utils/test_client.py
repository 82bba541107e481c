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
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import (
    ArmClient,
    RetryPolicy,
    retry_after_seconds,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    DeadlineReached,
    Forbidden,
    MalformedResponse,
    NotFound,
    Throttled,
    Unauthorized,
    WriteOutcomeUnknown,
)

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import (
    BASE,
    SUB,
    VAULT,
    VAULT_PATH,
    example_body,
)

JOB = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
JOB_URL = BASE + VAULT + "/backupJobs/" + JOB
JOB_PATH = _ids.job_path(VAULT_PATH, JOB)
ITEM = _ids.item_path(VAULT_PATH, "IaasVMContainer;iaasvmcontainerv2;rg;vm1", "VM;iaasvmcontainerv2;rg;vm1")
BACKUP = _ids.backup_path(ITEM)
JOBS = _ids.jobs_path(VAULT_PATH)
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
    resp = client.post(BACKUP, body={"properties": {"objectType": "IaasVMBackupRequest"}})
    assert resp.status == 202 and resp.body is None
    url = responses.calls[0].request.url
    assert "IaasVMContainer%3Biaasvmcontainerv2%3Brg%3Bvm1" in url
    assert ";" not in url
    assert url.endswith("/backup?api-version=2026-10-01")
    assert json.loads(responses.calls[0].request.body) == {"properties": {"objectType": "IaasVMBackupRequest"}}
    assert responses.calls[0].request.headers["Content-Type"] == "application/json"


def test_only_arm_paths_and_azure_urls_are_sent(clock, tokens):
    client = make(clock, tokens)
    with pytest.raises(TypeError):
        client.get(VAULT + "/backupJobs")  # a string joined by hand is a bug: paths come from _ids
    with pytest.raises(TypeError):
        client.get("backupJobs")


@responses.activate
def test_api_version_per_call_and_params(clock, tokens):
    responses.add(responses.GET, re.compile(".*"), json={"name": "v"})
    client = make(clock, tokens)
    client.get(VAULT_PATH, api_version="2026-11-01", params={"$filter": "status eq 'InProgress'", "skip": None})
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
    with pytest.raises(ApiError) as err:
        make(clock, tokens).get("https://evil.example.com/subscriptions/x")
    assert "evil.example.com" in err.value.msg and err.value.code == "ForeignUrl"


@responses.activate
def test_headers_user_agent_and_client_request_id_stable_across_retries(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=503)
    responses.add(responses.GET, JOB_URL, status=500)
    responses.add(responses.GET, JOB_URL, json=JOB_BODY, headers={"x-ms-request-id": "rid-1"})
    resp = make(clock, tokens).get(JOB_PATH)
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
    make(clock, tokens).get(JOB_PATH)
    assert responses.calls[3].request.headers["x-ms-client-request-id"] not in ids


@responses.activate
def test_extra_user_agent_is_appended(clock, tokens):
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens, user_agent="ansible-core/2.19").get(JOB_PATH)
    assert responses.calls[0].request.headers["User-Agent"].startswith("cloudops.azure_backup/")
    assert responses.calls[0].request.headers["User-Agent"].endswith(" ansible-core/2.19")


# ------------------------------------------------------------------ read retries


@responses.activate
def test_read_429_honours_retry_after_seconds(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=429, headers={"Retry-After": "7"})
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens).get(JOB_PATH)
    assert clock.sleeps == [7.0]


@responses.activate
def test_read_429_prefers_retry_after_ms(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=429, headers={"Retry-After": "7", "retry-after-ms": "1500"})
    responses.add(responses.GET, JOB_URL, status=429, headers={"x-ms-retry-after-ms": "250"})
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens).get(JOB_PATH)
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
    make(clock, tokens, rng=lambda: next(values)).get(JOB_PATH)
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
def test_reads_retry_for_as_long_as_the_deadline_allows(clock, tokens):
    for _dummy in range(12):
        responses.add(responses.GET, JOB_URL, status=503)
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    resp = make(clock, tokens, rng=lambda: 0.0).get(JOB_PATH, deadline=clock() + 3600)
    assert resp.body == JOB_BODY and len(responses.calls) == 13  # no "gave up after N tries"
    assert max(clock.sleeps) == 60.0  # backoff_max


@responses.activate
def test_without_a_deadline_the_budget_bounds_retries(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=503, headers={"x-ms-request-id": "rid-503"})
    with pytest.raises(DeadlineReached) as err:
        make(clock, tokens, retry=RetryPolicy(budget=120, rng=lambda: 0.0)).get(JOB_PATH)
    assert sum(clock.sleeps) < 120
    assert err.value.status == 503 and err.value.request_id == "rid-503"
    assert "deadline passed" in err.value.msg and "HTTP 503" in err.value.msg


@responses.activate
def test_429_that_the_deadline_cannot_wait_for_ends_at_once(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=429, headers={"Retry-After": "30", "x-ms-request-id": "r429"})
    with pytest.raises(DeadlineReached) as err:
        make(clock, tokens).get(JOB_PATH, deadline=clock() + 10)
    assert clock.sleeps == []  # no pointless wait
    assert isinstance(err.value.last, Throttled) and err.value.status == 429 and err.value.request_id == "r429"
    assert len(responses.calls) == 1


@responses.activate
def test_connection_error_on_read_is_retried(clock, tokens):
    responses.add(responses.GET, JOB_URL, body=dropped())
    responses.add(responses.GET, JOB_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    assert make(clock, tokens).get(JOB_PATH).body == JOB_BODY
    assert len(clock.sleeps) == 2


class RecordingSession(object):
    """A requests.Session stand-in that records the timeouts of each attempt and answers from a list."""

    def __init__(self, clock, answers, cost=0.0):
        self.clock, self.answers, self.cost, self.timeouts = clock, list(answers), cost, []

    def request(self, method, url, **kwargs):
        self.timeouts.append(kwargs["timeout"])
        self.clock.advance(self.cost)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        response = requests.Response()
        response.status_code, response._content, response.url = answer, b"{}", url
        return response


def test_each_attempt_is_bounded_by_the_time_left(clock, tokens):
    session = RecordingSession(clock, [requests.exceptions.ReadTimeout("slow")], cost=25.0)
    client = make(clock, tokens, session=session, timeout=(10, 60))
    with pytest.raises(DeadlineReached) as err:
        client.get(JOB_PATH, deadline=clock() + 40)
    assert session.timeouts[0] == (10, 40)
    assert all(read <= 40 for dummy, read in session.timeouts)
    assert err.value.last.code == "ReadTimeout" and "deadline passed" in err.value.msg


def test_nothing_is_sent_once_the_deadline_passed(clock, tokens):
    session = RecordingSession(clock, [202])
    client = make(clock, tokens, session=session)
    for method in ("GET", "POST"):
        with pytest.raises(DeadlineReached) as err:
            client.request(method, BACKUP, deadline=clock() - 1)
        assert "before the request was sent" in err.value.msg
    assert "the write was not started" in err.value.msg
    assert session.timeouts == []


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
        make(clock, tokens).post(BACKUP, body={})
    assert len(responses.calls) == 1
    assert clock.sleeps == []


@responses.activate
def test_write_not_resent_message_explains(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    responses.add(responses.POST, BACKUP_URL, status=500, headers={"x-ms-request-id": "r500"})
    with pytest.raises(WriteOutcomeUnknown) as err:
        make(clock, tokens).post(BACKUP, body={})
    assert "may have reached Azure" in err.value.msg and "not resent" in err.value.msg
    assert err.value.code == "ReadTimeout"
    with pytest.raises(WriteOutcomeUnknown) as err:
        make(clock, tokens).post(BACKUP, body={})
    assert err.value.status == 500 and err.value.request_id == "r500" and "may have reached Azure" in err.value.msg


@responses.activate
def test_write_resent_after_429(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, status=429, headers={"Retry-After": "3"})
    responses.add(responses.POST, BACKUP_URL, status=202, headers={"Location": BASE + "/x"})
    resp = make(clock, tokens).post(BACKUP, body={})
    assert resp.status == 202 and len(responses.calls) == 2 and clock.sleeps == [3.0]
    assert len({c.request.headers["x-ms-client-request-id"] for c in responses.calls}) == 1


@responses.activate
def test_write_resent_after_connect_refused(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, body=refused())
    responses.add(responses.POST, BACKUP_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    responses.add(responses.POST, BACKUP_URL, status=202)
    resp = make(clock, tokens).post(BACKUP, body={})
    assert resp.status == 202 and len(responses.calls) == 3


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@responses.activate
def test_other_writes_not_resent_after_5xx(clock, tokens, method):
    responses.add(method, BASE + VAULT, status=502)
    with pytest.raises(ApiError):
        make(clock, tokens).request(method, VAULT_PATH, body={} if method != "DELETE" else None)
    assert len(responses.calls) == 1


# ------------------------------------------------------------------ 401 and errors


@responses.activate
def test_401_refreshes_token_once(clock, tokens):
    responses.add(
        responses.GET, JOB_URL, status=401, json={"error": {"code": "ExpiredAuthenticationToken", "message": "expired"}}
    )
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    make(clock, tokens).get(JOB_PATH)
    assert [c.request.headers["Authorization"] for c in responses.calls] == ["Bearer tok-1", "Bearer tok-2"]
    assert tokens.refreshes == 1  # a fresh token from the credential, not the cached one


@responses.activate
def test_401_on_a_write_resends_it_once_with_a_fresh_token(clock, tokens):
    responses.add(
        responses.POST, BACKUP_URL, status=401, json={"error": {"code": "ExpiredAuthenticationToken", "message": "x"}}
    )
    responses.add(responses.POST, BACKUP_URL, status=202)
    assert make(clock, tokens).post(BACKUP, body={}).status == 202
    assert [c.request.headers["Authorization"] for c in responses.calls] == ["Bearer tok-1", "Bearer tok-2"]


@responses.activate
def test_401_twice_raises_unauthorized(clock, tokens):
    for _dummy in range(2):
        responses.add(
            responses.POST,
            BACKUP_URL,
            status=401,
            json={"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}},
            headers={"x-ms-request-id": "r401"},
        )
    with pytest.raises(Unauthorized) as err:
        make(clock, tokens).post(BACKUP, body={})
    assert isinstance(err.value, ApiError)
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
        make(clock, tokens).get(VAULT_PATH)
    exc = err.value
    assert (exc.status, exc.code, exc.request_id) == (404, "ResourceNotFound", "req-404")
    assert exc.message.startswith("The Resource")
    assert "ResourceNotFound" in exc.msg and "req-404" in exc.msg and "GET " in exc.msg
    assert exc.result == {"error_code": "ResourceNotFound", "status": 404, "request_id": "req-404"}


@responses.activate
def test_non_json_error_body(clock, tokens):
    responses.add(responses.GET, BASE + VAULT, status=403, body="<html><body>Forbidden by proxy</body></html>")
    with pytest.raises(Forbidden) as err:
        make(clock, tokens).get(VAULT_PATH)
    assert err.value.status == 403 and err.value.code == "Forbidden"
    assert "Forbidden by proxy" in err.value.msg


@responses.activate
def test_malformed_body_on_a_read_is_retried_like_a_5xx(clock, tokens):
    responses.add(responses.GET, JOB_URL, status=200, body="<html>proxy error</html>", content_type="text/html")
    responses.add(responses.GET, JOB_URL, json=JOB_BODY)
    assert make(clock, tokens).get(JOB_PATH).body == JOB_BODY
    assert len(responses.calls) == 2


@responses.activate
def test_malformed_body_that_persists_quotes_an_excerpt_and_the_request_id(clock, tokens):
    responses.add(
        responses.GET, JOB_URL, status=200, body='{"name": "x", ' + "y" * 500, headers={"x-ms-request-id": "bad"}
    )
    with pytest.raises(DeadlineReached) as err:
        make(clock, tokens).get(JOB_PATH, deadline=clock() + 30)
    assert isinstance(err.value.last, MalformedResponse) and err.value.request_id == "bad"
    assert '{"name": "x", yyy' in err.value.msg and "(x-ms-request-id: bad)" in err.value.msg
    assert len(err.value.msg) < 900  # an excerpt, not the body


@responses.activate
def test_malformed_body_on_a_write_is_accepted_not_resent(clock, tokens):
    responses.add(responses.POST, BACKUP_URL, status=202, body="<html>", headers={"Location": BASE + "/x"})
    resp = make(clock, tokens).post(BACKUP, body={})
    assert resp.status == 202 and resp.malformed and resp.body is None and len(responses.calls) == 1


@responses.activate
def test_date_header_sets_azure_clock(clock, tokens):
    azure = 1_900_000_000.0
    responses.add(responses.GET, JOB_URL, json=JOB_BODY, headers={"Date": email.utils.formatdate(azure, usegmt=True)})
    client = make(clock, tokens, wall_clock=lambda: 1_800_000_000.0)
    assert client.clock_offset is None
    client.get(JOB_PATH)
    assert abs(client.clock_offset - (azure - 1_800_000_000.0)) <= 1.0
    assert abs(client.azure_now().timestamp() - azure) <= 1.0


@responses.activate
def test_low_quota_spaces_requests_out(clock, tokens):
    responses.add(responses.GET, JOB_URL, json=JOB_BODY, headers={"x-ms-ratelimit-remaining-subscription-reads": "5"})
    client = make(clock, tokens)
    client.get(JOB_PATH)
    assert clock.sleeps == [] and client.remaining == {"reads": 5}
    client.get(JOB_PATH)
    assert clock.sleeps == [pytest.approx((25 - 5) / 25.0)]  # back to the low-water mark at Azure's refill rate


@responses.activate
def test_empty_body_is_none(clock, tokens):
    responses.add(responses.DELETE, BASE + VAULT, status=204)
    assert make(clock, tokens).delete(VAULT_PATH).body is None


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
    items = list(make(clock, tokens).list(JOBS, params={"$filter": "status eq 'InProgress'"}))
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
def test_list_with_a_repeating_next_link_fails_clearly(clock, tokens):
    again = BASE + VAULT + "/backupJobs?api-version=2026-10-01&%24skiptoken=same"
    responses.add(responses.GET, BASE + VAULT + "/backupJobs", json={"value": [{"name": "a"}], "nextLink": again},
                  headers={"x-ms-request-id": "rid-loop"})  # fmt: skip
    with pytest.raises(ApiError) as err:
        list(make(clock, tokens).list(JOBS))
    assert err.value.code == "RepeatedNextLink" and err.value.request_id == "rid-loop"
    assert len(responses.calls) == 2  # the first page and the one repeat, then it stops


@responses.activate
def test_list_without_next_link(clock, tokens):
    responses.add(responses.GET, BASE + VAULT + "/backupJobs", json=example_body("2026-10-01/Common/ListJobs.json"))
    assert len(list(make(clock, tokens).list(JOBS))) == 2
    assert len(responses.calls) == 1


def test_default_session_has_pool_without_urllib3_retries(tokens):
    client = ArmClient(BASE + "/", tokens, SUB)
    adapter = client.session.get_adapter(BASE)
    assert adapter.max_retries.total == 0
    assert client.base_url == BASE
    assert "tok" not in repr(client)
