# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_policy_info
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import NotFound

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    VAULT,
    VAULT_NAME,
    example_body,
)

POLICIES = VAULT + "/backupPolicies"


def args(**given):
    base = dict(resource_group=RESOURCE_GROUP, vault_name=VAULT_NAME)
    base.update(given)
    return base


def policy(name):
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/ProtectionPolicies_Get.json"))
    body["id"], body["name"] = POLICIES.replace("/subscriptions/", "/Subscriptions/") + "/" + name, name
    return body


def not_found(code, message):
    return NotFound(
        "GET failed: HTTP 404 %s: %s" % (code, message), status=404, code=code, message=message, request_id="req-404"
    )


def test_list_sends_the_management_type(fake_client, run_module):
    fake_client.add("GET", POLICIES, {"value": [policy("DefaultPolicy"), policy("testPolicy1")]})
    failed, result = run_module(azure_backup_policy_info, args())
    assert not failed, result
    assert result["changed"] is False
    assert [entry["policy_name"] for entry in result["policies"]] == ["DefaultPolicy", "testPolicy1"]
    assert [(c.method, c.path, c.params) for c in fake_client.calls] == [
        ("GET", POLICIES, {"$filter": "backupManagementType eq 'AzureIaasVM'"})
    ]
    first = result["policies"][0]
    assert first["backup_management_type"] == "AzureIaasVM" and first["time_zone"] == "Pacific Standard Time"
    assert first["schedule_policy"]["schedule_run_frequency"] == "Daily" and first["id"].endswith(
        "/backupPolicies/DefaultPolicy"
    )


def test_list_follows_next_link(fake_client, run_module):
    next_link = "https://management.azure.com" + POLICIES + "?api-version=2026-10-01&$skipToken=2"
    fake_client.add("GET", POLICIES, {"value": [policy("DefaultPolicy")], "nextLink": next_link})
    fake_client.add("GET", next_link, {"value": [policy("testPolicy1")]})
    failed, result = run_module(azure_backup_policy_info, args())
    assert not failed and [entry["policy_name"] for entry in result["policies"]] == ["DefaultPolicy", "testPolicy1"]


@pytest.mark.parametrize("option", ["name", "policy_name"])
def test_by_name_reads_the_policy(fake_client, run_module, option):
    fake_client.add("GET", POLICIES + "/testPolicy1", policy("testPolicy1"))
    failed, result = run_module(azure_backup_policy_info, args(**{option: "testPolicy1"}))
    assert not failed, result
    assert [entry["policy_name"] for entry in result["policies"]] == ["testPolicy1"]
    assert [(c.method, c.path, c.params) for c in fake_client.calls] == [("GET", POLICIES + "/testPolicy1", None)]


def test_unknown_name_is_an_empty_list(fake_client, run_module):
    fake_client.add_error("GET", POLICIES + "/nope", not_found("BMSUserErrorPolicyNotFound", "Policy not found"))
    failed, result = run_module(azure_backup_policy_info, args(name="nope"))
    assert not failed, result
    assert result == dict(changed=False, policies=[])


def test_missing_vault_fails_with_404(fake_client, run_module):
    fake_client.add_error(
        "GET",
        POLICIES,
        not_found(
            "ResourceNotFound",
            "The Resource 'Microsoft.RecoveryServices/vaults/rsv-demo' "
            "under resource group 'rg-backup-demo' was not found.",
        ),
    )
    failed, result = run_module(azure_backup_policy_info, args())
    assert failed
    assert result["status"] == 404 and result["error_code"] == "ResourceNotFound" and result["request_id"] == "req-404"
    assert "rsv-demo" in result["msg"] and result["changed"] is False


def test_missing_vault_options_fail_before_any_client_call(fake_client, run_module):
    failed, result = run_module(azure_backup_policy_info, dict(vault_name=VAULT_NAME))
    assert failed and result["msg"].startswith("resource_group is required")
    assert fake_client.calls == []
