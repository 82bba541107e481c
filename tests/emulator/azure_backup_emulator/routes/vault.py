"""The vault itself, its policies, protectable VMs and VM discovery (refreshContainers)."""

from .. import protection
from ..models import render_policy, render_protectable, render_vault
from ..odata import parse_filter
from .common import VAULT, arm_json, async_headers, emu, empty, find_operation, not_found, page, query_param


def register(app):
    def add(rule, operation_id, view, method):
        app.add_url_rule(rule, endpoint=operation_id, view_func=view, methods=[method])

    add(VAULT, "Vaults_Get", get_vault, "GET")
    add(VAULT + "/backupPolicies", "BackupPolicies_List", list_policies, "GET")
    add(VAULT + "/backupPolicies/<policy_name>", "ProtectionPolicies_Get", get_policy, "GET")
    add(VAULT + "/backupProtectableItems", "BackupProtectableItems_List", list_protectable_items, "GET")
    add(
        VAULT + "/backupFabrics/<fabric_name>/refreshContainers",
        "ProtectionContainers_Refresh",
        refresh_containers,
        "POST",
    )
    add(
        VAULT + "/backupFabrics/<fabric_name>/operationResults/<operation_id>",
        "ProtectionContainerRefreshOperationResults_Get",
        fabric_operation_result,
        "GET",
    )
    add(
        VAULT + "/backupFabrics/<fabric_name>/operationsStatus/<operation_id>",
        "ProtectionContainerRefreshOperationStatuses_Get",
        fabric_operation_status,
        "GET",
    )


# --- vault ---------------------------------------------------------------------------------


def get_vault(**_kw):
    e = emu()
    with e.lock:
        return arm_json(render_vault(e.scenario, e.state.vault_path))


# --- policies ------------------------------------------------------------------------------


def list_policies(**_kw):
    e = emu()
    text = query_param("$filter")
    filters = parse_filter(text, ("backupManagementType", "fabricName", "workloadType"))
    with e.lock:
        state = e.state
        wanted = all(
            [
                filters.get("backupManagementType", "AzureIaasVM").lower() == "azureiaasvm",
                filters.get("fabricName", "Azure").lower() == "azure",
                filters.get("workloadType", "VM").lower() == "vm",
            ]
        )
        policies = sorted(state.policies.values(), key=lambda p: p["name"].lower()) if wanted else []
        chunk, next_link = page(policies, lambda p: (p["name"].lower(),), text, descending=False)
        body = {"value": [render_policy(p, state.vault_path, state.protected_count(p["name"])) for p in chunk]}
        if next_link:
            body["nextLink"] = next_link
        return arm_json(body)


def get_policy(policy_name, **_kw):
    e = emu()
    with e.lock:
        policy = e.state.policies.get(policy_name.lower())
        if policy is None:
            raise not_found("policy", policy_name)
        return arm_json(render_policy(policy, e.state.vault_path, e.state.protected_count(policy["name"])))


# --- protectable items ---------------------------------------------------------------------


def list_protectable_items(**_kw):
    e = emu()
    text = query_param("$filter")
    filters = parse_filter(text, ("backupManagementType", "workloadType", "containerName", "status", "friendlyName"))
    with e.lock:
        e.settled_now()
        state = e.state
        rows = []
        for vm in sorted(state.vms.values(), key=lambda v: v.key):
            if not vm.discovered or vm.key in state.items:
                continue
            status = "NotProtected"
            checks = {
                "backupManagementType": filters.get("backupManagementType", "AzureIaasVM").lower() == "azureiaasvm",
                "workloadType": filters.get("workloadType", "VM").lower() == "vm",
                "containerName": filters.get("containerName", vm.container_name).lower()
                in (vm.container_name.lower(), vm.short_container.lower()),
                "status": filters.get("status", status).lower() == status.lower(),
                "friendlyName": filters.get("friendlyName", vm.name).lower() == vm.name.lower(),
            }
            if all(checks.values()):
                rows.append(vm)
        chunk, next_link = page(rows, lambda v: (v.key,), text, descending=False)
        body = {"value": [render_protectable(vm, state.vault_path, "NotProtected") for vm in chunk]}
        if next_link:
            body["nextLink"] = next_link
        return arm_json(body)


def refresh_containers(fabric_name, **_kw):
    e = emu()
    parse_filter(query_param("$filter"), ("backupManagementType",))
    with e.lock:
        now = e.settled_now()
        if fabric_name.lower() != "azure":
            raise not_found("fabric", fabric_name)
        op = protection.refresh_containers(e.state, now)
        return empty(202, async_headers(op.result_path))


def _fabric_op(fabric_name, operation_id):
    if fabric_name.lower() != "azure":
        raise not_found("fabric", fabric_name)
    return find_operation(operation_id, "fabric")


def fabric_operation_result(fabric_name, operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        op = _fabric_op(fabric_name, operation_id)
        if op.status(now) == "InProgress":
            return empty(202, async_headers(op.result_path))
        return empty(204)


def fabric_operation_status(fabric_name, operation_id, **_kw):
    e = emu()
    with e.lock:
        now = e.settled_now()
        op = _fabric_op(fabric_name, operation_id)
        return arm_json(op.render_status(now, status_id=op.status_path))
