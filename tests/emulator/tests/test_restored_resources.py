"""What a restore creates, as ARM resources: managed disks, the restored VM and its NIC, the staging container;
their GET shapes, DELETE (Compute/Network async operations on the emulated clock, Storage at once), conflicts,
the resource group listing, api-versions, faults and throttling on the new operations, the control endpoint."""

import pytest
import requests

from conftest import SUB, item_path

RG = "/subscriptions/%s/resourceGroups/%%s" % SUB
COMPUTE = RG + "/providers/Microsoft.Compute/%s/%s"
NIC = RG + "/providers/Microsoft.Network/networkInterfaces/%s"
STORAGE_RG = "rg-backup-demo"
ACCOUNT = "stbackupstaging"
STORAGE = RG % STORAGE_RG + "/providers/Microsoft.Storage/storageAccounts/" + ACCOUNT
CONTAINER = STORAGE + "/blobServices/default/containers/%s"
SUBNET = RG % "rg-net" + "/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/default"
VNET = RG % "rg-net" + "/providers/Microsoft.Network/virtualNetworks/vnet1"

# What the collection's DR-drill code sends (plugins/module_utils/_resources.py): every one is served.
VERSIONS = {
    "virtualMachines": "2024-07-01",
    "disks": "2024-03-02",
    "networkInterfaces": "2024-05-01",
    "containers": "2023-05-01",
    "resources": "2021-04-01",
}


@pytest.fixture
def load(client):
    """Load a scenario document (merged over the default) for one test; the default is back afterwards."""

    def loader(document):
        return client.control("POST", "/scenario", document)

    yield loader
    client.control("POST", "/scenario", {})


def _disk(rg, name):
    return COMPUTE % (rg, "disks", name)


def _vm(rg, name):
    return COMPUTE % (rg, "virtualMachines", name)


def _get(client, path, kind, **kw):
    return client.get(path, api=VERSIONS[kind], **kw)


def _delete(client, path, kind, **kw):
    return client.request("DELETE", path, api=VERSIONS[kind], **kw)


def _restore(client, vm, recovery_type="RestoreDisks", **extra):
    """Trigger a restore of ``vm``'s newest recovery point; the Restore job's id."""
    points = client.get(item_path(vm) + "/recoveryPoints").json()
    assert "value" in points, points
    rp_id = points["value"][0]["name"]
    props = {
        "objectType": "IaasVMRestoreRequest",
        "recoveryPointId": rp_id,
        "recoveryType": recovery_type,
        "sourceResourceId": COMPUTE % ("rg-workloads", "virtualMachines", vm),
        "storageAccountId": STORAGE,
        "region": "westeurope",
    }
    if recovery_type == "AlternateLocation":
        props.update(
            targetResourceGroupId=RG % extra.get("rg", "rg-drill"),
            targetVirtualMachineId=_vm(extra.get("rg", "rg-drill"), extra.get("target", vm + "-drill")),
            virtualNetworkId=VNET,
            subnetId=SUBNET,
        )
    elif extra.get("rg"):
        props["targetResourceGroupId"] = RG % extra["rg"]
    resp = client.post(item_path(vm) + "/recoveryPoints/%s/restore" % rp_id, json={"properties": props})
    assert resp.status_code == 202, resp.text
    return client.job_id_of(resp)


def _job(client, job_id):
    from conftest import VAULT

    return client.get(VAULT + "/backupJobs/" + job_id).json()["properties"]


def _finish(client, job_id):
    client.advance(2000)  # a restore takes 20-30 min
    props = _job(client, job_id)
    assert props["status"] == "Completed", props
    return props["extendedInfo"]["propertyBag"]


def _alternate(client, vm="vm-web-02", target="vm-web-02-drill", rg="rg-drill"):
    job_id = _restore(client, vm, "AlternateLocation", target=target, rg=rg)
    return job_id, _finish(client, job_id)


def _not_found_message(kind, name, rg):
    return (
        "The Resource '%s/%s' under resource group '%s' was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix" % (kind, name, rg)
    )


# --- creation per restore type -------------------------------------------------------------------


def test_restore_disks_creates_managed_disks_and_the_staging_container(client):
    job_id = _restore(client, "vm-db-01", rg="rg-restore")
    bag = _job(client, job_id)["extendedInfo"]["propertyBag"]
    assert "Restored disks" not in bag  # named once it completed
    assert client.control("GET", "/resources?job_id=" + job_id)["resources"] == []
    bag = _finish(client, job_id)
    names = bag["Restored disks"].split(", ")
    assert len(names) == 3  # vm-db-01: OS disk + two data disks
    assert names[0].startswith("vm-db-01-osdisk-")
    assert names[1].startswith("vm-db-01-datadisk-000-") and names[2].startswith("vm-db-01-datadisk-001-")
    assert bag["Target resource group"] == "rg-restore"

    sizes = []
    for index, name in enumerate(names):
        resp = _get(client, _disk("rg-restore", name), "disks")
        assert resp.status_code == 200, resp.text
        assert resp.headers["Content-Type"].startswith("application/json")
        body = resp.json()
        assert body["id"] == _disk("rg-restore", name) and body["name"] == name
        assert body["type"] == "Microsoft.Compute/disks" and body["location"] == "westeurope"
        assert body["sku"] == {"name": "Premium_LRS", "tier": "Premium"}
        assert "managedBy" not in body
        props = body["properties"]
        assert props["provisioningState"] == "Succeeded" and props["diskState"] == "Unattached"
        assert props["diskSizeBytes"] == props["diskSizeGB"] * 1024**3
        assert props["creationData"]["createOption"] == "Restore"
        assert ("osType" in props) == (index == 0)
        sizes.append(props["diskSizeGB"])
    assert sizes == [30, 128, 256]

    container = bag["Config Blob Container Name"]
    resp = _get(client, CONTAINER % container, "containers")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["name"] == container and body["id"] == CONTAINER % container
    assert body["type"] == "Microsoft.Storage/storageAccounts/blobServices/containers"
    assert body["properties"]["publicAccess"] == "None"

    created = client.control("GET", "/resources?job_id=" + job_id)["resources"]
    assert sorted(r["id"] for r in created) == sorted([_disk("rg-restore", n) for n in names] + [CONTAINER % container])
    assert {r["state"] for r in created} == {"Succeeded"}
    assert {r["recovery_type"] for r in created} == {"RestoreDisks"}


def test_restore_disks_lands_in_the_vms_group_without_a_target_group(client):
    job_id = _restore(client, "vm-web-01")
    bag = _finish(client, job_id)
    assert bag["Target resource group"] == "rg-workloads"
    names = bag["Restored disks"].split(", ")
    assert len(names) == 2  # default layout: OS disk + one 32 GB data disk
    data = _get(client, _disk("rg-workloads", names[1]), "disks").json()
    assert data["properties"]["diskSizeGB"] == 32 and "osType" not in data["properties"]


def test_alternate_location_creates_the_vm_its_disks_and_nic(client):
    job_id, bag = _alternate(client)
    assert bag["Target VM Name"] == "vm-web-02-drill"
    vm_id = _vm("rg-drill", "vm-web-02-drill")
    resp = _get(client, vm_id, "virtualMachines")
    assert resp.status_code == 200, resp.text
    vm = resp.json()
    assert vm["id"] == vm_id and vm["name"] == "vm-web-02-drill" and vm["location"] == "westeurope"
    assert vm["type"] == "Microsoft.Compute/virtualMachines"
    props = vm["properties"]
    assert props["provisioningState"] == "Succeeded"
    assert props["hardwareProfile"]["vmSize"] == "Standard_D2s_v3"
    assert "instanceView" not in props
    storage = props["storageProfile"]
    os_id = storage["osDisk"]["managedDisk"]["id"]
    data_ids = [d["managedDisk"]["id"] for d in storage["dataDisks"]]
    assert storage["osDisk"]["osType"] == "Linux" and len(data_ids) == 1
    assert [d["lun"] for d in storage["dataDisks"]] == [0]
    nic_id = props["networkProfile"]["networkInterfaces"][0]["id"]
    assert nic_id.startswith(RG % "rg-drill" + "/providers/Microsoft.Network/networkInterfaces/vm-web-02-drill-nic-")

    for disk_id in [os_id] + data_ids:
        disk = _get(client, disk_id, "disks").json()
        assert disk["managedBy"] == vm_id and disk["properties"]["diskState"] == "Attached"
        assert disk["id"].startswith(RG % "rg-drill" + "/providers/Microsoft.Compute/disks/vm-web-02-drill-")
    nic = _get(client, nic_id, "networkInterfaces").json()
    assert nic["type"] == "Microsoft.Network/networkInterfaces" and nic["id"] == nic_id
    config = nic["properties"]["ipConfigurations"][0]["properties"]
    assert config["subnet"]["id"] == SUBNET and config["privateIPAddress"].startswith("10.")
    assert nic["properties"]["virtualMachine"]["id"] == vm_id
    assert nic["properties"]["provisioningState"] == "Succeeded"

    view = _get(client, vm_id, "virtualMachines", params={"$expand": "instanceView"}).json()
    statuses = [s["code"] for s in view["properties"]["instanceView"]["statuses"]]
    assert statuses == ["ProvisioningState/succeeded", "PowerState/running"]

    container = bag["Config Blob Container Name"]
    assert _get(client, CONTAINER % container, "containers").status_code == 200
    assert "vm-web-02-drill" in client.control("GET", "/state")["vms"]  # as before: the VM joins the vault's VMs
    kinds = sorted(r["type"] for r in client.control("GET", "/resources?job_id=" + job_id)["resources"])
    assert kinds == [
        "Microsoft.Compute/disks",
        "Microsoft.Compute/disks",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Network/networkInterfaces",
        "Microsoft.Storage/storageAccounts/blobServices/containers",
    ]


def test_long_target_names_stay_within_azures_80_characters(client):
    target = "vm-" + "x" * 61  # a 64-character VM name
    _alternate(client, target=target)
    vm = _get(client, _vm("rg-drill", target), "virtualMachines").json()["properties"]
    names = [vm["storageProfile"]["osDisk"]["name"]] + [d["name"] for d in vm["storageProfile"]["dataDisks"]]
    names.append(vm["networkProfile"]["networkInterfaces"][0]["id"].rsplit("/", 1)[1])
    assert all(len(n) <= 80 and n.startswith("vm-xxx") for n in names), names


def test_original_location_creates_nothing(client):
    job_id = _restore(client, "vm-web-01", "OriginalLocation")
    bag = _finish(client, job_id)
    assert bag["Job Type"] == "Restore to original location"
    assert client.control("GET", "/resources")["resources"] == []


def test_a_failed_restore_creates_nothing(client, load):
    load(
        {
            "virtual_machines": [
                {"name": "vm-web-01", "resource_group": "rg-workloads", "restore": {"outcome": "Failed"}}
            ]
        }
    )
    job_id = _restore(client, "vm-web-01", "AlternateLocation", target="vm-x")
    client.advance(2000)
    assert _job(client, job_id)["status"] == "Failed"
    assert client.control("GET", "/resources")["resources"] == []
    assert _get(client, _vm("rg-drill", "vm-x"), "virtualMachines").status_code == 404


def test_scenario_switch_restored_vm_provisioning_failed(client, load):
    load(
        {
            "virtual_machines": [
                {
                    "name": "vm-web-01",
                    "resource_group": "rg-workloads",
                    "restore": {"vm_provisioning_state": "Failed", "vm_power_state": "stopped"},
                }
            ]
        }
    )
    job_id = _restore(client, "vm-web-01", "AlternateLocation", target="vm-bad")
    _finish(client, job_id)  # the job itself completed
    vm = _get(client, _vm("rg-drill", "vm-bad"), "virtualMachines", params={"$expand": "instanceView"}).json()
    assert vm["properties"]["provisioningState"] == "Failed"
    statuses = vm["properties"]["instanceView"]["statuses"]
    assert statuses[0]["code"].startswith("ProvisioningState/failed/") and statuses[0]["level"] == "Error"
    assert "vm-bad" in statuses[0]["message"]
    assert statuses[1]["code"] == "PowerState/stopped"
    assert (
        client.control("GET", "/resources?type=Microsoft.Compute/virtualMachines")["resources"][0]["state"] == "Failed"
    )


def test_scenario_disk_layout_is_validated(client):
    resp = client.session.post(
        client.url + "/_emulator/scenario",
        json={
            "virtual_machines": [
                {"name": "a", "resource_group": "rg", "protected": False, "disks": {"data_disks_gb": [0]}}
            ]
        },
        timeout=10,
    )
    assert resp.status_code == 400
    resp = client.session.post(
        client.url + "/_emulator/scenario",
        json={
            "virtual_machines": [
                {"name": "a", "resource_group": "rg", "protected": False, "restore": {"vm_provisioning_state": "x"}}
            ]
        },
        timeout=10,
    )
    assert resp.status_code == 400


# --- GET errors ---------------------------------------------------------------------------------


def test_missing_resources_answer_arm_404s(client):
    resp = _get(client, _disk("rg-workloads", "nope"), "disks")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "ResourceNotFound"
    assert resp.json()["error"]["message"] == _not_found_message("Microsoft.Compute/disks", "nope", "rg-workloads")
    resp = _get(client, _vm("rg-workloads", "nope"), "virtualMachines")
    assert resp.json()["error"]["message"] == _not_found_message(
        "Microsoft.Compute/virtualMachines", "nope", "rg-workloads"
    )
    resp = _get(client, NIC % ("rg-workloads", "nope"), "networkInterfaces")
    assert resp.status_code == 404 and "Microsoft.Network/networkInterfaces/nope" in resp.json()["error"]["message"]
    resp = _get(client, _disk("rg-unknown", "nope"), "disks")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "ResourceGroupNotFound"
    # no restore named this storage account yet: the container's parent is not found
    resp = _get(client, CONTAINER % "nope", "containers")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "ParentResourceNotFound"
    _restore(client, "vm-web-01")
    resp = _get(client, CONTAINER % "nope", "containers")
    assert resp.status_code == 404
    assert resp.json()["error"] == {
        "code": "ContainerNotFound",
        "message": "The specified container does not exist.",
        "target": None,
        "details": None,
    }
    # paths are case-insensitive
    resp = client.get(
        "/SUBSCRIPTIONS/%s/resourcegroups/rg-workloads/providers/microsoft.compute/DISKS/nope" % SUB, api="2024-03-02"
    )
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "ResourceNotFound"
    # a type the emulator does not serve
    resp = client.get(COMPUTE % ("rg-workloads", "snapshots", "s1"), api="2024-03-02")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "InvalidResourceType"
    assert "'Microsoft.Compute'" in resp.json()["error"]["message"]
    resp = _get(client, _vm("rg-workloads", "x"), "virtualMachines", params={"$expand": "everything"})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidParameter"


# --- DELETE ---------------------------------------------------------------------------------------


def _poll_status(client, url):
    resp = client.get(url, api=None)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_delete_vm_then_nic_disks_container_end_to_end_on_the_emulated_clock(client):
    job_id, bag = _alternate(client)
    vm_id = _vm("rg-drill", "vm-web-02-drill")
    vm = _get(client, vm_id, "virtualMachines").json()["properties"]
    disk_ids = [vm["storageProfile"]["osDisk"]["managedDisk"]["id"]]
    disk_ids += [d["managedDisk"]["id"] for d in vm["storageProfile"]["dataDisks"]]
    nic_id = vm["networkProfile"]["networkInterfaces"][0]["id"]

    # the VM first: NIC and disks are in use while it exists
    resp = _delete(client, vm_id, "virtualMachines")
    assert resp.status_code == 202, resp.text
    assert resp.content == b""
    status_url = resp.headers["Azure-AsyncOperation"]
    location = resp.headers["Location"]
    assert "/subscriptions/%s/providers/Microsoft.Compute/locations/westeurope/operations/" % SUB in status_url
    assert status_url.endswith("api-version=2024-07-01")
    assert location.split("?")[0] == status_url.split("?")[0] and "monitor=true" in location
    assert int(resp.headers["Retry-After"]) >= 1 and "retry-after-ms" in resp.headers
    op_name = status_url.split("?")[0].rsplit("/", 1)[1]

    running = _poll_status(client, status_url)
    assert running["status"] == "InProgress" and running["name"] == op_name
    assert "startTime" in running and "endTime" not in running
    monitor = client.get(location, api=None)
    assert monitor.status_code == 202 and "Retry-After" in monitor.headers and monitor.headers["Location"] == location
    assert _get(client, vm_id, "virtualMachines").json()["properties"]["provisioningState"] == "Deleting"
    again = _delete(client, vm_id, "virtualMachines")  # while it runs: the same operation
    assert again.status_code == 202 and again.headers["Azure-AsyncOperation"] == status_url
    blocked = _delete(client, disk_ids[0], "disks")
    assert blocked.status_code == 409 and blocked.json()["error"]["code"] == "OperationNotAllowed"
    assert (
        client.control("GET", "/resources?type=Microsoft.Compute/virtualMachines")["resources"][0]["state"]
        == "Deleting"
    )

    client.advance(30)  # a VM takes 45-150 s to delete
    assert _poll_status(client, status_url)["status"] == "InProgress"
    client.advance(150)
    done = _poll_status(client, status_url)
    assert done["status"] == "Succeeded" and done["endTime"] > done["startTime"]
    assert client.get(location, api=None).status_code == 204
    gone = _get(client, vm_id, "virtualMachines")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ResourceNotFound"
    assert "vm-web-02-drill" not in client.control("GET", "/state")["vms"]
    # the VM left its disks and NIC behind, detached (Azure's default deleteOption: Detach)
    for disk_id in disk_ids:
        disk = _get(client, disk_id, "disks").json()
        assert "managedBy" not in disk and disk["properties"]["diskState"] == "Unattached"
    nic = _get(client, nic_id, "networkInterfaces").json()
    assert "virtualMachine" not in nic["properties"]

    # the NIC: Network's operation status + operationResults
    resp = _delete(client, nic_id, "networkInterfaces")
    assert resp.status_code == 202, resp.text
    status_url, result_url = resp.headers["Azure-AsyncOperation"], resp.headers["Location"]
    assert "/providers/Microsoft.Network/locations/westeurope/operations/" in status_url
    assert "/providers/Microsoft.Network/locations/westeurope/operationResults/" in result_url
    assert "Retry-After" in resp.headers
    assert _poll_status(client, status_url)["status"] == "InProgress"
    assert client.get(result_url, api=None).status_code == 202
    client.advance(15)
    assert _poll_status(client, status_url)["status"] == "Succeeded"
    assert client.get(result_url, api=None).status_code == 204
    assert _get(client, nic_id, "networkInterfaces").status_code == 404

    # the disks, now unattached
    urls = []
    for disk_id in disk_ids:
        resp = _delete(client, disk_id, "disks")
        assert resp.status_code == 202, resp.text
        urls.append(resp.headers["Azure-AsyncOperation"])
    client.advance(20)
    assert [_poll_status(client, url)["status"] for url in urls] == ["Succeeded"] * len(urls)
    assert [_get(client, d, "disks").status_code for d in disk_ids] == [404] * len(disk_ids)

    # the staging container: synchronous
    container = CONTAINER % bag["Config Blob Container Name"]
    resp = _delete(client, container, "containers")
    assert resp.status_code == 200
    assert _get(client, container, "containers").status_code == 404
    assert _delete(client, container, "containers").status_code == 204

    # a DELETE of what is gone: 204
    assert _delete(client, vm_id, "virtualMachines").status_code == 204
    assert _delete(client, nic_id, "networkInterfaces").status_code == 204
    assert _delete(client, disk_ids[0], "disks").status_code == 204
    listed = _get(client, RG % "rg-drill" + "/resources", "resources").json()
    assert listed == {"value": []}
    rows = client.control("GET", "/resources?job_id=" + job_id)["resources"]
    assert len(rows) == 5 and {r["state"] for r in rows} == {"Deleted"} and all(r["deleted"] for r in rows)
    # the drill can run again with the same names
    _alternate(client)
    assert _get(client, vm_id, "virtualMachines").status_code == 200


def test_delete_timing_is_seconds_for_disks_and_nics_and_minutes_for_vms(client):
    _alternate(client)
    vm = _get(client, _vm("rg-drill", "vm-web-02-drill"), "virtualMachines").json()["properties"]
    resp = _delete(client, _vm("rg-drill", "vm-web-02-drill"), "virtualMachines")
    url = resp.headers["Azure-AsyncOperation"]
    client.advance(44)
    assert _poll_status(client, url)["status"] == "InProgress"  # at least 45 s
    client.advance(106)
    assert _poll_status(client, url)["status"] == "Succeeded"  # at most 150 s
    resp = _delete(client, vm["networkProfile"]["networkInterfaces"][0]["id"], "networkInterfaces")
    url = resp.headers["Azure-AsyncOperation"]
    client.advance(2)
    assert _poll_status(client, url)["status"] == "InProgress"  # 3-10 s
    client.advance(8)
    assert _poll_status(client, url)["status"] == "Succeeded"
    resp = _delete(client, vm["storageProfile"]["osDisk"]["managedDisk"]["id"], "disks")
    url = resp.headers["Azure-AsyncOperation"]
    client.advance(4)
    assert _poll_status(client, url)["status"] == "InProgress"  # 5-15 s
    client.advance(11)
    assert _poll_status(client, url)["status"] == "Succeeded"


def test_delete_conflicts_attached_disk_409_nic_in_use_400(client):
    _alternate(client)
    vm_id = _vm("rg-drill", "vm-web-02-drill")
    vm = _get(client, vm_id, "virtualMachines").json()["properties"]
    disk_id = vm["storageProfile"]["osDisk"]["managedDisk"]["id"]
    name = disk_id.rsplit("/", 1)[1]
    resp = _delete(client, disk_id, "disks")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "OperationNotAllowed"
    assert resp.json()["error"]["message"] == "Disk %s is attached to VM %s." % (name, vm_id)
    nic_id = vm["networkProfile"]["networkInterfaces"][0]["id"]
    resp = _delete(client, nic_id, "networkInterfaces")
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "NicInUse" and nic_id in error["message"] and vm_id in error["message"]
    # nothing changed
    assert _get(client, disk_id, "disks").json()["properties"]["provisioningState"] == "Succeeded"
    assert _get(client, nic_id, "networkInterfaces").status_code == 200


def test_unknown_operation_ids_answer_404(client):
    url = "/subscriptions/%s/providers/Microsoft.Compute/locations/westeurope/operations/%s" % (
        SUB,
        "00000000-0000-0000-0000-000000000001",
    )
    assert client.get(url, api="2024-07-01").status_code == 404
    assert client.get(url.replace("Compute", "Network"), api="2024-05-01").status_code == 404


# --- resource group listing --------------------------------------------------------------------


def test_resource_group_listing_pages_and_filters(client, load):
    load({"paging": {"page_size": 2}})
    _alternate(client)
    resp = _get(client, RG % "rg-drill" + "/resources", "resources")
    assert resp.status_code == 200
    body = resp.json()
    assert len(body["value"]) == 2 and body["nextLink"].startswith(client.url + "/subscriptions/")
    assert "api-version=2021-04-01" in body["nextLink"]
    items = list(body["value"])
    while body.get("nextLink"):
        body = client.get(body["nextLink"], api=None).json()
        items += body["value"]
    assert sorted(i["type"] for i in items) == [
        "Microsoft.Compute/disks",
        "Microsoft.Compute/disks",
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Network/networkInterfaces",
    ]
    assert all(set(i) >= {"id", "name", "type", "location"} for i in items)
    assert len({i["id"] for i in items}) == 4
    disks = _get(
        client,
        RG % "rg-drill" + "/resources",
        "resources",
        params={"$filter": "resourceType eq 'Microsoft.Compute/disks'"},
    ).json()
    assert [i["type"] for i in disks["value"]] == ["Microsoft.Compute/disks"] * 2
    one = _get(client, RG % "rg-drill" + "/resources", "resources", params={"$top": "1"}).json()
    assert len(one["value"]) == 1 and "%24top=1" in one["nextLink"]
    bad = _get(client, RG % "rg-drill" + "/resources", "resources", params={"$filter": "location eq 'x'"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidFilterInQueryString"
    # the staging account's group holds the account and the vault (a container is not a top-level resource)
    staging = _get(client, RG % STORAGE_RG + "/resources", "resources").json()
    assert "nextLink" not in staging
    assert sorted(i["type"] for i in staging["value"]) == [
        "Microsoft.RecoveryServices/vaults",
        "Microsoft.Storage/storageAccounts",
    ]
    assert (
        _get(client, RG % "rg-nowhere" + "/resources", "resources").json()["error"]["code"] == "ResourceGroupNotFound"
    )


# --- api-versions -------------------------------------------------------------------------------


def test_api_versions_per_provider(client, load):
    _alternate(client)
    vm_id = _vm("rg-drill", "vm-web-02-drill")
    vm = _get(client, vm_id, "virtualMachines").json()["properties"]
    disk_id = vm["storageProfile"]["osDisk"]["managedDisk"]["id"]
    nic_id = vm["networkProfile"]["networkInterfaces"][0]["id"]
    for version in ("2024-07-01", "2026-04-01", "2023-03-01"):
        assert client.get(vm_id, api=version).status_code == 200
    for version in ("2024-03-02", "2026-03-02"):
        assert client.get(disk_id, api=version).status_code == 200
    for version in ("2024-05-01", "2026-03-01"):
        assert client.get(nic_id, api=version).status_code == 200
    resp = client.get(disk_id, api="2024-07-01")  # a Compute RP version, not a Disk RP one
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["code"] == "NoRegisteredProviderFound"
    assert "API version '2024-07-01' for type 'disks'" in error["message"] and "2024-03-02" in error["message"]
    assert client.get(vm_id, api="2024-03-02").json()["error"]["code"] == "NoRegisteredProviderFound"
    assert client.get(nic_id, api="2019-02-01").json()["error"]["code"] == "NoRegisteredProviderFound"
    resp = client.get(RG % "rg-drill" + "/resources", api="2019-01-01")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidApiVersionParameter"
    assert "2021-04-01" in resp.json()["error"]["message"]
    assert client.get(vm_id, api=None).json()["error"]["code"] == "MissingApiVersionParameter"
    assert client.get(vm_id, api="2024-7-1").json()["error"]["code"] == "InvalidApiVersionParameter"
    # the scenario can widen a list
    load({"arm_api_versions": {"resources": ["2019-01-01"]}})
    assert client.get(RG % "rg-backup-demo" + "/resources", api="2019-01-01").status_code == 200


# --- faults, throttling, request log -----------------------------------------------------------------


def test_faults_throttling_and_request_log_on_the_new_operations(client):
    _alternate(client)
    vm_id = _vm("rg-drill", "vm-web-02-drill")
    since = client.control("GET", "/requests")["last_seq"]
    client.control("POST", "/faults", {"operation": "VirtualMachines_Get", "status": 503, "count": 1})
    resp = _get(client, vm_id, "virtualMachines")
    assert resp.status_code == 503 and "x-ms-request-id" in resp.headers
    assert _get(client, vm_id, "virtualMachines").status_code == 200
    # phase after: the DELETE took effect, the client saw a 500
    client.control(
        "POST", "/faults", {"operation": "VirtualMachines_Delete", "status": 500, "count": 1, "phase": "after"}
    )
    assert _delete(client, vm_id, "virtualMachines").status_code == 500
    assert _get(client, vm_id, "virtualMachines").json()["properties"]["provisioningState"] == "Deleting"
    resp = _delete(client, vm_id, "virtualMachines")
    assert resp.status_code == 202
    status_url, location = resp.headers["Azure-AsyncOperation"], resp.headers["Location"]
    client.control(
        "POST", "/faults", {"operation": "ComputeOperations_Get", "status": 429, "count": 1, "retry_after": 2}
    )
    client.control("POST", "/faults", {"operation": "ComputeOperationResults_Get", "action": "drop", "count": 1})
    throttled = client.get(status_url, api=None)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "2"
    assert client.get(status_url, api=None).status_code == 200
    with pytest.raises(requests.ConnectionError):
        client.new_session().get(location, headers={"Authorization": "Bearer " + client.get_token()}, timeout=10)
    assert client.get(location, api=None).status_code == 202
    client.control("POST", "/faults", {"operation": "Disks_Get", "status": 500, "count": 1})
    client.control("POST", "/faults", {"operation": "Resources_ListByResourceGroup", "action": "malformed", "count": 1})
    client.control("POST", "/faults", {"operation": "BlobContainers_Delete", "status": 503, "count": 1})
    assert _get(client, _disk("rg-drill", "x"), "disks").status_code == 500
    resp = _get(client, RG % "rg-drill" + "/resources", "resources")
    with pytest.raises(ValueError):
        resp.json()
    assert _delete(client, CONTAINER % "x", "containers").status_code == 503
    ops = {r["operation"] for r in client.control("GET", "/requests?since=%d" % since)["requests"]}
    assert {
        "VirtualMachines_Get",
        "VirtualMachines_Delete",
        "ComputeOperations_Get",
        "ComputeOperationResults_Get",
        "Disks_Get",
        "Resources_ListByResourceGroup",
        "BlobContainers_Delete",
    } <= ops
    stats = client.control("GET", "/stats")["operations"]
    assert stats["VirtualMachines_Delete"]["statuses"] == {"500": 1, "202": 1}
    assert stats["ComputeOperationResults_Get"]["statuses"] == {"dropped": 1, "202": 1}

    # throttling: the reads bucket covers these GETs as every other ARM read
    client.control("POST", "/throttling", {"reads": {"capacity": 1, "refill_per_second": 0.01}})
    try:
        _get(client, vm_id, "virtualMachines")
        throttled = _get(client, vm_id, "virtualMachines")
        assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "SubscriptionRequestsThrottled"
        assert int(throttled.headers["Retry-After"]) >= 1
    finally:
        client.control("POST", "/throttling", {})


def test_network_operation_names_and_writes_rate_limit_header(client):
    _alternate(client)
    vm_id = _vm("rg-drill", "vm-web-02-drill")
    nic_id = _get(client, vm_id, "virtualMachines").json()["properties"]["networkProfile"]["networkInterfaces"][0]["id"]
    resp = _delete(client, vm_id, "virtualMachines")
    assert "x-ms-ratelimit-remaining-subscription-writes" in resp.headers
    client.advance(200)
    resp = _delete(client, nic_id, "networkInterfaces")
    client.get(resp.headers["Azure-AsyncOperation"], api=None)
    client.get(resp.headers["Location"], api=None)
    stats = client.control("GET", "/stats")["operations"]
    assert stats["NetworkOperations_Get"]["count"] == 1 and stats["NetworkOperationResults_Get"]["count"] == 1
    assert stats["NetworkInterfaces_Delete"]["statuses"] == {"202": 1}


def test_control_resources_filters_and_reset(client):
    job_id = _restore(client, "vm-web-01", rg="rg-restore")
    _finish(client, job_id)
    rows = client.control("GET", "/resources")["resources"]
    assert len(rows) == 3 and all(set(r) >= {"id", "type", "state", "name", "job_id"} for r in rows)
    assert len(client.control("GET", "/resources?type=microsoft.compute/disks")["resources"]) == 2
    assert len(client.control("GET", "/resources?resource_group=RG-RESTORE")["resources"]) == 2
    assert client.control("GET", "/resources?state=Deleted")["resources"] == []
    assert client.control("GET", "/state")["resources"] == 3
    client.control("POST", "/reset")
    assert client.control("GET", "/resources")["resources"] == []
