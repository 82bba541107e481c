# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy


from ansible_collections.cloudops.azure_backup.plugins.module_utils import _shapes

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import example_body

ITEM_EXAMPLE = "2025-08-01/AzureIaasVm/Compute_ProtectedItem_Get.json"
POINTS_EXAMPLE = "2026-10-01/AzureIaasVm/RecoveryPoints_List.json"
POINT_EXAMPLE = "2026-01-01/AzureIaasVm/RecoveryPoints_Get.json"
POLICY_EXAMPLE = "2025-08-01/AzureIaasVm/ProtectionPolicies_Get.json"


# ------------------------------------------------------------------ protected items


def test_normalize_protected_item_example():
    resource = example_body(ITEM_EXAMPLE)
    item = _shapes.normalize_protected_item(resource)
    assert item["id"] == resource["id"] and item["type"] == resource["type"]
    assert item["name"] == item["protected_item_name"] == "VM;iaasvmcontainerv2;iaasvm-rg;iaasvm-1"
    assert (
        item["container_name"] == "IaasVMContainer;iaasvmcontainerv2;iaasvm-rg;iaasvm-1"
    )  # the full name, from the id
    assert item["vm_name"] == item["friendly_name"] == "iaasvm-1"
    assert item["vm_id"] == resource["properties"]["virtualMachineId"]
    assert item["policy_name"] == "testPolicy1" and item["policy_id"] == resource["properties"]["policyId"]
    assert (item["protection_state"], item["protection_status"], item["health_status"]) == (
        "Protected",
        "Healthy",
        "Passed",
    )
    assert (
        item["last_backup_time"] == "2018-01-22T12:25:32.048723Z"
        and item["last_recovery_point"] == "2017-11-22T12:25:32.048723Z"
    )
    assert item["protected_item_data_id"] == "636482643132986882" and item["policy_type"] == "V2"
    assert "e_tag" not in item and "location" not in item
    assert not [key for key in item if key != key.lower()]  # snake_case everywhere


def test_normalize_protected_item_keeps_kpis_and_tags_verbatim():
    resource = copy.deepcopy(example_body(ITEM_EXAMPLE))
    resource["eTag"] = "W/\"datetime'2026-11-26T08%3A00%3A00Z'\""
    resource["tags"] = {"CostCenter": "IT-42"}
    resource["properties"]["kpisHealths"] = {
        "TransferToVaultKpi": {"resourceHealthStatus": "Healthy", "resourceHealthDetails": []}
    }
    resource["properties"]["extendedInfo"] = {"oldestRecoveryPoint": "2017-11-22T12:25:32Z", "recoveryPointCount": 3}
    item = _shapes.normalize_protected_item(resource)
    assert item["kpis_healths"] == {
        "TransferToVaultKpi": {"resourceHealthStatus": "Healthy", "resourceHealthDetails": []}
    }
    assert item["tags"] == {"CostCenter": "IT-42"} and item["e_tag"] == resource["eTag"]
    assert item["extended_info"] == {"oldest_recovery_point": "2017-11-22T12:25:32Z", "recovery_point_count": 3}


def test_normalize_protected_item_fallbacks():
    resource = copy.deepcopy(example_body(ITEM_EXAMPLE))
    del resource["properties"]["virtualMachineId"]
    resource["properties"]["policyName"] = "Gold"
    item = _shapes.normalize_protected_item(resource)
    assert item["vm_id"] == resource["properties"]["sourceResourceId"] and item["policy_name"] == "Gold"
    del resource["properties"]["policyId"], resource["properties"]["policyName"]
    assert _shapes.normalize_protected_item(resource)["policy_name"] is None
    bare = _shapes.normalize_protected_item(
        {"name": "VM;iaasvmcontainerv2;rg;vm", "properties": {"friendlyName": "vm"}}
    )
    assert bare["container_name"] is None and bare["vm_name"] == "vm" and bare["id"] is None


# ------------------------------------------------------------------ recovery points


def test_normalize_recovery_point_get_example():
    point = _shapes.normalize_recovery_point(example_body(POINT_EXAMPLE))
    assert point["recovery_point_id"] == point["name"] == "26083826328862"
    assert point["recovery_point_time"] == "2017-11-22T22:32:46.6088472Z"
    assert point["recovery_point_type"] == "CrashConsistent" and point["object_type"] == "IaasVMRecoveryPoint"
    assert point["tiers"] == ["HardenedRP"] and point["zones"] == ["1"]
    assert point["recovery_point_move_readiness_info"] == {"ArchivedRP": {"isReadyForMove": True}}  # verbatim
    assert point["is_managed_virtual_machine"] is True and point["source_vm_storage_type"] == "NormalStorage"


def test_normalize_recovery_points_list_example():
    points = [_shapes.normalize_recovery_point(r) for r in example_body(POINTS_EXAMPLE)["value"]]
    assert [p["recovery_point_id"] for p in points] == ["22244821112382", "24977149827250", "70477518625276"]
    assert [p["tiers"] for p in points] == [
        ["HardenedRP"],
        [],
        ["InstantRP", "HardenedRP"],
    ]  # Deleted/Rehydrated are not valid tiers
    assert points[1]["recovery_point_tier_details"][2]["type"] == "ArchivedRP"
    assert points[2]["extended_location"] == {"name": "microsoftrrdclab3", "type": "EdgeZone"}
    assert points[2]["recovery_point_move_readiness_info"]["ArchivedRP"]["isReadyForMove"] is False


def test_recovery_point_tier_extended_info_keys_are_verbatim():
    point = _shapes.normalize_recovery_point(example_body(POINTS_EXAMPLE)["value"][1])
    assert point["recovery_point_tier_details"][2]["extended_info"] == {
        "RehydratedRPExpiryTime": "2020-12-21T22:48:25.4353958Z"
    }


def test_newest_first():
    points = [_shapes.normalize_recovery_point(r) for r in example_body(POINTS_EXAMPLE)["value"]]
    assert [p["recovery_point_id"] for p in _shapes.newest_first(points)] == [
        "70477518625276",
        "22244821112382",
        "24977149827250",
    ]


def test_newest_first_ignores_precision_and_missing_times():
    points = [
        {"recovery_point_id": "a", "recovery_point_time": "2026-11-26T08:00:00Z"},
        {"recovery_point_id": "b", "recovery_point_time": "2026-11-26T09:00:00.1234567Z"},
        {"recovery_point_id": "c", "recovery_point_time": None},
        {"recovery_point_id": "d", "recovery_point_time": "2026-11-26T08:30:00.5Z"},
    ]
    assert [p["recovery_point_id"] for p in _shapes.newest_first(points)] == ["b", "d", "a", "c"]
    assert _shapes.newest_first([]) == []


# ------------------------------------------------------------------ policies


def test_normalize_policy_example():
    resource = example_body(POLICY_EXAMPLE)
    policy = _shapes.normalize_policy(resource)
    assert policy["policy_name"] == policy["name"] == "testPolicy1" and policy["id"] == resource["id"]
    assert policy["backup_management_type"] == "AzureIaasVM" and policy["time_zone"] == "Pacific Standard Time"
    assert policy["schedule_policy"] == {
        "schedule_policy_type": "SimpleSchedulePolicy",
        "schedule_run_frequency": "Daily",
        "schedule_run_times": ["2018-01-24T02:00:00Z"],
        "schedule_weekly_frequency": 0,
    }
    assert policy["retention_policy"]["daily_schedule"]["retention_duration"] == {"count": 1, "duration_type": "Days"}
    assert policy["protected_items_count"] == 0


def test_normalize_resource_keeps_property_bag_verbatim():
    shaped = _shapes.normalize_resource(
        {
            "id": "/x",
            "name": "x",
            "type": "t",
            "location": "westeurope",
            "properties": {"propertyBag": {"VM Name": "vm1", "backupSize": "1 MB"}, "someValue": 1},
        }
    )
    assert shaped == {
        "id": "/x",
        "name": "x",
        "type": "t",
        "location": "westeurope",
        "property_bag": {"VM Name": "vm1", "backupSize": "1 MB"},
        "some_value": 1,
    }
    assert _shapes.normalize_resource(None) == {"id": None, "name": None, "type": None}
