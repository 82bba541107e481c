"""The Entra-ID-like authority: OpenID configuration, token endpoint (v2 and v1), keys, user realm."""

import time
import uuid

from flask import request

from ..auth import AadError, Authority
from .common import base_url, emu, json_response


def register(app):
    app.add_url_rule(
        "/<tenant>/v2.0/.well-known/openid-configuration",
        endpoint="OpenIdConfiguration",
        view_func=openid_v2,
        methods=["GET"],
    )
    app.add_url_rule(
        "/<tenant>/.well-known/openid-configuration",
        endpoint="OpenIdConfigurationV1",
        view_func=openid_v1,
        methods=["GET"],
    )
    app.add_url_rule("/<tenant>/oauth2/v2.0/token", endpoint="Token", view_func=token_v2, methods=["POST"])
    app.add_url_rule("/<tenant>/oauth2/token", endpoint="TokenV1", view_func=token_v1, methods=["POST"])
    app.add_url_rule("/<tenant>/discovery/v2.0/keys", endpoint="Keys", view_func=keys, methods=["GET"])
    app.add_url_rule("/<tenant>/discovery/keys", endpoint="Keys", view_func=keys, methods=["GET"])
    app.add_url_rule(
        "/common/discovery/instance", endpoint="InstanceDiscovery", view_func=instance_discovery, methods=["GET"]
    )
    app.add_url_rule("/common/userrealm/<path:username>", endpoint="UserRealm", view_func=user_realm, methods=["GET"])


_GENERIC_TENANTS = ("common", "organizations", "consumers")


def _tenant_or_error(tenant):
    e = emu()
    if tenant.lower() in _GENERIC_TENANTS:
        return "{tenantid}"
    if not e.tokens.known_tenant(tenant):
        raise AadError(
            400,
            "invalid_tenant",
            90002,
            "Tenant '%s' not found. Check to make sure you have the correct tenant ID and "
            "are signing into the correct cloud." % tenant,
        )
    return e.tokens.tenant_id


def _aad_error(exc):
    return json_response(
        exc.body(),
        exc.status,
        {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache", "x-ms-request-id": str(uuid.uuid4())},
    )


def openid_v2(tenant):
    try:
        tid = _tenant_or_error(tenant)
    except AadError as exc:
        return _aad_error(exc)
    base = base_url()
    host = request.host
    return json_response(
        {
            "token_endpoint": "%s/%s/oauth2/v2.0/token" % (base, tenant),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": "%s/%s/discovery/v2.0/keys" % (base, tenant),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": "%s/%s/v2.0" % (base, tid),
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": "%s/oidc/userinfo" % base,
            "authorization_endpoint": "%s/%s/oauth2/v2.0/authorize" % (base, tenant),
            "device_authorization_endpoint": "%s/%s/oauth2/v2.0/devicecode" % (base, tenant),
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": "%s/%s/oauth2/v2.0/logout" % (base, tenant),
            "claims_supported": [
                "sub",
                "iss",
                "cloud_instance_name",
                "cloud_instance_host_name",
                "cloud_graph_host_name",
                "msgraph_host",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "acr",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "at_hash",
                "c_hash",
                "email",
            ],
            "kerberos_endpoint": "%s/%s/kerberos" % (base, tenant),
            "tenant_region_scope": "EU",
            "cloud_instance_name": host,
            "cloud_graph_host_name": host,
            "msgraph_host": host,
            "rbac_url": base,
        }
    )


def openid_v1(tenant):
    try:
        tid = _tenant_or_error(tenant)
    except AadError as exc:
        return _aad_error(exc)
    base = base_url()
    return json_response(
        {
            "token_endpoint": "%s/%s/oauth2/token" % (base, tenant),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": "%s/%s/discovery/keys" % (base, tenant),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
            "scopes_supported": ["openid"],
            "issuer": "%s/%s/" % (base, tid),
            "authorization_endpoint": "%s/%s/oauth2/authorize" % (base, tenant),
            "device_authorization_endpoint": "%s/%s/oauth2/devicecode" % (base, tenant),
            "end_session_endpoint": "%s/%s/oauth2/logout" % (base, tenant),
            "cloud_instance_name": request.host,
            "tenant_region_scope": "EU",
        }
    )


def _authority():
    return Authority(base_url())


_NO_STORE = {"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


def token_v2(tenant):
    e = emu()
    try:
        grant = e.tokens.issue(tenant, request.form, _authority(), version="2.0")
    except AadError as exc:
        return _aad_error(exc)
    lifetime = e.tokens.lifetime
    body = {"token_type": "Bearer"}
    if "scope" in grant:
        body["scope"] = grant["scope"]
    body.update({"expires_in": lifetime, "ext_expires_in": lifetime, "access_token": grant["access_token"]})
    for key in ("id_token", "client_info"):
        if key in grant:
            body[key] = grant[key]
    return json_response(body, headers=_NO_STORE)


def token_v1(tenant):
    e = emu()
    try:
        grant = e.tokens.issue(tenant, request.form, _authority(), version="1.0")
    except AadError as exc:
        return _aad_error(exc)
    lifetime = e.tokens.lifetime
    now = int(time.time())
    body = {
        "token_type": "Bearer",
        "expires_in": str(lifetime),
        "ext_expires_in": str(lifetime),
        "expires_on": str(int(grant["expires_at"])),
        "not_before": str(now),
        "resource": grant["resource"],
        "access_token": grant["access_token"],
    }
    for key in ("scope", "id_token", "client_info"):
        if key in grant:
            body[key] = grant[key]
    return json_response(body, headers=_NO_STORE)


def keys(tenant):
    """The tenant's signing key (id tokens of user sign-ins are signed with it)."""
    return json_response({"keys": [emu().keys.tenant.jwk()]})


def user_realm(username):
    """Home realm discovery (msal asks before a username/password sign-in): the tenant's domain is
    managed (cloud-only accounts: no WS-Trust federation), any other domain is unknown."""
    domain = username.rpartition("@")[2].lower()
    body = {"ver": "1.0", "account_type": "Unknown", "cloud_instance_name": request.host}
    tokens = emu().tokens
    if domain and domain == tokens.tenant_domain.lower():
        body.update({"account_type": "Managed", "domain_name": tokens.tenant_domain})
    body["cloud_audience_urn"] = "urn:federation:MicrosoftOnline"
    return json_response(body)


def instance_discovery():
    base = base_url()
    host = request.host
    return json_response(
        {
            "tenant_discovery_endpoint": "%s/{tenant}/v2.0/.well-known/openid-configuration" % base,
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }
    )
