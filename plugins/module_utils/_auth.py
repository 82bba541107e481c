# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cloud endpoints, credential settings, azure-identity credential and token cache.
Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
import traceback
import warnings
from collections import namedtuple

try:
    from configparser import RawConfigParser, Error as ConfigParserError
except ImportError:  # pragma: no cover - Python 2 is not supported, this only keeps the compile check quiet
    RawConfigParser = None
    ConfigParserError = Exception

try:
    from urllib.parse import urlsplit, urlunsplit
except ImportError:  # pragma: no cover
    from urlparse import urlsplit, urlunsplit

try:
    import requests

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised only where requests is absent
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.cloudops.azure_backup.plugins.module_utils._errors import (
    AuthError,
    AzureBackupError,
    MissingDependency,
    ValidationError,
)

AUTH_SOURCES = ("auto", "env", "credential_file", "cli", "msi")
CERT_VALIDATION_MODES = ("validate", "ignore")

# Option name -> environment variables, first found wins: the azure.azcollection / AWX names, then, where
# azure-identity has its own name for the same thing, that one.
ENV_NAMES = {
    "subscription_id": ("AZURE_SUBSCRIPTION_ID",),
    "client_id": ("AZURE_CLIENT_ID",),
    "secret": ("AZURE_SECRET",),
    "tenant": ("AZURE_TENANT", "AZURE_TENANT_ID"),
    "cloud_environment": ("AZURE_CLOUD_ENVIRONMENT",),
    "profile": ("AZURE_PROFILE",),
    "ad_user": ("AZURE_AD_USER",),
    "password": ("AZURE_PASSWORD",),
    "x509_certificate_path": ("AZURE_X509_CERTIFICATE_PATH", "AZURE_CLIENT_CERTIFICATE_PATH"),
    "thumbprint": ("AZURE_THUMBPRINT",),
    "cert_validation_mode": ("AZURE_CERT_VALIDATION_MODE",),
}
# Not an option (azure.azcollection has none): the password of a PKCS#12 or encrypted PEM certificate.
CERTIFICATE_PASSWORD_ENV = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
# Workload identity (AKS, GitHub/GitLab OIDC): a token file the platform keeps fresh, exchanged for an Azure token.
FEDERATED_TOKEN_FILE_ENV = "AZURE_FEDERATED_TOKEN_FILE"
PROFILE_KEYS = (
    "subscription_id",
    "client_id",
    "secret",
    "tenant",
    "cloud_environment",
    "ad_user",
    "password",
    "x509_certificate_path",
    "thumbprint",
    "cert_validation_mode",
)

# The public client azure.azcollection and the Azure CLI sign users in with when no client_id is given.
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
# Username/password sign-in needs a tenant; without one, Entra ID finds it from the user's domain.
ORGANIZATIONS_TENANT = "organizations"

METADATA_API_VERSIONS = ("2022-09-01", "2019-05-01", "2015-01-01")
METADATA_TIMEOUT = 20
MICROSOFT_AUTHORITY_HOSTS = frozenset(
    (
        "login.microsoftonline.com",
        "login.chinacloudapi.cn",
        "login.microsoftonline.us",
        "login.microsoftonline.de",
    )
)
TOKEN_REFRESH_MARGIN = 300
CREDENTIAL_RETRY_TOTAL = 2
CREDENTIAL_RETRY_BACKOFF = 0.5


class Cloud(
    namedtuple("Cloud", ["name", "resource_manager", "authority_host", "audience", "suffixes", "metadata_url"])
):
    """Endpoints of one cloud. ``resource_manager`` and ``authority_host`` carry no trailing slash."""

    __slots__ = ()

    @property
    def scope(self):
        """Token scope: the audience + ``/.default``."""
        return "%s/.default" % self.audience.rstrip("/")

    @property
    def authority_hostname(self):
        return (urlsplit(self.authority_host).hostname or "").lower()

    @property
    def disable_instance_discovery(self):
        """True for authority hosts that are not Microsoft's (Azure Stack, the emulator)."""
        return self.authority_hostname not in MICROSOFT_AUTHORITY_HOSTS


CLOUDS = {
    "AzureCloud": Cloud(
        "AzureCloud",
        "https://management.azure.com",
        "https://login.microsoftonline.com",
        "https://management.core.windows.net/",
        {"storage_endpoint": "core.windows.net", "keyvault_dns": ".vault.azure.net"},
        None,
    ),
    "AzureChinaCloud": Cloud(
        "AzureChinaCloud",
        "https://management.chinacloudapi.cn",
        "https://login.chinacloudapi.cn",
        "https://management.core.chinacloudapi.cn/",
        {"storage_endpoint": "core.chinacloudapi.cn", "keyvault_dns": ".vault.azure.cn"},
        None,
    ),
    "AzureUSGovernment": Cloud(
        "AzureUSGovernment",
        "https://management.usgovcloudapi.net",
        "https://login.microsoftonline.us",
        "https://management.core.usgovcloudapi.net/",
        {"storage_endpoint": "core.usgovcloudapi.net", "keyvault_dns": ".vault.usgovcloudapi.net"},
        None,
    ),
}

_CLOUD_FORMS = (
    "AzureCloud, AzureChinaCloud, AzureUSGovernment, or an http(s) metadata URL such as "
    "https://management.local.azurestack.external/metadata/endpoints?api-version=2022-09-01"
)


# ----------------------------------------------------------------------------- discovery cache

DISCOVERY_TTL = 24 * 3600
CACHE_DIR_ENV = "AZURE_BACKUP_CACHE_DIR"  # a directory, or "" to keep nothing between tasks
_DISCOVERY_PATHS = ("/metadata/endpoints", "/.well-known/openid-configuration", "/common/discovery/instance")


class DiscoveryCache(object):
    """Public discovery documents (a cloud's metadata, an authority's OpenID configuration and instance
    discovery), kept between tasks for ``ttl`` seconds in one JSON file of the controller's user cache
    (``$AZURE_BACKUP_CACHE_DIR``, else ``$XDG_CACHE_HOME``/``~/.cache``, ``/cloudops.azure_backup``).

    Only 200 answers to GETs of those well-known addresses go in: never a token, a secret or an ARM answer.
    A cache that cannot be read or written is simply not used."""

    def __init__(self, directory=None, ttl=DISCOVERY_TTL, clock=time.time, env=None):
        env = os.environ if env is None else env
        if directory is None:
            directory = env.get(CACHE_DIR_ENV)
            if directory is None:
                base = env.get("XDG_CACHE_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".cache")
                directory = os.path.join(base, "cloudops.azure_backup")
        self.path = os.path.join(directory, "discovery.json") if directory else None
        self.ttl = ttl
        self.clock = clock

    @staticmethod
    def cacheable(url):
        path = (urlsplit(url).path or "").rstrip("/")
        return any(path.endswith(known) for known in _DISCOVERY_PATHS)

    def _load(self):
        try:
            with open(self.path) as handle:
                data = json.load(handle)
        except (OSError, IOError, ValueError, TypeError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, url):
        """The cached text of ``url``, or None."""
        if not self.path or not self.cacheable(url):
            return None
        entry = self._load().get(url)
        if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
            return None
        if self.clock() - float(entry.get("at") or 0) > self.ttl:
            return None
        return entry["text"]

    def put(self, url, text):
        if not self.path or not self.cacheable(url):
            return
        now = self.clock()
        data = dict((key, entry) for key, entry in self._load().items()
                    if isinstance(entry, dict) and now - float(entry.get("at") or 0) <= self.ttl)  # fmt: skip
        data[url] = {"at": now, "text": text}
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            handle, tmp = tempfile.mkstemp(dir=os.path.dirname(self.path), prefix=".discovery.")
            with os.fdopen(handle, "w") as out:
                json.dump(data, out)
            os.replace(tmp, self.path)
        except (OSError, IOError):
            pass


class _Cached(object):
    """A cached 200 answer, shaped like the requests.Response msal and _fetch_metadata read."""

    status_code = 200
    headers = {}

    def __init__(self, text):
        self.text = text

    def json(self):
        return json.loads(self.text)

    def raise_for_status(self):
        return None


class DiscoveryHttp(object):
    """An HTTP client for msal and the metadata reads: GETs of discovery documents come from the cache when
    it has them (and fill it), everything else goes to ``session`` (a requests.Session) as it is.

    ``authority`` (an origin such as ``https://login.example:8443``): msal asks for a user's realm at
    ``https://<authority host>/common/userrealm/...``, dropping the authority's port; such a GET goes to the
    authority's own origin."""

    def __init__(self, session, cache, timeout=None, authority=None):
        self.session = session
        self.cache = cache
        self.timeout = timeout
        self._authority = urlsplit(authority) if authority else None

    def _on_authority(self, url):
        parts = urlsplit(url)
        auth = self._authority
        if (auth is None or not auth.port or parts.port or parts.hostname != auth.hostname
                or not parts.path.startswith("/common/userrealm/")):  # fmt: skip
            return url
        return urlunsplit((parts.scheme, auth.netloc, parts.path, parts.query, parts.fragment))

    def get(self, url, params=None, headers=None, **kwargs):
        url = self._on_authority(url)
        full = url
        if params:
            full = url + ("&" if "?" in url else "?") + "&".join("%s=%s" % item for item in sorted(params.items()))
        cached = self.cache.get(full)
        if cached is not None:
            return _Cached(cached)
        kwargs.setdefault("timeout", self.timeout)
        resp = self.session.get(url, params=params, headers=headers, **kwargs)
        if resp.status_code == 200:
            self.cache.put(full, resp.text)
        return resp

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return self.session.post(url, params=params, data=data, headers=headers, **kwargs)

    def close(self):
        self.session.close()


# ----------------------------------------------------------------------------- clouds


def _strip_slash(url):
    return url.rstrip("/") if isinstance(url, str) else url


def _origin(url):
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def _cloud_from_2022(doc, url):
    """2022-09-01 (also the shape `az cloud register` reads): one object with resourceManager."""
    auth = doc.get("authentication") or {}
    audiences = auth.get("audiences") or []
    login = auth.get("loginEndpoint")
    rm = doc.get("resourceManager")
    if not (rm and login and audiences):
        return None
    suffixes = doc.get("suffixes") or {}
    return Cloud(
        doc.get("name") or urlsplit(url).hostname,
        _strip_slash(rm),
        _strip_slash(login),
        audiences[0],
        dict(suffixes) if isinstance(suffixes, dict) else {},
        url,
    )


def _cloud_from_2015(doc, url):
    """2015-01-01 Azure Stack object: galleryEndpoint, graphEndpoint, portalEndpoint, authentication."""
    auth = doc.get("authentication") or {}
    audiences = auth.get("audiences") or []
    login = auth.get("loginEndpoint")
    if not (login and audiences):
        return None
    return Cloud(urlsplit(url).hostname, _origin(url), _strip_slash(login), audiences[0], {}, url)


def _cloud_from_doc(doc, url):
    if isinstance(doc, list):
        entries = [e for e in doc if isinstance(e, dict)]
        host = (urlsplit(url).hostname or "").lower()
        matching = [e for e in entries if (urlsplit(e.get("resourceManager") or "").hostname or "").lower() == host]
        if len(matching) == 1:
            return _cloud_from_2022(matching[0], url)
        if len(entries) == 1:
            return _cloud_from_2022(entries[0], url)
        raise ValidationError(
            "The cloud metadata list at %s has %d clouds (%s) and none whose resourceManager host is %s; "
            "use the metadata URL of the resource manager you want."
            % (url, len(entries), ", ".join(str(e.get("name")) for e in entries), host),
            option="cloud_environment",
        )
    if not isinstance(doc, dict):
        return None
    if doc.get("resourceManager"):
        return _cloud_from_2022(doc, url)
    return _cloud_from_2015(doc, url)


def _metadata_urls(url):
    """The URLs to try, in order. A URL that carries ``api-version`` is used as given."""
    parts = urlsplit(url)
    if "api-version=" in (parts.query or ""):
        return [url]
    path = parts.path
    if path in ("", "/"):
        path = "/metadata/endpoints"
    query = parts.query + "&" if parts.query else ""
    return [
        urlunsplit((parts.scheme, parts.netloc, path, query + "api-version=" + ver, ""))
        for ver in METADATA_API_VERSIONS
    ]


def _fetch_metadata(url, timeout, session):
    if not HAS_REQUESTS and session is None:
        raise MissingDependency(
            "Failed to import the required Python library (requests): it is needed to read "
            "cloud metadata from %s." % url,
            library="requests",
            traceback=REQUESTS_IMPORT_ERROR,
        )
    getter = (session or DiscoveryHttp(requests.Session(), DiscoveryCache())).get
    errors = []
    for candidate in _metadata_urls(url):
        try:
            resp = getter(candidate, timeout=timeout, headers={"Accept": "application/json"})
        except Exception as exc:  # requests raises many types; all mean "could not read it"
            name = type(exc).__name__
            hint = " (a private CA is trusted through REQUESTS_CA_BUNDLE)" if "SSL" in name else ""
            raise AzureBackupError("Could not read cloud metadata from %s: %s: %s%s" % (candidate, name, exc, hint))
        if resp.status_code != 200:
            errors.append("%s answered HTTP %s" % (candidate, resp.status_code))
            continue
        try:
            doc = resp.json()
        except ValueError:
            errors.append("%s did not answer JSON" % candidate)
            continue
        cloud = _cloud_from_doc(doc, url)
        if cloud is not None:
            return cloud
        errors.append(
            "%s answered JSON without resourceManager/authentication.loginEndpoint/authentication.audiences" % candidate
        )
    raise ValidationError(
        "cloud_environment %s is not a usable metadata endpoint: %s." % (url, "; ".join(errors)),
        option="cloud_environment",
    )


def resolve_cloud(cloud_environment, timeout=METADATA_TIMEOUT, session=None):
    """Return the Cloud for a name (None = AzureCloud) or a metadata URL."""
    if cloud_environment is None or (isinstance(cloud_environment, str) and not cloud_environment.strip()):
        return CLOUDS["AzureCloud"]
    value = str(cloud_environment).strip()
    for name, cloud in CLOUDS.items():
        if value.lower() == name.lower():
            return cloud
    if value.lower().startswith(("https://", "http://")) and urlsplit(value).hostname:
        return _fetch_metadata(value, timeout, session)
    raise ValidationError(
        "Unknown cloud_environment %r: expected %s." % (value, _CLOUD_FORMS), option="cloud_environment"
    )


# ----------------------------------------------------------------------------- settings


class AuthSettings(object):
    """Resolved auth settings. ``kind`` names the credential: ``secret`` (service principal and client secret),
    ``certificate`` (service principal and certificate), ``password`` (a user's name and password),
    ``workload`` (workload identity: the federated token in ``federated_token_file``),
    ``identity`` (azure-identity's default chain: its environment variables, workload identity, managed
    identity, Azure CLI), ``cli`` or ``msi``. Secrets, the password and the certificate are never shown by
    repr()."""

    __slots__ = (
        "subscription_id",
        "tenant",
        "client_id",
        "secret",
        "ad_user",
        "password",
        "x509_certificate_path",
        "thumbprint",
        "certificate",
        "certificate_password",
        "federated_token_file",
        "cert_validation_mode",
        "profile",
        "auth_source",
        "cloud_environment",
        "kind",
        "sources",
        "credential_file",
    )

    def __init__(
        self,
        subscription_id=None,
        tenant=None,
        client_id=None,
        secret=None,
        profile=None,
        auth_source="auto",
        cloud_environment=None,
        sources=None,
        credential_file=None,
        ad_user=None,
        password=None,
        x509_certificate_path=None,
        thumbprint=None,
        certificate=None,
        certificate_password=None,
        cert_validation_mode=None,
        kind=None,
        federated_token_file=None,
    ):
        self.subscription_id = subscription_id
        self.tenant = tenant
        self.client_id = client_id
        self.secret = secret
        self.ad_user = ad_user
        self.password = password
        self.x509_certificate_path = x509_certificate_path
        self.thumbprint = thumbprint
        self.certificate = certificate  # msal's client_credential for a certificate
        self.certificate_password = certificate_password
        self.federated_token_file = federated_token_file
        self.cert_validation_mode = cert_validation_mode
        self.profile = profile
        self.auth_source = auth_source
        self.cloud_environment = cloud_environment
        self.sources = dict(sources or {})  # key -> "option" | "env" | "profile"
        self.credential_file = credential_file
        if kind is None:
            if auth_source in ("cli", "msi"):
                kind = auth_source
            elif client_id and secret and tenant:
                kind = "secret"
            elif certificate and client_id and tenant:
                kind = "certificate"
            elif ad_user and password:
                kind = "password"
            elif federated_token_file and client_id and tenant:
                kind = "workload"
            else:
                kind = "identity"
        self.kind = kind

    @property
    def has_client_secret(self):
        return self.kind == "secret"

    @property
    def secrets(self):
        """Every secret value these settings hold: redacted from any message that could show one."""
        return tuple(v for v in (self.secret, self.password, self.certificate_password) if v)

    def __repr__(self):
        return (
            "AuthSettings(kind=%r, subscription_id=%r, tenant=%r, client_id=%r, secret=%s, ad_user=%r, "
            "password=%s, x509_certificate_path=%r, profile=%r, auth_source=%r, cloud_environment=%r)"
            % (
                self.kind,
                self.subscription_id,
                self.tenant,
                self.client_id,
                "'********'" if self.secret else None,
                self.ad_user,
                "'********'" if self.password else None,
                self.x509_certificate_path,
                self.profile,
                self.auth_source,
                self.cloud_environment,
            )
        )

    __str__ = __repr__


def credential_file_path(env=None):
    """``~/.azure/credentials`` with HOME taken from ``env``."""
    env = os.environ if env is None else env
    home = env.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".azure", "credentials")


def read_profile(path, profile):
    """Values of ``[profile]`` in the credentials file; None when the file or the section is missing."""
    if not os.path.isfile(path):
        return None
    parser = RawConfigParser()
    try:
        parser.read(path)
    except ConfigParserError as exc:
        raise ValidationError(
            "Could not parse the Azure credentials file %s: %s" % (path, type(exc).__name__), option="profile"
        )
    if not parser.has_section(profile):
        return None
    return dict((key, parser.get(profile, key).strip()) for key in PROFILE_KEYS if parser.has_option(profile, key))


def _clean(value):
    if value is None:
        return None
    value = str(value).strip()
    return value or None


_SOURCE_RANK = {"option": 0, "env": 1, "profile": 2}


def _where(key, sources, env_name=None):
    """How the user set ``key``: ``the ad_user option``, ``AZURE_AD_USER``, ``the profile``."""
    source = sources.get(key)
    if source == "env":
        return env_name or ENV_NAMES[key][0]
    if source == "profile":
        return "%s in the credentials profile" % key
    return "the %s option" % key


def _names(key):
    return "%s (%s)" % (key, " or ".join(ENV_NAMES[key]))


_FORMS = (
    "a service principal's client_id, secret and tenant (AZURE_CLIENT_ID, AZURE_SECRET, AZURE_TENANT); "
    "a service principal's client_id, tenant and x509_certificate_path (AZURE_X509_CERTIFICATE_PATH or "
    "AZURE_CLIENT_CERTIFICATE_PATH); or a user's ad_user and password (AZURE_AD_USER, AZURE_PASSWORD)"
)

# Which values each kind of credential needs.
_REQUIRED = {
    "secret": ("client_id", "secret", "tenant"),
    "certificate": ("client_id", "tenant", "x509_certificate_path"),
    "password": ("ad_user", "password"),
}


def _credential_kind(values, sources, auth_source, where):
    """The credential the values describe. When they describe several, the one given with the strongest
    source (option > environment > profile) wins, then secret > certificate > password (azure.azcollection's
    order). The values that kind needs must all be there."""
    if auth_source in ("cli", "msi"):
        return auth_source
    forms = []
    for order, (kind, markers) in enumerate(
        (("secret", ("secret",)), ("certificate", ("x509_certificate_path",)), ("password", ("ad_user", "password")))
    ):
        ranks = [_SOURCE_RANK[sources[key]] for key in markers if values.get(key)]
        if ranks:
            forms.append((min(ranks), order, kind))
    if not forms:
        if auth_source == "auto":
            return "identity"
        raise ValidationError(
            "No Azure credentials in %s: give %s." % (where, _FORMS),
            option="client_id",
        )
    kind = min(forms)[2]
    missing = [key for key in _REQUIRED[kind] if not values.get(key)]
    if missing:
        raise ValidationError(
            "%s credentials are incomplete: missing %s (%s)."
            % (
                {"secret": "Service principal", "certificate": "Certificate", "password": "Username/password"}[kind],
                ", ".join(_names(key) for key in missing),
                where,
            ),
            option=missing[0],
        )
    return kind


def _check_cert_validation_mode(values, sources):
    mode = values.get("cert_validation_mode")
    if mode is None:
        return None
    if mode not in CERT_VALIDATION_MODES:
        raise ValidationError(
            "Unknown cert_validation_mode %r (from %s): expected validate."
            % (mode, _where("cert_validation_mode", sources)),
            option="cert_validation_mode",
        )
    if mode == "ignore":
        raise ValidationError(
            "cert_validation_mode=ignore (from %s) is refused: this collection always verifies TLS. "
            "To trust a private certificate authority (Azure Stack Hub, the emulator), point REQUESTS_CA_BUNDLE "
            "at its CA certificate, and remove cert_validation_mode or set it to validate."
            % _where("cert_validation_mode", sources),
            option="cert_validation_mode",
        )
    return mode


def resolve_auth(params, env=None):
    """Merge options > AZURE_* environment > ~/.azure/credentials profile into AuthSettings.

    ``auth_source``: ``auto`` (all three), ``env`` (options + environment), ``credential_file``
    (options + profile), ``cli`` / ``msi`` (options + environment + profile, for the subscription id).
    Everything is checked here, the certificate file included, before anything is sent."""
    env = os.environ if env is None else env
    params = params or {}
    auth_source = _clean(params.get("auth_source")) or "auto"
    if auth_source not in AUTH_SOURCES:
        raise ValidationError(
            "Unknown auth_source %r: expected one of %s." % (auth_source, ", ".join(AUTH_SOURCES)), option="auth_source"
        )

    values = {}
    sources = {}
    env_used = {}
    for key in ENV_NAMES:
        val = _clean(params.get(key))
        if val is not None:
            values[key] = val
            sources[key] = "option"
    if auth_source != "credential_file":
        for key, names in ENV_NAMES.items():
            if key in values:
                continue
            for name in names:
                if _clean(env.get(name)) is not None:
                    values[key] = _clean(env.get(name))
                    sources[key] = "env"
                    env_used[key] = name
                    break

    path = credential_file_path(env)
    profile_name = values.get("profile")
    if auth_source != "env":
        section = read_profile(path, profile_name or "default")
        if section is None and (profile_name or auth_source == "credential_file"):
            raise ValidationError(
                "Azure credentials profile [%s] not found in %s (set by %s)."
                % (
                    profile_name or "default",
                    path,
                    "the profile option"
                    if sources.get("profile") == "option"
                    else ("AZURE_PROFILE" if sources.get("profile") == "env" else "auth_source=credential_file"),
                ),
                option="profile",
            )
        for key, val in (section or {}).items():
            if key not in values and val:
                values[key] = val
                sources[key] = "profile"

    mode = _check_cert_validation_mode(values, sources)

    if not values.get("subscription_id"):
        raise ValidationError(
            "No subscription id: set the subscription_id option, the AZURE_SUBSCRIPTION_ID environment variable, "
            "or subscription_id in a profile of %s." % path,
            option="subscription_id",
        )

    where = {
        "env": "options or AZURE_* environment variables",
        "credential_file": "options or profile [%s] of %s" % (profile_name or "default", path),
    }.get(auth_source, "options, AZURE_* environment variables or a profile")
    kind = _credential_kind(values, sources, auth_source, where)
    federated_token_file = None
    if kind == "identity" and _clean(env.get(FEDERATED_TOKEN_FILE_ENV)):
        kind = "workload"
        federated_token_file = _workload_identity(values, _clean(env.get(FEDERATED_TOKEN_FILE_ENV)))

    certificate = None
    certificate_password = _clean(env.get(CERTIFICATE_PASSWORD_ENV)) if kind == "certificate" else None
    if kind == "certificate":
        certificate = load_certificate(
            values["x509_certificate_path"],
            values.get("thumbprint"),
            certificate_password,
            where=_where("x509_certificate_path", sources, env_used.get("x509_certificate_path")),
        )
    client_id = values.get("client_id")
    tenant = values.get("tenant")
    if kind == "password":
        client_id = client_id or AZURE_CLI_CLIENT_ID
        tenant = tenant or ORGANIZATIONS_TENANT

    return AuthSettings(
        subscription_id=values.get("subscription_id"),
        tenant=tenant,
        client_id=client_id,
        secret=values.get("secret") if kind in ("secret", "identity", "cli", "msi") else None,
        ad_user=values.get("ad_user") if kind == "password" else None,
        password=values.get("password") if kind == "password" else None,
        x509_certificate_path=values.get("x509_certificate_path") if kind == "certificate" else None,
        thumbprint=values.get("thumbprint") if kind == "certificate" else None,
        certificate=certificate,
        certificate_password=certificate_password,
        cert_validation_mode=mode,
        federated_token_file=federated_token_file,
        profile=profile_name,
        auth_source=auth_source,
        cloud_environment=values.get("cloud_environment"),
        sources=sources,
        credential_file=path,
        kind=kind,
    )


def _workload_identity(values, path):
    """Workload identity needs the app's client id and tenant beside the token file the platform writes
    (AKS's webhook sets all three: AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE)."""
    missing = [key for key in ("client_id", "tenant") if not values.get(key)]
    if missing:
        raise ValidationError(
            "Workload identity (%s is set) needs %s."
            % (FEDERATED_TOKEN_FILE_ENV, " and ".join(_names(k) for k in missing)),
            option=missing[0],
        )
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise ValidationError(
            "Workload identity: %s names %s, which is not a readable file." % (FEDERATED_TOKEN_FILE_ENV, path),
            option="client_id",
        )
    return path


class FederatedToken(object):
    """The client assertion of workload identity: the token file, read at every sign-in (the platform
    replaces it before it expires)."""

    def __init__(self, path):
        self.path = path

    def __call__(self):
        try:
            with open(self.path) as handle:
                token = handle.read().strip()
        except (IOError, OSError) as exc:
            raise AuthError("Workload identity: could not read the federated token file %s: %s"
                            % (self.path, exc.strerror or type(exc).__name__))  # fmt: skip
        if not token:
            raise AuthError("Workload identity: the federated token file %s is empty." % self.path)
        return token


# ----------------------------------------------------------------------------- certificates

_PEM_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)
_PRIVATE_KEYS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY")
_THUMBPRINT = re.compile(r"^[0-9a-f]{40}$")


def _clean_thumbprint(thumbprint):
    value = re.sub(r"[\s:]", "", thumbprint or "").lower()
    if not _THUMBPRINT.match(value):
        raise ValidationError(
            "thumbprint must be the certificate's SHA-1 thumbprint, 40 hexadecimal digits "
            "(colons and spaces allowed), got %d characters." % len(thumbprint or ""),
            option="thumbprint",
        )
    return value


def _certificate_error(where, path, reason):
    return ValidationError(
        "x509_certificate_path (from %s): %s %s. Expected a PEM file holding the service principal's private key "
        "and its certificate, or a PKCS#12 (.pfx) file (its password in %s)."
        % (where, path, reason, CERTIFICATE_PASSWORD_ENV),
        option="x509_certificate_path",
    )


def load_certificate(path, thumbprint, password, where="the x509_certificate_path option"):
    """msal's ``client_credential`` for the certificate in ``path``, checked now so that a wrong file, a missing
    password or a thumbprint of another certificate fails before anything is sent.

    PEM holding a certificate: msal is given the certificate and signs with its SHA-256 thumbprint (``x5t#S256``,
    PS256); PEM with only a key: the given SHA-1 ``thumbprint`` (``x5t``, RS256, what azure.azcollection does);
    anything else is read as PKCS#12. A given thumbprint must be the certificate's."""
    expected = _clean_thumbprint(thumbprint) if thumbprint else None
    try:
        with open(os.path.expanduser(path), "rb") as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        raise _certificate_error(where, path, "cannot be read (%s)" % (exc.strerror or type(exc).__name__))
    text = data.decode("ascii", "replace") if b"-----BEGIN " in data else None
    if text is None:
        return _load_pkcs12(path, data, expected, password, where)
    blocks = _PEM_BLOCK.findall(text)
    keys = [(label, body) for label, body in blocks if label in _PRIVATE_KEYS]
    certs = [body for label, body in blocks if label == "CERTIFICATE"]
    if not keys:
        raise _certificate_error(where, path, "holds no private key")
    label, body = keys[0]
    encrypted = label == "ENCRYPTED PRIVATE KEY" or "ENCRYPTED" in body.split("\n\n")[0]
    if encrypted and not password:
        raise _certificate_error(
            where, path, "holds an encrypted private key and %s is not set" % CERTIFICATE_PASSWORD_ENV
        )
    key_pem = "-----BEGIN %s-----%s-----END %s-----\n" % (label, body, label)
    credential = {"private_key": key_pem}
    if password and encrypted:
        credential["passphrase"] = password
    if certs:
        try:
            der = base64.b64decode("".join(certs[0].split()), validate=True)
        except (ValueError, TypeError):
            raise _certificate_error(where, path, "holds a certificate that is not valid base64")
        actual = hashlib.sha1(der).hexdigest()  # nosec - the thumbprint Azure knows the certificate by
        if expected and expected != actual:
            raise ValidationError(
                "thumbprint %s is not the thumbprint of the certificate in %s (%s)." % (expected, path, actual),
                option="thumbprint",
            )
        credential["public_certificate"] = "-----BEGIN CERTIFICATE-----%s-----END CERTIFICATE-----\n" % certs[0]
    elif expected:
        credential["thumbprint"] = expected.upper()
    else:
        raise _certificate_error(where, path, "holds no certificate and no thumbprint was given")
    return credential


def _load_pkcs12(path, data, expected, password, where):
    try:
        from cryptography.hazmat.primitives import hashes  # pylint: disable=import-outside-toplevel
        from cryptography.hazmat.primitives.serialization import pkcs12  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise MissingDependency(
            "Failed to import the required Python library (cryptography, which azure-identity installs) to read "
            "the PKCS#12 certificate %s. Install it (pip install azure-identity) in the Python interpreter the "
            "module runs with." % path,
            library="cryptography",
            traceback=traceback.format_exc(),
        )
    try:
        key, cert, _others = pkcs12.load_key_and_certificates(data, password.encode("utf-8") if password else None)
    except (ValueError, TypeError):
        raise _certificate_error(
            where, path, "is neither PEM nor a PKCS#12 file that %s opens" % (
                "the password in " + CERTIFICATE_PASSWORD_ENV if password else "an empty password")
        )  # fmt: skip
    if key is None or cert is None:
        raise _certificate_error(where, path, "is a PKCS#12 file without a private key and its certificate")
    actual = cert.fingerprint(hashes.SHA1()).hex()  # nosec - the thumbprint Azure knows the certificate by
    if expected and expected != actual:
        raise ValidationError(
            "thumbprint %s is not the thumbprint of the certificate in %s (%s)." % (expected, path, actual),
            option="thumbprint",
        )
    credential = {"private_key_pfx_path": os.path.expanduser(path)}
    if password:
        credential["passphrase"] = password
    return credential


# ----------------------------------------------------------------------------- credential


def _import_identity():
    # azure-identity logs each failed get_token as a WARNING; with no handler configured Python prints it
    # to stderr. The AuthError we raise carries the same (redacted) message, so keep stderr quiet.
    for name in ("azure.identity", "azure.core"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
    try:
        from azure import identity  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise MissingDependency(
            "Failed to import the required Python library (azure-identity) on this node. "
            "Install it (pip install azure-identity) in the Python interpreter the module runs with.",
            library="azure-identity",
            traceback=traceback.format_exc(),
        )
    return identity


def effective_authority(settings, cloud, env=None):
    """The authority host the credential will use: the cloud's when ``cloud_environment`` was set,
    else azure-identity's own ``AZURE_AUTHORITY_HOST`` when present, else the cloud's (AzureCloud)."""
    env = os.environ if env is None else env
    if not settings.cloud_environment and _clean(env.get("AZURE_AUTHORITY_HOST")):
        host = _clean(env.get("AZURE_AUTHORITY_HOST"))
        return _strip_slash(host if "://" in host else "https://" + host)
    return cloud.authority_host


def is_microsoft_authority(authority):
    return (urlsplit(authority).hostname or "").lower() in MICROSOFT_AUTHORITY_HOSTS


def build_credential(settings, cloud, env=None):
    """The credential for ``settings``. A client secret, a certificate, a user's password and workload identity's
    federated token go through msal directly (what azure-identity uses underneath, at a fraction of its import
    cost, and with this cloud's authority); the Azure CLI, managed identity and azure-identity's default chain
    (its environment variables, managed identity, Azure CLI) go through azure-identity, imported only then. Instance discovery is off for authority hosts that
    are not Microsoft's. Every credential has ``get_token(scope, force_refresh)``."""
    authority = effective_authority(settings, cloud, env)
    if settings.kind == "secret":
        return MsalConfidentialClient(settings.tenant, settings.client_id, settings.secret, authority,
                                      secrets=settings.secrets)  # fmt: skip
    if settings.kind == "certificate":
        return MsalConfidentialClient(settings.tenant, settings.client_id, settings.certificate, authority,
                                      secrets=settings.secrets, what="certificate")  # fmt: skip
    if settings.kind == "workload":
        return MsalConfidentialClient(settings.tenant, settings.client_id,
                                      {"client_assertion": FederatedToken(settings.federated_token_file)}, authority,
                                      what="federated token")  # fmt: skip
    if settings.kind == "password":
        return MsalUsernamePassword(settings.tenant, settings.client_id, settings.ad_user, settings.password,
                                    authority)  # fmt: skip
    return IdentityCredential(
        lambda: _identity_credential(settings, authority), kind=settings.kind, redact=settings.secrets
    )


def _identity_credential(settings, authority):
    identity = _import_identity()
    common = dict(
        authority=authority, retry_total=CREDENTIAL_RETRY_TOTAL, retry_backoff_factor=CREDENTIAL_RETRY_BACKOFF
    )
    if not is_microsoft_authority(authority):
        common['disable_instance_discovery'] = True
    source = settings.auth_source
    try:
        if source == 'cli':
            return identity.AzureCliCredential(tenant_id=settings.tenant or '')
        if source == 'msi':
            kwargs = dict(retry_total=CREDENTIAL_RETRY_TOTAL, retry_backoff_factor=CREDENTIAL_RETRY_BACKOFF)
            if settings.client_id:
                kwargs['client_id'] = settings.client_id
            return identity.ManagedIdentityCredential(**kwargs)
        kwargs = dict(common)
        kwargs['exclude_interactive_browser_credential'] = True
        if settings.client_id:
            kwargs['managed_identity_client_id'] = settings.client_id
        if settings.tenant:
            kwargs['workload_identity_tenant_id'] = settings.tenant
        return identity.DefaultAzureCredential(**kwargs)
    except ValueError as exc:  # e.g. a malformed tenant id
        raise AuthError(_redact('Invalid credential settings: %s' % exc, settings.secrets))


def _import_msal():
    try:
        import msal  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise MissingDependency(
            'Failed to import the required Python library (msal, which azure-identity installs) on this node. '
            'Install it (pip install azure-identity) in the Python interpreter the module runs with.',
            library='msal',
            traceback=traceback.format_exc(),
        )
    return msal


def _msal_http(authority=None):
    # the authority's OpenID configuration is public: kept between tasks (DiscoveryCache)
    return DiscoveryHttp(requests.Session(), DiscoveryCache(), timeout=METADATA_TIMEOUT, authority=authority)


def _authority_url(authority, tenant):
    return '%s/%s' % (authority.rstrip('/'), tenant)


def _unreachable(authority, tenant, exc, secrets):
    return AuthError(_redact('Could not reach the authority %s: %s: %s'
                             % (_authority_url(authority, tenant), type(exc).__name__, exc), secrets))  # fmt: skip


def _drop_access_tokens(msal, app):
    for entry in list(app.token_cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
        app.token_cache.remove_at(entry)


def _token_from_answer(answer, scope, secrets, explain=None):
    """(token, expires_on) from msal's answer, or AuthError with Entra ID's reason (its AADSTS code kept)."""
    if answer and 'access_token' in answer:
        return answer['access_token'], time.time() + float(answer.get('expires_in') or 0)
    answer = answer or {}
    description = _redact(str(answer.get('error_description') or answer.get('error') or 'no token'), secrets)
    code = _aadsts_code(description)
    plain = explain(code) if explain else None
    message = 'Could not get an Azure access token for %s: %s: %s' % (scope, answer.get('error'), description.strip())
    if plain:
        message = '%s (Entra ID said: %s: %s)' % (plain, answer.get('error'), description.strip())
    raise AuthError(message, code=code)


class MsalConfidentialClient(object):
    """A service principal through msal's confidential client (no azure-identity import): ``credential`` is its
    client secret, or msal's certificate dict (load_certificate).

    ``get_token(scope, force_refresh=True)`` drops msal's cached access tokens first, so that the token comes
    from Entra ID, not from the cache (Azure may reject a cached token before its expiry: revoked, or signed
    with a rotated key)."""

    def __init__(self, tenant, client_id, credential, authority, secrets=(), what='secret'):
        self._args = (tenant, client_id, credential, authority)
        self._secrets = tuple(s for s in secrets if s)
        self._what = what
        self._app = None

    def __repr__(self):
        return 'MsalConfidentialClient(tenant=%r, client_id=%r, %s)' % (self._args[0], self._args[1], self._what)

    def _application(self):
        if self._app is None:
            msal = _import_msal()
            tenant, client_id, credential, authority = self._args
            try:
                self._app = msal.ConfidentialClientApplication(
                    client_id,
                    client_credential=credential,
                    authority=_authority_url(authority, tenant),
                    instance_discovery=is_microsoft_authority(authority),
                    http_client=_msal_http(),
                )
            except Exception as exc:  # msal raises ValueError and requests' errors while it discovers the tenant
                if self._what == 'certificate' and isinstance(exc, ValueError) and 'authority' not in str(exc).lower():
                    raise AuthError(_redact('The certificate could not be used to sign in: %s' % exc, self._secrets))
                raise _unreachable(authority, tenant, exc, self._secrets)
        return self._app

    def get_token(self, scope, force_refresh=False):
        app = self._application()
        msal = _import_msal()
        if force_refresh:
            _drop_access_tokens(msal, app)
        try:
            answer = app.acquire_token_for_client([scope])
        except Exception as exc:  # network errors from requests, bad answers from the authority
            raise AuthError(_redact('Could not get an Azure access token for %s: %s: %s' % (scope, type(exc).__name__, exc),
                                    self._secrets))  # fmt: skip
        return _token_from_answer(answer, scope, self._secrets)


# Entra ID codes of a username/password sign-in that the user can only fix by choosing another credential.
_ROPC_REFUSALS = {
    'AADSTS50076': 'the account must use multi-factor authentication',
    'AADSTS50079': 'the account must enroll in multi-factor authentication',
    'AADSTS50074': 'the account must use multi-factor authentication',
    'AADSTS50158': 'the account must pass an external security challenge (conditional access)',
    'AADSTS53003': 'conditional access blocks this sign-in',
    'AADSTS50072': 'the account must enroll in multi-factor authentication',
}
_ROPC_ALTERNATIVES = (
    'A username and password cannot satisfy that. Use a service principal instead (client_id, secret and tenant, '
    'or client_id, tenant and x509_certificate_path; in AWX the Azure Resource Manager credential with a client '
    'id, secret and tenant), or workload or managed identity.'
)


class MsalUsernamePassword(object):
    """A user's name and password (OAuth resource owner password credentials, what azure.azcollection's
    ``ad_user`` / ``password`` and AWX's username/password Azure credential use) through msal's public client.
    Entra ID refuses the flow for accounts that need multi-factor authentication: that error says so plainly."""

    def __init__(self, tenant, client_id, username, password, authority):
        self._args = (tenant, client_id, authority)
        self._username = username
        self._password = password
        self._app = None

    def __repr__(self):
        return 'MsalUsernamePassword(tenant=%r, client_id=%r, username=%r)' % (
            self._args[0], self._args[1], self._username)  # fmt: skip

    def _application(self):
        if self._app is None:
            msal = _import_msal()
            tenant, client_id, authority = self._args
            try:
                self._app = msal.PublicClientApplication(
                    client_id,
                    authority=_authority_url(authority, tenant),
                    instance_discovery=is_microsoft_authority(authority),
                    http_client=_msal_http(authority),
                )
            except Exception as exc:
                raise _unreachable(authority, tenant, exc, (self._password,))
        return self._app

    def _explain(self, code):
        if code in _ROPC_REFUSALS:
            return 'Azure refused the username/password sign-in of %s: %s (%s). %s' % (
                self._username, _ROPC_REFUSALS[code], code, _ROPC_ALTERNATIVES)  # fmt: skip
        if code in ('AADSTS50126', 'AADSTS50034'):
            return 'Azure refused the username/password sign-in of %s: wrong user name or password (%s).' % (
                self._username, code)  # fmt: skip
        if code == 'AADSTS7000218':
            return ('Azure refused the username/password sign-in of %s (%s): the application %s is not a public client; '
                    'leave client_id unset or allow public client flows in its registration.'
                    % (self._username, code, self._args[1]))  # fmt: skip
        return None

    def get_token(self, scope, force_refresh=False):
        app = self._application()
        msal = _import_msal()
        if force_refresh:
            _drop_access_tokens(msal, app)
        try:  # every call signs in: TokenProvider keeps the token for the rest of the task
            with warnings.catch_warnings():  # msal's DeprecationWarning: the docs say it (Microsoft discourages ROPC)
                warnings.simplefilter('ignore', DeprecationWarning)
                answer = app.acquire_token_by_username_password(self._username, self._password, scopes=[scope])
        except Exception as exc:
            raise AuthError(_redact('Could not get an Azure access token for %s: %s: %s' % (scope, type(exc).__name__, exc),
                                    (self._password,)))  # fmt: skip
        return _token_from_answer(answer, scope, (self._password,), explain=self._explain)


class IdentityCredential(object):
    """An azure-identity credential, made by ``factory`` when first needed. ``force_refresh`` makes a new one:
    azure-identity keeps no token across instances, so the token comes from its source again. When the default
    chain (``kind`` ``identity``) finds nothing, the error says which credentials the task could have given
    before azure-identity's list of what it tried."""

    def __init__(self, factory, kind='identity', redact=()):
        self._factory = factory
        self._kind = kind
        self._redact = tuple(s for s in redact if s)
        self._credential = None

    def get_token(self, scope, force_refresh=False):
        if force_refresh or self._credential is None:
            self._credential = self._factory()
        try:
            access = self._credential.get_token(scope)
        except Exception as exc:  # ClientAuthenticationError, CredentialUnavailableError
            if self._kind != 'identity' or not _is_azure_auth_error(exc):
                raise
            raise AuthError(_redact(_chain_failure(scope, exc), self._redact), code=_aadsts_code(str(exc)))
        return access.token, float(access.expires_on)


def _chain_failure(scope, exc):
    message = getattr(exc, 'message', None) or str(exc)
    tried = [line.strip() for line in message.splitlines() if line.startswith(('\t', '    ')) and ':' in line]
    tried = [line if len(line) <= 300 else line[:300] + '...' for line in tried]
    return (
        'Could not get an Azure access token for %s: no credentials were given (%s), and none of azure-identity\'s '
        'default sources had one (%s). Give the credentials as options, AZURE_* environment variables or a '
        '~/.azure/credentials profile, or run where workload identity (AZURE_FEDERATED_TOKEN_FILE), a managed '
        'identity or az login is available.' % (scope, _FORMS, '; '.join(tried) or message.strip()[:1000])
    )


def _redact(text, secrets):
    for secret in secrets or ():
        if secret:
            text = text.replace(secret, "********")
    return text


def token_cache_key(settings, cloud):
    # the user and the kind are part of the identity: two users of one public client get two tokens
    return (cloud.authority_host, settings.tenant, settings.client_id, settings.kind, settings.ad_user,
            settings.auth_source, cloud.scope)  # fmt: skip


# ----------------------------------------------------------------------------- tokens

_TOKEN_CACHE = {}
_TOKEN_LOCK = threading.Lock()


def clear_token_cache():
    with _TOKEN_LOCK:
        _TOKEN_CACHE.clear()


class TokenProvider(object):
    """One access token per process (per ``cache_key``), refreshed when fewer than ``refresh_margin`` seconds
    (5 minutes) remain, or at once with ``token(force_refresh=True)`` (after Azure answered 401): then the
    credential is asked for a new token, not its cached one. Tokens live in memory only."""

    def __init__(
        self, credential, scope, clock=time.time, cache_key=None, refresh_margin=TOKEN_REFRESH_MARGIN, redact=()
    ):
        self.credential = credential
        self.scope = scope
        self.clock = clock
        self.refresh_margin = refresh_margin
        self._key = cache_key if cache_key is not None else ('instance', id(self), scope)
        self._redact = tuple(s for s in redact if s)

    def __repr__(self):
        return 'TokenProvider(scope=%r)' % (self.scope,)

    def invalidate(self):
        """Forget the cached token."""
        with _TOKEN_LOCK:
            _TOKEN_CACHE.pop(self._key, None)

    def token(self, force_refresh=False):
        with _TOKEN_LOCK:
            cached = None if force_refresh else _TOKEN_CACHE.get(self._key)
            if cached is not None and cached[1] - self.clock() > self.refresh_margin:
                return cached[0]
            token, expires_on = self._get_token(force_refresh)
            _TOKEN_CACHE[self._key] = (token, float(expires_on))
            return token

    def _get_token(self, force_refresh):
        try:
            return self.credential.get_token(self.scope, force_refresh=force_refresh)
        except AuthError:
            raise
        except Exception as exc:  # azure-identity raises ClientAuthenticationError and friends
            if not _is_azure_auth_error(exc):
                raise
            message = getattr(exc, 'message', None) or str(exc)
            message = _redact(message.strip(), self._redact)
            if len(message) > 2000:
                message = message[:2000] + '...'
            raise AuthError(
                'Could not get an Azure access token for %s: %s' % (self.scope, message), code=_aadsts_code(message)
            )


def _is_azure_auth_error(exc):
    for klass in type(exc).__mro__:
        if klass.__name__ in ("ClientAuthenticationError", "CredentialUnavailableError", "AzureError"):
            return True
    return False


def _aadsts_code(message):
    idx = message.find("AADSTS")
    if idx < 0:
        return None
    end = idx + 6
    while end < len(message) and message[end].isdigit():
        end += 1
    return message[idx:end] if end > idx + 6 else None


def create_token_provider(settings, cloud, clock=time.time, env=None):
    """build_credential + TokenProvider with the process-wide cache key for these settings."""
    return TokenProvider(
        build_credential(settings, cloud, env=env),
        cloud.scope,
        clock=clock,
        cache_key=token_cache_key(settings, cloud),
        redact=settings.secrets,
    )
