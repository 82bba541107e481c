"""The scenario: who may log in, which vault, VMs, policies exist, and how backups behave.

A scenario file (JSON or YAML) has the same schema as DEFAULT_SCENARIO; it is deep-merged over the
default (dicts merge, lists replace), so a file only needs the keys it changes.
"""

import copy
import json

DEFAULT_SCENARIO = {
    "tenant_id": "c0ffee00-0000-4000-8000-000000000001",
    "tenant_domain": "emulator.onmicrosoft.com",
    "client_id": "11111111-2222-4333-8444-555555555555",
    "client_secret": "emulator-secret",
    "subscription_id": "00000000-0000-0000-0000-000000000000",
    "principal_object_id": "9b0f6b2c-8a4e-4d3f-9e1a-0c6d3f2b7a55",
    # The app's certificate credential (client assertion, RS256/PS256): a public certificate in PEM, or
    # null: the emulator generates an RSA key + self-signed certificate (DIR/client-cert.pem).
    "client_certificate_pem": None,
    # Users who may sign in with username/password (ROPC). "{tenant_domain}" stands for tenant_domain.
    # mfa_required: the password is checked, then the sign-in answers AADSTS50076.
    "users": [
        {
            "username": "backup-operator@{tenant_domain}",
            "password": "emulator-password",
            "object_id": "5d3c1e2a-7b4f-4a6e-9c8d-1f2e3a4b5c6d",
            "display_name": "Backup Operator",
        },
        {
            "username": "mfa-user@{tenant_domain}",
            "password": "emulator-password",
            "object_id": "6e4d2f3b-8c5a-4b7f-8d9e-2a3b4c5d6e7f",
            "display_name": "MFA User",
            "mfa_required": True,
        },
    ],
    # Workload identity federation: the app trusts tokens of these (issuer, subject, audiences).
    # issuer null: the emulator's own OIDC issuer, <base_url>/federation (POST /_emulator/federated-token).
    "federated_credentials": [
        {
            "name": "backup-runner",
            "issuer": None,
            "subject": "system:serviceaccount:backup:runner",
            "audiences": ["api://AzureADTokenExchange"],
        }
    ],
    # Managed identities of the machine the client runs on (IMDS, /metadata/identity/oauth2/token).
    # system_assigned null: the machine has none (then a request without client_id needs exactly one
    # user-assigned identity).
    "managed_identities": {
        "system_assigned": {
            "object_id": "7f5e3a4c-9d6b-4c8a-9e0f-3b4c5d6e7f80",
            "client_id": "8a6f4b5d-0e7c-4d9b-8f1a-4c5d6e7f8091",
        },
        "user_assigned": [
            {
                "name": "id-backup-runner",
                "resource_group": "rg-backup-demo",
                "client_id": "9b7a5c6e-1f8d-4e0c-9a2b-5d6e7f8091a2",
                "object_id": "a0c8b6d7-2a9e-4f1d-8b3c-6e7f8091a2b3",
            }
        ],
    },
    "vault": {
        "name": "rsv-demo",
        "resource_group": "rg-backup-demo",
        "location": "westeurope",
        "tags": {"environment": "emulator"},
        "storage_redundancy": "GeoRedundant",
        # DELETE protectedItem keeps the item listed, soft-deleted, for 14 days (vault default).
        "soft_delete": True,
    },
    # Extra resource groups that exist (the vault's and the VMs' always exist): where restores and DR drills go.
    "resource_groups": ["rg-restore", "rg-drill"],
    "policies": [
        {
            "name": "DefaultPolicy",
            "policy_type": "V1",
            "schedule_run_time": "19:00",
            "daily_retention_days": 30,
            "instant_rp_retention_days": 2,
            "time_zone": "UTC",
        },
        {
            "name": "EnhancedPolicy",
            "policy_type": "V2",
            "schedule_run_time": "02:00",
            "daily_retention_days": 30,
            "instant_rp_retention_days": 7,
            "hourly_interval": 4,
            "time_zone": "UTC",
        },
    ],
    "virtual_machines": [
        {
            "name": "vm-web-01",
            "resource_group": "rg-workloads",
            "protected": True,
            "policy": "DefaultPolicy",
            "backup": {"size_mb": 2332},
        },
        {
            "name": "vm-web-02",
            "resource_group": "rg-workloads",
            "protected": True,
            "policy": "DefaultPolicy",
            "backup": {"size_mb": 2410},
        },
        {
            "name": "vm-db-01",
            "resource_group": "rg-workloads",
            "protected": True,
            "policy": "DefaultPolicy",
            "size": "Standard_D4s_v3",
            "backup": {"size_mb": 18744},
            "disks": {"data_disks_gb": [128, 256]},
        },
        {
            "name": "vm-fail-01",
            "resource_group": "rg-workloads",
            "protected": True,
            "policy": "DefaultPolicy",
            "backup": {
                "outcome": "Failed",
                "error": {
                    "code": "ExtensionSnapshotFailedNoNetwork",
                    "error_code": 400007,
                    "message": "Snapshot operation failed due to no network connectivity on the virtual machine.",
                    "recommendations": [
                        "Ensure that the VM has network connectivity to Azure Storage and Azure "
                        "Backup service endpoints (allow the AzureBackup and Storage service tags).",
                        "Check the proxy and firewall settings of the VM, then retry the operation.",
                    ],
                },
            },
        },
        {
            "name": "vm-warn-01",
            "resource_group": "rg-workloads",
            "protected": True,
            "policy": "DefaultPolicy",
            "backup": {
                "outcome": "CompletedWithWarnings",
                "size_mb": 1980,
                "error": {
                    "code": "UserErrorVssWriterTimeout",
                    "error_code": 130011,
                    "message": "Application-consistent snapshot could not be taken because a VSS "
                    "writer timed out. A file-system consistent recovery point was created.",
                    "recommendations": [
                        "Restart the VSS writers that are in a bad state (vssadmin list writers) and retry the backup.",
                    ],
                },
            },
        },
        {"name": "vm-app-01", "resource_group": "rg-workloads", "protected": False},
        # Exists but the vault has not discovered it yet: protectable only after refreshContainers.
        {"name": "vm-new-01", "resource_group": "rg-workloads", "protected": False, "discovered": False},
    ],
    # Many protected VMs without listing them (soak tests): count of them, named prefix + 001..N,
    # added after virtual_machines. Any other key (policy, protected, size, backup, ...) is copied
    # into every generated VM.
    "generated_vms": {"count": 0, "prefix": "vm-gen-", "resource_group": "rg-generated", "policy": "DefaultPolicy"},
    "timing": {
        # Emulated seconds. Per VM the values vary a little, deterministically.
        "retry_after_seconds": 60,
        "operation_seconds": [10, 30],
        "snapshot_seconds": [300, 420],
        "transfer_seconds": [780, 1020],
        "cancel_seconds": 30,
        "configure_seconds": 40,
        "restore_seconds": [1200, 1800],
        "refresh_seconds": [20, 40],
        # DELETE of what a restore created (Compute / Network asynchronous operations).
        "vm_delete_seconds": [45, 150],
        "disk_delete_seconds": [5, 15],
        "nic_delete_seconds": [3, 10],
        # Retry-After (emulated seconds) on the 202s of those DELETEs and their polling URLs.
        "resource_retry_after_seconds": 10,
    },
    # Disks of a VM that has no "disks" of its own (VM keys override these one by one). A restore creates them:
    # os_disk_size_gb null -> 30 GB for Linux, 127 GB for Windows; data_disks_gb: sizes, LUN = position (an entry
    # may also be {"size_gb", "sku", "lun"}).
    "disk_layout": {"sku": "Premium_LRS", "os_disk_size_gb": None, "data_disks_gb": [32]},
    # api-versions the emulator serves for the resources a restore creates (docs/emulator.md); others -> 400.
    "arm_api_versions": {
        "virtualMachines": [
            "2023-03-01",
            "2023-07-01",
            "2023-09-01",
            "2024-03-01",
            "2024-07-01",
            "2024-11-01",
            "2025-04-01",
            "2026-04-01",
        ],
        "disks": ["2023-04-02", "2023-10-02", "2024-03-02", "2025-01-02", "2026-03-02"],
        "networkInterfaces": [
            "2023-09-01",
            "2023-11-01",
            "2024-01-01",
            "2024-03-01",
            "2024-05-01",
            "2024-07-01",
            "2024-10-01",
            "2026-03-01",
        ],
        "containers": ["2022-09-01", "2023-01-01", "2023-05-01", "2024-01-01", "2026-09-01"],
        "resources": ["2021-04-01", "2022-09-01", "2024-03-01", "2025-04-01"],
    },
    "history": {
        # Completed scheduled backups seeded per protected VM, one a day, newest yesterday.
        "days": 5,
    },
    "throttling": {
        "enabled": True,
        "reads": {"capacity": 250, "refill_per_second": 25},
        "writes": {"capacity": 200, "refill_per_second": 10},
    },
    "paging": {"page_size": 200},
    # "iso8601" (the spec: PT20M23.0896697S) or "timespan" (00:20:23.0896697) for job durations.
    "duration_format": "iso8601",
    # api-version the service writes into the URLs it hands out (examples show these values).
    "async_api_version": "2016-12-01",
    "next_link_api_version": "2017-07-01",
    "token_lifetime_seconds": 3599,
    # Error codes the public contract does not pin down (docs/emulator.md, "Assumptions").
    "errors": {
        "not_found_code": "ResourceNotFound",
        "job_not_cancellable_code": "BMSUserErrorJobNotCancellable",
        "backup_not_allowed_code": "UserErrorBackupOperationNotAllowed",
    },
}


def deep_merge(base, override):
    result = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def load_scenario(path=None, data=None):
    """The default scenario, with a file (JSON/YAML) or a dict merged over it."""
    override = data
    if path:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if path.endswith((".yml", ".yaml")):
            import yaml

            override = yaml.safe_load(text) or {}
        else:
            try:
                override = json.loads(text)
            except ValueError:
                import yaml

                override = yaml.safe_load(text) or {}
    scenario = deep_merge(DEFAULT_SCENARIO, override or {})
    validate(scenario)
    return scenario


def generated_vms(spec):
    """The VM specs ``generated_vms`` stands for: prefix + zero-padded index (001..count)."""
    spec = dict(spec or {})
    count = spec.pop("count", 0)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError("generated_vms.count must be an integer >= 0")
    prefix = spec.pop("prefix", "vm-gen-")
    if not isinstance(prefix, str) or not prefix:
        raise ValueError("generated_vms.prefix must be a non-empty string")
    spec.setdefault("resource_group", "rg-generated")
    spec.pop("name", None)
    width = max(3, len(str(count)))
    return [dict(copy.deepcopy(spec), name="%s%0*d" % (prefix, width, index)) for index in range(1, count + 1)]


def all_vms(scenario):
    """virtual_machines, then the generated ones."""
    return list(scenario["virtual_machines"]) + generated_vms(scenario.get("generated_vms"))


def users(scenario):
    """The scenario's users with "{tenant_domain}" in their username replaced."""
    domain = scenario.get("tenant_domain") or ""
    result = []
    for user in scenario.get("users") or []:
        user = dict(user)
        user["username"] = str(user.get("username", "")).replace("{tenant_domain}", domain)
        result.append(user)
    return result


def user_assigned_identities(scenario):
    return list((scenario.get("managed_identities") or {}).get("user_assigned") or [])


def _validate_credentials(scenario):
    pem = scenario.get("client_certificate_pem")
    if pem is not None:
        if not isinstance(pem, str):
            raise ValueError("client_certificate_pem must be a PEM string or null")
        from .keys import ClientCertificate

        ClientCertificate.from_pem(pem)  # ValueError when it is not an RSA certificate
    seen = set()
    for user in users(scenario):
        name = user["username"].lower()
        if "@" not in name or not isinstance(user.get("password"), str) or not user["password"]:
            raise ValueError("users[] need a username (name@domain) and a password: %r" % user["username"])
        if name in seen:
            raise ValueError("duplicate user %s" % name)
        seen.add(name)
    for fic in scenario.get("federated_credentials") or []:
        if not isinstance(fic, dict) or not isinstance(fic.get("subject"), str) or not fic["subject"]:
            raise ValueError("federated_credentials[] need a subject")
        audiences = fic.get("audiences", ["api://AzureADTokenExchange"])
        if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise ValueError("federated_credentials[].audiences must be a list of strings")
        if fic.get("issuer") is not None and not isinstance(fic["issuer"], str):
            raise ValueError("federated_credentials[].issuer must be a URL or null")
    identities = scenario.get("managed_identities") or {}
    if not isinstance(identities, dict):
        raise ValueError("managed_identities must be a mapping {system_assigned, user_assigned}")
    system = identities.get("system_assigned")
    if system is not None and not (isinstance(system, dict) and system.get("object_id")):
        raise ValueError("managed_identities.system_assigned needs an object_id (or is null)")
    for identity in user_assigned_identities(scenario):
        for key in ("name", "client_id", "object_id"):
            if not isinstance(identity, dict) or not identity.get(key):
                raise ValueError("managed_identities.user_assigned[] need name, client_id and object_id")


def validate(scenario):
    _validate_credentials(scenario)
    names = set()
    policies = {p["name"].lower() for p in scenario["policies"]}
    if not isinstance(scenario.get("generated_vms") or {}, dict):
        raise ValueError("generated_vms must be a mapping {count, prefix, resource_group, policy}")
    for vm in all_vms(scenario):
        for key in ("name", "resource_group"):
            if not vm.get(key):
                raise ValueError("virtual machine without %s: %r" % (key, vm))
        key = (vm["resource_group"].lower(), vm["name"].lower())
        if key in names:
            raise ValueError("duplicate virtual machine %s/%s" % key)
        names.add(key)
        if vm.get("protected", True) and vm.get("policy", "DefaultPolicy").lower() not in policies:
            raise ValueError("VM %s uses unknown policy %s" % (vm["name"], vm.get("policy")))
        outcome = (vm.get("backup") or {}).get("outcome", "Completed")
        if outcome not in ("Completed", "CompletedWithWarnings", "Failed"):
            raise ValueError("VM %s: backup.outcome must be Completed, CompletedWithWarnings or Failed" % vm["name"])
        _validate_restore(vm)
        disk_layout(scenario, vm)  # ValueError when the disks are malformed
    versions = scenario.get("arm_api_versions") or {}
    if not isinstance(versions, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in versions.values()
    ):
        raise ValueError("arm_api_versions must map a resource type to a list of api-versions")


RESTORED_VM_PROVISIONING = ("Succeeded", "Failed")
RESTORED_VM_POWER = ("running", "stopped", "deallocated")


def _validate_restore(vm):
    restore = vm.get("restore") or {}
    if not isinstance(restore, dict):
        raise ValueError("VM %s: restore must be a mapping" % vm["name"])
    if restore.get("outcome", "Completed") not in ("Completed", "CompletedWithWarnings", "Failed"):
        raise ValueError("VM %s: restore.outcome must be Completed, CompletedWithWarnings or Failed" % vm["name"])
    if restore.get("vm_provisioning_state", "Succeeded") not in RESTORED_VM_PROVISIONING:
        raise ValueError("VM %s: restore.vm_provisioning_state must be Succeeded or Failed" % vm["name"])
    if restore.get("vm_power_state", "running") not in RESTORED_VM_POWER:
        raise ValueError("VM %s: restore.vm_power_state must be running, stopped or deallocated" % vm["name"])


def disk_layout(scenario, vm):
    """The disks of a VM spec: {"os": {size_gb, sku}, "data": [{lun, size_gb, sku}]}, the VM's ``disks`` keys
    over the scenario's ``disk_layout``. Raises ValueError when malformed."""
    layout = dict(scenario.get("disk_layout") or {})
    own = vm.get("disks") or {}
    if not isinstance(own, dict) or not isinstance(layout, dict):
        raise ValueError("VM %s: disks must be a mapping {sku, os_disk_size_gb, data_disks_gb}" % vm.get("name"))
    layout.update(own)
    sku = layout.get("sku") or "Premium_LRS"
    if sku not in DISK_SKUS:
        raise ValueError("VM %s: disk sku must be one of %s" % (vm.get("name"), ", ".join(DISK_SKUS)))
    windows = str(vm.get("os_type", "Linux")).lower() == "windows"
    os_size = layout.get("os_disk_size_gb")
    if os_size is None:
        os_size = 127 if windows else 30
    data = []
    for index, entry in enumerate(layout.get("data_disks_gb") or []):
        if not isinstance(entry, dict):
            entry = {"size_gb": entry}
        disk = {"lun": entry.get("lun", index), "size_gb": entry.get("size_gb"), "sku": entry.get("sku", sku)}
        if (
            isinstance(disk["size_gb"], bool)
            or not isinstance(disk["size_gb"], int)
            or not 1 <= disk["size_gb"] <= 32767
        ):
            raise ValueError("VM %s: a data disk size is a whole number of GB (1-32767)" % vm.get("name"))
        if isinstance(disk["lun"], bool) or not isinstance(disk["lun"], int) or not 0 <= disk["lun"] <= 63:
            raise ValueError("VM %s: a data disk LUN is 0-63" % vm.get("name"))
        if disk["sku"] not in DISK_SKUS:
            raise ValueError("VM %s: disk sku must be one of %s" % (vm.get("name"), ", ".join(DISK_SKUS)))
        data.append(disk)
    data.sort(key=lambda d: d["lun"])
    if len({d["lun"] for d in data}) != len(data):
        raise ValueError("VM %s: two data disks share a LUN" % vm.get("name"))
    if isinstance(os_size, bool) or not isinstance(os_size, int) or not 1 <= os_size <= 4095:
        raise ValueError("VM %s: os_disk_size_gb is a whole number of GB (1-4095)" % vm.get("name"))
    return {"os": {"size_gb": os_size, "sku": sku}, "data": data}


DISK_SKUS = (
    "Standard_LRS",
    "StandardSSD_LRS",
    "Premium_LRS",
    "PremiumV2_LRS",
    "UltraSSD_LRS",
    "StandardSSD_ZRS",
    "Premium_ZRS",
)
