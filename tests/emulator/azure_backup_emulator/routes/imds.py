"""Managed identity the way an Azure VM gets it: the Instance Metadata Service's token endpoint.

``GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=<res>[&client_id|object_id|msi_res_id=...]``
with ``Metadata: true``. IMDS itself is plain HTTP at 169.254.169.254; here it is served by the
emulator's HTTPS listener (azure-identity and msal build the URL from AZURE_POD_IDENTITY_AUTHORITY_HOST
and verify TLS against REQUESTS_CA_BUNDLE / connection_verify). Errors use IMDS's own shape,
``{"error", "error_description"}``, not the AADSTS body.
"""

import time

from flask import request

from ..auth import AadError, Authority
from .common import base_url, emu, json_response


def register(app):
    app.add_url_rule("/metadata/identity/oauth2/token", endpoint="ImdsToken", view_func=token, methods=["GET"])


def _error(error, description, status=400):
    return json_response({"error": error, "error_description": description}, status)


def token():
    if request.headers.get("Metadata", "").lower() != "true":
        return _error("invalid_request", "Required metadata header not specified")
    if not request.args.get("api-version"):
        return _error("invalid_request", "Required query variable 'api-version' is missing")
    resource = request.args.get("resource")
    if not resource:
        return _error("invalid_request", "Required audience variable not specified")
    selectors = {k: request.args.get(k) for k in ("client_id", "object_id", "msi_res_id") if request.args.get(k)}
    if len(selectors) > 1:
        return _error("invalid_request", "Only one of client_id, object_id or msi_res_id may be specified")
    tokens = emu().tokens
    try:
        identity = tokens.managed_identity(
            client_id=selectors.get("client_id"),
            object_id=selectors.get("object_id"),
            resource_id=selectors.get("msi_res_id"),
        )
    except (LookupError, ValueError) as exc:  # unknown identity / several and none named
        return _error("invalid_request", str(exc))
    try:
        grant = tokens.issue_managed_identity(identity, resource, Authority(base_url()))
    except AadError as exc:
        return _error(exc.error, "AADSTS%d: %s" % (exc.code, exc.description), exc.status)
    lifetime = tokens.lifetime
    now = int(time.time())
    return json_response(
        {
            "access_token": grant["access_token"],
            "client_id": identity.get("client_id") or identity["object_id"],
            "expires_in": str(lifetime),
            "expires_on": str(int(grant["expires_at"])),
            "ext_expires_in": str(lifetime),
            "not_before": str(now),
            "resource": resource,
            "token_type": "Bearer",
        }
    )
