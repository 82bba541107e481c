# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the module tests: run a module's main() with patched args, capture the exit/fail
result, and replace the network with a fake ArmClient that records every call.

Modelled on community.hashi_vault's tests/unit/conftest.py: exit_json/fail_json raise an exception
carrying the result, so a test reads the result the module would have printed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import copy
import json
import os
import time

import pytest
from requests.structures import CaseInsensitiveDict

from ansible.module_utils import _internal as _ansible_internal
from ansible.module_utils import basic
from ansible.module_utils.common import warnings as ansible_warnings
from ansible.module_utils.testing import patch_module_args

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _module
from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import ArmClient, Response
from ansible_collections.cloudops.azure_backup.plugins.module_utils._ids import ArmPath

SUB = "00000000-0000-0000-0000-000000000000"
RESOURCE_GROUP = "rg-backup-demo"
VAULT_NAME = "rsv-demo"
VAULT = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.RecoveryServices/vaults/%s" % (
    SUB,
    RESOURCE_GROUP,
    VAULT_NAME,
)
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "module_utils", "fixtures")

Call = collections.namedtuple("Call", ["method", "path", "params", "body"])


def load_example(relpath):
    """The parsed Azure example (``2025-08-01/Common/GetJobDetails.json``) from the module_utils fixtures."""
    with open(os.path.join(FIXTURES, relpath)) as handle:
        return json.load(handle)


def example_body(relpath, status="200"):
    return load_example(relpath)["responses"][status]["body"]


def example_headers(relpath, status="202"):
    return dict((key, str(value)) for key, value in load_example(relpath)["responses"][status]["headers"].items())


def job_resource(job_id, status, vault=VAULT, friendly="vm-web-01", **properties):
    """A JobResource in the shape of Azure's GetJobDetails example."""
    body = copy.deepcopy(example_body("2025-08-01/Common/GetJobDetails.json"))
    body["name"] = job_id
    body["id"] = "%s/backupJobs/%s" % (vault, job_id)
    body["properties"].update(status=status, entityFriendlyName=friendly, **properties)
    if status not in ("InProgress", "Cancelling"):
        body["properties"]["endTime"] = "2017-08-03T05:51:07.014604Z"
    return body


class AnsibleExitJson(Exception):
    """exit_json was called: ``result`` holds its keyword arguments."""

    def __init__(self, kwargs):
        super(AnsibleExitJson, self).__init__(kwargs)
        self.result = kwargs


class AnsibleFailJson(Exception):
    """fail_json was called: ``result`` holds its keyword arguments (with ``failed``)."""

    def __init__(self, kwargs):
        super(AnsibleFailJson, self).__init__(kwargs)
        self.result = kwargs


def _with_warnings(kwargs):
    warnings = ansible_warnings.get_warning_messages()
    if warnings:
        kwargs["warnings"] = list(warnings)
    return kwargs


def _exit_json(self, **kwargs):
    kwargs.setdefault("changed", False)
    raise AnsibleExitJson(_with_warnings(kwargs))


def _fail_json(self, msg=None, **kwargs):
    kwargs["failed"] = True
    kwargs["msg"] = msg
    raise AnsibleFailJson(_with_warnings(kwargs))


class FakeArmClient(ArmClient):
    """Stands in for ArmClient's transport: answers from scripted routes and records every call. Only
    request() is replaced, so the real get/post/put/delete and list (nextLink paging) run on top of it.

    ``add(method, path, body=..., status=..., headers=...)`` queues an answer for the exact path (or
    absolute URL); several answers for one route are given in order, the last one repeats.
    ``add_error(method, path, exc)`` makes the call raise. Any call without a route fails the test.
    ``clock``/``sleep`` are what operation tracking and the waiter use: sleep() only records and
    moves the clock on."""

    def __init__(self):  # pylint: disable=super-init-not-called
        # no session, no token: request() is scripted
        self.routes = {}
        self.calls = []
        self.sleeps = []
        self.offset = 0.0
        self.built = 0
        self.clock_offset = 0.0  # Azure's clock agrees with ours unless a test says otherwise
        self.remaining = {}

    # -- script
    def add(self, method, path, body=None, status=200, headers=None):
        self.routes.setdefault((method.upper(), path), []).append((status, headers or {}, body))
        return self

    def add_error(self, method, path, exc):
        self.routes.setdefault((method.upper(), path), []).append(exc)
        return self

    # -- time
    def clock(self):
        return time.monotonic() + self.offset

    def sleep(self, seconds):
        assert seconds >= 0, seconds
        self.sleeps.append(seconds)
        self.offset += seconds

    # -- the ArmClient interface the modules use
    def wall_clock(self):
        return time.time() + self.offset

    def request(self, method, target, params=None, body=None, api_version=None, deadline=None, headers=None):
        method = method.upper()
        if isinstance(target, ArmPath):
            target = target.id
        elif not target.startswith("https://"):
            raise AssertionError("request to %r: paths come from _ids (an ArmPath)" % (target,))
        self.calls.append(Call(method, target, copy.deepcopy(params), copy.deepcopy(body)))
        queue = self.routes.get((method, target))
        if not queue:
            raise AssertionError("unexpected call %s %s (params %r)" % (method, target, params))
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        status, hdrs, payload = answer
        return Response(status, CaseInsensitiveDict(hdrs), copy.deepcopy(payload), url=target, method=method)

    # -- assertions
    def sent(self, method=None):
        return [call for call in self.calls if method is None or call.method == method]


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch, tmp_path):
    """No AZURE_* settings or ~/.azure/credentials of the machine running the tests leak in."""
    for name in list(os.environ):
        if name.startswith("AZURE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", SUB)


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch):
    """Nothing sleeps for real: time.sleep fails the test."""

    def refuse(seconds):
        raise AssertionError("time.sleep(%r) called in a unit test" % seconds)

    monkeypatch.setattr(time, "sleep", refuse)


@pytest.fixture
def fake_client(monkeypatch):
    """A FakeArmClient that AzureBackupModule.client() returns; ``built`` counts how often it was asked for.

    The waiter and operation tracking use the fake's clock and sleep (they take them from the client)."""
    fake = FakeArmClient()

    def client(self):
        fake.built += 1
        return fake

    monkeypatch.setattr(_module.AzureBackupModule, "client", client)
    return fake


@pytest.fixture
def run_module(monkeypatch):
    """run_module(module, args) -> (failed, result): runs module.main() with ``args`` and returns its result."""
    monkeypatch.setattr(basic.AnsibleModule, "exit_json", _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", _fail_json)
    monkeypatch.setattr(ansible_warnings, "_global_warnings", {})  # warnings of this run only
    # A module runs as a module here, even after a test imported controller code (ansible.errors, a filter): then
    # ansible-core would send its warnings to the controller's display instead of the result.
    monkeypatch.setattr(_ansible_internal, "is_controller", False)

    def run(module, args):
        with patch_module_args(args):
            with pytest.raises((AnsibleExitJson, AnsibleFailJson)) as exc:
                module.main()
        return isinstance(exc.value, AnsibleFailJson), exc.value.result

    return run
