"""Restore (README §4.2): request validation per recoveryType and the Restore job."""

import re

from . import arm
from .jobs import Job, Task, error_info
from .models import VirtualMachine, vary
from .state import _guid
from .timefmt import dotnet_general

RECOVERY_TYPES = ("OriginalLocation", "AlternateLocation", "RestoreDisks")
OBJECT_TYPES = ("IaasVMRestoreRequest", "IaasVMRestoreWithRehydrationRequest")

_ARM_ID = {
    "storageAccountId": r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Storage/storageAccounts/([^/]+)$",
    "targetResourceGroupId": r"^/subscriptions/[^/]+/resourceGroups/([^/]+)$",
    "targetVirtualMachineId": r"^/subscriptions/[^/]+/resourceGroups/([^/]+)/providers/Microsoft\.Compute/virtualMachines/([^/]+)$",
    "virtualNetworkId": r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/([^/]+)$",
    "subnetId": r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/([^/]+)/subnets/([^/]+)$",
}

# Fields the service insists on per recoveryType. The spec marks none required; these follow the
# upstream examples and what az/PowerShell always send (documented assumption, docs/emulator.md).
REQUIRED = {
    "RestoreDisks": ("sourceResourceId", "storageAccountId", "region"),
    "AlternateLocation": (
        "sourceResourceId",
        "storageAccountId",
        "region",
        "targetResourceGroupId",
        "targetVirtualMachineId",
        "virtualNetworkId",
        "subnetId",
    ),
    "OriginalLocation": ("sourceResourceId", "storageAccountId", "region"),
}


def _invalid(message):
    return arm.invalid_input("Input provided for the call is invalid. " + message)


def validate_restore(state, item, rp, body):
    """The restore request's properties (validated), or ArmError 400 BMSUserErrorInvalidInput."""
    if not isinstance(body, dict) or not isinstance(body.get("properties"), dict):
        raise _invalid("The request body must be a RestoreRequestResource with a 'properties' object.")
    props = body["properties"]
    if props.get("objectType") not in OBJECT_TYPES:
        raise _invalid("objectType must be one of %s." % ", ".join(OBJECT_TYPES))
    recovery_type = props.get("recoveryType")
    if recovery_type not in RECOVERY_TYPES:
        raise _invalid("recoveryType must be one of %s (got %r)." % (", ".join(RECOVERY_TYPES), recovery_type))
    missing = [name for name in REQUIRED[recovery_type] if not props.get(name)]
    if missing:
        required = ", ".join("'%s' is required" % m for m in missing)
        raise _invalid("%s for recoveryType %s." % (required, recovery_type))
    if props.get("recoveryPointId") not in (None, rp.rp_id):
        raise _invalid(
            "recoveryPointId '%s' does not match the recovery point in the URL ('%s')."
            % (props["recoveryPointId"], rp.rp_id)
        )
    if props["sourceResourceId"].lower() != item.vm.vm_id.lower():
        raise _invalid("sourceResourceId does not match the protected item's virtual machine (%s)." % item.vm.vm_id)
    for name, pattern in _ARM_ID.items():
        if props.get(name) and not re.match(pattern, props[name], re.I):
            raise _invalid("'%s' is not a valid ARM resource id: %s" % (name, props[name]))
    if props["region"].replace(" ", "").lower() != state.location.lower():
        raise _invalid(
            "Restore to region '%s' is not possible: the vault is in '%s' and cross "
            "region restore is not enabled." % (props["region"], state.location)
        )
    if recovery_type == "AlternateLocation":
        vm_rg, vm_name = re.match(_ARM_ID["targetVirtualMachineId"], props["targetVirtualMachineId"], re.I).groups()
        existing = {(v.resource_group.lower(), v.name.lower()) for v in state.vms.values()}
        if (vm_rg.lower(), vm_name.lower()) in existing:
            raise _invalid("The target virtual machine '%s' already exists." % vm_name)
    return props


def _name(props, field, group=1):
    match = re.match(_ARM_ID[field], props.get(field) or "", re.I)
    return match.group(group) if match else ""


def _property_bags(item, rp, props, job_id):
    vm = item.vm
    recovery_type = props["recoveryType"]
    account = _name(props, "storageAccountId")
    start = {"VM Name": vm.name, "Recovery point time": dotnet_general(rp.time)}
    final = {"Target Storage Account Name": account}
    if recovery_type == "RestoreDisks":
        start["Job Type"] = "Recover disks"
        rg = _name(props, "targetResourceGroupId") or vm.resource_group
        stamp = rp.time.strftime("%Y%m%d-%H%M%S")
        container = "%s-%s" % (vm.name.lower(), job_id.replace("-", "")[:32])
        blob = "config-%s-%s.json" % (vm.name.lower(), job_id)
        final.update(
            {
                "Target resource group": rg,
                "Config Blob Container Name": container,
                "Config Blob Name": blob,
                "Config Blob Uri": "https://%s.blob.core.windows.net/%s/%s" % (account, container, blob),
                "Template Blob Uri": "https://%s.blob.core.windows.net/%s/azuredeploy%s.json"
                % (account, container, job_id),
                "Restored disks": "%s-osdisk-%s, %s-datadisk-000-%s" % (vm.name, stamp, vm.name, stamp),
            }
        )
    elif recovery_type == "AlternateLocation":
        start["Job Type"] = "Recover to new virtual machine"
        vm_rg, vm_name = re.match(_ARM_ID["targetVirtualMachineId"], props["targetVirtualMachineId"], re.I).groups()
        final.update(
            {
                "Target VM Name": vm_name,
                "Target resource group": vm_rg,
                "Target Virtual Network": _name(props, "virtualNetworkId"),
                "Target Subnet": _name(props, "subnetId", 2),
            }
        )
    else:
        start["Job Type"] = "Restore to original location"
        final.update({"Target VM Name": vm.name, "Target resource group": vm.resource_group})
    return start, final


def trigger_restore(state, item, rp, props, now):
    """Restores_Trigger -> item-level Operation whose job is a Restore job."""
    vm = item.vm
    n = state._next()

    def on_done(op):
        job_id = _guid()
        start_bag, final_bag = _property_bags(item, rp, props, job_id)
        outcome = vm.restore.get("outcome", "Completed")
        job = Job(
            job_id=job_id,
            operation="Restore",
            entity_friendly_name=vm.name,
            container_name=vm.short_container,
            start=op.end,
            tasks=[
                Task(
                    "Transfer data",
                    vary(state.timing.get("restore_seconds", [1200, 1800]), "restore", vm.key, n),
                    cancellable=True,
                )
            ],
            outcome=outcome,
            fail_task=0 if outcome == "Failed" else None,
            is_user_triggered=True,
            activity_id=_guid(),
            property_bag=start_bag,
            final_property_bag=final_bag,
            context={"item": item.key, "request": props, "on_end": _restore_ended(state)},
        )
        if outcome == "Failed":
            error = vm.restore.get("error") or {
                "code": "UserErrorRestoreFailed",
                "error_code": 400002,
                "message": "Restore failed with an internal error.",
                "recommendations": ["Retry the operation."],
            }
            job.error_details = [error_info(error)]
            job.dynamic_error_message = error["message"]
        return state.add_job(job).job_id

    return state.item_operation(vm, "restore", now, on_done)


def _restore_ended(state):
    def hook(job):
        props = job.context["request"]
        if job.final_status() != "Completed" or props["recoveryType"] != "AlternateLocation":
            return
        vm_rg, vm_name = re.match(_ARM_ID["targetVirtualMachineId"], props["targetVirtualMachineId"], re.I).groups()
        source = state.vms[job.context["item"]]
        restored = VirtualMachine(
            name=vm_name,
            resource_group=vm_rg,
            subscription_id=state.subscription_id,
            location=source.location,
            size=source.size,
            os_type=source.os_type,
            discovered=False,
        )
        state.vms.setdefault(restored.key, restored)
        state.resource_groups.add(vm_rg.lower())

    return hook
