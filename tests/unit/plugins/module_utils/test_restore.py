# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils import _restore
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ValidationError
from ansible_collections.cloudops.azure_backup.plugins.module_utils._jobs import normalize_job

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import SUB, load_example

SOURCE_VM = (
    "/subscriptions/%s/resourceGroups/netsdktestrg/providers/Microsoft.Compute/virtualMachines/netvmtestv2vm1" % SUB
)
RP = "348916168024334"
REGION = "southeastasia"
RG = "/subscriptions/%s/resourceGroups" % SUB
SA_ID = RG + "/testRg/providers/Microsoft.Storage/storageAccounts/testingAccount"
VNET_ID = RG + "/testRg/providers/Microsoft.Network/virtualNetworks/testNet"

OPTIONS = (
    "restore_type",
    "staging_storage_account",
    "target_resource_group",
    "target_vm_name",
    "target_virtual_network",
    "target_subnet",
    "zones",
    "disk_luns",
    "restore_with_managed_disks",
)


def params(**given):
    base = dict((name, None) for name in OPTIONS)
    base.update(given)
    return base


def request(**given):
    return _restore.restore_request(params(**given), SOURCE_VM, RP, REGION, SUB)["properties"]


def common(recovery_type, storage_account_id):
    return {
        "objectType": "IaasVMRestoreRequest",
        "recoveryPointId": RP,
        "recoveryType": recovery_type,
        "sourceResourceId": SOURCE_VM,
        "region": REGION,
        "storageAccountId": storage_account_id,
        "createNewCloudService": False,
        "originalStorageAccountOption": False,
        "encryptionDetails": {"encryptionEnabled": False},
    }


# ------------------------------------------------------------------ bodies


def test_restore_disks_minimal_resolves_the_account_in_the_vm_group():
    body = _restore.restore_request(
        params(restore_type="restore_disks", staging_storage_account="stagingsa"), SOURCE_VM, RP, REGION, SUB
    )
    assert body == {
        "properties": common("RestoreDisks", RG + "/netsdktestrg/providers/Microsoft.Storage/storageAccounts/stagingsa")
    }


def test_restore_disks_with_target_group_zones_luns_managed_disks():
    assert request(
        restore_type="restore_disks",
        staging_storage_account="stagingsa",
        target_resource_group="rg-restore",
        zones=[1, "2"],
        disk_luns=[0, 2],
        restore_with_managed_disks=False,
    ) == dict(
        common("RestoreDisks", RG + "/rg-restore/providers/Microsoft.Storage/storageAccounts/stagingsa"),
        targetResourceGroupId=RG + "/rg-restore",
        zones=["1", "2"],
        restoreDiskLunList=[0, 2],
        restoreWithManagedDisks=False,
    )


def test_restore_disks_with_arm_ids():
    assert request(
        restore_type="restore_disks", staging_storage_account=SA_ID, target_resource_group=RG + "/rg-restore"
    ) == dict(common("RestoreDisks", SA_ID), targetResourceGroupId=RG + "/rg-restore")


def test_alternate_location_with_names():
    assert request(
        restore_type="alternate_location",
        staging_storage_account="stagingsa",
        target_resource_group="netsdktestrg2",
        target_vm_name="RSMDALRVM981435",
        target_virtual_network="testNet",
        target_subnet="default",
        restore_with_managed_disks=True,
        zones=[3],
    ) == dict(
        common("AlternateLocation", RG + "/netsdktestrg2/providers/Microsoft.Storage/storageAccounts/stagingsa"),
        targetResourceGroupId=RG + "/netsdktestrg2",
        targetVirtualMachineId=RG + "/netsdktestrg2/providers/Microsoft.Compute/virtualMachines/RSMDALRVM981435",
        virtualNetworkId=RG + "/netsdktestrg2/providers/Microsoft.Network/virtualNetworks/testNet",
        subnetId=RG + "/netsdktestrg2/providers/Microsoft.Network/virtualNetworks/testNet/subnets/default",
        restoreWithManagedDisks=True,
        zones=["3"],
    )


def test_alternate_location_matches_the_azure_example():
    example = load_example("2026-10-01/AzureIaasVm/TriggerRestore_ALR_IaasVMRestoreRequest.json")["parameters"][
        "parameters"
    ]["properties"]
    body = request(
        restore_type="alternate_location",
        staging_storage_account=example["storageAccountId"],
        target_resource_group="netsdktestrg2",
        target_vm_name="RSMDALRVM981435",
        target_virtual_network=example["virtualNetworkId"],
        target_subnet=example["subnetId"],
    )
    assert body["targetVirtualMachineId"].lower() == example["targetVirtualMachineId"].lower()
    expected = dict(
        (key, value) for key, value in example.items() if key not in ("identityInfo", "targetVirtualMachineId")
    )
    assert dict((key, value) for key, value in body.items() if key != "targetVirtualMachineId") == expected


def test_alternate_location_subnet_name_in_a_vnet_given_by_id():
    body = request(
        restore_type="alternate_location",
        staging_storage_account="stsa",
        target_resource_group="rg2",
        target_vm_name="vm2",
        target_virtual_network=VNET_ID,
        target_subnet="back-end",
    )
    assert body["virtualNetworkId"] == VNET_ID and body["subnetId"] == VNET_ID + "/subnets/back-end"


def test_original_location():
    assert request(restore_type="original_location", staging_storage_account="stagingsa", disk_luns=[1]) == dict(
        common("OriginalLocation", RG + "/netsdktestrg/providers/Microsoft.Storage/storageAccounts/stagingsa"),
        restoreDiskLunList=[1],
    )


def test_restore_does_not_modify_the_params():
    given = params(restore_type="restore_disks", staging_storage_account="stsa", zones=[1])
    before = dict(given)
    _restore.restore_request(given, SOURCE_VM, RP, REGION, SUB)
    assert given == before


# ------------------------------------------------------------------ option checks


@pytest.mark.parametrize(
    "restore_type,given,first_missing",
    [
        ("restore_disks", {}, "staging_storage_account"),
        ("original_location", {}, "staging_storage_account"),
        ("alternate_location", {}, "staging_storage_account"),
        ("alternate_location", dict(staging_storage_account="stsa"), "target_resource_group"),
        ("alternate_location", dict(staging_storage_account="stsa", target_resource_group="rg"), "target_vm_name"),
        (
            "alternate_location",
            dict(staging_storage_account="stsa", target_resource_group="rg", target_vm_name="vm"),
            "target_virtual_network",
        ),
        (
            "alternate_location",
            dict(
                staging_storage_account="stsa",
                target_resource_group="rg",
                target_vm_name="vm",
                target_virtual_network="n",
            ),
            "target_subnet",
        ),
    ],
)
def test_missing_required_options(restore_type, given, first_missing):
    with pytest.raises(ValidationError) as exc:
        request(restore_type=restore_type, **given)
    assert exc.value.option == first_missing
    assert exc.value.msg.startswith("restore_type=%s needs %s" % (restore_type, first_missing))


@pytest.mark.parametrize(
    "restore_type,given,option",
    [
        ("restore_disks", dict(target_vm_name="vm"), "target_vm_name"),
        ("restore_disks", dict(target_subnet="s", target_virtual_network="n"), "target_subnet"),
        ("original_location", dict(target_resource_group="rg"), "target_resource_group"),
        ("original_location", dict(zones=[1]), "zones"),
        (
            "alternate_location",
            dict(
                target_resource_group="rg",
                target_vm_name="vm",
                target_virtual_network="n",
                target_subnet="s",
                disk_luns=[0],
            ),
            "disk_luns",
        ),
    ],
)
def test_options_a_type_cannot_take(restore_type, given, option):
    with pytest.raises(ValidationError) as exc:
        request(restore_type=restore_type, staging_storage_account="stsa", **given)
    assert exc.value.option == option
    assert ("restore_type=%s does not take" % restore_type) in exc.value.msg and option in exc.value.msg


def test_negative_lun():
    for luns in ([0, -1], [64]):
        with pytest.raises(
            ValidationError, match="disk_luns: a LUN is a whole number from 0 to 63, got -?6?[14]"
        ) as exc:
            request(restore_type="restore_disks", staging_storage_account="stsa", disk_luns=luns)
        assert exc.value.option == "disk_luns"


@pytest.mark.parametrize(
    "given,option",
    [
        (dict(zones=["4"]), "zones"),
        (dict(region="west/europe"), "region"),
        (dict(region="westeurope?x=1"), "region"),
        (dict(target_resource_group="rg/../prod"), "target_resource_group"),
        (dict(staging_storage_account="st-backup"), "staging_storage_account"),
    ],
)
def test_restore_disks_values_azure_would_refuse(given, option):
    with pytest.raises(ValidationError) as exc:
        request(**dict(dict(restore_type="restore_disks", staging_storage_account="stsa"), **given))
    assert exc.value.option == option and exc.value.msg.startswith(option + ": ")


@pytest.mark.parametrize(
    "given,option,form",
    [
        (dict(staging_storage_account=VNET_ID), "staging_storage_account", "Microsoft.Storage/storageAccounts/<name>"),
        (dict(staging_storage_account="rg/sa"), "staging_storage_account", "storage account name"),
        (
            dict(target_resource_group="/subscriptions/%s" % SUB),
            "target_resource_group",
            "/subscriptions/<subscription>/resourceGroups/<name>",
        ),
        (dict(target_resource_group="/subscriptions/x/resourceGroup/rg"), "target_resource_group", "subscription id"),
        (
            dict(target_resource_group="/subscriptions/%s/resourceGroup/rg" % SUB),
            "target_resource_group",
            "/subscriptions/<subscription>/resourceGroups/<name>",
        ),
        (
            dict(target_resource_group="/subscriptions/99999999-0000-0000-0000-000000000000/resourceGroups/rg"),
            "target_resource_group",
            "this task acts on subscription",
        ),
        (dict(target_virtual_network=SA_ID), "target_virtual_network", "Microsoft.Network/virtualNetworks/<name>"),
        (dict(target_subnet=VNET_ID), "target_subnet", "/subnets/<name>, or a name"),
        (dict(target_subnet="testNet/default"), "target_subnet", "subnet name"),
    ],
)
def test_bad_arm_ids_name_the_expected_form(given, option, form):
    options = dict(
        restore_type="alternate_location",
        staging_storage_account="stsa",
        target_resource_group="rg",
        target_vm_name="vm",
        target_virtual_network="net",
        target_subnet="default",
    )
    options.update(given)
    with pytest.raises(ValidationError) as exc:
        request(**options)
    assert exc.value.option == option
    assert exc.value.msg.startswith(option + ": ") and form in exc.value.msg
    assert "'%s'" % given[option] in exc.value.msg


def test_bare_vnet_name_needs_a_resource_group():
    with pytest.raises(ValidationError) as exc:
        _ids.parse_resource(
            "net", "target_virtual_network", "Microsoft.Network", "virtualNetworks", SUB, None, "target_resource_group"
        )
    assert exc.value.option == "target_virtual_network" and "needs target_resource_group" in exc.value.msg


def test_ids_are_accepted_in_any_casing():
    odd = SA_ID.replace("/subscriptions/", "/Subscriptions/").replace("resourceGroups", "resourcegroups")
    odd = odd.replace("Microsoft.Storage", "microsoft.storage")
    # fixed segments are spelled Azure's way, names are kept as given
    assert _ids.parse_resource(odd, "x", "Microsoft.Storage", "storageAccounts", SUB, None, "g").id == SA_ID
    assert _ids.parse_resource_group("/Subscriptions/%s/ResourceGroups/rg-A" % SUB, "x", SUB).id == RG + "/rg-A"


# ------------------------------------------------------------------ restored resources


def restore_job(bag):
    resource = load_example("2025-08-01/Common/GetJobDetails.json")["responses"]["200"]["body"]
    resource["properties"]["operation"] = "Restore"
    resource["properties"]["extendedInfo"]["propertyBag"] = bag
    return normalize_job(resource)


def test_restored_resources_from_the_property_bag():
    job = restore_job(
        {
            "Job Type": "Recover disks",
            " target resource group ": "rg-restore",
            "TARGET STORAGE ACCOUNT NAME": "stagingsa",
            "Config Blob Container Name": "vm1-abc",
            "Config Blob Name": "config-vm1.json",
            "Config Blob Uri": "https://stagingsa.blob.core.windows.net/vm1-abc/config-vm1.json",
            "Template Blob Uri": "https://stagingsa.blob.core.windows.net/vm1-abc/azuredeploy.json",
            "Restored Disks": "2",
            "Recovery point time": "11/26/2026 8:30:00 AM",
            "Something else": "ignored",
        }
    )
    assert _restore.restored_resources(job) == {
        "job_type": "Recover disks",
        "target_resource_group": "rg-restore",
        "target_vm_name": None,
        "target_storage_account": "stagingsa",
        "config_blob_container": "vm1-abc",
        "config_blob_name": "config-vm1.json",
        "config_blob_uri": "https://stagingsa.blob.core.windows.net/vm1-abc/config-vm1.json",
        "template_blob_uri": "https://stagingsa.blob.core.windows.net/vm1-abc/azuredeploy.json",
        "restored_disks": "2",
        "recovery_point_time": "11/26/2026 8:30:00 AM",
    }


def test_restored_resources_without_a_bag():
    empty = dict((name, None) for name, dummy in _restore.RESTORED_KEYS)
    assert _restore.restored_resources(None) == empty
    assert _restore.restored_resources({}) == empty
    assert _restore.restored_resources(restore_job({"Target VM Name": "vm2"}))["target_vm_name"] == "vm2"


# ------------------------------------------------------------------ subnet ids


def vnet():
    return _ids.parse_resource_id(VNET_ID, "target_virtual_network", "Microsoft.Network", "virtualNetworks")


def test_subnet_name_joins_the_vnet():
    assert _ids.parse_subnet("default", "target_subnet", vnet()).id == VNET_ID + "/subnets/default"


def test_subnet_id_of_the_vnet_in_other_casing_is_kept():
    subnet = VNET_ID.replace("/subscriptions/", "/Subscriptions/").replace("testNet", "TESTNET") + "/subnets/default"
    assert _ids.parse_subnet(subnet, "target_subnet", vnet()).id.lower() == subnet.lower()


@pytest.mark.parametrize(
    "other",
    [
        RG + "/testRg/providers/Microsoft.Network/virtualNetworks/otherNet/subnets/default",
        RG + "/otherRg/providers/Microsoft.Network/virtualNetworks/testNet/subnets/default",
        RG
        + "/testRg/providers/Microsoft.Network/virtualNetworks/testNet2/subnets/default",  # a vnet whose name only starts alike
    ],
)
def test_subnet_id_of_another_vnet_is_refused(other):
    with pytest.raises(ValidationError) as exc:
        _ids.parse_subnet(other, "target_subnet", vnet())
    assert exc.value.option == "target_subnet"
    assert exc.value.msg == "target_subnet: the subnet %s is not in the virtual network %s" % (other, VNET_ID)


def test_restore_request_refuses_a_subnet_of_another_vnet():
    other = RG + "/testRg/providers/Microsoft.Network/virtualNetworks/otherNet/subnets/default"
    with pytest.raises(ValidationError) as exc:
        request(
            restore_type="alternate_location",
            staging_storage_account="stsa",
            target_resource_group="rg2",
            target_vm_name="vm2",
            target_virtual_network=VNET_ID,
            target_subnet=other,
        )
    assert exc.value.option == "target_subnet"
