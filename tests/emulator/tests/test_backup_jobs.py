"""Backup trigger -> operation -> job on emulated time; items; job lists, filters, paging."""

import re
import time
import urllib.parse

import pytest

from azure_backup_emulator.server import EmulatorServer
from conftest import VAULT, Client, item_path

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ISO_DURATION = re.compile(r"^P(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


def job(client, job_id):
    resp = client.get(VAULT + "/backupJobs/" + job_id)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_backup_202_operation_and_job_lifecycle(client):
    before = client.get(item_path("vm-web-01")).json()["properties"]
    resp = client.trigger("vm-web-01")
    assert resp.status_code == 202
    assert resp.content == b""
    h = resp.headers
    op_url = urllib.parse.urlsplit(h["Azure-AsyncOperation"])
    loc_url = urllib.parse.urlsplit(h["Location"])
    assert re.search(
        r"/protectedItems/VM;iaasvmcontainerv2;rg-workloads;vm-web-01/operationsStatus/"
        r"[0-9a-f-]{36}$",
        op_url.path,
    )
    assert re.search(
        r"/protectedItems/VM;iaasvmcontainerv2;rg-workloads;vm-web-01/operationResults/"
        r"[0-9a-f-]{36}$",
        loc_url.path,
    )
    assert "api-version=" in op_url.query
    assert h["Retry-After"] == "60" and h["retry-after-ms"] == "60000"  # time scale 1

    # the operation runs a few emulated seconds before it knows its job
    status = client.get(h["Azure-AsyncOperation"], api=None)
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == "InProgress"
    assert body["endTime"].startswith("0001-01-01T00:00:00")
    assert "properties" not in body
    result = client.get(h["Location"], api=None)
    assert result.status_code == 202
    assert result.headers["Location"] == h["Location"]
    assert result.headers["Azure-AsyncOperation"] == h["Azure-AsyncOperation"]
    assert result.headers["Retry-After"] == "60"

    client.advance(31)
    body = client.get(h["Azure-AsyncOperation"], api=None).json()
    assert body["status"] == "Succeeded"
    assert body["properties"]["objectType"] == "OperationStatusJobExtendedInfo"
    job_id = body["properties"]["jobId"]
    assert GUID.match(job_id)
    assert client.get(h["Location"], api=None).status_code == 204

    # Take Snapshot first
    props = job(client, job_id)["properties"]
    assert props["jobType"] == "AzureIaaSVMJob" and props["operation"] == "Backup"
    assert props["status"] == "InProgress" and "endTime" not in props
    assert props["entityFriendlyName"] == "vm-web-01"
    assert props["backupManagementType"] == "AzureIaasVM"
    assert props["virtualMachineVersion"] == "Compute"
    assert props["containerName"] == "iaasvmcontainerv2;rg-workloads;vm-web-01"
    assert props["isUserTriggered"] is True
    assert props["actionsInfo"] == ["Cancellable"]
    assert ISO_DURATION.match(props["duration"])
    tasks = props["extendedInfo"]["tasksList"]
    assert [t["taskId"] for t in tasks] == ["Take Snapshot", "Transfer data to vault"]
    assert [t["status"] for t in tasks] == ["InProgress", "NotStarted"]
    assert props["extendedInfo"]["propertyBag"] == {"VM Name": "vm-web-01"}

    client.advance(450)  # snapshot takes 5-7 emulated minutes
    props = job(client, job_id)["properties"]
    assert props["status"] == "InProgress"
    assert [t["status"] for t in props["extendedInfo"]["tasksList"]] == ["Completed", "InProgress"]
    assert "actionsInfo" not in props  # not cancellable while transferring
    assert 0 < props["extendedInfo"]["progressPercentage"] < 100

    client.advance(1100)
    props = job(client, job_id)["properties"]
    assert props["status"] == "Completed"
    assert props["endTime"] > props["startTime"]
    assert [t["status"] for t in props["extendedInfo"]["tasksList"]] == ["Completed", "Completed"]
    bag = props["extendedInfo"]["propertyBag"]
    assert bag["VM Name"] == "vm-web-01" and bag["Backup Size"] == "2332 MB"
    assert "Recovery point time" in bag
    assert "progressPercentage" not in props["extendedInfo"]
    minutes = _seconds(props["duration"]) / 60
    assert 17 <= minutes <= 25

    after = client.get(item_path("vm-web-01")).json()["properties"]
    assert after["lastBackupStatus"] == "Completed"
    assert after["lastBackupTime"] > before["lastBackupTime"]
    assert after["lastRecoveryPoint"] > before["lastRecoveryPoint"]
    rps = client.get(item_path("vm-web-01") + "/recoveryPoints").json()["value"]
    assert rps[0]["properties"]["recoveryPointTime"] == after["lastRecoveryPoint"]
    # a new backup is accepted again
    assert client.trigger("vm-web-01").status_code == 202


def _seconds(iso):
    match = re.match(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$", iso)
    hours, minutes, secs = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(secs or 0)


def test_second_backup_while_running_is_refused(client):
    first = client.trigger("vm-web-02")
    assert first.status_code == 202
    second = client.trigger("vm-web-02")  # operation still running
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "UserErrorBackupOperationInProgress"
    client.job_id_of(first)
    third = client.trigger("vm-web-02")  # job running
    assert third.status_code == 400
    assert "another backup operation is already in progress" in third.json()["error"]["message"]
    log = client.control("GET", "/requests?operation=Backups_Trigger")["requests"]
    assert [e["status"] for e in log] == [202, 400, 400]


def test_failed_vm_job_has_error_details(client):
    job_id = client.job_id_of(client.trigger("vm-fail-01"))
    client.advance(2000)
    props = job(client, job_id)["properties"]
    assert props["status"] == "Failed"
    error = props["errorDetails"][0]
    assert isinstance(error["errorCode"], int)
    assert error["errorTitle"] == "ExtensionSnapshotFailedNoNetwork"
    assert error["errorString"] == ("Snapshot operation failed due to no network connectivity on the virtual machine.")
    assert error["recommendations"]
    tasks = props["extendedInfo"]["tasksList"]
    assert [t["status"] for t in tasks] == ["Failed", "NotStarted"]
    assert props["extendedInfo"]["dynamicErrorMessage"]
    item = client.get(item_path("vm-fail-01")).json()["properties"]
    assert item["lastBackupStatus"] == "Failed"
    assert item["healthStatus"] == "ActionRequired"


def test_warning_vm_completes_with_warnings(client):
    job_id = client.job_id_of(client.trigger("vm-warn-01"))
    client.advance(2000)
    props = job(client, job_id)["properties"]
    assert props["status"] == "CompletedWithWarnings"
    assert props["errorDetails"][0]["errorString"]
    assert props["extendedInfo"]["propertyBag"]["Backup Size"].endswith(" MB")


def test_unprotected_and_unknown_items_are_404(client):
    for vm in ("vm-app-01", "vm-nope"):
        resp = client.trigger(vm)
        assert resp.status_code == 404
        assert resp.json()["error"]["code"] == "BMSUserErrorDataSourceObjectNotFound"
        assert resp.json()["error"]["message"].startswith("Item not found.")
        assert client.get(item_path(vm)).status_code == 404


def test_quoted_semicolons_are_accepted(client):
    resp = client.get(item_path("vm-db-01", quote=True))
    assert resp.status_code == 200
    assert resp.json()["properties"]["friendlyName"] == "vm-db-01"
    assert (
        client.post(
            item_path("vm-db-01", quote=True) + "/backup", json={"properties": {"objectType": "IaasVMBackupRequest"}}
        ).status_code
        == 202
    )


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"properties": {}},
        {"properties": {"objectType": "AzureWorkloadBackupRequest"}},
        {"properties": {"objectType": "IaasVMBackupRequest", "recoveryPointExpiryTimeInUTC": "tomorrow"}},
        {"properties": {"objectType": "IaasVMBackupRequest", "recoveryPointExpiryTimeInUTC": "2001-01-01T00:00:00Z"}},
    ],
)
def test_backup_body_is_validated(client, body):
    resp = client.trigger("vm-web-01", body=body)
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BMSUserErrorInvalidInput"


def test_backup_with_expiry_is_accepted(client):
    body = {
        "properties": {"objectType": "IaasVMBackupRequest", "recoveryPointExpiryTimeInUTC": "2099-01-01T00:00:00.000Z"}
    }
    job_id = client.job_id_of(client.trigger("vm-web-01", body=body))
    client.advance(2000)
    bag = job(client, job_id)["properties"]["extendedInfo"]["propertyBag"]
    assert bag["Recovery point expiry time in UTC"].startswith("1/1/2099")


def test_unknown_job_is_404(client):
    resp = client.get(VAULT + "/backupJobs/00000000-1111-2222-3333-444444444444")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "ResourceNotFound"


def test_job_list_newest_first_without_extended_info(client):
    jobs = client.get(VAULT + "/backupJobs").json()["value"]
    assert len(jobs) >= 25  # seeded history
    starts = [j["properties"]["startTime"] for j in jobs]
    assert starts == sorted(starts, reverse=True)
    assert all("extendedInfo" not in j["properties"] for j in jobs)
    assert {j["properties"]["operation"] for j in jobs} == {"Backup", "ConfigureBackup"}


def test_job_list_filters(client):
    running = client.job_id_of(client.trigger("vm-db-01"))

    def ids(flt):
        resp = client.get(VAULT + "/backupJobs", params={"$filter": flt})
        assert resp.status_code == 200, resp.text
        return [j["name"] for j in resp.json()["value"]]

    assert ids("status eq 'InProgress'") == [running]
    assert ids("jobId eq '%s'" % running) == [running]
    assert running in ids("operation eq 'Backup' and backupManagementType eq 'AzureIaasVM'")
    assert ids("operation eq 'ConfigureBackup'") and running not in ids("operation eq 'ConfigureBackup'")
    failed = ids("status eq 'Failed'")
    assert len(failed) == 1  # vm-fail-01's last scheduled backup
    # time window (documented literal form), and ISO-8601
    now = client.control("GET", "/time")["now"]
    day = now[:10]
    assert running in ids("startTime eq '%s 00:00:00 AM' and endTime eq '%s 11:59:59 PM'" % (day, day))
    assert ids("startTime eq '2016-01-01 00:00:00 AM' and endTime eq '2017-11-29 00:00:00 AM'") == []
    assert running in ids("startTime eq '%sT00:00:00Z' and endTime eq '%s'" % (day, now))


@pytest.mark.parametrize(
    "flt",
    [
        "status = 'Completed'",
        "status eq Completed",
        "colour eq 'blue'",
        "status eq 'Completed' or status eq 'Failed'",
        "status eq 'Sleeping'",
        "startTime eq 'yesterday'",
    ],
)
def test_malformed_job_filter_is_400(client, flt):
    resp = client.get(VAULT + "/backupJobs", params={"$filter": flt})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "BMSUserErrorInvalidInput"


def test_job_list_paging_with_nextlink(client):
    client.control("POST", "/scenario", {"paging": {"page_size": 4}})
    try:
        full_filter = "operation eq 'Backup'"
        seen, pages = [], 0
        resp = client.get(VAULT + "/backupJobs", params={"$filter": full_filter})
        while True:
            body = resp.json()
            assert len(body["value"]) <= 4
            seen += [j["name"] for j in body["value"]]
            pages += 1
            link = body.get("nextLink")
            if not link:
                break
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
            assert query["$filter"] == [full_filter]
            assert "$skiptoken" in query
            assert link.startswith(client.url + "/")
            resp = client.get(link, api=None)
            assert resp.status_code == 200
        assert pages >= 7 and len(seen) == len(set(seen)) == 25
        # $skipToken spelling works too
        first = client.get(VAULT + "/backupJobs").json()
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(first["nextLink"]).query)["$skiptoken"][0]
        second = client.get(VAULT + "/backupJobs", params={"$skipToken": token}).json()
        assert second["value"][0]["name"] not in [j["name"] for j in first["value"]]
        bad = client.get(VAULT + "/backupJobs", params={"$skipToken": "!!"})
        assert bad.status_code == 400
    finally:
        client.control("POST", "/scenario", {})


def test_protected_items_list_filters_and_paging(client):
    def names(flt=None):
        params = {"$filter": flt} if flt else {}
        body = client.get(VAULT + "/backupProtectedItems", params=params).json()
        return [i["properties"]["friendlyName"] for i in body["value"]]

    assert names() == ["vm-db-01", "vm-fail-01", "vm-warn-01", "vm-web-01", "vm-web-02"]
    assert len(names("backupManagementType eq 'AzureIaasVM' and itemType eq 'VM'")) == 5
    assert names("friendlyName eq 'VM-WEB-02'") == ["vm-web-02"]
    assert len(names("policyName eq 'DefaultPolicy'")) == 5
    assert names("policyName eq 'EnhancedPolicy'") == []
    assert names("healthState eq 'ActionRequired'") == ["vm-fail-01"]
    assert names("containerName eq 'iaasvmcontainerv2;rg-workloads;vm-db-01'") == ["vm-db-01"]
    assert client.get(VAULT + "/backupProtectedItems", params={"$filter": "friendlyName eq"}).status_code == 400
    client.control("POST", "/scenario", {"paging": {"page_size": 2}})
    try:
        body = client.get(VAULT + "/backupProtectedItems").json()
        seen = [i["name"] for i in body["value"]]
        while body.get("nextLink"):
            body = client.get(body["nextLink"], api=None).json()
            seen += [i["name"] for i in body["value"]]
        assert len(seen) == len(set(seen)) == 5
    finally:
        client.control("POST", "/scenario", {})


SOAK = {"count": 200, "prefix": "vm-soak-", "resource_group": "rg-soak", "policy": "DefaultPolicy"}


def _all_pages(client, path):
    pages = [client.get(path).json()]
    while pages[-1].get("nextLink"):
        pages.append(client.get(pages[-1]["nextLink"], api=None).json())
    return pages


def test_generated_vms_scenario_lists_200_protected_items(client):
    expected = ["vm-soak-%03d" % i for i in range(1, 201)]
    client.control("POST", "/scenario", {"virtual_machines": [], "generated_vms": SOAK})
    try:
        pages = _all_pages(client, VAULT + "/backupProtectedItems")
        assert len(pages) == 1 and "nextLink" not in pages[0]  # exactly one full page (page_size 200)
        items = pages[0]["value"]
        assert [i["properties"]["friendlyName"] for i in items] == expected
        first = items[0]["properties"]
        assert first["containerName"] == "iaasvmcontainerv2;rg-soak;vm-soak-001"
        assert first["policyName"] == "DefaultPolicy" and first["protectionState"] == "Protected"
        assert client.get(item_path("vm-soak-200", rg="rg-soak")).status_code == 200

        # merged after the default virtual_machines: 205 items, paged 200 + 5
        client.control("POST", "/scenario", {"generated_vms": SOAK})
        pages = _all_pages(client, VAULT + "/backupProtectedItems")
        assert [len(p["value"]) for p in pages] == [200, 5]
        names = [i["properties"]["friendlyName"] for p in pages for i in p["value"]]
        assert sorted(n for n in names if n.startswith("vm-soak-")) == expected
        assert len(set(names)) == 205 and "vm-web-01" in names
    finally:
        client.control("POST", "/scenario", {})


def test_protected_item_shape(client):
    props = client.get(item_path("vm-web-01")).json()["properties"]
    for key in (
        "friendlyName",
        "virtualMachineId",
        "protectionStatus",
        "protectionState",
        "healthStatus",
        "lastBackupStatus",
        "lastBackupTime",
        "protectedItemDataId",
        "protectedItemType",
        "backupManagementType",
        "workloadType",
        "containerName",
        "sourceResourceId",
        "policyId",
        "lastRecoveryPoint",
        "policyType",
    ):
        assert key in props, key
    assert props["protectionState"] == "Protected"
    assert props["policyId"].endswith("/backupPolicies/DefaultPolicy")
    extended = client.get(item_path("vm-web-01"), params={"$filter": "expand eq 'extendedinfo'"}).json()["properties"]
    assert extended["extendedInfo"]["recoveryPointCount"] == 5


def test_job_runs_on_scaled_real_time(tmp_path):
    """At a high time scale a ~20 min backup ends within a fraction of a real second."""
    srv = EmulatorServer(port=0, time_scale=6000).start()
    try:
        client = Client(srv, tmp_path)
        resp = client.trigger("vm-web-01")
        assert resp.headers["Retry-After"] == "1"  # 60 s / 6000, at least 1
        assert resp.headers["retry-after-ms"] == "10"  # precise: 10 ms
        deadline = time.monotonic() + 3
        status = None
        while time.monotonic() < deadline:
            status = client.get(resp.headers["Azure-AsyncOperation"], api=None).json()
            if status["status"] != "InProgress":
                break
            time.sleep(0.01)
        job_id = status["properties"]["jobId"]
        while time.monotonic() < deadline:
            props = job(client, job_id)["properties"]
            if props["status"] != "InProgress":
                break
            time.sleep(0.02)
        assert props["status"] == "Completed"
    finally:
        srv.stop()
