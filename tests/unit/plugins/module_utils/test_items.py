# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime

import pytest

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover
    pass
import responses
from requests.utils import unquote

from ansible_collections.cloudops.azure_backup.plugins.module_utils._client import ArmClient, RetryPolicy
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    AzureBackupError,
    NotFound,
    ValidationError,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._items import (
    ITEMS_FILTER,
    Item,
    NoSuchItem,
    list_recovery_points,
    read_item,
    read_recovery_point,
    select_item,
)

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import (
    BASE,
    SUB,
    VAULT,
    VAULT_PATH,
    example_body,
    load_example,
)

VM_ID = "/subscriptions/%s/resourceGroups/rg-work/providers/Microsoft.Compute/virtualMachines/vm-web-01" % SUB
GET_EXAMPLE = "2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"
LIST_EXAMPLE = "2026-10-01/AzureIaasVm/BackupProtectedItems_List.json"


def make(clock, tokens):
    return ArmClient(BASE, tokens, SUB, clock=clock, sleep=clock.sleep, retry=RetryPolicy(rng=lambda: 0.0))


def url(path):
    return BASE + "/".join(quote(segment, safe="") for segment in path.split("/"))


def params(**given):
    base = dict(vm_name=None, vm_resource_group=None, vm_id=None, container_name=None, protected_item_name=None)
    base.update(given)
    return base


def protected(rg, vm, friendly=None):
    """A protected item as BackupProtectedItems_List returns it (the Get example's shape, renamed)."""
    body = copy.deepcopy(example_body(GET_EXAMPLE))
    container = "IaasVMContainer;iaasvmcontainerv2;%s;%s" % (rg, vm)
    name = "VM;iaasvmcontainerv2;%s;%s" % (rg, vm)
    vault = VAULT.replace("/subscriptions/", "/Subscriptions/")  # Azure's casing in bodies
    body["id"] = "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (vault, container, name)
    body["name"] = name
    body["properties"]["friendlyName"] = friendly or vm
    body["properties"]["containerName"] = container.split(";", 1)[1]
    return body


# ------------------------------------------------------------------ select_item (no request)


def test_select_by_container_and_item():
    item = select_item(
        params(
            container_name="IaasVMContainer;iaasvmcontainerv2;rg;vm1", protected_item_name="VM;iaasvmcontainerv2;rg;vm1"
        ),
        VAULT_PATH,
    )
    assert (item.container_name, item.name, item.resource) == (
        "IaasVMContainer;iaasvmcontainerv2;rg;vm1",
        "VM;iaasvmcontainerv2;rg;vm1",
        None,
    )
    assert (
        item.path.id
        == VAULT
        + "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;rg;vm1/protectedItems/VM;iaasvmcontainerv2;rg;vm1"
    )


def test_select_by_vm_id():
    item = select_item(params(vm_id=VM_ID), VAULT_PATH)
    assert item.container_name == "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
    assert item.name == "VM;iaasvmcontainerv2;rg-work;vm-web-01"
    assert item.vault == VAULT_PATH and item.vm_name == "vm-web-01"


def test_select_by_vm_id_any_casing():
    item = select_item(
        params(vm_id=VM_ID.replace("/subscriptions/", "/Subscriptions/").replace("virtualMachines", "virtualmachines")),
        VAULT_PATH,
    )
    assert item.name == "VM;iaasvmcontainerv2;rg-work;vm-web-01"


def test_select_by_bad_vm_id():
    with pytest.raises(ValidationError) as exc:
        select_item(
            params(vm_id="/subscriptions/%s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa" % SUB),
            VAULT_PATH,
        )
    assert exc.value.option == "vm_id" and "virtualMachines" in exc.value.msg


def test_select_by_vm_name_and_resource_group():
    item = select_item(params(vm_name="vm-web-01", vm_resource_group="rg-work"), VAULT_PATH)
    assert (item.container_name, item.name) == (
        "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01",
        "VM;iaasvmcontainerv2;rg-work;vm-web-01",
    )


def test_select_by_vm_name_alone_leaves_the_container_open():
    item = select_item(params(vm_name="vm-web-01"), VAULT_PATH)
    assert item.container_name is None and item.name == "vm-web-01"


# ------------------------------------------------------------------ read_item by name


@responses.activate
def test_read_by_name_one_match(clock, tokens):
    responses.add(
        responses.GET,
        url(VAULT + "/backupProtectedItems"),
        json={"value": [protected("rg-work", "vm-db-01"), protected("rg-work", "vm-web-01", friendly="VM-Web-01")]},
    )
    item = read_item(make(clock, tokens), select_item(params(vm_name="vm-WEB-01"), VAULT_PATH))
    assert isinstance(item, Item)
    assert item.container_name == "IaasVMContainer;iaasvmcontainerv2;rg-work;vm-web-01"
    assert item.name == "VM;iaasvmcontainerv2;rg-work;vm-web-01"
    assert item.vault == VAULT_PATH  # the vault the options name, not the id's casing
    assert item.resource["properties"]["friendlyName"] == "VM-Web-01" and item.vm_name == "VM-Web-01"
    assert len(responses.calls) == 1
    query = unquote(responses.calls[0].request.url.split("%24filter=", 1)[1].split("&")[0]).replace("+", " ")
    assert query == ITEMS_FILTER == load_example(LIST_EXAMPLE)["parameters"]["$filter"]


@responses.activate
def test_read_by_name_no_match(clock, tokens):
    responses.add(
        responses.GET, url(VAULT + "/backupProtectedItems"), json={"value": [protected("rg-work", "vm-db-01")]}
    )
    with pytest.raises(NoSuchItem) as exc:
        read_item(make(clock, tokens), select_item(params(vm_name="vm-web-01"), VAULT_PATH))
    assert isinstance(exc.value, ValidationError) and exc.value.option == "vm_name"
    assert "no protected virtual machine named 'vm-web-01'" in exc.value.msg and "NetSDKTestRsVault" in exc.value.msg


@responses.activate
def test_read_by_name_two_matches(clock, tokens):
    responses.add(
        responses.GET,
        url(VAULT + "/backupProtectedItems"),
        json={"value": [protected("rg-b", "vm-web-01"), protected("rg-a", "vm-web-01")]},
    )
    with pytest.raises(ValidationError) as exc:
        read_item(make(clock, tokens), select_item(params(vm_name="vm-web-01"), VAULT_PATH))
    assert exc.value.option == "vm_name"
    assert "2 protected virtual machines are named 'vm-web-01'" in exc.value.msg
    assert (
        "IaasVMContainer;iaasvmcontainerv2;rg-a;vm-web-01, IaasVMContainer;iaasvmcontainerv2;rg-b;vm-web-01"
        in exc.value.msg
    )
    assert "vm_resource_group" in exc.value.msg


@responses.activate
def test_read_by_name_empty_vault(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupProtectedItems"), json={"value": []})
    with pytest.raises(ValidationError, match="vm_name: no protected virtual machine"):
        read_item(make(clock, tokens), select_item(params(vm_name="vm-web-01"), VAULT_PATH))


@responses.activate
def test_read_by_name_with_the_list_example(clock, tokens):
    responses.add(responses.GET, url(VAULT + "/backupProtectedItems"), json=example_body(LIST_EXAMPLE))
    item = read_item(make(clock, tokens), select_item(params(vm_name="iaasvm-1"), VAULT_PATH))
    assert item.name == "VM;iaasvmcontainer;iaasvm-rg;iaasvm-1"


# ------------------------------------------------------------------ read_item by path


@responses.activate
def test_read_by_path(clock, tokens):
    selected = select_item(params(vm_name="iaasvm-1", vm_resource_group="iaasvm-rg"), VAULT_PATH)
    responses.add(responses.GET, url(selected.path.id), json=example_body(GET_EXAMPLE))
    item = read_item(make(clock, tokens), selected)
    assert item is selected and item.resource == example_body(GET_EXAMPLE)
    assert item.vm_name == "iaasvm-1" and item.properties["protectionState"] == "Protected"
    assert "%3B" in responses.calls[0].request.url  # the ';' of the names is quoted


@responses.activate
def test_read_by_path_404_is_a_clear_not_found(clock, tokens):
    selected = select_item(params(vm_id=VM_ID), VAULT_PATH)
    responses.add(
        responses.GET,
        url(selected.path.id),
        status=404,
        headers={"x-ms-request-id": "req-1"},
        json={"error": {"code": "BMSUserErrorItemNotFound", "message": "Item not found"}},
    )
    with pytest.raises(NotFound) as exc:
        read_item(make(clock, tokens), selected)
    assert exc.value.msg == (
        "The virtual machine 'vm-web-01' is not a protected item of vault 'NetSDKTestRsVault' "
        "(BMSUserErrorItemNotFound: Item not found)"
    )
    assert exc.value.result == {"error_code": "BMSUserErrorItemNotFound", "status": 404, "request_id": "req-1"}
    assert selected.resource is None


# ------------------------------------------------------------------ recovery points

POINTS_EXAMPLE = "2026-10-01/AzureIaasVm/RecoveryPoints_List.json"
POINT_EXAMPLE = "2026-01-01/AzureIaasVm/RecoveryPoints_Get.json"


def read_example_item():
    return Item(
        VAULT_PATH,
        "IaasVMContainer;iaasvmcontainerv2;iaasvm-rg;iaasvm-1",
        "VM;iaasvmcontainerv2;iaasvm-rg;iaasvm-1",
        example_body(GET_EXAMPLE),
    )


@responses.activate
def test_list_recovery_points_in_a_window(clock, tokens):
    item = read_example_item()
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints"), json=example_body(POINTS_EXAMPLE))
    start = datetime.datetime(2017, 12, 1, tzinfo=datetime.timezone.utc)
    end = datetime.datetime(2023, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc)
    points = list_recovery_points(make(clock, tokens), item, start, end)
    assert [p["name"] for p in points] == [
        "22244821112382",
        "24977149827250",
        "70477518625276",
    ]  # Azure's order, raw resources
    query = unquote(responses.calls[0].request.url.split("%24filter=", 1)[1].split("&")[0]).replace("+", " ")
    assert query == "startDate eq '2017-12-01 12:00:00 AM' and endDate eq '2023-12-31 11:59:59 PM'"


@responses.activate
def test_list_recovery_points_without_a_window_sends_no_filter(clock, tokens):
    item = read_example_item()
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints"), json={"value": []})
    assert list_recovery_points(make(clock, tokens), item) == []
    assert "filter" not in responses.calls[0].request.url


@responses.activate
def test_read_newest_recovery_point(clock, tokens):
    item = read_example_item()
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints"), json=example_body(POINTS_EXAMPLE))
    point = read_recovery_point(make(clock, tokens), item)
    assert point["recovery_point_id"] == "70477518625276" and point["tiers"] == ["InstantRP", "HardenedRP"]


@responses.activate
def test_read_recovery_point_by_id(clock, tokens):
    item = read_example_item()
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints/26083826328862"), json=example_body(POINT_EXAMPLE))
    point = read_recovery_point(make(clock, tokens), item, "26083826328862")
    assert (
        point["recovery_point_id"] == "26083826328862"
        and point["recovery_point_time"] == "2017-11-22T22:32:46.6088472Z"
    )
    assert len(responses.calls) == 1


@responses.activate
def test_read_recovery_point_404(clock, tokens):
    item = read_example_item()
    responses.add(
        responses.GET,
        url(item.path.id + "/recoveryPoints/123"),
        status=404,
        json={"error": {"code": "BMSUserErrorRecoveryPointNotFound", "message": "Recovery point not found"}},
    )
    with pytest.raises(NotFound) as exc:
        read_recovery_point(make(clock, tokens), item, "123")
    assert exc.value.msg.startswith(
        "recovery_point_id: iaasvm-1 has no recovery point '123' (BMSUserErrorRecoveryPointNotFound"
    )


@responses.activate
def test_read_newest_recovery_point_when_there_is_none(clock, tokens):
    item = read_example_item()
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints"), json={"value": []})
    with pytest.raises(AzureBackupError, match="iaasvm-1 has no recovery point yet"):
        read_recovery_point(make(clock, tokens), item)


def window_points():
    """The list example with one more point in the second after 22244821112382 (2017-12-21T22:48:25.4353958Z)."""
    body = copy.deepcopy(example_body(POINTS_EXAMPLE))
    late = copy.deepcopy(body["value"][0])
    late["name"] = "22244821112383"
    late["properties"]["recoveryPointTime"] = "2017-12-21T22:48:25.9Z"
    body["value"].append(late)
    return body


@responses.activate
def test_list_recovery_points_holds_the_exact_window(clock, tokens):
    """Azure's filter has whole seconds: the end is widened to 22:48:26 and the points after the exact end are dropped."""
    item = read_example_item()
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints"), json=window_points())
    start = datetime.datetime(2017, 12, 20, 22, 49, 44, 331794, tzinfo=datetime.timezone.utc)  # exactly 24977149827250
    end = datetime.datetime(2017, 12, 21, 22, 48, 25, 500000, tzinfo=datetime.timezone.utc)
    points = list_recovery_points(make(clock, tokens), item, start, end)
    assert [p["name"] for p in points] == ["22244821112382", "24977149827250"]
    query = unquote(responses.calls[0].request.url.split("%24filter=", 1)[1].split("&")[0]).replace("+", " ")
    assert query == "startDate eq '2017-12-20 10:49:44 PM' and endDate eq '2017-12-21 10:48:26 PM'"


@responses.activate
def test_list_recovery_points_whole_second_end_is_not_widened(clock, tokens):
    item = read_example_item()
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints"), json=window_points())
    start = datetime.datetime(2017, 12, 21, tzinfo=datetime.timezone.utc)
    end = datetime.datetime(2017, 12, 21, 22, 48, 25, tzinfo=datetime.timezone.utc)
    assert list_recovery_points(make(clock, tokens), item, start, end) == []
    query = unquote(responses.calls[0].request.url.split("%24filter=", 1)[1].split("&")[0]).replace("+", " ")
    assert query == "startDate eq '2017-12-21 12:00:00 AM' and endDate eq '2017-12-21 10:48:25 PM'"


@responses.activate
def test_list_recovery_points_keeps_a_point_without_a_time(clock, tokens):
    item = read_example_item()
    body = window_points()
    del body["value"][0]["properties"]["recoveryPointTime"]
    responses.add(responses.GET, url(item.path.id + "/recoveryPoints"), json=body)
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.timezone.utc)
    end = datetime.datetime(2023, 12, 31, tzinfo=datetime.timezone.utc)
    assert [p["name"] for p in list_recovery_points(make(clock, tokens), item, start, end)] == [
        "22244821112382",
        "70477518625276",
    ]


def test_select_refuses_a_vm_of_another_subscription_and_hostile_names():
    other = VM_ID.replace(SUB, "99999999-0000-0000-0000-000000000000")
    with pytest.raises(ValidationError) as exc:
        select_item(params(vm_id=other), VAULT_PATH)
    assert exc.value.option == "vm_id" and "subscription" in exc.value.msg
    for bad, option in (
        (params(vm_name="../vm-web-02"), "vm_name"),
        (params(vm_name="vm-web-01", vm_resource_group="rg/../rg2"), "vm_resource_group"),
        (params(container_name="IaasVMContainer;iaasvmcontainerv2;rg;vm/../x", protected_item_name="VM;iaasvmcontainerv2;rg;vm"), "container_name"),
        (params(container_name="IaasVMContainer;iaasvmcontainerv2;rg;vm", protected_item_name="VM;iaasvmcontainerv2;rg;vm?x"), "protected_item_name"),
    ):  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            select_item(bad, VAULT_PATH)
        assert exc.value.option == option
