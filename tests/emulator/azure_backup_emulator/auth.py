"""An Entra-ID-like token issuer and the bearer check ARM does on every call.

Credentials the authority accepts (each checked, nothing is canned):

- client credentials with the app's client secret;
- client credentials with a client assertion signed by the app's certificate (``x5t``/``x5t#S256``
  header = the registered certificate's thumbprint, RS256/PS256, ``iss`` = ``sub`` = client id,
  ``aud`` = the token endpoint, ``exp``/``nbf`` in real time);
- client credentials with a client assertion issued by a trusted external OIDC issuer (workload
  identity federation: ``iss``/``sub``/``aud`` must match a federated credential of the app, signed
  by the emulator's issuer key, ``/federation``);
- username/password (ROPC) of a scenario user, with any public client id;
- managed identity tokens over IMDS (routes/imds.py calls ``issue_managed_identity``).

Access tokens are opaque; they expire after ``token_lifetime_seconds`` of *real* time (tokens are
the client's business, not Azure's emulated timeline) and can be revoked by the control API: every
token issued so far then gets the 401 code chosen (REVOCATION_CODES); later tokens are valid.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from . import arm
from .keys import RSA_ALGORITHMS, ClientCertificate, Jwt, JwtError, KeyRing, b64url, b64url_decode
from .scenario import user_assigned_identities, users

ARM_AUDIENCES_PUBLIC = ("https://management.azure.com", "https://management.core.windows.net")
ARM_APP_ID = "797f4846-ba00-4fd7-ba43-dac1f8f63013"  # "Windows Azure Service Management API"
# The 401 codes ARM answers for a revoked token (POST /_emulator/tokens/expire {"code": ...}).
REVOCATION_CODES = ("ExpiredAuthenticationToken", "InvalidAuthenticationToken")
INVALID_TOKEN_MESSAGE = "The access token is invalid."
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange"
DEFAULT_FEDERATED_SUBJECT = "system:serviceaccount:backup:runner"
GENERIC_TENANTS = ("common", "organizations", "consumers")
RESERVED_SCOPES = ("openid", "profile", "offline_access", "email")
CERT_DOCS = "Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."
FEDERATION_DOCS = "https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation"


class AadError(Exception):
    """An OAuth error answered with the AADSTS body shape (``extra``: more keys, e.g. suberror)."""

    def __init__(self, status, error, code, description, extra=None):
        super().__init__(description)
        self.status = status
        self.error = error
        self.code = code
        self.description = description
        self.extra = dict(extra or {})

    def body(self):
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        body = {
            "error": self.error,
            "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
            % (self.code, self.description, trace_id, correlation_id, stamp),
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % self.code,
        }
        body.update(self.extra)
        return body


def _missing(name):
    return AadError(
        400, "invalid_request", 900144, "The request body must contain the following parameter: '%s'." % name
    )


def _malformed(reason=None):
    text = "JWT token is invalid or malformed."
    return AadError(400, "invalid_request", 50027, text + (" " + reason if reason else ""))


class Authority:
    """The base URLs a request reached the authority under (127.0.0.1 and localhost are one host)."""

    def __init__(self, base):
        self.base = base.rstrip("/")
        self.bases = sorted(
            {
                self.base,
                self.base.replace("://127.0.0.1", "://localhost"),
                self.base.replace("://localhost", "://127.0.0.1"),
            }
        )

    @property
    def audiences(self):
        """Resources a token may be issued for: ARM (the emulator) under any of its names."""
        return self.bases + list(ARM_AUDIENCES_PUBLIC)

    def token_endpoints(self, tenant_names):
        """What a client assertion's ``aud`` may be: the v2 or v1 token endpoint, by tenant id or domain."""
        return {
            "%s/%s/%s" % (base, name, path)
            for base in self.bases
            for name in tenant_names
            if name
            for path in ("oauth2/v2.0/token", "oauth2/token")
        }

    @property
    def federation_issuers(self):
        return [base + "/federation" for base in self.bases]


def _norm(url):
    return url.rstrip("/").lower() if isinstance(url, str) else url


def _ests_time(epoch):
    """2024-10-02T22:05:03.6755165Z, as ESTS writes times in its messages."""
    value = datetime.fromtimestamp(epoch, timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _cert_time(value):
    return value.strftime("%m/%d/%Y %H:%M:%S")


def _is_guid(value):
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class TokenStore:
    def __init__(self, scenario, keys=None, monotonic=time.time):
        self._lock = threading.Lock()
        self._tokens = {}
        self._now = monotonic
        self.keys = keys or KeyRing()
        self.configure(scenario)

    def configure(self, scenario):
        self.tenant_id = scenario["tenant_id"]
        self.tenant_domain = scenario.get("tenant_domain", "")
        self.client_id = scenario["client_id"]
        self.client_secret = scenario["client_secret"]
        self.subscription_id = scenario["subscription_id"]
        self.object_id = scenario.get("principal_object_id", self.client_id)
        self.lifetime = int(scenario.get("token_lifetime_seconds", 3599))
        pem = scenario.get("client_certificate_pem")
        self.client_certificate = ClientCertificate.from_pem(pem) if pem else self.keys.generated_client_certificate
        self.users = {user["username"].lower(): user for user in users(scenario)}
        self.federated_credentials = [dict(f) for f in scenario.get("federated_credentials") or []]
        identities = scenario.get("managed_identities") or {}
        self.system_identity = identities.get("system_assigned")
        self.user_identities = user_assigned_identities(scenario)

    def known_tenant(self, tenant):
        return tenant.lower() in (self.tenant_id.lower(), self.tenant_domain.lower())

    @property
    def sign_in_user(self):
        """The first user who may sign in with a password alone (for env.json), or None."""
        for user in self.users.values():
            if not user.get("mfa_required"):
                return user
        return None

    # --- issuing ---------------------------------------------------------------------------

    def issue(self, tenant, form, authority, version="2.0"):
        """Validate a token request (client_credentials or password); return the grant:
        {access_token, expires_at, resource[, scope, id_token, client_info]}."""
        generic = tenant.lower() in GENERIC_TENANTS
        if not generic and not self.known_tenant(tenant):
            raise AadError(
                400,
                "invalid_request",
                90002,
                "Tenant '%s' not found. Check to make sure you have the correct tenant ID "
                "and are signing into the correct cloud. Check with your subscription "
                "administrator, this may happen if there are no active subscriptions for "
                "the tenant." % tenant,
            )
        grant = form.get("grant_type")
        if not grant:
            raise _missing("grant_type")
        if grant == "client_credentials":
            return self._client_credentials(tenant, generic, form, authority)
        if grant == "password":
            return self._password(tenant, form, authority, version)
        raise AadError(
            400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'." % grant
        )

    def _client_credentials(self, tenant, generic, form, authority):
        client_id = form.get("client_id")
        if not client_id:
            raise _missing("client_id")
        resource = self._resource(form)
        if generic:
            raise AadError(
                400,
                "invalid_request",
                50059,
                "No tenant-identifying information found in either the request or implied by any provided credentials.",
            )
        self._check_app(client_id, tenant)
        principal = self._authenticate_client(form, authority)
        self._check_resource(resource, tenant, authority)
        return self._store(principal, resource)

    def _check_app(self, client_id, tenant):
        if client_id.lower() != self.client_id.lower():
            raise AadError(
                400,
                "unauthorized_client",
                700016,
                "Application with identifier '%s' was not found in the directory '%s'. "
                "This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant. "
                "You may have sent your authentication request to the wrong tenant." % (client_id, tenant),
            )

    def _check_resource(self, resource, tenant, authority):
        if _norm(resource) not in {_norm(a) for a in authority.audiences}:
            raise AadError(
                400,
                "invalid_resource",
                500011,
                "The resource principal named %s was not found in the tenant named %s. "
                "This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant. "
                "You might have sent your authentication request to the wrong tenant." % (resource, tenant),
            )

    def _app_principal(self, credential):
        return {
            "type": "ServicePrincipal",
            "object_id": self.object_id,
            "client_id": self.client_id,
            "credential": credential,
        }

    def _authenticate_client(self, form, authority):
        """The app proves who it is: client secret, certificate assertion or federated assertion."""
        assertion = form.get("client_assertion")
        secret = form.get("client_secret")
        if assertion:
            kind = form.get("client_assertion_type")
            if not kind:
                raise _missing("client_assertion_type")
            if kind != JWT_BEARER:
                raise _malformed("The client_assertion_type '%s' is not supported; use '%s'." % (kind, JWT_BEARER))
            try:
                jwt = Jwt(assertion)
            except JwtError:
                raise _malformed() from None
            if "x5t" in jwt.header or "x5t#S256" in jwt.header:
                self._check_certificate_assertion(jwt, authority)
                return self._app_principal("client_certificate")
            self._check_federated_assertion(jwt, authority)
            return self._app_principal("federated_credential")
        if not secret:
            raise AadError(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
        if not hmac.compare_digest(secret.encode(), self.client_secret.encode()):
            raise AadError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the "
                "request is the client secret value, not the client secret ID, for a "
                "secret added to app '%s'." % self.client_id,
            )
        return self._app_principal("client_secret")

    # --- client assertions -----------------------------------------------------------------

    def _check_certificate_assertion(self, jwt, authority):
        header, claims = jwt.header, jwt.claims
        if jwt.alg not in RSA_ALGORITHMS:
            raise AadError(
                400, "invalid_request", 5002730, "Invalid JWT token. Unsupported key for the signing algorithm."
            )
        cert = self.client_certificate
        if "x5t#S256" in header:
            presented, registered = header["x5t#S256"], cert.sha256
        else:
            presented, registered = header["x5t"], cert.sha1
        try:
            # msal pads it ("...=" ): base64url with or without padding
            thumbprint = b64url_decode(presented.rstrip("=") if isinstance(presented, str) else presented)
        except JwtError:
            raise _malformed("The certificate thumbprint in the token header is not base64url.") from None
        used = thumbprint.hex().upper()
        where = (
            "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys "
            "for app Id '%s'." % self.client_id
        )
        if not hmac.compare_digest(thumbprint, registered):
            raise self._invalid_signature(
                "The key was not found., Thumbprint of key used by client: '%s', %s" % (used, where)
            )
        found = "Found key 'Start=%s, End=%s'" % (_cert_time(cert.not_before), _cert_time(cert.not_after))
        now = self._now()
        if not cert.not_before.timestamp() <= now < cert.not_after.timestamp():
            raise self._invalid_signature(
                "The key used is expired., Thumbprint of key used by client: '%s', %s, %s" % (used, found, where)
            )
        if not jwt.verify(cert.public_key):
            raise self._invalid_signature(
                "The provided signature value did not match the expected signature value., "
                "Thumbprint of key used by client: '%s', %s, %s" % (used, found, where)
            )
        if str(claims.get("iss", "")).lower() != self.client_id.lower():
            raise AadError(
                401,
                "invalid_client",
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter. " + CERT_DOCS,
            )
        if claims.get("sub") != claims.get("iss"):
            raise AadError(401, "invalid_client", 50048, "Subject must match the issuer claim in the client assertion.")
        aud = claims.get("aud")
        if not isinstance(aud, str):
            raise _malformed("The audience claim must be a single string, the token endpoint.")
        allowed = {_norm(u) for u in authority.token_endpoints((self.tenant_id, self.tenant_domain))}
        if _norm(aud) not in allowed:
            raise AadError(
                401,
                "invalid_client",
                700023,
                "Client assertion audience claim does not match Realm issuer. " + CERT_DOCS,
            )
        if not claims.get("jti"):
            raise _malformed("The assertion has no 'jti' claim.")
        self._check_lifetime(claims, "https://learn.microsoft.com/entra/identity-platform/certificate-credentials")

    @staticmethod
    def _invalid_signature(reason):
        return AadError(
            401, "invalid_client", 700027, "Client assertion contains an invalid signature. [Reason - %s]" % reason
        )

    def _check_lifetime(self, claims, docs):
        exp, nbf = claims.get("exp"), claims.get("nbf", 0)
        if isinstance(exp, bool) or not isinstance(exp, (int, float)):
            raise _malformed("The assertion has no valid 'exp' claim.")
        if isinstance(nbf, bool) or not isinstance(nbf, (int, float)):
            raise _malformed("The 'nbf' claim is not a number.")
        now = self._now()
        if exp <= now or nbf > now:
            raise AadError(
                401,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range. Current time: %s, assertion valid from %s, "
                "expiry time of assertion %s. Review the documentation at %s ."
                % (_ests_time(now), _ests_time(nbf), _ests_time(exp), docs),
            )

    def _check_federated_assertion(self, jwt, authority):
        claims = jwt.claims
        issuer, subject, aud = claims.get("iss"), claims.get("sub"), claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        for fic in self.federated_credentials:
            accepted = [fic["issuer"]] if fic.get("issuer") else authority.federation_issuers
            if (
                issuer in accepted
                and subject == fic["subject"]  # case-sensitive, as Entra matches since 2025
                and any(a in fic.get("audiences", [TOKEN_EXCHANGE_AUDIENCE]) for a in audiences)
            ):
                break
        else:
            raise AadError(
                400,
                "invalid_request",
                70021,
                "No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. "
                "Assertion Subject: '%s'. Assertion Audience: '%s'. %s"
                % (issuer, subject, ",".join(str(a) for a in audiences), FEDERATION_DOCS),
            )
        if jwt.alg != "RS256":
            raise AadError(
                400, "invalid_request", 5002730, "Invalid JWT token. Unsupported key for the signing algorithm."
            )
        key = self.keys.federation
        if jwt.header.get("kid") not in (None, key.kid):
            raise self._invalid_signature("The key was not found., kid of key used by client: '%s'" % jwt.header["kid"])
        if not jwt.verify(key.public_key):
            raise self._invalid_signature(
                "The provided signature value did not match the expected signature value., kid '%s'" % key.kid
            )
        self._check_lifetime(claims, FEDERATION_DOCS)

    def federated_token(self, base, subject=None, expires_in=3600, issuer=None, audience=None):
        """A token of the emulator's external OIDC issuer (what a Kubernetes service account or a CI
        system hands a workload): RS256 with the federation key. Defaults follow the first federated
        credential of the scenario, so the token is accepted. Returns (token, claims)."""
        fic = (self.federated_credentials or [{}])[0]
        now = int(self._now())
        expires_in = int(expires_in)
        exp = now + expires_in
        issued = now if expires_in > 0 else exp - 3600
        claims = {
            "aud": [audience or (fic.get("audiences") or [TOKEN_EXCHANGE_AUDIENCE])[0]],
            "exp": exp,
            "iat": issued,
            "iss": issuer or fic.get("issuer") or base.rstrip("/") + "/federation",
            "jti": str(uuid.uuid4()),
            "nbf": issued,
            "sub": subject or fic.get("subject") or DEFAULT_FEDERATED_SUBJECT,
        }
        return self.keys.federation.sign(claims), claims

    # --- username / password (ROPC) --------------------------------------------------------

    def _password(self, tenant, form, authority, version):
        client_id = form.get("client_id")
        if not client_id:
            raise _missing("client_id")
        for name in ("username", "password"):
            if not form.get(name):
                raise _missing(name)
        scopes = (form.get("scope") or "").split()
        resource = self._resource(form)
        if client_id.lower() == self.client_id.lower():
            self._authenticate_client(form, authority)  # a confidential client proves itself too
        elif not _is_guid(client_id):
            self._check_app(client_id, tenant)
        user = self.users.get(form["username"].lower())
        directory = self.tenant_id if tenant.lower() in GENERIC_TENANTS else tenant
        if user is None:
            raise AadError(
                400,
                "invalid_grant",
                50034,
                "The user account {EUII Hidden} does not exist in the %s directory. To sign into this "
                "application, the account must be added to the directory." % directory,
            )
        if not hmac.compare_digest(form["password"].encode(), str(user["password"]).encode()):
            raise AadError(
                400, "invalid_grant", 50126, "Error validating credentials due to invalid username or password."
            )
        self._check_resource(resource, tenant, authority)
        if user.get("mfa_required"):
            claims = json.dumps({"access_token": {"capolids": {"essential": True, "values": [str(uuid.uuid4())]}}})
            raise AadError(
                400,
                "invalid_grant",
                50076,
                "Due to a configuration change made by your administrator, or because you moved to a new "
                "location, you must use multi-factor authentication to access '%s'." % ARM_APP_ID,
                extra={"suberror": "basic_action", "claims": claims},
            )
        principal = {
            "type": "User",
            "object_id": user.get("object_id") or str(uuid.uuid5(uuid.NAMESPACE_URL, user["username"])),
            "client_id": client_id,
            "credential": "password",
            "username": user["username"],
        }
        grant = self._store(principal, resource)
        grant["scope"] = " ".join(scopes) if scopes else resource.rstrip("/") + "/user_impersonation"
        if "openid" in scopes or version == "1.0":
            grant["id_token"] = self._id_token(user, principal, client_id, authority, version)
        if form.get("client_info") == "1":
            info = {"uid": principal["object_id"], "utid": self.tenant_id}
            grant["client_info"] = b64url(json.dumps(info, separators=(",", ":")).encode())
        return grant

    def _id_token(self, user, principal, client_id, authority, version):
        now = int(self._now())
        oid = principal["object_id"]
        claims = {
            "aud": client_id,
            "iss": ("%s/%s/v2.0" if version == "2.0" else "%s/%s/") % (authority.base, self.tenant_id),
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "name": user.get("display_name") or user["username"].split("@")[0],
            "oid": oid,
            "preferred_username": user["username"],
            "sub": b64url(hashlib.sha256((oid + client_id).encode()).digest())[:43],
            "tid": self.tenant_id,
            "uti": secrets.token_urlsafe(16),
            "ver": version,
        }
        if version == "1.0":
            claims.update({"upn": user["username"], "unique_name": user["username"]})
        return self.keys.tenant.sign(claims)

    # --- managed identity (IMDS) -----------------------------------------------------------

    def managed_identity(self, client_id=None, object_id=None, resource_id=None):
        """The identity an IMDS request names (or the default one); raise LookupError
        ("Identity not found") or ValueError (ambiguous) otherwise."""
        system = self.system_identity
        if not (client_id or object_id or resource_id):
            if system:
                return dict(system, type="SystemAssigned")
            if len(self.user_identities) == 1:
                return dict(self.user_identities[0], type="UserAssigned")
            if not self.user_identities:
                raise LookupError("Identity not found")
            raise ValueError(
                "Multiple user assigned identities exist, please specify the clientId / resourceId of the "
                "identity in the token request"
            )
        for identity in self.user_identities:
            if (
                (client_id and client_id.lower() == identity["client_id"].lower())
                or (object_id and object_id.lower() == identity["object_id"].lower())
                or (resource_id and resource_id.lower() == self.identity_resource_id(identity).lower())
            ):
                return dict(identity, type="UserAssigned")
        if system and (
            (client_id and client_id.lower() == str(system.get("client_id", "")).lower())
            or (object_id and object_id.lower() == system["object_id"].lower())
        ):
            return dict(system, type="SystemAssigned")
        raise LookupError("Identity not found")

    def identity_resource_id(self, identity):
        return "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.ManagedIdentity/userAssignedIdentities/%s" % (
            self.subscription_id,
            identity.get("resource_group", "rg-identities"),
            identity["name"],
        )

    def issue_managed_identity(self, identity, resource, authority):
        self._check_resource(resource, self.tenant_id, authority)
        principal = {
            "type": "ManagedIdentity",
            "object_id": identity["object_id"],
            "client_id": identity.get("client_id") or identity["object_id"],
            "credential": "managed_identity",
        }
        return self._store(principal, resource)

    # --- store -----------------------------------------------------------------------------

    def _store(self, principal, resource):
        token = "emu." + secrets.token_urlsafe(32)
        expires_at = self._now() + self.lifetime
        with self._lock:
            self._tokens[token] = {
                "expires_at": expires_at,
                "tenant": self.tenant_id,
                "resource": resource,
                "expired": False,
                "object_id": principal["object_id"],
                "principal_type": principal["type"],
                "credential": principal["credential"],
                "client_id": principal["client_id"],
            }
        return {"access_token": token, "expires_at": expires_at, "resource": resource}

    @staticmethod
    def _resource(form):
        scopes = (form.get("scope") or "").split()
        if scopes:
            wanted = [s for s in scopes if s.lower() not in RESERVED_SCOPES] or scopes
            first = wanted[0]
            return first[: -len(".default")] if first.endswith(".default") else first
        resource = form.get("resource")
        if resource:
            return resource
        raise _missing("scope")

    def expire_all(self, code=REVOCATION_CODES[0]):
        """Revoke every token issued so far: ARM answers 401 ``code`` for them. Returns how many."""
        if code not in REVOCATION_CODES:
            raise ValueError("code must be one of %s" % ", ".join(REVOCATION_CODES))
        with self._lock:
            for info in self._tokens.values():
                info["expired"] = True
                info["revoked_code"] = code
            return len(self._tokens)

    # --- checking (ARM) --------------------------------------------------------------------

    def check(self, header, authority):
        """Raise ArmError 401 unless ``header`` carries a live token for ARM; return its record."""
        challenge = 'Bearer authorization_uri="%s", error="invalid_token", error_description="%%s"' % authority
        if not header:
            raise arm.ArmError(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is missing.",
                headers={
                    "WWW-Authenticate": challenge
                    % "The authentication failed because of missing 'Authorization' header."
                },
            )
        scheme, _sep, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise arm.ArmError(
                401,
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.",
                headers={
                    "WWW-Authenticate": challenge
                    % "The authentication failed because the 'Authorization' header is not in the expected format."
                },
            )
        with self._lock:
            info = self._tokens.get(token.strip())
        if info is None or info.get("revoked_code") == "InvalidAuthenticationToken":
            raise arm.ArmError(
                401,
                "InvalidAuthenticationToken",
                INVALID_TOKEN_MESSAGE,
                headers={"WWW-Authenticate": challenge % INVALID_TOKEN_MESSAGE},
            )
        now = self._now()
        if info["expired"] or now >= info["expires_at"]:
            expired_at = min(info["expires_at"], now) if info["expired"] else info["expires_at"]
            message = "The access token expiry UTC time '%s' is earlier than current UTC time '%s'." % (
                _dotnet(expired_at),
                _dotnet(now),
            )
            raise arm.ArmError(
                401,
                "ExpiredAuthenticationToken",
                message,
                headers={"WWW-Authenticate": challenge % "The access token has expired."},
            )
        return info


def _dotnet(epoch):
    value = datetime.fromtimestamp(epoch, timezone.utc) - timedelta(seconds=0)
    hour = value.hour % 12 or 12
    return "%d/%d/%d %d:%02d:%02d %s" % (
        value.month,
        value.day,
        value.year,
        hour,
        value.minute,
        value.second,
        "AM" if value.hour < 12 else "PM",
    )
