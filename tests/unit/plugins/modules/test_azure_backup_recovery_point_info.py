# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.cloudops.azure_backup.plugins.modules import azure_backup_recovery_point_info
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import NotFound

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.modules.conftest import (
    RESOURCE_GROUP,
    SUB,
    VAULT,
    VAULT_NAME,
    example_body,
)

VM_ID = "/subscriptions/%s/resourceGroups/rg-work/providers/Microsoft.Compute/virtualMachines/vm-web-01" % SUB
CONTAINER = "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_NAME = "VM;iaasvmcontainerv2;rg-work;vm-web-01"
ITEM_PATH = "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (VAULT, CONTAINER, ITEM_NAME)
POINTS = ITEM_PATH + "/recoveryPoints"
# The RecoveryPoints_List example: 22244821112382 2017-12-21T22:48:25.4353958Z, 24977149827250 2017-12-20T22:49:44.3317945Z,
# 70477518625276 2023-09-22T20:02:00.1225746Z
NEWEST_FIRST = ["70477518625276", "22244821112382", "24977149827250"]


def args(**given):
    base = dict(resource_group=RESOURCE_GROUP, vault_name=VAULT_NAME, vm_name="vm-web-01", vm_resource_group="rg-work")
    base.update(given)
    return base


def protected_item():
    body = copy.deepcopy(example_body("2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"))
    body["id"], body["name"] = ITEM_PATH, ITEM_NAME
    body["properties"].update(friendlyName="vm-web-01", sourceResourceId=VM_ID, virtualMachineId=VM_ID)
    return body


def points(order=(2, 0, 1)):
    body = copy.deepcopy(example_body("2026-10-01/AzureIaasVm/RecoveryPoints_List.json"))
    body["value"] = [body["value"][index] for index in order]
    return body


def listed(fake, body=None):
    fake.add("GET", ITEM_PATH, protected_item())
    fake.add("GET", POINTS, points() if body is None else body)
    return fake


def sent_filter(fake):
    (call,) = [call for call in fake.calls if call.path == POINTS]
    return (call.params or {}).get("$filter")


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0)])
def test_points_newest_first_whatever_azure_order(fake_client, run_module, order):
    listed(fake_client, points(order))
    failed, result = run_module(azure_backup_recovery_point_info, args())
    assert not failed, result
    assert result["changed"] is False
    assert [point["recovery_point_id"] for point in result["recovery_points"]] == NEWEST_FIRST
    assert result["protected_item"] == {
        "vm_name": "vm-web-01",
        "container_name": CONTAINER,
        "protected_item_name": ITEM_NAME,
    }
    assert sent_filter(fake_client) is None


def test_points_are_shaped(fake_client, run_module):
    listed(fake_client)
    failed, result = run_module(azure_backup_recovery_point_info, args())
    newest = result["recovery_points"][0]
    assert newest["recovery_point_time"] == "2023-09-22T20:02:00.1225746Z" and newest["tiers"] == [
        "InstantRP",
        "HardenedRP",
    ]
    assert newest["recovery_point_move_readiness_info"]["ArchivedRP"]["isReadyForMove"] is False  # free-form keys kept
    assert newest["os_type"] == "Windows" and newest["virtual_machine_size"] == "Standard_D2s_v3"


def test_latest_returns_one(fake_client, run_module):
    listed(fake_client)
    failed, result = run_module(azure_backup_recovery_point_info, args(latest=True))
    assert not failed and [point["recovery_point_id"] for point in result["recovery_points"]] == [NEWEST_FIRST[0]]


def test_empty(fake_client, run_module):
    listed(fake_client, {"value": []})
    failed, result = run_module(azure_backup_recovery_point_info, args(latest=True))
    assert not failed and result["recovery_points"] == []


def test_window_filter_and_exact_holding(fake_client, run_module):
    """end_time falls 35 ms before 22244821112382: Azure is asked up to the next whole second, the point is dropped."""
    listed(fake_client)
    failed, result = run_module(
        azure_backup_recovery_point_info, args(start_time="2017-12-20", end_time="2017-12-21T22:48:25.4Z")
    )
    assert not failed, result
    assert sent_filter(fake_client) == "startDate eq '2017-12-20 12:00:00 AM' and endDate eq '2017-12-21 10:48:26 PM'"
    assert [point["recovery_point_id"] for point in result["recovery_points"]] == ["24977149827250"]


def test_window_edges_are_inclusive(fake_client, run_module):
    listed(fake_client)
    failed, result = run_module(
        azure_backup_recovery_point_info,
        args(start_time="2017-12-20T22:49:44.3317945Z", end_time="2017-12-21T22:48:25.4353958Z"),
    )
    assert not failed, result
    assert sent_filter(fake_client) == "startDate eq '2017-12-20 10:49:44 PM' and endDate eq '2017-12-21 10:48:26 PM'"
    assert [point["recovery_point_id"] for point in result["recovery_points"]] == ["22244821112382", "24977149827250"]


def test_end_date_means_the_end_of_that_day(fake_client, run_module):
    listed(fake_client)
    failed, result = run_module(
        azure_backup_recovery_point_info,
        args(start_time="2017-12-01T08:30:00+02:00", end_time="2017-12-20", latest=True),
    )
    assert not failed, result
    assert sent_filter(fake_client) == "startDate eq '2017-12-01 06:30:00 AM' and endDate eq '2017-12-20 11:59:59 PM'"
    assert [point["recovery_point_id"] for point in result["recovery_points"]] == ["24977149827250"]


@pytest.mark.parametrize(
    "given,option",
    [
        (dict(start_time="yesterday"), "start_time"),
        (dict(end_time="2017-13-01"), "end_time"),
        (dict(start_time="2017-12-21", end_time="2017-12-20"), "start_time"),
    ],
)
def test_bad_time_fails_before_any_client_call(fake_client, run_module, given, option):
    failed, result = run_module(azure_backup_recovery_point_info, args(**given))
    assert failed and result["msg"].startswith(option)
    assert fake_client.built == 0 and fake_client.calls == []


def test_unprotected_vm_fails(fake_client, run_module):
    fake_client.add_error(
        "GET",
        ITEM_PATH,
        NotFound("GET failed: HTTP 404", status=404, code="BMSUserErrorItemNotFound", message="Item not found"),
    )
    failed, result = run_module(azure_backup_recovery_point_info, args())
    assert failed and result["status"] == 404
    assert result["msg"] == (
        "The virtual machine 'vm-web-01' is not a protected item of vault 'rsv-demo' "
        "(BMSUserErrorItemNotFound: Item not found)"
    )
    assert [call.path for call in fake_client.calls] == [ITEM_PATH]


def test_vm_name_alone_unknown_to_the_vault_fails_naming_vm_name(fake_client, run_module):
    fake_client.add("GET", VAULT + "/backupProtectedItems", {"value": []})
    failed, result = run_module(azure_backup_recovery_point_info, args(vm_resource_group=None))
    assert failed and result["msg"].startswith("vm_name: no protected virtual machine named 'vm-web-01'")
