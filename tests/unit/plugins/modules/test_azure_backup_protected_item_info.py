# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_protected_item_info

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    SUB,
    VAULT,
    VAULT_NAME,
    example_body,
)

ITEMS = VAULT + "/backupProtectedItems"
ITEMS_FILTER = "backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'"


def args(**given):
    base = dict(resource_group=RESOURCE_GROUP, vault_name=VAULT_NAME)
    base.update(given)
    return base


def item(vm, rg="rg-work", policy="DefaultPolicy", health="Passed", state="Protected", friendly=None):
    """A protected item as BackupProtectedItems_List returns it (no backupFabrics segment in the id)."""
    body = copy.deepcopy(example_body("2026-10-01/AzureIaasVm/BackupProtectedItems_List.json")["value"][0])
    container, name = "IaasVMContainer;iaasvmcontainerv2;%s;%s" % (rg, vm), "VM;iaasvmcontainerv2;%s;%s" % (rg, vm)
    vault = VAULT.replace("/subscriptions/", "/Subscriptions/")
    vm_id = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/%s" % (SUB, rg, vm)
    body["id"], body["name"] = "%s/protectionContainers/%s/protectedItems/%s" % (vault, container, name), name
    body["properties"].update(
        friendlyName=friendly or vm,
        containerName=container.split(";", 1)[1],
        healthStatus=health,
        protectionState=state,
        policyId=vault + "/backupPolicies/" + policy,
        sourceResourceId=vm_id,
        virtualMachineId=vm_id,
        protectedItemType="Microsoft.Compute/virtualMachines",
    )
    return body


def vault(fake, *items):
    fake.add("GET", ITEMS, {"value": list(items)})
    return fake


def names(result):
    return [entry["vm_name"] for entry in result["protected_items"]]


def sent_filter(fake):
    (call,) = fake.calls
    assert call.method == "GET" and call.path == ITEMS
    return call.params["$filter"]


def test_all_items_shaped(fake_client, run_module):
    vault(fake_client, item("vm-web-01"), item("vm-db-01", rg="rg-data", policy="testPolicy1", health="ActionRequired"))
    failed, result = run_module(azure_backup_protected_item_info, args())
    assert not failed, result
    assert result["changed"] is False and names(result) == ["vm-web-01", "vm-db-01"]
    assert sent_filter(fake_client) == ITEMS_FILTER
    web = result["protected_items"][0]
    assert web["vm_name"] == "vm-web-01"
    assert (
        web["vm_id"]
        == "/subscriptions/%s/resourceGroups/rg-work/providers/Microsoft.Compute/virtualMachines/vm-web-01" % SUB
    )
    assert web["container_name"] == "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
    assert web["protected_item_name"] == "VM;iaasvmcontainerv2;rg-work;vm-web-01"
    assert web["policy_name"] == "DefaultPolicy"
    assert (web["last_backup_status"], web["last_backup_time"]) == ("Completed", "2018-01-22T12:25:32.048723Z")
    assert (web["health_status"], web["protection_state"], web["protection_status"]) == (
        "Passed",
        "Protected",
        "Healthy",
    )
    assert result["protected_items"][1]["policy_name"] == "testPolicy1"


def test_the_list_example_as_azure_sends_it(fake_client, run_module):
    fake_client.add("GET", ITEMS, example_body("2026-10-01/AzureIaasVm/BackupProtectedItems_List.json"))
    failed, result = run_module(azure_backup_protected_item_info, args())
    (only,) = result["protected_items"]
    assert (only["vm_name"], only["policy_name"]) == ("iaasvm-1", "testPolicy1")
    assert (only["container_name"], only["protected_item_name"]) == (
        "IaasVMContainer;iaasvmcontainer;iaasvm-rg;iaasvm-1",
        "VM;iaasvmcontainer;iaasvm-rg;iaasvm-1",
    )


def test_vm_name_is_case_insensitive(fake_client, run_module):
    vault(fake_client, item("vm-web-01", friendly="VM-Web-01"), item("vm-web-011"), item("vm-db-01"))
    failed, result = run_module(azure_backup_protected_item_info, args(vm_name="vm-WEB-01"))
    assert not failed and names(result) == ["VM-Web-01"]
    assert sent_filter(fake_client) == ITEMS_FILTER


def test_policy_name_is_sent_and_checked(fake_client, run_module):
    """Azure is asked for the policy; an item of another policy in its answer is still left out."""
    vault(fake_client, item("vm-web-01", policy="DefaultPolicy"), item("vm-db-01", policy="testPolicy1"))
    failed, result = run_module(azure_backup_protected_item_info, args(policy_name="defaultpolicy"))
    assert not failed and names(result) == ["vm-web-01"]
    assert sent_filter(fake_client) == ITEMS_FILTER + " and policyName eq 'defaultpolicy'"


def test_a_policy_name_azure_cannot_have_is_refused_before_anything_is_sent(fake_client, run_module):
    failed, result = run_module(azure_backup_protected_item_info, args(policy_name="o' or '1' eq '1"))
    assert failed and result["msg"].startswith("policy_name: ") and "backup policy name" in result["msg"]
    assert fake_client.calls == [] and fake_client.built == 0


@pytest.mark.parametrize(
    "option,value,expected",
    [
        ("health_status", "ActionRequired", ["vm-db-01"]),
        ("health_status", "Passed", ["vm-web-01", "vm-app-01"]),
        ("protection_state", "ProtectionStopped", ["vm-app-01"]),
        ("protection_state", "IRPending", []),
    ],
)
def test_health_and_state_filters(fake_client, run_module, option, value, expected):
    vault(
        fake_client,
        item("vm-web-01"),
        item("vm-db-01", health="ActionRequired"),
        item("vm-app-01", state="ProtectionStopped"),
    )
    failed, result = run_module(azure_backup_protected_item_info, args(**{option: value}))
    assert not failed and names(result) == expected
    assert sent_filter(fake_client) == ITEMS_FILTER


def test_filters_combine(fake_client, run_module):
    vault(
        fake_client,
        item("vm-web-01", health="ActionRequired", policy="p1"),
        item("vm-web-01", rg="rg-b", policy="p2"),
        item("vm-db-01", health="ActionRequired", policy="p1"),
    )
    failed, result = run_module(
        azure_backup_protected_item_info, args(vm_name="vm-web-01", policy_name="p1", health_status="ActionRequired")
    )
    assert not failed
    assert [entry["container_name"] for entry in result["protected_items"]] == [
        "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
    ]


def test_empty_vault(fake_client, run_module):
    vault(fake_client)
    failed, result = run_module(azure_backup_protected_item_info, args(vm_name="vm-web-01"))
    assert not failed and result == dict(changed=False, protected_items=[])


def test_bad_choice_fails_before_any_client_call(fake_client, run_module):
    failed, result = run_module(azure_backup_protected_item_info, args(health_status="Broken"))
    assert failed and "health_status" in result["msg"]
    assert fake_client.built == 0
