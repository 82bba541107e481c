"""Helpers shared by the route modules."""

import base64
import json
from urllib.parse import urlencode

from flask import Response, current_app, request

from .. import arm


def emu():
    return current_app.config["emulator"]


def json_response(body, status=200, headers=None):
    resp = Response(json.dumps(body), status=status, mimetype="application/json")
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def arm_json(body, status=200, headers=None):
    resp = json_response(body, status, headers)
    resp.headers["Content-Type"] = "application/json; charset=utf-8"
    return resp


def empty(status, headers=None):
    resp = Response(b"", status=status)
    del resp.headers["Content-Type"]
    for key, value in (headers or {}).items():
        resp.headers[key] = value
    return resp


def base_url():
    return "https://" + request.host


def query_param(*names):
    """A query parameter, names compared case-insensitively ($skipToken / $skiptoken)."""
    wanted = {n.lower() for n in names}
    for key, value in request.args.items():
        if key.lower() in wanted:
            return value
    return None


def request_json():
    """The JSON body (dict) or ArmError 400 BMSUserErrorInvalidInput."""
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise arm.invalid_input("The request body is not valid JSON.") from None


def async_headers(location_path, status_path=None, retry_after=None):
    """Location / Azure-AsyncOperation / Retry-After (+ retry-after-ms) for a 202."""
    e = emu()
    version = e.scenario.get("async_api_version") or request.args.get("api-version")
    seconds, millis = e.retry_after(retry_after)
    headers = {
        "Location": "%s%s?api-version=%s" % (base_url(), location_path, version),
        "Retry-After": str(seconds),
        "retry-after-ms": str(millis),
    }
    if status_path:
        headers["Azure-AsyncOperation"] = "%s%s?api-version=%s" % (base_url(), status_path, version)
    return headers


# --- paging ----------------------------------------------------------------------------------


def encode_token(data):
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token):
    try:
        padded = token + "=" * (-len(token) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise arm.invalid_input("The continuation token ($skipToken) is invalid.") from None


def page(items, key, filter_text, descending=True, size=None, keep_api_version=False):
    """Apply $skipToken, cut one page, build nextLink (absolute, original $filter, $skiptoken).

    ``key(item)`` gives a sortable, unique position; ``items`` are already in page order. ``size``: at most
    this many (and never more than paging.page_size), kept in nextLink as $top. ``keep_api_version``: nextLink
    carries the request's api-version (ARM's own lists), not the Backup service's next_link_api_version.
    """
    e = emu()
    token = query_param("$skipToken")
    if token:
        after = decode_token(token).get("after")
        if not isinstance(after, list):
            raise arm.invalid_input("The continuation token ($skipToken) is invalid.")
        if descending:
            items = [item for item in items if list(key(item)) < after]
        else:
            items = [item for item in items if list(key(item)) > after]
    limit = e.page_size if size is None else min(size, e.page_size)
    chunk, rest = items[:limit], items[limit:]
    next_link = None
    if rest:
        version = request.args.get("api-version")
        if not keep_api_version:
            version = e.scenario.get("next_link_api_version") or version
        params = {"api-version": version}
        if filter_text:
            params["$filter"] = filter_text
        if size is not None:
            params["$top"] = str(size)
        params["$skiptoken"] = encode_token({"after": list(key(chunk[-1]))})
        next_link = "%s%s?%s" % (base_url(), request.path, urlencode(params))
    return chunk, next_link


# --- ARM/Backup resources ------------------------------------------------------------------------

VAULT = (
    "/subscriptions/<subscription_id>/resourceGroups/<resource_group>/providers/"
    "Microsoft.RecoveryServices/vaults/<vault_name>"
)
ITEM = VAULT + "/backupFabrics/<fabric_name>/protectionContainers/<container_name>/protectedItems/<item_name>"


def not_found(kind, name):
    """404 for an unknown job / policy / recovery point / operation. The real code is not known
    (README §7, §10); the scenario's errors.not_found_code (default ResourceNotFound) is used."""
    state = emu().state
    code = state.error_code("not_found_code", "ResourceNotFound")
    return arm.ArmError(404, code, "The %s '%s' was not found in the vault '%s'." % (kind, name, state.vault_name))


def find_item(fabric_name, container_name, item_name):
    if fabric_name.lower() != "azure":
        raise arm.item_not_found()
    return emu().state.find_item(container_name, item_name)


def find_operation(operation_id, scope):
    op = emu().state.operations.get(operation_id.lower())
    if op is None or op.scope != scope:
        raise not_found("operation", operation_id)
    return op


def operation_result_response(op, now):
    """operationResults semantics (README §1): 202 while running, then 204/200, or the error."""
    if op.status(now) == "InProgress":
        return empty(202, async_headers(op.result_path, op.status_path))
    if op.result == "Failed" and op.error:
        err = op.error
        return arm_json(arm.error_body(err["code"], err["message"]), err.get("http_status", 400))
    if op.result_status == 200 and op.result_body is not None:
        return arm_json(op.result_body())
    return empty(op.result_status)
