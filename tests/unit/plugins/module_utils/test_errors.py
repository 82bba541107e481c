# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    AzureBackupError,
    DeadlineReached,
    Forbidden,
    JobFailed,
    NotFound,
    OperationFailed,
    Throttled,
    Unauthorized,
    ValidationError,
    WaitTimeout,
    carrying,
)


@pytest.mark.parametrize(
    "status,klass",
    [
        (404, NotFound),
        (429, Throttled),
        (401, Unauthorized),
        (403, Forbidden),
        (400, ApiError),
        (500, ApiError),
        (409, ApiError),
    ],
)
def test_from_response_picks_subclass(status, klass):
    exc = ApiError.from_response(status, {}, '{"error": {"code": "X", "message": "m"}}')
    assert exc.__class__ is klass
    assert isinstance(exc, ApiError) and isinstance(exc, AzureBackupError)


def test_unauthorized_carries_status_code_and_request_id():
    exc = ApiError.from_response(401, {"x-ms-request-id": "r"}, "")
    assert isinstance(exc, Unauthorized)
    assert exc.status == 401 and exc.code == "Unauthorized" and exc.request_id == "r"
    assert exc.result == {"error_code": "Unauthorized", "status": 401, "request_id": "r"}


def test_rephrased_keeps_everything_but_the_message():
    exc = ApiError.from_response(
        404, {"x-ms-request-id": "r"}, '{"error": {"code": "ResourceNotFound", "message": "m"}}'
    )
    other = exc.rephrased("Job x was not found")
    assert isinstance(other, NotFound) and other.msg == "Job x was not found"
    assert (other.status, other.code, other.message, other.request_id) == (404, "ResourceNotFound", "m", "r")
    assert exc.msg != other.msg  # the original is not touched


def test_arm_error_body_fields():
    body = (
        '{"error": {"code": "BMSUserErrorInvalidInput", "message": "Input provided for the call is invalid",'
        ' "target": "filter", "details": [{"code": "Inner", "message": "inner"}]}}'
    )
    exc = ApiError.from_response(400, {"X-MS-Request-Id": "abc"}, body, context="GET /x")
    expected = ("BMSUserErrorInvalidInput", "Input provided for the call is invalid", "filter", "abc")
    assert (exc.code, exc.message, exc.target, exc.request_id) == expected
    assert exc.details == [{"code": "Inner", "message": "inner"}]
    assert (
        exc.msg
        == "GET /x failed: HTTP 400 BMSUserErrorInvalidInput: Input provided for the call is invalid (x-ms-request-id: abc)"
    )
    assert str(exc) == exc.msg


def test_top_level_code_message_tolerated():
    exc = ApiError.from_response(400, {}, '{"code": "BadRequest", "message": "nope"}')
    assert (exc.code, exc.message) == ("BadRequest", "nope")


def test_non_json_and_empty_bodies():
    exc = ApiError.from_response(502, {}, "<html>" + "x" * 1000 + "</html>")
    assert exc.code is None and "not an ARM error body" in exc.msg and len(exc.msg) < 400
    exc = ApiError.from_response(404, {}, None)
    assert exc.code == "NotFound" and exc.msg == "HTTP 404"
    exc = ApiError.from_response(500, {}, '["not", "an", "error"]')
    assert exc.code is None and exc.status == 500


def test_errors_declare_their_payload():
    assert ValidationError("bad", option="job_ids").option == "job_ids"
    assert ValidationError("bad").result == {}
    job = {"job_id": "a", "status": "Failed"}
    failed = JobFailed("m", result={"jobs": [job], "timed_out": False})
    assert failed.result == {"jobs": [job], "timed_out": False} and failed.msg == "m"
    op = OperationFailed(
        "f", code="UserErrorX", message="m", operation={"status": "Failed"}, operation_id="op", request_id="r"
    )
    assert op.result == {"error_code": "UserErrorX", "operation_id": "op", "request_id": "r"}
    assert AuthError("a", code="AADSTS7000215").result == {"error_code": "AADSTS7000215"}
    assert AuthError("a").result == {}


def test_carrying_adds_what_the_task_did_and_keeps_the_cause():
    cause = WaitTimeout("Timed out", result={"timed_out": True, "jobs": []})
    try:
        try:
            raise cause
        except WaitTimeout as error:
            raise carrying(error, {"changed": True, "job_id": "j", "timed_out": False}) from error
    except AzureBackupError as outer:
        assert outer.msg == "Timed out" and outer.__cause__ is cause
        # the cause's own keys win over what the task had (here: timed_out)
        assert outer.result == {"changed": True, "job_id": "j", "timed_out": True, "jobs": []}
    assert cause.result == {"timed_out": True, "jobs": []}  # nothing mutated
    assert carrying(cause, {}, msg="other").msg == "other"


def test_deadline_reached_takes_the_last_attempt():
    last = ApiError.from_response(429, {"x-ms-request-id": "r"}, '{"error": {"code": "SubscriptionRequestsThrottled"}}')
    exc = DeadlineReached("deadline", last=last)
    assert (exc.status, exc.code, exc.request_id, exc.last) == (429, "SubscriptionRequestsThrottled", "r", last)
    assert DeadlineReached("d").code == "DeadlineReached"
