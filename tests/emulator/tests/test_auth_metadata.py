"""Cloud metadata, the Entra-ID-like authority, and ARM's bearer / subscription / RG / vault checks."""

import http.client
import socket
import ssl
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

from azure_backup_emulator.timefmt import parse_iso
from conftest import SUB, VAULT


def test_metadata_2022_09_01_is_one_cloud_object(client):
    body = client.get("/metadata/endpoints", auth=False, api="2022-09-01").json()
    base = client.url + "/"
    assert body["name"] == "AzureBackupEmulator"
    assert body["resourceManager"] == base
    assert body["authentication"] == {
        "loginEndpoint": base,
        "audiences": [base],
        "tenant": "common",
        "identityProvider": "AAD",
    }
    for key in (
        "portal",
        "suffixes",
        "gallery",
        "microsoftGraphResourceId",
        "sqlManagement",
        "graph",
        "batch",
        "media",
        "activeDirectoryDataLake",
    ):
        assert key in body
    assert "storage" in body["suffixes"]


def test_metadata_2019_05_01_is_a_list(client):
    body = client.get("/metadata/endpoints", auth=False, api="2019-05-01").json()
    assert isinstance(body, list) and len(body) == 1
    assert body[0]["resourceManager"] == client.url + "/"


@pytest.mark.parametrize("version", ["2015-01-01", None])
def test_metadata_legacy_azure_stack_object(client, version):
    resp = client.get("/metadata/endpoints", auth=False, api=version)
    body = resp.json()
    assert set(body) == {"galleryEndpoint", "graphEndpoint", "portalEndpoint", "authentication"}
    assert body["authentication"]["loginEndpoint"] == client.url + "/"
    assert body["authentication"]["audiences"] == [client.url + "/"]


def test_openid_configuration_v2_and_v1(client):
    tenant = client.env["AZURE_TENANT"]
    v2 = client.get("/%s/v2.0/.well-known/openid-configuration" % tenant, auth=False, api=None).json()
    for key in ("authorization_endpoint", "token_endpoint", "issuer", "jwks_uri"):
        assert v2[key].startswith(client.url)
    assert v2["token_endpoint"] == "%s/%s/oauth2/v2.0/token" % (client.url, tenant)
    v1 = client.get("/%s/.well-known/openid-configuration" % tenant, auth=False, api=None).json()
    assert v1["token_endpoint"].endswith("/oauth2/token")
    bad = client.get("/nope/v2.0/.well-known/openid-configuration", auth=False, api=None)
    assert bad.status_code == 400 and bad.json()["error_codes"] == [90002]


def test_azure_identity_client_secret_credential_gets_working_token(ca_env):
    from azure.identity import ClientSecretCredential

    client = ca_env
    host = client.url.split("://", 1)[1]
    credential = ClientSecretCredential(
        client.env["AZURE_TENANT"],
        client.env["AZURE_CLIENT_ID"],
        client.env["AZURE_SECRET"],
        authority=host,
        disable_instance_discovery=True,
        connection_verify=client.ca,
        retry_total=0,
    )
    token = credential.get_token(client.url + "/.default")
    assert token.token.startswith("emu.")
    resp = client.get(VAULT, api="2026-11-01", headers={"Authorization": "Bearer " + token.token})
    assert resp.status_code == 200
    assert resp.json()["name"] == "rsv-demo"


def test_azure_identity_wrong_secret_is_invalid_client(ca_env):
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import ClientSecretCredential

    client = ca_env
    host = client.url.split("://", 1)[1]
    credential = ClientSecretCredential(
        client.env["AZURE_TENANT"],
        client.env["AZURE_CLIENT_ID"],
        "wrong",
        authority=host,
        disable_instance_discovery=True,
        connection_verify=client.ca,
        retry_total=0,
    )
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token(client.url + "/.default")
    assert "AADSTS7000215" in str(info.value)


def _token(client, **overrides):
    data = {
        "grant_type": "client_credentials",
        "client_id": client.env["AZURE_CLIENT_ID"],
        "client_secret": client.env["AZURE_SECRET"],
        "scope": client.url + "/.default",
    }
    data.update(overrides)
    tenant = data.pop("tenant", client.env["AZURE_TENANT"])
    return client.session.post("%s/%s/oauth2/v2.0/token" % (client.url, tenant), data=data)


def test_token_endpoint_success_and_aadsts_errors(client):
    ok = _token(client)
    assert ok.status_code == 200
    body = ok.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3599
    assert body["ext_expires_in"] == 3599 and body["access_token"]

    wrong_secret = _token(client, client_secret="nope")
    assert wrong_secret.status_code == 401
    err = wrong_secret.json()
    assert err["error"] == "invalid_client" and err["error_codes"] == [7000215]
    assert err["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    for key in ("timestamp", "trace_id", "correlation_id"):
        assert err[key]

    wrong_client = _token(client, client_id="00000000-1111-2222-3333-444444444444")
    assert wrong_client.status_code == 400 and wrong_client.json()["error_codes"] == [700016]

    wrong_tenant = _token(client, tenant="11111111-0000-0000-0000-000000000000")
    assert wrong_tenant.status_code == 400 and wrong_tenant.json()["error_codes"] == [90002]

    wrong_scope = _token(client, scope="https://vault.azure.net/.default")
    assert wrong_scope.status_code == 400 and wrong_scope.json()["error_codes"] == [500011]
    # the public ARM audience works too (clients that hard-code it)
    assert _token(client, scope="https://management.azure.com/.default").status_code == 200


def test_missing_invalid_and_expired_tokens_are_401(client):
    missing = client.get(VAULT, auth=False)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "AuthenticationFailed"
    challenge = missing.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer authorization_uri="%s/' % client.url)
    assert 'error="invalid_token"' in challenge and "error_description=" in challenge

    invalid = client.get(VAULT, headers={"Authorization": "Bearer not-a-token"})
    assert invalid.status_code == 401
    assert invalid.json()["error"]["code"] == "InvalidAuthenticationToken"

    assert client.get(VAULT).status_code == 200
    client.control("POST", "/tokens/expire")
    expired = client.get(VAULT)
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == "ExpiredAuthenticationToken"
    client.token = None  # a new token works again
    assert client.get(VAULT).status_code == 200


def test_foreign_subscription_is_403(client):
    other = VAULT.replace(SUB, "11111111-1111-1111-1111-111111111111")
    resp = client.get(other + "/backupJobs")
    assert resp.status_code == 403
    error = resp.json()["error"]
    assert error["code"] == "AuthorizationFailed"
    assert "does not have authorization to perform action" in error["message"]
    assert "Microsoft.RecoveryServices/vaults/backupJobs/read" in error["message"]


def test_unknown_resource_group_vault_and_missing_api_version(client):
    rg = client.get(VAULT.replace("rg-backup-demo", "rg-nope") + "/backupJobs")
    assert rg.status_code == 404 and rg.json()["error"]["code"] == "ResourceGroupNotFound"
    vault = client.get(VAULT.replace("rsv-demo", "rsv-nope") + "/backupJobs")
    assert vault.status_code == 404
    assert vault.json()["error"]["code"] == "ResourceNotFound"
    assert (
        "The Resource 'Microsoft.RecoveryServices/vaults/rsv-nope' under resource group 'rg-backup-demo' was not found"
    ) in vault.json()["error"]["message"]
    no_version = client.get(VAULT + "/backupJobs", api=None)
    assert no_version.status_code == 400
    assert no_version.json()["error"]["code"] == "MissingApiVersionParameter"
    for version in ("2016-12-01", "2017-07-01", "2019-05-13", "2026-10-01", "2026-11-01"):
        assert client.get(VAULT + "/backupJobs", api=version).status_code == 200
    assert client.get(VAULT + "/backupJobs", api="banana").status_code == 400


def test_arm_headers_and_case_insensitive_paths(client):
    resp = client.get(
        VAULT.replace("/subscriptions/", "/Subscriptions/")
        .replace("resourceGroups", "resourcegroups")
        .replace("Microsoft.RecoveryServices", "microsoft.recoveryservices")
        + "/BACKUPJOBS",
        headers={"x-ms-client-request-id": "my-client-id"},
    )
    assert resp.status_code == 200
    h = resp.headers
    assert h["x-ms-client-request-id"] == "my-client-id"
    assert h["x-ms-request-id"] == h["x-ms-correlation-request-id"]
    assert h["x-ms-routing-request-id"].startswith("WESTEUROPE:")
    assert int(h["x-ms-ratelimit-remaining-subscription-reads"]) >= 0
    assert h["Cache-Control"] == "no-cache" and h["Pragma"] == "no-cache" and h["Expires"] == "-1"
    assert h["Strict-Transport-Security"].startswith("max-age=")
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Server"] == "Microsoft-IIS/10.0" and h["X-Powered-By"] == "ASP.NET"
    assert h["Date"]
    assert h["Content-Type"].startswith("application/json")


def test_v1_token_endpoint_and_instance_discovery(client):
    tenant = client.env["AZURE_TENANT"]
    resp = client.session.post(
        "%s/%s/oauth2/token" % (client.url, tenant),
        data={
            "grant_type": "client_credentials",
            "client_id": client.env["AZURE_CLIENT_ID"],
            "client_secret": client.env["AZURE_SECRET"],
            "resource": client.url + "/",
        },
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["resource"] == client.url + "/" and int(body["expires_on"]) > 0
    assert client.get(VAULT, headers={"Authorization": "Bearer " + body["access_token"]}).status_code == 200
    stats = client.control("GET", "/stats")
    assert stats["token_requests"] >= 1
    discovery = client.get("/common/discovery/instance", auth=False, api="1.1").json()
    assert discovery["tenant_discovery_endpoint"].startswith(client.url)


# --- tokens revoked with a chosen code -------------------------------------------------------


def test_tokens_revoked_as_invalid_then_a_new_token_works(client):
    old = client.get_token()
    assert client.get(VAULT).status_code == 200
    revoked = client.control("POST", "/tokens/expire", {"code": "InvalidAuthenticationToken"})
    assert revoked["code"] == "InvalidAuthenticationToken" and revoked["expired"] >= 1
    resp = client.get(VAULT)
    assert resp.status_code == 401
    assert resp.json()["error"] == {
        "code": "InvalidAuthenticationToken",
        "message": "The access token is invalid.",
        "target": None,
        "details": None,
    }
    assert 'error_description="The access token is invalid."' in resp.headers["WWW-Authenticate"]
    client.token = None  # a token issued after the revocation is valid
    assert client.get_token() != old
    assert client.get(VAULT).status_code == 200
    assert client.get(VAULT, headers={"Authorization": "Bearer " + old}).status_code == 401


def test_tokens_revoked_as_expired_by_default(client):
    client.get_token()
    revoked = client.control("POST", "/tokens/expire", {"code": "ExpiredAuthenticationToken"})
    assert revoked["code"] == "ExpiredAuthenticationToken"
    resp = client.get(VAULT)
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "ExpiredAuthenticationToken"
    assert "is earlier than current UTC time" in resp.json()["error"]["message"]
    assert 'error_description="The access token has expired."' in resp.headers["WWW-Authenticate"]
    client.token = None
    assert client.get(VAULT).status_code == 200


@pytest.mark.parametrize("code", ["AuthenticationFailed", "expiredauthenticationtoken", "", None, 401])
def test_token_revocation_rejects_other_codes(client, code):
    assert client.get(VAULT).status_code == 200
    resp = client.session.post(client.url + "/_emulator/tokens/expire", json={"code": code}, timeout=10)
    assert resp.status_code == 400
    assert "InvalidAuthenticationToken" in resp.json()["error"]["message"]
    assert client.get(VAULT).status_code == 200  # nothing was revoked


# --- Date: the emulated clock ------------------------------------------------------------------

THREE_DAYS = 3 * 86400


def _emulated_now(client):
    return parse_iso(client.control("GET", "/time")["now"])


def _assert_emulated(header, before, after):
    value = parsedate_to_datetime(header)
    assert before.replace(microsecond=0) <= value <= after, (header, before, after)
    assert value - datetime.now(timezone.utc) > timedelta(days=2)  # not real time


def test_date_header_is_the_emulated_time_on_every_response(client):
    client.advance(THREE_DAYS)
    tenant = client.env["AZURE_TENANT"]
    before = _emulated_now(client)
    responses = [
        client.get(VAULT),  # ARM 200
        client.get(VAULT + "/backupJobs/00000000-0000-0000-0000-000000000001"),  # ARM 404
        client.get(VAULT, auth=False),  # ARM 401 (raised before the view)
        client.get("/metadata/endpoints", auth=False, api="2022-09-01"),
        client.get("/%s/v2.0/.well-known/openid-configuration" % tenant, auth=False, api=None),
        client.session.post(
            "%s/%s/oauth2/v2.0/token" % (client.url, tenant),
            data={"grant_type": "client_credentials", "client_id": "nobody", "scope": client.url + "/.default"},
        ),  # AADSTS error
        client.session.get(client.url + "/_emulator/stats"),
        client.session.get(client.url + "/no/such/route"),
    ]
    after = _emulated_now(client)
    assert [r.status_code for r in responses] == [200, 404, 401, 200, 200, 400, 200, 404]
    for resp in responses:
        _assert_emulated(resp.headers["Date"], before, after)
    # x-ms-routing-request-id stamps the emulated time too
    region, stamp, request_id = responses[0].headers["x-ms-routing-request-id"].split(":")
    routed = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    assert region == "WESTEUROPE" and request_id == responses[0].headers["x-ms-request-id"]
    assert before.replace(microsecond=0) <= routed <= after


def _raw_connection(client):
    context = ssl.create_default_context(cafile=client.ca)
    return http.client.HTTPSConnection("127.0.0.1", client.server.port, context=context, timeout=10)


def test_raw_response_has_exactly_one_date_and_server_header(client):
    client.advance(THREE_DAYS)
    before = _emulated_now(client)
    for path, headers in (
        ("%s?api-version=2026-10-01" % VAULT, {"Authorization": "Bearer " + client.get_token()}),
        ("/_emulator/time", {}),
        ("/metadata/endpoints?api-version=2022-09-01", {}),
    ):
        conn = _raw_connection(client)
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
            dates = resp.msg.get_all("Date")
            assert len(dates) == 1, dates
            assert resp.msg.get_all("Server") == ["Microsoft-IIS/10.0"]
            _assert_emulated(dates[0], before, _emulated_now(client))
        finally:
            conn.close()


def test_answer_made_by_the_http_server_itself_has_one_emulated_date(client):
    """A request line the HTTP server cannot parse never reaches the app; the server writes Date (server._Request)."""
    client.advance(THREE_DAYS)
    before = _emulated_now(client)
    context = ssl.create_default_context(cafile=client.ca)
    with socket.create_connection(("127.0.0.1", client.server.port), timeout=10) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            sock.sendall(b"GET /a b c HTTP/1.1\r\n\r\n")
            data = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    assert head[0].startswith("HTTP/1.1 400")
    dates = [line.split(":", 1)[1].strip() for line in head[1:] if line.lower().startswith("date:")]
    assert len(dates) == 1, head
    _assert_emulated(dates[0], before, _emulated_now(client))


# --- revocation in the middle of a task (fault action revoke_tokens) ----------------------------


def test_revoke_tokens_fault_revokes_the_token_the_request_carries(client):
    old = client.get_token()
    client.control("POST", "/faults", {"operation": "JobDetails_Get", "action": "revoke_tokens", "count": 1})
    assert client.get(VAULT).status_code == 200  # another route: untouched, token still good
    resp = client.get(VAULT + "/backupJobs/0a0a0a0a-1111-2222-3333-444444444444")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "ExpiredAuthenticationToken"
    assert client.get(VAULT, headers={"Authorization": "Bearer " + old}).status_code == 401  # revoked for good
    client.token = None
    assert client.get(VAULT).status_code == 200  # a token issued afterwards works


@pytest.mark.parametrize("spec", [{"phase": "after"}, {"code": "AuthenticationFailed"}])
def test_revoke_tokens_fault_is_checked(client, spec):
    resp = client.session.post(
        client.url + "/_emulator/faults",
        json=dict({"operation": "JobDetails_Get", "action": "revoke_tokens"}, **spec),
        timeout=10,
    )
    assert resp.status_code == 400
