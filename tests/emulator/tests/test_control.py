"""Control API: faults, throttling, stats, request log, reset, time; and the CLI."""

import json
import random
import signal
import subprocess
import sys
import time

from datetime import datetime

import pytest
import requests

from conftest import VAULT, item_path

JOBS = VAULT + "/backupJobs"


def test_fault_429_with_retry_after_then_real_answer(client):
    fault = client.control(
        "POST",
        "/faults",
        {"operation": "BackupJobs_List", "status": 429, "count": 2, "retry_after": 3, "retry_after_ms": 2500},
    )
    assert fault["id"]
    first = client.get(JOBS)
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "3" and first.headers["retry-after-ms"] == "2500"
    assert first.json()["error"]["code"] == "SubscriptionRequestsThrottled"
    assert "x-ms-request-id" in first.headers  # ARM headers on faults too
    assert client.get(JOBS).status_code == 429
    assert client.get(JOBS).status_code == 200
    stats = client.control("GET", "/stats")["operations"]["BackupJobs_List"]
    assert stats == {"count": 3, "statuses": {"429": 2, "200": 1}}
    listed = client.control("GET", "/faults")["faults"]
    assert listed[0]["applied"] == 2


def test_fault_by_method_and_path_regex_with_after(client):
    client.control(
        "POST", "/faults", {"method": "GET", "path_regex": "/backupJobs$", "status": 503, "after": 1, "count": 1}
    )
    assert client.get(JOBS).status_code == 200  # skipped (after=1)
    resp = client.get(JOBS)
    assert resp.status_code == 503
    assert resp.json()["error"]["code"] == "ServiceUnavailable"
    assert client.get(JOBS).status_code == 200  # count exhausted
    client.control("DELETE", "/faults")
    assert client.control("GET", "/faults")["faults"] == []


def test_fault_custom_body(client):
    client.control(
        "POST",
        "/faults",
        {
            "operation": "JobDetails_Get",
            "status": 500,
            "count": 1,
            "body": {"error": {"code": "Custom", "message": "boom"}},
        },
    )
    resp = client.get(JOBS + "/00000000-0000-0000-0000-000000000001")
    assert resp.status_code == 500 and resp.json()["error"]["code"] == "Custom"


def test_fault_drop_closes_connection_without_answer(client):
    client.control("POST", "/faults", {"operation": "Vaults_Get", "action": "drop", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.get(VAULT)
    assert client.get(VAULT).status_code == 200
    log = client.control("GET", "/requests?operation=Vaults_Get")["requests"]
    assert [e["status"] for e in log] == ["dropped", 200]


def test_fault_delay_and_malformed(client):
    client.control("POST", "/faults", {"operation": "Vaults_Get", "action": "delay", "delay_ms": 150, "count": 1})
    started = time.monotonic()
    assert client.get(VAULT).status_code == 200
    assert time.monotonic() - started >= 0.15
    client.control("POST", "/faults", {"operation": "Vaults_Get", "action": "malformed", "count": 1})
    resp = client.get(VAULT)
    assert resp.status_code == 200
    with pytest.raises(ValueError):
        json.loads(resp.text)


def test_after_phase_fault_lets_the_write_take_effect(client):
    """The POST reaches Azure (a backup starts) but the client sees a 500 / a dropped connection:
    exactly the case where a client must not resend the write."""
    client.control("POST", "/faults", {"operation": "Backups_Trigger", "status": 500, "phase": "after", "count": 1})
    resp = client.trigger("vm-web-01")
    assert resp.status_code == 500
    state = client.control("GET", "/state")
    assert [o["purpose"] for o in state["operations"]] == ["backup"]
    again = client.trigger("vm-web-01")
    assert again.status_code == 400  # the first one did start
    assert again.json()["error"]["code"] == "UserErrorBackupOperationInProgress"

    client.control("POST", "/faults", {"operation": "Backups_Trigger", "action": "drop", "phase": "after", "count": 1})
    with pytest.raises(requests.exceptions.ConnectionError):
        client.trigger("vm-web-02")
    assert len(client.control("GET", "/state")["operations"]) == 2
    posts = client.control("GET", "/requests?operation=Backups_Trigger")["requests"]
    assert [p["status"] for p in posts] == [500, 400, "dropped"]


def test_fault_validation(client):
    resp = client.session.post(client.url + "/_emulator/faults", json={"status": 500})
    assert resp.status_code == 400
    resp = client.session.post(client.url + "/_emulator/faults", json={"operation": "X", "action": "explode"})
    assert resp.status_code == 400


def test_fault_repeat_next_link_makes_a_list_loop(client):
    client.control(
        "POST", "/faults", {"operation": "BackupJobs_List", "action": "repeat_next_link", "phase": "after", "count": 2}
    )
    first = client.get(JOBS, params={"$filter": "operation eq 'Backup' and status eq 'Completed'"})
    assert first.status_code == 200
    body = first.json()
    assert body["nextLink"] == first.url  # the request itself, query as sent
    assert "%24filter=operation+eq+%27Backup%27" in body["nextLink"] and body["value"]
    again = client.get(body["nextLink"], api=None)
    assert again.json()["nextLink"] == body["nextLink"]
    assert [j["name"] for j in again.json()["value"]] == [j["name"] for j in body["value"]]
    assert "nextLink" not in client.get(body["nextLink"], api=None).json()  # count exhausted: the real page
    assert client.control("GET", "/faults")["faults"][0]["applied"] == 2


def test_fault_repeat_next_link_keeps_the_path_as_received(client):
    client.control(
        "POST", "/faults", {"operation": "RecoveryPoints_List", "action": "repeat_next_link", "phase": "after"}
    )
    url = item_path("vm-web-01", quote=True) + "/recoveryPoints"
    resp = client.get(url)
    assert resp.status_code == 200 and len(resp.json()["value"]) == 5
    assert resp.json()["nextLink"] == client.url + url + "?api-version=2026-10-01"
    assert "%3B" in resp.json()["nextLink"]
    # an error answer is left alone
    missing = client.get(item_path("vm-app-01") + "/recoveryPoints")
    assert missing.status_code == 404 and "nextLink" not in missing.json()


def test_fault_repeat_next_link_needs_phase_after(client):
    resp = client.session.post(
        client.url + "/_emulator/faults", json={"operation": "BackupJobs_List", "action": "repeat_next_link"}
    )
    assert resp.status_code == 400 and "phase 'after'" in resp.json()["error"]["message"]
    assert client.control("GET", "/faults")["faults"] == []


def test_fault_probability_is_seeded(client):
    fault = client.control(
        "POST", "/faults", {"operation": "Vaults_Get", "status": 503, "probability": 0.4, "seed": 1234, "count": 5}
    )["fault"]
    assert (fault["probability"], fault["seed"]) == (0.4, 1234)
    statuses = [client.get(VAULT).status_code for attempt in range(30)]
    rng, applied, expected = random.Random(1234), 0, []
    for attempt in range(30):
        hit = applied < 5 and rng.random() < 0.4
        applied += hit
        expected.append(503 if hit else 200)
    assert statuses == expected and statuses.count(503) == 5
    listed = client.control("GET", "/faults")["faults"][0]
    # an exhausted fault stops matching: matched ends at the request that got the 5th fault
    assert listed["applied"] == 5 and listed["matched"] == len(expected) - expected[::-1].index(503)


@pytest.mark.parametrize("probability", [0, 1.5, -1, "half", None])
def test_fault_probability_validation(client, probability):
    spec = {"operation": "Vaults_Get", "probability": probability}
    resp = client.session.post(client.url + "/_emulator/faults", json=spec)
    if probability is None:  # explicit null: no probability, every match
        assert resp.status_code == 201
    else:
        assert resp.status_code == 400 and "probability" in resp.json()["error"]["message"]


def test_fault_text_body_with_content_type(client):
    page = "<html><head><title>502 Bad Gateway</title></head><body>proxy</body></html>"
    client.control(
        "POST",
        "/faults",
        {"operation": "JobDetails_Get", "status": 200, "body": page, "content_type": "text/html", "count": 1},
    )
    resp = client.get(JOBS + "/00000000-0000-0000-0000-000000000001")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/html"
    assert resp.text == page
    client.control("POST", "/faults", {"operation": "JobDetails_Get", "status": 500, "body": "oops", "count": 1})
    resp = client.get(JOBS + "/00000000-0000-0000-0000-000000000001")
    assert resp.status_code == 500 and resp.text == "oops"
    assert resp.headers["Content-Type"].startswith("application/json")  # the default


def test_throttling_token_bucket(client):
    client.control("POST", "/throttling", {"reads": {"capacity": 3, "refill_per_second": 0.5}})
    try:
        remaining = [client.get(JOBS).headers["x-ms-ratelimit-remaining-subscription-reads"] for attempt in range(3)]
        assert remaining == ["2", "1", "0"]
        throttled = client.get(JOBS)
        assert throttled.status_code == 429
        assert throttled.json()["error"]["code"] == "SubscriptionRequestsThrottled"
        assert "Number of 'read' requests for subscription" in throttled.json()["error"]["message"]
        assert int(throttled.headers["Retry-After"]) >= 1
        # writes have their own bucket
        write = client.trigger("vm-web-01")
        assert write.status_code == 202
        assert write.headers["x-ms-ratelimit-remaining-subscription-writes"] == "199"
    finally:
        client.control("POST", "/throttling", {})


def test_stats_and_request_log(client):
    client.get(VAULT, headers={"x-ms-client-request-id": "abc-123"})
    client.get(JOBS)
    client.token = None
    client.get(JOBS)  # a fresh token request
    stats = client.control("GET", "/stats")
    assert stats["token_requests"] == 1
    assert stats["operations"]["BackupJobs_List"]["count"] == 2
    assert stats["operations"]["Vaults_Get"] == {"count": 1, "statuses": {"200": 1}}
    assert stats["total"] >= 5
    log = client.control("GET", "/requests")["requests"]
    first = [e for e in log if e["operation"] == "Vaults_Get"][0]
    assert first["client_request_id"] == "abc-123"
    assert first["method"] == "GET" and first["status"] == 200
    assert first["query"] == {"api-version": "2026-10-01"}
    text = json.dumps(log)
    assert client.env["AZURE_SECRET"] not in text and client.token not in text
    since = client.control("GET", "/requests?since=%d" % first["seq"])["requests"]
    assert all(e["seq"] > first["seq"] for e in since)
    only = client.control("GET", "/requests?operation=BackupJobs_List")["requests"]
    assert len(only) == 2


def test_reset_restores_scenario_and_clears(client):
    job_id = client.job_id_of(client.trigger("vm-web-01"))
    client.control("POST", "/faults", {"operation": "Vaults_Get", "status": 500})
    client.control("POST", "/reset")
    assert client.get(JOBS + "/" + job_id).status_code == 404
    assert client.control("GET", "/faults")["faults"] == []
    stats = client.control("GET", "/stats")
    assert stats["operations"].get("Backups_Trigger") is None
    assert client.trigger("vm-web-01").status_code == 202


def test_time_advance_and_state(client):
    before = client.control("GET", "/time")["now"]
    after = client.advance(3600)["now"]
    assert after > before
    state = client.control("GET", "/state")
    expected = {"vm-web-01", "vm-web-02", "vm-db-01", "vm-fail-01", "vm-warn-01"}
    assert {i["vm"] for i in state["items"]} == expected
    assert "vm-app-01" in state["vms"]
    bad = client.session.post(client.url + "/_emulator/time/advance", json={"seconds": -1})
    assert bad.status_code == 400


def test_control_routes_can_take_faults_and_count(client):
    client.control("POST", "/faults", {"operation": "Emulator_State", "status": 503, "count": 1})
    assert client.session.get(client.url + "/_emulator/state").status_code == 503
    stats = client.control("GET", "/stats")["operations"]
    assert stats["Emulator_State"]["statuses"] == {"503": 1}
    # a regex that does not name the control API never hits it
    client.control("POST", "/faults", {"path_regex": ".*", "status": 500})
    assert client.session.get(client.url + "/_emulator/stats").status_code == 200
    client.control("DELETE", "/faults")


def test_cli_serve_writes_files_and_exits_cleanly_on_sigterm(tmp_path):
    workdir = tmp_path / "emu"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "azure_backup_emulator",
            "serve",
            "--port",
            "0",
            "--workdir",
            str(workdir),
            "--time-scale",
            "60",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while not (workdir / "url").exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "emulator did not become ready"
            time.sleep(0.05)
        url = (workdir / "url").read_text().strip()
        assert url.startswith("https://127.0.0.1:")
        env = json.loads((workdir / "env.json").read_text())
        assert env["AZURE_BACKUP_EMULATOR_URL"] == url
        assert env["AZURE_CLOUD_ENVIRONMENT"] == url + "/metadata/endpoints?api-version=2022-09-01"
        assert env["REQUESTS_CA_BUNDLE"] == str(workdir / "ca.pem")
        assert env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE"] == str(workdir / "client-cert.pem")
        assert env["AZURE_BACKUP_EMULATOR_FEDERATED_TOKEN_FILE"] == str(workdir / "federated-token")
        assert "BEGIN PRIVATE KEY" in (workdir / "client-cert.pem").read_text()
        assert (workdir / "federated-token").read_text().count(".") == 2
        sh = (workdir / "env.sh").read_text()
        for key in (
            "AZURE_CLOUD_ENVIRONMENT",
            "REQUESTS_CA_BUNDLE",
            "AZURE_TENANT",
            "AZURE_CLIENT_ID",
            "AZURE_SECRET",
            "AZURE_SUBSCRIPTION_ID",
            "AZURE_BACKUP_RESOURCE_GROUP",
            "AZURE_BACKUP_VAULT_NAME",
            "AZURE_BACKUP_EMULATOR_URL",
        ):
            assert "export %s=" % key in sh
        assert int((workdir / "pid").read_text()) == proc.pid
        resp = requests.get(
            url + "/metadata/endpoints", params={"api-version": "2022-09-01"}, verify=str(workdir / "ca.pem")
        )
        assert resp.status_code == 200
        printed = subprocess.run(
            [sys.executable, "-m", "azure_backup_emulator", "env", "--workdir", str(workdir)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert printed.stdout == sh
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_scenario_file(tmp_path):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "vault:\n  name: rsv-other\nvirtual_machines:\n  - {name: vm-one, resource_group: rg-one, protected: true}\n"
    )
    workdir = tmp_path / "emu"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "azure_backup_emulator",
            "serve",
            "--workdir",
            str(workdir),
            "--scenario",
            str(scenario),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while not (workdir / "url").exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        env = json.loads((workdir / "env.json").read_text())
        assert env["AZURE_BACKUP_VAULT_NAME"] == "rsv-other"
        url = env["AZURE_BACKUP_EMULATOR_URL"]
        state = requests.get(url + "/_emulator/state", verify=str(workdir / "ca.pem")).json()
        assert [i["vm"] for i in state["items"]] == ["vm-one"]
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "azure_backup_emulator",
            "serve",
            "--workdir",
            str(workdir),
            "--scenario",
            str(tmp_path / "missing.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2


def test_time_scale_can_be_changed_and_reset_restores_it(client):
    """POST /time/scale changes the pace without a jump; reset goes back to the start scale and to real time."""
    before = client.control("GET", "/time")
    changed = client.control("POST", "/time/scale", {"scale": 7})
    assert changed["time_scale"] == 7
    assert changed["now"] >= before["now"]
    bad = client.session.post(client.url + "/_emulator/time/scale", json={"scale": 0})
    assert bad.status_code == 400
    client.advance(86400)
    client.control("POST", "/reset")
    after = client.control("GET", "/time")
    assert after["time_scale"] == before["time_scale"]
    gap = datetime.fromisoformat(after["now"].replace("Z", "+00:00")[:26] + "+00:00") - datetime.fromisoformat(
        before["now"].replace("Z", "+00:00")[:26] + "+00:00"
    )
    assert gap.total_seconds() < 3600  # rebased on real time, not a day ahead
