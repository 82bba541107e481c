"""Protected items (list/get/protect/stop/delete), backup trigger, item-level operation polling,
recovery points and restore (README §3, §4, §5)."""

from .. import arm, protection, restore
from ..odata import filter_time, parse_filter
from ..timefmt import parse_iso
from .common import (
    ITEM,
    VAULT,
    arm_json,
    async_headers,
    emu,
    empty,
    find_item,
    find_operation,
    not_found,
    operation_result_response,
    page,
    query_param,
    request_json,
)


def register(app):
    def add(rule, operation_id, view, method):
        app.add_url_rule(rule, endpoint=operation_id, view_func=view, methods=[method])

    add(VAULT + "/backupProtectedItems", "BackupProtectedItems_List", list_protected_items, "GET")
    add(ITEM, "ProtectedItems_Get", get_protected_item, "GET")
    add(ITEM + "/backup", "Backups_Trigger", trigger_backup, "POST")
    add(ITEM + "/operationsStatus/<operation_id>", "ProtectedItemOperationStatuses_Get", item_operation_status, "GET")
    add(ITEM + "/operationResults/<operation_id>", "ProtectedItemOperationResults_Get", item_operation_result, "GET")
    add(ITEM + "/recoveryPoints", "RecoveryPoints_List", list_recovery_points, "GET")
    add(ITEM + "/recoveryPoints/<recovery_point_id>", "RecoveryPoints_Get", get_recovery_point, "GET")
    add(ITEM, "ProtectedItems_CreateOrUpdate", put_protected_item, "PUT")
    add(ITEM, "ProtectedItems_Delete", delete_protected_item, "DELETE")
    add(ITEM + "/recoveryPoints/<recovery_point_id>/restore", "Restores_Trigger", trigger_restore, "POST")
    add(VAULT + "/backupOperations/<operation_id>", "BackupOperationStatuses_Get", vault_operation_status, "GET")
    add(VAULT + "/backupOperationResults/<operation_id>", "BackupOperationResults_Get", vault_operation_result, "GET")


def _lower_in(value, wanted):
    return value is not None and value.lower() == wanted.lower()


# --- protected items -----------------------------------------------------------------------

ITEM_FILTER_FIELDS = (
    "backupManagementType",
    "itemType",
    "policyName",
    "containerName",
    "backupEngineName",
    "friendlyName",
    "fabricName",
    "backupSetName",
    "healthState",
)


def _render_item(state, item, extended=False, now=None):
    policy = state.policies.get((item.policy_name or "").lower(), {})
    return item.render(
        state.vault_path, state.policy_id(item.policy_name), policy.get("policy_type", "V1"), extended=extended, now=now
    )


def _item_matches(item, filters):
    checks = {
        "backupManagementType": lambda v: v.lower() == "azureiaasvm",
        "itemType": lambda v: v.lower() == "vm",
        "policyName": lambda v: _lower_in(item.policy_name, v),
        "containerName": lambda v: v.lower() in (item.vm.container_name.lower(), item.vm.short_container.lower()),
        "friendlyName": lambda v: v.lower() == item.vm.name.lower(),
        "fabricName": lambda v: v.lower() == "azure",
        "healthState": lambda v: v.lower() == item.health_status.lower(),
        "backupEngineName": lambda v: False,
        "backupSetName": lambda v: False,
    }
    return all(checks[field](value) for field, value in filters.items())


def list_protected_items(**_kw):
    e = emu()
    text = query_param("$filter")
    filters = parse_filter(text, ITEM_FILTER_FIELDS)
    with e.lock:
        now = e.settled_now()
        state = e.state
        items = sorted((i for i in state.items.values() if _item_matches(i, filters)), key=lambda i: i.key)
        chunk, next_link = page(items, lambda i: (i.key,), text, descending=False)
        body = {"value": [_render_item(state, i, now=now) for i in chunk]}
        if next_link:
            body["nextLink"] = next_link
        return arm_json(body)


def get_protected_item(fabric_name, container_name, item_name, **_kw):
    e = emu()
    filters = parse_filter(query_param("$filter"), ("expand",))
    extended = filters.get("expand", "").lower() == "extendedinfo"
    with e.lock:
        now = e.settled_now()
        item = find_item(fabric_name, container_name, item_name)
        return arm_json(_render_item(e.state, item, extended=extended, now=now))


# --- backup --------------------------------------------------------------------------------


def _backup_expiry(body, now):
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        raise arm.invalid_input(
            "Input provided for the call is invalid. The request body must be a "
            "BackupRequestResource with a 'properties' object."
        )
    props = body["properties"]
    object_type = props.get("objectType")
    if not object_type:
        raise arm.invalid_input(
            "Input provided for the call is invalid. 'objectType' is required in the backup request properties."
        )
    if object_type != "IaasVMBackupRequest":
        raise arm.invalid_input(
            "Input provided for the call is invalid. objectType '%s' is not "
            "valid for an Azure IaaS VM item; use 'IaasVMBackupRequest'." % object_type
        )
    raw = props.get("recoveryPointExpiryTimeInUTC")
    if raw is None:
        return None
    try:
        expiry = parse_iso(raw)
    except (ValueError, TypeError):
        raise arm.invalid_input(
            "Input provided for the call is invalid. "
            "'recoveryPointExpiryTimeInUTC' value '%s' is not a valid date-time." % raw
        ) from None
    if expiry <= now:
        raise arm.invalid_input(
            "Input provided for the call is invalid. The recovery point expiry time must be in the future."
        )
    if (expiry - now).days > 99 * 365:
        raise arm.invalid_input(
            "Input provided for the call is invalid. The recovery point expiry time must be within 99 years."
        )
    return expiry


def trigger_backup(fabric_name, container_name, item_name, **_kw):
    e = emu()
    body = request_json()
    with e.lock:
        now = e.settled_now()
        item = find_item(fabric_name, container_name, item_name)
        expiry = _backup_expiry(body, now)
        if item.protection_state == "ProtectionStopped" or item.soft_deleted:
            raise arm.ArmError(
                400,
                e.state.error_code("backup_not_allowed_code", "UserErrorBackupOperationNotAllowed"),
                "Backup is not allowed on this item because protection is stopped%s. "
                "Resume protection and try again." % (" and its data is soft-deleted" if item.soft_deleted else ""),
            )
        op = e.state.trigger_backup(item, expiry, now)
        return empty(202, async_headers(op.result_path, op.status_path))


def item_operation_status(fabric_name, container_name, item_name, operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        op = find_operation(operation_id, item_name.lower())
        return arm_json(op.render_status(now))


def item_operation_result(fabric_name, container_name, item_name, operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        op = find_operation(operation_id, item_name.lower())
        return operation_result_response(op, now)


# --- recovery points -----------------------------------------------------------------------

RP_FILTER_FIELDS = (
    "startDate",
    "endDate",
    "restorePointQueryType",
    "extendedInfo",
    "moveReadyRPOnly",
    "includeSoftDeletedRP",
    "baseSnapshotRPId",
    "baseRPDatasourceId",
    "getLatestRPOnly",
)


def list_recovery_points(fabric_name, container_name, item_name, **_kw):
    e = emu()
    text = query_param("$filter")
    filters = parse_filter(text, RP_FILTER_FIELDS)
    start = filter_time(filters["startDate"], "startDate") if "startDate" in filters else None
    end = filter_time(filters["endDate"], "endDate") if "endDate" in filters else None
    with e.lock:
        now = e.settled_now()
        item = find_item(fabric_name, container_name, item_name)
        item_id = item.item_id(e.state.vault_path)
        points = [
            rp for rp in item.recovery_points if (start is None or rp.time >= start) and (end is None or rp.time <= end)
        ]
        query_type = filters.get("restorePointQueryType", "All").lower()
        rendered = [rp.render(item_id, now) for rp in points]
        if query_type == "snapshot":
            rendered = [
                r
                for r in rendered
                if any(t["type"] == "InstantRP" for t in r["properties"]["recoveryPointTierDetails"])
            ]
        if filters.get("getLatestRPOnly", "").lower() == "true":
            rendered = rendered[:1]
        chunk, next_link = page(rendered, lambda r: (r["properties"]["recoveryPointTime"], r["name"]), text)
        return arm_json({"value": chunk, "nextLink": next_link})


def get_recovery_point(fabric_name, container_name, item_name, recovery_point_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        item = find_item(fabric_name, container_name, item_name)
        for rp in item.recovery_points:
            if rp.rp_id == recovery_point_id:
                return arm_json(rp.render(item.item_id(e.state.vault_path), now))
        raise not_found("recovery point", recovery_point_id)


# --- restore -----------------------------------------------------------------------------------


def trigger_restore(fabric_name, container_name, item_name, recovery_point_id, **_kw):
    e = emu()
    body = request_json()
    with e.lock:
        now = e.settled_now()
        item = find_item(fabric_name, container_name, item_name)
        rp = next((r for r in item.recovery_points if r.rp_id == recovery_point_id), None)
        if rp is None:
            raise not_found("recovery point", recovery_point_id)
        props = restore.validate_restore(e.state, item, rp, body)
        op = restore.trigger_restore(e.state, item, rp, props, now)
        return empty(202, async_headers(op.result_path, op.status_path))


# --- protection lifecycle ----------------------------------------------------------------------


def put_protected_item(fabric_name, container_name, item_name, **_kw):
    e = emu()
    body = request_json()
    with e.lock:
        now = e.settled_now()
        if fabric_name.lower() != "azure":
            raise arm.item_not_found()
        op = protection.configure_protection(e.state, container_name, item_name, body, now)
        return empty(202, async_headers(op.result_path, op.status_path))


def delete_protected_item(fabric_name, container_name, item_name, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        item = find_item(fabric_name, container_name, item_name)
        if item.soft_deleted:
            return empty(204)
        op = protection.delete_protection(e.state, item, now)
        return empty(202, async_headers(op.result_path, op.status_path))


def _vault_op(operation_id):
    return find_operation(operation_id, "vault")


def vault_operation_status(operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        return arm_json(_vault_op(operation_id).render_status(now))


def vault_operation_result(operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        return operation_result_response(_vault_op(operation_id), now)
