"""Protection lifecycle (README §5): enable / change policy / stop (PUT protectedItem), delete
(DELETE protectedItem, vault-level polling), and VM discovery (refreshContainers)."""

from . import arm
from .jobs import Job, Task
from .models import ProtectedItem, stable_fraction, vary
from .operations import Operation
from .state import _guid

CONFIGURE_CODE = "BMSUserErrorInvalidConfigureProtectionRequest"


def _bad_request(message):
    return arm.ArmError(400, CONFIGURE_CODE, message)


def parse_configure_request(state, vm, body):
    """(policy_name|None, stop: bool) from a PUT protectedItem body, or ArmError 400."""
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        raise _bad_request("The configure protection request must have a 'properties' object.")
    props = body["properties"]
    item_type = props.get("protectedItemType")
    if item_type != "Microsoft.Compute/virtualMachines":
        raise _bad_request(
            "protectedItemType must be 'Microsoft.Compute/virtualMachines' for an Azure VM (got %r)." % item_type
        )
    source = props.get("sourceResourceId")
    if not source or source.lower() != vm.vm_id.lower():
        raise _bad_request(
            "sourceResourceId %r does not match the virtual machine of the protected item (%s)." % (source, vm.vm_id)
        )
    wanted = props.get("protectionState")
    if wanted not in (None, "Protected", "ProtectionStopped"):
        raise _bad_request(
            "protectionState %r is not supported; use 'ProtectionStopped' to stop protection or omit it." % wanted
        )
    if wanted == "ProtectionStopped":
        return None, True
    policy_id = props.get("policyId")
    if not policy_id:
        raise _bad_request("policyId is required to configure protection.")
    prefix = (state.vault_path + "/backupPolicies/").lower()
    if not policy_id.lower().startswith(prefix) or policy_id[len(prefix) :].lower() not in state.policies:
        raise _bad_request("The policy %r was not found in vault '%s'." % (policy_id, state.vault_name))
    return state.policies[policy_id[len(prefix) :].lower()]["name"], False


def configure_protection(state, container, item_name, body, now):
    """PUT protectedItem -> item-level Operation (final 200 carries the item)."""
    vm = state.find_vm_by_item_name(container, item_name)
    if vm is None:
        raise _bad_request("The virtual machine of item '%s' was not found in container '%s'." % (item_name, container))
    if not vm.discovered:
        raise _bad_request(
            "The virtual machine '%s' has not been discovered by the vault yet. "
            "Refresh the containers (refreshContainers) and try again." % vm.name
        )
    policy_name, stop = parse_configure_request(state, vm, body)
    item = state.items.get(vm.key)
    if item is not None and item.soft_deleted:
        raise _bad_request("The item '%s' is soft-deleted. Undelete it before configuring protection." % vm.name)
    if stop and item is None:
        raise arm.item_not_found()
    operation = "DisableBackup" if stop else "ConfigureBackup"

    def on_done(op):
        current = state.items.get(vm.key)
        if current is None:
            current = ProtectedItem(
                vm=vm,
                policy_name=policy_name,
                protection_state="IRPending",
                data_id=str(int(stable_fraction("data", vm.key, op.op_id) * 10**17)),
                protected_since=op.end,
            )
            state.items[vm.key] = current
        elif stop:
            current.protection_state = "ProtectionStopped"
        else:
            current.policy_name = policy_name
            if current.protection_state in ("ProtectionStopped", "ProtectionPaused"):
                current.protection_state = "Protected" if current.recovery_points else "IRPending"
        job = _lifecycle_job(
            state,
            vm,
            operation,
            op.end,
            float(state.timing.get("configure_seconds", 40)),
            {"VM Name": vm.name, "Policy Name": policy_name or current.policy_name or ""},
        )
        return state.add_job(job).job_id

    def result_body():
        current = state.items[vm.key]
        policy = state.policies.get((current.policy_name or "").lower(), {})
        return current.render(state.vault_path, state.policy_id(current.policy_name), policy.get("policy_type", "V1"))

    return state.item_operation(
        vm, "disable" if stop else "configure", now, on_done, result_status=200, result_body=result_body
    )


def delete_protection(state, item, now):
    """DELETE protectedItem -> vault-level Operation; DeleteBackupData job; soft delete."""
    vm = item.vm
    soft_delete = state.scenario["vault"].get("soft_delete", True)

    def on_done(op):
        if soft_delete:
            item.soft_deleted = True
            item.deleted_at = op.end
            item.protection_state = "ProtectionStopped"
        else:
            state.items.pop(item.key, None)
        job = _lifecycle_job(state, vm, "DeleteBackupData", op.end, 60.0, {"VM Name": vm.name})
        return state.add_job(job).job_id

    return state.vault_operation("delete", now, on_done)


def refresh_containers(state, now):
    """ProtectionContainers_Refresh -> fabric-level Operation; discovers every VM."""
    op_id = _guid()
    base = "%s/backupFabrics/Azure" % state.service_vault_path

    def on_done(_op):
        for vm in state.vms.values():
            vm.discovered = True

    seconds = vary(state.timing.get("refresh_seconds", [20, 40]), "refresh", op_id)
    op = Operation(
        op_id=op_id,
        kind="fabric",
        scope="fabric",
        start=now,
        seconds=seconds,
        status_path="%s/operationsStatus/%s" % (base, op_id),
        result_path="%s/operationResults/%s" % (base, op_id),
        on_done=on_done,
        purpose="refresh",
    )
    return state._add_op(op)


def _lifecycle_job(state, vm, operation, start, seconds, bag):
    return Job(
        job_id=_guid(),
        operation=operation,
        entity_friendly_name=vm.name,
        container_name=vm.short_container,
        start=start,
        tasks=[Task(operation, seconds, hidden=True)],
        is_user_triggered=True,
        activity_id=_guid(),
        property_bag=bag,
    )
