"""Every credential kind the authority accepts, end to end with the real client libraries (msal,
azure-identity) and with hand-made requests for each check: client certificate (client assertion),
username/password (ROPC), workload identity federation, managed identity (IMDS)."""

import json
import os
import stat
import time
import uuid
import warnings
from datetime import datetime, timedelta, timezone

import jwt as pyjwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from azure_backup_emulator.keys import ClientCertificate, Jwt, JwtError, b64url
from conftest import SUB, VAULT

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
IMDS_ENV = (
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
)


# --- helpers -----------------------------------------------------------------------------------


def _arm_ok(client, token):
    resp = client.get(VAULT, headers={"Authorization": "Bearer " + token})
    assert resp.status_code == 200, resp.text
    assert resp.json()["name"] == "rsv-demo"


def _token_request(client, data, tenant=None, v1=False):
    tenant = tenant or client.env["AZURE_TENANT"]
    path = "oauth2/token" if v1 else "oauth2/v2.0/token"
    return client.session.post("%s/%s/%s" % (client.url, tenant, path), data=data, timeout=10)


def _aadsts(resp, status, error, code):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["error"] == error, body
    assert body["error_codes"] == [code], body
    assert body["error_description"].startswith("AADSTS%d: " % code), body
    return body["error_description"]


def _bundle(client):
    with open(client.env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE"], encoding="utf-8") as handle:
        text = handle.read()
    key = serialization.load_pem_private_key(text.encode(), None)
    cert = x509.load_pem_x509_certificate(text.encode())
    return text, key, cert


def _self_signed(days_valid=30, not_before_days=-1):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-client")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=not_before_days))
        .not_valid_after(now + timedelta(days=days_valid))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _assertion(client, key, cert, headers=None, alg="RS256", sha256=False, **claims):
    now = int(time.time())
    body = {
        "aud": "%s/%s/oauth2/v2.0/token" % (client.url, client.env["AZURE_TENANT"]),
        "iss": client.env["AZURE_CLIENT_ID"],
        "sub": client.env["AZURE_CLIENT_ID"],
        "exp": now + 600,
        "nbf": now,
        "iat": now,
        "jti": str(uuid.uuid4()),
    }
    body.update(claims)
    body = {k: v for k, v in body.items() if v is not None}
    if sha256:
        head = {"x5t#S256": b64url(cert.fingerprint(hashes.SHA256()))}
    else:
        head = {"x5t": b64url(cert.fingerprint(hashes.SHA1()))}
    head.update(headers or {})
    return pyjwt.encode(body, key, algorithm=alg, headers=head)


def _assertion_form(client, assertion, **extra):
    data = {
        "grant_type": "client_credentials",
        "client_id": client.env["AZURE_CLIENT_ID"],
        "client_assertion_type": JWT_BEARER,
        "client_assertion": assertion,
        "scope": client.url + "/.default",
    }
    data.update(extra)
    return data


@pytest.fixture
def scenario(client):
    """Load a scenario (merged over the default) for one test; the default one is back afterwards."""
    loaded = []

    def load(document):
        resp = client.session.post(client.url + "/_emulator/scenario", json=document, timeout=10)
        assert resp.status_code == 200, resp.text
        loaded.append(document)

    yield load
    if loaded:
        client.control("POST", "/scenario", {})


# --- files and environment ----------------------------------------------------------------------


def test_workdir_has_certificate_token_and_env_names(session_client):
    client = session_client
    env = client.env
    path = env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE"]
    assert os.path.basename(path) == "client-cert.pem" and os.path.isabs(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text, key, cert = _bundle(client)
    assert text.index("PRIVATE KEY-----") < text.index("BEGIN CERTIFICATE")  # key first, then cert
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    thumbprint = env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE_THUMBPRINT"]
    assert thumbprint == cert.fingerprint(hashes.SHA1()).hex().upper() and len(thumbprint) == 40

    assert env["AZURE_BACKUP_EMULATOR_AD_USER"] == "backup-operator@emulator.onmicrosoft.com"
    assert env["AZURE_BACKUP_EMULATOR_PASSWORD"] == "emulator-password"
    assert env["AZURE_BACKUP_EMULATOR_IMDS_HOST"] == client.url
    assert env["AZURE_BACKUP_EMULATOR_MANAGED_IDENTITY_CLIENT_ID"] == "9b7a5c6e-1f8d-4e0c-9a2b-5d6e7f8091a2"
    token_file = env["AZURE_BACKUP_EMULATOR_FEDERATED_TOKEN_FILE"]
    assert os.path.basename(token_file) == "federated-token"
    with open(token_file, encoding="utf-8") as handle:
        claims = Jwt(handle.read()).claims
    assert claims["iss"] == client.url + "/federation" and claims["sub"] == "system:serviceaccount:backup:runner"
    assert claims["aud"] == ["api://AzureADTokenExchange"] and claims["exp"] > time.time() + 3600

    # the names azure-identity reads itself are not exported: DefaultAzureCredential stays as it was
    for name in ("AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AD_USER", "AZURE_PASSWORD"):
        assert name not in env
    workdir = os.path.dirname(path)
    with open(os.path.join(workdir, "env.json"), encoding="utf-8") as handle:
        assert json.load(handle) == env
    with open(os.path.join(workdir, "env.sh"), encoding="utf-8") as handle:
        sh = handle.read()
    for name in (
        "AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE",
        "AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE_THUMBPRINT",
        "AZURE_BACKUP_EMULATOR_AD_USER",
        "AZURE_BACKUP_EMULATOR_PASSWORD",
        "AZURE_BACKUP_EMULATOR_FEDERATED_TOKEN_FILE",
        "AZURE_BACKUP_EMULATOR_IMDS_HOST",
        "AZURE_BACKUP_EMULATOR_MANAGED_IDENTITY_CLIENT_ID",
    ):
        assert "export %s=" % name in sh


def test_scenario_certificate_replaces_the_generated_one(client, scenario, tmp_path):
    key, cert = _self_signed()
    scenario({"client_certificate_pem": cert.public_bytes(serialization.Encoding.PEM).decode()})
    env = client.server.write_workdir(str(tmp_path))
    assert "AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE" not in env  # no private key to hand out
    assert not (tmp_path / "client-cert.pem").exists()
    assert env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE_THUMBPRINT"] == cert.fingerprint(hashes.SHA1()).hex().upper()
    ok = _token_request(client, _assertion_form(client, _assertion(client, key, cert)))
    assert ok.status_code == 200, ok.text
    _arm_ok(client, ok.json()["access_token"])
    # the generated certificate is no longer registered
    _text, gen_key, gen_cert = _bundle(client)
    old = _token_request(client, _assertion_form(client, _assertion(client, gen_key, gen_cert)))
    assert "The key was not found." in _aadsts(old, 401, "invalid_client", 700027)
    shown = client.control("GET", "/scenario")
    assert shown["client_certificate_pem"].startswith("-----BEGIN CERTIFICATE")


def test_expired_registered_certificate_is_refused(client, scenario):
    key, cert = _self_signed(days_valid=-1, not_before_days=-30)
    scenario({"client_certificate_pem": cert.public_bytes(serialization.Encoding.PEM).decode()})
    resp = _token_request(client, _assertion_form(client, _assertion(client, key, cert)))
    assert "The key used is expired." in _aadsts(resp, 401, "invalid_client", 700027)


def test_scenario_rejects_a_certificate_that_is_not_one(client):
    resp = client.session.post(
        client.url + "/_emulator/scenario", json={"client_certificate_pem": "not a pem"}, timeout=10
    )
    assert resp.status_code == 400 and "client_certificate_pem" in resp.json()["error"]["message"]


# --- client certificate --------------------------------------------------------------------------


def _msal_token(client, credential, sent=None):
    """msal's client-credentials flow against the emulator's authority with ``credential``: its answer. The
    form bodies msal posts are appended to ``sent`` (a list) when one is given."""
    import msal
    import requests

    class Recording(requests.Session):
        def post(self, url, **kwargs):  # pylint: disable=arguments-differ
            if sent is not None:
                sent.append(kwargs.get("data") or {})
            return super(Recording, self).post(url, **kwargs)

    http = Recording()
    http.verify = client.ca
    app = msal.ConfidentialClientApplication(
        client.env["AZURE_CLIENT_ID"],
        authority="%s/%s" % (client.url, client.env["AZURE_TENANT"]),
        client_credential=credential,
        instance_discovery=False,
        http_client=http,
    )
    return app.acquire_token_for_client(scopes=[client.url + "/.default"])


def test_msal_confidential_client_with_private_key_and_thumbprint(ca_env):
    client = ca_env  # requests lets REQUESTS_CA_BUNDLE override msal's verify=

    text, _key, _cert = _bundle(client)
    thumbprint = client.env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE_THUMBPRINT"]
    result = _msal_token(client, {"private_key": text, "thumbprint": thumbprint})
    assert "access_token" in result, result
    _arm_ok(client, result["access_token"])

    failed = _msal_token(client, {"private_key": text, "thumbprint": "AB" * 20})
    assert failed.get("error") == "invalid_client" and failed["error_codes"] == [700027], failed
    assert "Thumbprint of key used by client: '%s'" % ("AB" * 20) in failed["error_description"]


def test_msal_with_public_certificate_signs_ps256_with_x5t_s256(ca_env):
    client = ca_env  # requests lets REQUESTS_CA_BUNDLE override msal's verify=

    text, _key, cert = _bundle(client)
    public = cert.public_bytes(serialization.Encoding.PEM).decode()
    sent = []
    result = _msal_token(client, {"private_key": text, "public_certificate": public}, sent)
    assert "access_token" in result, result
    _arm_ok(client, result["access_token"])
    header = pyjwt.get_unverified_header([form for form in sent if "client_assertion" in form][-1]["client_assertion"])
    assert header["alg"] == "PS256" and "x5t#S256" in header and "x5t" not in header, header


def test_azure_identity_certificate_credential_with_the_pem_file(client):
    from azure.identity import CertificateCredential

    credential = CertificateCredential(
        client.env["AZURE_TENANT"],
        client.env["AZURE_CLIENT_ID"],
        certificate_path=client.env["AZURE_BACKUP_EMULATOR_CLIENT_CERTIFICATE"],
        authority=client.url.split("://", 1)[1],
        disable_instance_discovery=True,
        connection_verify=client.ca,
        retry_total=0,
    )
    _arm_ok(client, credential.get_token(client.url + "/.default").token)


@pytest.mark.parametrize(
    "audience",
    [
        "{url}/{tenant}/oauth2/v2.0/token",
        "{url}/{tenant}/oauth2/token",
        "{url}/{domain}/oauth2/v2.0/token",
        "{localhost}/{TENANT}/oauth2/v2.0/token/",
    ],
)
def test_assertion_audience_may_name_either_endpoint_and_tenant_form(client, audience):
    _text, key, cert = _bundle(client)
    aud = audience.format(
        url=client.url,
        localhost=client.url.replace("127.0.0.1", "localhost"),
        tenant=client.env["AZURE_TENANT"],
        TENANT=client.env["AZURE_TENANT"].upper(),
        domain="emulator.onmicrosoft.com",
    )
    resp = _token_request(client, _assertion_form(client, _assertion(client, key, cert, aud=aud)))
    assert resp.status_code == 200, resp.text
    _arm_ok(client, resp.json()["access_token"])


def test_assertion_on_the_v1_endpoint(client):
    _text, key, cert = _bundle(client)
    aud = "%s/%s/oauth2/token" % (client.url, client.env["AZURE_TENANT"])
    form = _assertion_form(client, _assertion(client, key, cert, aud=aud), resource=client.url + "/")
    del form["scope"]
    resp = _token_request(client, form, v1=True)
    assert resp.status_code == 200, resp.text
    assert resp.json()["resource"] == client.url + "/"
    _arm_ok(client, resp.json()["access_token"])


def test_assertion_checks_each_map_to_the_entra_code(client):
    _text, key, cert = _bundle(client)
    other_key, other_cert = _self_signed()
    now = int(time.time())

    def send(assertion, **extra):
        return _token_request(client, _assertion_form(client, assertion, **extra))

    # signed by another key, but naming the registered certificate
    forged = _assertion(client, other_key, cert)
    assert "did not match the expected signature value" in _aadsts(send(forged), 401, "invalid_client", 700027)
    # a certificate that is not registered
    unknown = _assertion(client, other_key, other_cert)
    description = _aadsts(send(unknown), 401, "invalid_client", 700027)
    assert "Client assertion contains an invalid signature. [Reason - The key was not found." in description
    assert other_cert.fingerprint(hashes.SHA1()).hex().upper() in description
    # x5t#S256 of another certificate
    assert _aadsts(send(_assertion(client, key, other_cert, sha256=True)), 401, "invalid_client", 700027)
    # expired / not yet valid
    expired = _assertion(client, key, cert, exp=now - 10, nbf=now - 700, iat=now - 700)
    description = _aadsts(send(expired), 401, "invalid_client", 700024)
    assert "Client assertion is not within its valid time range. Current time: " in description
    assert "expiry time of assertion " in description
    early = _assertion(client, key, cert, nbf=now + 300)
    assert _aadsts(send(early), 401, "invalid_client", 700024)
    # malformed / not a JWT / wrong algorithm / missing claims
    for garbage in ("not-a-jwt", "a.b.c", forged.rsplit(".", 1)[0] + "."):
        assert "JWT token is invalid or malformed." in _aadsts(send(garbage), 400, "invalid_request", 50027)
    hs = pyjwt.encode({"iss": "x"}, "secret-secret-secret-secret-secret", algorithm="HS256", headers={"x5t": "abc"})
    assert _aadsts(send(hs), 400, "invalid_request", 5002730)
    assert _aadsts(send(_assertion(client, key, cert, jti=None)), 400, "invalid_request", 50027)
    assert _aadsts(send(_assertion(client, key, cert, exp=None)), 400, "invalid_request", 50027)
    listed = _assertion(client, key, cert, aud=[client.url + "/" + client.env["AZURE_TENANT"] + "/oauth2/v2.0/token"])
    assert _aadsts(send(listed), 400, "invalid_request", 50027)
    # claims
    wrong_iss = _assertion(client, key, cert, iss=AZURE_CLI_CLIENT_ID, sub=AZURE_CLI_CLIENT_ID)
    assert "doesn't match 'client_id' parameter" in _aadsts(send(wrong_iss), 401, "invalid_client", 700021)
    wrong_sub = _assertion(client, key, cert, sub="someone-else")
    assert _aadsts(send(wrong_sub), 401, "invalid_client", 50048)
    wrong_aud = _assertion(client, key, cert, aud="https://login.microsoftonline.com/x/oauth2/v2.0/token")
    assert "audience claim does not match Realm issuer" in _aadsts(send(wrong_aud), 401, "invalid_client", 700023)
    other_tenant = _assertion(client, key, cert, aud="%s/%s/oauth2/v2.0/token" % (client.url, SUB))
    assert _aadsts(send(other_tenant), 401, "invalid_client", 700023)
    # the request itself
    good = _assertion(client, key, cert)
    assert _aadsts(send(good, client_assertion_type="urn:other"), 400, "invalid_request", 50027)
    form = _assertion_form(client, good)
    del form["client_assertion_type"]
    assert "'client_assertion_type'" in _aadsts(_token_request(client, form), 400, "invalid_request", 900144)
    assert _aadsts(send(good, client_id=AZURE_CLI_CLIENT_ID), 400, "unauthorized_client", 700016)
    # and the same assertion, unchanged, is good (msal re-sends one for up to 10 minutes)
    for dummy in range(2):
        ok = send(good)
        assert ok.status_code == 200, ok.text
    _arm_ok(client, ok.json()["access_token"])


def test_rs256_and_ps256_both_verify(client):
    _text, key, cert = _bundle(client)
    for alg, sha256 in (("RS256", False), ("PS256", True), ("PS256", False), ("RS256", True)):
        resp = _token_request(client, _assertion_form(client, _assertion(client, key, cert, alg=alg, sha256=sha256)))
        assert resp.status_code == 200, (alg, sha256, resp.text)


# --- username / password (ROPC) ------------------------------------------------------------------


def _ropc(client, username=None, password=None, tenant=None, **extra):
    data = {
        "grant_type": "password",
        "client_id": AZURE_CLI_CLIENT_ID,
        "username": username or client.env["AZURE_BACKUP_EMULATOR_AD_USER"],
        "password": password if password is not None else client.env["AZURE_BACKUP_EMULATOR_PASSWORD"],
        "scope": client.url + "/.default openid profile offline_access",
    }
    data.update(extra)
    return _token_request(client, {k: v for k, v in data.items() if v is not None}, tenant=tenant)


@pytest.fixture
def no_realm_discovery(monkeypatch):
    """msal asks https://{hostname}/common/userrealm/... before a username/password sign-in, dropping
    the authority's port (so it would ask 127.0.0.1:443); it skips hosts in this set (as after a 404)."""
    import msal

    monkeypatch.setattr(msal.authority.Authority, "_domains_without_user_realm_discovery", {"127.0.0.1"})


def test_msal_public_client_username_password(ca_env, no_realm_discovery):
    import msal

    client = ca_env  # requests lets REQUESTS_CA_BUNDLE override msal's verify=

    app = msal.PublicClientApplication(
        AZURE_CLI_CLIENT_ID,
        authority="%s/%s" % (client.url, client.env["AZURE_TENANT"]),
        instance_discovery=False,
        verify=client.ca,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        result = app.acquire_token_by_username_password(
            client.env["AZURE_BACKUP_EMULATOR_AD_USER"],
            client.env["AZURE_BACKUP_EMULATOR_PASSWORD"],
            scopes=[client.url + "/.default"],
        )
    assert "access_token" in result, result
    claims = result["id_token_claims"]
    assert claims["preferred_username"] == "backup-operator@emulator.onmicrosoft.com"
    assert claims["tid"] == client.env["AZURE_TENANT"] and claims["aud"] == AZURE_CLI_CLIENT_ID
    _arm_ok(client, result["access_token"])
    assert app.get_accounts()[0]["username"] == "backup-operator@emulator.onmicrosoft.com"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        bad = app.acquire_token_by_username_password(
            client.env["AZURE_BACKUP_EMULATOR_AD_USER"], "wrong", scopes=[client.url + "/.default"]
        )
    assert bad["error"] == "invalid_grant" and bad["error_codes"] == [50126], bad


def test_azure_identity_username_password_credential(client, no_realm_discovery):
    from azure.identity import UsernamePasswordCredential

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        credential = UsernamePasswordCredential(
            AZURE_CLI_CLIENT_ID,
            client.env["AZURE_BACKUP_EMULATOR_AD_USER"],
            client.env["AZURE_BACKUP_EMULATOR_PASSWORD"],
            tenant_id=client.env["AZURE_TENANT"],
            authority=client.url.split("://", 1)[1],
            disable_instance_discovery=True,
            connection_verify=client.ca,
            retry_total=0,
        )
        token = credential.get_token(client.url + "/.default").token
    _arm_ok(client, token)


def test_id_token_is_signed_with_the_published_tenant_key(client):
    resp = _ropc(client, client_info="1")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["scope"].split()[0] == client.url + "/.default"
    keys = client.get("/%s/discovery/v2.0/keys" % client.env["AZURE_TENANT"], auth=False, api=None).json()["keys"]
    header = pyjwt.get_unverified_header(body["id_token"])
    key = next(k for k in keys if k["kid"] == header["kid"])
    claims = pyjwt.decode(
        body["id_token"],
        pyjwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience=AZURE_CLI_CLIENT_ID,
        issuer="%s/%s/v2.0" % (client.url, client.env["AZURE_TENANT"]),
    )
    assert claims["oid"] == "5d3c1e2a-7b4f-4a6e-9c8d-1f2e3a4b5c6d"
    info = json.loads(pyjwt.utils.base64url_decode(body["client_info"]))
    assert info == {"uid": claims["oid"], "utid": client.env["AZURE_TENANT"]}


def test_user_token_is_checked_by_arm_as_the_user(client):
    token = _ropc(client).json()["access_token"]
    _arm_ok(client, token)
    other = VAULT.replace(SUB, "11111111-1111-1111-1111-111111111111")
    resp = client.get(other, headers={"Authorization": "Bearer " + token})
    assert resp.status_code == 403
    assert "object id '5d3c1e2a-7b4f-4a6e-9c8d-1f2e3a4b5c6d'" in resp.json()["error"]["message"]


def test_ropc_errors(client):
    description = _aadsts(_ropc(client, password="wrong"), 400, "invalid_grant", 50126)
    assert "invalid username or password" in description
    unknown = _ropc(client, username="nobody@emulator.onmicrosoft.com")
    assert "does not exist in the" in _aadsts(unknown, 400, "invalid_grant", 50034)
    mfa = _ropc(client, username="MFA-user@emulator.onmicrosoft.com")
    description = _aadsts(mfa, 400, "invalid_grant", 50076)
    assert description.startswith(
        "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new "
        "location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'."
    )
    assert mfa.json()["suberror"] == "basic_action" and json.loads(mfa.json()["claims"])["access_token"]
    # the password is checked before MFA
    assert _aadsts(
        _ropc(client, username="mfa-user@emulator.onmicrosoft.com", password="x"), 400, "invalid_grant", 50126
    )
    assert "'password'" in _aadsts(_ropc(client, password=""), 400, "invalid_request", 900144)
    assert _aadsts(_ropc(client, client_id="not-a-guid"), 400, "unauthorized_client", 700016)
    # the confidential app must prove itself too
    assert _aadsts(_ropc(client, client_id=client.env["AZURE_CLIENT_ID"]), 401, "invalid_client", 7000218)
    confidential = _ropc(client, client_id=client.env["AZURE_CLIENT_ID"], client_secret=client.env["AZURE_SECRET"])
    assert confidential.status_code == 200, confidential.text
    assert _aadsts(_ropc(client, scope="https://vault.azure.net/.default"), 400, "invalid_resource", 500011)
    assert _aadsts(_ropc(client, tenant="11111111-0000-0000-0000-000000000000"), 400, "invalid_request", 90002)


def test_ropc_on_organizations_and_domain_and_v1(client):
    for tenant in ("organizations", "emulator.onmicrosoft.com"):
        resp = _ropc(client, tenant=tenant)
        assert resp.status_code == 200, resp.text
        _arm_ok(client, resp.json()["access_token"])
    v1 = client.session.post(
        "%s/%s/oauth2/token" % (client.url, client.env["AZURE_TENANT"]),
        data={
            "grant_type": "password",
            "client_id": AZURE_CLI_CLIENT_ID,
            "username": client.env["AZURE_BACKUP_EMULATOR_AD_USER"],
            "password": client.env["AZURE_BACKUP_EMULATOR_PASSWORD"],
            "resource": client.url + "/",
        },
        timeout=10,
    )
    assert v1.status_code == 200, v1.text
    assert Jwt(v1.json()["id_token"]).claims["upn"] == client.env["AZURE_BACKUP_EMULATOR_AD_USER"]
    _arm_ok(client, v1.json()["access_token"])
    # client credentials need a tenant
    secret = {
        "grant_type": "client_credentials",
        "client_id": client.env["AZURE_CLIENT_ID"],
        "client_secret": client.env["AZURE_SECRET"],
        "scope": client.url + "/.default",
    }
    assert _aadsts(_token_request(client, secret, tenant="organizations"), 400, "invalid_request", 50059)


def test_password_never_reaches_the_log_or_the_scenario_view(client):
    password = client.env["AZURE_BACKUP_EMULATOR_PASSWORD"]
    _ropc(client)
    _token_request(client, {"grant_type": "password", "password": password}, tenant="organizations")
    client.session.post(
        "%s/%s/oauth2/v2.0/token?password=%s" % (client.url, client.env["AZURE_TENANT"], password), timeout=10
    )
    log = client.session.get(client.url + "/_emulator/requests", timeout=10).text
    assert password not in log and "Token" in log
    shown = client.control("GET", "/scenario")
    assert password not in json.dumps(shown)
    assert [u["password"] for u in shown["users"]] == ["***", "***"]


def test_user_realm_discovery(client):
    managed = client.get("/common/userrealm/backup-operator@emulator.onmicrosoft.com", auth=False, api="1.0").json()
    assert managed["account_type"] == "Managed" and managed["domain_name"] == "emulator.onmicrosoft.com"
    other = client.get("/common/userrealm/someone@example.com", auth=False, api="1.0").json()
    assert other["account_type"] == "Unknown"


def test_scenario_users_follow_tenant_domain(client, scenario):
    scenario({"tenant_domain": "contoso.onmicrosoft.com"})
    assert _ropc(client, username="backup-operator@contoso.onmicrosoft.com").status_code == 200
    assert _aadsts(_ropc(client), 400, "invalid_grant", 50034)


# --- workload identity federation ---------------------------------------------------------------


def _federated(client, **body):
    return client.control("POST", "/federated-token", body or None)


def _federated_form(client, assertion):
    return _assertion_form(client, assertion)


def test_federated_token_is_signed_by_the_published_issuer(client):
    minted = _federated(client)
    assert set(minted) >= {"token"}
    issuer = client.url + "/federation"
    config = client.session.get(issuer + "/.well-known/openid-configuration", timeout=10).json()
    assert config["issuer"] == issuer
    jwks = client.session.get(config["jwks_uri"], timeout=10).json()
    header = pyjwt.get_unverified_header(minted["token"])
    assert header["alg"] == "RS256"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    claims = pyjwt.decode(
        minted["token"],
        pyjwt.PyJWK(key).key,
        algorithms=["RS256"],
        audience="api://AzureADTokenExchange",
        issuer=issuer,
    )
    assert claims["sub"] == "system:serviceaccount:backup:runner"
    assert 3500 < claims["exp"] - time.time() <= 3600
    custom = Jwt(_federated(client, subject="system:serviceaccount:x:y", expires_in=120)["token"]).claims
    assert custom["sub"] == "system:serviceaccount:x:y" and custom["exp"] - time.time() <= 120


def test_federated_assertion_gets_a_token_arm_accepts(client):
    resp = _token_request(client, _federated_form(client, _federated(client)["token"]))
    assert resp.status_code == 200, resp.text
    _arm_ok(client, resp.json()["access_token"])


def test_federated_assertion_errors(client):
    def send(token):
        return _token_request(client, _federated_form(client, token))

    wrong_subject = _federated(client, subject="system:serviceaccount:backup:other")["token"]
    description = _aadsts(send(wrong_subject), 400, "invalid_request", 70021)
    assert "No matching federated identity record found for presented assertion." in description
    assert "Assertion Subject: 'system:serviceaccount:backup:other'" in description
    # subjects match case-sensitively
    assert _aadsts(
        send(_federated(client, subject="system:serviceaccount:backup:RUNNER")["token"]), 400, "invalid_request", 70021
    )
    assert _aadsts(send(_federated(client, issuer="https://issuer.example")["token"]), 400, "invalid_request", 70021)
    assert _aadsts(send(_federated(client, audience="api://other")["token"]), 400, "invalid_request", 70021)
    expired = _federated(client, expires_in=-60)["token"]
    assert "not within its valid time range" in _aadsts(send(expired), 401, "invalid_client", 700024)
    # same claims, signed by a key that is not the issuer's
    claims = Jwt(_federated(client)["token"]).claims
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = pyjwt.encode(claims, own_key, algorithm="RS256")
    assert _aadsts(send(forged), 401, "invalid_client", 700027)
    # a federated token for another app's client id
    form = _federated_form(client, _federated(client)["token"])
    form["client_id"] = AZURE_CLI_CLIENT_ID
    assert _aadsts(_token_request(client, form), 400, "unauthorized_client", 700016)


def test_federated_token_control_checks_its_body(client):
    for body in ({"expires_in": "soon"}, {"subject": ""}, {"issuer": 5}):
        resp = client.session.post(client.url + "/_emulator/federated-token", json=body, timeout=10)
        assert resp.status_code == 400, body


def test_azure_identity_workload_identity_credential_with_the_token_file(client):
    from azure.identity import WorkloadIdentityCredential

    credential = WorkloadIdentityCredential(
        tenant_id=client.env["AZURE_TENANT"],
        client_id=client.env["AZURE_CLIENT_ID"],
        token_file_path=client.env["AZURE_BACKUP_EMULATOR_FEDERATED_TOKEN_FILE"],
        authority=client.url.split("://", 1)[1],
        disable_instance_discovery=True,
        connection_verify=client.ca,
        retry_total=0,
    )
    _arm_ok(client, credential.get_token(client.url + "/.default").token)


def test_workload_identity_credential_with_a_wrong_subject_fails(client, tmp_path):
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import WorkloadIdentityCredential

    token_file = tmp_path / "token"
    token_file.write_text(_federated(client, subject="system:serviceaccount:other:sa")["token"])
    credential = WorkloadIdentityCredential(
        tenant_id=client.env["AZURE_TENANT"],
        client_id=client.env["AZURE_CLIENT_ID"],
        token_file_path=str(token_file),
        authority=client.url.split("://", 1)[1],
        disable_instance_discovery=True,
        connection_verify=client.ca,
        retry_total=0,
    )
    with pytest.raises(ClientAuthenticationError) as info:
        credential.get_token(client.url + "/.default")
    assert "AADSTS70021" in str(info.value)


def test_scenario_federated_credential_of_an_external_issuer(client, scenario):
    github = "https://token.actions.githubusercontent.com"
    subject = "repo:cloudops/azure_backup:ref:refs/heads/main"
    scenario({"federated_credentials": [{"name": "gha", "issuer": github, "subject": subject}]})
    minted = _federated(client)  # defaults follow the scenario's first federated credential
    assert minted["issuer"] == github and minted["subject"] == subject
    assert _token_request(client, _federated_form(client, minted["token"])).status_code == 200
    own = _federated(client, issuer=client.url + "/federation")["token"]
    assert _aadsts(_token_request(client, _federated_form(client, own)), 400, "invalid_request", 70021)


# --- managed identity (IMDS) ---------------------------------------------------------------------


def _imds(client, headers=None, **params):
    query = {"api-version": "2018-02-01", "resource": client.url + "/"}
    query.update(params)
    query = {k: v for k, v in query.items() if v is not None}
    return client.session.get(
        client.url + "/metadata/identity/oauth2/token",
        params=query,
        headers={"Metadata": "true"} if headers is None else headers,
        timeout=10,
    )


def test_imds_system_assigned_identity(client):
    resp = _imds(client)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {
        "access_token",
        "client_id",
        "expires_in",
        "expires_on",
        "ext_expires_in",
        "not_before",
        "resource",
        "token_type",
    }
    assert all(isinstance(v, str) for v in body.values())  # IMDS sends strings
    assert body["token_type"] == "Bearer" and body["resource"] == client.url + "/"
    assert body["client_id"] == "8a6f4b5d-0e7c-4d9b-8f1a-4c5d6e7f8091"
    assert int(body["expires_on"]) > time.time() and int(body["expires_in"]) == 3599
    _arm_ok(client, body["access_token"])
    other = VAULT.replace(SUB, "11111111-1111-1111-1111-111111111111")
    denied = client.get(other, headers={"Authorization": "Bearer " + body["access_token"]})
    assert denied.status_code == 403 and "7f5e3a4c-9d6b-4c8a-9e0f-3b4c5d6e7f80" in denied.json()["error"]["message"]
    assert client.control("GET", "/stats")["operations"]["ImdsToken"]["statuses"]["200"] >= 1


def test_imds_user_assigned_identity_by_client_object_and_resource_id(client):
    uami = client.env["AZURE_BACKUP_EMULATOR_MANAGED_IDENTITY_CLIENT_ID"]
    resource_id = (
        "/subscriptions/%s/resourceGroups/rg-backup-demo/providers/Microsoft.ManagedIdentity/"
        "userAssignedIdentities/id-backup-runner" % SUB
    )
    for params in (
        {"client_id": uami},
        {"client_id": uami.upper()},
        {"object_id": "a0c8b6d7-2a9e-4f1d-8b3c-6e7f8091a2b3"},
        {"msi_res_id": resource_id},
    ):
        resp = _imds(client, **params)
        assert resp.status_code == 200, (params, resp.text)
        assert resp.json()["client_id"] == uami
        _arm_ok(client, resp.json()["access_token"])
    # the public ARM audience is fine too
    assert _imds(client, resource="https://management.azure.com/").status_code == 200


def test_imds_errors(client):
    for headers in ({}, {"Metadata": "false"}):
        resp = _imds(client, headers=headers)
        assert resp.status_code == 400
        assert resp.json() == {
            "error": "invalid_request",
            "error_description": "Required metadata header not specified",
        }
    unknown = _imds(client, client_id=str(uuid.uuid4()))
    assert unknown.status_code == 400
    assert unknown.json() == {"error": "invalid_request", "error_description": "Identity not found"}
    assert _imds(client, object_id=str(uuid.uuid4())).json()["error_description"] == "Identity not found"
    assert _imds(client, resource=None).json()["error_description"] == "Required audience variable not specified"
    assert "api-version" in _imds(client, **{"api-version": None}).json()["error_description"]
    both = _imds(client, client_id=client.env["AZURE_BACKUP_EMULATOR_MANAGED_IDENTITY_CLIENT_ID"], object_id="x")
    assert both.status_code == 400
    bad_resource = _imds(client, resource="https://vault.azure.net")
    assert bad_resource.status_code == 400 and bad_resource.json()["error"] == "invalid_resource"
    assert bad_resource.json()["error_description"].startswith("AADSTS500011")


def test_imds_without_system_identity_and_several_user_assigned(client, scenario):
    second = {"name": "id-two", "client_id": str(uuid.uuid4()), "object_id": str(uuid.uuid4())}
    first = {"name": "id-one", "client_id": str(uuid.uuid4()), "object_id": str(uuid.uuid4())}
    scenario({"managed_identities": {"system_assigned": None, "user_assigned": [first, second]}})
    resp = _imds(client)
    assert resp.status_code == 400 and "Multiple user assigned identities" in resp.json()["error_description"]
    assert _imds(client, client_id=second["client_id"]).json()["client_id"] == second["client_id"]
    scenario({"managed_identities": {"system_assigned": None, "user_assigned": [first]}})
    assert _imds(client).json()["client_id"] == first["client_id"]  # the only identity is the default


@pytest.fixture
def imds_env(ca_env, monkeypatch):
    for name in IMDS_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", ca_env.env["AZURE_BACKUP_EMULATOR_IMDS_HOST"])
    return ca_env


def test_azure_identity_managed_identity_credential_over_https(imds_env):
    from azure.identity import ManagedIdentityCredential

    client = imds_env
    system = ManagedIdentityCredential()
    _arm_ok(client, system.get_token(client.url + "/.default").token)
    user = ManagedIdentityCredential(client_id=client.env["AZURE_BACKUP_EMULATOR_MANAGED_IDENTITY_CLIENT_ID"])
    _arm_ok(client, user.get_token(client.url + "/.default").token)
    log = client.session.get(client.url + "/_emulator/requests?operation=ImdsToken", timeout=10).json()["requests"]
    assert log[-1]["query"]["client_id"] == client.env["AZURE_BACKUP_EMULATOR_MANAGED_IDENTITY_CLIENT_ID"]


def test_azure_identity_managed_identity_credential_unknown_client_id(imds_env):
    from azure.identity import CredentialUnavailableError, ManagedIdentityCredential

    credential = ManagedIdentityCredential(client_id=str(uuid.uuid4()))
    with pytest.raises(CredentialUnavailableError) as info:
        credential.get_token(imds_env.url + "/.default")
    assert "Identity not found" in str(info.value)


# --- units: the JWS code --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "a.b", "a.b.c.d", "!!.e30.c2ln", "e30.e30.", "W10.e30.c2ln", "e30.bm90anNvbg.c2ln"]
)
def test_jwt_decode_rejects_malformed(text):
    with pytest.raises(JwtError):
        Jwt(text)


def test_jwt_verify_against_pyjwt():
    key, cert = _self_signed()
    registered = ClientCertificate(cert)
    assert registered.thumbprint == cert.fingerprint(hashes.SHA1()).hex().upper()
    assert registered.bundle_pem is None
    for alg in ("RS256", "PS256"):
        token = pyjwt.encode({"a": 1}, key, algorithm=alg)
        assert Jwt(token).verify(registered.public_key)
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        assert not Jwt(pyjwt.encode({"a": 1}, other, algorithm=alg)).verify(registered.public_key)
    generated = ClientCertificate.generate()
    assert generated.bundle_pem.startswith("-----BEGIN PRIVATE KEY")


def test_the_request_log_says_which_credential_made_each_arm_call(client):
    resp = _token_request(client, {
        "grant_type": "client_credentials",
        "client_id": client.env["AZURE_CLIENT_ID"],
        "client_secret": client.env["AZURE_SECRET"],
        "scope": "https://management.azure.com/.default",
    })  # fmt: skip
    assert resp.status_code == 200, resp.text
    _arm_ok(client, resp.json()["access_token"])
    entries = client.get("/_emulator/requests").json()["requests"]
    assert [e["credential"] for e in entries if e["path"] == VAULT][-1] == "client_secret"
    assert all(e["credential"] is None for e in entries if e["path"].startswith("/_emulator"))
