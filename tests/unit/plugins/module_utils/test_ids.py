# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _ids
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import ValidationError

from ansible_collections.cloudops.azure_backup.tests.unit.plugins.module_utils.fakes import example_body

SUB = "11111111-2222-3333-4444-555555555555"
GUID = "41f3e94b-ae6b-4a20-b422-65abfcaf03e5"
VAULT = "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.RecoveryServices/vaults/vault1" % SUB


def test_builders():
    assert _ids.PROVIDER == "Microsoft.RecoveryServices"
    assert _ids.vault_path(SUB, "rg1", "vault1") == VAULT
    assert _ids.iaasvm_container_name("vmrg", "vm1") == "IaasVMContainer;iaasvmcontainerv2;vmrg;vm1"
    assert _ids.iaasvm_item_name("vmrg", "vm1") == "VM;iaasvmcontainerv2;vmrg;vm1"
    item = _ids.item_path(VAULT, "IaasVMContainer;iaasvmcontainerv2;vmrg;vm1", "VM;iaasvmcontainerv2;vmrg;vm1")
    assert (
        item
        == VAULT
        + "/backupFabrics/Azure/protectionContainers/IaasVMContainer;iaasvmcontainerv2;vmrg;vm1/protectedItems/VM;iaasvmcontainerv2;vmrg;vm1"
    )
    assert _ids.recovery_point_path(item, "22244821112382") == item + "/recoveryPoints/22244821112382"
    assert _ids.job_path(VAULT, GUID) == VAULT + "/backupJobs/" + GUID
    assert _ids.jobs_path(VAULT) == VAULT + "/backupJobs"
    assert _ids.policy_path(VAULT, "DefaultPolicy") == VAULT + "/backupPolicies/DefaultPolicy"
    assert (
        _ids.vm_id(SUB, "vmrg", "vm1")
        == "/subscriptions/%s/resourceGroups/vmrg/providers/Microsoft.Compute/virtualMachines/vm1" % SUB
    )


def test_parse_job_ref_guid_and_ids():
    assert _ids.parse_job_ref(GUID) == _ids.JobRef(GUID, None, None, None)
    assert _ids.parse_job_ref("  %s " % GUID.upper()).job_id == GUID.upper()
    ref = _ids.parse_job_ref(VAULT + "/backupJobs/" + GUID)
    assert ref == (GUID, SUB, "rg1", "vault1")
    # the casing Azure uses in bodies, and any other casing of the fixed segments
    job_id = example_body("2025-08-01/Common/GetJobDetails.json")["id"]
    assert job_id.startswith("/Subscriptions/")
    assert _ids.parse_job_ref(job_id).vault_name == "NetSDKTestRsVault"
    odd = "/SUBSCRIPTIONS/%s/resourcegroups/rg1/PROVIDERS/microsoft.recoveryservices/Vaults/vault1/BackupJobs/%s" % (
        SUB,
        GUID,
    )
    assert _ids.parse_job_ref(odd) == (GUID, SUB, "rg1", "vault1")


@pytest.mark.parametrize(
    "bad",
    [
        "not-a-guid",
        "",
        None,
        42,
        GUID + "x",
        VAULT + "/backupJobs/not-a-guid",
        VAULT + "/backupJobs/" + GUID + "/extra",
        "/subscriptions/%s/resourceGroups/rg1/providers/Microsoft.Compute/vaults/v/backupJobs/%s" % (SUB, GUID),
    ],
)
def test_parse_job_ref_rejects(bad):
    with pytest.raises(ValidationError) as err:
        _ids.parse_job_ref(bad)
    assert err.value.option == "job_ids"
    assert "job GUID" in err.value.msg and "/backupJobs/{job_guid}" in err.value.msg


def test_parse_vm_and_vault_and_item_ids():
    vm = "/subscriptions/%s/resourceGroups/vmrg/providers/Microsoft.Compute/virtualMachines/vm1" % SUB
    assert _ids.parse_vm_id(vm) == (SUB, "vmrg", "vm1")
    assert _ids.parse_vm_id(
        vm.replace("Microsoft.Compute", "microsoft.compute").replace("subscriptions", "Subscriptions")
    ) == (SUB, "vmrg", "vm1")
    with pytest.raises(ValidationError) as err:
        _ids.parse_vm_id("/subscriptions/x/resourceGroups/y/providers/Microsoft.Network/virtualNetworks/z")
    assert err.value.option == "vm_id"
    assert _ids.parse_vault_id(VAULT) == dict(subscription_id=SUB, resource_group="rg1", vault_name="vault1")
    item = example_body("2026-01-01/AzureIaasVm/ProtectedItemOperationResults.json")["id"]
    parsed = _ids.parse_item_id(item)
    assert parsed == dict(
        subscription_id="00000000-0000-0000-0000-000000000000",
        resource_group="PythonSDKBackupTestRg",
        vault_name="PySDKBackupTestRsVault",
        container_name="IaasVMContainer;iaasvmcontainerv2;netsdktestrg;netvmtestv2vm1",
        item_name="VM;iaasvmcontainerv2;netsdktestrg;netvmtestv2vm1",
    )
    rp = _ids.parse_recovery_point_id(item + "/recoveryPoints/123")
    assert rp["recovery_point_id"] == "123" and rp["item_name"] == parsed["item_name"]
    with pytest.raises(ValidationError):
        _ids.parse_item_id(VAULT)
    assert _ids.parse_policy_id(VAULT + "/backupPolicies/p1")["policy_name"] == "p1"


def test_iaasvm_names_case_insensitive():
    assert _ids.parse_iaasvm_name("IaasVMContainer;iaasvmcontainerv2;RG;vm1") == ("RG", "vm1")
    assert _ids.parse_iaasvm_name("iaasvmcontainer;IAASVMCONTAINERV2;rg;vm1") == ("rg", "vm1")
    assert _ids.parse_iaasvm_name("vm;iaasvmcontainerv2;rg;vm1") == ("rg", "vm1")
    assert _ids.parse_iaasvm_name("iaasvmcontainerv2;rg;vm1") == ("rg", "vm1")
    assert _ids.parse_iaasvm_name("SQLDataBase;mssqlserver;db") is None
    assert _ids.same_name("VM;iaasvmcontainerv2;RG;VM1", "vm;IaasVMContainerV2;rg;vm1")
