"""Phase 2: policies, recovery points, restore, job cancel, refreshContainers, protect / stop /
delete (vault-level polling)."""

import pytest

from conftest import SUB, VAULT, item_path

POLICY_ID = VAULT + "/backupPolicies/DefaultPolicy"
VM_ID = "/subscriptions/%s/resourceGroups/rg-workloads/providers/Microsoft.Compute/virtualMachines/%s"
STORAGE = (
    "/subscriptions/%s/resourceGroups/rg-backup-demo/providers/Microsoft.Storage/storageAccounts/stbackupstaging" % SUB
)


def _job(client, job_id):
    return client.get(VAULT + "/backupJobs/" + job_id).json()["properties"]


def test_policies_list_and_get(client):
    body = client.get(VAULT + "/backupPolicies", params={"$filter": "backupManagementType eq 'AzureIaasVM'"}).json()
    names = [p["name"] for p in body["value"]]
    assert names == ["DefaultPolicy", "EnhancedPolicy"]
    default = client.get(VAULT + "/backupPolicies/DefaultPolicy").json()
    props = default["properties"]
    assert default["type"] == "Microsoft.RecoveryServices/vaults/backupPolicies"
    assert props["backupManagementType"] == "AzureIaasVM"
    assert props["protectedItemsCount"] == 5
    assert props["schedulePolicy"]["schedulePolicyType"] == "SimpleSchedulePolicy"
    assert props["retentionPolicy"]["retentionPolicyType"] == "LongTermRetentionPolicy"
    enhanced = client.get(VAULT + "/backupPolicies/enhancedpolicy").json()["properties"]
    assert enhanced["policyType"] == "V2"
    assert client.get(VAULT + "/backupPolicies/Nope").status_code == 404


def test_recovery_points_seeded_with_tiers(client):
    body = client.get(item_path("vm-web-01") + "/recoveryPoints").json()
    points = body["value"]
    assert len(points) == 5 and body["nextLink"] is None
    times = [p["properties"]["recoveryPointTime"] for p in points]
    assert times == sorted(times, reverse=True)
    newest, oldest = points[0]["properties"], points[-1]["properties"]
    assert newest["objectType"] == "IaasVMRecoveryPoint"
    assert [t["type"] for t in newest["recoveryPointTierDetails"]] == ["InstantRP", "HardenedRP"]
    assert [t["type"] for t in oldest["recoveryPointTierDetails"]] == ["HardenedRP"]
    one = client.get(item_path("vm-web-01") + "/recoveryPoints/" + points[2]["name"])
    assert one.status_code == 200 and one.json()["id"] == points[2]["id"]
    assert client.get(item_path("vm-web-01") + "/recoveryPoints/123").status_code == 404
    # vm-fail-01's last backup failed: 4 points
    assert len(client.get(item_path("vm-fail-01") + "/recoveryPoints").json()["value"]) == 4


def _restore_body(rp_id, recovery_type="RestoreDisks", vm="vm-web-01", **extra):
    props = {
        "objectType": "IaasVMRestoreRequest",
        "recoveryPointId": rp_id,
        "recoveryType": recovery_type,
        "sourceResourceId": VM_ID % (SUB, vm),
        "storageAccountId": STORAGE,
        "region": "westeurope",
        "createNewCloudService": False,
        "originalStorageAccountOption": False,
        "encryptionDetails": {"encryptionEnabled": False},
    }
    props.update(extra)
    return {"properties": props}


def test_restore_disks_job_names_restored_resources(client):
    rp_id = client.get(item_path("vm-db-01") + "/recoveryPoints").json()["value"][0]["name"]
    resp = client.post(
        item_path("vm-db-01") + "/recoveryPoints/%s/restore" % rp_id, json=_restore_body(rp_id, vm="vm-db-01")
    )
    assert resp.status_code == 202
    assert "/operationsStatus/" in resp.headers["Azure-AsyncOperation"]
    assert "/operationResults/" in resp.headers["Location"]
    job_id = client.job_id_of(resp)
    props = _job(client, job_id)
    assert props["operation"] == "Restore" and props["status"] == "InProgress"
    assert props["actionsInfo"] == ["Cancellable"]
    client.advance(2000)
    props = _job(client, job_id)
    assert props["status"] == "Completed"
    bag = props["extendedInfo"]["propertyBag"]
    assert bag["Job Type"] == "Recover disks"
    assert bag["Target Storage Account Name"] == "stbackupstaging"
    assert bag["Config Blob Uri"].startswith("https://stbackupstaging.blob.core.windows.net/")
    assert "vm-db-01-osdisk-" in bag["Restored disks"]


def test_restore_alternate_location_creates_vm(client):
    rp_id = client.get(item_path("vm-web-02") + "/recoveryPoints").json()["value"][0]["name"]
    body = _restore_body(
        rp_id,
        "AlternateLocation",
        vm="vm-web-02",
        targetResourceGroupId="/subscriptions/%s/resourceGroups/rg-restore" % SUB,
        targetVirtualMachineId=VM_ID.replace("rg-workloads", "rg-restore") % (SUB, "vm-web-02-restored"),
        virtualNetworkId="/subscriptions/%s/resourceGroups/rg-net/providers/Microsoft.Network/"
        "virtualNetworks/vnet1" % SUB,
        subnetId="/subscriptions/%s/resourceGroups/rg-net/providers/Microsoft.Network/"
        "virtualNetworks/vnet1/subnets/default" % SUB,
    )
    resp = client.post(item_path("vm-web-02") + "/recoveryPoints/%s/restore" % rp_id, json=body)
    assert resp.status_code == 202, resp.text
    job_id = client.job_id_of(resp)
    client.advance(2000)
    props = _job(client, job_id)
    assert props["status"] == "Completed"
    assert props["extendedInfo"]["propertyBag"]["Target VM Name"] == "vm-web-02-restored"
    assert "vm-web-02-restored" in client.control("GET", "/state")["vms"]


@pytest.mark.parametrize(
    "change",
    [
        {"objectType": "Nope"},
        {"recoveryType": "Offline"},
        {"storageAccountId": None},
        {"region": None},
        {"region": "eastus"},
        {"sourceResourceId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z"},
        {"recoveryPointId": "999"},
        {"storageAccountId": "not-an-id"},
        {"recoveryType": "AlternateLocation"},  # lacks target VM / RG / vnet / subnet
    ],
)
def test_restore_input_is_validated(client, change):
    rp_id = client.get(item_path("vm-web-01") + "/recoveryPoints").json()["value"][0]["name"]
    body = _restore_body(rp_id)
    body["properties"].update(change)
    body["properties"] = {k: v for k, v in body["properties"].items() if v is not None}
    resp = client.post(item_path("vm-web-01") + "/recoveryPoints/%s/restore" % rp_id, json=body)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BMSUserErrorInvalidInput"


def test_cancel_backup_during_snapshot(client):
    job_id = client.job_id_of(client.trigger("vm-web-01"))
    resp = client.post(VAULT + "/backupJobs/%s/cancel" % job_id)
    assert resp.status_code == 202
    assert "Azure-AsyncOperation" not in resp.headers
    location = resp.headers["Location"]
    assert "/backupJobs/%s/operationResults/" % job_id in location
    assert _job(client, job_id)["status"] == "Cancelling"
    assert client.get(location, api=None).status_code == 202
    client.advance(60)
    assert client.get(location, api=None).status_code == 204
    props = _job(client, job_id)
    assert props["status"] == "Cancelled" and "endTime" in props
    assert props["extendedInfo"]["tasksList"][0]["status"] == "Cancelled"
    again = client.post(VAULT + "/backupJobs/%s/cancel" % job_id)
    assert again.status_code == 400
    # the item is unchanged and can be backed up again
    assert client.trigger("vm-web-01").status_code == 202


def test_cancel_refused_during_transfer(client):
    job_id = client.job_id_of(client.trigger("vm-web-01"))
    client.advance(500)
    resp = client.post(VAULT + "/backupJobs/%s/cancel" % job_id)
    assert resp.status_code == 400
    assert "Transfer data to vault" in resp.json()["error"]["message"]
    assert client.post(VAULT + "/backupJobs/00000000-0000-0000-0000-00000000abcd/cancel").status_code == 404


def test_refresh_containers_discovers_vm_then_protect(client):
    def protectable():
        body = client.get(
            VAULT + "/backupProtectableItems", params={"$filter": "backupManagementType eq 'AzureIaasVM'"}
        ).json()
        return [i["properties"]["friendlyName"] for i in body["value"]]

    assert protectable() == ["vm-app-01"]
    put_body = {
        "properties": {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "sourceResourceId": VM_ID % (SUB, "vm-new-01"),
            "policyId": POLICY_ID,
        }
    }
    early = client.request("PUT", item_path("vm-new-01"), json=put_body)
    assert early.status_code == 400
    assert early.json()["error"]["code"] == "BMSUserErrorInvalidConfigureProtectionRequest"

    resp = client.post(
        VAULT + "/backupFabrics/Azure/refreshContainers", params={"$filter": "backupManagementType eq 'AzureIaasVM'"}
    )
    assert resp.status_code == 202
    location = resp.headers["Location"]
    assert "/backupFabrics/Azure/operationResults/" in location
    assert client.get(location, api=None).status_code == 202
    op_id = location.split("/operationResults/")[1].split("?")[0]
    status = client.get(VAULT + "/backupFabrics/Azure/operationsStatus/" + op_id).json()
    assert status["status"] == "InProgress"
    client.advance(60)
    assert client.get(location, api=None).status_code == 204
    assert client.get(VAULT + "/backupFabrics/Azure/operationsStatus/" + op_id).json()["status"] == "Succeeded"
    assert protectable() == ["vm-app-01", "vm-new-01"]

    resp = client.request("PUT", item_path("vm-new-01"), json=put_body)
    assert resp.status_code == 202
    result = client.get(resp.headers["Location"], api=None)
    assert result.status_code == 202
    job_id = client.job_id_of(resp)
    assert _job(client, job_id)["operation"] == "ConfigureBackup"
    final = client.get(resp.headers["Location"], api=None)
    assert final.status_code == 200
    assert final.json()["properties"]["protectionState"] == "IRPending"
    client.advance(120)
    assert _job(client, job_id)["status"] == "Completed"
    assert protectable() == ["vm-app-01"]
    # first backup moves it to Protected
    client.job_id_of(client.trigger("vm-new-01"))
    client.advance(2000)
    item = client.get(item_path("vm-new-01")).json()["properties"]
    assert item["protectionState"] == "Protected" and item["lastBackupStatus"] == "Completed"


@pytest.mark.parametrize(
    "props",
    [
        {"protectedItemType": "Microsoft.ClassicCompute/virtualMachines"},
        {"sourceResourceId": "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z"},
        {"policyId": None},
        {"policyId": VAULT + "/backupPolicies/Nope"},
    ],
)
def test_configure_protection_input_is_validated(client, props):
    body = {
        "protectedItemType": "Microsoft.Compute/virtualMachines",
        "sourceResourceId": VM_ID % (SUB, "vm-app-01"),
        "policyId": POLICY_ID,
    }
    body.update(props)
    body = {k: v for k, v in body.items() if v is not None}
    resp = client.request("PUT", item_path("vm-app-01"), json={"properties": body})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BMSUserErrorInvalidConfigureProtectionRequest"


def test_stop_protection_keeps_data_and_resume(client):
    stop = {
        "properties": {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "sourceResourceId": VM_ID % (SUB, "vm-web-02"),
            "protectionState": "ProtectionStopped",
        }
    }
    resp = client.request("PUT", item_path("vm-web-02"), json=stop)
    assert resp.status_code == 202
    job_id = client.job_id_of(resp)
    assert _job(client, job_id)["operation"] == "DisableBackup"
    item = client.get(item_path("vm-web-02")).json()["properties"]
    assert item["protectionState"] == "ProtectionStopped"
    assert len(client.get(item_path("vm-web-02") + "/recoveryPoints").json()["value"]) == 5
    refused = client.trigger("vm-web-02")
    assert refused.status_code == 400
    resume = {
        "properties": {
            "protectedItemType": "Microsoft.Compute/virtualMachines",
            "sourceResourceId": VM_ID % (SUB, "vm-web-02"),
            "policyId": VAULT + "/backupPolicies/EnhancedPolicy",
        }
    }
    resp = client.request("PUT", item_path("vm-web-02"), json=resume)
    client.job_id_of(resp)
    item = client.get(item_path("vm-web-02")).json()["properties"]
    assert item["protectionState"] == "Protected"
    assert item["policyName"] == "EnhancedPolicy"


def test_delete_protection_uses_vault_level_polling_and_soft_delete(client):
    resp = client.request("DELETE", item_path("vm-web-01"))
    assert resp.status_code == 202
    assert "/backupOperations/" in resp.headers["Azure-AsyncOperation"]
    assert "/backupOperationResults/" in resp.headers["Location"]
    status = client.get(resp.headers["Azure-AsyncOperation"], api=None).json()
    assert status["status"] == "InProgress"
    assert client.get(resp.headers["Location"], api=None).status_code == 202
    job_id = client.job_id_of(resp)
    assert _job(client, job_id)["operation"] == "DeleteBackupData"
    assert client.get(resp.headers["Location"], api=None).status_code == 204
    item = client.get(item_path("vm-web-01")).json()["properties"]
    assert item["isScheduledForDeferredDelete"] is True
    assert item["protectionState"] == "ProtectionStopped"
    assert item["deferredDeleteTimeInUTC"]
    assert client.trigger("vm-web-01").status_code == 400
    assert client.request("DELETE", item_path("vm-web-01")).status_code == 204
    policy = client.get(VAULT + "/backupPolicies/DefaultPolicy").json()["properties"]
    assert policy["protectedItemsCount"] == 4


def test_export_jobs(client):
    resp = client.post(VAULT + "/backupJobsExport", params={"$filter": "status eq 'Failed'"})
    assert resp.status_code == 202
    location = resp.headers["Location"]
    assert "/backupJobs/operationResults/" in location
    running = client.get(location, api=None)
    assert running.status_code == 202
    assert running.json()["operation"] == {"objectType": "ExportJobsOperationResultInfo"}
    assert running.json()["headers"]["Location"] == [location]
    client.advance(60)
    done = client.get(location, api=None)
    assert done.status_code == 200
    info = done.json()["operation"]
    assert info["objectType"] == "ExportJobsOperationResultInfo"
    assert info["blobSasKey"].startswith("?sv=")
    blob = client.session.get(info["blobUrl"] + info["blobSasKey"]).json()
    assert [j["properties"]["entityFriendlyName"] for j in blob["value"]] == ["vm-fail-01"]
    csv_text = client.session.get(info["excelFileBlobUrl"]).text
    assert csv_text.splitlines()[0].startswith("name,entityFriendlyName")
    bad = client.post(VAULT + "/backupJobsExport", params={"$filter": "status eq"})
    assert bad.status_code == 400
