# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Credential kinds: service principal + certificate, user + password, cert_validation_mode, the default chain."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime

try:
    from urllib.parse import parse_qs
except ImportError:  # pragma: no cover
    from urlparse import parse_qs

import pytest
import responses

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _auth
from ansible_collections.cloudops.azure_backup.plugins.module_utils._auth import build_credential, resolve_auth
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import AuthError, ValidationError

crypto = pytest.importorskip("cryptography")
jwt = pytest.importorskip("jwt")
pytest.importorskip("msal")

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

AUTHORITY = "https://login.emulator.test"
TENANT = "c0ffee00-0000-4000-8000-000000000001"
TOKEN_URL = AUTHORITY + "/" + TENANT + "/oauth2/v2.0/token"
PASSWORD = "Pa55-w0rd~secret"
BASE_ENV = {"HOME": "/nonexistent", "AZURE_SUBSCRIPTION_ID": "sub"}
CLOUD = _auth.Cloud("Emulator", "https://arm.emulator.test", AUTHORITY, "https://management.emulator.test/", {}, None)


@pytest.fixture(scope="module")
def keypair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "backup-operator")])
    now = datetime.datetime(2026, 1, 1)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1000)
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    return key, cert


def key_pem(key, password=None):
    algorithm = serialization.BestAvailableEncryption(password.encode()) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, algorithm)


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def sha1(cert):
    return cert.fingerprint(hashes.SHA1()).hex()


def b64url(data):
    return base64.urlsafe_b64encode(data).decode()


@pytest.fixture
def pem_file(tmp_path, keypair):
    key, cert = keypair
    path = tmp_path / "sp.pem"
    path.write_bytes(key_pem(key) + cert_pem(cert))
    return str(path)


def cert_env(path, **extra):
    env = dict(BASE_ENV, AZURE_CLIENT_ID="sp-client", AZURE_TENANT=TENANT, AZURE_X509_CERTIFICATE_PATH=path)
    env.update(extra)
    return env


def openid(tenant=TENANT):
    responses.add(
        responses.GET,
        AUTHORITY + "/" + tenant + "/v2.0/.well-known/openid-configuration",
        json={
            "authorization_endpoint": AUTHORITY + "/" + tenant + "/oauth2/v2.0/authorize",
            "token_endpoint": AUTHORITY + "/" + tenant + "/oauth2/v2.0/token",
            "issuer": AUTHORITY + "/" + tenant + "/v2.0",
        },
    )


def token_answer(tenant=TENANT, token="tok-a", **kwargs):
    responses.add(
        responses.POST,
        AUTHORITY + "/" + tenant + "/oauth2/v2.0/token",
        json=kwargs.get("json") or {"token_type": "Bearer", "expires_in": 3599, "access_token": token},
        status=kwargs.get("status", 200),
    )


def form(call):
    return dict((k, v[0]) for k, v in parse_qs(call.request.body).items())


# ------------------------------------------------------------------ which credential


def test_kind_follows_what_is_given():
    env = dict(BASE_ENV, AZURE_CLIENT_ID="c", AZURE_SECRET="s", AZURE_TENANT="t")
    assert resolve_auth({}, env=env).kind == "secret"
    assert resolve_auth({}, env=dict(BASE_ENV, AZURE_AD_USER="ops@contoso.com", AZURE_PASSWORD=PASSWORD)).kind == (
        "password"
    )
    assert resolve_auth({}, env=BASE_ENV).kind == "identity"
    assert resolve_auth({"auth_source": "msi"}, env=env).kind == "msi"
    assert resolve_auth({"auth_source": "cli"}, env=env).kind == "cli"


def test_an_option_beats_a_credential_from_the_environment():
    # AWX injected a service principal; the task names a user: the task wins
    env = dict(BASE_ENV, AZURE_CLIENT_ID="c", AZURE_SECRET="s", AZURE_TENANT="t")
    s = resolve_auth({"ad_user": "ops@contoso.com", "password": PASSWORD}, env=env)
    assert (s.kind, s.ad_user, s.secret) == ("password", "ops@contoso.com", None)
    # both from the environment: the secret wins (azure.azcollection's order)
    s = resolve_auth({}, env=dict(env, AZURE_AD_USER="ops@contoso.com", AZURE_PASSWORD=PASSWORD))
    assert (s.kind, s.password) == ("secret", None)


def test_password_defaults_to_the_cli_public_client_and_organizations():
    s = resolve_auth({"ad_user": "ops@contoso.com", "password": PASSWORD}, env=BASE_ENV)
    assert (s.client_id, s.tenant) == (_auth.AZURE_CLI_CLIENT_ID, "organizations")
    s = resolve_auth({"ad_user": "u", "password": PASSWORD, "client_id": "app", "tenant": TENANT}, env=BASE_ENV)
    assert (s.client_id, s.tenant) == ("app", TENANT)


@pytest.mark.parametrize(
    "params, option, words",
    [
        ({"ad_user": "ops@contoso.com"}, "password", "AZURE_PASSWORD"),
        ({"password": PASSWORD}, "ad_user", "AZURE_AD_USER"),
        ({"x509_certificate_path": "/x.pem", "tenant": "t"}, "client_id", "AZURE_CLIENT_ID"),
        ({"secret": "s", "tenant": "t"}, "client_id", "AZURE_CLIENT_ID"),
    ],
)
def test_an_incomplete_credential_names_what_is_missing(params, option, words):
    with pytest.raises(ValidationError) as err:
        resolve_auth(params, env=BASE_ENV)
    assert err.value.option == option and words in err.value.msg
    assert PASSWORD not in err.value.msg


def test_env_source_without_any_credential_lists_the_forms():
    with pytest.raises(ValidationError) as err:
        resolve_auth({"auth_source": "env"}, env=BASE_ENV)
    for name in ("AZURE_SECRET", "AZURE_X509_CERTIFICATE_PATH", "AZURE_AD_USER"):
        assert name in err.value.msg


def test_repr_never_shows_the_password():
    s = resolve_auth({"ad_user": "ops@contoso.com", "password": PASSWORD}, env=BASE_ENV)
    assert PASSWORD not in repr(s) and "ops@contoso.com" in repr(s) and s.secrets == (PASSWORD,)


# ------------------------------------------------------------------ cert_validation_mode


def test_cert_validation_mode_validate_is_accepted():
    assert resolve_auth({"cert_validation_mode": "validate"}, env=BASE_ENV).cert_validation_mode == "validate"


@pytest.mark.parametrize(
    "params, env, words",
    [
        ({"cert_validation_mode": "ignore"}, {}, "the cert_validation_mode option"),
        ({}, {"AZURE_CERT_VALIDATION_MODE": "ignore"}, "AZURE_CERT_VALIDATION_MODE"),
    ],
)
def test_cert_validation_mode_ignore_is_refused_naming_where_it_came_from(params, env, words):
    with pytest.raises(ValidationError) as err:
        resolve_auth(params, env=dict(BASE_ENV, **env))
    assert err.value.option == "cert_validation_mode"
    assert words in err.value.msg and "REQUESTS_CA_BUNDLE" in err.value.msg


def test_cert_validation_mode_ignore_in_a_profile_is_refused(tmp_path):
    (tmp_path / ".azure").mkdir()
    (tmp_path / ".azure" / "credentials").write_text("[default]\nsubscription_id = s\ncert_validation_mode = ignore\n")
    with pytest.raises(ValidationError) as err:
        resolve_auth({}, env={"HOME": str(tmp_path)})
    assert "profile" in err.value.msg


# ------------------------------------------------------------------ certificates


def test_pem_with_certificate_gives_msal_the_certificate(pem_file, keypair):
    s = resolve_auth({}, env=cert_env(pem_file))
    assert s.kind == "certificate" and s.client_id == "sp-client"
    assert "BEGIN PRIVATE KEY" in s.certificate["private_key"]
    assert "BEGIN CERTIFICATE" in s.certificate["public_certificate"] and "thumbprint" not in s.certificate
    assert "PRIVATE KEY" not in repr(s)


def test_azure_identity_certificate_variable_is_a_fallback(pem_file):
    env = dict(BASE_ENV, AZURE_CLIENT_ID="c", AZURE_TENANT=TENANT, AZURE_CLIENT_CERTIFICATE_PATH=pem_file)
    assert resolve_auth({}, env=env).x509_certificate_path == pem_file


def test_a_matching_thumbprint_is_accepted_in_any_spelling(pem_file, keypair):
    pretty = ":".join(sha1(keypair[1])[i : i + 2] for i in range(0, 40, 2)).upper()
    assert resolve_auth({"thumbprint": pretty}, env=cert_env(pem_file)).kind == "certificate"


def test_a_thumbprint_of_another_certificate_is_refused(pem_file):
    with pytest.raises(ValidationError) as err:
        resolve_auth({"thumbprint": "ab" * 20}, env=cert_env(pem_file))
    assert err.value.option == "thumbprint" and "is not the thumbprint" in err.value.msg


def test_a_malformed_thumbprint_is_refused(pem_file):
    with pytest.raises(ValidationError) as err:
        resolve_auth({"thumbprint": "not-hex"}, env=cert_env(pem_file))
    assert err.value.option == "thumbprint" and "40 hexadecimal digits" in err.value.msg


def test_key_only_pem_needs_the_thumbprint(tmp_path, keypair):
    path = tmp_path / "key.pem"
    path.write_bytes(key_pem(keypair[0]))
    with pytest.raises(ValidationError) as err:
        resolve_auth({}, env=cert_env(str(path)))
    assert "no thumbprint" in err.value.msg
    s = resolve_auth({"thumbprint": sha1(keypair[1])}, env=cert_env(str(path)))
    assert s.certificate["thumbprint"] == sha1(keypair[1]).upper() and "public_certificate" not in s.certificate


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "cannot be read"),
        (b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "no private key"),
        (b"\x00\x01garbage", "neither PEM nor a PKCS#12"),
    ],
)
def test_a_bad_certificate_file_fails_before_anything_is_sent(tmp_path, content, words):
    path = tmp_path / "bad.pem"
    if content is not None:
        path.write_bytes(content)
    with responses.RequestsMock() as mocked:  # no request at all
        with pytest.raises(ValidationError) as err:
            resolve_auth({}, env=cert_env(str(path)))
        assert not mocked.calls
    assert err.value.option == "x509_certificate_path" and words in err.value.msg
    assert "AZURE_X509_CERTIFICATE_PATH" in err.value.msg  # where the path came from


def test_encrypted_pem_needs_the_certificate_password(tmp_path, keypair):
    path = tmp_path / "enc.pem"
    path.write_bytes(key_pem(keypair[0], "pfx-pass") + cert_pem(keypair[1]))
    with pytest.raises(ValidationError) as err:
        resolve_auth({}, env=cert_env(str(path)))
    assert "AZURE_CLIENT_CERTIFICATE_PASSWORD" in err.value.msg
    s = resolve_auth({}, env=cert_env(str(path), AZURE_CLIENT_CERTIFICATE_PASSWORD="pfx-pass"))
    assert s.certificate["passphrase"] == "pfx-pass" and "pfx-pass" in s.secrets


def test_pkcs12_with_its_password(tmp_path, keypair):
    key, cert = keypair
    blob = pkcs12.serialize_key_and_certificates(
        b"sp", key, cert, None, serialization.BestAvailableEncryption(b"pfx-pass")
    )
    path = tmp_path / "sp.pfx"
    path.write_bytes(blob)
    with pytest.raises(ValidationError) as err:
        resolve_auth({}, env=cert_env(str(path), AZURE_CLIENT_CERTIFICATE_PASSWORD="wrong"))
    assert "neither PEM nor a PKCS#12" in err.value.msg and "wrong" not in err.value.msg
    s = resolve_auth({"thumbprint": sha1(cert)}, env=cert_env(str(path), AZURE_CLIENT_CERTIFICATE_PASSWORD="pfx-pass"))
    assert s.certificate == {"private_key_pfx_path": str(path), "passphrase": "pfx-pass"}


@responses.activate
def test_certificate_sign_in_sends_a_signed_assertion_with_the_sha256_thumbprint(pem_file, keypair):
    key, cert = keypair
    openid()
    token_answer(token="tok-cert")
    cred = build_credential(resolve_auth({}, env=cert_env(pem_file)), CLOUD, env={})
    assert isinstance(cred, _auth.MsalConfidentialClient)
    assert cred.get_token(CLOUD.scope)[0] == "tok-cert"
    body = form([c for c in responses.calls if c.request.method == "POST"][0])
    assert body["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert "client_secret" not in body
    header = jwt.get_unverified_header(body["client_assertion"])
    assert header["x5t#S256"] == b64url(cert.fingerprint(hashes.SHA256()))
    claims = jwt.decode(
        body["client_assertion"], key.public_key(), algorithms=[header["alg"]], audience=TOKEN_URL
    )  # the signature verifies with the certificate's public key
    assert claims["iss"] == claims["sub"] == "sp-client"


@responses.activate
def test_key_only_certificate_signs_with_the_sha1_thumbprint(tmp_path, keypair):
    key, cert = keypair
    path = tmp_path / "key.pem"
    path.write_bytes(key_pem(key))
    openid()
    token_answer()
    cred = build_credential(resolve_auth({"thumbprint": sha1(cert)}, env=cert_env(str(path))), CLOUD, env={})
    cred.get_token(CLOUD.scope)
    assertion = form([c for c in responses.calls if c.request.method == "POST"][0])["client_assertion"]
    header = jwt.get_unverified_header(assertion)
    assert header["alg"] == "RS256" and header["x5t"] == b64url(bytes.fromhex(sha1(cert)))
    jwt.decode(assertion, key.public_key(), algorithms=["RS256"], audience=TOKEN_URL)


# ------------------------------------------------------------------ username and password


def ropc_settings(**params):
    base = {"ad_user": "ops@contoso.com", "password": PASSWORD, "tenant": TENANT}
    base.update(params)
    return resolve_auth(base, env=BASE_ENV)


def user_realm():
    responses.add(
        responses.GET,
        AUTHORITY + "/common/userrealm/ops@contoso.com",
        json={"ver": "1.0", "account_type": "Managed", "domain_name": "contoso.com"},
    )


@responses.activate
def test_password_sign_in_uses_the_password_grant():
    openid()
    user_realm()
    token_answer(token="tok-user")
    cred = build_credential(ropc_settings(), CLOUD, env={})
    assert isinstance(cred, _auth.MsalUsernamePassword) and PASSWORD not in repr(cred)
    assert cred.get_token(CLOUD.scope)[0] == "tok-user"
    body = form([c for c in responses.calls if c.request.method == "POST"][0])
    assert body["grant_type"] == "password" and body["username"] == "ops@contoso.com"
    assert body["password"] == PASSWORD and body["client_id"] == _auth.AZURE_CLI_CLIENT_ID


@responses.activate
def test_password_token_is_kept_for_the_task_until_azure_rejects_it():
    openid()
    user_realm()
    token_answer(token="tok-1")
    token_answer(token="tok-2")
    _auth.clear_token_cache()
    tokens = _auth.create_token_provider(ropc_settings(), CLOUD, env={})
    assert tokens.token() == "tok-1" and tokens.token() == "tok-1"
    assert tokens.token(force_refresh=True) == "tok-2"  # after a 401
    assert len([c for c in responses.calls if c.request.method == "POST"]) == 2
    _auth.clear_token_cache()


@pytest.mark.parametrize(
    "code, words",
    [
        ("AADSTS50076", "multi-factor authentication"),
        ("AADSTS50079", "enroll in multi-factor"),
        ("AADSTS53003", "conditional access"),
        ("AADSTS50126", "wrong user name or password"),
    ],
)
@responses.activate
def test_password_refusals_are_said_plainly(code, words):
    openid()
    user_realm()
    description = "%s: Due to a configuration change made by your administrator ... (password %s)" % (code, PASSWORD)
    token_answer(status=400, json={"error": "invalid_grant", "error_description": description})
    with pytest.raises(AuthError) as err:
        build_credential(ropc_settings(), CLOUD, env={}).get_token(CLOUD.scope)
    assert err.value.code == code and words in err.value.msg and "ops@contoso.com" in err.value.msg
    assert PASSWORD not in err.value.msg
    if code != "AADSTS50126":
        assert "service principal" in err.value.msg  # the way out


# ------------------------------------------------------------------ azure-identity's default chain


class ChainError(Exception):
    pass


ChainError.__name__ = "ClientAuthenticationError"


def test_an_empty_default_chain_says_what_could_have_been_given():
    class Chain(object):
        def get_token(self, scope):
            raise ChainError(
                "DefaultAzureCredential failed to retrieve a token from the included credentials.\n"
                "Attempted credentials:\n\tEnvironmentCredential: EnvironmentCredential authentication unavailable.\n"
                "\tManagedIdentityCredential: No managed identity endpoint found.\n"
                "To mitigate this issue, please refer to the troubleshooting guidelines here at https://aka.ms/x."
            )

    cred = _auth.IdentityCredential(Chain, kind="identity")
    with pytest.raises(AuthError) as err:
        cred.get_token("scope/.default")
    msg = err.value.msg
    assert "no credentials were given" in msg and "AZURE_AD_USER" in msg and "AZURE_FEDERATED_TOKEN_FILE" in msg
    assert "ManagedIdentityCredential: No managed identity endpoint found." in msg
    assert "troubleshooting" not in msg


def test_the_token_cache_keeps_users_apart():
    a = _auth.token_cache_key(ropc_settings(), CLOUD)
    b = _auth.token_cache_key(ropc_settings(ad_user="other@contoso.com"), CLOUD)
    assert a != b


# ------------------------------------------------------------------ workload identity


@pytest.fixture
def token_file(tmp_path):
    path = tmp_path / "federated-token"
    path.write_text("eyJ.federated.token\n")
    return str(path)


def workload_env(token_file, **extra):
    env = dict(BASE_ENV, AZURE_CLIENT_ID="app", AZURE_TENANT_ID=TENANT, AZURE_FEDERATED_TOKEN_FILE=token_file)
    env.update(extra)
    return env


def test_a_federated_token_file_means_workload_identity(token_file):
    s = resolve_auth({}, env=workload_env(token_file))
    assert (s.kind, s.client_id, s.tenant, s.federated_token_file) == ("workload", "app", TENANT, token_file)
    # a credential the task gives itself still wins
    assert resolve_auth({}, env=workload_env(token_file, AZURE_SECRET="s")).kind == "secret"
    assert resolve_auth({"auth_source": "msi"}, env=workload_env(token_file)).kind == "msi"


@pytest.mark.parametrize("drop, option", [("AZURE_CLIENT_ID", "client_id"), ("AZURE_TENANT_ID", "tenant")])
def test_workload_identity_needs_client_and_tenant(token_file, drop, option):
    env = workload_env(token_file)
    del env[drop]
    with pytest.raises(ValidationError) as err:
        resolve_auth({}, env=env)
    assert err.value.option == option and "AZURE_FEDERATED_TOKEN_FILE" in err.value.msg


def test_workload_identity_with_a_missing_token_file_fails_before_sending(tmp_path):
    with pytest.raises(ValidationError) as err:
        resolve_auth({}, env=workload_env(str(tmp_path / "absent")))
    assert "not a readable file" in err.value.msg


@responses.activate
def test_workload_identity_sends_the_file_as_client_assertion_read_at_each_sign_in(token_file):
    openid()
    token_answer(token="tok-1")
    token_answer(token="tok-2")
    cred = build_credential(resolve_auth({}, env=workload_env(token_file)), CLOUD, env={})
    assert cred.get_token(CLOUD.scope)[0] == "tok-1"
    with open(token_file, "w") as handle:  # the platform rotated it
        handle.write("eyJ.rotated.token")
    assert cred.get_token(CLOUD.scope, force_refresh=True)[0] == "tok-2"
    posts = [form(c) for c in responses.calls if c.request.method == "POST"]
    assert [p["client_assertion"] for p in posts] == ["eyJ.federated.token", "eyJ.rotated.token"]
    assert posts[0]["grant_type"] == "client_credentials" and "client_secret" not in posts[0]


def test_an_empty_token_file_is_an_auth_error(tmp_path):
    path = tmp_path / "empty"
    path.write_text("")
    with pytest.raises(AuthError) as err:
        _auth.FederatedToken(str(path))()
    assert "is empty" in err.value.msg
