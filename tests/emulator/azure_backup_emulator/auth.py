"""An Entra-ID-like token issuer and the bearer check ARM does on every call.

Tokens are opaque; they expire after ``token_lifetime_seconds`` of *real* time (tokens are the
client's business, not Azure's emulated timeline) and can be revoked by the control API: every
token issued so far then gets the 401 code chosen (REVOCATION_CODES); later tokens are valid.
"""

import secrets
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

from . import arm

ARM_AUDIENCES_PUBLIC = ("https://management.azure.com", "https://management.core.windows.net")
# The 401 codes ARM answers for a revoked token (POST /_emulator/tokens/expire {"code": ...}).
REVOCATION_CODES = ("ExpiredAuthenticationToken", "InvalidAuthenticationToken")
INVALID_TOKEN_MESSAGE = "The access token is invalid."


class AadError(Exception):
    """An OAuth error answered with the AADSTS body shape."""

    def __init__(self, status, error, code, description):
        super().__init__(description)
        self.status = status
        self.error = error
        self.code = code
        self.description = description

    def body(self):
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        return {
            "error": self.error,
            "error_description": "AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s"
            % (self.code, self.description, trace_id, correlation_id, stamp),
            "error_codes": [self.code],
            "timestamp": stamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": "https://login.microsoftonline.com/error?code=%d" % self.code,
        }


class TokenStore:
    def __init__(self, scenario, monotonic=time.time):
        self._lock = threading.Lock()
        self._tokens = {}
        self._now = monotonic
        self.configure(scenario)

    def configure(self, scenario):
        self.tenant_id = scenario["tenant_id"]
        self.tenant_domain = scenario.get("tenant_domain", "")
        self.client_id = scenario["client_id"]
        self.client_secret = scenario["client_secret"]
        self.subscription_id = scenario["subscription_id"]
        self.object_id = scenario.get("principal_object_id", self.client_id)
        self.lifetime = int(scenario.get("token_lifetime_seconds", 3599))

    def known_tenant(self, tenant):
        return tenant.lower() in (self.tenant_id.lower(), self.tenant_domain.lower())

    # --- issuing ---------------------------------------------------------------------------

    def issue(self, tenant, form, audiences):
        """Validate a client_credentials request; return the token response body."""
        if not self.known_tenant(tenant):
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
            raise AadError(
                400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'."
            )
        if grant != "client_credentials":
            raise AadError(
                400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '%s'." % grant
            )
        client_id = form.get("client_id")
        if not client_id:
            raise AadError(
                400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."
            )
        resource = self._resource(form)
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
        secret = form.get("client_secret")
        if not secret and not form.get("client_assertion"):
            raise AadError(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            )
        if secret != self.client_secret:
            raise AadError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the "
                "request is the client secret value, not the client secret ID, for a "
                "secret added to app '%s'." % self.client_id,
            )
        if resource.rstrip("/").lower() not in {a.rstrip("/").lower() for a in audiences}:
            raise AadError(
                400,
                "invalid_resource",
                500011,
                "The resource principal named %s was not found in the tenant named %s. "
                "This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant. "
                "You might have sent your authentication request to the wrong tenant." % (resource, tenant),
            )
        token = "emu." + secrets.token_urlsafe(32)
        expires_at = self._now() + self.lifetime
        with self._lock:
            self._tokens[token] = {
                "expires_at": expires_at,
                "tenant": self.tenant_id,
                "resource": resource,
                "expired": False,
            }
        return token, expires_at, resource

    @staticmethod
    def _resource(form):
        scope = form.get("scope")
        if scope:
            first = scope.split()[0]
            return first[: -len(".default")] if first.endswith(".default") else first
        resource = form.get("resource")
        if resource:
            return resource
        raise AadError(
            400, "invalid_request", 900144, "The request body must contain the following parameter: 'scope'."
        )

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
        """Raise ArmError 401 unless ``header`` carries a live token for ARM."""
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
