"""Restore (README §4.2): request validation per recoveryType and the Restore job."""

import re
from datetime import timedelta

from . import arm, resources
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
        vm_id = resources.resource_id(state.subscription_id, vm_rg, resources.VM, vm_name)
        if (vm_rg.lower(), vm_name.lower()) in existing or state.arm.taken(vm_id):
            raise _invalid("The target virtual machine '%s' already exists." % vm_name)
    return props


def _name(props, field, group=1):
    match = re.match(_ARM_ID[field], props.get(field) or "", re.I)
    return match.group(group) if match else ""


def _container_name(vm_name, job_id):
    """A blob container name (3-63 lower-case letters, digits, single hyphens) for the staging container."""
    prefix = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", vm_name.lower())).strip("-")[:30].strip("-") or "vm"
    return "%s-%s" % (prefix, job_id.replace("-", "")[:32])


def _staging_account(state, props):
    sub, rg, name = re.match(
        r"^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\.Storage/storageAccounts/([^/]+)$",
        props["storageAccountId"],
        re.I,
    ).groups()
    return {"subscription_id": sub, "resource_group": rg, "name": name, "location": state.location}


def _disk_names(state, subscription_id, rg, base, layout, start):
    """(stamp, os disk name, [(lun, data disk name)]): '<base>-osdisk-<yyyyMMdd-HHmmss>' and
    '<base>-datadisk-<LUN, 3 digits>-<stamp>', the stamp being the restore's start (one second later while a
    name is taken in the target resource group)."""
    at = start
    while True:
        stamp = at.strftime("%Y%m%d-%H%M%S")
        os_name = _fit(base, "-osdisk-%s" % stamp)
        data = [(d["lun"], _fit(base, "-datadisk-%03d-%s" % (d["lun"], stamp))) for d in layout["data"]]
        names = [os_name] + [n for _lun, n in data]
        ids = [resources.resource_id(subscription_id, rg, resources.DISK, n) for n in names]
        if not any(state.arm.taken(i) for i in ids):
            return stamp, os_name, data
        at += timedelta(seconds=1)


def _fit(base, tail, limit=80):
    """``base + tail`` within Azure's 80-character limit of disk and NIC names (``base`` shortened)."""
    return base[: max(1, limit - len(tail))] + tail


def plan_restore(state, item, rp, props, job_id, start):
    """What the restore will create when its job ends well, named now so that the job's property bag and the
    resources agree (see resources.create_restored)."""
    vm = item.vm
    recovery_type = props["recoveryType"]
    plan = {
        "recovery_type": recovery_type,
        "subscription_id": state.subscription_id,
        "location": state.location,
        "account": _staging_account(state, props),
        "container": _container_name(vm.name, job_id),
        "recovery_point_id": "%s/recoveryPoints/%s" % (item.item_id(state.vault_path), rp.rp_id),
        "os_type": "Windows" if vm.os_type.lower() == "windows" else "Linux",
        "vm_size": vm.size,
        "computer_name": vm.name,
    }
    if recovery_type == "OriginalLocation":  # the VM's own disks are replaced: nothing new
        plan["target_rg"] = vm.resource_group
        plan["container"] = None
        return plan
    if recovery_type == "AlternateLocation":
        target_rg, target_vm = re.match(
            _ARM_ID["targetVirtualMachineId"], props["targetVirtualMachineId"], re.I
        ).groups()
        base = target_vm
    else:
        target_rg = _name(props, "targetResourceGroupId") or vm.resource_group
        target_vm = None
        base = vm.name
    layout = vm.disks
    stamp, os_name, data_names = _disk_names(state, state.subscription_id, target_rg, base, layout, start)
    plan["target_rg"] = target_rg
    plan["stamp"] = stamp
    plan["os_disk"] = dict(layout["os"], name=os_name, os_type=plan["os_type"])
    plan["data_disks"] = [dict(d, name=name) for d, (_lun, name) in zip(layout["data"], data_names)]
    if target_vm:
        plan["vm"] = target_vm
        plan["nic"] = _fit(target_vm, "-nic-%s" % stamp)
        plan["subnet_id"] = props["subnetId"]
        plan["vm_key"] = VirtualMachine(target_vm, target_rg, state.subscription_id, state.location).key
        plan["vm_provisioning_state"] = vm.restore.get("vm_provisioning_state", "Succeeded")
        plan["vm_power_state"] = vm.restore.get("vm_power_state", "running")
        plan["vm_error"] = vm.restore.get("vm_error")
    for disk in [plan["os_disk"]] + plan["data_disks"]:
        state.arm.reserved.add(_disk_id(state, target_rg, disk["name"]))
    if target_vm:
        state.arm.reserved.add(resources.resource_id(state.subscription_id, target_rg, resources.VM, target_vm).lower())
    return plan


def _disk_id(state, rg, name):
    return resources.resource_id(state.subscription_id, rg, resources.DISK, name).lower()


def _property_bags(item, rp, props, job_id, plan):
    vm = item.vm
    recovery_type = props["recoveryType"]
    account = _name(props, "storageAccountId")
    start = {"VM Name": vm.name, "Recovery point time": dotnet_general(rp.time)}
    final = {"Target Storage Account Name": account}
    container = plan["container"]
    if recovery_type == "RestoreDisks":
        start["Job Type"] = "Recover disks"
        blob = "config-%s-%s.json" % (vm.name.lower(), job_id)
        disks = [plan["os_disk"]["name"]] + [d["name"] for d in plan["data_disks"]]
        final.update(
            {
                "Target resource group": plan["target_rg"],
                "Config Blob Container Name": container,
                "Config Blob Name": blob,
                "Config Blob Uri": "https://%s.blob.core.windows.net/%s/%s" % (account, container, blob),
                "Template Blob Uri": "https://%s.blob.core.windows.net/%s/azuredeploy%s.json"
                % (account, container, job_id),
                "Restored disks": ", ".join(disks),
            }
        )
    elif recovery_type == "AlternateLocation":
        start["Job Type"] = "Recover to new virtual machine"
        final.update(
            {
                "Target VM Name": plan["vm"],
                "Target resource group": plan["target_rg"],
                "Target Virtual Network": _name(props, "virtualNetworkId"),
                "Target Subnet": _name(props, "subnetId", 2),
                "Config Blob Container Name": container,
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

    # The staging account and the target resource group exist in Azure before a restore may name them.
    account = _staging_account(state, props)
    state.arm.add_account(account["subscription_id"], account["resource_group"], account["name"], account["location"])
    state.resource_groups.add(account["resource_group"].lower())
    if props["recoveryType"] == "AlternateLocation":
        state.resource_groups.add(_name(props, "targetVirtualMachineId").lower())
    elif props.get("targetResourceGroupId"):
        state.resource_groups.add(_name(props, "targetResourceGroupId").lower())

    def on_done(op):
        job_id = _guid()
        plan = plan_restore(state, item, rp, props, job_id, op.end)
        start_bag, final_bag = _property_bags(item, rp, props, job_id, plan)
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
            context={"item": item.key, "request": props, "plan": plan, "on_end": _restore_ended(state)},
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
        plan = job.context["plan"]
        for disk in [plan.get("os_disk")] + list(plan.get("data_disks") or []):
            if disk:
                state.arm.reserved.discard(_disk_id(state, plan["target_rg"], disk["name"]))
        if plan.get("vm"):
            state.arm.reserved.discard(
                resources.resource_id(state.subscription_id, plan["target_rg"], resources.VM, plan["vm"]).lower()
            )
        if job.final_status() not in ("Completed", "CompletedWithWarnings"):
            return
        when = job.planned_end()
        resources.create_restored(state, job, plan, when)
        state.resource_groups.add(plan["target_rg"].lower())
        if plan["recovery_type"] != "AlternateLocation":
            return
        source = state.vms[job.context["item"]]
        restored = VirtualMachine(
            name=plan["vm"],
            resource_group=plan["target_rg"],
            subscription_id=state.subscription_id,
            location=source.location,
            size=source.size,
            os_type=source.os_type,
            discovered=False,
            disks=source.disks,
        )
        state.vms.setdefault(restored.key, restored)

    return hook
