# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import os

import pytest
import requests
import responses

from ansible_collections.cloudops.azure_backup.plugins.module_utils import _auth
from ansible_collections.cloudops.azure_backup.plugins.module_utils._auth import (
    CLOUDS,
    TokenProvider,
    build_credential,
    resolve_auth,
    resolve_cloud,
)
from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import AuthError, ValidationError

SECRET = "s3cr3t-Value~With.Chars"
SUB_OPT, SUB_ENV, SUB_PROF = "sub-option", "sub-env", "sub-profile"

AccessToken = collections.namedtuple("AccessToken", ["token", "expires_on"])


@pytest.fixture
def home(tmp_path):
    (tmp_path / ".azure").mkdir()
    return tmp_path


def write_credentials(home, text):
    (home / ".azure" / "credentials").write_text(text)


PROFILES = """[default]
subscription_id = sub-profile
client_id = client-profile
secret = secret-profile%with-percent
tenant = tenant-profile

[other]
subscription_id = sub-other
client_id = client-other
secret = secret-other
tenant = tenant-other
cloud_environment = AzureChinaCloud
"""


# ------------------------------------------------------------------ settings precedence


def test_options_beat_env_beat_profile(home):
    write_credentials(home, PROFILES)
    env = {"HOME": str(home), "AZURE_SUBSCRIPTION_ID": SUB_ENV, "AZURE_CLIENT_ID": "client-env"}
    s = resolve_auth({"subscription_id": SUB_OPT}, env=env)
    assert s.subscription_id == SUB_OPT  # option
    assert s.client_id == "client-env"  # env
    assert s.secret == "secret-profile%with-percent" and s.tenant == "tenant-profile"  # profile, no interpolation
    assert s.sources == {"subscription_id": "option", "client_id": "env", "secret": "profile", "tenant": "profile"}
    assert s.auth_source == "auto" and s.has_client_secret


def test_env_only(tmp_path):
    env = {
        "HOME": str(tmp_path),
        "AZURE_SUBSCRIPTION_ID": SUB_ENV,
        "AZURE_CLIENT_ID": "c",
        "AZURE_SECRET": SECRET,
        "AZURE_TENANT": "t",
        "AZURE_CLOUD_ENVIRONMENT": "AzureUSGovernment",
    }
    s = resolve_auth({}, env=env)
    assert (s.subscription_id, s.client_id, s.secret, s.tenant, s.cloud_environment) == (
        SUB_ENV,
        "c",
        SECRET,
        "t",
        "AzureUSGovernment",
    )


def test_named_profile_via_option_and_env(home):
    write_credentials(home, PROFILES)
    s = resolve_auth({"profile": "other"}, env={"HOME": str(home)})
    assert (s.subscription_id, s.client_id, s.cloud_environment, s.profile) == (
        "sub-other",
        "client-other",
        "AzureChinaCloud",
        "other",
    )
    s = resolve_auth({}, env={"HOME": str(home), "AZURE_PROFILE": "other"})
    assert s.subscription_id == "sub-other"


def test_missing_named_profile(home):
    write_credentials(home, PROFILES)
    with pytest.raises(ValidationError) as err:
        resolve_auth({"profile": "nope"}, env={"HOME": str(home)})
    assert err.value.option == "profile" and "[nope]" in err.value.msg


def test_auth_source_env_ignores_profile_and_credential_file_ignores_env(home):
    write_credentials(home, PROFILES)
    env = {
        "HOME": str(home),
        "AZURE_SUBSCRIPTION_ID": SUB_ENV,
        "AZURE_CLIENT_ID": "client-env",
        "AZURE_SECRET": SECRET,
        "AZURE_TENANT": "tenant-env",
    }
    assert resolve_auth({"auth_source": "env"}, env=env).client_id == "client-env"
    s = resolve_auth({"auth_source": "credential_file"}, env=env)
    assert (s.subscription_id, s.client_id) == ("sub-profile", "client-profile")
    with pytest.raises(ValidationError) as err:
        resolve_auth({"auth_source": "env"}, env={"HOME": str(home), "AZURE_SUBSCRIPTION_ID": "x"})
    assert "AZURE_CLIENT_ID" in err.value.msg and err.value.option == "client_id"


def test_subscription_required(tmp_path):
    with pytest.raises(ValidationError) as err:
        resolve_auth({"client_id": "c"}, env={"HOME": str(tmp_path)})
    assert err.value.option == "subscription_id"
    assert "subscription_id" in err.value.msg and "AZURE_SUBSCRIPTION_ID" in err.value.msg


def test_incomplete_service_principal_named(tmp_path):
    with pytest.raises(ValidationError) as err:
        resolve_auth({"subscription_id": "s", "secret": SECRET}, env={"HOME": str(tmp_path)})
    assert "client_id" in err.value.msg and "tenant" in err.value.msg and SECRET not in err.value.msg


def test_unknown_auth_source(tmp_path):
    with pytest.raises(ValidationError) as err:
        resolve_auth({"subscription_id": "s", "auth_source": "magic"}, env={"HOME": str(tmp_path)})
    assert err.value.option == "auth_source"


def test_secret_not_in_repr(tmp_path):
    s = resolve_auth(
        {"subscription_id": "s", "client_id": "c", "secret": SECRET, "tenant": "t"}, env={"HOME": str(tmp_path)}
    )
    assert SECRET not in repr(s) and SECRET not in str(s) and "********" in repr(s)


# ------------------------------------------------------------------ clouds


@pytest.mark.parametrize(
    "name,rm,authority,scope",
    [
        (
            None,
            "https://management.azure.com",
            "https://login.microsoftonline.com",
            "https://management.core.windows.net/.default",
        ),
        (
            "AzureCloud",
            "https://management.azure.com",
            "https://login.microsoftonline.com",
            "https://management.core.windows.net/.default",
        ),
        (
            "azurechinacloud",
            "https://management.chinacloudapi.cn",
            "https://login.chinacloudapi.cn",
            "https://management.core.chinacloudapi.cn/.default",
        ),
        (
            "AzureUSGovernment",
            "https://management.usgovcloudapi.net",
            "https://login.microsoftonline.us",
            "https://management.core.usgovcloudapi.net/.default",
        ),
    ],
)
def test_builtin_clouds(name, rm, authority, scope):
    cloud = resolve_cloud(name)
    assert (cloud.resource_manager, cloud.authority_host, cloud.scope) == (rm, authority, scope)
    assert cloud.disable_instance_discovery is False


def test_unknown_cloud_name():
    with pytest.raises(ValidationError) as err:
        resolve_cloud("AzureGermanCloud")
    assert err.value.option == "cloud_environment"
    assert "AzureCloud" in err.value.msg and "metadata URL" in err.value.msg


EMU = "https://127.0.0.1:8443"
DOC_2022 = {
    "name": "Emulator",
    "resourceManager": EMU + "/",
    "authentication": {
        "loginEndpoint": EMU + "/",
        "audiences": ["https://management.emulator.local/", "https://other/"],
        "tenant": "common",
    },
    "suffixes": {"storage": "core.emulator.local"},
}
DOC_2015 = {
    "galleryEndpoint": EMU + "/gallery",
    "graphEndpoint": EMU + "/graph",
    "portalEndpoint": EMU + "/portal",
    "authentication": {
        "loginEndpoint": "https://login.stack.local/adfs/",
        "audiences": ["https://management.stack.local/abc"],
    },
}


@responses.activate
def test_metadata_2022_without_query_tries_2022_first():
    responses.add(responses.GET, EMU + "/metadata/endpoints", json=DOC_2022)
    cloud = resolve_cloud(EMU + "/metadata/endpoints")
    assert responses.calls[0].request.url == EMU + "/metadata/endpoints?api-version=2022-09-01"
    assert cloud.resource_manager == EMU and cloud.authority_host == EMU
    assert cloud.scope == "https://management.emulator.local/.default"
    assert cloud.disable_instance_discovery is True
    assert cloud.name == "Emulator"


@responses.activate
def test_metadata_base_url_gets_the_metadata_path():
    responses.add(responses.GET, EMU + "/metadata/endpoints", json=DOC_2022)
    resolve_cloud(EMU)
    assert responses.calls[0].request.url.startswith(EMU + "/metadata/endpoints?api-version=2022-09-01")


@responses.activate
def test_metadata_with_query_used_as_given_2019_list():
    other = dict(
        DOC_2022,
        name="AzureCloud",
        resourceManager="https://management.azure.com/",
        authentication={
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/"],
        },
    )
    responses.add(responses.GET, EMU + "/metadata/endpoints", json=[other, DOC_2022])
    cloud = resolve_cloud(EMU + "/metadata/endpoints?api-version=2019-05-01")
    assert len(responses.calls) == 1 and responses.calls[0].request.url.endswith("api-version=2019-05-01")
    assert cloud.name == "Emulator" and cloud.resource_manager == EMU


@responses.activate
def test_metadata_2019_list_single_entry_and_ambiguous():
    single = dict(DOC_2022, resourceManager="https://arm.elsewhere/")
    responses.add(responses.GET, EMU + "/metadata/endpoints", json=[single])
    assert resolve_cloud(EMU + "/metadata/endpoints?api-version=2019-05-01").resource_manager == "https://arm.elsewhere"
    responses.replace(responses.GET, EMU + "/metadata/endpoints", json=[single, dict(single, name="B")])
    with pytest.raises(ValidationError):
        resolve_cloud(EMU + "/metadata/endpoints?api-version=2019-05-01")


@responses.activate
def test_metadata_2015_azure_stack_object():
    responses.add(responses.GET, EMU + "/metadata/endpoints", json=DOC_2015)
    cloud = resolve_cloud(EMU + "/metadata/endpoints?api-version=2015-01-01")
    assert cloud.resource_manager == EMU  # the URL's origin
    assert cloud.authority_host == "https://login.stack.local/adfs"
    assert cloud.scope == "https://management.stack.local/abc/.default"


@responses.activate
def test_metadata_falls_back_to_older_versions():
    responses.add(responses.GET, EMU + "/metadata/endpoints", status=400)
    responses.add(responses.GET, EMU + "/metadata/endpoints", status=400)
    responses.add(responses.GET, EMU + "/metadata/endpoints", json=DOC_2015)
    cloud = resolve_cloud(EMU + "/metadata/endpoints")
    assert [c.request.url.rsplit("=", 1)[1] for c in responses.calls] == ["2022-09-01", "2019-05-01", "2015-01-01"]
    assert cloud.resource_manager == EMU


@responses.activate
def test_metadata_unusable_and_unreachable():
    responses.add(responses.GET, EMU + "/metadata/endpoints", json={"hello": "world"})
    with pytest.raises(ValidationError) as err:
        resolve_cloud(EMU + "/metadata/endpoints?api-version=2022-09-01")
    assert err.value.option == "cloud_environment"
    responses.replace(
        responses.GET, EMU + "/metadata/endpoints", body=requests.exceptions.SSLError("certificate verify failed")
    )
    with pytest.raises(Exception) as err:
        resolve_cloud(EMU + "/metadata/endpoints?api-version=2022-09-01")
    assert "REQUESTS_CA_BUNDLE" in str(err.value)


# ------------------------------------------------------------------ credentials


class FakeIdentity(object):
    """Stands in for the azure.identity module: each credential class records how it was made."""

    def __init__(self):
        self.made = []

    def __getattr__(self, name):
        made = self.made

        class Credential(object):
            def __init__(self, *args, **kwargs):
                made.append((name, args, kwargs))

            def get_token(self, scope):
                return AccessToken("%s-token-%d" % (name, len(made)), 4102444800)

        return Credential


@pytest.fixture
def identity(monkeypatch):
    fake = FakeIdentity()
    monkeypatch.setattr(_auth, "_import_identity", lambda: fake)
    return fake


def settings(**kw):
    base = dict(subscription_id="s")
    base.update(kw)
    return _auth.AuthSettings(**base)


def made_by(credential, scope="scope"):
    """Make the azure-identity credential behind ``credential`` (it is made when first used)."""
    credential.get_token(scope)
    return credential


def test_client_secret_goes_through_msal_without_azure_identity(identity):
    cred = build_credential(settings(client_id="c", secret=SECRET, tenant="t"), CLOUDS["AzureCloud"], env={})
    assert isinstance(cred, _auth.MsalConfidentialClient) and identity.made == []  # azure-identity not even imported
    assert SECRET not in repr(cred)


def test_non_microsoft_authority_disables_instance_discovery(identity):
    cloud = _auth.Cloud("Emu", EMU, EMU, "https://management.emulator.local/", {}, None)
    made_by(build_credential(settings(), cloud, env={}))
    assert identity.made[0][0] == "DefaultAzureCredential" and identity.made[0][2]["disable_instance_discovery"] is True
    made_by(build_credential(settings(), CLOUDS["AzureCloud"], env={}))
    assert "disable_instance_discovery" not in identity.made[1][2]


def test_azure_authority_host_honoured_when_no_cloud_environment(identity):
    env = {"AZURE_AUTHORITY_HOST": "https://login.emulator.local/"}
    made_by(build_credential(settings(), CLOUDS["AzureCloud"], env=env))
    assert identity.made[0][2]["authority"] == "https://login.emulator.local"
    assert identity.made[0][2]["disable_instance_discovery"] is True
    # an explicit cloud_environment wins over AZURE_AUTHORITY_HOST
    made_by(build_credential(settings(cloud_environment="AzureCloud"), CLOUDS["AzureCloud"], env=env))
    assert identity.made[1][2]["authority"] == "https://login.microsoftonline.com"
    assert "disable_instance_discovery" not in identity.made[1][2]


def test_auth_sources_pick_credentials(identity):
    cloud = CLOUDS["AzureCloud"]
    made_by(build_credential(settings(auth_source="cli", tenant="t"), cloud))
    made_by(build_credential(settings(auth_source="msi", client_id="mi"), cloud))
    made_by(build_credential(settings(auth_source="msi"), cloud))
    made_by(build_credential(settings(client_id="uami"), cloud))
    made_by(build_credential(settings(auth_source="cli", client_id="c", secret=SECRET, tenant="t"), cloud))
    assert [m[0] for m in identity.made] == [
        "AzureCliCredential",
        "ManagedIdentityCredential",
        "ManagedIdentityCredential",
        "DefaultAzureCredential",
        "AzureCliCredential",  # auth_source wins over a secret in the environment
    ]
    assert identity.made[0][2] == {"tenant_id": "t"}
    assert identity.made[1][2]["client_id"] == "mi" and "client_id" not in identity.made[2][2]
    assert identity.made[3][2]["managed_identity_client_id"] == "uami"


def test_azure_identity_credential_is_made_anew_for_a_fresh_token(identity):
    cred = build_credential(settings(auth_source="msi"), CLOUDS["AzureCloud"])
    assert identity.made == []  # nothing imported or made until a token is needed
    assert cred.get_token("scope") == ("ManagedIdentityCredential-token-1", 4102444800.0)
    cred.get_token("scope")
    assert len(identity.made) == 1
    assert cred.get_token("scope", force_refresh=True)[0] == "ManagedIdentityCredential-token-2"
    assert len(identity.made) == 2  # a new credential: azure-identity keeps no token across instances


def test_real_azure_identity_accepts_our_kwargs():
    pytest.importorskip("azure.identity")
    cloud = _auth.Cloud("Emu", EMU, EMU, "https://management.emulator.local/", {}, None)
    assert type(_auth._identity_credential(settings(), EMU)).__name__ == "DefaultAzureCredential"
    assert type(_auth._identity_credential(settings(auth_source="cli"), EMU)).__name__ == "AzureCliCredential"
    assert type(_auth._identity_credential(settings(auth_source="msi"), EMU)).__name__ == "ManagedIdentityCredential"
    assert isinstance(
        build_credential(settings(client_id="c", secret=SECRET, tenant="t"), cloud), _auth.MsalConfidentialClient
    )


AUTHORITY = "https://login.emulator.local"
TENANT = "c0ffee00-0000-4000-8000-000000000001"
TOKEN_URL = AUTHORITY + "/" + TENANT + "/oauth2/v2.0/token"


def authority_answers(tokens=("tok-a", "tok-b", "tok-c")):
    """The two things msal asks an authority for: its OpenID configuration, then tokens (one per request)."""
    responses.add(
        responses.GET,
        AUTHORITY + "/" + TENANT + "/v2.0/.well-known/openid-configuration",
        json={
            "authorization_endpoint": AUTHORITY + "/" + TENANT + "/oauth2/v2.0/authorize",
            "token_endpoint": TOKEN_URL,
            "issuer": AUTHORITY + "/" + TENANT + "/v2.0",
        },
    )
    for token in tokens:
        responses.add(
            responses.POST, TOKEN_URL, json={"token_type": "Bearer", "expires_in": 3599, "access_token": token}
        )


@responses.activate
def test_msal_client_secret_caches_and_force_refresh_asks_the_authority_again():
    pytest.importorskip("msal")
    authority_answers()
    cred = _auth.MsalConfidentialClient(TENANT, "client", SECRET, AUTHORITY, secrets=(SECRET,))
    token, expires_on = cred.get_token("https://management.azure.com/.default")
    assert token == "tok-a" and expires_on > 0
    assert cred.get_token("https://management.azure.com/.default")[0] == "tok-a"  # msal's cache
    assert cred.get_token("https://management.azure.com/.default", force_refresh=True)[0] == "tok-b"
    posts = [call for call in responses.calls if call.request.method == "POST"]
    assert len(posts) == 2
    assert "client_secret=" in posts[0].request.body and "grant_type=client_credentials" in posts[0].request.body
    # not Microsoft's authority: no instance discovery (login.microsoftonline.com is never asked)
    assert all(call.request.url.startswith(AUTHORITY) for call in responses.calls)


@responses.activate
def test_msal_errors_name_the_aadsts_code_without_the_secret():
    pytest.importorskip("msal")
    authority_answers(tokens=())
    responses.add(
        responses.POST,
        TOKEN_URL,
        status=401,
        json={
            "error": "invalid_client",
            "error_description": "AADSTS7000215: Invalid client secret provided (%s)." % SECRET,
            "error_codes": [7000215],
        },
    )
    with pytest.raises(AuthError) as err:
        _auth.MsalConfidentialClient(TENANT, "client", SECRET, AUTHORITY, secrets=(SECRET,)).get_token("scope/.default")
    assert err.value.code == "AADSTS7000215" and "invalid_client" in err.value.msg
    assert SECRET not in err.value.msg


@responses.activate
def test_msal_unreachable_authority_is_an_auth_error():
    pytest.importorskip("msal")
    responses.add(responses.GET, AUTHORITY + "/" + TENANT + "/v2.0/.well-known/openid-configuration", status=404)
    with pytest.raises(AuthError) as err:
        _auth.MsalConfidentialClient(TENANT, "client", SECRET, AUTHORITY, secrets=(SECRET,)).get_token("scope/.default")
    assert AUTHORITY in err.value.msg and SECRET not in err.value.msg


# ------------------------------------------------------------------ tokens


class FakeCredential(object):
    def __init__(self, clock, lifetime=3600):
        self.clock = clock
        self.lifetime = lifetime
        self.calls = 0
        self.forced = 0

    def get_token(self, scope, force_refresh=False):
        self.calls += 1
        self.forced += bool(force_refresh)
        return "token-%d" % self.calls, int(self.clock() + self.lifetime)


def test_token_cached_and_refreshed_before_expiry():
    now = [1000000.0]

    def clock():
        return now[0]

    cred = FakeCredential(clock)
    provider = TokenProvider(cred, "https://management.core.windows.net/.default", clock=clock)
    assert provider.token() == "token-1"
    now[0] += 3600 - 301  # 301 s left: still good
    assert provider.token() == "token-1"
    now[0] += 2  # 299 s left: refresh
    assert provider.token() == "token-2" and cred.calls == 2 and cred.forced == 0
    assert provider.token(force_refresh=True) == "token-3" and cred.forced == 1  # after a 401: not the cached one
    assert provider.token() == "token-3"
    provider.invalidate()
    assert provider.token() == "token-4"
    assert "token" not in repr(provider).replace("TokenProvider", "")


def test_token_cache_is_process_wide_per_key():
    _auth.clear_token_cache()
    now = [0.0]

    def clock():
        return now[0]

    cred = FakeCredential(clock)
    one = TokenProvider(cred, "scope", clock=clock, cache_key=("a", "t", "c", "scope"))
    two = TokenProvider(cred, "scope", clock=clock, cache_key=("a", "t", "c", "scope"))
    assert one.token() == two.token() == "token-1" and cred.calls == 1
    _auth.clear_token_cache()


class ClientAuthenticationError(Exception):
    """Stands in for azure.core.exceptions.ClientAuthenticationError (matched by class name)."""

    def __init__(self, message):
        super(ClientAuthenticationError, self).__init__(message)
        self.message = message


def test_auth_error_mapped_without_secret():
    class Failing(object):
        def get_token(self, scope, force_refresh=False):
            raise ClientAuthenticationError(
                "ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided. "
                "Ensure the secret being sent in the request is the client secret value (got %s).\nTrace ID: x" % SECRET
            )

    provider = TokenProvider(Failing(), "https://management.core.windows.net/.default", redact=(SECRET,))
    with pytest.raises(AuthError) as err:
        provider.token()
    assert "AADSTS7000215" in err.value.msg and err.value.code == "AADSTS7000215"
    assert SECRET not in err.value.msg and SECRET not in repr(err.value)


def test_real_client_authentication_error_is_mapped():
    exceptions = pytest.importorskip("azure.core.exceptions")

    class Failing(object):
        def get_token(self, scope, force_refresh=False):
            raise exceptions.ClientAuthenticationError(message="AADSTS700016: Application not found")

    with pytest.raises(AuthError):
        TokenProvider(Failing(), "scope").token()


def test_other_errors_propagate():
    class Broken(object):
        def get_token(self, scope, force_refresh=False):
            raise KeyError("bug")

    with pytest.raises(KeyError):
        TokenProvider(Broken(), "scope").token()


def test_credential_file_path_uses_home_from_env(tmp_path):
    assert _auth.credential_file_path({"HOME": str(tmp_path)}) == os.path.join(str(tmp_path), ".azure", "credentials")


# ------------------------------------------------------------------ discovery cache


def test_discovery_cache_keeps_only_public_documents_for_a_day(tmp_path):
    now = [1000.0]
    cache = _auth.DiscoveryCache(str(tmp_path), clock=lambda: now[0])
    meta = "https://emu.local/metadata/endpoints?api-version=2022-09-01"
    oidc = AUTHORITY + "/" + TENANT + "/v2.0/.well-known/openid-configuration"
    token = TOKEN_URL
    for url in (meta, oidc, token, "https://management.azure.com/subscriptions/x"):
        cache.put(url, '{"x": 1}')
    assert cache.get(meta) == cache.get(oidc) == '{"x": 1}'
    assert cache.get(token) is None and cache.get("https://management.azure.com/subscriptions/x") is None
    stored = (tmp_path / "discovery.json").read_text()
    assert "oauth2" not in stored and "subscriptions" not in stored  # never a token endpoint's or ARM's answer
    now[0] += _auth.DISCOVERY_TTL + 1
    assert cache.get(meta) is None  # expired
    assert _auth.DiscoveryCache("").get(meta) is None  # "" keeps nothing
    (tmp_path / "discovery.json").write_text("not json")
    assert _auth.DiscoveryCache(str(tmp_path)).get(meta) is None  # a broken file is not an error


@responses.activate
def test_a_second_task_reads_the_openid_configuration_from_the_cache(tmp_path, monkeypatch):
    pytest.importorskip("msal")
    monkeypatch.setenv("AZURE_BACKUP_CACHE_DIR", str(tmp_path))
    authority_answers(tokens=("tok-a", "tok-b"))
    for expected in ("tok-a", "tok-b"):  # two tasks: two applications, one discovery
        assert (
            _auth.MsalConfidentialClient(TENANT, "client", SECRET, AUTHORITY, secrets=(SECRET,)).get_token(
                "scope/.default"
            )[0]
            == expected
        )
    gets = [call for call in responses.calls if call.request.method == "GET"]
    posts = [call for call in responses.calls if call.request.method == "POST"]
    assert len(gets) == 1 and len(posts) == 2
    assert SECRET not in (tmp_path / "discovery.json").read_text()


@responses.activate
def test_cloud_metadata_comes_from_the_cache_the_second_time(tmp_path, monkeypatch):
    monkeypatch.setenv("AZURE_BACKUP_CACHE_DIR", str(tmp_path))
    url = "https://emu.local/metadata/endpoints?api-version=2022-09-01"
    doc = {
        "name": "Emu",
        "resourceManager": "https://emu.local/",
        "authentication": {"loginEndpoint": EMU, "audiences": ["https://management.emulator.local/"]},
    }
    responses.add(responses.GET, url, json=doc)
    assert resolve_cloud(url).resource_manager == "https://emu.local"
    assert resolve_cloud(url).resource_manager == "https://emu.local"
    assert len(responses.calls) == 1
