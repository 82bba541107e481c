"""The emulator's external OIDC issuer (``<base_url>/federation``), as a Kubernetes cluster or a CI
system publishes one: discovery document and JWKS. Its tokens come from
``POST /_emulator/federated-token`` (and DIR/federated-token); Entra (routes/aad.py) trusts them
through the scenario's federated_credentials (workload identity federation)."""

from .common import base_url, emu, json_response


def register(app):
    app.add_url_rule(
        "/federation/.well-known/openid-configuration",
        endpoint="FederationOpenIdConfiguration",
        view_func=openid_configuration,
        methods=["GET"],
    )
    app.add_url_rule("/federation/jwks", endpoint="FederationKeys", view_func=jwks, methods=["GET"])


def openid_configuration():
    issuer = base_url() + "/federation"
    return json_response(
        {
            "issuer": issuer,
            "jwks_uri": issuer + "/jwks",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }
    )


def jwks():
    return json_response({"keys": [emu().keys.federation.jwk()]})
