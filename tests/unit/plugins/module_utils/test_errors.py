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
    Forbidden,
    JobFailed,
    NotFound,
    OperationFailed,
    Throttled,
    Unauthorized,
    ValidationError,
    WaitTimeout,
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


def test_unauthorized_is_auth_error_too():
    exc = ApiError.from_response(401, {"x-ms-request-id": "r"}, "")
    assert isinstance(exc, AuthError)
    assert exc.status == 401 and exc.code == "Unauthorized" and exc.request_id == "r"
    assert exc.to_result() == {"error_code": "Unauthorized", "status": 401, "request_id": "r"}


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
    assert exc.code is None and "non-JSON" in exc.msg and len(exc.msg) < 400
    exc = ApiError.from_response(404, {}, None)
    assert exc.code == "NotFound" and exc.msg == "HTTP 404"
    exc = ApiError.from_response(500, {}, '["not", "an", "error"]')
    assert exc.code is None and exc.status == 500


def test_to_result_shapes():
    assert ValidationError("bad", option="job_ids").option == "job_ids"
    assert ValidationError("bad").to_result() == {}
    job = {"job_id": "a", "status": "Failed"}
    failed = JobFailed("m", jobs=[job], failed=[job], elapsed=3.0, polls=2)
    assert failed.to_result() == {"jobs": [job], "job": job, "timed_out": False, "elapsed": 3.0, "polls": 2}
    two = JobFailed("m", jobs=[job, dict(job, job_id="b")], failed=[job])
    assert "job" not in two.to_result() and len(two.to_result()["jobs"]) == 2
    timeout = WaitTimeout("t", last_seen=[job], elapsed=10.0, polls=4)
    assert timeout.to_result() == {"jobs": [job], "job": job, "timed_out": True, "elapsed": 10.0, "polls": 4}
    op = OperationFailed("f", code="UserErrorX", message="m", operation={"status": "Failed"}, operation_id="op")
    assert op.to_result() == {"error_code": "UserErrorX", "operation_id": "op"}
    assert AuthError("a", code="AADSTS7000215").to_result() == {"error_code": "AADSTS7000215"}
