"""ARM resources a restore creates, as Azure's resource providers hold them: managed disks and virtual machines
(Microsoft.Compute), network interfaces (Microsoft.Network), the staging blob container (Microsoft.Storage),
how they render, and how they are deleted (Compute/Network: an asynchronous operation on the emulated clock;
Storage: at once).

Ids are kept with the casing they were created with (ARM answers ids that way); lookups are case-insensitive.
A deleted resource is kept as a tombstone (state ``Deleted``) for the control API; ARM no longer sees it."""

import uuid
from dataclasses import dataclass, field
from typing import Optional

from . import arm
from .models import stable_fraction, vary
from .operations import Operation
from .timefmt import iso

DISK = ("Microsoft.Compute", "disks")
VM = ("Microsoft.Compute", "virtualMachines")
NIC = ("Microsoft.Network", "networkInterfaces")
CONTAINER = ("Microsoft.Storage", "storageAccounts/blobServices/containers")
ACCOUNT = ("Microsoft.Storage", "storageAccounts")
TOP_LEVEL = (DISK, VM, NIC)  # what Resources_ListByResourceGroup lists (a container is a nested resource)

# Deletion durations (scenario timing keys) per kind.
DELETE_TIMING = {VM: "vm_delete_seconds", DISK: "disk_delete_seconds", NIC: "nic_delete_seconds"}
DELETE_DEFAULTS = {VM: [45, 150], DISK: [5, 15], NIC: [3, 10]}

POWER_DISPLAY = {"running": "VM running", "stopped": "VM stopped", "deallocated": "VM deallocated"}
DEFAULT_VM_ERROR = {
    "code": "VMAgentStatusCommunicationError",
    "message": "VM '{vm}' has not reported status for VM agent or extensions. Verify that the OS is up and healthy, "
    "the VM has a running VM agent, and that it can establish outbound connections to Azure storage. Please refer "
    "to https://aka.ms/vmextensionlinuxtroubleshoot for additional VM agent troubleshooting information.",
}

# Premium SSD performance tiers: (largest size in GB, tier, IOPS, MBps).
_PREMIUM_TIERS = (
    (4, "P1", 120, 25),
    (8, "P2", 120, 25),
    (16, "P3", 120, 25),
    (32, "P4", 120, 25),
    (64, "P6", 240, 50),
    (128, "P10", 500, 100),
    (256, "P15", 1100, 125),
    (512, "P20", 2300, 150),
    (1024, "P30", 5000, 200),
    (2048, "P40", 7500, 250),
    (4096, "P50", 7500, 250),
    (8192, "P60", 16000, 500),
    (16384, "P70", 18000, 750),
    (32767, "P80", 20000, 900),
)


def _guid(*parts):
    if parts:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "azure-backup-emulator:arm:" + "|".join(map(str, parts))))
    return str(uuid.uuid4())


@dataclass
class ArmResource:
    kind: tuple  # (namespace, type), e.g. DISK
    subscription_id: str
    resource_group: str
    name: str
    location: str
    created: object  # emulated datetime
    job_id: str = ""  # the Restore job that created it
    recovery_type: str = ""
    account: str = ""  # containers: the storage account's name
    attrs: dict = field(default_factory=dict)  # type-specific (see the render functions)
    provisioning_state: str = "Succeeded"
    deleting: Optional[str] = None  # id of the running DELETE operation
    deleted: Optional[object] = None  # when it was deleted (a tombstone from then on)

    @property
    def type(self):
        return "%s/%s" % self.kind

    @property
    def group_id(self):
        return "/subscriptions/%s/resourceGroups/%s" % (self.subscription_id, self.resource_group)

    @property
    def id(self):
        if self.kind == CONTAINER:
            return "%s/providers/Microsoft.Storage/storageAccounts/%s/blobServices/default/containers/%s" % (
                self.group_id,
                self.account,
                self.name,
            )
        return "%s/providers/%s/%s/%s" % (self.group_id, self.kind[0], self.kind[1], self.name)

    @property
    def key(self):
        return self.id.lower()

    @property
    def state(self):
        if self.deleted is not None:
            return "Deleted"
        if self.deleting is not None:
            return "Deleting"
        return self.provisioning_state

    def shown_provisioning_state(self):
        return "Deleting" if self.deleting is not None else self.provisioning_state


def resource_id(subscription_id, resource_group, kind, name, account=None):
    group = "/subscriptions/%s/resourceGroups/%s" % (subscription_id, resource_group)
    if kind == CONTAINER:
        return "%s/providers/Microsoft.Storage/storageAccounts/%s/blobServices/default/containers/%s" % (
            group,
            account,
            name,
        )
    return "%s/providers/%s/%s/%s" % (group, kind[0], kind[1], name)


class ResourceStore:
    """Every resource restores created (tombstones included) and the storage accounts restores named."""

    def __init__(self):
        self.resources = {}  # key (lower-case id) -> ArmResource
        self.accounts = {}  # (resource group, name), lower-case -> {subscription_id, resource_group, name, location}
        self.reserved = set()  # ids a running restore will create (names are chosen when its job starts)

    def add(self, res):
        self.resources[res.key] = res
        self.reserved.discard(res.key)
        return res

    def get(self, resource_id_value):
        """The live resource with this id (any casing), or None."""
        res = self.resources.get((resource_id_value or "").lower())
        return res if res is not None and res.deleted is None else None

    def find(self, subscription_id, resource_group, kind, name, account=None):
        return self.get(resource_id(subscription_id, resource_group, kind, name, account))

    def taken(self, resource_id_value):
        return self.get(resource_id_value) is not None or resource_id_value.lower() in self.reserved

    def live(self):
        return [r for r in self.resources.values() if r.deleted is None]

    def add_account(self, subscription_id, resource_group, name, location):
        key = (resource_group.lower(), name.lower())
        self.accounts.setdefault(
            key,
            {"subscription_id": subscription_id, "resource_group": resource_group, "name": name, "location": location},
        )

    def account(self, resource_group, name):
        return self.accounts.get((resource_group.lower(), name.lower()))

    def in_group(self, resource_group):
        rg = resource_group.lower()
        return sorted(
            (r for r in self.live() if r.kind in TOP_LEVEL and r.resource_group.lower() == rg),
            key=lambda r: r.key,
        )


# --- rendering ---------------------------------------------------------------------------------


def _disk_sku(sku):
    tier = "Premium" if sku.startswith("Premium") else "Ultra" if sku.startswith("Ultra") else "Standard"
    return {"name": sku, "tier": tier}


def _disk_performance(size_gb, sku):
    """(performance tier or None, IOPS, MBps) of a disk."""
    if sku.startswith("Premium"):
        for limit, tier, iops, mbps in _PREMIUM_TIERS:
            if size_gb <= limit:
                return tier, iops, mbps
    if sku.startswith("StandardSSD"):
        return None, 500, 60 if size_gb <= 4095 else 400
    if sku.startswith("Ultra"):
        return None, min(160000, 300 * size_gb), min(4000, 10 * size_gb)
    return None, 500, 60


def render_disk(res):
    a = res.attrs
    tier, iops, mbps = _disk_performance(a["size_gb"], a["sku"])
    props = {
        "creationData": {"createOption": "Restore", "sourceResourceId": a.get("source_id")},
        "diskSizeGB": a["size_gb"],
        "diskIOPSReadWrite": iops,
        "diskMBpsReadWrite": mbps,
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
        "networkAccessPolicy": "AllowAll",
        "publicNetworkAccess": "Enabled",
        "timeCreated": iso(res.created),
        "provisioningState": res.shown_provisioning_state(),
        "diskState": "Attached" if a.get("managed_by") else "Unattached",
        "diskSizeBytes": a["size_gb"] * 1024**3,
        "uniqueId": a["unique_id"],
    }
    if a.get("os_type"):
        props["osType"] = a["os_type"]
        props["hyperVGeneration"] = "V1"
    if tier:
        props["tier"] = tier
    body = {"name": res.name, "id": res.id, "type": res.type, "location": res.location}
    if a.get("managed_by"):
        body["managedBy"] = a["managed_by"]
    body["sku"] = _disk_sku(a["sku"])
    body["properties"] = props
    return body


def _status(code, display, when=None, level="Info", message=None):
    item = {"code": code, "level": level, "displayStatus": display}
    if message:
        item["message"] = message
    if when is not None:
        item["time"] = iso(when)
    return item


def _vm_instance_view(store, res):
    a = res.attrs
    failed = res.provisioning_state == "Failed"
    if res.deleting is not None:
        provisioning = _status("ProvisioningState/deleting", "Deleting")
    elif failed:
        error = a.get("error") or {}
        provisioning = _status(
            "ProvisioningState/failed/%s" % error.get("code", "Failed"),
            "Provisioning failed",
            res.created,
            "Error",
            error.get("message"),
        )
    else:
        provisioning = _status("ProvisioningState/succeeded", "Provisioning succeeded", res.created)
    power = a.get("power_state", "running")
    disks = []
    for disk_id in [a["os_disk"]] + [d for _lun, d in a["data_disks"]]:
        disk = store.get(disk_id)
        if disk is not None:
            disks.append(
                {
                    "name": disk.name,
                    "statuses": [_status("ProvisioningState/succeeded", "Provisioning succeeded", res.created)],
                }
            )
    linux = a["os_type"] == "Linux"
    agent_ok = not failed and power == "running"
    view = {
        "computerName": a.get("computer_name") or res.name,
        "osName": "ubuntu" if linux else "Windows Server 2022 Datacenter",
        "osVersion": "22.04" if linux else "10.0.20348",
        "vmAgent": {
            "vmAgentVersion": "2.11.1.12" if linux else "2.7.41491.1102",
            "statuses": [
                _status("ProvisioningState/succeeded", "Ready", res.created, message="Guest Agent is running")
                if agent_ok
                else _status(
                    "ProvisioningState/Unavailable",
                    "Not Ready",
                    res.created,
                    "Warning",
                    "VM status blob is found but not yet populated.",
                )
            ],
        },
        "disks": disks,
        "hyperVGeneration": "V1",
        "statuses": [provisioning, _status("PowerState/%s" % power, POWER_DISPLAY.get(power, "VM " + power))],
    }
    return view


def render_vm(store, res, instance_view=False):
    a = res.attrs

    def managed(disk_id):
        disk = store.get(disk_id)
        sku = disk.attrs["sku"] if disk is not None else "Premium_LRS"
        return {"storageAccountType": sku, "id": disk.id if disk is not None else disk_id}

    os_disk = store.get(a["os_disk"])
    storage = {
        "osDisk": {
            "osType": a["os_type"],
            "name": os_disk.name if os_disk is not None else a["os_disk"].rsplit("/", 1)[-1],
            "createOption": "Attach",
            "caching": "ReadWrite",
            "managedDisk": managed(a["os_disk"]),
            "deleteOption": "Detach",
            "diskSizeGB": os_disk.attrs["size_gb"] if os_disk is not None else None,
        },
        "dataDisks": [],
        "diskControllerType": "SCSI",
    }
    for lun, disk_id in a["data_disks"]:
        disk = store.get(disk_id)
        storage["dataDisks"].append(
            {
                "lun": lun,
                "name": disk.name if disk is not None else disk_id.rsplit("/", 1)[-1],
                "createOption": "Attach",
                "caching": "None",
                "writeAcceleratorEnabled": False,
                "managedDisk": managed(disk_id),
                "deleteOption": "Detach",
                "diskSizeGB": disk.attrs["size_gb"] if disk is not None else None,
                "toBeDetached": False,
            }
        )
    props = {
        "vmId": a["vm_guid"],
        "hardwareProfile": {"vmSize": a["size"]},
        "storageProfile": storage,
        "networkProfile": {"networkInterfaces": [{"id": a["nic"], "properties": {"primary": True}}]},
        "diagnosticsProfile": {"bootDiagnostics": {"enabled": False}},
        "provisioningState": res.shown_provisioning_state(),
        "timeCreated": iso(res.created),
    }
    if instance_view:
        props["instanceView"] = _vm_instance_view(store, res)
    return {"name": res.name, "id": res.id, "type": res.type, "location": res.location, "properties": props}


def render_nic(res):
    a = res.attrs
    etag = 'W/"%s"' % a["etag"]
    config_id = res.id + "/ipConfigurations/ipconfig1"
    props = {
        "provisioningState": res.shown_provisioning_state(),
        "resourceGuid": a["resource_guid"],
        "ipConfigurations": [
            {
                "name": "ipconfig1",
                "id": config_id,
                "etag": etag,
                "type": "Microsoft.Network/networkInterfaces/ipConfigurations",
                "properties": {
                    "provisioningState": res.shown_provisioning_state(),
                    "privateIPAddress": a["private_ip"],
                    "privateIPAllocationMethod": "Dynamic",
                    "subnet": {"id": a["subnet_id"]},
                    "primary": True,
                    "privateIPAddressVersion": "IPv4",
                },
            }
        ],
        "dnsSettings": {
            "dnsServers": [],
            "appliedDnsServers": [],
            "internalDomainNameSuffix": "%s.ax.internal.cloudapp.net" % a["dns_suffix"],
        },
        "macAddress": a["mac"],
        "vnetEncryptionSupported": False,
        "enableIPForwarding": False,
        "enableAcceleratedNetworking": False,
        "disableTcpStateTracking": False,
        "primary": True,
        "hostedWorkloads": [],
        "tapConfigurations": [],
        "nicType": "Standard",
        "allowPort25Out": True,
        "auxiliaryMode": "None",
        "auxiliarySku": "None",
    }
    if a.get("vm"):
        props["virtualMachine"] = {"id": a["vm"]}
    return {
        "name": res.name,
        "id": res.id,
        "etag": etag,
        "type": res.type,
        "location": res.location,
        "kind": "Regular",
        "properties": props,
    }


def render_container(res):
    return {
        "id": res.id,
        "name": res.name,
        "type": res.type,
        "etag": '"%s"' % res.attrs["etag"],
        "properties": {
            "deleted": False,
            "remainingRetentionDays": 0,
            "defaultEncryptionScope": "$account-encryption-key",
            "denyEncryptionScopeOverride": False,
            "publicAccess": "None",
            "leaseStatus": "Unlocked",
            "leaseState": "Available",
            "lastModifiedTime": iso(res.created),
            "hasImmutabilityPolicy": False,
            "hasLegalHold": False,
            "immutableStorageWithVersioning": {"enabled": False},
        },
    }


def render(store, res, instance_view=False):
    if res.kind == DISK:
        return render_disk(res)
    if res.kind == VM:
        return render_vm(store, res, instance_view)
    if res.kind == NIC:
        return render_nic(res)
    return render_container(res)


def list_entry(res):
    """One item of Resources_ListByResourceGroup (GenericResourceExpanded without $expand)."""
    entry = {"id": res.id, "name": res.name, "type": res.type, "location": res.location}
    if res.kind == DISK:
        entry["sku"] = _disk_sku(res.attrs["sku"])
        if res.attrs.get("managed_by"):
            entry["managedBy"] = res.attrs["managed_by"]
    return entry


def control_entry(res):
    """One item of GET /_emulator/resources."""
    entry = {
        "id": res.id,
        "type": res.type,
        "name": res.name,
        "resource_group": res.resource_group,
        "location": res.location,
        "state": res.state,
        "provisioning_state": res.provisioning_state,
        "created": iso(res.created),
        "deleted": iso(res.deleted),
        "job_id": res.job_id,
        "recovery_type": res.recovery_type,
    }
    if res.kind == DISK:
        entry["managed_by"] = res.attrs.get("managed_by")
    elif res.kind == NIC:
        entry["virtual_machine"] = res.attrs.get("vm")
    elif res.kind == VM:
        entry["power_state"] = res.attrs.get("power_state")
    if res.deleting is not None:
        entry["delete_operation"] = res.deleting
    return entry


# --- creation (a Restore job that ended Completed) --------------------------------------------------


def _restored(kind, name, plan, job, when, **fields):
    """A resource the Restore job ``job`` created at ``when`` in the plan's target resource group."""
    return ArmResource(
        kind=kind,
        subscription_id=plan["subscription_id"],
        resource_group=plan["target_rg"],
        name=name,
        location=plan["location"],
        created=when,
        job_id=job.job_id,
        recovery_type=plan["recovery_type"],
        **fields,
    )


def _disk(plan, spec, job, when, vm_id=None):
    return _restored(
        DISK,
        spec["name"],
        plan,
        job,
        when,
        attrs={
            "size_gb": spec["size_gb"],
            "sku": spec["sku"],
            "os_type": spec.get("os_type"),
            "lun": spec.get("lun"),
            "managed_by": vm_id,
            "unique_id": _guid("disk", job.job_id, spec["name"]),
            "source_id": plan["recovery_point_id"],
        },
    )


def create_restored(state, job, plan, when):
    """The resources ``plan`` (restore._plan) names, created at ``when``; returns them (container first)."""
    store = state.arm
    created = []
    if plan["recovery_type"] == "OriginalLocation":
        return created  # the original VM's disks were replaced in place
    account = plan["account"]
    container = ArmResource(
        kind=CONTAINER,
        subscription_id=account["subscription_id"],
        resource_group=account["resource_group"],
        name=plan["container"],
        location=account["location"],
        created=when,
        job_id=job.job_id,
        recovery_type=plan["recovery_type"],
        account=account["name"],
        attrs={"etag": "0x8D%013X" % int(stable_fraction("etag", job.job_id) * 16**13)},
    )
    created.append(store.add(container))
    vm_id = None
    if plan.get("vm"):
        vm_id = resource_id(plan["subscription_id"], plan["target_rg"], VM, plan["vm"])
    disks = [_disk(plan, plan["os_disk"], job, when, vm_id)]
    disks += [_disk(plan, spec, job, when, vm_id) for spec in plan["data_disks"]]
    for disk in disks:
        created.append(store.add(disk))
    if not plan.get("vm"):
        return created
    nic = _restored(
        NIC,
        plan["nic"],
        plan,
        job,
        when,
        attrs={
            "subnet_id": plan["subnet_id"],
            "vm": vm_id,
            "private_ip": "10.%d.%d.%d"
            % (
                int(stable_fraction("ip1", job.job_id) * 200),
                int(stable_fraction("ip2", job.job_id) * 250),
                4 + int(stable_fraction("ip3", job.job_id) * 200),
            ),
            "mac": "00-0D-3A-%02X-%02X-%02X"
            % tuple(int(stable_fraction("mac", i, job.job_id) * 256) for i in range(3)),
            "resource_guid": _guid("nic", job.job_id),
            "etag": _guid("nic-etag", job.job_id),
            "dns_suffix": _guid("dns", plan["target_rg"].lower()).replace("-", "")[:26],
        },
    )
    created.append(store.add(nic))
    failed = plan.get("vm_provisioning_state") == "Failed"
    error = dict(plan.get("vm_error") or DEFAULT_VM_ERROR)
    error["message"] = error.get("message", "").replace("{vm}", plan["vm"])
    vm = _restored(
        VM,
        plan["vm"],
        plan,
        job,
        when,
        provisioning_state="Failed" if failed else "Succeeded",
        attrs={
            "size": plan["vm_size"],
            "os_type": plan["os_type"],
            "os_disk": disks[0].id,
            "data_disks": [(d.attrs["lun"], d.id) for d in disks[1:]],
            "nic": nic.id,
            "vm_guid": _guid("vm", job.job_id),
            "power_state": plan.get("vm_power_state") or "running",
            "error": error if failed else None,
            "computer_name": plan.get("computer_name"),
            "vm_key": plan.get("vm_key"),
        },
    )
    created.append(store.add(vm))
    return created


# --- deletion ------------------------------------------------------------------------------------


def not_found(kind, resource_group, name):
    return arm.ArmError(
        404,
        "ResourceNotFound",
        "The Resource '%s/%s/%s' under resource group '%s' was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix" % (kind[0], kind[1], name, resource_group),
    )


def _delete_conflict(res):
    if res.kind == DISK and res.attrs.get("managed_by"):
        return arm.ArmError(
            409, "OperationNotAllowed", "Disk %s is attached to VM %s." % (res.name, res.attrs["managed_by"])
        )
    if res.kind == NIC and res.attrs.get("vm"):
        return arm.ArmError(
            400,
            "NicInUse",
            "Network Interface %s is used by existing resource %s. In order to delete the network interface, it "
            "must be dissociated from the resource. To learn more, see aka.ms/deletenic." % (res.id, res.attrs["vm"]),
            details=[],
        )
    return None


def operation_paths(subscription_id, namespace, location, op_id):
    """(status path, result path): Compute polls one resource (Location adds monitor=true), Network two."""
    base = "/subscriptions/%s/providers/%s/locations/%s" % (subscription_id, namespace, location)
    status = "%s/operations/%s" % (base, op_id)
    if namespace == "Microsoft.Network":
        return status, "%s/operationResults/%s" % (base, op_id)
    return status, status


def begin_delete(state, res, now, api_version):
    """DELETE on a Compute/Network resource: the running (or a new) operation, or ArmError for a conflict."""
    if res.deleting is not None:
        return state.operations[res.deleting]
    conflict = _delete_conflict(res)
    if conflict is not None:
        raise conflict
    op_id = _guid()
    seconds = vary(state.timing.get(DELETE_TIMING[res.kind], DELETE_DEFAULTS[res.kind]), "delete", res.key, op_id)
    status_path, result_path = operation_paths(res.subscription_id, res.kind[0], res.location, op_id)
    op = Operation(
        op_id=op_id,
        kind=res.kind[0],
        scope=res.key,
        start=now,
        seconds=seconds,
        status_path=status_path,
        result_path=result_path,
        on_done=lambda done: finish_delete(state, res, done.end),
        purpose="delete",
    )
    op.payload = {"api_version": api_version}
    res.deleting = op_id
    return state._add_op(op)


def finish_delete(state, res, when):
    """The resource is gone: a VM leaves its disks (managedBy cleared) and its NIC (virtualMachine cleared), as
    Azure does when the VM's deleteOption is Detach, and leaves the vault's list of VMs."""
    res.deleted = when
    res.deleting = None
    if res.kind == VM:
        a = res.attrs
        for disk_id in [a["os_disk"]] + [d for _lun, d in a["data_disks"]]:
            disk = state.arm.get(disk_id)
            if disk is not None and (disk.attrs.get("managed_by") or "").lower() == res.key:
                disk.attrs["managed_by"] = None
        nic = state.arm.get(a["nic"])
        if nic is not None and (nic.attrs.get("vm") or "").lower() == res.key:
            nic.attrs["vm"] = None
        vm_key = a.get("vm_key")
        if vm_key and vm_key in state.vms and vm_key not in state.items:
            del state.vms[vm_key]


def delete_container(res, now):
    res.deleted = now
