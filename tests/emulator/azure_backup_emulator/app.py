"""The Flask application: routing plus the request pipeline every call goes through.

Pipeline (before the view): request ids -> "before" faults -> for ARM paths: bearer token (401),
subscription access (403), api-version (400), throttling (429), resource group / vault (404).
After the view: "after" faults, Date (emulated time, every response), ARM headers, request log + stats.
"""

import json
import time
import uuid
from urllib.parse import quote

from flask import Flask, g, request
from werkzeug.exceptions import HTTPException

from . import arm
from .routes import aad, control, federation, imds, items, jobs, metadata, resources, vault, view
from .routes.common import arm_json, json_response
from .timefmt import iso

_ARM_PREFIX = "/subscriptions/"
MIN_API_VERSION = "2016-01-01"
MAX_API_VERSION = "2026-12-31"

# Fixed (non-variable) segments of an ARM path sit at even positions, plus the namespace at 5.
_CANONICAL = {
    name.lower(): name
    for name in (
        "subscriptions",
        "resourceGroups",
        "providers",
        "Microsoft.RecoveryServices",
        "vaults",
        "backupFabrics",
        "protectionContainers",
        "protectedItems",
        "backup",
        "operationsStatus",
        "operationResults",
        "recoveryPoints",
        "restore",
        "refreshContainers",
        "backupJobs",
        "cancel",
        "backupJobsExport",
        "backupOperations",
        "backupOperationResults",
        "backupPolicies",
        "backupProtectableItems",
        "backupProtectedItems",
        "operations",
        "protectableItems",
        # resources a restore creates (routes/resources.py)
        "resources",
        "locations",
        "Microsoft.Compute",
        "Microsoft.Network",
        "Microsoft.Storage",
        "disks",
        "virtualMachines",
        "networkInterfaces",
        "storageAccounts",
        "blobServices",
        "containers",
    )
}


class CanonicalArmPaths:
    """WSGI middleware: ARM paths are case-insensitive, Flask routes are not; fix the literals."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.lower().startswith(_ARM_PREFIX):
            environ["emulator.raw_path"] = path
            environ["PATH_INFO"] = canonical_path(path)
        return self.app(environ, start_response)


def canonical_path(path):
    parts = path.split("/")
    # parts[0] is '' (leading slash); ARM segment i is parts[i + 1]
    for index in range(1, len(parts)):
        position = index - 1
        lowered = parts[index].lower()
        # a namespace follows 'providers' (at an odd position); .../backupJobs/operationResults/{op} (export) has a
        # literal at an odd position too
        if position % 2 == 0 or parts[index - 1].lower() == "providers" or lowered == "operationresults":
            parts[index] = _CANONICAL.get(lowered, parts[index])
    return "/".join(parts)


class DropConnection(ConnectionAbortedError):
    """Raised while streaming a response: the server closes the socket without answering."""


class _DropIterator:
    """A response body whose first chunk closes the connection (nothing was sent yet)."""

    def __iter__(self):
        return self

    def __next__(self):
        raise DropConnection("fault injection: connection dropped")


def create_app(emulator):
    app = Flask("azure_backup_emulator")
    app.config["emulator"] = emulator
    app.json.sort_keys = False
    app.wsgi_app = CanonicalArmPaths(app.wsgi_app)
    for module in (metadata, imds, aad, federation, vault, items, jobs, resources, control, view):
        module.register(app)
    app.before_request(_begin)
    app.after_request(_finish)
    app.register_error_handler(arm.ArmError, _arm_error)
    app.register_error_handler(HTTPException, _http_error)
    return app


def emu():
    from flask import current_app

    return current_app.config["emulator"]


def operation_name():
    rule = request.url_rule
    if rule is None:
        return "Unknown"
    if request.endpoint == "Emulator_View" and not view.wants_html():
        return "Unknown"  # GET / from a non-browser: the unknown route it always was (logged as before)
    return resources.operation_name(request.endpoint)


def is_arm_request():
    return request.path.lower().startswith(_ARM_PREFIX)


# --- before --------------------------------------------------------------------------------


def _begin():
    g.started = time.perf_counter()
    g.request_id = str(uuid.uuid4())
    g.operation = operation_name()
    g.fault = None
    g.dropped = False
    g.ratelimit = None
    fault = emu().faults.take(g.operation, request.method, request.path, "before")
    if fault is not None:
        g.fault = fault.id
        response = apply_fault(fault, None)
        if response is not None:
            return response
    if is_arm_request():
        _arm_guard()
        if request.routing_exception is not None:
            raise _unknown_route(request.routing_exception)
    return None


def _arm_guard():
    e = emu()
    parts = request.path.split("/")
    authority = "https://%s/%s" % (request.host, e.tokens.tenant_id)
    record = e.tokens.check(request.headers.get("Authorization"), authority)
    g.credential = record.get("credential")  # how the caller signed in: in the request log
    principal = record.get("object_id") or e.tokens.object_id
    subscription = parts[2] if len(parts) > 2 else ""
    if subscription.lower() != e.tokens.subscription_id.lower():
        raise arm.ArmError(
            403,
            "AuthorizationFailed",
            "The client '%s' with object id '%s' does not have authorization to perform action "
            "'%s' over scope '%s' or the scope is invalid. If access was recently granted, please "
            "refresh your credentials." % (principal, principal, _action(), _scope(parts)),
        )
    _check_api_version()
    _check_type_api_version()
    kind = "reads" if request.method in ("GET", "HEAD") else "writes"
    allowed, remaining, wait = e.throttler.take(subscription, kind)
    if not allowed:
        g.ratelimit = (kind, 0)
        raise arm.ArmError(
            429,
            "SubscriptionRequestsThrottled",
            "Number of '%s' requests for subscription '%s' actor '%s' exceeded. Please try again "
            "after '%d' seconds after the additional tokens are available. Refer to "
            "https://aka.ms/arm-throttling for additional information."
            % ("read" if kind == "reads" else "write", subscription, principal, wait),
            headers={"Retry-After": str(wait), "retry-after-ms": str(wait * 1000)},
        )
    g.ratelimit = (kind, remaining)
    if len(parts) > 4 and parts[3] == "resourceGroups":
        rg = parts[4]
        if rg.lower() not in e.state.resource_groups:
            raise arm.resource_group_not_found(rg)
        if (
            len(parts) > 7
            and parts[5] == "providers"
            and parts[6] == "Microsoft.RecoveryServices"
            and parts[7] == "vaults"
            and len(parts) > 8
        ):
            vault = parts[8]
            if vault.lower() != e.state.vault_name.lower() or rg.lower() != e.state.vault_rg.lower():
                raise arm.vault_not_found(vault, rg)


def _check_api_version():
    version = None
    for key, value in request.args.items():
        if key.lower() == "api-version":
            version = value
    if not version:
        raise arm.ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    core = version[:10]
    if (
        len(core) != 10
        or core[4] != "-"
        or core[7] != "-"
        or not core.replace("-", "").isdigit()
        or version[10:] not in ("", "-preview")
    ):
        raise arm.ArmError(
            400,
            "InvalidApiVersionParameter",
            "The api-version '%s' is invalid. The supported versions are '2016-12-01,...,2026-10-01'." % version,
        )
    if g.get("operation") in resources.API_VERSION_TYPES:
        return  # served in a list of versions of its own (_check_type_api_version)
    if not MIN_API_VERSION <= core <= MAX_API_VERSION:
        raise arm.ArmError(
            400,
            "NoRegisteredProviderFound",
            "No registered resource provider found for location '%s' and API version "
            "'%s' for type 'vaults'." % (emu().state.location, version),
        )


def _check_type_api_version():
    """The resources a restore creates are served in the api-versions of arm_api_versions only (the Backup routes
    take any version in range): ARM answers NoRegisteredProviderFound for a provider's type, InvalidApiVersionParameter
    for its own resources (a resource group's list)."""
    known = resources.API_VERSION_TYPES.get(g.operation)
    if known is None:
        return
    key, type_name, namespace = known
    supported = list((emu().scenario.get("arm_api_versions") or {}).get(key) or [])
    version = next((v for k, v in request.args.items() if k.lower() == "api-version"), "")
    if version in supported:
        return
    listed = ", ".join(sorted(supported, reverse=True))
    if namespace is None:
        raise arm.ArmError(
            400,
            "InvalidApiVersionParameter",
            "The api-version '%s' is invalid. The supported versions are '%s'. Read https://aka.ms/api-version "
            "for more details." % (version, ",".join(sorted(supported, reverse=True))),
        )
    location = emu().state.location
    raise arm.ArmError(
        400,
        "NoRegisteredProviderFound",
        "No registered resource provider found for location '%s' and API version '%s' for type '%s'. The "
        "supported api-versions are '%s'. The supported locations are '%s'."
        % (location, version, type_name, listed, location),
    )


def _namespace_and_types():
    """(namespace, [resource types]) of the request's ARM path; without a provider, ARM's own (Microsoft.Resources:
    subscriptions/resourceGroups/...)."""
    segments = [s for s in request.path.split("/") if s]
    lowered = [s.lower() for s in segments]
    if "providers" not in lowered:
        return "Microsoft.Resources", segments[0::2]
    at = lowered.index("providers")
    return (segments[at + 1] if at + 1 < len(segments) else ""), segments[at + 2 :: 2]


def _action():
    namespace, types = _namespace_and_types()
    verb = {"GET": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete"}.get(request.method, "action")
    return "/".join([namespace] + types + [verb])


def _scope(parts):
    if len(parts) > 6 and parts[5] == "providers" and parts[6] == "Microsoft.RecoveryServices":
        return "/".join(parts[:9]) if len(parts) >= 9 else request.path
    return request.path


def _unknown_route(exc):
    code = getattr(exc, "code", 404)
    if code == 405:
        return arm.ArmError(
            405, "MethodNotAllowed", "The requested resource does not support http method '%s'." % request.method
        )
    namespace, types = _namespace_and_types()
    kind = "/".join(types) or "unknown"
    return arm.ArmError(
        404,
        "InvalidResourceType",
        "The resource type '%s' could not be found in the namespace "
        "'%s' for api version '%s'." % (kind, namespace, request.args.get("api-version", "")),
    )


# --- faults --------------------------------------------------------------------------------

_DEFAULT_FAULT_ERRORS = {
    400: ("BadRequest", "The request is invalid."),
    401: ("InvalidAuthenticationToken", "The access token is invalid."),
    403: ("AuthorizationFailed", "The client does not have authorization to perform this action."),
    404: ("NotFound", "The requested resource was not found."),
    408: ("RequestTimeout", "The request timed out."),
    409: ("Conflict", "The request conflicts with the current state of the resource."),
    429: (
        "SubscriptionRequestsThrottled",
        "Number of requests for subscription exceeded. Please try "
        "again after the time given in the Retry-After header.",
    ),
    500: ("InternalServerError", "Encountered internal server error. Diagnostic information: tracking id '%s'."),
    502: ("BadGateway", "The gateway received an invalid response from the upstream server."),
    503: (
        "ServiceUnavailable",
        "The server (leader) is currently unable to handle the request. Please try again later.",
    ),
    504: (
        "GatewayTimeout",
        "The gateway did not receive a response from '%(namespace)s' within the specified time period.",
    ),
}


def apply_fault(fault, response):
    """The response a fault produces (None: go on with the real handler)."""
    from flask import Response

    if fault.action == "delay":
        time.sleep(max(0, fault.delay_ms) / 1000.0)
        return response
    if fault.action == "drop":
        g.dropped = True
        return Response(_DropIterator(), status=200, mimetype="application/json")
    if fault.action == "malformed":
        body = '{"id": "%s", "name": "malformed", "properties": {"status": "InPro' % request.path
        resp = Response(body, status=fault.status or 200, mimetype="application/json")
        _fault_headers(fault, resp)
        return resp
    if fault.action == "repeat_next_link":
        return _repeat_next_link(response)
    if fault.action == "revoke_tokens":
        # Azure stops accepting every token issued so far (revoked, a rotated key): this request, and any other
        # that carries one, meets the bearer check's 401; a token issued from now on is good.
        emu().tokens.expire_all(fault.code)
        return response
    if fault.body is not None:
        if isinstance(fault.body, (dict, list)):
            resp = Response(json.dumps(fault.body), status=fault.status, mimetype="application/json")
        else:
            # A text body goes out as given, under the fault's content_type (e.g. a text/html proxy page).
            resp = Response(str(fault.body), status=fault.status, content_type=fault.content_type)
    else:
        code, message = _DEFAULT_FAULT_ERRORS.get(fault.status, ("Error%d" % fault.status, "Injected failure."))
        if "%s" in message:
            message = message % g.request_id
        if "%(namespace)s" in message:
            message = message % {
                "namespace": _namespace_and_types()[0] if is_arm_request() else "Microsoft.RecoveryServices"
            }
        resp = json_response(arm.error_body(code, message), fault.status)
    _fault_headers(fault, resp)
    return resp


def _repeat_next_link(response):
    """The real answer with nextLink pointing at this very request: a client following it loops.

    Only a 200 with a JSON object body is changed (a list page); anything else goes out unchanged."""
    if response.status_code != 200:
        return response
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return response
    if not isinstance(body, dict):
        return response
    body["nextLink"] = request_url()
    response.set_data(json.dumps(body))
    return response


def request_url():
    """The absolute URL of this request as received (raw path and query, before canonical_path)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if not raw or not raw.startswith("/"):
        path = quote(request.environ.get("emulator.raw_path", request.path), safe="/;:@!$&'()*+,=-._~%")
        query = request.query_string.decode("latin-1")
        raw = path + ("?" + query if query else "")
    return "%s://%s%s" % (request.scheme, request.host, raw)


def _fault_headers(fault, resp):
    if fault.retry_after is not None:
        resp.headers["Retry-After"] = str(fault.retry_after)
    elif fault.status == 429:
        resp.headers["Retry-After"] = "1"
    if fault.retry_after_ms is not None:
        resp.headers["retry-after-ms"] = str(fault.retry_after_ms)
    for key, value in fault.headers.items():
        resp.headers[key] = str(value)


# --- after ---------------------------------------------------------------------------------


def _finish(response):
    e = emu()
    if g.get("fault") is None and not g.get("dropped"):
        fault = e.faults.take(g.get("operation", "Unknown"), request.method, request.path, "after")
        if fault is not None:
            g.fault = fault.id
            replaced = apply_fault(fault, response)
            if replaced is not None:
                response = replaced
    now = e.now()
    # The emulated Azure time, on every response (the HTTP server would write real time).
    response.headers["Date"] = arm.http_date(now)
    if is_arm_request():
        for key, value in arm.arm_headers(
            g.request_id, e.state.location, now, request.headers.get("x-ms-client-request-id")
        ).items():
            if key not in response.headers:
                response.headers[key] = value
        if g.get("ratelimit"):
            kind, remaining = g.ratelimit
            response.headers["x-ms-ratelimit-remaining-subscription-%s" % kind] = str(remaining)
    if g.get("operation") in view.QUIET_OPERATIONS:
        return response  # the live view's own polling is neither logged nor counted
    status = "dropped" if g.get("dropped") else response.status_code
    e.log.record(
        method=request.method,
        path=request.environ.get("emulator.raw_path", request.path),
        query=_safe_query(),
        operation=g.get("operation", "Unknown"),
        status=status,
        client_request_id=request.headers.get("x-ms-client-request-id"),
        request_id=g.get("request_id"),
        emulated_time=iso(now),
        fault_id=g.get("fault"),
        credential=g.get("credential"),
        duration_ms=round((time.perf_counter() - g.get("started", time.perf_counter())) * 1000, 2),
    )
    return response


def _safe_query():
    return {
        k: v
        for k, v in request.args.items()
        if k.lower() not in ("client_secret", "code", "access_token", "client_assertion", "password")
    }


# --- errors --------------------------------------------------------------------------------


def _arm_error(exc):
    resp = arm_json(exc.body(), exc.status)
    for key, value in exc.headers.items():
        resp.headers[key] = value
    return resp


def _http_error(exc):
    if is_arm_request():
        return _arm_error(_unknown_route(exc))
    return json_response(arm.error_body(exc.name.replace(" ", ""), exc.description or exc.name), exc.code or 500)
