# -*- coding: utf-8 -*-
# Copyright (c) cloudops.azure_backup contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Cloud endpoints, credential settings, azure-identity credential and token cache.
Internal to this collection; not a public API."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import logging
import os
import tempfile
import threading
import time
import traceback
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

# Option name -> environment variable (azure.azcollection / AWX names).
ENV_NAMES = {
    "subscription_id": "AZURE_SUBSCRIPTION_ID",
    "client_id": "AZURE_CLIENT_ID",
    "secret": "AZURE_SECRET",
    "tenant": "AZURE_TENANT",
    "cloud_environment": "AZURE_CLOUD_ENVIRONMENT",
    "profile": "AZURE_PROFILE",
}
PROFILE_KEYS = ("subscription_id", "client_id", "secret", "tenant", "cloud_environment")

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
        return self.audience.rstrip("/") + "/.default"

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
    it has them (and fill it), everything else goes to ``session`` (a requests.Session) as it is."""

    def __init__(self, session, cache, timeout=None):
        self.session = session
        self.cache = cache
        self.timeout = timeout

    def get(self, url, params=None, headers=None, **kwargs):
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
    """Resolved auth settings. ``secret`` is never shown by repr()."""

    __slots__ = (
        "subscription_id",
        "tenant",
        "client_id",
        "secret",
        "profile",
        "auth_source",
        "cloud_environment",
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
    ):
        self.subscription_id = subscription_id
        self.tenant = tenant
        self.client_id = client_id
        self.secret = secret
        self.profile = profile
        self.auth_source = auth_source
        self.cloud_environment = cloud_environment
        self.sources = dict(sources or {})  # key -> "option" | "env" | "profile"
        self.credential_file = credential_file

    @property
    def has_client_secret(self):
        return bool(self.client_id and self.secret and self.tenant)

    def __repr__(self):
        return (
            "AuthSettings(subscription_id=%r, tenant=%r, client_id=%r, secret=%s, profile=%r, auth_source=%r, "
            "cloud_environment=%r)"
            % (
                self.subscription_id,
                self.tenant,
                self.client_id,
                "'********'" if self.secret else None,
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


def resolve_auth(params, env=None):
    """Merge options > AZURE_* environment > ~/.azure/credentials profile into AuthSettings.

    ``auth_source``: ``auto`` (all three), ``env`` (options + environment), ``credential_file``
    (options + profile), ``cli`` / ``msi`` (options + environment + profile, for the subscription id)."""
    env = os.environ if env is None else env
    params = params or {}
    auth_source = _clean(params.get("auth_source")) or "auto"
    if auth_source not in AUTH_SOURCES:
        raise ValidationError(
            "Unknown auth_source %r: expected one of %s." % (auth_source, ", ".join(AUTH_SOURCES)), option="auth_source"
        )

    values = {}
    sources = {}
    for key in ENV_NAMES:
        val = _clean(params.get(key))
        if val is not None:
            values[key] = val
            sources[key] = "option"
    if auth_source != "credential_file":
        for key, name in ENV_NAMES.items():
            if key not in values and _clean(env.get(name)) is not None:
                values[key] = _clean(env.get(name))
                sources[key] = "env"

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

    if not values.get("subscription_id"):
        raise ValidationError(
            "No subscription id: set the subscription_id option, the AZURE_SUBSCRIPTION_ID environment variable, "
            "or subscription_id in a profile of %s." % path,
            option="subscription_id",
        )

    settings = AuthSettings(
        subscription_id=values.get("subscription_id"),
        tenant=values.get("tenant"),
        client_id=values.get("client_id"),
        secret=values.get("secret"),
        profile=profile_name,
        auth_source=auth_source,
        cloud_environment=values.get("cloud_environment"),
        sources=sources,
        credential_file=path,
    )

    if auth_source in ("env", "credential_file") or (auth_source == "auto" and settings.secret):
        missing = [k for k in ("client_id", "secret", "tenant") if not values.get(k)]
        if missing:
            where = {
                "env": "options or AZURE_* environment variables",
                "credential_file": "options or profile [%s] of %s" % (profile_name or "default", path),
            }
            raise ValidationError(
                "Service principal credentials are incomplete: missing %s (%s)."
                % (
                    ", ".join("%s/%s" % (k, ENV_NAMES[k]) for k in missing),
                    where.get(auth_source, "options, AZURE_* environment variables or a profile"),
                ),
                option=missing[0],
            )
    return settings


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
    """The credential for ``settings``: a client secret goes through msal directly (what azure-identity uses
    underneath, at a fraction of its import cost); the Azure CLI, managed identity, workload identity and
    azure-identity's default chain go through azure-identity, imported only then. Instance discovery is off
    for authority hosts that are not Microsoft's. Every credential has ``get_token(scope, force_refresh)``."""
    authority = effective_authority(settings, cloud, env)
    if settings.auth_source not in ('cli', 'msi') and settings.has_client_secret:
        return MsalClientSecret(settings.tenant, settings.client_id, settings.secret, authority)
    return IdentityCredential(lambda: _identity_credential(settings, authority))


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
        raise AuthError(_redact('Invalid credential settings: %s' % exc, [settings.secret]))


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


class MsalClientSecret(object):
    """A service principal's client secret through msal's confidential client (no azure-identity import).

    ``get_token(scope, force_refresh=True)`` drops msal's cached access tokens first, so that the token comes
    from Entra ID, not from the cache (Azure may reject a cached token before its expiry: revoked, or signed
    with a rotated key)."""

    def __init__(self, tenant, client_id, secret, authority, timeout=METADATA_TIMEOUT):
        self._args = (tenant, client_id, secret, authority, timeout)
        self._secret = secret
        self._app = None

    def __repr__(self):
        return 'MsalClientSecret(tenant=%r, client_id=%r)' % (self._args[0], self._args[1])

    def _application(self):
        if self._app is None:
            msal = _import_msal()
            tenant, client_id, secret, authority, timeout = self._args
            try:
                self._app = msal.ConfidentialClientApplication(
                    client_id,
                    client_credential=secret,
                    authority='%s/%s' % (authority.rstrip('/'), tenant),
                    instance_discovery=is_microsoft_authority(authority),
                    # the authority's OpenID configuration is public: kept between tasks (DiscoveryCache)
                    http_client=DiscoveryHttp(requests.Session(), DiscoveryCache(), timeout=timeout),
                )
            except Exception as exc:  # msal raises ValueError and requests' errors while it discovers the tenant
                raise AuthError(
                    _redact('Could not reach the authority %s/%s: %s: %s' % (authority, tenant, type(exc).__name__, exc),
                            [secret])
                )  # fmt: skip
        return self._app

    def get_token(self, scope, force_refresh=False):
        app = self._application()
        msal = _import_msal()
        if force_refresh:
            for entry in list(app.token_cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN)):
                app.token_cache.remove_at(entry)
        try:
            answer = app.acquire_token_for_client([scope])
        except Exception as exc:  # network errors from requests, bad answers from the authority
            raise AuthError(_redact('Could not get an Azure access token for %s: %s: %s' % (scope, type(exc).__name__, exc),
                                    [self._secret]))  # fmt: skip
        if not answer or 'access_token' not in answer:
            answer = answer or {}
            description = _redact(
                str(answer.get('error_description') or answer.get('error') or 'no token'), [self._secret]
            )
            raise AuthError(
                'Could not get an Azure access token for %s: %s: %s'
                % (scope, answer.get('error'), description.strip()),
                code=_aadsts_code(description),
            )
        return answer['access_token'], time.time() + float(answer.get('expires_in') or 0)


class IdentityCredential(object):
    """An azure-identity credential, made by ``factory`` when first needed. ``force_refresh`` makes a new one:
    azure-identity keeps no token across instances, so the token comes from its source again."""

    def __init__(self, factory):
        self._factory = factory
        self._credential = None

    def get_token(self, scope, force_refresh=False):
        if force_refresh or self._credential is None:
            self._credential = self._factory()
        access = self._credential.get_token(scope)
        return access.token, float(access.expires_on)


def _redact(text, secrets):
    for secret in secrets or ():
        if secret:
            text = text.replace(secret, "********")
    return text


def token_cache_key(settings, cloud):
    return (cloud.authority_host, settings.tenant, settings.client_id, settings.auth_source, cloud.scope)


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
        redact=(settings.secret,),
    )
