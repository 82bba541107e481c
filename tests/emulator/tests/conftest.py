"""Fixtures: a real emulator (HTTPS, port 0) in this process, and an authenticated client."""

import urllib.parse

import pytest
import requests

from azure_backup_emulator.server import EmulatorServer

SUB = "00000000-0000-0000-0000-000000000000"
VAULT = "/subscriptions/%s/resourceGroups/rg-backup-demo/providers/Microsoft.RecoveryServices/vaults/rsv-demo" % SUB
API = "2026-10-01"


def item_path(vm, rg="rg-workloads", quote=False):
    container = "IaasVMContainer;iaasvmcontainerv2;%s;%s" % (rg, vm)
    item = "VM;iaasvmcontainerv2;%s;%s" % (rg, vm)
    if quote:
        container, item = urllib.parse.quote(container, safe=""), urllib.parse.quote(item, safe="")
    return "%s/backupFabrics/Azure/protectionContainers/%s/protectedItems/%s" % (VAULT, container, item)


class Client:
    """requests over one session that trusts only the emulator's CA (ignores the environment)."""

    def __init__(self, server, workdir):
        self.server = server
        self.url = server.url
        self.env = server.write_workdir(str(workdir))
        self.ca = self.env["REQUESTS_CA_BUNDLE"]
        self.session = self.new_session()
        self.token = None

    def new_session(self):
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca
        return session

    def full(self, path):
        return path if path.startswith("https://") else self.url + path

    def request(self, method, path, params=None, auth=True, api=API, **kw):
        params = dict(params or {})
        if api and not path.startswith("https://") and not path.startswith("/_emulator") and "api-version" not in path:
            params.setdefault("api-version", api)
        headers = dict(kw.pop("headers", {}) or {})
        if auth:
            headers.setdefault("Authorization", "Bearer " + self.get_token())
        return self.session.request(method, self.full(path), params=params, headers=headers, timeout=10, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, **kw):
        return self.request("POST", path, **kw)

    def get_token(self):
        if self.token is None:
            resp = self.session.post(
                "%s/%s/oauth2/v2.0/token" % (self.url, self.env["AZURE_TENANT"]),
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.env["AZURE_CLIENT_ID"],
                    "client_secret": self.env["AZURE_SECRET"],
                    "scope": self.url + "/.default",
                },
                timeout=10,
            )
            assert resp.status_code == 200, resp.text
            self.token = resp.json()["access_token"]
        return self.token

    # control API
    def control(self, method, path, json=None):
        resp = self.session.request(method, self.url + "/_emulator" + path, json=json, timeout=10)
        assert resp.status_code < 300, resp.text
        return resp.json()

    def advance(self, seconds):
        return self.control("POST", "/time/advance", {"seconds": seconds})

    def trigger(self, vm, body=None):
        body = body if body is not None else {"properties": {"objectType": "IaasVMBackupRequest"}}
        return self.post(item_path(vm) + "/backup", json=body)

    def job_id_of(self, response, advance=60):
        """Follow a 202 to its jobId (advancing emulated time past the operation)."""
        self.advance(advance)
        status = self.get(response.headers["Azure-AsyncOperation"], api=None)
        assert status.status_code == 200
        assert status.json()["status"] == "Succeeded", status.json()
        return status.json()["properties"]["jobId"]


@pytest.fixture(scope="session")
def server():
    srv = EmulatorServer(port=0, time_scale=1.0).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def session_client(server, tmp_path_factory):
    return Client(server, tmp_path_factory.mktemp("emu"))


@pytest.fixture
def client(session_client):
    session_client.control("POST", "/reset")
    return session_client


@pytest.fixture
def ca_env(session_client, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", session_client.ca)
    return session_client
