"""ARM error bodies and the headers ARM puts on every response."""

from datetime import timezone
from email.utils import format_datetime


class ArmError(Exception):
    """An error answered with the ARM error body {"error": {code, message, target, details}}."""

    def __init__(self, status, code, message, headers=None, target=None, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.target = target
        self.details = details

    def body(self):
        return error_body(self.code, self.message, self.target, self.details)


def error_body(code, message, target=None, details=None):
    # The Backup service sends target/details explicitly as null (README §1, §7).
    return {"error": {"code": code, "message": message, "target": target, "details": details}}


def arm_headers(request_id, region, now, client_request_id=None):
    """The headers observed on every Backup/ARM response (README §1), minus rate-limit ones.

    ``now`` is the emulated time (aware, UTC) stamped into x-ms-routing-request-id. Date is set
    for every response by the app (http_date); Server by the HTTP server (cheroot, server.SERVER_NAME)."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    headers = {
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "Expires": "-1",
        "X-Powered-By": "ASP.NET",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "x-ms-request-id": request_id,
        "x-ms-correlation-request-id": request_id,
        "x-ms-routing-request-id": "%s:%s:%s" % (region.upper(), stamp, request_id),
    }
    if client_request_id:
        headers["x-ms-client-request-id"] = client_request_id
    return headers


def http_date(now):
    """``now`` (aware datetime) as an RFC 7231 Date header value: 'Thu, 26 Nov 2026 12:00:00 GMT'."""
    return format_datetime(now.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


# --- common ARM errors -------------------------------------------------------------------------


def resource_group_not_found(rg):
    return ArmError(404, "ResourceGroupNotFound", "Resource group '%s' could not be found." % rg)


def vault_not_found(vault, rg):
    return ArmError(
        404,
        "ResourceNotFound",
        "The Resource 'Microsoft.RecoveryServices/vaults/%s' under resource group '%s' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix" % (vault, rg),
    )


def invalid_input(message):
    return ArmError(400, "BMSUserErrorInvalidInput", message)


ITEM_NOT_FOUND_MESSAGE = "Item not found. Selected item might have been deleted. Please refresh the page and try again."


def item_not_found():
    return ArmError(404, "BMSUserErrorDataSourceObjectNotFound", ITEM_NOT_FOUND_MESSAGE)
